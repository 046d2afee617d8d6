/*-------------------------------------------------------------------------
 *
 * relnamespace.c
 *		The schema of a relation, looked up without a lock or a subquery.
 *
 * Every findings view leaves pghero's own relations out
 * (pghero_internal._is_own(), in sql/src/10_common.sql).  Asked of the
 * catalog in SQL that test is a subquery on pg_class, and a SQL function
 * whose body holds a subquery is never inlined: over a catalog of tens of
 * thousands of relations its call per row cost more than the rest of the
 * views that made it.  Here the relation's pg_class row is read from the
 * syscache, which takes no lock on the relation and builds no relcache
 * entry; _is_own() compares the answer with pghero's two schemas in an
 * expression the planner inlines.
 *
 * IDENTIFICATION
 *	  src/relnamespace.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "utils/syscache.h"

#include "compat.h"
#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_relation_namespace);

/*
 * pghero_relation_namespace(oid) returns oid
 *
 * The pg_class.relnamespace of a relation; NULL when no relation has that
 * OID (dropped meanwhile).
 */
Datum
pghero_relation_namespace(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	HeapTuple	tuple;
	Oid			nspid;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		PG_RETURN_NULL();
	nspid = ((Form_pg_class) GETSTRUCT(tuple))->relnamespace;
	ReleaseSysCache(tuple);

	PG_RETURN_OID(nspid);
}
