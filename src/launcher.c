/*-------------------------------------------------------------------------
 *
 * launcher.c
 *		The pghero launcher: starts the collector and keeps it running.
 *
 * The collector (src/collector.c) works connected to pghero.database, and a
 * background worker connects to one database, once, as it starts: started
 * while that database does not exist, it would fail and be restarted,
 * failing, forever.  So the static background worker that _PG_init
 * registers is a launcher, "pghero launcher", connected to no database.  It
 * looks pghero.database up in the shared catalog pg_database and, once the
 * database exists and accepts connections, starts the collector as a
 * dynamic background worker (the database name in bgw_extra) and is
 * notified when it exits (bgw_notify_pid).  While the database is missing
 * it logs one line and looks again every pghero.capture_interval and at
 * each reload.  pghero.database is reloadable: when it changes, the
 * launcher stops the collector and starts one in the new database.  Each
 * look is one short transaction; the launcher holds no lock of its own.
 *
 * Restarts: the collector is registered with BGW_NEVER_RESTART and the
 * launcher starts it again PGHERO_RESTART_DELAY_S after it exited (SIGTERM
 * gives exit code 1).  A crash restarts the server, which forgets the
 * collector and starts the launcher again, which starts a collector.  The
 * postmaster restarts the launcher PGHERO_RESTART_DELAY_S after it exited;
 * a launcher stops its collector as it exits, so that no collector runs
 * unsupervised.
 *
 * Shared memory (PgheroSharedState, under a spinlock) holds the pids of the
 * launcher and of the collector, so that at most one of each runs (a
 * launcher that finds another one running exits with code 0, which
 * unregisters it; a new launcher waits for the collector of the previous
 * one to exit), and the requests of pghero.start_collector().  That SQL
 * function counts a request and wakes the launcher, which starts the
 * collector at once if none runs (without the restart delay) and answers
 * through the shared state and a condition variable: started, running
 * already, or why it could not.  If no launcher runs (it exited and waits
 * for its restart, or could not be registered at server start), the
 * function first registers one as a dynamic background worker.  Without
 * preloading there is no shared state, and the function says so.
 *
 * IDENTIFICATION
 *	  src/launcher.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/condition_variable.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/ps_status.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "compat.h"
#include "pghero.h"

/* delay before a worker that exited is started again (bgw_restart_time) */
#define PGHERO_RESTART_DELAY_S	10

/* how long pghero.start_collector() waits for the launcher's answer */
#define PGHERO_START_TIMEOUT_MS	(30 * 1000)

/* the launcher's answer to pghero.start_collector(), and what it logs */
typedef enum PgheroStartResult
{
	PGHERO_START_STARTED,		/* it started a collector */
	PGHERO_START_RUNNING,		/* a collector runs, or is starting */
	PGHERO_START_NO_DATABASE,	/* pghero.database does not exist */
	PGHERO_START_NO_CONNECTIONS,	/* it does not accept connections */
	PGHERO_START_NO_SLOT		/* no free background worker slot */
} PgheroStartResult;

/* shared by the launcher, the collector and pghero.start_collector() */
typedef struct PgheroSharedState
{
	slock_t		mutex;			/* protects the fields below */
	pid_t		launcher_pid;	/* the launcher, 0 if none runs */
	Latch	   *launcher_latch; /* its latch, NULL if none runs */
	pid_t		collector_pid;	/* the collector once connected, else 0 */
	pid_t		collector_exited_pid;	/* the last collector that exited */
	uint64		collector_starts;	/* collectors the launchers started */
	uint64		start_requests; /* calls of pghero.start_collector() */
	uint64		start_answered; /* requests answered so far */
	PgheroStartResult start_result; /* the last answer */
	char		start_database[NAMEDATALEN];	/* the database it was about */
	ConditionVariable answered_cv;	/* broadcast when start_answered moves */
} PgheroSharedState;

static PgheroSharedState *pghero_shared = NULL;

/* the launcher's collector, and the database it was started in */
static BackgroundWorkerHandle *collector_handle = NULL;
static char collector_database[NAMEDATALEN];

/* what the launcher last logged, and about which database */
static PgheroStartResult logged_result = PGHERO_START_STARTED;
static char logged_database[NAMEDATALEN];

PGDLLEXPORT void pghero_launcher_main(Datum main_arg) pg_attribute_noreturn();

PG_FUNCTION_INFO_V1(pghero_start_collector);

/*
 * pghero_shmem_size
 *		Shared memory the launcher needs; requested while preloading.
 */
Size
pghero_shmem_size(void)
{
	return MAXALIGN(sizeof(PgheroSharedState));
}

/*
 * pghero_shmem_init
 *		Create or attach to the shared state (shmem_startup_hook).
 */
void
pghero_shmem_init(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	pghero_shared = ShmemInitStruct("pghero", sizeof(PgheroSharedState),
									&found);
	if (!found)
	{
		memset(pghero_shared, 0, sizeof(PgheroSharedState));
		SpinLockInit(&pghero_shared->mutex);
		ConditionVariableInit(&pghero_shared->answered_cv);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* The launcher's registration, static or dynamic. */
static void
fill_launcher(BackgroundWorker *worker)
{
	memset(worker, 0, sizeof(*worker));
	worker->bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* on a hot standby too: the collector idles there until promotion */
	worker->bgw_start_time = BgWorkerStart_ConsistentState;
	worker->bgw_restart_time = PGHERO_RESTART_DELAY_S;
	strlcpy(worker->bgw_name, "pghero launcher", BGW_MAXLEN);
	strlcpy(worker->bgw_type, "pghero launcher", BGW_MAXLEN);
	strlcpy(worker->bgw_library_name, "pghero", BGW_MAXLEN);
	strlcpy(worker->bgw_function_name, "pghero_launcher_main", BGW_MAXLEN);
	worker->bgw_main_arg = (Datum) 0;
	worker->bgw_notify_pid = 0;
}

/*
 * pghero_register_launcher
 *		Register the launcher; called by _PG_init while the library is
 *		being preloaded.
 */
void
pghero_register_launcher(void)
{
	BackgroundWorker worker;

	fill_launcher(&worker);
	RegisterBackgroundWorker(&worker);
}

/*
 * Register a collector connecting to dbname, notifying this launcher of
 * its start and exit.  Returns false when no slot is free.
 */
static bool
register_collector(const char *dbname)
{
	BackgroundWorker worker;
	MemoryContext oldcontext;
	bool		registered;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	/* the launcher restarts it, so that it can look for its database */
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_name, "pghero collector", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "pghero collector", BGW_MAXLEN);
	strlcpy(worker.bgw_library_name, "pghero", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "pghero_collector_main", BGW_MAXLEN);
	worker.bgw_main_arg = (Datum) 0;
	StaticAssertStmt(NAMEDATALEN <= BGW_EXTRALEN,
					 "a database name must fit in bgw_extra");
	strlcpy(worker.bgw_extra, dbname, NAMEDATALEN);
	worker.bgw_notify_pid = MyProcPid;

	/* the handle lives as long as the collector */
	oldcontext = MemoryContextSwitchTo(TopMemoryContext);
	registered = RegisterDynamicBackgroundWorker(&worker, &collector_handle);
	MemoryContextSwitchTo(oldcontext);
	if (!registered)
		return false;

	strlcpy(collector_database, dbname, NAMEDATALEN);
	SpinLockAcquire(&pghero_shared->mutex);
	pghero_shared->collector_starts++;
	SpinLockRelease(&pghero_shared->mutex);
	return true;
}

/*
 * Whether dbname exists and accepts connections, read from pg_database in
 * a short transaction.  Without a database only the shared catalogs
 * themselves can be read, not their indexes or the syscaches on them, so
 * this is a sequential scan, as the autovacuum launcher reads the list of
 * databases.
 */
static PgheroStartResult
check_database(const char *dbname)
{
	PgheroStartResult result = PGHERO_START_NO_DATABASE;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tuple;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	pgstat_report_activity(STATE_RUNNING, "looking up pghero.database");

	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tuple);

		if (strcmp(NameStr(db->datname), dbname) != 0)
			continue;
		if (db->datallowconn && !database_is_invalid_form(db))
			result = PGHERO_START_STARTED;
		else
			result = PGHERO_START_NO_CONNECTIONS;
		break;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);

	CommitTransactionCommand();
	pgstat_report_stat(true);
	pgstat_report_activity(STATE_IDLE, NULL);
	return result;
}

/*
 * Log what keeps the collector from starting, once per change (of the
 * reason or of the database).
 */
static void
log_result(PgheroStartResult result, const char *dbname)
{
	if (result == PGHERO_START_RUNNING)
		return;
	if (result == logged_result && strcmp(dbname, logged_database) == 0)
		return;

	switch (result)
	{
		case PGHERO_START_STARTED:
		case PGHERO_START_RUNNING:
			break;
		case PGHERO_START_NO_DATABASE:
			ereport(LOG,
					(errcode(ERRCODE_UNDEFINED_DATABASE),
					 errmsg("pghero collector: idle: database \"%s\" does not exist",
							dbname),
					 errdetail("The collector starts once the database exists; the launcher looks again every pghero.capture_interval and at each configuration reload."),
					 errhint("Create database \"%s\", or set pghero.database to the database where extension pghero is installed and reload the configuration.",
							 dbname)));
			break;
		case PGHERO_START_NO_CONNECTIONS:
			ereport(LOG,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("pghero collector: idle: database \"%s\" does not accept connections",
							dbname),
					 errdetail("The collector starts once it does; the launcher looks again every pghero.capture_interval and at each configuration reload."),
					 errhint("Run ALTER DATABASE %s ALLOW_CONNECTIONS true, or set pghero.database to another database and reload the configuration.",
							 quote_identifier(dbname))));
			break;
		case PGHERO_START_NO_SLOT:
			ereport(WARNING,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("pghero collector: could not start: no free background worker slot"),
					 errdetail("The launcher tries again in %d s.",
							   PGHERO_RESTART_DELAY_S),
					 errhint("Raise max_worker_processes.")));
			break;
	}

	logged_result = result;
	strlcpy(logged_database, dbname, NAMEDATALEN);
	set_ps_display(result == PGHERO_START_STARTED ? "idle" :
				   "waiting for pghero.database");
}

/*
 * Has the launcher's collector exited?  When a start was requested, one
 * that has already left (its exit callback ran) is waited for, so that
 * pghero.start_collector() right after pg_terminate_backend() with a
 * timeout starts a new one.
 */
static bool
collector_exited(bool start_requested)
{
	pid_t		pid;
	pid_t		exited_pid;
	BgwHandleStatus status;

	status = GetBackgroundWorkerPid(collector_handle, &pid);
	if (status == BGWH_POSTMASTER_DIED)
		proc_exit(1);
	if (status == BGWH_STOPPED)
		return true;
	if (!start_requested || status != BGWH_STARTED)
		return false;

	SpinLockAcquire(&pghero_shared->mutex);
	exited_pid = pghero_shared->collector_exited_pid;
	SpinLockRelease(&pghero_shared->mutex);
	if (exited_pid != pid)
		return false;

	if (WaitForBackgroundWorkerShutdown(collector_handle) ==
		BGWH_POSTMASTER_DIED)
		proc_exit(1);
	return true;
}

/* Answer every request up to requests; wake the callers waiting. */
static void
answer_requests(uint64 requests, PgheroStartResult answer)
{
	SpinLockAcquire(&pghero_shared->mutex);
	pghero_shared->start_answered = requests;
	pghero_shared->start_result = answer;
	strlcpy(pghero_shared->start_database, pghero_database, NAMEDATALEN);
	SpinLockRelease(&pghero_shared->mutex);
	ConditionVariableBroadcast(&pghero_shared->answered_cv);
}

/*
 * before_shmem_exit callback of the launcher: stop its collector and give
 * up its place.
 */
static void
launcher_shmem_exit(int code pg_attribute_unused(),
					Datum arg pg_attribute_unused())
{
	if (collector_handle != NULL)
		TerminateBackgroundWorker(collector_handle);

	SpinLockAcquire(&pghero_shared->mutex);
	if (pghero_shared->launcher_pid == MyProcPid)
	{
		pghero_shared->launcher_pid = 0;
		pghero_shared->launcher_latch = NULL;
	}
	SpinLockRelease(&pghero_shared->mutex);
	ConditionVariableBroadcast(&pghero_shared->answered_cv);
}

/*
 * before_shmem_exit callback of the collector: say it left, and wake the
 * launcher.
 */
static void
collector_shmem_exit(int code pg_attribute_unused(),
					 Datum arg pg_attribute_unused())
{
	Latch	   *latch;

	SpinLockAcquire(&pghero_shared->mutex);
	if (pghero_shared->collector_pid == MyProcPid)
		pghero_shared->collector_pid = 0;
	pghero_shared->collector_exited_pid = MyProcPid;
	latch = pghero_shared->launcher_latch;
	SpinLockRelease(&pghero_shared->mutex);

	if (latch != NULL)
		SetLatch(latch);
}

/*
 * pghero_announce_collector
 *		Called by the collector once connected: records its pid, or ends it
 *		(exit code 0) if another collector runs.
 */
void
pghero_announce_collector(void)
{
	pid_t		other;

	before_shmem_exit(collector_shmem_exit, (Datum) 0);

	SpinLockAcquire(&pghero_shared->mutex);
	other = pghero_shared->collector_pid;
	if (other == 0)
		pghero_shared->collector_pid = MyProcPid;
	SpinLockRelease(&pghero_shared->mutex);

	if (other != 0)
	{
		ereport(LOG,
				(errmsg("pghero collector: another collector is running (PID %d); exiting",
						(int) other)));
		proc_exit(0);
	}
}

/*
 * pghero_launcher_main
 *		Entry point of the launcher background worker.
 */
void
pghero_launcher_main(Datum main_arg pg_attribute_unused())
{
	MemoryContext loop_context;
	TimestampTz start_at = 0;	/* when to start the collector; 0: now */
	bool		restart_now = false;	/* after it exits, start it at once */
	pid_t		other;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	/* no database: pg_database is a shared catalog */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("pghero launcher");

	/* at most one launcher */
	before_shmem_exit(launcher_shmem_exit, (Datum) 0);
	SpinLockAcquire(&pghero_shared->mutex);
	other = pghero_shared->launcher_pid;
	if (other == 0)
	{
		pghero_shared->launcher_pid = MyProcPid;
		pghero_shared->launcher_latch = MyLatch;
	}
	SpinLockRelease(&pghero_shared->mutex);
	if (other != 0)
	{
		ereport(LOG,
				(errmsg("pghero launcher: another launcher is running (PID %d); exiting",
						(int) other)));
		proc_exit(0);
	}

	loop_context = AllocSetContextCreate(TopMemoryContext,
										 "pghero launcher",
										 ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(loop_context);
	set_ps_display("starting");

	for (;;)
	{
		uint64		requests;
		bool		requested;
		pid_t		orphan;
		PgheroStartResult answer = PGHERO_START_RUNNING;
		TimestampTz now;
		long		delay_ms;

		MemoryContextSwitchTo(loop_context);
		MemoryContextReset(loop_context);

		SpinLockAcquire(&pghero_shared->mutex);
		requests = pghero_shared->start_requests;
		requested = requests != pghero_shared->start_answered;
		orphan = pghero_shared->collector_pid;
		SpinLockRelease(&pghero_shared->mutex);

		if (collector_handle != NULL && collector_exited(requested))
		{
			pfree(collector_handle);
			collector_handle = NULL;
			start_at = restart_now ? 0 :
				TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
											PGHERO_RESTART_DELAY_S * 1000);
			restart_now = false;
		}
		/*
		 * A collector running while this launcher has none is that of a
		 * previous launcher, which stopped it as it exited: wait for it.
		 */
		if (collector_handle != NULL)
			orphan = 0;
		if (requested)
			start_at = 0;

		now = GetCurrentTimestamp();
		if (collector_handle == NULL && orphan == 0 && now >= start_at)
		{
			int64		retry_ms;

			answer = check_database(pghero_database);
			if (answer == PGHERO_START_STARTED &&
				!register_collector(pghero_database))
				answer = PGHERO_START_NO_SLOT;
			log_result(answer, pghero_database);

			/* the database is looked for again every capture interval */
			if (answer == PGHERO_START_NO_SLOT)
				retry_ms = PGHERO_RESTART_DELAY_S * 1000;
			else
				retry_ms = (int64) pghero_capture_interval * 1000;
			if (answer != PGHERO_START_STARTED)
				start_at = TimestampTzPlusMilliseconds(now, retry_ms);
		}
		if (requested)
			answer_requests(requests, answer);

		/* woken by the collector's start and exit, reloads and requests */
		now = GetCurrentTimestamp();
		if (collector_handle == NULL && orphan == 0)
			delay_ms = Max(TimestampDifferenceMilliseconds(now, start_at), 1);
		else
			delay_ms = (long) PGHERO_RESTART_DELAY_S * 1000;

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 delay_ms,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);

			if (collector_handle != NULL &&
				strcmp(collector_database, pghero_database) != 0)
			{
				ereport(LOG,
						(errmsg("pghero launcher: pghero.database changed from \"%s\" to \"%s\"; restarting the collector",
								collector_database, pghero_database)));
				TerminateBackgroundWorker(collector_handle);
				restart_now = true;
			}
			else if (collector_handle == NULL &&
					 logged_result != PGHERO_START_STARTED)
				start_at = 0;	/* look for the database again at once */
		}
	}
}

/*
 * Register a launcher as a dynamic background worker, for
 * pghero.start_collector() when none runs.
 */
static void
start_launcher(void)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;

	fill_launcher(&worker);
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("could not start the pghero launcher: no free background worker slot"),
				 errhint("Raise max_worker_processes.")));
}

/*
 * pghero_start_collector
 *		pghero.start_collector() returns boolean: start the collector if it
 *		does not run; true when it was started, false when it ran already.
 */
Datum
pghero_start_collector(PG_FUNCTION_ARGS)
{
	uint64		request;
	uint64		starts;
	pid_t		launcher_pid;
	Latch	   *latch;
	TimestampTz deadline;
	PgheroStartResult result;
	char		dbname[NAMEDATALEN];

	if (pghero_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pghero must be loaded via \"shared_preload_libraries\""),
				 errhint("Add pghero to shared_preload_libraries in postgresql.conf and restart the server; the collector then starts with it.")));

	SpinLockAcquire(&pghero_shared->mutex);
	request = ++pghero_shared->start_requests;
	starts = pghero_shared->collector_starts;
	launcher_pid = pghero_shared->launcher_pid;
	latch = pghero_shared->launcher_latch;
	SpinLockRelease(&pghero_shared->mutex);

	if (launcher_pid == 0)
		start_launcher();
	else if (latch != NULL)
		SetLatch(latch);

	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										   PGHERO_START_TIMEOUT_MS);
	ConditionVariablePrepareToSleep(&pghero_shared->answered_cv);
	for (;;)
	{
		bool		answered;

		SpinLockAcquire(&pghero_shared->mutex);
		answered = pghero_shared->start_answered >= request;
		result = pghero_shared->start_result;
		strlcpy(dbname, pghero_shared->start_database, NAMEDATALEN);
		if (pghero_shared->collector_starts != starts)
			result = PGHERO_START_STARTED;
		SpinLockRelease(&pghero_shared->mutex);

		if (answered)
			break;
		if (GetCurrentTimestamp() >= deadline)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the pghero launcher did not answer within %d s",
							PGHERO_START_TIMEOUT_MS / 1000),
					 errhint("Look in the server log for what became of the pghero launcher.")));
		(void) ConditionVariableTimedSleep(&pghero_shared->answered_cv, 1000,
										   PG_WAIT_EXTENSION);
	}
	ConditionVariableCancelSleep();

	switch (result)
	{
		case PGHERO_START_STARTED:
			PG_RETURN_BOOL(true);
		case PGHERO_START_RUNNING:
			PG_RETURN_BOOL(false);
		case PGHERO_START_NO_DATABASE:
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_DATABASE),
					 errmsg("could not start the pghero collector: database \"%s\" does not exist",
							dbname),
					 errhint("Create database \"%s\", or set pghero.database to the database where extension pghero is installed and reload the configuration.",
							 dbname)));
			break;
		case PGHERO_START_NO_CONNECTIONS:
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("could not start the pghero collector: database \"%s\" does not accept connections",
							dbname),
					 errhint("Run ALTER DATABASE %s ALLOW_CONNECTIONS true, or set pghero.database to another database and reload the configuration.",
							 quote_identifier(dbname))));
			break;
		case PGHERO_START_NO_SLOT:
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("could not start the pghero collector: no free background worker slot"),
					 errhint("Raise max_worker_processes.")));
			break;
	}
	PG_RETURN_BOOL(false);		/* keep the compiler quiet */
}
