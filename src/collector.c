/*-------------------------------------------------------------------------
 *
 * collector.c
 *		The pghero collector background worker.
 *
 * One dynamic background worker, "pghero collector", started by the
 * launcher (src/launcher.c) once pghero.database exists, connects to that
 * database (named in bgw_extra, so a later change of pghero.database does
 * not reach it: the launcher stops it and starts another) as the bootstrap
 * superuser and runs each capture source on a fixed-rate schedule.  The
 * worker is thin: the capture itself is the SQL function
 * pghero._run_source(source, next_run_at), which records the outcome of the
 * source (success or error) and its next run in pghero.collector_sources
 * and returns without raising when the source fails.  The worker only
 * decides when to call it.
 *
 * Schedule: statements, database_activity, instance and retention run every
 * pghero.capture_interval, space every pghero.space_interval.  A source
 * runs at once when the worker starts or becomes ready, then at fixed
 * multiples of its interval after that first run; a source that fell
 * behind skips to the next multiple after now, so the schedule neither
 * drifts nor runs twice to catch up.  When an interval changes on reload,
 * the next run is moved to the last run plus the new interval (at once if
 * that is already past), and the new next run of every source is written
 * to pghero.collector_sources at once, so that pghero.collector shows it
 * before the source runs again.
 *
 * Transactions: every unit of work is one short transaction, in
 * worker_spi's order, and no transaction or snapshot is held while the
 * worker sleeps.  Each unit first checks that the collector exists in the
 * home database (extension pghero with pghero._run_source(), i.e. 1.1 or
 * later); a source call, or the writing of the schedule, follows in the
 * same transaction.  A source call runs under a statement timeout of its
 * interval (at most five minutes) armed here, as SPI does not arm
 * statement_timeout; the worker takes no lock of its own for it, the SQL
 * side sets its own lock_timeout.  Writing the schedule updates the rows of
 * pghero.collector_sources under a lock_timeout of one second.
 * synchronous_commit is "local" for the worker, so a synchronous standby
 * that is down cannot stall the captures.  An error escaping a unit (the
 * extension dropped between the check and the call, a timeout) is logged,
 * its transaction aborted, and the loop goes on with the next unit.
 *
 * The worker is idle, with one LOG line per change of state and never one
 * per interval, while pghero.enabled is off, while the server is in
 * recovery (it starts at consistent state, so it runs on a hot standby and
 * starts capturing after promotion), and while the collector does not exist
 * in the home database (after DROP EXTENSION it idles, after CREATE
 * EXTENSION it resumes).  While idle it looks again every capture interval.
 *
 * Signals: SIGHUP reloads the configuration (a shorter interval takes
 * effect at once); SIGTERM (die) ends the worker with exit code 1, and the
 * launcher starts it again after ten seconds, as after a crash (which
 * restarts the server, the launcher, and so the collector); SIGINT cancels
 * the running unit only (a cancel while idle has nothing to cancel and is
 * dropped, as in an idle backend).
 *
 * IDENTIFICATION
 *	  src/collector.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "compat.h"
#include "pghero.h"

/* statement timeout of a source call: its interval, at most this */
#define PGHERO_MAX_SOURCE_TIMEOUT_MS	(5 * 60 * 1000)

/* what the worker is doing; it logs each change */
typedef enum PgheroCollectorState
{
	PGHERO_COLLECTOR_STARTING,	/* nothing logged yet */
	PGHERO_COLLECTOR_DISABLED,	/* pghero.enabled is off */
	PGHERO_COLLECTOR_RECOVERY,	/* the server is in recovery */
	PGHERO_COLLECTOR_NOT_INSTALLED, /* no collector in the home database */
	PGHERO_COLLECTOR_READY		/* capturing */
} PgheroCollectorState;

/* one capture source and its schedule */
typedef struct PgheroSource
{
	const char *name;			/* first argument of pghero._run_source() */
	int		   *interval_guc;	/* GUC giving its interval, in seconds */
	int			interval;		/* the interval its schedule uses */
	bool		has_run;		/* last_slot is valid */
	TimestampTz last_slot;		/* when its last run was due */
	TimestampTz next_run;		/* when it is due next */
} PgheroSource;

static PgheroSource pghero_sources[] = {
	{.name = "statements",.interval_guc = &pghero_capture_interval},
	{.name = "database_activity",.interval_guc = &pghero_capture_interval},
	{.name = "instance",.interval_guc = &pghero_capture_interval},
	{.name = "space",.interval_guc = &pghero_space_interval},
	{.name = "retention",.interval_guc = &pghero_capture_interval},
};

#define PGHERO_NUM_SOURCES ((int) lengthof(pghero_sources))

/* the version of extension pghero, and whether it has the collector */
static const char *const pghero_check_sql =
"SELECT (SELECT e.extversion FROM pg_catalog.pg_extension e"
" WHERE e.extname OPERATOR(pg_catalog.=) 'pghero'),"
" pg_catalog.to_regprocedure("
"'pghero._run_source(text,timestamp with time zone)') IS NOT NULL";

static const char *const pghero_run_sql =
"SELECT pghero._run_source($1, $2)";

/* the schedule: the next run of one source */
static const char *const pghero_lock_timeout_sql =
"SELECT pg_catalog.set_config('lock_timeout', '1s', true)";

static const char *const pghero_schedule_sql =
"UPDATE pghero.collector_sources SET next_run_at = $2"
" WHERE source OPERATOR(pg_catalog.=) $1"
" AND next_run_at IS DISTINCT FROM $2";

/* what a unit of work does after checking for the collector */
typedef enum PgheroUnit
{
	PGHERO_UNIT_CHECK,			/* nothing more */
	PGHERO_UNIT_RUN_SOURCE,		/* run one source */
	PGHERO_UNIT_STORE_SCHEDULE	/* write the next run of every source */
} PgheroUnit;

/* the database the worker is connected to, from bgw_extra */
static char collector_database[NAMEDATALEN];

/* an interval changed on reload: the schedule is to be written */
static bool schedule_changed = false;

/* the state last logged, and the intervals logged with "capturing" */
static PgheroCollectorState logged_state = PGHERO_COLLECTOR_STARTING;
static int	logged_capture_interval = 0;
static int	logged_space_interval = 0;

/* reset once per iteration of the main loop */
static MemoryContext loop_context = NULL;

PGDLLEXPORT void pghero_collector_main(Datum main_arg) pg_attribute_noreturn();

/* Statement timeout of one call of a source, in milliseconds. */
static int
source_timeout_ms(const PgheroSource *source)
{
	int64		ms = (int64) source->interval * 1000;

	return (int) Min(ms, PGHERO_MAX_SOURCE_TIMEOUT_MS);
}

/* Make every source due now, as when the worker becomes ready. */
static void
schedule_sources_now(TimestampTz now)
{
	for (int i = 0; i < PGHERO_NUM_SOURCES; i++)
	{
		PgheroSource *source = &pghero_sources[i];

		source->interval = *source->interval_guc;
		source->has_run = false;
		source->last_slot = 0;
		source->next_run = now;
	}
}

/*
 * Advance a due source to its next slot: one interval after the slot it
 * runs for, or, if that is already past, the first multiple of the interval
 * after now.
 */
static void
advance_source(PgheroSource *source, TimestampTz now)
{
	int64		step = (int64) source->interval * USECS_PER_SEC;

	source->last_slot = source->next_run;
	source->has_run = true;
	source->next_run += step;
	if (source->next_run <= now)
		source->next_run += ((now - source->next_run) / step + 1) * step;
}

/*
 * Take new intervals after a reload: a source whose interval changed is
 * next due at its last slot plus the new interval (at once if that is past,
 * so a shorter interval takes effect at once).  Returns whether an interval
 * changed.
 */
static bool
reschedule_sources(void)
{
	bool		changed = false;

	for (int i = 0; i < PGHERO_NUM_SOURCES; i++)
	{
		PgheroSource *source = &pghero_sources[i];

		if (source->interval == *source->interval_guc)
			continue;
		changed = true;
		source->interval = *source->interval_guc;
		if (source->has_run)
			source->next_run = source->last_slot +
				(int64) source->interval * USECS_PER_SEC;
	}
	return changed;
}

/*
 * Write the next run of every source to pghero.collector_sources, inside
 * the transaction of a unit.  A session holding one of the rows locked
 * (say, in a transaction that called pghero.capture()) makes this fail
 * after a second rather than stall the worker; each source then writes its
 * own next run when it runs.
 */
static void
store_schedule(void)
{
	int			ret;

	ret = SPI_execute(pghero_lock_timeout_sql, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "pghero collector: could not set lock_timeout: %s",
			 SPI_result_code_string(ret));

	for (int i = 0; i < PGHERO_NUM_SOURCES; i++)
	{
		PgheroSource *source = &pghero_sources[i];
		Oid			argtypes[2] = {TEXTOID, TIMESTAMPTZOID};
		Datum		values[2];

		values[0] = CStringGetTextDatum(source->name);
		values[1] = TimestampTzGetDatum(source->next_run);
		ret = SPI_execute_with_args(pghero_schedule_sql, 2, argtypes, values,
									NULL, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "pghero collector: could not store the next run of source \"%s\": %s",
				 source->name, SPI_result_code_string(ret));
	}
}

/* Milliseconds until the next source is due, at least 1. */
static long
delay_until_next_source(TimestampTz now)
{
	TimestampTz next = pghero_sources[0].next_run;

	for (int i = 1; i < PGHERO_NUM_SOURCES; i++)
		next = Min(next, pghero_sources[i].next_run);

	return Max(TimestampDifferenceMilliseconds(now, next), 1);
}

/* A word for the ps display of each state. */
static const char *
state_display(PgheroCollectorState state)
{
	switch (state)
	{
		case PGHERO_COLLECTOR_STARTING:
			return "starting";
		case PGHERO_COLLECTOR_DISABLED:
			return "disabled";
		case PGHERO_COLLECTOR_RECOVERY:
			return "idle in recovery";
		case PGHERO_COLLECTOR_NOT_INSTALLED:
			return "idle, not installed";
		case PGHERO_COLLECTOR_READY:
			return "idle";
	}
	return "";
}

/*
 * Log the state when it changed since it was last logged (and the
 * intervals, when they changed while capturing).  extversion is the version
 * of extension pghero in the home database, or NULL.
 */
static void
log_state(PgheroCollectorState state, const char *extversion)
{
	if (state == logged_state &&
		(state != PGHERO_COLLECTOR_READY ||
		 (logged_capture_interval == pghero_capture_interval &&
		  logged_space_interval == pghero_space_interval)))
		return;

	switch (state)
	{
		case PGHERO_COLLECTOR_STARTING:
			break;
		case PGHERO_COLLECTOR_DISABLED:
			ereport(LOG,
					(errmsg("pghero collector: disabled by pghero.enabled")));
			break;
		case PGHERO_COLLECTOR_RECOVERY:
			ereport(LOG,
					(errmsg("pghero collector: idle: server is in recovery; capture starts after promotion")));
			break;
		case PGHERO_COLLECTOR_NOT_INSTALLED:
			ereport(LOG,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("pghero collector: idle: extension pghero 1.1 or later is not installed in database \"%s\"",
							collector_database),
					 extversion ?
					 errdetail("Version %s of the extension is installed; it has no collector.",
							   extversion) : 0,
					 extversion ?
					 errhint("Run ALTER EXTENSION pghero UPDATE in database \"%s\".",
							 collector_database) :
					 errhint("Run CREATE EXTENSION pghero in database \"%s\", or set pghero.database to the database where it is installed.",
							 collector_database)));
			break;
		case PGHERO_COLLECTOR_READY:
			ereport(LOG,
					(errmsg("pghero collector: capturing every %d s in database \"%s\"",
							pghero_capture_interval, collector_database),
					 errdetail("Space is captured every %d s.",
							   pghero_space_interval)));
			logged_capture_interval = pghero_capture_interval;
			logged_space_interval = pghero_space_interval;
			break;
	}

	logged_state = state;
	set_ps_display(state_display(state));
}

/*
 * Run one unit of work in its own transaction: check that the collector
 * exists in the home database and, if it does, do the unit's work: run
 * source for its slot, passing next_run as the time of its next run
 * (PGHERO_UNIT_RUN_SOURCE), or write the schedule
 * (PGHERO_UNIT_STORE_SCHEDULE).
 *
 * Returns whether the collector exists; *extversion is set to the version
 * of extension pghero (NULL if absent), allocated in the loop context.  An
 * error escaping the unit is logged and the transaction aborted; the
 * collector then counts as existing, so the other sources still run (each
 * of them checks again).
 */
static bool
run_unit(PgheroUnit unit, PgheroSource *source, TimestampTz next_run,
		 char **extversion)
{
	volatile bool installed = true;
	char	   *activity;

	*extversion = NULL;
	if (unit == PGHERO_UNIT_RUN_SOURCE)
		activity = psprintf("SELECT pghero._run_source(%s, %s)",
							quote_literal_cstr(source->name),
							quote_literal_cstr(timestamptz_to_str(next_run)));
	else if (unit == PGHERO_UNIT_STORE_SCHEDULE)
		activity = pstrdup(pghero_schedule_sql);
	else
		activity = pstrdup(pghero_check_sql);

	/* a cancel that arrived between units has nothing to cancel */
	QueryCancelPending = false;

	PG_TRY();
	{
		int			ret;
		bool		isnull;
		char	   *version;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		SPI_connect();
		PushActiveSnapshot(GetTransactionSnapshot());
		debug_query_string = activity;
		pgstat_report_activity(STATE_RUNNING, activity);

		ret = SPI_execute(pghero_check_sql, true, 1);
		if (ret != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "pghero collector: could not check for the collector: %s",
				 SPI_result_code_string(ret));

		installed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 2,
											   &isnull));
		version = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
							   1);
		if (version != NULL)
			*extversion = MemoryContextStrdup(loop_context, version);

		if (installed && unit == PGHERO_UNIT_STORE_SCHEDULE)
		{
			set_ps_display("storing the schedule");
			store_schedule();
		}
		else if (installed && unit == PGHERO_UNIT_RUN_SOURCE)
		{
			Oid			argtypes[2] = {TEXTOID, TIMESTAMPTZOID};
			Datum		values[2];

			set_ps_display(source->name);
			values[0] = CStringGetTextDatum(source->name);
			values[1] = TimestampTzGetDatum(next_run);

			enable_timeout_after(STATEMENT_TIMEOUT,
								 source_timeout_ms(source));
			ret = SPI_execute_with_args(pghero_run_sql, 2, argtypes, values,
										NULL, false, 1);
			disable_timeout(STATEMENT_TIMEOUT, false);
			if (ret != SPI_OK_SELECT)
				elog(ERROR, "pghero collector: source \"%s\" failed: %s",
					 source->name, SPI_result_code_string(ret));
		}

		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		HOLD_INTERRUPTS();
		disable_timeout(STATEMENT_TIMEOUT, false);
		QueryCancelPending = false;
		MemoryContextSwitchTo(loop_context);
		EmitErrorReport();
		AbortCurrentTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();
		installed = true;
	}
	PG_END_TRY();

	/* commit and abort leave CurrentMemoryContext in TopMemoryContext */
	MemoryContextSwitchTo(loop_context);
	debug_query_string = NULL;
	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);

	return installed;
}

/*
 * Run every due source, each in its own transaction.  Returns false, at
 * once, if the collector no longer exists.
 */
static bool
run_due_sources(char **extversion)
{
	for (int i = 0; i < PGHERO_NUM_SOURCES; i++)
	{
		PgheroSource *source = &pghero_sources[i];
		TimestampTz now = GetCurrentTimestamp();

		if (source->next_run > now)
			continue;

		advance_source(source, now);
		if (!run_unit(PGHERO_UNIT_RUN_SOURCE, source, source->next_run,
					  extversion))
			return false;
	}
	set_ps_display(state_display(PGHERO_COLLECTOR_READY));
	return true;
}

/*
 * pghero_collector_main
 *		Entry point of the collector background worker.
 */
void
pghero_collector_main(Datum main_arg pg_attribute_unused())
{
	PgheroCollectorState state = PGHERO_COLLECTOR_STARTING;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	/* the launcher names the database, which exists (or did a moment ago) */
	strlcpy(collector_database, MyBgworkerEntry->bgw_extra, NAMEDATALEN);
	BackgroundWorkerInitializeConnection(collector_database, NULL, 0);
	pghero_announce_collector();

	SetConfigOption("application_name", "pghero collector",
					PGC_USERSET, PGC_S_SESSION);
	pgstat_report_appname("pghero collector");
	/* history is not worth stalling for a synchronous standby */
	SetConfigOption("synchronous_commit", "local",
					PGC_USERSET, PGC_S_SESSION);

	/*
	 * The collector's own statements are not the workload it measures: left
	 * in pg_stat_statements they would move at every capture and be stored
	 * forever.  Their cost is in pghero.collector (durations).
	 */
	SetConfigOption("pg_stat_statements.track", "none",
					PGC_SUSET, PGC_S_SESSION);

	loop_context = AllocSetContextCreate(TopMemoryContext,
										 "pghero collector",
										 ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(loop_context);
	set_ps_display(state_display(state));

	for (;;)
	{
		PgheroCollectorState previous = state;
		char	   *extversion = NULL;
		long		delay_ms;

		MemoryContextReset(loop_context);

		if (!pghero_enabled)
			state = PGHERO_COLLECTOR_DISABLED;
		else if (RecoveryInProgress())
			state = PGHERO_COLLECTOR_RECOVERY;
		else if (previous != PGHERO_COLLECTOR_READY &&
				 !run_unit(PGHERO_UNIT_CHECK, NULL, 0, &extversion))
			state = PGHERO_COLLECTOR_NOT_INSTALLED;
		else
			state = PGHERO_COLLECTOR_READY;

		if (state == PGHERO_COLLECTOR_READY)
		{
			if (previous != PGHERO_COLLECTOR_READY)
				schedule_sources_now(GetCurrentTimestamp());
			log_state(state, NULL);
			if (!run_due_sources(&extversion))
				state = PGHERO_COLLECTOR_NOT_INSTALLED;
			else if (schedule_changed)
			{
				(void) run_unit(PGHERO_UNIT_STORE_SCHEDULE, NULL, 0,
								&extversion);
				set_ps_display(state_display(state));
			}
		}
		/* on becoming ready, every source runs and writes its next run */
		schedule_changed = false;
		log_state(state, extversion);

		if (state == PGHERO_COLLECTOR_READY)
			delay_ms = delay_until_next_source(GetCurrentTimestamp());
		else
			delay_ms = (long) pghero_capture_interval * 1000;

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 delay_ms,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);

		/* a cancel of the idle worker has nothing to cancel */
		QueryCancelPending = false;
		CHECK_FOR_INTERRUPTS();

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (reschedule_sources())
				schedule_changed = true;
		}
	}
}
