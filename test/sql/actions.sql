--
-- Actions: who may call them, what they refuse, what they log
-- (signalling other users' sessions is tested in test/t/)
--
SET client_min_messages = warning;
CREATE ROLE regress_pghero_admin LOGIN;
GRANT pghero_admin TO regress_pghero_admin;

SET ROLE regress_pghero_admin;
-- never the caller's own session
SELECT pghero.cancel(pg_backend_pid());
SELECT pghero.terminate(pg_backend_pid());
-- never a server process (terse: the detail names its pid)
\set VERBOSITY terse
SELECT pghero.terminate(pid) FROM pghero.connections WHERE backend_type = 'checkpointer';
\set VERBOSITY default
-- a process that does not exist: a warning, and nothing done
SELECT pghero.cancel(2147483647);
-- bulk actions skip what they may not touch: here, the caller itself
SELECT count(*) AS killed FROM pghero.kill_all();
SET pghero.long_running_query_sec = 0;
SELECT count(*) AS killed FROM pghero.kill_long_running_queries();
RESET pghero.long_running_query_sec;
SELECT * FROM pghero.kill_all('regress_no_such_database');
-- the reset, scoped like pg_stat_statements_reset()
SELECT count(*) AS marker_stats FROM pghero.query_stats
WHERE database = current_database() AND query LIKE 'SELECT pg_sleep($1) AS regress_slow_marker%';
SELECT pghero.reset_query_stats(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0);
SELECT count(*) AS marker_stats FROM pghero.query_stats
WHERE database = current_database() AND query LIKE 'SELECT pg_sleep($1) AS regress_slow_marker%';
SELECT role_name, session_user_name = session_user AS session_user_logged,
	   action, target_pid, succeeded,
	   detail = format('userid 0, dbid %s, queryid 0', (SELECT oid FROM pg_database WHERE datname = current_database())) AS detail_ok
FROM pghero.audit_log ORDER BY id;
-- the audit log is read-only, even for the admin
DELETE FROM pghero.audit_log;
INSERT INTO pghero.audit_log (role_name, session_user_name, action, succeeded)
VALUES ('someone', 'someone', 'cancel', true);
RESET ROLE;

-- the audit log is kept by pg_dump
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'pghero';
