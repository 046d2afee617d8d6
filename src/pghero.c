/*-------------------------------------------------------------------------
 *
 * pghero.c
 *		Module initialisation and configuration of pghero.
 *
 * The library is loaded either through shared_preload_libraries or, when
 * it is not preloaded, the first time a backend calls one of its C
 * functions.  _PG_init defines the pghero.* GUCs either way, and every live
 * view of the extension works either way.  Only while the library is being
 * preloaded does it also request its small shared state and register the
 * launcher background worker (src/launcher.c), which starts the collector
 * (src/collector.c); the history then fills itself.
 *
 * The collector's GUCs (pghero.enabled, pghero.database, the intervals and
 * retentions) are all reloadable: on a change of pghero.database the
 * launcher moves the collector to the new database.  The capture functions
 * in SQL read the retentions with current_setting().
 *
 * The thresholds are ordinary user-settable GUCs, so a session may look at
 * the dashboard with its own thresholds (SET pghero.slow_query_ms = 50).
 * SQL reads them through pghero_config(), which also makes sure the library
 * is loaded (and so the GUCs defined) before their values are used.
 *
 * IDENTIFICATION
 *	  src/pghero.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"

#include "compat.h"
#include "pghero.h"

PG_MODULE_MAGIC;

/* GUC variables, with PgHero's defaults */
int			pghero_long_running_query_sec = 60;
int			pghero_slow_query_ms = 20;
int			pghero_slow_query_calls = 100;
int			pghero_total_connections_threshold = 500;
int			pghero_idle_in_transaction_threshold = 100;
double		pghero_cache_hit_rate_threshold = 99.0;
int			pghero_unused_index_min_bytes = 10 * 1024 * 1024;
int			pghero_index_bloat_min_bytes = 100 * 1024 * 1024;
double		pghero_sequence_danger_percent = 90.0;
int			pghero_transaction_id_danger = 1500000000;

/* GUC variables of the checks of pghero.issues (1.2) */
int			pghero_lock_wait_threshold = 10;
int			pghero_xmin_horizon_age = 10000000;
int			pghero_prepared_xact_age = 300;
int			pghero_temp_bytes_threshold = 10 * 1024 * 1024;	/* kB: 10GB */
double		pghero_checkpoint_requested_percent = 50.0;
double		pghero_bloat_percent_threshold = 50.0;
double		pghero_disk_free_percent = 10.0;

/* GUC variables of the checks of the host's resources (1.3) */
int			pghero_swap_pages_per_second = 100;
double		pghero_cpu_busy_percent = 90.0;
int			pghero_cpu_saturated_minutes = 10;

/* GUC variables of the collector */
bool		pghero_enabled = true;
char	   *pghero_database = NULL;
int			pghero_capture_interval = 60;
int			pghero_space_interval = 3600;
int			pghero_raw_retention = 2 * SECS_PER_DAY;
int			pghero_history_retention = 30 * SECS_PER_DAY;
int			pghero_check_interval = 30;
int			pghero_issue_open_after = 60;
int			pghero_issue_resolve_after = 60;

/* hooks saved at load */
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

void		_PG_init(void);

PG_FUNCTION_INFO_V1(pghero_config);

/*
 * Request the shared state of the launcher and the host samples
 * (shmem_request_hook, or called from _PG_init where that hook does not
 * exist).
 */
static void
pghero_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(pghero_shmem_size());
	RequestAddinShmemSpace(pghero_activity_shmem_size());
	pghero_activity_shmem_request();
	RequestAddinShmemSpace(pghero_host_shmem_size());
	RequestNamedLWLockTranche(PGHERO_HOST_TRANCHE, 1);
}

/* Create or attach to the shared states (shmem_startup_hook). */
static void
pghero_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	pghero_shmem_init();
	pghero_activity_shmem_init();
	pghero_host_shmem_init();
}

/*
 * Module load callback
 */
void
_PG_init(void)
{
	/* nothing of ours may run while pg_upgrade moves the cluster */
	if (IsBinaryUpgrade)
		return;

	DefineCustomIntVariable("pghero.long_running_query_sec",
							"Queries running longer than this are long running.",
							NULL,
							&pghero_long_running_query_sec,
							60, 0, INT_MAX / 1000,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.slow_query_ms",
							"Statements whose mean time reaches this are slow.",
							NULL,
							&pghero_slow_query_ms,
							20, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.slow_query_calls",
							"Statements called fewer times than this are never slow.",
							NULL,
							&pghero_slow_query_calls,
							100, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.total_connections_threshold",
							"Number of connections from which the connection count is high.",
							NULL,
							&pghero_total_connections_threshold,
							500, 1, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.idle_in_transaction_threshold",
							"Number of idle-in-transaction sessions from which that count is high.",
							NULL,
							&pghero_idle_in_transaction_threshold,
							100, 1, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pghero.cache_hit_rate_threshold",
							 "Cache hit rate, in percent, below which the rate is low.",
							 NULL,
							 &pghero_cache_hit_rate_threshold,
							 99.0, 0.0, 100.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.unused_index_min_bytes",
							"Unused indexes smaller than this are not reported.",
							NULL,
							&pghero_unused_index_min_bytes,
							10 * 1024 * 1024, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.index_bloat_min_bytes",
							"Indexes with less estimated bloat than this are not reported.",
							NULL,
							&pghero_index_bloat_min_bytes,
							100 * 1024 * 1024, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pghero.sequence_danger_percent",
							 "Sequences used beyond this percent of their range are in danger.",
							 NULL,
							 &pghero_sequence_danger_percent,
							 90.0, 0.0, 100.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.transaction_id_danger",
							"Relations with fewer transaction IDs left than this before wraparound are in danger.",
							NULL,
							&pghero_transaction_id_danger,
							1500000000, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.lock_wait_threshold",
							"A session waiting for an ACCESS EXCLUSIVE lock this long while it blocks others is a lock queue.",
							NULL,
							&pghero_lock_wait_threshold,
							10, 0, INT_MAX / 1000,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.xmin_horizon_age",
							"Sessions, prepared transactions and slots whose xmin is older than this many transactions hold back vacuum.",
							NULL,
							&pghero_xmin_horizon_age,
							10000000, 1, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.prepared_xact_age",
							"Prepared transactions older than this are reported.",
							NULL,
							&pghero_prepared_xact_age,
							300, 0, INT_MAX / 1000,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.temp_bytes_threshold",
							"Databases that wrote more than this to temporary files since their statistics were reset are reported.",
							NULL,
							&pghero_temp_bytes_threshold,
							10 * 1024 * 1024, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pghero.checkpoint_requested_percent",
							 "Share of checkpoints, in percent, requested rather than timed beyond which checkpoints are too frequent.",
							 NULL,
							 &pghero_checkpoint_requested_percent,
							 50.0, 0.0, 100.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("pghero.bloat_percent_threshold",
							 "Estimated bloat, in percent of a table's or index's size, beyond which it is reported.",
							 NULL,
							 &pghero_bloat_percent_threshold,
							 50.0, 0.0, 100.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("pghero.disk_free_percent",
							 "Available space or inodes, in percent of the data or WAL file system, below which it is reported as low.",
							 "Below half of it the issue is critical.",
							 &pghero_disk_free_percent,
							 10.0, 0.0, 100.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.swap_pages_per_second",
							"Pages swapped in and out per second, over the last interval between two samples of the host, beyond which the host is swapping.",
							NULL,
							&pghero_swap_pages_per_second,
							100, 0, INT_MAX,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomRealVariable("pghero.cpu_busy_percent",
							 "CPU busy percent from which a capture of the host counts towards a saturated CPU.",
							 "The CPU is saturated when every capture of the last pghero.cpu_saturated_minutes reaches it.",
							 &pghero_cpu_busy_percent,
							 90.0, 0.0, 100.0,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.cpu_saturated_minutes",
							"How long the CPU must be busy at every capture of the host before it is reported as saturated.",
							NULL,
							&pghero_cpu_saturated_minutes,
							10, 1, INT_MAX / 60,
							PGC_USERSET,
							GUC_UNIT_MIN,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("pghero.enabled",
							 "Whether the collector captures history.",
							 "When off, the collector stays idle.",
							 &pghero_enabled,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("pghero.database",
							   "Database the collector connects to, where extension pghero keeps its history.",
							   "On a change, the collector moves to the new database.",
							   &pghero_database,
							   "postgres",
							   PGC_SIGHUP,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.capture_interval",
							"Interval between two captures of statements, database activity and instance statistics.",
							NULL,
							&pghero_capture_interval,
							60, 1, INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.space_interval",
							"Interval between two captures of database and relation sizes.",
							NULL,
							&pghero_space_interval,
							3600, 1, INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.raw_retention",
							"How long raw history samples are kept.",
							NULL,
							&pghero_raw_retention,
							2 * SECS_PER_DAY, 60, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.history_retention",
							"How long hourly history rollups are kept.",
							NULL,
							&pghero_history_retention,
							30 * SECS_PER_DAY, 3600, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.check_interval",
							"Interval between two evaluations of the checks by the collector (the change feed of pghero.issues).",
							NULL,
							&pghero_check_interval,
							30, 1, INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.issue_open_after",
							"How long a problem must be found at every evaluation before the feed opens its issue.",
							"0 opens it at the first evaluation that finds it.",
							&pghero_issue_open_after,
							60, 0, INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.issue_resolve_after",
							"How long an open issue must be absent at every evaluation before the feed resolves it.",
							"0 resolves it at the first evaluation that does not find it.",
							&pghero_issue_resolve_after,
							60, 0, INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pghero.activity_sample_interval",
							"Interval between two samples of the sessions' activity and of the host.",
							"Samples are counted in shared memory and written at every capture.",
							&pghero_activity_sample_interval,
							1000, 100, 60 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	/*
	 * The collector and the sampler run only when the library is preloaded;
	 * a PGC_POSTMASTER setting can only be defined then.
	 */
	if (process_shared_preload_libraries_in_progress)
	{
		/* the sizes of the sampler's shared memory (src/sampler.c) */
		DefineCustomIntVariable("pghero.activity_max_entries",
								"Most distinct (database, user, application, state, wait event, query) counts kept in shared memory between two captures.",
								"Samples that find it full are not counted, and the capture says how many.",
								&pghero_activity_max_entries,
								5000, 100, INT_MAX / 2,
								PGC_POSTMASTER,
								0,
								NULL, NULL, NULL);

		DefineCustomIntVariable("pghero.activity_max_sessions",
								"Most long-running or blocked sessions tracked in shared memory at once for pghero.session_log.",
								NULL,
								&pghero_activity_max_sessions,
								200, 10, 100000,
								PGC_POSTMASTER,
								0,
								NULL, NULL, NULL);

		PGHERO_REQUEST_SHMEM(prev_shmem_request_hook, pghero_shmem_request);
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = pghero_shmem_startup;
		pghero_register_launcher();
	}

	MarkGUCPrefixReserved("pghero");
}

/*
 * pghero_config
 *		The thresholds in force in this session, as one typed row.
 *
 * Views join this row instead of calling current_setting(), because calling
 * a C function loads the library, and so defines the GUCs, even when pghero
 * is not preloaded.
 */
Datum
pghero_config(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[20];
	bool		nulls[20] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	if (tupdesc->natts != lengthof(values))
		elog(ERROR, "pghero.config() returns %d columns, expected %d",
			 tupdesc->natts, (int) lengthof(values));

	values[0] = Int32GetDatum(pghero_long_running_query_sec);
	values[1] = Int32GetDatum(pghero_slow_query_ms);
	values[2] = Int64GetDatum((int64) pghero_slow_query_calls);
	values[3] = Int32GetDatum(pghero_total_connections_threshold);
	values[4] = Int32GetDatum(pghero_idle_in_transaction_threshold);
	values[5] = Float8GetDatum(pghero_cache_hit_rate_threshold);
	values[6] = Int64GetDatum((int64) pghero_unused_index_min_bytes);
	values[7] = Int64GetDatum((int64) pghero_index_bloat_min_bytes);
	values[8] = Float8GetDatum(pghero_sequence_danger_percent);
	values[9] = Int64GetDatum((int64) pghero_transaction_id_danger);
	values[10] = Int32GetDatum(pghero_lock_wait_threshold);
	values[11] = Int64GetDatum((int64) pghero_xmin_horizon_age);
	values[12] = Int32GetDatum(pghero_prepared_xact_age);
	values[13] = Int64GetDatum((int64) pghero_temp_bytes_threshold * 1024);
	values[14] = Float8GetDatum(pghero_checkpoint_requested_percent);
	values[15] = Float8GetDatum(pghero_bloat_percent_threshold);
	values[16] = Float8GetDatum(pghero_disk_free_percent);
	values[17] = Int32GetDatum(pghero_swap_pages_per_second);
	values[18] = Float8GetDatum(pghero_cpu_busy_percent);
	values[19] = Int32GetDatum(pghero_cpu_saturated_minutes);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
