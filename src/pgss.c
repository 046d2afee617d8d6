/*-------------------------------------------------------------------------
 *
 * pgss.c
 *		Calls into pg_stat_statements that no other role can redirect.
 *
 * A call built as SQL text, "schema.pg_stat_statements(true)", goes
 * through name resolution: any role that may create objects in that schema
 * can add an overload with extra defaulted arguments and make the call
 * ambiguous, or a better match that runs in its place.  Here each function
 * of pg_stat_statements is found by OID: the extension's row in
 * pg_extension gives its schema; the function of that exact name and
 * exact argument types in that schema is looked up in pg_proc; it must be
 * a member of the extension (pg_depend, deptype 'e').  It is then called
 * through fmgr, after the EXECUTE privilege check and the object access
 * hook the executor would apply.  Nothing is cached and nothing is locked:
 * every call looks the functions up again in the catalogs, so an ALTER
 * EXTENSION UPDATE or a DROP EXTENSION takes effect at the next call (one
 * that commits between the look-up and the call makes that call fail).
 *
 * pg_stat_statements(showtext) is called in materialize mode with a
 * ReturnSetInfo of our own that shares the caller's ExprContext; it builds
 * its result descriptor from its own pg_proc entry, whose columns differ by
 * extension version (1.4 to 1.12).  Its columns are mapped by name, once
 * per call, onto the columns of our own result, which the SQL declaration
 * of _pgss_statements() fixes: a column the installed version lacks is
 * NULL, a column renamed since is read under its old name (pgss_renames),
 * and a column we do not declare is ignored.  A column of another type
 * than declared is an error.  The rows are copied into the caller's
 * tuplestore.  The same read, pghero_pgss_read(), hands each mapped row to
 * a callback instead (the statements capture, src/capture.c, reads
 * pg_stat_statements that way without a copy of its own).
 * pg_stat_statements_info() (1.9 and later) is mapped the
 * same way; pg_stat_statements_reset() is the 4-argument one of 1.11 and
 * later, called with minmax_only false, or else the 3-argument one of 1.7
 * to 1.10.
 *
 * The error "must be loaded via shared_preload_libraries" that
 * pg_stat_statements raises when its library was not preloaded is caught
 * and raised again with a hint; every other error passes through.
 *
 * IDENTIFICATION
 *	  src/pgss.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_pgss_statements);
PG_FUNCTION_INFO_V1(pghero_pgss_info);
PG_FUNCTION_INFO_V1(pghero_pgss_reset);

/* The installed pg_stat_statements extension of this database. */
typedef struct PgheroPgssExtension
{
	Oid			extoid;
	Oid			nspoid;
	char	   *version;
} PgheroPgssExtension;

/*
 * Columns renamed by pg_stat_statements: the newest name, which pghero
 * uses, and the name older versions give it.
 */
static const struct
{
	const char *name;
	const char *old_name;
}			pgss_renames[] =
{
	/* 1.11 (PostgreSQL 17) */
	{"shared_blk_read_time", "blk_read_time"},
	{"shared_blk_write_time", "blk_write_time"},
	/* 1.8 (PostgreSQL 13): total_time was execution time only */
	{"total_exec_time", "total_time"},
	{"min_exec_time", "min_time"},
	{"max_exec_time", "max_time"},
	{"mean_exec_time", "mean_time"},
	{"stddev_exec_time", "stddev_time"},
};

/*
 * Find pg_stat_statements in pg_extension, or say plainly that it is not
 * installed in this database.
 */
static void
find_pgss_extension(PgheroPgssExtension *ext)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("pg_stat_statements"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	found = HeapTupleIsValid(tup);
	if (found)
	{
		Form_pg_extension form = (Form_pg_extension) GETSTRUCT(tup);
		Datum		version;
		bool		isnull;

		ext->extoid = form->oid;
		ext->nspoid = form->extnamespace;
		version = heap_getattr(tup, Anum_pg_extension_extversion,
							   RelationGetDescr(rel), &isnull);
		ext->version = isnull ? pstrdup("?") : TextDatumGetCString(version);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pg_stat_statements is not installed in database \"%s\"",
						get_database_name(MyDatabaseId)),
				 errdetail("Query statistics come from the pg_stat_statements extension."),
				 errhint("Add pg_stat_statements to shared_preload_libraries, restart the server, then run CREATE EXTENSION pg_stat_statements in this database.")));
}

/*
 * The OID of the function of pg_stat_statements with exactly this name and
 * these argument types, in the extension's schema and a member of the
 * extension; InvalidOid if there is none.
 */
static Oid
find_pgss_function(const PgheroPgssExtension *ext, const char *name,
				   int nargs, const Oid *argtypes)
{
	Oid			funcoid;

	funcoid = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
							  CStringGetDatum(name),
							  PointerGetDatum(buildoidvector(argtypes, nargs)),
							  ObjectIdGetDatum(ext->nspoid));
	if (OidIsValid(funcoid) &&
		getExtensionOfObject(ProcedureRelationId, funcoid) != ext->extoid)
		funcoid = InvalidOid;
	return funcoid;
}

/* The installed version lacks a function pghero calls. */
static void
report_missing_function(const PgheroPgssExtension *ext, const char *signature)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("pg_stat_statements %s has no function %s",
					ext->version, signature),
			 errdetail("pghero needs pg_stat_statements 1.9 or later."),
			 errhint("Run ALTER EXTENSION pg_stat_statements UPDATE in this database.")));
}

/*
 * Check that the current user may execute the function, as the executor
 * would, and set up its FmgrInfo.
 */
static void
prepare_pgss_call(Oid funcoid, FmgrInfo *flinfo)
{
	if (!DatumGetBool(DirectFunctionCall2(has_function_privilege_id,
										  ObjectIdGetDatum(funcoid),
										  CStringGetTextDatum("EXECUTE"))))
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION,
					   get_func_name(funcoid));
	InvokeFunctionExecuteHook(funcoid);
	fmgr_info(funcoid, flinfo);
}

/*
 * Call a function of pg_stat_statements, turning its "not loaded" error
 * into one that says what to do.
 */
static Datum
call_pgss(FunctionCallInfo fcinfo)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	Datum		result = (Datum) 0;

	PG_TRY();
	{
		result = FunctionCallInvoke(fcinfo);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcontext);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pg_stat_statements is installed but not loaded through shared_preload_libraries"),
				 errdetail("%s", edata->message),
				 errhint("Add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart the server.")));
	}
	PG_END_TRY();

	return result;
}

/*
 * For each column of outdesc, the position of the column of srcdesc that
 * holds it (by name, or by its old name), or -1.  A column found with
 * another type is an error.
 */
static int *
map_pgss_columns(const PgheroPgssExtension *ext, TupleDesc outdesc,
				 TupleDesc srcdesc)
{
	int		   *map = palloc(sizeof(int) * outdesc->natts);

	for (int i = 0; i < outdesc->natts; i++)
	{
		Form_pg_attribute outatt = TupleDescAttr(outdesc, i);
		const char *name = NameStr(outatt->attname);
		const char *old_name = NULL;
		Form_pg_attribute srcatt = NULL;

		for (size_t r = 0; r < lengthof(pgss_renames); r++)
			if (strcmp(pgss_renames[r].name, name) == 0)
				old_name = pgss_renames[r].old_name;

		map[i] = -1;
		for (int j = 0; j < srcdesc->natts; j++)
		{
			Form_pg_attribute att = TupleDescAttr(srcdesc, j);

			if (att->attisdropped)
				continue;
			if (strcmp(NameStr(att->attname), name) == 0 ||
				(map[i] < 0 && old_name != NULL &&
				 strcmp(NameStr(att->attname), old_name) == 0))
				map[i] = j;
		}
		if (map[i] < 0)
			continue;

		srcatt = TupleDescAttr(srcdesc, map[i]);
		if (srcatt->atttypid != outatt->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of pg_stat_statements %s has type %s, not %s",
							NameStr(srcatt->attname), ext->version,
							format_type_be(srcatt->atttypid),
							format_type_be(outatt->atttypid)),
					 errdetail("pghero does not know this version of pg_stat_statements.")));
	}
	return map;
}

/*
 * Read pg_stat_statements(showtext) once, mapped onto the columns of
 * outdesc (by name, see map_pgss_columns), texts redacted: fn is called
 * with each row's values and nulls, which are valid only during the call.
 * pg_stat_statements builds its result in econtext's per-query memory.
 */
void
pghero_pgss_read(bool showtext, TupleDesc outdesc, ExprContext *econtext,
				 PgheroPgssRowFunc fn, void *arg)
{
	PgheroPgssExtension ext;
	Oid			argtypes[1] = {BOOLOID};
	Oid			funcoid;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(pgss_fcinfo, 1);
	ReturnSetInfo pgss_rsinfo;
	int		   *map;
	int			query_att;
	Datum	   *values;
	bool	   *nulls;

	find_pgss_extension(&ext);
	funcoid = find_pgss_function(&ext, "pg_stat_statements", 1, argtypes);
	if (!OidIsValid(funcoid))
		report_missing_function(&ext, "pg_stat_statements(boolean)");
	prepare_pgss_call(funcoid, &flinfo);

	/* pg_stat_statements fills its own tuplestore, in materialize mode */
	MemSet(&pgss_rsinfo, 0, sizeof(pgss_rsinfo));
	pgss_rsinfo.type = T_ReturnSetInfo;
	pgss_rsinfo.econtext = econtext;
	pgss_rsinfo.allowedModes = SFRM_Materialize;
	pgss_rsinfo.returnMode = SFRM_ValuePerCall;
	InitFunctionCallInfoData(*pgss_fcinfo, &flinfo, 1, InvalidOid, NULL,
							 (Node *) &pgss_rsinfo);
	pgss_fcinfo->args[0].value = BoolGetDatum(showtext);
	pgss_fcinfo->args[0].isnull = false;
	(void) call_pgss(pgss_fcinfo);
	if (pgss_rsinfo.returnMode != SFRM_Materialize ||
		pgss_rsinfo.setDesc == NULL)
		elog(ERROR, "pg_stat_statements did not return a materialized set");

	map = map_pgss_columns(&ext, outdesc, pgss_rsinfo.setDesc);
	values = palloc(sizeof(Datum) * outdesc->natts);
	nulls = palloc(sizeof(bool) * outdesc->natts);

	/* the text, whose passwords nobody sees (src/redact.c) */
	query_att = -1;
	for (int i = 0; i < outdesc->natts; i++)
		if (strcmp(NameStr(TupleDescAttr(outdesc, i)->attname), "query") == 0)
			query_att = i;

	if (pgss_rsinfo.setResult != NULL)
	{
		TupleTableSlot *slot;

		slot = MakeSingleTupleTableSlot(pgss_rsinfo.setDesc,
										&TTSOpsMinimalTuple);
		while (tuplestore_gettupleslot(pgss_rsinfo.setResult, true, false,
									   slot))
		{
			slot_getallattrs(slot);
			for (int i = 0; i < outdesc->natts; i++)
			{
				if (map[i] < 0)
				{
					values[i] = (Datum) 0;
					nulls[i] = true;
				}
				else
				{
					values[i] = slot->tts_values[map[i]];
					nulls[i] = slot->tts_isnull[map[i]];
				}
			}
			if (query_att >= 0 && !nulls[query_att])
				values[query_att] = DirectFunctionCall1(pghero_redact_query,
														values[query_att]);
			fn(values, nulls, arg);
		}
		ExecDropSingleTupleTableSlot(slot);
		tuplestore_end(pgss_rsinfo.setResult);
	}
	pfree(values);
	pfree(nulls);
	pfree(map);
}

/* our result of pghero_pgss_statements(): where its rows go */
typedef struct PgheroPgssStore
{
	Tuplestorestate *store;
	TupleDesc	desc;
} PgheroPgssStore;

static void
put_pgss_row(Datum *values, bool *nulls, void *arg)
{
	PgheroPgssStore *out = (PgheroPgssStore *) arg;

	tuplestore_putvalues(out->store, out->desc, values, nulls);
}

/*
 * pghero_pgss_statements(showtext boolean) returns setof record
 *
 * pg_stat_statements(showtext) with the columns of pghero's declaration.
 */
Datum
pghero_pgss_statements(PG_FUNCTION_ARGS)
{
	bool		showtext = PG_GETARG_BOOL(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PgheroPgssStore out;
	bool		random_access;
	MemoryContext per_query_ctx;
	MemoryContext oldcontext;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));

	/* our result, in the query's memory */
	per_query_ctx = rsinfo->econtext->ecxt_per_query_memory;
	oldcontext = MemoryContextSwitchTo(per_query_ctx);
	if (get_call_result_type(fcinfo, NULL, &out.desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	random_access = (rsinfo->allowedModes & SFRM_Materialize_Random) != 0;
	out.store = tuplestore_begin_heap(random_access, false, work_mem);
	MemoryContextSwitchTo(oldcontext);

	pghero_pgss_read(showtext, out.desc, rsinfo->econtext, put_pgss_row,
					 &out);

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = out.store;
	rsinfo->setDesc = out.desc;

	return (Datum) 0;
}

/*
 * pghero_pgss_info() returns record (dealloc bigint, stats_reset timestamptz)
 *
 * pg_stat_statements_info(), pg_stat_statements 1.9 and later.
 */
Datum
pghero_pgss_info(PG_FUNCTION_ARGS)
{
	PgheroPgssExtension ext;
	Oid			funcoid;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(pgss_fcinfo, 0);
	Datum		result;
	HeapTupleHeader th;
	HeapTupleData tuple;
	TupleDesc	srcdesc;
	TupleDesc	outdesc;
	Datum	   *srcvalues;
	bool	   *srcnulls;
	Datum	   *values;
	bool	   *nulls;
	int		   *map;

	find_pgss_extension(&ext);
	funcoid = find_pgss_function(&ext, "pg_stat_statements_info", 0, NULL);
	if (!OidIsValid(funcoid))
		report_missing_function(&ext, "pg_stat_statements_info()");
	prepare_pgss_call(funcoid, &flinfo);

	InitFunctionCallInfoData(*pgss_fcinfo, &flinfo, 0, InvalidOid, NULL,
							 NULL);
	result = call_pgss(pgss_fcinfo);
	if (pgss_fcinfo->isnull)
		elog(ERROR, "pg_stat_statements_info() returned NULL");

	th = DatumGetHeapTupleHeader(result);
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	srcdesc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th),
									 HeapTupleHeaderGetTypMod(th));
	srcvalues = palloc(sizeof(Datum) * srcdesc->natts);
	srcnulls = palloc(sizeof(bool) * srcdesc->natts);
	heap_deform_tuple(&tuple, srcdesc, srcvalues, srcnulls);

	if (get_call_result_type(fcinfo, NULL, &outdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	outdesc = BlessTupleDesc(outdesc);
	map = map_pgss_columns(&ext, outdesc, srcdesc);
	values = palloc(sizeof(Datum) * outdesc->natts);
	nulls = palloc(sizeof(bool) * outdesc->natts);
	for (int i = 0; i < outdesc->natts; i++)
	{
		values[i] = map[i] < 0 ? (Datum) 0 : srcvalues[map[i]];
		nulls[i] = map[i] < 0 ? true : srcnulls[map[i]];
	}
	ReleaseTupleDesc(srcdesc);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(outdesc, values,
													  nulls)));
}

/*
 * pghero_pgss_reset(userid oid, dbid oid, queryid bigint) returns void
 *
 * pg_stat_statements_reset(userid, dbid, queryid), with minmax_only false
 * where it takes that argument (1.11 and later).
 */
Datum
pghero_pgss_reset(PG_FUNCTION_ARGS)
{
	PgheroPgssExtension ext;
	Oid			argtypes[4] = {OIDOID, OIDOID, INT8OID, BOOLOID};
	Oid			funcoid;
	int			nargs = 4;
	FmgrInfo	flinfo;
	LOCAL_FCINFO(pgss_fcinfo, 4);

	find_pgss_extension(&ext);
	funcoid = find_pgss_function(&ext, "pg_stat_statements_reset", 4,
								 argtypes);
	if (!OidIsValid(funcoid))
	{
		nargs = 3;
		funcoid = find_pgss_function(&ext, "pg_stat_statements_reset", 3,
									 argtypes);
	}
	if (!OidIsValid(funcoid))
		report_missing_function(&ext,
								"pg_stat_statements_reset(oid, oid, bigint)");
	prepare_pgss_call(funcoid, &flinfo);

	InitFunctionCallInfoData(*pgss_fcinfo, &flinfo, nargs, InvalidOid, NULL,
							 NULL);
	for (int i = 0; i < 3; i++)
	{
		pgss_fcinfo->args[i].value = PG_GETARG_DATUM(i);
		pgss_fcinfo->args[i].isnull = false;
	}
	pgss_fcinfo->args[3].value = BoolGetDatum(false);
	pgss_fcinfo->args[3].isnull = false;
	(void) call_pgss(pgss_fcinfo);

	PG_RETURN_VOID();
}
