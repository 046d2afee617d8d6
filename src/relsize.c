/*-------------------------------------------------------------------------
 *
 * relsize.c
 *		Relation sizes that never wait for a lock.
 *
 * pg_table_size() and pg_total_relation_size() open the relation with
 * AccessShareLock and so queue behind any session holding ACCESS EXCLUSIVE
 * on it (an ALTER TABLE, a VACUUM FULL, a LOCK TABLE ...), and every
 * session that arrives after them queues behind the dashboard.  The
 * functions here ask for the same lock with ConditionalLockRelationOid() and
 * answer NULL, "not measured", instead of waiting.  Each lock is released as
 * soon as the relation is measured, so a view over tens of thousands of
 * relations never holds more than a couple of locks at a time.
 *
 * Sizes are the sum of the relation's files on disk, fork by fork and
 * segment by segment, exactly what pg_table_size() (the relation's own
 * forks plus its TOAST table and TOAST index) and pg_total_relation_size()
 * (that plus every index) report.
 *
 * IDENTIFICATION
 *	  src/relsize.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>

#include "access/relation.h"
#include "catalog/pg_class.h"
#include "common/relpath.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "compat.h"
#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_relation_size);
PG_FUNCTION_INFO_V1(pghero_total_relation_size);

/*
 * Open a relation with AccessShareLock if that needs no waiting.
 * Returns NULL if another session holds a conflicting lock or if the
 * relation no longer exists.
 */
static Relation
open_relation_nowait(Oid relid)
{
	if (!ConditionalLockRelationOid(relid, AccessShareLock))
		return NULL;

	/* it may have been dropped before we got the lock */
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relid)))
	{
		UnlockRelationOid(relid, AccessShareLock);
		return NULL;
	}

	return relation_open(relid, NoLock);
}

/* Bytes on disk of every fork of an open relation. */
static int64
relation_files_size(Relation rel)
{
	int64		total = 0;
	ForkNumber	forknum;

	if (!RELKIND_HAS_STORAGE(rel->rd_rel->relkind))
		return 0;

	for (forknum = 0; forknum <= MAX_FORKNUM; forknum++)
	{
		char	   *path = relpathbackend(PGHERO_REL_LOCATOR(rel),
										  rel->rd_backend, forknum);
		unsigned int segno;

		for (segno = 0;; segno++)
		{
			char		segpath[MAXPGPATH];
			struct stat st;

			if (segno == 0)
				snprintf(segpath, sizeof(segpath), "%s", path);
			else
				snprintf(segpath, sizeof(segpath), "%s.%u", path, segno);

			if (stat(segpath, &st) < 0)
			{
				if (errno == ENOENT)
					break;
				ereport(ERROR,
						(errcode_for_file_access(),
						 errmsg("could not stat file \"%s\": %m", segpath)));
			}
			total += st.st_size;
		}
		pfree(path);
	}

	return total;
}

/*
 * Size of one relation by its OID, with or without its TOAST table and its
 * indexes.  Returns false, leaving *size untouched, when the relation or
 * any part of it could not be measured without waiting.
 */
static bool
measure_relation(Oid relid, bool with_toast, bool with_indexes, int64 *size)
{
	Relation	rel = open_relation_nowait(relid);
	int64		total;
	bool		ok = true;

	if (rel == NULL)
		return false;

	total = relation_files_size(rel);

	if (with_toast && OidIsValid(rel->rd_rel->reltoastrelid))
	{
		int64		toast_size = 0;

		/* the TOAST table and its index */
		if (measure_relation(rel->rd_rel->reltoastrelid, false, true,
							 &toast_size))
			total += toast_size;
		else
			ok = false;
	}

	if (ok && with_indexes && rel->rd_rel->relhasindex)
	{
		List	   *indexes = RelationGetIndexList(rel);
		ListCell   *lc;

		foreach(lc, indexes)
		{
			int64		index_size = 0;

			if (!measure_relation(lfirst_oid(lc), false, false, &index_size))
			{
				ok = false;
				break;
			}
			total += index_size;
		}
		list_free(indexes);
	}

	relation_close(rel, AccessShareLock);

	if (ok)
		*size = total;
	return ok;
}

/*
 * pghero_relation_size(regclass) returns bigint
 *		pg_table_size() that answers NULL instead of waiting for a lock.
 */
Datum
pghero_relation_size(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	int64		size = 0;

	if (!measure_relation(relid, true, false, &size))
		PG_RETURN_NULL();
	PG_RETURN_INT64(size);
}

/*
 * pghero_total_relation_size(regclass) returns bigint
 *		pg_total_relation_size() that answers NULL instead of waiting.
 */
Datum
pghero_total_relation_size(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	int64		size = 0;

	if (!measure_relation(relid, true, true, &size))
		PG_RETURN_NULL();
	PG_RETURN_INT64(size);
}
