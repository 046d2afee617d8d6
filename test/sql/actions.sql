--
-- Actions: who may call them, what they refuse, what they log
-- (signalling other users' sessions is tested in test/t/)
--
-- Errors show their SQLSTATE (\echo :LAST_ERROR_SQLSTATE), not their
-- CONTEXT (PL/pgSQL line numbers).  After each case, the audit rows it
-- wrote: one for every action asked of a target, done or not (a warning
-- and false when not), none for an error, which rolls back.
--
SET client_min_messages = warning;
\set SHOW_CONTEXT never
CREATE ROLE regress_pghero_admin LOGIN;
GRANT pghero_admin TO regress_pghero_admin;
CREATE ROLE regress_pghero_quiet;
CREATE DATABASE regress_pghero_empty;
-- a role that has pg_stat_statements entries, then is dropped
CREATE ROLE regress_pghero_gone;
SET ROLE regress_pghero_gone;
SELECT 1 AS regress_gone_marker;
RESET ROLE;
SELECT 'regress_pghero_gone'::regrole::oid AS gone_oid \gset
DROP ROLE regress_pghero_gone;

-- the audit rows written since the last call
CREATE TEMP TABLE audit_seen AS SELECT coalesce(max(id), 0) AS id FROM pghero_internal.audit_log;
GRANT SELECT, UPDATE ON audit_seen TO regress_pghero_admin;
CREATE FUNCTION pg_temp.new_audit_rows() RETURNS SETOF pghero_internal.audit_log
LANGUAGE sql AS $$
	WITH r AS (SELECT * FROM pghero_internal.audit_log WHERE id > (SELECT id FROM audit_seen)),
		 u AS (UPDATE audit_seen SET id = coalesce((SELECT max(id) FROM r), id))
	SELECT * FROM r ORDER BY id
$$;

SET ROLE regress_pghero_admin;

-- never the caller's own session, never a server process: refused with a
-- warning, false, and an audit row saying why (terse for the server
-- process: the detail names its pid)
SELECT pghero.cancel(pg_backend_pid());
SELECT pghero.terminate(pid, backend_start) FROM pghero.connections WHERE pid = pg_backend_pid();
\set VERBOSITY terse
SELECT pghero.terminate(pid) FROM pghero.connections WHERE backend_type = 'checkpointer';
\set VERBOSITY default
SELECT action, target_pid = pg_backend_pid() AS own_pid,
	   target_backend_start IS NOT NULL AS backend_start_logged,
	   target_user = session_user AS own_role, target_database = current_database() AS own_database,
	   succeeded, detail
FROM pg_temp.new_audit_rows();

-- a pid that cannot name a process: an error, nothing logged
SELECT pghero.cancel(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.terminate(NULL, now());
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.terminate(0);
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.cancel(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS audit_rows FROM pg_temp.new_audit_rows();

-- a process that does not exist: a warning, false, and an audit row
SELECT pghero.cancel(2147483647);
SELECT pghero.terminate(2147483647, '2000-01-01 00:00:00+00');
SELECT action, target_pid, target_backend_start = '2000-01-01 00:00:00+00' AS backend_start_logged,
	   target_user, target_database, target_query, succeeded, detail
FROM pg_temp.new_audit_rows();

-- a backend_start that does not match (the caller's own process, which
-- is checked before it is refused): a warning, false, and an audit row
-- that names nothing of the session the pid now belongs to (terse: the
-- detail names the pid and its start)
\set VERBOSITY terse
SELECT pghero.terminate(pg_backend_pid(), '2000-01-01 00:00:00+00');
\set VERBOSITY default
SELECT action, target_pid = pg_backend_pid() AS own_pid,
	   target_backend_start = '2000-01-01 00:00:00+00' AS backend_start_logged,
	   target_user, target_database, target_query, succeeded,
	   detail = format('backend_start did not match (process started at %s)',
					   (SELECT backend_start FROM pghero.connections WHERE pid = pg_backend_pid())) AS detail_ok
FROM pg_temp.new_audit_rows();

-- kill_all: NULL or an unknown database is an error, nothing logged
SELECT * FROM pghero.kill_all(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pghero.kill_all('regress_no_such_database');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS audit_rows FROM pg_temp.new_audit_rows();

-- bulk actions that signal nothing say so, and log one row saying so:
-- a database nobody is connected to, then this one (whose only client
-- is the caller, whom they skip)
SET client_min_messages = notice;
SELECT count(*) AS killed FROM pghero.kill_all('regress_pghero_empty');
\set VERBOSITY terse
SELECT count(*) AS killed FROM pghero.kill_all();
SET pghero.long_running_query_sec = 0;
SELECT count(*) AS killed FROM pghero.kill_long_running_queries();
\set VERBOSITY default
RESET pghero.long_running_query_sec;
SET client_min_messages = warning;
SELECT action, target_pid, target_database = current_database() AS this_database,
	   succeeded, replace(detail, current_database(), '(this database)') AS detail
FROM pg_temp.new_audit_rows();

-- reset_query_stats without a scope is refused: an error with a hint,
-- nothing reset, nothing logged; 0 does not restrict, so (0, 0, 0) is no
-- scope either
SELECT pghero.reset_query_stats();
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.reset_query_stats(0, 0, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.reset_query_stats(all_statements => false);
\echo :LAST_ERROR_SQLSTATE
-- all_statements with a scope is a contradiction
SELECT pghero.reset_query_stats(dbid => 1, all_statements => true);
\echo :LAST_ERROR_SQLSTATE
-- NULL is an error
SELECT pghero.reset_query_stats(NULL, 0, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.reset_query_stats(0, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.reset_query_stats(0, 0, NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.reset_query_stats(all_statements => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) > 0 AS nothing_was_reset FROM pghero.query_stats;
-- a userid or dbid that names nothing at all is an error
SELECT pghero.reset_query_stats(4294967295, 0, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.reset_query_stats(0, 4294967295, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS audit_rows FROM pg_temp.new_audit_rows();

-- a scope that matches no entry resets nothing: a warning, false, and an
-- audit row (terse: the detail names OIDs)
\set VERBOSITY terse
SELECT pghero.reset_query_stats(0, 0, 1);
SELECT pghero.reset_query_stats('regress_pghero_quiet'::regrole, 0, 0);
\set VERBOSITY default
SELECT v.n, a.action, a.succeeded,
	   a.detail = format('userid %s, dbid 0, queryid %s: no entry matched, nothing was reset',
						 v.u, v.q) AS detail_ok
FROM (SELECT r.*, row_number() OVER (ORDER BY r.id) AS n
	  FROM pg_temp.new_audit_rows() r) a
	 FULL JOIN (VALUES (1, 0::oid, 1), (2, 'regress_pghero_quiet'::regrole::oid, 0)) v(n, u, q)
		USING (n)
ORDER BY n;

-- a dropped role's entries stay in pg_stat_statements: its OID still
-- resets them
SELECT count(*) > 0 AS gone_role_has_entries
FROM pghero.query_stats WHERE userid = :gone_oid;
SELECT pghero.reset_query_stats(:gone_oid, 0, 0);
SELECT count(*) AS gone_role_entries
FROM pghero.query_stats WHERE userid = :gone_oid;
SELECT action, succeeded,
	   detail ~ format('^userid %s, dbid 0, queryid 0: [1-9][0-9]* entries reset$', :gone_oid) AS detail_ok
FROM pg_temp.new_audit_rows();

-- the reset, scoped like pg_stat_statements_reset(), by name (the marker
-- is run again here: an entry of an earlier test may have been evicted
-- since)
SELECT pg_sleep(0.03) AS regress_slow_marker;
SELECT count(*) > 0 AS marker_stats FROM pghero.query_stats
WHERE database = current_database() AND query LIKE 'SELECT pg_sleep($1) AS regress_slow_marker%';
SELECT pghero.reset_query_stats(dbid => (SELECT oid FROM pg_database WHERE datname = current_database()));
SELECT count(*) AS marker_stats FROM pghero.query_stats
WHERE database = current_database() AND query LIKE 'SELECT pg_sleep($1) AS regress_slow_marker%';
SELECT action, target_pid, succeeded,
	   detail ~ format('^userid 0, dbid %s, queryid 0: [1-9][0-9]* entries reset$',
					   (SELECT oid FROM pg_database WHERE datname = current_database())) AS detail_ok
FROM pg_temp.new_audit_rows();

-- by role: another role's entries stay
RESET ROLE;
SELECT 1 AS regress_super_marker;
SET ROLE regress_pghero_admin;
SELECT 1 AS regress_admin_marker;
SELECT pghero.reset_query_stats(userid => 'regress_pghero_admin'::regrole);
SELECT count(*) FILTER (WHERE query LIKE 'SELECT $1 AS regress_admin_marker%') AS admin_marker_stats,
	   count(*) FILTER (WHERE query LIKE 'SELECT $1 AS regress_super_marker%') AS super_marker_stats
FROM pghero.query_stats WHERE database = current_database();
SELECT action, succeeded,
	   detail ~ format('^userid %s, dbid 0, queryid 0: [1-9][0-9]* entries reset$',
					   'regress_pghero_admin'::regrole::oid) AS detail_ok
FROM pg_temp.new_audit_rows();

-- everything, when asked explicitly
SELECT pghero.reset_query_stats(all_statements => true);
SELECT count(*) FILTER (WHERE query LIKE 'SELECT $1 AS regress_super_marker%') AS super_marker_stats
FROM pghero.query_stats WHERE database = current_database();
SELECT action, target_pid, succeeded,
	   detail ~ '^all statements: [1-9][0-9]* entries reset$' AS detail_ok
FROM pg_temp.new_audit_rows();

-- every row names the caller
SELECT count(*) AS audit_rows,
	   bool_and(role_name = 'regress_pghero_admin') AS role_logged,
	   bool_and(session_user_name = session_user) AS session_user_logged
FROM pghero_internal.audit_log;
-- the dashboard's view of it names the target's role target_username
SELECT action, succeeded, count(*) AS actions, count(target_username) AS with_target_username
FROM pghero.audit_log
GROUP BY action, succeeded
ORDER BY action COLLATE "C", succeeded;
-- the audit log is read-only, even for the admin
DELETE FROM pghero_internal.audit_log;
INSERT INTO pghero_internal.audit_log (role_name, session_user_name, action, succeeded)
VALUES ('someone', 'someone', 'cancel', true);
DELETE FROM pghero.audit_log;
RESET ROLE;

DROP DATABASE regress_pghero_empty;
DROP ROLE regress_pghero_quiet;

-- the audit log is kept by pg_dump
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'pghero';
