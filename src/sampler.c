/*-------------------------------------------------------------------------
 *
 * sampler.c
 *		Activity sampling: wait events and sessions, without hooks.
 *
 * The collector (src/collector.c) calls pghero_activity_sample() every
 * pghero.activity_sample_interval, outside any transaction.  A sample reads
 * the backend status array (the local snapshot pg_stat_activity reads,
 * taken afresh each time), each backend's wait event from its PGPROC, and,
 * for a backend waiting on a heavyweight lock, the backends blocking it
 * (pg_blocking_pids()).  Backends that are idle, the collector itself, and
 * processes without a session state (checkpointer, walwriter, ...) are not
 * counted.  No executor hook is installed: a backend never does anything
 * for the sampler.
 *
 * Samples are aggregated in shared memory, never stored one by one:
 *   - a hash table (pghero.activity_max_entries entries) counts samples per
 *     (epoch, database, user, application_name, state, wait event,
 *     queryid); an epoch is the time between two flushes, and the ring of
 *     epochs (PGHERO_MAX_EPOCHS) keeps each one's start, end and number of
 *     samples taken ("ticks"), so that samples / ticks is the average
 *     number of sessions in that state over the epoch;
 *   - a table of tracked sessions (pghero.activity_max_sessions slots)
 *     holds each long-running (active for pghero.long_running_query_sec or
 *     more) or blocked session once, identified by (pid, backend_start,
 *     query_start), with the longest duration observed, the backends that
 *     blocked it and the text of its statement.
 * Both are sized at server start from those settings and are protected by
 * one LWLock of their own (tranche "pghero_activity"), held only while
 * samples are counted or copied out, never during I/O.
 *
 * The flush is the "activity" capture source, pghero_internal.
 * _capture_activity(), a run function in C called through the collector's
 * registry like the SQL ones.  It closes the open epoch, copies out every
 * closed epoch's counts and every changed session, and writes them with
 * two INSERT statements (SPI, typed array parameters) into
 * pghero_internal.activity_buckets / activity_history and session_log.
 * What it wrote leaves shared memory only when its transaction commits (a
 * transaction callback); if the source fails or its subtransaction is
 * rolled back, the epochs stay and the next flush writes them, each with
 * its own bucket.  Nothing is counted twice and, unless the server stops,
 * nothing is lost: the first epoch after shared memory was created is
 * marked lossy (the samples since the last flush before a restart or crash
 * are gone), and samples that found the hash table full are counted
 * (dropped) and reported.
 *
 * Without the library in shared_preload_libraries there is no shared
 * memory and no sampler: _capture_activity() writes nothing and says so,
 * and the readers show no rows.
 *
 * IDENTIFICATION
 *	  src/sampler.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "compat.h"
#include "pghero.h"

/* epochs kept while flushes fail; past it the open epoch grows */
#define PGHERO_MAX_EPOCHS	64

/* a word another process writes, read once (as pg_stat_activity does) */
#define PGHERO_READ_ONCE(var) ((uint32) (*((volatile uint32 *) &(var))))

/* blockers recorded per session */
#define PGHERO_MAX_BLOCKERS	8

/* what samples are counted by */
typedef struct PgheroActivityKey
{
	uint64		epoch;
	uint64		queryid;
	Oid			dbid;
	Oid			userid;
	uint32		wait_event_info;
	int32		state;			/* BackendState */
	char		appname[NAMEDATALEN];
} PgheroActivityKey;

typedef struct PgheroActivityEntry
{
	PgheroActivityKey key;
	int64		samples;
} PgheroActivityEntry;

/* the time between two flushes */
typedef struct PgheroEpoch
{
	uint64		epoch;
	TimestampTz start;			/* the previous flush, or shared memory's
								 * creation */
	TimestampTz end;			/* when it was closed; 0 while open */
	int64		ticks;			/* samples taken */
	int64		dropped;		/* backend samples not counted: table full */
	bool		lossy;			/* the first since shared memory was made:
								 * lossy if an earlier bucket was written */
} PgheroEpoch;

/* a long-running or blocked session, tracked once */
typedef struct PgheroSession
{
	bool		in_use;
	bool		seen;			/* in the latest sample */
	bool		long_running;	/* ever seen running that long */
	bool		blocked;		/* ever seen blocked */
	int			pid;
	TimestampTz backend_start;
	TimestampTz query_start;
	TimestampTz first_seen;
	TimestampTz last_seen;
	Oid			dbid;
	Oid			userid;
	int32		state;
	uint32		wait_event_info;
	int64		longest_us;		/* longest duration observed */
	uint64		queryid;
	int			nblockers;
	int			blockers[PGHERO_MAX_BLOCKERS];
	uint64		version;		/* moves at every change */
	uint64		flushed_version;	/* the version last written */
	char		appname[NAMEDATALEN];
} PgheroSession;

typedef struct PgheroActivityShared
{
	LWLock	   *lock;
	uint64		next_epoch;
	int			nepochs;		/* oldest first; the last one is open */
	PgheroEpoch epochs[PGHERO_MAX_EPOCHS];
	int			max_sessions;
	int			query_len;		/* bytes per session text */
	int64		sessions_dropped;	/* sessions not tracked: table full */
	PgheroSession sessions[FLEXIBLE_ARRAY_MEMBER];
	/* then max_sessions texts of query_len bytes */
} PgheroActivityShared;

static PgheroActivityShared *activity = NULL;
static HTAB *activity_hash = NULL;

/* settings fixed at server start (src/pghero.c) */
int			pghero_activity_max_entries = 5000;
int			pghero_activity_max_sessions = 200;
int			pghero_activity_sample_interval = 1000;

/* a flush of this backend's transaction, applied when it commits */
typedef struct PgheroPendingSession
{
	int			slot;
	int			pid;
	TimestampTz backend_start;
	TimestampTz query_start;
	uint64		version;
} PgheroPendingSession;

static bool pending = false;
static uint64 pending_epoch = 0;	/* epochs up to this one were written */
static SubTransactionId pending_subid = InvalidSubTransactionId;
static int	pending_nsessions = 0;
static PgheroPendingSession *pending_sessions = NULL;	/* TopMemoryContext */
static bool callbacks_registered = false;

/* the sampler's scratch memory, reset after every sample */
static MemoryContext sample_context = NULL;

PG_FUNCTION_INFO_V1(pghero_capture_activity);
PG_FUNCTION_INFO_V1(pghero_activity_sample_now);

static char *
session_query(int slot)
{
	char	   *texts = (char *) &activity->sessions[activity->max_sessions];

	return texts + (Size) slot * activity->query_len;
}

static Size
activity_struct_size(void)
{
	return add_size(add_size(offsetof(PgheroActivityShared, sessions),
							 mul_size(pghero_activity_max_sessions,
									  sizeof(PgheroSession))),
					mul_size(pghero_activity_max_sessions,
							 pgstat_track_activity_query_size));
}

/*
 * pghero_activity_shmem_size
 *		Shared memory of the sampler, from the settings.
 */
Size
pghero_activity_shmem_size(void)
{
	return add_size(MAXALIGN(activity_struct_size()),
					hash_estimate_size(pghero_activity_max_entries,
									   sizeof(PgheroActivityEntry)));
}

/*
 * pghero_activity_shmem_request
 *		Ask for the sampler's lock (while preloading).
 */
void
pghero_activity_shmem_request(void)
{
	RequestNamedLWLockTranche("pghero_activity", 1);
}

/*
 * pghero_activity_shmem_init
 *		Create or attach to the sampler's shared memory (shmem_startup_hook).
 */
void
pghero_activity_shmem_init(void)
{
	bool		found;
	HASHCTL		info;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	activity = ShmemInitStruct("pghero activity", activity_struct_size(),
							   &found);
	if (!found)
	{
		memset(activity, 0, activity_struct_size());
		activity->lock = &(GetNamedLWLockTranche("pghero_activity"))->lock;
		activity->max_sessions = pghero_activity_max_sessions;
		activity->query_len = pgstat_track_activity_query_size;
		activity->next_epoch = 2;
		activity->nepochs = 1;
		activity->epochs[0].epoch = 1;
		activity->epochs[0].start = GetCurrentTimestamp();
		activity->epochs[0].lossy = true;
	}

	memset(&info, 0, sizeof(info));
	info.keysize = sizeof(PgheroActivityKey);
	info.entrysize = sizeof(PgheroActivityEntry);
	activity_hash = ShmemInitHash("pghero activity samples",
								  pghero_activity_max_entries,
								  pghero_activity_max_entries,
								  &info, HASH_ELEM | HASH_BLOBS | HASH_FIXED_SIZE);
	LWLockRelease(AddinShmemInitLock);
}

/* the text pg_stat_activity.state shows for a backend state */
static const char *
state_name(int32 state)
{
	switch ((BackendState) state)
	{
		case STATE_RUNNING:
			return "active";
		case STATE_IDLEINTRANSACTION:
			return "idle in transaction";
		case STATE_IDLEINTRANSACTION_ABORTED:
			return "idle in transaction (aborted)";
		case STATE_FASTPATH:
			return "fastpath function call";
		case STATE_DISABLED:
			return "disabled";
		case STATE_IDLE:
			return "idle";
		default:
			return NULL;
	}
}

/* a backend as one sample saw it */
typedef struct PgheroSeen
{
	int			pid;
	int32		state;
	Oid			dbid;
	Oid			userid;
	uint32		wait_event_info;
	uint64		queryid;
	TimestampTz backend_start;
	TimestampTz query_start;
	bool		running_long;	/* active for long_running_query_sec */
	bool		track;			/* long-running or blocked */
	int			nblockers;
	int			blockers[PGHERO_MAX_BLOCKERS];
	const char *appname;
	const char *query;
} PgheroSeen;

/* the slot of a tracked session, or a free one (-1: none) */
static int
find_session(const PgheroSeen *s, bool *is_new)
{
	int			free_slot = -1;

	for (int i = 0; i < activity->max_sessions; i++)
	{
		PgheroSession *t = &activity->sessions[i];

		if (!t->in_use)
		{
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (t->pid == s->pid && t->backend_start == s->backend_start &&
			t->query_start == s->query_start)
		{
			*is_new = false;
			return i;
		}
	}
	*is_new = true;
	return free_slot;
}

static void
track_session(const PgheroSeen *s, TimestampTz now)
{
	bool		is_new;
	int			slot = find_session(s, &is_new);
	PgheroSession *t;
	int64		duration = now - s->query_start;

	if (slot < 0)
	{
		activity->sessions_dropped++;
		return;
	}
	t = &activity->sessions[slot];
	if (is_new)
	{
		memset(t, 0, sizeof(*t));
		t->in_use = true;
		t->pid = s->pid;
		t->backend_start = s->backend_start;
		t->query_start = s->query_start;
		t->first_seen = now;
		t->dbid = s->dbid;
		t->userid = s->userid;
		t->queryid = s->queryid;
		strlcpy(t->appname, s->appname ? s->appname : "", NAMEDATALEN);
		strlcpy(session_query(slot), s->query ? s->query : "",
				activity->query_len);
		t->version = 1;
	}
	t->seen = true;
	t->last_seen = now;
	t->state = s->state;
	t->wait_event_info = s->wait_event_info;
	if (duration > t->longest_us)
		t->longest_us = duration;
	t->long_running |= s->running_long;
	if (s->nblockers > 0)
	{
		t->blocked = true;
		for (int b = 0; b < s->nblockers; b++)
		{
			int			k;

			for (k = 0; k < t->nblockers; k++)
				if (t->blockers[k] == s->blockers[b])
					break;
			if (k == t->nblockers && t->nblockers < PGHERO_MAX_BLOCKERS)
				t->blockers[t->nblockers++] = s->blockers[b];
		}
	}
	t->version++;
}

/*
 * pghero_activity_sample
 *		Take one sample of every backend into shared memory.  Runs outside
 *		a transaction; does nothing without shared memory.
 */
void
pghero_activity_sample(void)
{
	MemoryContext oldcontext;
	TimestampTz now;
	int			nbackends;
	PgheroSeen *seen;
	int			nseen = 0;
	PgheroEpoch *epoch;

	if (activity == NULL || activity_hash == NULL)
		return;
	if (sample_context == NULL)
		sample_context = AllocSetContextCreate(TopMemoryContext,
											   "pghero activity sample",
											   ALLOCSET_SMALL_SIZES);
	oldcontext = MemoryContextSwitchTo(sample_context);

	/* a fresh snapshot of the backend status array */
	pgstat_clear_backend_activity_snapshot();
	nbackends = pgstat_fetch_stat_numbackends();
	now = GetCurrentTimestamp();
	seen = palloc0(sizeof(PgheroSeen) * Max(nbackends, 1));

	for (int i = 1; i <= nbackends; i++)
	{
		LocalPgBackendStatus *local = PgheroLocalBackendStatus(i);
		PgBackendStatus *be;
		PGPROC	   *proc;
		PgheroSeen *s;

		if (local == NULL)
			continue;
		be = &local->backendStatus;
		if (be->st_procpid <= 0 || be->st_procpid == MyProcPid)
			continue;
		if (state_name(be->st_state) == NULL || be->st_state == STATE_IDLE)
			continue;

		s = &seen[nseen++];
		s->pid = be->st_procpid;
		s->state = be->st_state;
		s->dbid = be->st_databaseid;
		s->userid = be->st_userid;
		s->queryid = be->st_query_id;
		s->backend_start = be->st_proc_start_timestamp;
		s->query_start = be->st_activity_start_timestamp;
		s->appname = be->st_appname;
		proc = BackendPidGetProc(s->pid);
		s->wait_event_info = proc ? PGHERO_READ_ONCE(proc->wait_event_info) : 0;

		if ((s->wait_event_info & 0xFF000000) == PG_WAIT_LOCK)
		{
			ArrayType  *arr;
			Datum	   *elems;
			int			nelems;

			arr = DatumGetArrayTypeP(DirectFunctionCall1(pg_blocking_pids,
														 Int32GetDatum(s->pid)));
			deconstruct_array(arr, INT4OID, sizeof(int32), true, TYPALIGN_INT,
							  &elems, NULL, &nelems);
			for (int b = 0; b < nelems && s->nblockers < PGHERO_MAX_BLOCKERS; b++)
				s->blockers[s->nblockers++] = DatumGetInt32(elems[b]);
		}
		s->running_long = (s->state == STATE_RUNNING &&
						   now - s->query_start >=
						   (int64) pghero_long_running_query_sec * USECS_PER_SEC);
		s->track = s->nblockers > 0 || s->running_long;
		if (s->track)
			s->query = pgstat_clip_activity(be->st_activity_raw);
	}

	LWLockAcquire(activity->lock, LW_EXCLUSIVE);
	epoch = &activity->epochs[activity->nepochs - 1];
	epoch->ticks++;
	for (int i = 0; i < nseen; i++)
	{
		PgheroActivityKey key;
		PgheroActivityEntry *entry;
		bool		found;

		memset(&key, 0, sizeof(key));
		key.epoch = epoch->epoch;
		key.queryid = seen[i].queryid;
		key.dbid = seen[i].dbid;
		key.userid = seen[i].userid;
		key.wait_event_info = seen[i].wait_event_info;
		key.state = seen[i].state;
		if (seen[i].appname)
			strlcpy(key.appname, seen[i].appname, NAMEDATALEN);
		entry = hash_search(activity_hash, &key, HASH_ENTER_NULL, &found);
		if (entry == NULL)
		{
			epoch->dropped++;
			continue;
		}
		if (!found)
			entry->samples = 0;
		entry->samples++;
	}

	/* sessions: those seen now, then free the ones gone and written */
	for (int i = 0; i < activity->max_sessions; i++)
		activity->sessions[i].seen = false;
	for (int i = 0; i < nseen; i++)
		if (seen[i].track)
			track_session(&seen[i], now);
	for (int i = 0; i < activity->max_sessions; i++)
	{
		PgheroSession *t = &activity->sessions[i];

		if (t->in_use && !t->seen && t->flushed_version == t->version)
			t->in_use = false;
	}
	LWLockRelease(activity->lock);

	pgstat_clear_backend_activity_snapshot();
	MemoryContextSwitchTo(oldcontext);
	MemoryContextReset(sample_context);
}

/* the transaction that flushed committed: forget what it wrote */
static void
apply_flush(void)
{
	HASH_SEQ_STATUS seq;
	PgheroActivityEntry *entry;
	int			keep = 0;

	LWLockAcquire(activity->lock, LW_EXCLUSIVE);
	hash_seq_init(&seq, activity_hash);
	while ((entry = hash_seq_search(&seq)) != NULL)
		if (entry->key.epoch <= pending_epoch)
			(void) hash_search(activity_hash, &entry->key, HASH_REMOVE, NULL);
	for (int i = 0; i < activity->nepochs; i++)
		if (activity->epochs[i].epoch > pending_epoch)
			activity->epochs[keep++] = activity->epochs[i];
	activity->nepochs = keep;
	for (int i = 0; i < pending_nsessions; i++)
	{
		PgheroPendingSession *p = &pending_sessions[i];
		PgheroSession *t = &activity->sessions[p->slot];

		if (t->in_use && t->pid == p->pid &&
			t->backend_start == p->backend_start &&
			t->query_start == p->query_start &&
			t->flushed_version < p->version)
			t->flushed_version = p->version;
	}
	LWLockRelease(activity->lock);
}

static void
activity_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	if (!pending)
		return;
	switch (event)
	{
		case XACT_EVENT_PRE_PREPARE:
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot prepare a transaction that captured pghero activity samples")));
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			apply_flush();
			pending = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			pending = false;
			break;
		default:
			break;
	}
}

static void
activity_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid,
						  void *arg pg_attribute_unused())
{
	if (!pending || mySubid != pending_subid)
		return;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
		pending_subid = parentSubid;
	else if (event == SUBXACT_EVENT_ABORT_SUB)
		pending = false;
}

/* an array parameter of SPI from Datums */
static Datum
make_array(Datum *elems, bool *nulls, int n, Oid type)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, type,
											  typlen, typbyval, typalign));
}

/*
 * Run an INSERT whose $1..$ncols are arrays of nrows elements, column c of
 * type elemtypes[c] with values v[c] and nulls n[c]; returns the rows it
 * inserted.
 */
static uint64
insert_columns(const char *sql, const char *table, int ncols,
			   const Oid *elemtypes, Datum **v, bool **n, int nrows)
{
	Oid		   *argtypes = palloc(sizeof(Oid) * ncols);
	Datum	   *args = palloc(sizeof(Datum) * ncols);
	int			ret;

	for (int c = 0; c < ncols; c++)
	{
		argtypes[c] = get_array_type(elemtypes[c]);
		args[c] = make_array(v[c], n[c], nrows, elemtypes[c]);
	}
	ret = SPI_execute_with_args(sql, ncols, argtypes, args, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not write pghero_internal.%s: %s",
			 table, SPI_result_code_string(ret));
	return SPI_processed;
}

/* the columns of nrows rows to come, every value not null */
static void
alloc_columns(int ncols, Datum **v, bool **n, int nrows)
{
	for (int c = 0; c < ncols; c++)
	{
		v[c] = palloc(sizeof(Datum) * nrows);
		n[c] = palloc0(sizeof(bool) * nrows);
	}
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* the wait event type and name of w as text (NULL, NULL: not waiting) */
static void
wait_event_columns(uint32 w, Datum *type, bool *type_null,
				   Datum *event, bool *event_null)
{
	*type = text_or_null(w ? pgstat_get_wait_event_type(w) : NULL, type_null);
	*event = text_or_null(w ? pgstat_get_wait_event(w) : NULL, event_null);
}

static const char *const insert_buckets_sql =
"INSERT INTO pghero_internal.activity_buckets"
" (captured_at, since, ticks, dropped, lossy, generation)"
" SELECT u.captured_at, u.since, u.ticks, u.dropped,"
" u.lossy AND EXISTS (SELECT FROM pghero_internal.activity_buckets p"
" WHERE p.generation OPERATOR(pg_catalog.=) pghero_internal._generation()),"
" pghero_internal._generation()"
" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.timestamptz[]),"
" pg_catalog.unnest($2::pg_catalog.timestamptz[]), pg_catalog.unnest($3::pg_catalog.int8[]),"
" pg_catalog.unnest($4::pg_catalog.int8[]), pg_catalog.unnest($5::pg_catalog.bool[]))"
" u(captured_at, since, ticks, dropped, lossy)";

static const char *const insert_history_sql =
"INSERT INTO pghero_internal.activity_history"
" (captured_at, since, dbid, datname, userid, username, application_name,"
" state, wait_event_type, wait_event, queryid, samples, generation)"
" SELECT u.captured_at, u.since, u.dbid, d.datname, u.userid, r.rolname,"
" u.application_name, u.state, u.wait_event_type, u.wait_event, u.queryid,"
" u.samples, pghero_internal._generation()"
" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.timestamptz[]),"
" pg_catalog.unnest($2::pg_catalog.timestamptz[]), pg_catalog.unnest($3::pg_catalog.oid[]),"
" pg_catalog.unnest($4::pg_catalog.oid[]), pg_catalog.unnest($5::pg_catalog.text[]),"
" pg_catalog.unnest($6::pg_catalog.text[]), pg_catalog.unnest($7::pg_catalog.text[]),"
" pg_catalog.unnest($8::pg_catalog.text[]), pg_catalog.unnest($9::pg_catalog.int8[]),"
" pg_catalog.unnest($10::pg_catalog.int8[]))"
" u(captured_at, since, dbid, userid, application_name, state,"
" wait_event_type, wait_event, queryid, samples)"
" LEFT JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) u.dbid"
" LEFT JOIN pg_catalog.pg_authid r ON r.oid OPERATOR(pg_catalog.=) u.userid";

/*
 * A session seen again updates its row: the longest duration, whether it
 * ran long or was blocked, its blockers (added to, never replaced), when
 * it was last seen and its last state and wait.
 */
static const char *const upsert_sessions_sql =
"INSERT INTO pghero_internal.session_log AS l"
" (pid, backend_start, query_start, dbid, datname, userid, username,"
" application_name, queryid, query, first_seen, last_seen, longest_duration,"
" long_running, blocked, blocked_by, state, wait_event_type, wait_event,"
" generation)"
" SELECT u.pid, u.backend_start, u.query_start, u.dbid, d.datname, u.userid,"
" r.rolname, u.application_name, u.queryid, pghero_internal._redact_query(u.query),"
" u.first_seen, u.last_seen, u.longest_duration, u.long_running, u.blocked,"
" (SELECT pg_catalog.array_agg(b.b::pg_catalog.int4 ORDER BY b.b)"
"  FROM pg_catalog.regexp_split_to_table(NULLIF(u.blocked_by, ''), ',') b(b)),"
" u.state, u.wait_event_type, u.wait_event, pghero_internal._generation()"
" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int4[]),"
" pg_catalog.unnest($2::pg_catalog.timestamptz[]), pg_catalog.unnest($3::pg_catalog.timestamptz[]),"
" pg_catalog.unnest($4::pg_catalog.oid[]), pg_catalog.unnest($5::pg_catalog.oid[]),"
" pg_catalog.unnest($6::pg_catalog.text[]), pg_catalog.unnest($7::pg_catalog.int8[]),"
" pg_catalog.unnest($8::pg_catalog.text[]), pg_catalog.unnest($9::pg_catalog.timestamptz[]),"
" pg_catalog.unnest($10::pg_catalog.timestamptz[]), pg_catalog.unnest($11::pg_catalog.interval[]),"
" pg_catalog.unnest($12::pg_catalog.bool[]), pg_catalog.unnest($13::pg_catalog.bool[]),"
" pg_catalog.unnest($14::pg_catalog.text[]), pg_catalog.unnest($15::pg_catalog.text[]),"
" pg_catalog.unnest($16::pg_catalog.text[]), pg_catalog.unnest($17::pg_catalog.text[]))"
" u(pid, backend_start, query_start, dbid, userid, application_name, queryid,"
" query, first_seen, last_seen, longest_duration, long_running, blocked,"
" blocked_by, state, wait_event_type, wait_event)"
" LEFT JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) u.dbid"
" LEFT JOIN pg_catalog.pg_authid r ON r.oid OPERATOR(pg_catalog.=) u.userid"
" ON CONFLICT (pid, backend_start, query_start) DO UPDATE SET"
" last_seen = GREATEST(l.last_seen, excluded.last_seen),"
" longest_duration = GREATEST(l.longest_duration, excluded.longest_duration),"
" long_running = l.long_running OR excluded.long_running,"
" blocked = l.blocked OR excluded.blocked,"
" blocked_by = (SELECT pg_catalog.array_agg(DISTINCT b.b ORDER BY b.b)"
"  FROM pg_catalog.unnest(pg_catalog.array_cat(l.blocked_by, excluded.blocked_by)) b(b)),"
" state = excluded.state, wait_event_type = excluded.wait_event_type,"
" wait_event = excluded.wait_event";

static const char *const ensure_partition_sql =
"SELECT pghero_internal._ensure_partition('activity_history', $1)";

/*
 * pghero_capture_activity
 *		The "activity" capture source: write every closed epoch and every
 *		changed session (see the file header).
 */
Datum
pghero_capture_activity(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		result[2];
	bool		result_null[2] = {false, false};
	TimestampTz now = GetCurrentTimestamp();
	PgheroEpoch *epochs;
	int			nepochs = 0;
	PgheroActivityEntry *entries;
	long		nentries = 0;
	PgheroSession *sessions;
	char	  **queries;
	int			nsessions = 0;
	int64		dropped = 0;
	int64		sessions_dropped;
	uint64		upto = 0;
	int64		written = 0;
	HASH_SEQ_STATUS seq;
	PgheroActivityEntry *entry;
	StringInfoData note;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);

	if (activity == NULL || activity_hash == NULL)
	{
		result[0] = Int64GetDatum(0);
		result[1] = CStringGetTextDatum("pghero is not loaded via \"shared_preload_libraries\": no activity is sampled");
		PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, result,
														  result_null)));
	}
	if (pending)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pghero activity samples were already captured in this transaction"),
				 errhint("Capture the activity source once per transaction.")));

	/* close the open epoch and copy out the closed ones */
	LWLockAcquire(activity->lock, LW_EXCLUSIVE);
	{
		PgheroEpoch *open = &activity->epochs[activity->nepochs - 1];

		if (open->ticks > 0 && activity->nepochs < PGHERO_MAX_EPOCHS)
		{
			PgheroEpoch *next = &activity->epochs[activity->nepochs++];

			open->end = now;
			memset(next, 0, sizeof(*next));
			next->epoch = activity->next_epoch++;
			next->start = now;
		}
	}
	epochs = palloc(sizeof(PgheroEpoch) * activity->nepochs);
	for (int i = 0; i < activity->nepochs - 1; i++)
	{
		epochs[nepochs++] = activity->epochs[i];
		upto = activity->epochs[i].epoch;
		dropped += activity->epochs[i].dropped;
	}
	entries = palloc(sizeof(PgheroActivityEntry) *
					 Max(hash_get_num_entries(activity_hash), 1));
	hash_seq_init(&seq, activity_hash);
	while ((entry = hash_seq_search(&seq)) != NULL)
		if (entry->key.epoch <= upto)
			entries[nentries++] = *entry;
	sessions = palloc(sizeof(PgheroSession) * activity->max_sessions);
	queries = palloc(sizeof(char *) * activity->max_sessions);
	if (pending_sessions != NULL)
		pfree(pending_sessions);
	pending_sessions = MemoryContextAlloc(TopMemoryContext,
										  sizeof(PgheroPendingSession) * activity->max_sessions);
	for (int i = 0; i < activity->max_sessions; i++)
	{
		PgheroSession *t = &activity->sessions[i];

		if (!t->in_use || t->flushed_version == t->version)
			continue;
		pending_sessions[nsessions].slot = i;
		pending_sessions[nsessions].pid = t->pid;
		pending_sessions[nsessions].backend_start = t->backend_start;
		pending_sessions[nsessions].query_start = t->query_start;
		pending_sessions[nsessions].version = t->version;
		sessions[nsessions] = *t;
		queries[nsessions] = pstrdup(session_query(i));
		nsessions++;
	}
	sessions_dropped = activity->sessions_dropped;
	LWLockRelease(activity->lock);

	SPI_connect();

	if (nepochs > 0)
	{
		Datum	   *v[5];
		bool	   *n[5];
		Oid			elemtypes[5] = {TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID,
		INT8OID, BOOLOID};

		alloc_columns(5, v, n, nepochs);
		for (int i = 0; i < nepochs; i++)
		{
			Oid			pargtypes[1] = {TIMESTAMPTZOID};
			Datum		pargs[1] = {TimestampTzGetDatum(epochs[i].end)};

			if (SPI_execute_with_args(ensure_partition_sql, 1, pargtypes, pargs,
									  NULL, false, 0) != SPI_OK_SELECT)
				elog(ERROR, "could not create the partition of activity_history");
			v[0][i] = TimestampTzGetDatum(epochs[i].end);
			v[1][i] = TimestampTzGetDatum(epochs[i].start);
			v[2][i] = Int64GetDatum(epochs[i].ticks);
			v[3][i] = Int64GetDatum(epochs[i].dropped);
			v[4][i] = BoolGetDatum(epochs[i].lossy);
		}
		(void) insert_columns(insert_buckets_sql, "activity_buckets", 5,
							  elemtypes, v, n, nepochs);
	}

	if (nentries > 0)
	{
		Datum	   *v[10];
		bool	   *n[10];
		Oid			elemtypes[10] = {TIMESTAMPTZOID, TIMESTAMPTZOID, OIDOID,
			OIDOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, INT8OID};

		alloc_columns(10, v, n, nentries);
		for (long i = 0; i < nentries; i++)
		{
			PgheroActivityKey *k = &entries[i].key;
			PgheroEpoch *e = NULL;
			uint32		w = k->wait_event_info;

			for (int j = 0; j < nepochs; j++)
				if (epochs[j].epoch == k->epoch)
					e = &epochs[j];
			if (e == NULL)
				elog(ERROR, "pghero activity samples of an unknown epoch");
			v[0][i] = TimestampTzGetDatum(e->end);
			v[1][i] = TimestampTzGetDatum(e->start);
			v[2][i] = ObjectIdGetDatum(k->dbid);
			n[2][i] = !OidIsValid(k->dbid);
			v[3][i] = ObjectIdGetDatum(k->userid);
			n[3][i] = !OidIsValid(k->userid);
			v[4][i] = CStringGetTextDatum(k->appname);
			v[5][i] = text_or_null(state_name(k->state), &n[5][i]);
			wait_event_columns(w, &v[6][i], &n[6][i], &v[7][i], &n[7][i]);
			v[8][i] = Int64GetDatum((int64) k->queryid);
			n[8][i] = (k->queryid == 0);
			v[9][i] = Int64GetDatum(entries[i].samples);
		}
		written += insert_columns(insert_history_sql, "activity_history", 10,
								  elemtypes, v, n, nentries);
	}

	if (nsessions > 0)
	{
		Datum	   *v[17];
		bool	   *n[17];
		Oid			elemtypes[17] = {INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID,
			OIDOID, OIDOID, TEXTOID, INT8OID, TEXTOID, TIMESTAMPTZOID,
			TIMESTAMPTZOID, INTERVALOID, BOOLOID, BOOLOID, TEXTOID, TEXTOID,
		TEXTOID, TEXTOID};

		alloc_columns(17, v, n, nsessions);
		for (int i = 0; i < nsessions; i++)
		{
			PgheroSession *t = &sessions[i];
			Interval   *d = palloc0(sizeof(Interval));
			StringInfoData b;
			uint32		w = t->wait_event_info;

			d->time = t->longest_us;
			initStringInfo(&b);
			for (int k = 0; k < t->nblockers; k++)
				appendStringInfo(&b, "%s%d", k ? "," : "", t->blockers[k]);
			v[0][i] = Int32GetDatum(t->pid);
			v[1][i] = TimestampTzGetDatum(t->backend_start);
			v[2][i] = TimestampTzGetDatum(t->query_start);
			v[3][i] = ObjectIdGetDatum(t->dbid);
			n[3][i] = !OidIsValid(t->dbid);
			v[4][i] = ObjectIdGetDatum(t->userid);
			n[4][i] = !OidIsValid(t->userid);
			v[5][i] = CStringGetTextDatum(t->appname);
			v[6][i] = Int64GetDatum((int64) t->queryid);
			n[6][i] = (t->queryid == 0);
			v[7][i] = CStringGetTextDatum(queries[i]);
			v[8][i] = TimestampTzGetDatum(t->first_seen);
			v[9][i] = TimestampTzGetDatum(t->last_seen);
			v[10][i] = IntervalPGetDatum(d);
			v[11][i] = BoolGetDatum(t->long_running);
			v[12][i] = BoolGetDatum(t->blocked);
			v[13][i] = CStringGetTextDatum(b.data);
			v[14][i] = text_or_null(state_name(t->state), &n[14][i]);
			wait_event_columns(w, &v[15][i], &n[15][i], &v[16][i], &n[16][i]);
		}
		written += insert_columns(upsert_sessions_sql, "session_log", 17,
								  elemtypes, v, n, nsessions);
	}

	SPI_finish();

	/* what was written leaves shared memory when this transaction commits */
	if (!callbacks_registered)
	{
		RegisterXactCallback(activity_xact_callback, NULL);
		RegisterSubXactCallback(activity_subxact_callback, NULL);
		callbacks_registered = true;
	}
	pending = true;
	pending_epoch = upto;
	pending_subid = GetCurrentSubTransactionId();
	pending_nsessions = nsessions;

	initStringInfo(&note);
	if (dropped > 0)
		appendStringInfo(&note, INT64_FORMAT " backend samples not counted: pghero.activity_max_entries (%d) was full",
						 dropped, pghero_activity_max_entries);
	if (sessions_dropped > 0)
		appendStringInfo(&note, "%s" INT64_FORMAT " sessions not tracked since the server started: pghero.activity_max_sessions (%d) was full",
						 note.len ? "; " : "", sessions_dropped,
						 pghero_activity_max_sessions);
	result[0] = Int64GetDatum(written);
	if (note.len > 0)
		result[1] = CStringGetTextDatum(note.data);
	else
		result_null[1] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, result,
													  result_null)));
}

/*
 * pghero_activity_sample_now
 *		Take one sample now, in this backend (for tests; the collector
 *		samples on its own).  False without shared memory.
 */
Datum
pghero_activity_sample_now(PG_FUNCTION_ARGS)
{
	if (activity == NULL)
		PG_RETURN_BOOL(false);
	pghero_activity_sample();
	PG_RETURN_BOOL(true);
}
