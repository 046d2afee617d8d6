/*-------------------------------------------------------------------------
 *
 * sequence.c
 *		Sequence values read without waiting and without piling up locks.
 *
 * pg_sequence_last_value() (behind the pg_sequences view) takes
 * RowExclusiveLock on each sequence and keeps it until the end of the
 * transaction: over thousands of sequences that fills the lock table, and
 * it waits behind any session holding a conflicting lock.  Here each
 * sequence is locked with AccessShareLock only if that needs no waiting,
 * its single tuple is read from its first page under a shared buffer lock,
 * as nextval() writes it, and the lock is released at once.  The page is
 * read from the file the sequence's pg_class row names, without building
 * a relcache entry (but for the session's own temporary sequences, which
 * live in its local buffers), as src/relsize.c measures relations.
 *
 * The caller's SELECT or USAGE privilege on the sequence is checked; the
 * extension calls this from a SECURITY DEFINER function so that readers see
 * every sequence's progress, never its other contents.
 *
 * IDENTIFICATION
 *	  src/sequence.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/sequence.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "compat.h"
#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_sequence_last_value);

/*
 * The sequence's page, read without a relcache entry: from the file its
 * pg_class row names (pghero_relation_file(), src/relsize.c).  Building a
 * relcache entry per sequence cost a new session about 30 microseconds per
 * sequence and left the entries in its cache; the buffer read is the same.
 * The caller holds a lock on the sequence, so that row is current.
 */
static Buffer
read_sequence_page(Oid relid, Form_pg_class classform)
{
	return PgheroReadBufferWithoutRelcache(pghero_relation_file(relid, classform),
										   MAIN_FORKNUM, 0,
										   classform->relpersistence ==
										   RELPERSISTENCE_PERMANENT);
}

/*
 * pghero_sequence_last_value(regclass) returns bigint
 *
 * The sequence's last_value: the value nextval() last returned or, when
 * nextval() was not called since the sequence was created or restarted,
 * the value it will return first (the start or restart value; there the
 * range is used up to it).  NULL when the sequence cannot be read without
 * waiting for a lock, when the caller may not read it, when it is another
 * session's temporary sequence or an unlogged sequence on a hot standby.
 */
Datum
pghero_sequence_last_value(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	HeapTuple	classtup;
	Form_pg_class classform;
	Relation	rel = NULL;
	Buffer		buf;
	Page		page;
	ItemId		lp;
	HeapTupleData tuple;
	Form_pg_sequence_data seq;
	int64		result;

	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(classtup))
		PG_RETURN_NULL();
	classform = (Form_pg_class) GETSTRUCT(classtup);
	if (classform->relkind != RELKIND_SEQUENCE ||
		(classform->relpersistence == RELPERSISTENCE_TEMP &&
		 !isTempOrTempToastNamespace(classform->relnamespace)) ||
		(classform->relpersistence == RELPERSISTENCE_UNLOGGED &&
		 RecoveryInProgress()))
	{
		ReleaseSysCache(classtup);
		PG_RETURN_NULL();
	}
	ReleaseSysCache(classtup);

	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT | ACL_USAGE) != ACLCHECK_OK)
		PG_RETURN_NULL();

	if (!ConditionalLockRelationOid(relid, AccessShareLock))
		PG_RETURN_NULL();

	/* under the lock, the current row (a concurrent DROP may have won) */
	classtup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(classtup))
	{
		UnlockRelationOid(relid, AccessShareLock);
		PG_RETURN_NULL();
	}
	classform = (Form_pg_class) GETSTRUCT(classtup);

	/* the session's own temporary sequence is in its local buffers */
	if (classform->relpersistence == RELPERSISTENCE_TEMP)
	{
		rel = relation_open(relid, NoLock);
		buf = ReadBuffer(rel, 0);
	}
	else
		buf = read_sequence_page(relid, classform);
	ReleaseSysCache(classtup);

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (PageGetMaxOffsetNumber(page) < FirstOffsetNumber)
		elog(ERROR, "sequence %u has no tuple", relid);
	lp = PageGetItemId(page, FirstOffsetNumber);
	tuple.t_data = (HeapTupleHeader) PageGetItem(page, lp);
	tuple.t_len = ItemIdGetLength(lp);
	seq = (Form_pg_sequence_data) GETSTRUCT(&tuple);
	result = seq->last_value;
	UnlockReleaseBuffer(buf);

	if (rel != NULL)
		relation_close(rel, NoLock);
	UnlockRelationOid(relid, AccessShareLock);

	PG_RETURN_INT64(result);
}
