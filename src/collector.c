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
 * pghero_internal._run_source(source, next_run_at), which records the outcome of the
 * source (success or error) and its next run in pghero_internal.collector_sources
 * and returns without raising when the source fails.  The worker only
 * decides when to call it.
 *
 * Schedule: the sources and their order come from the registry,
 * pghero_internal.collector_sources, where each row names the setting that gives
 * its interval (interval_setting: one of pghero's settings in seconds, such
 * as pghero.capture_interval; a source naming any other is skipped, with
 * one LOG line).  The worker reads the registry when it becomes ready, when
 * a unit finds that the extension in the home database changed since (it
 * was re-created or updated: its oid or version differs; the unit then
 * does nothing, and the registry is read at once) and after each reload
 * (SIGHUP).  A source keeps its schedule across these readings, by name.
 * Version 1.1 of the extension has a registry of names only: the worker
 * gives it the order and intervals that the update to 1.2 writes into the
 * registry.  A source runs at once when the worker becomes ready or the
 * source appears in the registry, then at fixed multiples of its interval
 * after that first run; a source that fell behind skips to the next
 * multiple after now, so the schedule neither drifts nor runs twice to
 * catch up.  When the interval of a source changes (a reload, or a new
 * interval_setting), its next run is moved to its last run plus the new
 * interval (at once if that is already past), and the new next run of
 * every source (NULL for a skipped one) is written to
 * pghero_internal.collector_sources at once, so that pghero.collector shows it
 * before the source runs again.
 *
 * Transactions: every unit of work is one short transaction, in
 * worker_spi's order, and no transaction or snapshot is held while the
 * worker sleeps.  Each unit first checks that the collector exists in the
 * home database (extension pghero with pghero_internal._run_source(), i.e. 1.1 or
 * later); the reading of the registry, a source call, or the writing of
 * the schedule follows in the same transaction.  A source call runs under
 * a statement timeout of its interval (at most five minutes) armed here,
 * as SPI does not arm statement_timeout; the worker takes no lock of its
 * own for it, the SQL side sets its own lock_timeout.  Reading the registry
 * and writing the schedule (which updates the rows of
 * pghero_internal.collector_sources) run under a lock_timeout of one second; when
 * the registry cannot be read, the worker tries again an interval later,
 * meanwhile going on with the schedule it has, if any.
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
 * effect at once) and has the registry read again; SIGTERM (die) ends the
 * worker with exit code 1, and the launcher starts it again after ten
 * seconds, as after a crash (which restarts the server, the launcher, and
 * so the collector); SIGINT cancels the running unit only (a cancel while
 * idle has nothing to cancel and is dropped, as in an idle backend).
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
#include "lib/stringinfo.h"
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

/* the most sources the schedule holds; the registry's next ones are not run */
#define PGHERO_MAX_SOURCES	32

/* what the worker is doing; it logs each change */
typedef enum PgheroCollectorState
{
	PGHERO_COLLECTOR_STARTING,	/* nothing logged yet */
	PGHERO_COLLECTOR_DISABLED,	/* pghero.enabled is off */
	PGHERO_COLLECTOR_RECOVERY,	/* the server is in recovery */
	PGHERO_COLLECTOR_NOT_INSTALLED, /* no collector in the home database */
	PGHERO_COLLECTOR_READY		/* capturing */
} PgheroCollectorState;

/* one capture source of the registry and its schedule */
typedef struct PgheroSource
{
	char	   *name;			/* first argument of pghero_internal._run_source() */
	char	   *interval_setting;	/* setting giving its interval, or NULL */
	int			interval;		/* the interval its schedule uses, in
								 * seconds; 0 when the source is skipped */
	bool		has_run;		/* last_slot is valid */
	TimestampTz last_slot;		/* when its last run was due */
	TimestampTz next_run;		/* when it is due next */
} PgheroSource;

/* the registry as a unit read it, in the loop context */
typedef struct PgheroRegistry
{
	Oid			extoid;			/* the extension it belongs to */
	char	   *extversion;		/* and its version */
	int			nsources;		/* sources read */
	bool		truncated;		/* it has more than PGHERO_MAX_SOURCES */
	char	   *source[PGHERO_MAX_SOURCES]; /* their names, in order */
	char	   *interval_setting[PGHERO_MAX_SOURCES];	/* or NULL */
} PgheroRegistry;

/*
 * The version of extension pghero and its oid, whether it has the
 * collector, whether its registry has interval_setting (1.2 or later), and
 * the schema of its internals: pghero_internal since 1.2, pghero in 1.1
 * (this library also runs a 1.1 installation until it is updated).
 */
static const char *const pghero_check_sql =
"SELECT e.extversion, e.oid, s.nsp IS NOT NULL,"
" EXISTS (SELECT FROM pg_catalog.pg_attribute a"
" WHERE a.attrelid OPERATOR(pg_catalog.=)"
" pg_catalog.to_regclass(pg_catalog.quote_ident(s.nsp)"
" OPERATOR(pg_catalog.||) '.collector_sources')"
" AND a.attname OPERATOR(pg_catalog.=) 'interval_setting'"
" AND NOT a.attisdropped),"
" s.nsp"
" FROM (VALUES (true)) v"
" LEFT JOIN pg_catalog.pg_extension e"
" ON e.extname OPERATOR(pg_catalog.=) 'pghero'"
" LEFT JOIN LATERAL (SELECT n.nsp FROM (VALUES (1, 'pghero_internal'), (2, 'pghero'))"
" n(pos, nsp)"
" WHERE pg_catalog.to_regprocedure(pg_catalog.quote_ident(n.nsp)"
" OPERATOR(pg_catalog.||) '._run_source(text,timestamp with time zone)') IS NOT NULL"
" ORDER BY n.pos LIMIT 1) s ON true";

/* the registry: the sources, in the order they run, and their intervals */
static const char *const pghero_registry_sql =
"SELECT c.source, c.interval_setting FROM %s.collector_sources c"
" ORDER BY c.position";

/*
 * The registry of version 1.1, which names the sources only: the order and
 * the intervals its worker gave them, which the update to 1.2 writes into
 * the registry (a released version does not change).
 */
static const char *const pghero_registry_1_1_sql =
"SELECT r.source, r.interval_setting FROM (VALUES"
" (1, 'statements', 'pghero.capture_interval'),"
" (2, 'database_activity', 'pghero.capture_interval'),"
" (3, 'instance', 'pghero.capture_interval'),"
" (4, 'space', 'pghero.space_interval'),"
" (5, 'retention', 'pghero.capture_interval'))"
" r(position, source, interval_setting)"
" ORDER BY r.position";

static const char *const pghero_run_sql =
"SELECT %s._run_source($1, $2)";

/* reading the registry and writing the schedule wait for a lock this long */
static const char *const pghero_lock_timeout_sql =
"SELECT pg_catalog.set_config('lock_timeout', '1s', true)";

/* the schedule: the next run of one source */
static const char *const pghero_schedule_sql =
"UPDATE %s.collector_sources SET next_run_at = $2"
" WHERE source OPERATOR(pg_catalog.=) $1"
" AND next_run_at IS DISTINCT FROM $2";

/* what a unit of work does after checking for the collector */
typedef enum PgheroUnit
{
	PGHERO_UNIT_READ_REGISTRY,	/* read the registry */
	PGHERO_UNIT_RUN_SOURCE,		/* run one source */
	PGHERO_UNIT_STORE_SCHEDULE	/* write the next run of every source */
} PgheroUnit;

/* the database the worker is connected to, from bgw_extra */
static char collector_database[NAMEDATALEN];

/*
 * The schedule: the sources of the registry, in its order, with the
 * extension whose registry it is.  Names live in schedule_context, which a
 * new reading replaces.
 */
static PgheroSource pghero_sources[PGHERO_MAX_SOURCES];
static int	pghero_num_sources = 0;
static Oid	schedule_extoid = InvalidOid;
static char *schedule_extversion = NULL;
static MemoryContext schedule_context = NULL;

/* the registry is to be read (at the start, after a reload, ...) */
static bool registry_stale = true;

/* the schedule is to start afresh (every source due at once) */
static bool schedule_reset = true;

/* the registry the last unit read, valid when registry_read is set */
static PgheroRegistry registry;
static bool registry_read = false;

/*
 * The schema of the installed extension's internals, as the last check
 * found it (quoted if need be): pghero_internal, or pghero for 1.1.
 */
static char internals[2 * NAMEDATALEN + 3] = "pghero_internal";

/* a unit found the extension changed since the registry was read */
static bool extension_changed = false;

/* the schedule changed (an interval, the registry): it is to be written */
static bool schedule_changed = false;

/* the state last logged, and what was logged with "capturing" */
static PgheroCollectorState logged_state = PGHERO_COLLECTOR_STARTING;
static int	logged_capture_interval = 0;
static bool schedule_logged = false;

/* reset once per iteration of the main loop */
static MemoryContext loop_context = NULL;

/* when the next sample of activity is due (src/sampler.c) */
static TimestampTz next_sample = 0;

/* what the worker waits on while it sleeps (its own from 17 on) */
static uint32 collector_wait_event = 0;

PGDLLEXPORT void pghero_collector_main(Datum main_arg) pg_attribute_noreturn();

/* Whether two strings, either of them possibly NULL, are the same. */
static bool
same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * The value of the setting a source's interval_setting names, in seconds:
 * one of pghero's integer settings in seconds, or 0 when it names no such
 * setting (the source is then skipped).  The setting is read through the
 * GUC API, so that a new interval setting needs no change here.
 */
static int
setting_seconds(const char *name)
{
	const char *value;
	char	   *end;
	long		seconds;

	if (name == NULL || strncmp(name, "pghero.", strlen("pghero.")) != 0)
		return 0;
	if ((GetConfigOptionFlags(name, true) & GUC_UNIT_TIME) != GUC_UNIT_S)
		return 0;
	value = GetConfigOption(name, true, false);
	if (value == NULL)
		return 0;

	errno = 0;
	seconds = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' ||
		seconds <= 0 || seconds > INT_MAX)
		return 0;
	return (int) seconds;
}

/* Statement timeout of one call of a source, in milliseconds. */
static int
source_timeout_ms(const PgheroSource *source)
{
	int64		ms = (int64) source->interval * 1000;

	return (int) Min(ms, PGHERO_MAX_SOURCE_TIMEOUT_MS);
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
 * Give a source its interval (0: skipped).  A source that has run and whose
 * interval changed is next due at its last slot plus the new interval (at
 * once if that is past, so a shorter interval takes effect at once).
 * Returns whether the interval changed.
 */
static bool
set_interval(PgheroSource *source, int interval)
{
	if (source->interval == interval)
		return false;
	source->interval = interval;
	if (interval > 0 && source->has_run)
		source->next_run = source->last_slot +
			(int64) interval * USECS_PER_SEC;
	return true;
}

/* The source of the schedule of that name, or NULL. */
static PgheroSource *
find_source(const char *name)
{
	for (int i = 0; i < pghero_num_sources; i++)
	{
		if (strcmp(pghero_sources[i].name, name) == 0)
			return &pghero_sources[i];
	}
	return NULL;
}

/* Log that a source is skipped, as it names no interval setting. */
static void
log_skipped_source(const PgheroSource *source)
{
	if (source->interval_setting == NULL)
		ereport(LOG,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pghero collector: source \"%s\" is skipped: it has no interval_setting",
						source->name),
				 errdetail("The interval_setting of a source in pghero_internal.collector_sources names one of pghero's settings in seconds, such as pghero.capture_interval.")));
	else
		ereport(LOG,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pghero collector: source \"%s\" is skipped: \"%s\" is not an interval setting of pghero",
						source->name, source->interval_setting),
				 errdetail("The interval_setting of a source in pghero_internal.collector_sources names one of pghero's settings in seconds, such as pghero.capture_interval.")));
}

/*
 * Make the registry just read the schedule.  A source that was in the
 * schedule keeps its slots (unless reset, when every source is new); a new
 * one is due now.  A source whose interval_setting names no interval
 * setting is skipped, with one LOG line when it appears or its
 * interval_setting changes.
 *
 * Returns whether the schedule is to be written: when it changed (a source
 * came, went, moved or got another interval, or the extension is another
 * one), or, when reset (every source runs at once and writes its own next
 * run), when a source is skipped.
 */
static bool
load_schedule(const PgheroRegistry *reg, bool reset, TimestampTz now)
{
	MemoryContext context;
	PgheroSource loaded[PGHERO_MAX_SOURCES];
	bool		changed;
	bool		skipped = false;

	if (reg->truncated)
		ereport(LOG,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("pghero collector: pghero_internal.collector_sources has more than %d sources",
						PGHERO_MAX_SOURCES),
				 errdetail("The collector runs the first %d sources only.",
						   PGHERO_MAX_SOURCES)));

	context = AllocSetContextCreate(TopMemoryContext,
									"pghero collector schedule",
									ALLOCSET_SMALL_SIZES);
	changed = reg->nsources != pghero_num_sources ||
		reg->extoid != schedule_extoid ||
		!same_string(reg->extversion, schedule_extversion);

	for (int i = 0; i < reg->nsources; i++)
	{
		PgheroSource *source = &loaded[i];
		PgheroSource *old = reset ? NULL : find_source(reg->source[i]);
		int			interval = setting_seconds(reg->interval_setting[i]);

		source->name = MemoryContextStrdup(context, reg->source[i]);
		source->interval_setting = reg->interval_setting[i] == NULL ? NULL :
			MemoryContextStrdup(context, reg->interval_setting[i]);
		if (old != NULL)
		{
			source->interval = old->interval;
			source->has_run = old->has_run;
			source->last_slot = old->last_slot;
			source->next_run = old->next_run;
		}
		else
		{
			source->interval = 0;
			source->has_run = false;
			source->last_slot = 0;
			source->next_run = now;
		}

		if (old != &pghero_sources[i])
			changed = true;
		if (interval == 0 &&
			(old == NULL ||
			 !same_string(old->interval_setting, source->interval_setting)))
			log_skipped_source(source);
		if (set_interval(source, interval))
			changed = true;
		if (interval == 0)
			skipped = true;
	}

	memcpy(pghero_sources, loaded, sizeof(PgheroSource) * reg->nsources);
	pghero_num_sources = reg->nsources;
	schedule_extoid = reg->extoid;
	schedule_extversion = reg->extversion == NULL ? NULL :
		MemoryContextStrdup(context, reg->extversion);
	if (schedule_context != NULL)
		MemoryContextDelete(schedule_context);
	schedule_context = context;

	if (changed)
		schedule_logged = false;
	return reset ? skipped : changed;
}

/*
 * Take new intervals after a reload.  Returns whether an interval changed.
 */
static bool
reschedule_sources(void)
{
	bool		changed = false;

	for (int i = 0; i < pghero_num_sources; i++)
	{
		PgheroSource *source = &pghero_sources[i];

		if (set_interval(source, setting_seconds(source->interval_setting)))
			changed = true;
	}
	if (changed)
		schedule_logged = false;
	return changed;
}

/*
 * Read the registry into the registry struct (in the loop context), inside
 * the transaction of a unit.  A session holding the registry locked makes
 * this fail after a second rather than stall the worker.
 */
static void
read_registry(bool has_registry, const char *extversion, Oid extoid)
{
	int			ret;
	uint64		n;

	ret = SPI_execute(pghero_lock_timeout_sql, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "pghero collector: could not set lock_timeout: %s",
			 SPI_result_code_string(ret));

	ret = SPI_execute(has_registry ?
					  psprintf(pghero_registry_sql, internals) :
					  pghero_registry_1_1_sql,
					  true, PGHERO_MAX_SOURCES + 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "pghero collector: could not read the registry of sources: %s",
			 SPI_result_code_string(ret));

	n = Min(SPI_processed, PGHERO_MAX_SOURCES);
	registry.extoid = extoid;
	registry.extversion = extversion == NULL ? NULL :
		MemoryContextStrdup(loop_context, extversion);
	registry.nsources = (int) n;
	registry.truncated = SPI_processed > PGHERO_MAX_SOURCES;
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		char	   *name = SPI_getvalue(tuple, tupdesc, 1);
		char	   *setting = SPI_getvalue(tuple, tupdesc, 2);

		if (name == NULL)
			elog(ERROR, "pghero collector: a source of the registry has no name");
		registry.source[i] = MemoryContextStrdup(loop_context, name);
		registry.interval_setting[i] = setting == NULL ? NULL :
			MemoryContextStrdup(loop_context, setting);
	}
}

/*
 * Write the next run of every source to pghero_internal.collector_sources (NULL for
 * a skipped one), inside the transaction of a unit.  A session holding one
 * of the rows locked (say, in a transaction that called pghero.capture())
 * makes this fail after a second rather than stall the worker; each source
 * then writes its own next run when it runs.
 */
static void
store_schedule(void)
{
	int			ret;

	ret = SPI_execute(pghero_lock_timeout_sql, false, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "pghero collector: could not set lock_timeout: %s",
			 SPI_result_code_string(ret));

	for (int i = 0; i < pghero_num_sources; i++)
	{
		PgheroSource *source = &pghero_sources[i];
		Oid			argtypes[2] = {TEXTOID, TIMESTAMPTZOID};
		Datum		values[2];
		char		nulls[2] = {' ', ' '};

		values[0] = CStringGetTextDatum(source->name);
		values[1] = TimestampTzGetDatum(source->next_run);
		if (source->interval == 0)
			nulls[1] = 'n';
		ret = SPI_execute_with_args(psprintf(pghero_schedule_sql, internals),
									2, argtypes, values,
									nulls, false, 0);
		if (ret != SPI_OK_UPDATE)
			elog(ERROR, "pghero collector: could not store the next run of source \"%s\": %s",
				 source->name, SPI_result_code_string(ret));
	}
}

/*
 * Milliseconds until the next source is due, at least 1; a capture
 * interval when no source is scheduled.
 */
static long
delay_until_next_source(TimestampTz now)
{
	bool		any = false;
	TimestampTz next = 0;

	for (int i = 0; i < pghero_num_sources; i++)
	{
		if (pghero_sources[i].interval == 0)
			continue;
		if (!any || pghero_sources[i].next_run < next)
			next = pghero_sources[i].next_run;
		any = true;
	}
	if (!any)
		return (long) pghero_capture_interval * 1000;

	return Max(TimestampDifferenceMilliseconds(now, next), 1);
}

/*
 * Take a sample of activity (src/sampler.c) and of the host (src/host.c)
 * if one is due, on a fixed-rate schedule of
 * pghero.activity_sample_interval (a sample that fell behind, behind a
 * long source, skips to the next multiple), and return the milliseconds
 * until the next one, at least 1.  A sample takes no transaction.
 */
static long
sample_if_due(TimestampTz now)
{
	int64		interval = (int64) pghero_activity_sample_interval * 1000;

	if (next_sample == 0 || next_sample - now > interval)
		next_sample = now;
	if (now >= next_sample)
	{
		pghero_activity_sample();
		pghero_host_sample();
		next_sample += interval;
		if (next_sample <= now)
			next_sample += ((now - next_sample) / interval + 1) * interval;
		now = GetCurrentTimestamp();
	}
	return Max(TimestampDifferenceMilliseconds(now, next_sample), 1);
}

/* The sources and their intervals, for the "capturing" line. */
static char *
describe_schedule(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < pghero_num_sources; i++)
	{
		PgheroSource *source = &pghero_sources[i];

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		if (source->interval > 0)
			appendStringInfo(&buf, "%s every %d s", source->name,
							 source->interval);
		else
			appendStringInfo(&buf, "%s skipped", source->name);
	}
	if (pghero_num_sources == 0)
		appendStringInfoString(&buf, "none");
	return buf.data;
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
 * schedule, when it changed while capturing).  extversion is the version
 * of extension pghero in the home database, or NULL.
 */
static void
log_state(PgheroCollectorState state, const char *extversion)
{
	if (state == logged_state &&
		(state != PGHERO_COLLECTOR_READY ||
		 (logged_capture_interval == pghero_capture_interval &&
		  schedule_logged)))
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
					 errdetail("Sources: %s.", describe_schedule())));
			logged_capture_interval = pghero_capture_interval;
			schedule_logged = true;
			break;
	}

	logged_state = state;
	set_ps_display(state_display(state));
}

/*
 * Run one unit of work in its own transaction: check that the collector
 * exists in the home database and, if it does, do the unit's work: read the
 * registry (PGHERO_UNIT_READ_REGISTRY: registry_read is set once it is
 * read), run source for its slot, passing next_run as the time of its next
 * run (PGHERO_UNIT_RUN_SOURCE), or write the schedule
 * (PGHERO_UNIT_STORE_SCHEDULE).  The last two do nothing but set
 * extension_changed and registry_stale when the extension is not the one
 * whose registry the schedule was read from.
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
	registry_read = false;
	if (unit == PGHERO_UNIT_RUN_SOURCE)
		activity = psprintf("SELECT %s._run_source(%s, %s)", internals,
							quote_literal_cstr(source->name),
							quote_literal_cstr(timestamptz_to_str(next_run)));
	else if (unit == PGHERO_UNIT_STORE_SCHEDULE)
		activity = psprintf(pghero_schedule_sql, internals);
	else
		activity = psprintf(pghero_registry_sql, internals);

	/* a cancel that arrived between units has nothing to cancel */
	QueryCancelPending = false;

	PG_TRY();
	{
		int			ret;
		bool		isnull;
		char	   *version;
		Oid			extoid;
		bool		has_registry;

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

		version = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
							   1);
		extoid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 2,
												&isnull));
		if (isnull)
			extoid = InvalidOid;
		installed = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 3,
											   &isnull));
		has_registry = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 4,
												  &isnull));
		if (version != NULL)
			*extversion = MemoryContextStrdup(loop_context, version);
		if (installed)
		{
			char	   *nsp = SPI_getvalue(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 5);

			strlcpy(internals, quote_identifier(nsp), sizeof(internals));
		}

		if (installed && unit == PGHERO_UNIT_READ_REGISTRY)
		{
			set_ps_display("reading the registry");
			read_registry(has_registry, version, extoid);
		}
		else if (installed &&
				 (extoid != schedule_extoid ||
				  !same_string(version, schedule_extversion)))
		{
			/* re-created or updated: read the registry again first */
			extension_changed = true;
			registry_stale = true;
		}
		else if (installed && unit == PGHERO_UNIT_STORE_SCHEDULE)
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
			ret = SPI_execute_with_args(psprintf(pghero_run_sql, internals),
										2, argtypes, values,
										NULL, false, 1);
			disable_timeout(STATEMENT_TIMEOUT, false);
			if (ret != SPI_OK_SELECT)
				elog(ERROR, "pghero collector: source \"%s\" failed: %s",
					 source->name, SPI_result_code_string(ret));
		}

		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		/* the issues source notifies its listeners (pghero_issues) */
		PgheroNotifyAfterCommit();
		if (installed && unit == PGHERO_UNIT_READ_REGISTRY)
			registry_read = true;
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
		registry_read = false;
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
 * Read the registry into the schedule, as the worker becomes ready or the
 * registry is stale, and return the state that follows: not installed,
 * ready, or, when the registry could not be read (the error is logged), the
 * state the worker was in (previous), to try again after an interval; a
 * worker that was ready goes on with the schedule it has.
 */
static PgheroCollectorState
refresh_schedule(PgheroCollectorState previous, char **extversion)
{
	if (!run_unit(PGHERO_UNIT_READ_REGISTRY, NULL, 0, extversion))
		return PGHERO_COLLECTOR_NOT_INSTALLED;
	if (!registry_read)
		return previous;

	if (load_schedule(&registry, schedule_reset, GetCurrentTimestamp()))
		schedule_changed = true;
	schedule_reset = false;
	registry_stale = false;
	return PGHERO_COLLECTOR_READY;
}

/*
 * Run every due source, each in its own transaction.  Returns false, at
 * once, if the collector no longer exists.  Stops, leaving the source due,
 * when the extension changed since the registry was read.
 */
static bool
run_due_sources(char **extversion)
{
	for (int i = 0; i < pghero_num_sources; i++)
	{
		PgheroSource *source = &pghero_sources[i];
		PgheroSource before = *source;
		TimestampTz now = GetCurrentTimestamp();

		if (source->interval == 0 || source->next_run > now)
			continue;

		advance_source(source, now);
		if (!run_unit(PGHERO_UNIT_RUN_SOURCE, source, source->next_run,
					  extversion))
			return false;
		if (extension_changed)
		{
			*source = before;
			break;
		}
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

	/* named in pg_stat_activity.wait_event while it sleeps (17 and later) */
	collector_wait_event = PgheroWaitEventNew("PgHeroCollector");

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
		extension_changed = false;

		if (!pghero_enabled)
			state = PGHERO_COLLECTOR_DISABLED;
		else if (RecoveryInProgress())
			state = PGHERO_COLLECTOR_RECOVERY;
		else if (registry_stale)
			state = refresh_schedule(previous, &extversion);
		else
			state = PGHERO_COLLECTOR_READY;

		if (state == PGHERO_COLLECTOR_READY)
		{
			log_state(state, NULL);
			if (!run_due_sources(&extversion))
				state = PGHERO_COLLECTOR_NOT_INSTALLED;
			else if (schedule_changed && !extension_changed)
			{
				(void) run_unit(PGHERO_UNIT_STORE_SCHEDULE, NULL, 0,
								&extversion);
				set_ps_display(state_display(state));
			}
		}
		/* on becoming ready, every source runs and writes its next run */
		schedule_changed = false;
		log_state(state, extversion);

		/* not capturing: read the registry afresh once ready again */
		if (state != PGHERO_COLLECTOR_READY)
		{
			registry_stale = true;
			schedule_reset = true;
		}

		if (state == PGHERO_COLLECTOR_READY && extension_changed)
			delay_ms = 0;
		else if (state == PGHERO_COLLECTOR_READY)
		{
			TimestampTz now = GetCurrentTimestamp();

			delay_ms = Min(delay_until_next_source(now), sample_if_due(now));
		}
		else
		{
			delay_ms = (long) pghero_capture_interval * 1000;
			next_sample = 0;
		}

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 delay_ms,
						 collector_wait_event);
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
			/* the registry too may have changed */
			registry_stale = true;
		}
	}
}
