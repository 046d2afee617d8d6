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
 * as nextval() writes it, and the lock is released at once.
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
#include "catalog/pg_sequence.h"
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
 * pghero_sequence_last_value(regclass) returns bigint
 *
 * The value nextval() last returned, or the start value if it was never
 * called.  NULL when the sequence cannot be read without waiting for a
 * lock, when the caller may not read it, when it is another session's
 * temporary sequence or an unlogged sequence on a hot standby.
 */
Datum
pghero_sequence_last_value(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	HeapTuple	classtup;
	Form_pg_class classform;
	HeapTuple	seqtup;
	int64		start_value;
	Relation	rel;
	Buffer		buf;
	Page		page;
	ItemId		lp;
	HeapTupleData tuple;
	Form_pg_sequence_data seq;
	int64		result;
	bool		is_called;

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

	seqtup = SearchSysCache1(SEQRELID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(seqtup))
	{
		UnlockRelationOid(relid, AccessShareLock);
		PG_RETURN_NULL();
	}
	start_value = ((Form_pg_sequence) GETSTRUCT(seqtup))->seqstart;
	ReleaseSysCache(seqtup);

	rel = relation_open(relid, NoLock);

	buf = ReadBuffer(rel, 0);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	if (PageGetMaxOffsetNumber(page) < FirstOffsetNumber)
		elog(ERROR, "sequence \"%s\" has no tuple",
			 RelationGetRelationName(rel));
	lp = PageGetItemId(page, FirstOffsetNumber);
	tuple.t_data = (HeapTupleHeader) PageGetItem(page, lp);
	tuple.t_len = ItemIdGetLength(lp);
	seq = (Form_pg_sequence_data) GETSTRUCT(&tuple);
	result = seq->last_value;
	is_called = seq->is_called;
	UnlockReleaseBuffer(buf);

	relation_close(rel, AccessShareLock);

	PG_RETURN_INT64(is_called ? result : start_value);
}
