/*-------------------------------------------------------------------------
 *
 * relsize.c
 *		Relation sizes that never wait for a lock.
 *
 * pg_table_size() and pg_total_relation_size() open the relation with
 * AccessShareLock and so queue behind any session holding ACCESS EXCLUSIVE
 * on it (an ALTER TABLE, a VACUUM FULL, a LOCK TABLE ...), and every
 * session that arrives after them queues behind the dashboard.  Here each
 * relation is locked with ConditionalLockRelationOid(); when another session
 * holds a conflicting lock the answer is NULL, "not measured", at once.
 * Each lock is released as soon as the relation is measured, so a view over
 * tens of thousands of relations holds at most one at a time.
 *
 * Under the lock, the relation's files are found from its pg_class row
 * (through the syscache, and the relation mapper for mapped catalogs) and
 * measured with stat(), fork by fork and segment by segment, as
 * pg_table_size() does; no relcache entry is built, so measuring every
 * relation of a large catalog neither costs a relcache build per relation
 * nor leaves hundreds of megabytes of cache in the backend.  Indexes are
 * found by scanning pg_index on indrelid.
 *
 * A table's size is its own forks plus its TOAST table and TOAST index
 * (pg_table_size()); its index size is the sum of its indexes
 * (pg_indexes_size()); together they make pg_total_relation_size().
 *
 * IDENTIFICATION
 *	  src/relsize.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_tablespace.h"
#include "common/relpath.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/fmgroids.h"
#include "utils/relmapper.h"
#include "utils/syscache.h"

#include "compat.h"
#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_relation_size);
PG_FUNCTION_INFO_V1(pghero_relation_sizes);

/* Bytes of one fork: its segments, up to the first one not full. */
static int64
fork_size(PgheroRelFile file, int backend, ForkNumber forknum)
{
	char		path[MAXPGPATH];
	int64		total = 0;
	unsigned int segno;

	pghero_rel_path(path, file, backend, forknum);
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
		if (st.st_size < (off_t) RELSEG_SIZE * BLCKSZ)
			break;
	}
	return total;
}

/*
 * The file of a relation with storage, from its pg_class row: tablespace,
 * database and file number (the relation mapper's for a mapped catalog).
 * The caller holds a lock on the relation, so that the row is current.
 */
PgheroRelFile
pghero_relation_file(Oid relid, Form_pg_class rel)
{
	PgheroRelFile file;
	Oid			filenode = rel->relfilenode;

	if (!OidIsValid(filenode))
		filenode = PgheroRelationMapOid(relid, rel->relisshared);
	PGHERO_SET_REL_FILE(file,
						OidIsValid(rel->reltablespace) ? rel->reltablespace :
						rel->relisshared ? GLOBALTABLESPACE_OID :
						MyDatabaseTableSpace,
						rel->relisshared ? InvalidOid : MyDatabaseId,
						filenode);
	return file;
}

/*
 * Bytes on disk of one relation's own forks, measured under a lock taken
 * without waiting.  Returns false if the relation is locked by another
 * session or no longer exists.  *toastrelid receives its TOAST table.
 */
static bool
measure_files(Oid relid, int64 *size, Oid *toastrelid)
{
	HeapTuple	tup;
	Form_pg_class rel;
	PgheroRelFile file;
	int			backend;
	int64		total = 0;

	if (!ConditionalLockRelationOid(relid, AccessShareLock))
		return false;

	/* the lock made us see the latest committed pg_class row, if any */
	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
	{
		UnlockRelationOid(relid, AccessShareLock);
		return false;
	}
	rel = (Form_pg_class) GETSTRUCT(tup);

	if (toastrelid)
		*toastrelid = rel->reltoastrelid;

	if (RELKIND_HAS_STORAGE(rel->relkind))
	{
		file = pghero_relation_file(relid, rel);
		backend = rel->relpersistence == RELPERSISTENCE_TEMP ?
			PgheroTempNamespaceBackend(rel->relnamespace) :
			PGHERO_INVALID_BACKEND;

		total += fork_size(file, backend, MAIN_FORKNUM);
		total += fork_size(file, backend, FSM_FORKNUM);
		/* only tables have a visibility map */
		if (rel->relkind == RELKIND_RELATION ||
			rel->relkind == RELKIND_MATVIEW ||
			rel->relkind == RELKIND_TOASTVALUE)
			total += fork_size(file, backend, VISIBILITYMAP_FORKNUM);
		if (rel->relpersistence == RELPERSISTENCE_UNLOGGED)
			total += fork_size(file, backend, INIT_FORKNUM);
	}

	ReleaseSysCache(tup);
	UnlockRelationOid(relid, AccessShareLock);

	*size = total;
	return true;
}

/* Sum of the sizes of a relation's indexes; false if one was not measured. */
static bool
measure_indexes(Oid relid, int64 *size)
{
	Relation	pg_index;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	List	   *indexes = NIL;
	ListCell   *lc;
	int64		total = 0;
	bool		ok = true;

	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(relid));
	pg_index = table_open(IndexRelationId, AccessShareLock);
	scan = systable_beginscan(pg_index, IndexIndrelidIndexId, true,
							  NULL, 1, &key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
		indexes = lappend_oid(indexes,
							  ((Form_pg_index) GETSTRUCT(tup))->indexrelid);
	systable_endscan(scan);
	table_close(pg_index, AccessShareLock);

	foreach(lc, indexes)
	{
		int64		index_size;

		if (!measure_files(lfirst_oid(lc), &index_size, NULL))
		{
			ok = false;
			break;
		}
		total += index_size;
	}
	list_free(indexes);

	if (ok)
		*size = total;
	return ok;
}

/* pg_table_size(): own forks, TOAST table and TOAST index. */
static bool
measure_table(Oid relid, int64 *size)
{
	Oid			toastrelid = InvalidOid;
	int64		own;
	int64		toast = 0;
	int64		toast_index = 0;

	if (!measure_files(relid, &own, &toastrelid))
		return false;
	if (OidIsValid(toastrelid) &&
		(!measure_files(toastrelid, &toast, NULL) ||
		 !measure_indexes(toastrelid, &toast_index)))
		return false;
	*size = own + toast + toast_index;
	return true;
}

/*
 * pghero_relation_size(regclass) returns bigint
 *		pg_table_size() that answers NULL instead of waiting for a lock.
 */
Datum
pghero_relation_size(PG_FUNCTION_ARGS)
{
	int64		size;

	if (!measure_table(PG_GETARG_OID(0), &size))
		PG_RETURN_NULL();
	PG_RETURN_INT64(size);
}

/*
 * pghero_relation_sizes(regclass, OUT table_bytes bigint,
 *						 OUT index_bytes bigint) returns record
 *		pg_table_size() and pg_indexes_size() in one pass, each NULL
 *		instead of waiting for a lock.
 */
Datum
pghero_relation_sizes(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};
	int64		table_size;
	int64		index_size;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (measure_table(relid, &table_size))
		values[0] = Int64GetDatum(table_size);
	else
		nulls[0] = true;
	if (measure_indexes(relid, &index_size))
		values[1] = Int64GetDatum(index_size);
	else
		nulls[1] = true;

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
