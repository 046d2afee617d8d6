/*-------------------------------------------------------------------------
 *
 * capture.c
 *		The rows of a statements capture: deltas and bulk writes in C.
 *
 * pghero_internal._capture_statements() (sql/src/20_collector.sql) decides
 * what kind of capture this is (count everything after a reset or a crash,
 * write nothing on the first capture, lossy after evictions) and keeps the
 * notes, the texts and the captures' table; the rows themselves are
 * written here, in one pass, by pghero_capture_statement_rows():
 *
 * 1. the baseline (statement_baseline, UNLOGGED) is read once, by a
 *    sequential scan under the statement's snapshot, into a hash table on
 *    the identity (dbid, userid, queryid, toplevel), whose entries point
 *    at the rows on their pages: each page read stays pinned until the
 *    end, so that no pruning moves its rows (pruning needs the only pin),
 *    as a scan's current page does; past an eighth of shared_buffers
 *    pinned, the rows of the further pages are copied instead;
 * 2. pg_stat_statements(false) is read once through src/pgss.c (found by
 *    OID, mapped by name onto the counters the caller names, which come
 *    from _statement_counters(), the one list of counters); each row is
 *    compared with its baseline by the rule of _delta(): current minus
 *    baseline, or the whole current value when the identity is new, when
 *    its entry started again (stats_since moved, or a counter went
 *    backwards) or when the caller counts everything; no change is NULL;
 * 3. a row that moved (calls or plans changed, or new, or started again)
 *    is formed for the day's partition of statement_history and written
 *    with table_multi_insert() in batches (one WAL record per page rather
 *    than one per row), then its index entries (the partition's BRIN on
 *    captured_at) are inserted; the partition's CHECK constraint is not
 *    evaluated (captured_at is the capture's time, in the day of the
 *    partition the caller just made sure of);
 * 4. the baseline row of every identity read that moved or whose
 *    stats_since changed is updated in place of its old version
 *    (simple_heap_update(): HOT while the page has room; the table's
 *    fillfactor leaves it), a new identity's row is inserted, and the
 *    rows of identities pg_stat_statements no longer holds are deleted.
 *    The baseline is UNLOGGED: none of this writes WAL.
 *
 * The working memory (the rows pg_stat_statements returns, the hash on the
 * baseline's rows, copies of the rows of pages past the pinned ones, a
 * batch of history rows: about 1 kB per statement) is one context the
 * session keeps from one capture to the next (capture_memory(),
 * capture_memory_done()), emptied after each but for its first
 * block, which is as large as the previous capture needed: a capture
 * writes into memory the process already has rather than into fresh pages
 * from the kernel, whose page faults were a third of a capture's time.
 *
 * Everything happens in the caller's transaction, under its snapshot;
 * the caller holds the source's advisory lock (_run_source()), so no
 * other capture updates the baseline concurrently (one that did would
 * make simple_heap_update() fail, and this capture with it).
 *
 * IDENTIFICATION
 *	  src/capture.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/hio.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "funcapi.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pghero.h"

PG_FUNCTION_INFO_V1(pghero_capture_statement_rows);

/* history rows written per table_multi_insert() */
#define CAPTURE_BATCH 1000

/*
 * The session's capture memory and the size of its first block (0: none
 * yet), which MemoryContextReset() keeps; the largest first block.
 */
static MemoryContext capture_cxt = NULL;
static Size capture_keep = 0;
#define CAPTURE_KEEP_MAX ((Size) 512 * 1024 * 1024)
/* identities of the previous capture: the hash's initial size */
static long capture_last_entries = 1024;

/* the identity of a statement, a hash key (no padding left uninitialized) */
typedef struct CaptureKey
{
	int64		queryid;
	Oid			dbid;
	Oid			userid;
	bool		toplevel;
} CaptureKey;

/* a baseline row, by identity */
typedef struct CaptureEntry
{
	CaptureKey	key;
	HeapTupleData tuple;		/* the row read, on its pinned page (or a
								 * copy) */
	bool		seen;			/* in pg_stat_statements now */
} CaptureEntry;

/* the indexes of a relation this capture inserts entries into */
typedef struct CaptureIndexes
{
	int			n;
	Relation   *rels;
	IndexInfo **infos;
	TupleTableSlot *slot;		/* to form the index values */
} CaptureIndexes;

/* the state of one capture */
typedef struct Capture
{
	/* arguments */
	bool		count_all;
	bool		lossy;
	bool		write_rows;
	Datum		now_ts;
	Datum		since_ts;
	bool		since_null;
	int32		generation;

	/* the columns read from pg_stat_statements */
	TupleDesc	readdesc;
	int			ncounters;		/* read columns 5 .. 5 + ncounters - 1 */
	int			nextremes;		/* then the extremes */
	Oid		   *types;			/* of each counter */
	int			read_moves[2];	/* calls and plans */

	/* statement_history's partition */
	Relation	hist;
	TupleDesc	histdesc;
	int		   *hist_att;		/* of each read column (-1: none) */
	int			hist_captured_at;
	int			hist_since;
	int			hist_lossy;
	int			hist_generation;
	Datum	   *hvalues;
	bool	   *hnulls;
	TupleTableSlot **slots;
	int			nslots;
	BulkInsertState bistate;
	CaptureIndexes hist_indexes;

	/* statement_baseline */
	Relation	base;
	TupleDesc	basedesc;
	int		   *base_att;		/* of each read column (-1: none) */
	Datum	   *bvalues;
	bool	   *bnulls;
	bool	   *breplace;
	HTAB	   *entries;
	CaptureIndexes base_indexes;

	Datum		numeric_zero;
	MemoryContext row_cxt;

	/* results */
	int64		nentries;
	int64		nmoved;
	int64		nnew;
} Capture;

/* read columns before the counters */
#define READ_USERID 0
#define READ_DBID 1
#define READ_QUERYID 2
#define READ_TOPLEVEL 3
#define READ_STATS_SINCE 4
#define READ_FIRST_COUNTER 5

/* the attribute number (0-based) of a column by name, or -1 */
static int
find_column(TupleDesc desc, const char *name)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i;
	}
	return -1;
}

static int
require_column(Relation rel, const char *name, Oid type)
{
	int			i = find_column(RelationGetDescr(rel), name);

	if (i < 0 ||
		(type != InvalidOid &&
		 TupleDescAttr(RelationGetDescr(rel), i)->atttypid != type))
		elog(ERROR, "relation \"%s\" has no column \"%s\" of the expected type",
			 RelationGetRelationName(rel), name);
	return i;
}

/* the elements of a text[] argument, as C strings */
static int
text_array_elements(ArrayType *array, char ***names)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	*names = palloc(sizeof(char *) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			elog(ERROR, "a counter name is NULL");
		(*names)[i] = TextDatumGetCString(elems[i]);
	}
	return n;
}

static void
open_indexes(Relation rel, CaptureIndexes *ix)
{
	List	   *oids = RelationGetIndexList(rel);
	ListCell   *lc;
	int			i = 0;

	ix->n = list_length(oids);
	ix->rels = palloc(sizeof(Relation) * Max(ix->n, 1));
	ix->infos = palloc(sizeof(IndexInfo *) * Max(ix->n, 1));
	foreach(lc, oids)
	{
		Relation	idx = index_open(lfirst_oid(lc), RowExclusiveLock);
		IndexInfo  *ii = BuildIndexInfo(idx);

		if (ii->ii_Expressions != NIL || ii->ii_Predicate != NIL)
			elog(ERROR, "index \"%s\" has expressions or a predicate",
				 RelationGetRelationName(idx));
		ix->rels[i] = idx;
		ix->infos[i] = ii;
		i++;
	}
	list_free(oids);
	ix->slot = MakeSingleTupleTableSlot(RelationGetDescr(rel),
										&TTSOpsHeapTuple);
}

static void
close_indexes(CaptureIndexes *ix)
{
	for (int i = 0; i < ix->n; i++)
	{
		PgheroIndexInsertCleanup(ix->rels[i], ix->infos[i]);
		index_close(ix->rels[i], NoLock);
	}
	ExecDropSingleTupleTableSlot(ix->slot);
}

/* index entries for a heap tuple just written (which indexes: see compat.h) */
static void
insert_index_entries(Relation heap, CaptureIndexes *ix, HeapTuple tuple,
					 int which)
{
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];

	if (which == PGHERO_INDEXES_NONE || ix->n == 0)
		return;
	ExecStoreHeapTuple(tuple, ix->slot, false);
	for (int i = 0; i < ix->n; i++)
	{
		Relation	idx = ix->rels[i];
		IndexInfo  *ii = ix->infos[i];

		if (which == PGHERO_INDEXES_SUMMARIZING &&
			!PgheroIndexIsSummarizing(idx))
			continue;
		FormIndexDatum(ii, ix->slot, NULL, values, isnull);
		index_insert(idx, values, isnull, &tuple->t_self, heap,
					 ii->ii_Unique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 false, ii);
	}
	ExecClearTuple(ix->slot);
}

/* write the history rows formed so far */
static void
flush_history(Capture *c)
{
	if (c->nslots == 0)
		return;
	table_multi_insert(c->hist, c->slots, c->nslots,
					   GetCurrentCommandId(true), 0, c->bistate);
	for (int i = 0; i < c->nslots; i++)
	{
		bool		should_free;
		HeapTuple	tuple = ExecFetchSlotHeapTuple(c->slots[i], false,
												   &should_free);

		tuple->t_self = c->slots[i]->tts_tid;
		insert_index_entries(c->hist, &c->hist_indexes, tuple,
							 PGHERO_INDEXES_ALL);
		ExecClearTuple(c->slots[i]);	/* frees it: its chunk is reused */
	}
	c->nslots = 0;
}

/* a < b, for a counter of this type; false when either is NULL */
static bool
counter_less(Oid type, Datum a, Datum b)
{
	switch (type)
	{
		case INT8OID:
			return DatumGetInt64(a) < DatumGetInt64(b);
		case FLOAT8OID:
			return DatumGetFloat8(a) < DatumGetFloat8(b);
		case NUMERICOID:
			return DatumGetBool(DirectFunctionCall2(numeric_lt, a, b));
	}
	elog(ERROR, "unexpected type %u of a statement counter", type);
	return false;
}

/*
 * _delta(): cur minus base (or the whole of cur), NULL for no change.
 * Returns false for NULL.
 */
static bool
counter_delta(Capture *c, Oid type, Datum cur, Datum base, bool whole,
			  Datum *result)
{
	switch (type)
	{
		case INT8OID:
			{
				int64		v = DatumGetInt64(cur);

				if (!whole)
					v -= DatumGetInt64(base);
				if (v == 0)
					return false;
				*result = Int64GetDatum(v);
				return true;
			}
		case FLOAT8OID:
			{
				float8		v = DatumGetFloat8(cur);

				if (!whole)
					v -= DatumGetFloat8(base);
				if (v == 0)
					return false;
				*result = Float8GetDatum(v);
				return true;
			}
		case NUMERICOID:
			{
				Datum		v = cur;

				if (!whole)
					v = DirectFunctionCall2(numeric_sub, cur, base);
				if (DatumGetBool(DirectFunctionCall2(numeric_eq, v,
													 c->numeric_zero)))
					return false;
				*result = v;
				return true;
			}
	}
	elog(ERROR, "unexpected type %u of a statement counter", type);
	return false;
}

/* one row of pg_stat_statements */
static void
capture_row(Datum *values, bool *nulls, void *arg)
{
	Capture    *c = (Capture *) arg;
	CaptureKey	key;
	CaptureEntry *entry;
	bool		found;
	bool		is_new;
	bool		went_back = false;
	bool		moved;
	bool		in_d;
	bool		whole;
	MemoryContext oldcxt;
	Datum	   *bv = c->bvalues;
	bool	   *bn = c->bnulls;
	int			nread = READ_FIRST_COUNTER + c->ncounters + c->nextremes;

	if (nulls[READ_QUERYID])
		return;
	c->nentries++;

	memset(&key, 0, sizeof(key));
	key.queryid = DatumGetInt64(values[READ_QUERYID]);
	key.dbid = DatumGetObjectId(values[READ_DBID]);
	key.userid = DatumGetObjectId(values[READ_USERID]);
	key.toplevel = DatumGetBool(values[READ_TOPLEVEL]);
	entry = hash_search(c->entries, &key, HASH_FIND, &found);
	is_new = !found;

	oldcxt = MemoryContextSwitchTo(c->row_cxt);
	if (found)
	{
		int			ss_att = c->base_att[READ_STATS_SINCE];

		entry->seen = true;
		heap_deform_tuple(&entry->tuple, c->basedesc, bv, bn);

		/* went back: stats_since moved, or a counter is lower */
		if (!bn[ss_att] &&
			(nulls[READ_STATS_SINCE] ||
			 DatumGetTimestampTz(values[READ_STATS_SINCE]) !=
			 DatumGetTimestampTz(bv[ss_att])))
			went_back = true;
		for (int i = 0; !went_back && i < c->ncounters; i++)
		{
			int			r = READ_FIRST_COUNTER + i;
			int			b = c->base_att[r];

			if (!nulls[r] && !bn[b] &&
				counter_less(c->types[i], values[r], bv[b]))
				went_back = true;
		}

		/* moved: (calls, plans) distinct from the baseline's */
		moved = false;
		for (int k = 0; k < 2; k++)
		{
			int			r = c->read_moves[k];
			int			b = c->base_att[r];

			if (nulls[r] != bn[b] ||
				(!nulls[r] && DatumGetInt64(values[r]) != DatumGetInt64(bv[b])))
				moved = true;
		}

		in_d = c->count_all || moved ||
			nulls[READ_STATS_SINCE] != bn[ss_att] ||
			(!bn[ss_att] &&
			 DatumGetTimestampTz(values[READ_STATS_SINCE]) !=
			 DatumGetTimestampTz(bv[ss_att]));
	}
	else
	{
		moved = true;
		in_d = true;
		c->nnew++;
	}
	whole = c->count_all || is_new || went_back;

	/* the history row */
	if (c->write_rows && (c->count_all || is_new || went_back || moved))
	{
		HeapTuple	tuple;
		Datum	   *hv = c->hvalues;
		bool	   *hn = c->hnulls;

		for (int i = 0; i < c->histdesc->natts; i++)
			hn[i] = true;
		hv[c->hist_captured_at] = c->now_ts;
		hn[c->hist_captured_at] = false;
		hv[c->hist_since] = c->since_ts;
		hn[c->hist_since] = c->since_null;
		hv[c->hist_generation] = Int32GetDatum(c->generation);
		hn[c->hist_generation] = false;
		if (c->lossy || went_back)
		{
			hv[c->hist_lossy] = BoolGetDatum(true);
			hn[c->hist_lossy] = false;
		}
		for (int r = 0; r < READ_STATS_SINCE; r++)
		{
			hv[c->hist_att[r]] = values[r];
			hn[c->hist_att[r]] = nulls[r];
		}
		for (int i = 0; i < c->ncounters; i++)
		{
			int			r = READ_FIRST_COUNTER + i;
			int			h = c->hist_att[r];
			Datum		base = (Datum) 0;
			bool		base_null = true;

			if (found)
			{
				base = bv[c->base_att[r]];
				base_null = bn[c->base_att[r]];
			}
			if (nulls[r] || (!whole && base_null))
				continue;
			hn[h] = !counter_delta(c, c->types[i], values[r], base, whole,
								   &hv[h]);
		}
		for (int r = READ_FIRST_COUNTER + c->ncounters; r < nread; r++)
		{
			hv[c->hist_att[r]] = values[r];
			hn[c->hist_att[r]] = nulls[r];
		}
		MemoryContextSwitchTo(capture_cxt);
		tuple = heap_form_tuple(c->histdesc, hv, hn);
		/* the slot's own (not copied again by table_multi_insert()) */
		ExecStoreHeapTuple(tuple, c->slots[c->nslots++], true);
		MemoryContextSwitchTo(c->row_cxt);
		c->nmoved++;
		if (c->nslots == CAPTURE_BATCH)
			flush_history(c);
	}

	/* the baseline row */
	if (in_d)
	{
		HeapTuple	tuple;
		int			which;

		if (is_new)
		{
			for (int i = 0; i < c->basedesc->natts; i++)
				bn[i] = true;
		}
		for (int r = 0; r < READ_FIRST_COUNTER + c->ncounters; r++)
		{
			bv[c->base_att[r]] = values[r];
			bn[c->base_att[r]] = nulls[r];
		}
		tuple = heap_form_tuple(c->basedesc, bv, bn);
		if (is_new)
		{
			simple_heap_insert(c->base, tuple);
			which = PGHERO_INDEXES_ALL;
		}
		else
			which = pghero_simple_heap_update(c->base, &entry->tuple.t_self,
											  tuple);
		insert_index_entries(c->base, &c->base_indexes, tuple, which);
	}

	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(c->row_cxt);
}

/*
 * The session's capture memory, empty: made on the first capture (its first
 * block as large as capture_memory_done() last asked for), emptied if a capture
 * that failed left something in it.
 */
static void
capture_memory(void)
{
	if (capture_cxt != NULL)
		MemoryContextReset(capture_cxt);
	else
		capture_cxt = AllocSetContextCreate(TopMemoryContext,
											"pghero capture",
											capture_keep,
											ALLOCSET_DEFAULT_INITSIZE,
											Max(capture_keep,
												ALLOCSET_DEFAULT_MAXSIZE));
}

/*
 * After a capture: empty its memory, keeping the first block; when the
 * capture needed more than that block (by a quarter, blocks of large
 * chunks aside), the next capture's first block is what this one used.
 */
static void
capture_memory_done(void)
{
	Size		used = MemoryContextMemAllocated(capture_cxt, true);

	if (used > capture_keep + capture_keep / 4 + ALLOCSET_DEFAULT_MAXSIZE / 8)
	{
		MemoryContextDelete(capture_cxt);
		capture_cxt = NULL;
		capture_keep = Min(TYPEALIGN(ALLOCSET_DEFAULT_MAXSIZE / 8,
									 used + used / 4),
						   CAPTURE_KEEP_MAX);
	}
	else
		MemoryContextReset(capture_cxt);
}

/* dynahash's allocations for the baseline's hash, in the capture memory */
static void *
capture_hash_alloc(Size size)
{
	return MemoryContextAlloc(capture_cxt, size);
}

/*
 * pghero_capture_statement_rows(part regclass, counters text[],
 *		extremes text[], count_all boolean, captured_at timestamptz,
 *		since timestamptz, lossy boolean, write_rows boolean,
 *		generation integer,
 *		OUT entries bigint, OUT moved bigint, OUT new_ids bigint)
 *
 * Steps 1 to 4 of the file header.  entries: the identities read; moved:
 * the history rows written; new_ids: identities not in the baseline.
 */
Datum
pghero_capture_statement_rows(PG_FUNCTION_ARGS)
{
	Oid			partoid = PG_GETARG_OID(0);
	char	  **counters;
	char	  **extremes;
	Capture		cap;
	Capture    *c = &cap;
	HASHCTL		hctl;
	TableScanDesc scan;
	HeapTuple	tup;
	HASH_SEQ_STATUS hs;
	CaptureEntry *entry;
	ExprContext *econtext;
	TupleDesc	outdesc;
	Datum		result[3];
	bool		result_nulls[3] = {false, false, false};
	int			nread;
	int			key_att[4];
	MemoryContext oldcxt;
	HeapScanDesc hscan;
	Buffer		last = InvalidBuffer;
	Buffer	   *pinned;
	int			npinned = 0;
	int			maxpinned;
	bool		copy = false;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) ||
		PG_ARGISNULL(3) || PG_ARGISNULL(4) || PG_ARGISNULL(6) ||
		PG_ARGISNULL(7) || PG_ARGISNULL(8))
		elog(ERROR, "pghero_capture_statement_rows: NULL argument");
	memset(c, 0, sizeof(*c));
	c->ncounters = text_array_elements(PG_GETARG_ARRAYTYPE_P(1), &counters);
	c->nextremes = text_array_elements(PG_GETARG_ARRAYTYPE_P(2), &extremes);
	c->count_all = PG_GETARG_BOOL(3);
	c->now_ts = PG_GETARG_DATUM(4);
	c->since_null = PG_ARGISNULL(5);
	c->since_ts = c->since_null ? (Datum) 0 : PG_GETARG_DATUM(5);
	c->lossy = PG_GETARG_BOOL(6);
	c->write_rows = PG_GETARG_BOOL(7);
	c->generation = PG_GETARG_INT32(8);
	c->numeric_zero = NumericGetDatum(int64_to_numeric(0));

	c->hist = table_open(partoid, RowExclusiveLock);
	if (c->hist->rd_rel->relkind != RELKIND_RELATION)
		elog(ERROR, "\"%s\" is not a partition with storage",
			 RelationGetRelationName(c->hist));
	c->base = table_open(get_relname_relid("statement_baseline",
										   get_namespace_oid("pghero_internal",
															 false)),
						 RowExclusiveLock);
	c->histdesc = RelationGetDescr(c->hist);
	c->basedesc = RelationGetDescr(c->base);

	/* what is read: the keys, stats_since, the counters, the extremes */
	nread = READ_FIRST_COUNTER + c->ncounters + c->nextremes;
	c->readdesc = CreateTemplateTupleDesc(nread);
	TupleDescInitEntry(c->readdesc, READ_USERID + 1, "userid", OIDOID, -1, 0);
	TupleDescInitEntry(c->readdesc, READ_DBID + 1, "dbid", OIDOID, -1, 0);
	TupleDescInitEntry(c->readdesc, READ_QUERYID + 1, "queryid", INT8OID, -1, 0);
	TupleDescInitEntry(c->readdesc, READ_TOPLEVEL + 1, "toplevel", BOOLOID, -1, 0);
	TupleDescInitEntry(c->readdesc, READ_STATS_SINCE + 1, "stats_since",
					   TIMESTAMPTZOID, -1, 0);
	c->types = palloc(sizeof(Oid) * Max(c->ncounters, 1));
	c->hist_att = palloc(sizeof(int) * nread);
	c->base_att = palloc(sizeof(int) * nread);
	for (int r = 0; r < nread; r++)
	{
		const char *name;
		int			h;

		if (r < READ_FIRST_COUNTER)
			name = NameStr(TupleDescAttr(c->readdesc, r)->attname);
		else if (r < READ_FIRST_COUNTER + c->ncounters)
			name = counters[r - READ_FIRST_COUNTER];
		else
			name = extremes[r - READ_FIRST_COUNTER - c->ncounters];
		h = r == READ_STATS_SINCE ? -1 :
			require_column(c->hist, name, InvalidOid);
		c->hist_att[r] = h;
		c->base_att[r] = r < READ_FIRST_COUNTER + c->ncounters ?
			require_column(c->base, name, InvalidOid) : -1;
		if (r >= READ_FIRST_COUNTER)
		{
			Oid			type = TupleDescAttr(c->histdesc, h)->atttypid;

			TupleDescInitEntry(c->readdesc, r + 1, name, type, -1, 0);
			if (r < READ_FIRST_COUNTER + c->ncounters)
			{
				if (type != INT8OID && type != FLOAT8OID && type != NUMERICOID)
					elog(ERROR, "counter \"%s\" is not bigint, float8 or numeric",
						 name);
				if (TupleDescAttr(c->basedesc, c->base_att[r])->atttypid != type)
					elog(ERROR, "counter \"%s\" has another type in the baseline",
						 name);
				c->types[r - READ_FIRST_COUNTER] = type;
			}
		}
	}
	c->read_moves[0] = c->read_moves[1] = -1;
	for (int r = READ_FIRST_COUNTER; r < READ_FIRST_COUNTER + c->ncounters; r++)
	{
		const char *name = NameStr(TupleDescAttr(c->readdesc, r)->attname);

		if (strcmp(name, "calls") == 0)
			c->read_moves[0] = r;
		else if (strcmp(name, "plans") == 0)
			c->read_moves[1] = r;
	}
	if (c->read_moves[0] < 0 || c->read_moves[1] < 0 ||
		c->types[c->read_moves[0] - READ_FIRST_COUNTER] != INT8OID ||
		c->types[c->read_moves[1] - READ_FIRST_COUNTER] != INT8OID)
		elog(ERROR, "the statement counters lack calls or plans");
	c->hist_captured_at = require_column(c->hist, "captured_at", TIMESTAMPTZOID);
	c->hist_since = require_column(c->hist, "since", TIMESTAMPTZOID);
	c->hist_lossy = require_column(c->hist, "lossy", BOOLOID);
	c->hist_generation = require_column(c->hist, "generation", INT4OID);
	key_att[0] = c->base_att[READ_USERID];
	key_att[1] = c->base_att[READ_DBID];
	key_att[2] = c->base_att[READ_QUERYID];
	key_att[3] = c->base_att[READ_TOPLEVEL];

	c->hvalues = palloc(sizeof(Datum) * c->histdesc->natts);
	c->hnulls = palloc(sizeof(bool) * c->histdesc->natts);
	c->bvalues = palloc(sizeof(Datum) * c->basedesc->natts);
	c->bnulls = palloc(sizeof(bool) * c->basedesc->natts);
	c->slots = palloc(sizeof(TupleTableSlot *) * CAPTURE_BATCH);
	for (int i = 0; i < CAPTURE_BATCH; i++)
		c->slots[i] = MakeSingleTupleTableSlot(c->histdesc, &TTSOpsHeapTuple);
	/*
	 * The bulk insert state keeps the target page pinned from one batch to
	 * the next, but without its ring of 16 MB: once a few captures have gone
	 * round it, each would write out the pages of an earlier one itself.
	 * Left in shared buffers, the newest history (what readers read first)
	 * is written by the checkpointer, as other writers' pages are.
	 */
	c->bistate = GetBulkInsertState();
	FreeAccessStrategy(c->bistate->strategy);
	c->bistate->strategy = NULL;
	capture_memory();
	c->row_cxt = AllocSetContextCreate(capture_cxt,
									   "pghero capture row",
									   ALLOCSET_DEFAULT_SIZES);
	open_indexes(c->hist, &c->hist_indexes);
	open_indexes(c->base, &c->base_indexes);

	/* 1. the baseline, by identity */
	memset(&hctl, 0, sizeof(hctl));
	hctl.keysize = sizeof(CaptureKey);
	hctl.entrysize = sizeof(CaptureEntry);
	hctl.hcxt = capture_cxt;
	hctl.alloc = capture_hash_alloc;
	c->entries = hash_create("pghero capture baseline",
							 Max(capture_last_entries, 1024), &hctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT |
							 HASH_ALLOC);
	oldcxt = MemoryContextSwitchTo(capture_cxt);
	maxpinned = NBuffers / 8;
	pinned = palloc(sizeof(Buffer) * Max(maxpinned, 1));
	scan = table_beginscan(c->base, GetActiveSnapshot(), 0, NULL);
	hscan = (HeapScanDesc) scan;
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		CaptureKey	key;
		bool		isnull[4];
		Datum		v[4];
		bool		found;

		for (int k = 0; k < 4; k++)
			v[k] = heap_getattr(tup, key_att[k] + 1, c->basedesc, &isnull[k]);
		if (isnull[0] || isnull[1] || isnull[2] || isnull[3])
			continue;
		memset(&key, 0, sizeof(key));
		key.userid = DatumGetObjectId(v[0]);
		key.dbid = DatumGetObjectId(v[1]);
		key.queryid = DatumGetInt64(v[2]);
		key.toplevel = DatumGetBool(v[3]);
		entry = hash_search(c->entries, &key, HASH_ENTER, &found);
		if (!copy && hscan->rs_cbuf != last)
		{
			if (npinned < maxpinned)
			{
				IncrBufferRefCount(hscan->rs_cbuf);
				pinned[npinned++] = last = hscan->rs_cbuf;
			}
			else
				copy = true;
		}
		if (copy)
			entry->tuple = *heap_copytuple(tup);	/* in capture_cxt */
		else
			entry->tuple = *tup;
		entry->seen = false;
	}
	table_endscan(scan);

	/* 2 to 4, row by row (pg_stat_statements' rows in capture_cxt too) */
	econtext = CreateStandaloneExprContext();
	MemoryContextSwitchTo(oldcxt);
	pghero_pgss_read(false, c->readdesc, econtext, capture_row, c);
	FreeExprContext(econtext, true);
	flush_history(c);

	/* identities gone from pg_stat_statements (evicted, reset) */
	hash_seq_init(&hs, c->entries);
	while ((entry = hash_seq_search(&hs)) != NULL)
		if (!entry->seen)
			simple_heap_delete(c->base, &entry->tuple.t_self);

	for (int i = 0; i < npinned; i++)
		ReleaseBuffer(pinned[i]);
	capture_last_entries = c->nentries;
	capture_memory_done();

	FreeBulkInsertState(c->bistate);
	for (int i = 0; i < CAPTURE_BATCH; i++)
		ExecDropSingleTupleTableSlot(c->slots[i]);
	close_indexes(&c->hist_indexes);
	close_indexes(&c->base_indexes);
	table_close(c->hist, NoLock);
	table_close(c->base, NoLock);

	if (get_call_result_type(fcinfo, NULL, &outdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	outdesc = BlessTupleDesc(outdesc);
	result[0] = Int64GetDatum(c->nentries);
	result[1] = Int64GetDatum(c->nmoved);
	result[2] = Int64GetDatum(c->nnew);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(outdesc, result,
													  result_nulls)));
}
