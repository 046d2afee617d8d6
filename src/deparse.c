/*-------------------------------------------------------------------------
 *
 * deparse.c
 *		Index and constraint definitions that never wait for a lock.
 *
 * pg_get_indexdef() and pg_get_constraintdef() briefly lock the table they
 * describe, so a dashboard calling them queues behind any session holding
 * ACCESS EXCLUSIVE on one of its tables (PgHero issue #444).  The wrappers
 * here first take AccessShareLock on the table (and on the index or the
 * referenced table) with ConditionalLockRelationOid(); when another session
 * holds a conflicting lock they answer NULL at once.  Otherwise they call
 * the server's own deparser, which then finds the lock already held, and
 * release the locks before returning, so no lock piles up over a view of
 * thousands of indexes.
 *
 * IDENTIFICATION
 *	  src/deparse.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "compat.h"
#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_index_definition);
PG_FUNCTION_INFO_V1(pghero_index_description);
PG_FUNCTION_INFO_V1(pghero_constraint_definition);

/*
 * Lock up to two relations in AccessShareLock without waiting.  Returns
 * false, holding nothing, if either is locked by another session.
 */
static bool
lock_pair_nowait(Oid rel1, Oid rel2)
{
	if (OidIsValid(rel1) && !ConditionalLockRelationOid(rel1, AccessShareLock))
		return false;
	if (OidIsValid(rel2) && rel2 != rel1 &&
		!ConditionalLockRelationOid(rel2, AccessShareLock))
	{
		if (OidIsValid(rel1))
			UnlockRelationOid(rel1, AccessShareLock);
		return false;
	}
	return true;
}

static void
unlock_pair(Oid rel1, Oid rel2)
{
	if (OidIsValid(rel2) && rel2 != rel1)
		UnlockRelationOid(rel2, AccessShareLock);
	if (OidIsValid(rel1))
		UnlockRelationOid(rel1, AccessShareLock);
}

/*
 * Lock an index and its table; returns the number of key columns and of
 * all columns through the pointers, or false if the index is gone or
 * locked.
 */
static bool
lock_index_nowait(Oid indexrelid, Oid *indrelid, int *nkeys, int *natts)
{
	HeapTuple	tup;
	Form_pg_index index;

	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexrelid));
	if (!HeapTupleIsValid(tup))
		return false;
	index = (Form_pg_index) GETSTRUCT(tup);
	*indrelid = index->indrelid;
	*nkeys = index->indnkeyatts;
	*natts = index->indnatts;
	ReleaseSysCache(tup);

	if (!lock_pair_nowait(*indrelid, indexrelid))
		return false;

	/* dropped while we were not looking */
	if (!SearchSysCacheExists1(INDEXRELID, ObjectIdGetDatum(indexrelid)))
	{
		unlock_pair(*indrelid, indexrelid);
		return false;
	}
	return true;
}

/*
 * pghero_index_definition(regclass) returns text
 *		pg_get_indexdef(index), or NULL instead of waiting for a lock.
 */
Datum
pghero_index_definition(PG_FUNCTION_ARGS)
{
	Oid			indexrelid = PG_GETARG_OID(0);
	Oid			indrelid;
	int			nkeys;
	int			natts;
	Datum		result;

	if (!lock_index_nowait(indexrelid, &indrelid, &nkeys, &natts))
		PG_RETURN_NULL();
	result = DirectFunctionCall1(pg_get_indexdef, ObjectIdGetDatum(indexrelid));
	unlock_pair(indrelid, indexrelid);
	PG_RETURN_DATUM(result);
}

/*
 * Columns first..last of an index as pg_get_indexdef(index, n, true) shows
 * them, as text[]: a plain column is its quoted name (no need to run the
 * deparser for it), an expression is deparsed.
 */
static Datum
index_columns(Oid indexrelid, Oid indrelid, int2vector *indkey,
			  int first, int last)
{
	int			n = Max(last - first + 1, 0);
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
	{
		AttrNumber	attnum = indkey->values[first + i - 1];

		if (attnum != 0)
			elems[i] = CStringGetTextDatum(quote_identifier(get_attname(indrelid,
																		attnum,
																		false)));
		else
			elems[i] = DirectFunctionCall3(pg_get_indexdef_ext,
										   ObjectIdGetDatum(indexrelid),
										   Int32GetDatum(first + i),
										   BoolGetDatum(true));
	}
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * pghero_index_description(regclass, OUT definition text,
 *		OUT columns text[], OUT include_columns text[], OUT predicate text)
 *		returns record
 *
 * Everything the indexes view deparses about an index, under one lock of
 * the index and its table taken without waiting: pg_get_indexdef(), its
 * key and INCLUDE columns as pg_get_indexdef(index, n, true) shows them,
 * and the predicate of a partial index.  All NULL when the table is locked.
 */
Datum
pghero_index_description(PG_FUNCTION_ARGS)
{
	Oid			indexrelid = PG_GETARG_OID(0);
	TupleDesc	tupdesc;
	Datum		values[4];
	bool		nulls[4] = {true, true, true, true};
	Oid			indrelid;
	int			nkeys;
	int			natts;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (lock_index_nowait(indexrelid, &indrelid, &nkeys, &natts))
	{
		HeapTuple	tup;
		Datum		pred;
		bool		pred_isnull;

		values[0] = DirectFunctionCall1(pg_get_indexdef,
										ObjectIdGetDatum(indexrelid));
		nulls[0] = false;

		tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexrelid));
		if (HeapTupleIsValid(tup))
		{
			int2vector *indkey = &((Form_pg_index) GETSTRUCT(tup))->indkey;

			values[1] = index_columns(indexrelid, indrelid, indkey, 1, nkeys);
			values[2] = index_columns(indexrelid, indrelid, indkey,
									  nkeys + 1, natts);
			nulls[1] = nulls[2] = false;
			pred = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indpred,
								   &pred_isnull);
			if (!pred_isnull)
			{
				values[3] = DirectFunctionCall3(pg_get_expr_ext, pred,
												ObjectIdGetDatum(indrelid),
												BoolGetDatum(true));
				nulls[3] = false;
			}
			ReleaseSysCache(tup);
		}
		unlock_pair(indrelid, indexrelid);
	}

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * pghero_constraint_definition(oid) returns text
 *		pg_get_constraintdef(constraint, true), or NULL instead of waiting
 *		for a lock on its table or the table it references.
 */
Datum
pghero_constraint_definition(PG_FUNCTION_ARGS)
{
	Oid			conoid = PG_GETARG_OID(0);
	HeapTuple	tup;
	Form_pg_constraint con;
	Oid			conrelid;
	Oid			confrelid;
	Datum		result;

	tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
	if (!HeapTupleIsValid(tup))
		PG_RETURN_NULL();
	con = (Form_pg_constraint) GETSTRUCT(tup);
	conrelid = con->conrelid;
	confrelid = con->confrelid;
	ReleaseSysCache(tup);

	if (!lock_pair_nowait(conrelid, confrelid))
		PG_RETURN_NULL();
	if (!SearchSysCacheExists1(CONSTROID, ObjectIdGetDatum(conoid)))
	{
		unlock_pair(conrelid, confrelid);
		PG_RETURN_NULL();
	}
	result = DirectFunctionCall2(pg_get_constraintdef_ext,
								 ObjectIdGetDatum(conoid), BoolGetDatum(true));
	unlock_pair(conrelid, confrelid);
	PG_RETURN_DATUM(result);
}
