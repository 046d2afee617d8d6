/* sql/src/19_issues.sql */

--------------------------------------------------------------------------
-- Current issues (1.2): one row per problem, none on a healthy server.
--
-- pghero.issues is the UNION ALL of one internal view per area, each with
-- the same eight columns (check_name, category, severity, database,
-- object, details, description, remediation).  Each check reads the live
-- views of the other topics and compares unrounded values with its
-- threshold (pghero.config()); details carries the unrounded numbers.
-- pghero's own relations never appear (the views read filter them out).
-- Nothing here waits for a relation lock: sizes and definitions come from
-- the lock-free helpers the views use.
--
-- What needs the collector or pg_stat_statements (which may be absent,
-- and whose views come later in the install script) is read by the
-- plpgsql functions below, which degrade to no row.
--------------------------------------------------------------------------

-- The collector's own state: a source whose last run failed, and, when the
-- library is preloaded, enabled and this database is pghero.database on a
-- primary, a collector that does not run.  Nothing, with a NOTICE, when
-- that state cannot be read without waiting for a lock.  When the library is not
-- preloaded nothing is said about the worker.
-- Whether pghero is in shared_preload_libraries (which only roles that may
-- read every setting may examine; the answer is harmless)
CREATE FUNCTION pghero_internal._preloaded()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT FROM pg_catalog.regexp_split_to_table(
						pg_catalog.current_setting('shared_preload_libraries'), '\s*,\s*') l
		WHERE pg_catalog.btrim(l, ' "') OPERATOR(pg_catalog.~) '(^|/)pghero$')
$$;

COMMENT ON FUNCTION pghero_internal._preloaded() IS
'Whether pghero is in shared_preload_libraries, whoever asks (internal)';

-- The NOTICE of a reader that found the collector's state locked by
-- another session (DDL: an upgrade, a restore, a LOCK TABLE) and went on
-- without it instead of waiting
CREATE FUNCTION pghero_internal._state_locked(consequence text, detail text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE NOTICE 'pghero: the collector''s state is locked by another session; %', consequence
		USING DETAIL = detail,
			  HINT = 'pghero''s readers do not wait for locks on its own tables, so as never to hold up other sessions; the lock ends with the other session''s transaction.';
END
$$;

COMMENT ON FUNCTION pghero_internal._state_locked(text, text) IS
'Report that a reader went on without the collector''s state, locked by another session (internal)';

CREATE FUNCTION pghero_internal._issues_collector()
RETURNS TABLE (check_name text, category text, severity text, database name, object text,
			   details jsonb, description text, remediation text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	preloaded boolean;
BEGIN
	PERFORM @extschema@.config();
	preloaded := pghero_internal._preloaded();
	RETURN QUERY
	SELECT 'collector_failing'::text, 'maintenance'::text, 'warning'::text,
		   pg_catalog.current_database(), c.source,
		   pg_catalog.jsonb_build_object('source', c.source, 'last_error', c.last_error,
										 'last_error_at', c.last_error_at,
										 'last_success_at', c.last_success_at,
										 'failures', c.failures),
		   pg_catalog.format('The collector''s %s capture failed at %s (last success: %s): its history has a gap from then on. Error: %s',
							 c.source, c.last_error_at, coalesce(c.last_success_at::text, 'never'), c.last_error),
		   pg_catalog.format('Fix the cause of the error, then check with SELECT * FROM pghero.capture(ARRAY[%L]); (as pghero_admin) and SELECT * FROM pghero.collector;', c.source)
	FROM @extschema@.collector c
	WHERE c.last_error_at IS NOT NULL
	  AND (c.last_success_at IS NULL OR c.last_error_at > c.last_success_at);
	IF preloaded
	   AND pg_catalog.current_setting('pghero.enabled')::boolean
	   AND NOT pg_catalog.pg_is_in_recovery()
	   AND pg_catalog.current_setting('pghero.database') = pg_catalog.current_database()
	   AND NOT EXISTS (SELECT FROM @extschema@.collector c WHERE c.worker_pid IS NOT NULL) THEN
		RETURN QUERY
		SELECT 'collector_not_running'::text, 'maintenance'::text, 'warning'::text,
			   pg_catalog.current_database(), NULL::text,
			   pg_catalog.jsonb_build_object('database', pg_catalog.current_database()),
			   'The pghero collector is not running although pghero is preloaded and enabled for this database: no history (query, activity and space) is being captured.'::text,
			   'SELECT pghero.start_collector(); (as pghero_admin), then look for its LOG lines in the server log if it stops again'::text;
	END IF;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._state_locked('the checks of the collector itself are left out', SQLERRM);
END
$$;

COMMENT ON FUNCTION pghero_internal._issues_collector() IS
'The collector''s findings of pghero.issues: failing capture sources, and a collector that does not run while it should (internal)';

-- Slow statements (PgHero's rule: the 100 statements of most total time,
-- then pghero.slow_query_calls and pghero.slow_query_ms, on unrounded
-- values), from the last 3 hours of history or live from
-- pg_stat_statements
CREATE FUNCTION pghero_internal._issues_slow(from_history boolean)
RETURNS TABLE (check_name text, category text, severity text, database name, object text,
			   details jsonb, description text, remediation text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	WITH q AS (
		SELECT s.database, s.queryid, s.query, s.calls, s.total_ms
		FROM (SELECT h.database, h.queryid, h.query, h.calls, h.total_time_ms AS total_ms
			  FROM @extschema@.query_stats_between(pg_catalog.now() - interval '3 hours', pg_catalog.now()) h
			  WHERE from_history
			  UNION ALL
			  SELECT l.database, l.queryid, l.query, l.calls, l.total_time_ms
			  FROM @extschema@.query_stats l
			  WHERE NOT from_history) s
		ORDER BY s.total_ms DESC
		LIMIT 100)
	SELECT 'slow_query'::text, 'performance'::text, 'warning'::text,
		   q.database, q.queryid::text,
		   pg_catalog.jsonb_build_object('queryid', q.queryid, 'calls', q.calls,
										 'total_time_ms', q.total_ms,
										 'mean_time_ms', q.total_ms / q.calls,
										 'threshold_ms', c.slow_query_ms,
										 'min_calls', c.slow_query_calls,
										 'source', CASE WHEN from_history THEN 'history (last 3 hours)' ELSE 'pg_stat_statements' END,
										 'query', pg_catalog.left(q.query, 1000)),
		   pg_catalog.format('A statement called %s times %s takes %s ms on average (pghero.slow_query_ms = %s), %s ms in all: %s',
							 q.calls, CASE WHEN from_history THEN 'in the last 3 hours' ELSE 'since pg_stat_statements was reset' END,
							 pg_catalog.round((q.total_ms / q.calls)::numeric, 1), c.slow_query_ms,
							 pg_catalog.round(q.total_ms::numeric), pg_catalog.left(q.query, 200)),
		   pg_catalog.format('EXPLAIN (ANALYZE, BUFFERS) the statement (queryid %s, SELECT query FROM pghero.query_stats WHERE queryid = %s) and add the index or rewrite it shows; see pghero.query_history(%s) for its trend', q.queryid, q.queryid, q.queryid)
	FROM q CROSS JOIN @extschema@.config() c
	WHERE q.calls >= c.slow_query_calls
	  AND q.total_ms / q.calls >= c.slow_query_ms
	  -- pghero's own readers (dashboards, probes polling health()) and
	  -- its collector are no findings
	  AND coalesce(q.query, '') !~ '\mpghero(_internal)?\.';
END
$$;

COMMENT ON FUNCTION pghero_internal._issues_slow(boolean) IS
'Slow statements for pghero.issues, from the last 3 hours of history or live from pg_stat_statements (internal)';

-- Slow statements from history when the collector captured statements
-- recently (live from pg_stat_statements otherwise, or when the history or
-- the collector's state is locked), and pg_stat_statements near its
-- maximum and evicting entries.
-- Nothing when pg_stat_statements is absent.
CREATE FUNCTION pghero_internal._issues_statements()
RETURNS TABLE (check_name text, category text, severity text, database name, object text,
			   details jsonb, description text, remediation text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	from_history boolean;
	entries bigint;
	max_entries bigint;
	deallocs bigint;
BEGIN
	PERFORM @extschema@.config();
	BEGIN
		from_history := EXISTS (
			SELECT FROM @extschema@.collector c
			WHERE c.source = 'statements'
			  AND c.last_success_at >= pg_catalog.now()
				  - pg_catalog.make_interval(secs => 3 * pghero_internal._setting_seconds('pghero.capture_interval')));
	EXCEPTION WHEN lock_not_available THEN
		-- the collector's state is locked: read pg_stat_statements now
		from_history := false;
	END;
	BEGIN
		BEGIN
			RETURN QUERY SELECT * FROM pghero_internal._issues_slow(from_history);
		EXCEPTION WHEN lock_not_available THEN
			RETURN QUERY SELECT * FROM pghero_internal._issues_slow(false);
		END;

		SELECT pg_catalog.count(*) INTO entries FROM pghero_internal._pgss_statements(false);
		max_entries := pg_catalog.current_setting('pg_stat_statements.max', true)::bigint;
		SELECT i.dealloc INTO deallocs FROM pghero_internal._pgss_info() i;
		IF deallocs > 0 AND entries >= 0.9 * max_entries THEN
			RETURN QUERY
			SELECT 'statements_deallocating'::text, 'performance'::text, 'warning'::text,
				   NULL::name, 'pg_stat_statements.max'::text,
				   pg_catalog.jsonb_build_object('entries', entries, 'max', max_entries,
												 'fill_percent', 100.0 * entries / max_entries,
												 'deallocations', deallocs),
				   pg_catalog.format('pg_stat_statements holds %s of its %s entries and has evicted the least used ones %s times since its last reset: statistics of rare statements are lost and query history becomes lossy.',
									 entries, max_entries, deallocs),
				   pg_catalog.format('ALTER SYSTEM SET pg_stat_statements.max = %s; then restart the server (or reduce distinct statements, e.g. pg_stat_statements.track = top)', max_entries * 2);
		END IF;
	EXCEPTION WHEN object_not_in_prerequisite_state OR feature_not_supported THEN
		RETURN;
	END;
END
$$;

COMMENT ON FUNCTION pghero_internal._issues_statements() IS
'The statement findings of pghero.issues: slow statements (from the last 3 hours of history when the collector captures them, else live) and pg_stat_statements evicting entries; none without pg_stat_statements (internal)';

--------------------------------------------------------------------------
-- Activity: sessions, connections, locks, old snapshots
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_activity AS
WITH a AS MATERIALIZED (
	SELECT * FROM pghero_internal._activity()),
waiters AS (
	SELECT l.pid, l.database AS datid, l.relation, l.waitstart,
		   greatest(w.read_at - coalesce(l.waitstart, w.query_start), '0'::interval) AS waited,
		   w.usename, w.query, w.datname
	FROM pg_catalog.pg_locks l
		 JOIN a w ON w.pid = l.pid
	WHERE NOT l.granted
	  AND l.mode = 'AccessExclusiveLock'
	  AND l.locktype = 'relation'),
blocked AS (
	SELECT b.pid AS blocked_pid, bp.pid AS blocking_pid
	FROM a b
		 CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids(b.pid)) AS bp(pid)
	WHERE b.wait_event_type = 'Lock'),
queue AS (
	SELECT w.*,
		   (SELECT pg_catalog.count(*) FROM blocked k WHERE k.blocking_pid = w.pid) AS sessions_blocked,
		   ARRAY(SELECT k.blocking_pid FROM blocked k WHERE k.blocked_pid = w.pid ORDER BY 1) AS waits_for,
		   CASE WHEN w.datid = (SELECT d.oid FROM pg_catalog.pg_database d
								WHERE d.datname = pg_catalog.current_database())
				THEN (SELECT pg_catalog.format('%s.%s', n.nspname, c.relname)
					  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
					  WHERE c.oid = w.relation)
		   END AS relname
	FROM waiters w),
cs AS (SELECT * FROM @extschema@.connection_summary)
-- long-running queries (PgHero: more than pghero.long_running_query_sec)
SELECT 'long_running_query'::text AS check_name,
	   'performance'::text AS category,
	   'warning'::text AS severity,
	   q.database,
	   q.pid::text AS object,
	   pg_catalog.jsonb_build_object('pid', q.pid, 'username', q.username, 'state', q.state,
									 'duration_ms', q.duration_ms, 'threshold_sec', c.long_running_query_sec,
									 'application_name', q.application_name,
									 'query', pg_catalog.left(q.query, 1000)) AS details,
	   pg_catalog.format('Session %s (%s) has been running one query for %s (pghero.long_running_query_sec = %s): it holds its locks and snapshot, and keeps vacuum from removing dead rows. Query: %s',
						 q.pid, q.username, q.duration, c.long_running_query_sec,
						 pg_catalog.left(q.query, 200)) AS description,
	   pg_catalog.format('SELECT pghero.cancel(%s, %L); (as pghero_admin), and set a limit: ALTER ROLE %I SET statement_timeout = ''%ss'';',
						 q.pid, q.backend_start, q.username, c.long_running_query_sec) AS remediation
FROM @extschema@.long_running_queries q
	 CROSS JOIN @extschema@.config() c
UNION ALL
-- high number of connections (PgHero)
SELECT 'high_connections', 'capacity',
	   CASE WHEN s.total_connections >= s.available_connections THEN 'critical' ELSE 'warning' END,
	   NULL, NULL,
	   pg_catalog.jsonb_build_object('total_connections', s.total_connections,
									 'threshold', c.total_connections_threshold,
									 'max_connections', s.max_connections,
									 'available_connections', s.available_connections),
	   pg_catalog.format('%s client connections are open (pghero.total_connections_threshold = %s), of %s that ordinary roles may open: each costs memory and, once none is left, new connections are refused.',
						 s.total_connections, c.total_connections_threshold, s.available_connections),
	   'Put a connection pooler (PgBouncer) in front of the server or lower the applications'' pool sizes; see SELECT * FROM pghero.connection_sources ORDER BY total_connections DESC;'
FROM cs s CROSS JOIN @extschema@.config() c
WHERE s.high_connections
UNION ALL
-- many sessions idle in transaction (PgHero)
SELECT 'high_idle_in_transaction', 'capacity', 'warning', NULL, NULL,
	   pg_catalog.jsonb_build_object('idle_in_transaction_connections', s.idle_in_transaction_connections,
									 'threshold', c.idle_in_transaction_threshold),
	   pg_catalog.format('%s sessions are idle in a transaction (pghero.idle_in_transaction_threshold = %s): they hold connections, locks and old snapshots that keep vacuum from removing dead rows.',
						 s.idle_in_transaction_connections, c.idle_in_transaction_threshold),
	   'Fix the applications that leave transactions open, and set a limit: ALTER SYSTEM SET idle_in_transaction_session_timeout = ''5min''; SELECT pg_reload_conf();'
FROM cs s CROSS JOIN @extschema@.config() c
WHERE s.high_idle_in_transaction
UNION ALL
-- lock queue: an ACCESS EXCLUSIVE request waiting while others wait behind it
SELECT 'lock_queue', 'availability', 'critical', q.datname,
	   coalesce(q.relname, 'relation ' || q.relation),
	   pg_catalog.jsonb_build_object('pid', q.pid, 'username', q.usename,
									 'waited_ms', pg_catalog.extract('epoch', q.waited) * 1000,
									 'threshold_sec', c.lock_wait_threshold,
									 'sessions_blocked', q.sessions_blocked,
									 'waits_for', pg_catalog.to_jsonb(q.waits_for),
									 'query', pg_catalog.left(q.query, 1000)),
	   pg_catalog.format('Session %s has waited %s for an ACCESS EXCLUSIVE lock on %s, behind session(s) %s, and %s other session(s) now queue behind it: every read and write of the table waits.',
						 q.pid, pg_catalog.date_trunc('milliseconds', q.waited),
						 coalesce(q.relname, 'relation ' || q.relation),
						 pg_catalog.array_to_string(q.waits_for, ', '), q.sessions_blocked),
	   pg_catalog.format('Cancel the waiting statement: SELECT pghero.cancel(%s); (as pghero_admin), or end the session(s) it waits for (pghero.terminate); run DDL with SET lock_timeout = ''5s'' and retry.',
						 q.pid)
FROM queue q CROSS JOIN @extschema@.config() c
WHERE q.sessions_blocked > 0
  AND q.waited > pg_catalog.make_interval(secs => c.lock_wait_threshold)
UNION ALL
-- sessions holding back the xmin horizon
SELECT 'xmin_horizon', 'maintenance', 'warning', h.datname, h.pid::text,
	   pg_catalog.jsonb_build_object('pid', h.pid, 'username', h.usename, 'state', h.state,
									 'xmin_age', h.xmin_age, 'threshold', c.xmin_horizon_age,
									 'transaction_duration_ms',
									 pg_catalog.extract('epoch', h.read_at - h.xact_start) * 1000,
									 'query', pg_catalog.left(h.query, 1000)),
	   pg_catalog.format('Session %s (%s, %s) holds a snapshot %s transactions old (pghero.xmin_horizon_age = %s): vacuum cannot remove any row deleted or updated since, anywhere in the cluster, and tables bloat.',
						 h.pid, h.usename, h.state, h.xmin_age, c.xmin_horizon_age),
	   pg_catalog.format('End the transaction (COMMIT or ROLLBACK in its application), or SELECT pghero.terminate(%s, %L); (as pghero_admin); set idle_in_transaction_session_timeout to prevent it.',
						 h.pid, h.backend_start)
FROM (SELECT s.*,
			 greatest(pg_catalog.age(s.backend_xmin), pg_catalog.age(s.backend_xid))::bigint AS xmin_age
	  FROM a s
	  WHERE s.pid <> pg_catalog.pg_backend_pid()
		AND (s.backend_xmin IS NOT NULL OR s.backend_xid IS NOT NULL)) h
	 CROSS JOIN @extschema@.config() c
WHERE h.xmin_age > c.xmin_horizon_age
UNION ALL
-- old prepared transactions
SELECT 'prepared_transaction', 'maintenance', 'warning', p.database, p.gid,
	   pg_catalog.jsonb_build_object('gid', p.gid, 'owner', p.owner, 'prepared', p.prepared,
									 'age_ms', pg_catalog.extract('epoch', pg_catalog.now() - p.prepared) * 1000,
									 'xid_age', pg_catalog.age(p.transaction)::bigint,
									 'threshold_sec', c.prepared_xact_age),
	   pg_catalog.format('Transaction %L was prepared %s ago (pghero.prepared_xact_age = %ss) and is neither committed nor rolled back: it keeps its locks and holds back vacuum (%s transactions old) until it is, even across restarts.',
						 p.gid, pg_catalog.date_trunc('seconds', pg_catalog.now() - p.prepared),
						 c.prepared_xact_age, pg_catalog.age(p.transaction)),
	   pg_catalog.format('Connected to database %I, as %I or a superuser: COMMIT PREPARED %L; or ROLLBACK PREPARED %L; (ask its transaction manager which)',
						 p.database, p.owner, p.gid, p.gid)
FROM pg_catalog.pg_prepared_xacts p
	 CROSS JOIN @extschema@.config() c
WHERE pg_catalog.now() - p.prepared > pg_catalog.make_interval(secs => c.prepared_xact_age);

COMMENT ON VIEW pghero_internal._issues_activity IS
'Findings of pghero.issues about sessions: long-running queries, connections, lock queues, old snapshots, prepared transactions (internal)';

--------------------------------------------------------------------------
-- Maintenance: wraparound, invalid objects, autovacuum, configuration
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_maintenance AS
WITH w AS (
	SELECT d.*,
		   CASE WHEN d.relname IS NOT NULL THEN pg_catalog.format('%s.%s', d.schemaname, d.relname) END AS obj
	FROM @extschema@.transaction_id_danger d),
dead AS (
	-- pg_stat_all_tables' counters, read only for the tables that have
	-- dead rows (the threshold is never negative)
	SELECT n.nspname AS schemaname, cl.relname, cl.oid AS relid,
		   pg_catalog.pg_stat_get_dead_tuples(cl.oid) AS n_dead_tup,
		   pg_catalog.pg_stat_get_last_autovacuum_time(cl.oid) AS last_autovacuum,
		   pg_catalog.pg_stat_get_last_vacuum_time(cl.oid) AS last_vacuum,
		   cl.reltuples,
		   coalesce((SELECT o.option_value::boolean FROM pg_catalog.pg_options_to_table(cl.reloptions) o
					 WHERE o.option_name = 'autovacuum_enabled'), true)
		   AND pg_catalog.current_setting('autovacuum')::boolean AS autovacuum_enabled,
		   coalesce((SELECT o.option_value::float8 FROM pg_catalog.pg_options_to_table(cl.reloptions) o
					 WHERE o.option_name = 'autovacuum_vacuum_threshold'),
					pg_catalog.current_setting('autovacuum_vacuum_threshold')::float8)
		   + coalesce((SELECT o.option_value::float8 FROM pg_catalog.pg_options_to_table(cl.reloptions) o
					   WHERE o.option_name = 'autovacuum_vacuum_scale_factor'),
					  pg_catalog.current_setting('autovacuum_vacuum_scale_factor')::float8)
			 * greatest(cl.reltuples, 0) AS vacuum_threshold
	FROM pg_catalog.pg_class cl
		 JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
	WHERE cl.relkind IN ('r', 'm')
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])
	  AND NOT pghero_internal._is_own_schema(cl.relnamespace)
	  AND pg_catalog.pg_stat_get_dead_tuples(cl.oid) > 0)
-- transaction IDs (PgHero's transaction_id_danger, tables and databases)
SELECT 'transaction_id_wraparound'::text AS check_name,
	   'availability'::text AS category,
	   CASE WHEN w.transactions_left < 100000000 THEN 'critical' ELSE 'warning' END::text AS severity,
	   w.database,
	   w.obj AS object,
	   pg_catalog.jsonb_build_object('kind', w.kind, 'xid_age', w.xid_age,
									 'transactions_left', w.transactions_left,
									 'threshold', c.transaction_id_danger) AS details,
	   pg_catalog.format('%s %s is %s transactions old: writes will stop in about %s transactions, when the server refuses new transaction IDs to prevent wraparound (pghero.transaction_id_danger = %s).',
						 pg_catalog.initcap(w.kind), coalesce(w.obj, w.database), w.xid_age,
						 w.transactions_left, c.transaction_id_danger) AS description,
	   CASE WHEN w.kind = 'table'
			THEN pg_catalog.format('VACUUM (FREEZE, VERBOSE) %I.%I; (end old transactions and drop unused replication slots first: see pghero.issues check xmin_horizon)', w.schemaname, w.relname)
			ELSE pg_catalog.format('vacuumdb --freeze --dbname=%s (or VACUUM (FREEZE, VERBOSE); connected to it), after ending old transactions; raise autovacuum_vacuum_cost_limit if autovacuum falls behind', w.database)
	   END AS remediation
FROM w CROSS JOIN @extschema@.config() c
WHERE w.transactions_left < c.transaction_id_danger
UNION ALL
-- multixact IDs
SELECT 'multixact_wraparound', 'availability',
	   CASE WHEN w.multixacts_left < 100000000 THEN 'critical' ELSE 'warning' END,
	   w.database, w.obj,
	   pg_catalog.jsonb_build_object('kind', w.kind, 'mxid_age', w.mxid_age,
									 'multixacts_left', w.multixacts_left,
									 'threshold', c.transaction_id_danger),
	   pg_catalog.format('%s %s is %s multixacts old: writes that lock rows will stop in about %s multixacts, when the server refuses new multixact IDs to prevent wraparound (pghero.transaction_id_danger = %s).',
						 pg_catalog.initcap(w.kind), coalesce(w.obj, w.database), w.mxid_age,
						 w.multixacts_left, c.transaction_id_danger),
	   CASE WHEN w.kind = 'table'
			THEN pg_catalog.format('VACUUM (FREEZE, VERBOSE) %I.%I;', w.schemaname, w.relname)
			ELSE pg_catalog.format('vacuumdb --freeze --dbname=%s (or VACUUM (FREEZE, VERBOSE); connected to it)', w.database)
	   END
FROM w CROSS JOIN @extschema@.config() c
WHERE w.multixacts_left < c.transaction_id_danger
UNION ALL
-- a forced anti-wraparound autovacuum is near (autovacuum_danger)
SELECT 'anti_wraparound_vacuum', 'maintenance', 'info', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', v.schemaname, v.relname),
	   pg_catalog.jsonb_build_object('xid_age', v.xid_age, 'freeze_max_age', v.freeze_max_age,
									 'transactions_left', v.transactions_left,
									 'mxid_age', v.mxid_age,
									 'multixact_freeze_max_age', v.multixact_freeze_max_age,
									 'multixacts_left', v.multixacts_left),
	   pg_catalog.format('Table %s.%s is within %s transactions (%s multixacts) of a forced anti-wraparound autovacuum, which cannot be cancelled and blocks DDL on it while it runs.',
						 v.schemaname, v.relname, v.transactions_left, v.multixacts_left),
	   pg_catalog.format('VACUUM (FREEZE, VERBOSE) %I.%I; at a quiet time', v.schemaname, v.relname)
FROM @extschema@.autovacuum_danger v
UNION ALL
SELECT 'invalid_index', 'performance', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', i.schemaname, i.indexname),
	   pg_catalog.jsonb_build_object('table', pg_catalog.format('%s.%s', i.schemaname, i.tablename),
									 'size_bytes', i.size_bytes, 'definition', i.definition),
	   pg_catalog.format('Index %s.%s on %s is invalid (a failed CREATE INDEX CONCURRENTLY or REINDEX): queries cannot use it, yet every write to the table still maintains it (%s bytes).',
						 i.schemaname, i.indexname, i.tablename, i.size_bytes),
	   i.fix_sql || '; (or DROP INDEX CONCURRENTLY and create it again)'
FROM @extschema@.invalid_indexes i
WHERE NOT pghero_internal._is_own(i.table_relid)
UNION ALL
SELECT 'invalid_constraint', 'maintenance', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s.%s', k.schemaname, k.tablename, k.constraint_name),
	   pg_catalog.jsonb_build_object('table', pg_catalog.format('%s.%s', k.schemaname, k.tablename),
									 'constraint', k.constraint_name, 'type', k.type,
									 'definition', k.definition),
	   pg_catalog.format('The %s constraint %s of %s.%s was added NOT VALID and never validated: rows older than it may violate it, and the planner cannot rely on it.',
						 k.type, k.constraint_name, k.schemaname, k.tablename),
	   k.fix_sql || ';'
FROM @extschema@.invalid_constraints k
WHERE NOT pghero_internal._is_own(k.table_relid)
UNION ALL
-- autovacuum has not run although the dead rows passed its threshold
SELECT 'autovacuum_behind', 'maintenance', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', d.schemaname, d.relname),
	   pg_catalog.jsonb_build_object('dead_rows', d.n_dead_tup, 'vacuum_threshold', d.vacuum_threshold,
									 'estimated_rows', d.reltuples,
									 'autovacuum_enabled', d.autovacuum_enabled,
									 'last_autovacuum', d.last_autovacuum, 'last_vacuum', d.last_vacuum),
	   pg_catalog.format('Table %s.%s has %s dead rows, past its autovacuum threshold of %s, and %s: the dead rows take space and slow scans until it is vacuumed.',
						 d.schemaname, d.relname, d.n_dead_tup, pg_catalog.round(d.vacuum_threshold::numeric),
						 CASE WHEN NOT d.autovacuum_enabled THEN 'autovacuum is disabled for it'
							  WHEN coalesce(d.last_autovacuum, d.last_vacuum) IS NULL THEN 'it was never vacuumed'
							  ELSE 'it was not vacuumed in the last hour' END),
	   pg_catalog.format('VACUUM (VERBOSE, ANALYZE) %I.%I;%s', d.schemaname, d.relname,
						 CASE WHEN NOT d.autovacuum_enabled
							  THEN pg_catalog.format(' and ALTER TABLE %I.%I RESET (autovacuum_enabled); (or autovacuum = on)', d.schemaname, d.relname)
							  ELSE ' and check that autovacuum keeps up (autovacuum_max_workers, autovacuum_vacuum_cost_limit; pghero.vacuum_progress)' END)
FROM dead d
WHERE d.n_dead_tup > d.vacuum_threshold
  AND (NOT d.autovacuum_enabled
	   OR greatest(d.last_autovacuum, d.last_vacuum) IS NULL
	   OR greatest(d.last_autovacuum, d.last_vacuum) < pg_catalog.now() - interval '1 hour')
  AND NOT EXISTS (SELECT FROM pghero_internal._vacuum_progress() p WHERE p.relid = d.relid)
UNION ALL
SELECT 'settings_pending_restart', 'maintenance', 'info', NULL, s.name,
	   pg_catalog.jsonb_build_object('setting', s.name, 'current_value', s.setting, 'unit', s.unit),
	   pg_catalog.format('Setting %s was changed in the configuration but keeps its value %s%s until the server restarts.',
						 s.name, s.setting, coalesce(s.unit, '')),
	   'Restart the server at a convenient time (pg_ctl restart), or revert the change in postgresql.conf / ALTER SYSTEM RESET ' || s.name || ';'
FROM pg_catalog.pg_settings s
WHERE s.pending_restart
UNION ALL
SELECT 'collation_version_mismatch', 'maintenance', 'warning', v.datname, NULL,
	   pg_catalog.jsonb_build_object('recorded_version', v.recorded_version, 'actual_version', v.actual_version),
	   pg_catalog.format('Database %s was created with collation version %s but the operating system now provides %s: indexes on text columns may be corrupt (rows missed or duplicated) until rebuilt.',
						 v.datname, v.recorded_version, v.actual_version),
	   pg_catalog.format('Connected to database %I: REINDEX DATABASE %I; then ALTER DATABASE %I REFRESH COLLATION VERSION;',
						 v.datname, v.datname, v.datname)
FROM pghero_internal._collation_versions() v
WHERE v.recorded_version IS DISTINCT FROM v.actual_version
  AND v.recorded_version IS NOT NULL
  AND v.actual_version IS NOT NULL
UNION ALL
SELECT * FROM pghero_internal._issues_collector();

COMMENT ON VIEW pghero_internal._issues_maintenance IS
'Findings of pghero.issues about maintenance: wraparound, invalid indexes and constraints, autovacuum falling behind, settings, collations, the collector (internal)';

--------------------------------------------------------------------------
-- Capacity: sequences and bloat
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_capacity AS
SELECT 'sequence_near_max'::text AS check_name,
	   'capacity'::text AS category,
	   CASE WHEN 100.0 * s.last_value / s.max_value > 99 THEN 'critical' ELSE 'warning' END::text AS severity,
	   pg_catalog.current_database() AS database,
	   pg_catalog.format('%s.%s.%s', s.schemaname, s.relname, s.column_name) AS object,
	   pg_catalog.jsonb_build_object('sequence', pg_catalog.format('%s.%s', s.sequence_schema, s.sequence_name),
									 'column_type', s.column_type, 'last_value', s.last_value,
									 'max_value', s.max_value, 'values_left', s.values_left,
									 'percent_used', 100.0 * s.last_value / s.max_value,
									 'threshold_percent', c.sequence_danger_percent) AS details,
	   pg_catalog.format('Column %s.%s.%s (%s) has used %s%% of its range: inserts will fail after %s more values.',
						 s.schemaname, s.relname, s.column_name, s.column_type, s.percent_used, s.values_left) AS description,
	   CASE WHEN s.column_type IN ('smallint', 'integer')
			THEN pg_catalog.format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE bigint; (rewrites the table under an ACCESS EXCLUSIVE lock) and ALTER SEQUENCE %I.%I AS bigint;',
								   s.schemaname, s.relname, s.column_name, s.sequence_schema, s.sequence_name)
			ELSE pg_catalog.format('ALTER SEQUENCE %I.%I MAXVALUE ... or CYCLE, or move to a wider key', s.sequence_schema, s.sequence_name)
	   END AS remediation
FROM @extschema@.sequence_danger s
	 CROSS JOIN @extschema@.config() c
UNION ALL
SELECT 'table_bloat', 'capacity', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', b.schemaname, b.relname),
	   pg_catalog.jsonb_build_object('table_bytes', b.table_bytes, 'bloat_bytes', b.bloat_bytes,
									 'bloat_percent', 100.0 * b.bloat_bytes / b.table_bytes,
									 'threshold_percent', c.bloat_percent_threshold,
									 'min_bytes', c.index_bloat_min_bytes),
	   pg_catalog.format('Table %s.%s wastes an estimated %s of its %s (%s%%; pghero.bloat_percent_threshold = %s): scans read the wasted pages too.',
						 b.schemaname, b.relname, b.bloat_size, b.table_size,
						 pg_catalog.round(100.0 * b.bloat_bytes / b.table_bytes, 1), c.bloat_percent_threshold),
	   pg_catalog.format('VACUUM (VERBOSE) %I.%I; lets the space be reused; to give it back, VACUUM FULL %I.%I; (ACCESS EXCLUSIVE lock) or pg_repack', b.schemaname, b.relname, b.schemaname, b.relname)
FROM @extschema@.table_bloat b
	 CROSS JOIN @extschema@.config() c
WHERE b.table_bytes > 0
  AND 100.0 * b.bloat_bytes / b.table_bytes > c.bloat_percent_threshold
  AND b.bloat_bytes >= c.index_bloat_min_bytes
  AND NOT pghero_internal._is_own(b.relid)
UNION ALL
SELECT 'index_bloat', 'capacity', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', b.schemaname, b.indexname),
	   pg_catalog.jsonb_build_object('index_bytes', b.index_bytes, 'bloat_bytes', b.bloat_bytes,
									 'bloat_percent', 100.0 * b.bloat_bytes / b.index_bytes,
									 'threshold_percent', c.bloat_percent_threshold,
									 'min_bytes', c.index_bloat_min_bytes),
	   pg_catalog.format('Index %s.%s wastes an estimated %s of its %s (%s%%; pghero.bloat_percent_threshold = %s): it uses more memory and I/O than needed.',
						 b.schemaname, b.indexname, b.bloat_size, b.index_size,
						 pg_catalog.round(100.0 * b.bloat_bytes / b.index_bytes, 1), c.bloat_percent_threshold),
	   b.fix_sql || ';'
FROM @extschema@.index_bloat b
	 CROSS JOIN @extschema@.config() c
WHERE b.index_bytes > 0
  AND 100.0 * b.bloat_bytes / b.index_bytes > c.bloat_percent_threshold
  AND NOT pghero_internal._is_own(b.table_relid)
-- the file systems of the data directory and of pg_wal (when it is on
-- another one): available space or inodes below pghero.disk_free_percent,
-- critical below half of it (file systems that report no inodes are
-- judged by their space)
UNION ALL
SELECT 'disk_space_low', 'capacity',
	   CASE WHEN LEAST(f.available_percent, f.inodes_free_percent) < c.disk_free_percent / 2
			THEN 'critical' ELSE 'warning' END,
	   NULL::name,
	   f.kind,
	   pg_catalog.jsonb_build_object('filesystem', f.kind, 'total_bytes', f.total_bytes,
									 'available_bytes', f.available_bytes,
									 'available_percent', f.available_percent,
									 'inodes_total', f.inodes_total, 'inodes_free', f.inodes_free,
									 'inodes_free_percent', f.inodes_free_percent,
									 'threshold_percent', c.disk_free_percent),
	   pg_catalog.format('The file system of the %s has %s available of %s (%s%% of its space, %s%% of its inodes free; pghero.disk_free_percent = %s): %s',
						 CASE f.kind WHEN 'data' THEN 'data directory' ELSE 'WAL (pg_wal)' END,
						 pg_catalog.pg_size_pretty(f.available_bytes), pg_catalog.pg_size_pretty(f.total_bytes),
						 pg_catalog.round(f.available_percent, 1),
						 coalesce(pg_catalog.round(f.inodes_free_percent, 1)::text, 'unknown'),
						 c.disk_free_percent,
						 CASE f.kind
							  WHEN 'data' THEN CASE WHEN f.wal_here
								   THEN 'once it is full, writes fail (could not extend file) and, since pg_wal is on it too, the server stops (PANIC) and does not start again until space is freed.'
								   ELSE 'once it is full, writes fail (could not extend file) and checkpoints fail.' END
							  ELSE 'once it is full, the server stops (PANIC) and does not start again until space is freed.' END),
	   CASE f.kind
			WHEN 'data' THEN 'Grow the file system or free space on it: see what grows in pghero.space_growth() and pghero.relation_sizes, drop or truncate what is not needed, VACUUM FULL or pg_repack bloated tables (pghero.table_bloat); never delete files under the data directory by hand'
			ELSE 'Find what keeps WAL: inactive slots (SELECT * FROM pghero.replication_slots;, then SELECT pg_drop_replication_slot(''...'');), failing archiving (SELECT * FROM pg_stat_archiver;), a high max_wal_size or wal_keep_size; then grow the file system; never delete files in pg_wal by hand' END
FROM (SELECT fs.kind, fs.same_as_data, fs.total_bytes, fs.available_bytes, fs.inodes_total, fs.inodes_free,
			 100 * fs.available_bytes / NULLIF(fs.total_bytes, 0) AS available_percent,
			 100 * fs.inodes_free / NULLIF(fs.inodes_total, 0) AS inodes_free_percent,
			 pg_catalog.bool_or(fs.kind = 'wal' AND fs.same_as_data) OVER () AS wal_here
	  FROM pghero_internal._filesystems() fs) f
	 CROSS JOIN @extschema@.config() c
WHERE (f.kind = 'data' OR NOT f.same_as_data)
  AND (f.available_percent < c.disk_free_percent
	   OR f.inodes_free_percent < c.disk_free_percent)
-- the host (1.3): pages swapped in and out per second over the interval
-- between the last two samples (pghero.host_status) above
-- pghero.swap_pages_per_second
UNION ALL
SELECT 'swapping', 'capacity', 'warning', NULL::name, 'host',
	   pg_catalog.jsonb_build_object('swap_in_per_second', h.swap_in_per_second,
									 'swap_out_per_second', h.swap_out_per_second,
									 'interval_seconds', h.interval_seconds,
									 'swap_used_bytes', h.swap_used_bytes,
									 'memory_available_bytes', h.memory_available_bytes,
									 'threshold', c.swap_pages_per_second),
	   pg_catalog.format('The host swaps %s pages in and %s out per second (over the last %s s; pghero.swap_pages_per_second = %s), with %s of memory available: memory is short, and what is swapped out is read back from disk.',
						 pg_catalog.round(h.swap_in_per_second::numeric, 1),
						 pg_catalog.round(h.swap_out_per_second::numeric, 1),
						 pg_catalog.round(h.interval_seconds::numeric, 1),
						 c.swap_pages_per_second,
						 coalesce(pg_catalog.pg_size_pretty(h.memory_available_bytes), 'an unknown amount')),
	   'Find what uses the memory (shared_buffers, work_mem times the connections, maintenance_work_mem, other processes on the host); lower it, or add memory'
FROM pghero_internal._host_status() h
	 CROSS JOIN @extschema@.config() c
WHERE h.swap_in_per_second + h.swap_out_per_second > c.swap_pages_per_second
-- the host (1.3): CPU busy at or above pghero.cpu_busy_percent in every
-- capture of host history of the last pghero.cpu_saturated_minutes (at
-- least two)
UNION ALL
SELECT 'cpu_saturated', 'capacity', 'warning', NULL::name, 'host',
	   pg_catalog.jsonb_build_object('captures', s.captures,
									 'min_busy_percent', s.min_busy,
									 'threshold_percent', c.cpu_busy_percent,
									 'minutes', c.cpu_saturated_minutes),
	   pg_catalog.format('The CPU of the host was at least %s%% busy (pghero.cpu_busy_percent) in each of the %s captures of the last %s minutes (pghero.cpu_saturated_minutes; the least busy: %s%%): queries wait for CPU.',
						 c.cpu_busy_percent, s.captures, c.cpu_saturated_minutes,
						 pg_catalog.round(s.min_busy::numeric, 1)),
	   'Find what uses the CPU: SELECT * FROM pghero.query_stats ORDER BY total_time_ms DESC LIMIT 10; and SELECT * FROM pghero.running_queries; then tune those statements (indexes, plans), lower the concurrency (a connection pool), or add CPUs'
FROM @extschema@.config() c
	 CROSS JOIN LATERAL (
		SELECT pg_catalog.count(*) AS captures,
			   pg_catalog.min(h.cpu_busy_percent) AS min_busy,
			   pg_catalog.bool_and(coalesce(h.cpu_busy_percent >= c.cpu_busy_percent, false)) AS all_busy
		FROM pghero_internal.host_history h
		WHERE h.generation = (SELECT i.generation FROM pghero_internal.installation i)
		  AND h.captured_at >= pg_catalog.now() - pg_catalog.make_interval(mins => c.cpu_saturated_minutes)
		  AND h.since IS NOT NULL) s
WHERE s.captures >= 2 AND s.all_busy;

COMMENT ON VIEW pghero_internal._issues_capacity IS
'Findings of pghero.issues about capacity: sequences near their maximum, bloated tables and indexes, file systems running out of space, a host that swaps or whose CPU is saturated (internal)';

--------------------------------------------------------------------------
-- Replication and WAL
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_replication AS
SELECT 'replication_lag'::text AS check_name,
	   'availability'::text AS category,
	   'warning'::text AS severity,
	   NULL::name AS database,
	   CASE WHEN r.role = 'primary' THEN coalesce(r.application_name, r.pid::text) END AS object,
	   pg_catalog.jsonb_build_object('role', r.role, 'lag_ms', r.lag_ms, 'lag_bytes', r.lag_bytes,
									 'threshold_ms', 5000) AS details,
	   CASE WHEN r.role = 'standby'
			THEN pg_catalog.format('This standby replays %s behind its primary (%s bytes; more than 5 seconds): reads here see old data.', r.lag, r.lag_bytes)
			ELSE pg_catalog.format('Standby %s replays %s behind (%s bytes; more than 5 seconds): a failover to it would lose or wait for that much.', coalesce(r.application_name, r.pid::text), r.lag, r.lag_bytes)
	   END AS description,
	   'Look for long queries on the standby (hot_standby_feedback, max_standby_streaming_delay), network or disk limits, and SELECT * FROM pghero.replication;'::text AS remediation
FROM @extschema@.replication r
WHERE r.lag_ms > 5000
UNION ALL
SELECT 'inactive_replication_slot', 'capacity', 'warning', s.database, s.slot_name,
	   pg_catalog.jsonb_build_object('slot_type', s.slot_type, 'retained_wal_bytes', s.retained_wal_bytes,
									 'xmin_age', s.xmin_age, 'catalog_xmin_age', s.catalog_xmin_age),
	   pg_catalog.format('Replication slot %s is inactive: it retains %s of WAL (and growing) and may hold back vacuum until a consumer connects or it is dropped; the disk can fill up.',
						 s.slot_name, coalesce(s.retained_wal, '0 bytes')),
	   pg_catalog.format('If no consumer will use it again: SELECT pg_drop_replication_slot(%L);', s.slot_name)
FROM @extschema@.replication_slots s
WHERE NOT s.active
  AND NOT s.temporary
  AND s.wal_status IS DISTINCT FROM 'lost'
UNION ALL
SELECT 'slot_wal_status', 'availability',
	   CASE WHEN s.wal_status = 'lost' THEN 'critical' ELSE 'warning' END,
	   s.database, s.slot_name,
	   pg_catalog.jsonb_build_object('wal_status', s.wal_status, 'active', s.active,
									 'safe_wal_bytes', s.safe_wal_bytes),
	   CASE WHEN s.wal_status = 'lost'
			THEN pg_catalog.format('Replication slot %s has lost WAL its consumer still needed (max_slot_wal_keep_size): that standby or subscriber cannot continue and must be rebuilt.', s.slot_name)
			ELSE pg_catalog.format('Replication slot %s retains more WAL than max_wal_size and the next checkpoint may remove WAL its consumer needs (wal_status unreserved).', s.slot_name)
	   END,
	   CASE WHEN s.wal_status = 'lost'
			THEN pg_catalog.format('SELECT pg_drop_replication_slot(%L); then rebuild the standby (pg_basebackup) or resynchronize the subscription', s.slot_name)
			ELSE 'Make the consumer catch up now, or raise max_slot_wal_keep_size'
	   END
FROM @extschema@.replication_slots s
WHERE s.wal_status IN ('unreserved', 'lost')
UNION ALL
SELECT 'wal_archiving_failing', 'availability', 'critical', NULL, NULL,
	   pg_catalog.jsonb_build_object('failed_count', a.failed_count, 'last_failed_wal', a.last_failed_wal,
									 'last_failed_time', a.last_failed_time,
									 'last_archived_wal', a.last_archived_wal,
									 'last_archived_time', a.last_archived_time),
	   pg_catalog.format('WAL archiving fails (last failure at %s on %s; last success: %s): WAL accumulates in pg_wal until the disk fills, and point-in-time recovery past the last archived segment is impossible.',
						 a.last_failed_time, a.last_failed_wal, coalesce(a.last_archived_time::text, 'never')),
	   'Fix archive_command (or archive_library) so that it succeeds, looking at its errors in the server log; then SELECT pg_switch_wal(); and check pg_stat_archiver'
FROM pg_catalog.pg_stat_archiver a
WHERE pg_catalog.current_setting('archive_mode') <> 'off'
  AND a.last_failed_time IS NOT NULL
  AND (a.last_archived_time IS NULL OR a.last_failed_time > a.last_archived_time);

COMMENT ON VIEW pghero_internal._issues_replication IS
'Findings of pghero.issues about replication and WAL: lag, inactive or lost slots, failing archiving (internal)';

--------------------------------------------------------------------------
-- Performance: statements, indexes, caches, temporary files, checkpoints
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_performance AS
WITH ck AS (
	SELECT k.counters[1] AS timed, k.counters[2] AS requested, k.stats_reset
	FROM pghero_internal._checkpoint_counters() k)
SELECT 'duplicate_index'::text AS check_name,
	   'performance'::text AS category,
	   'warning'::text AS severity,
	   pg_catalog.current_database() AS database,
	   pg_catalog.format('%s.%s', d.schemaname, d.unneeded_index) AS object,
	   pg_catalog.jsonb_build_object('table', pg_catalog.format('%s.%s', d.schemaname, d.tablename),
									 'covering_index', pg_catalog.format('%s.%s', d.schemaname, d.covering_index),
									 'size_bytes', d.size_bytes,
									 'definition', d.unneeded_definition,
									 'covering_definition', d.covering_definition) AS details,
	   pg_catalog.format('Index %s.%s is covered by %s: it serves no query the other cannot, yet costs %s of space and work on every write.',
						 d.schemaname, d.unneeded_index, d.covering_index, d.size) AS description,
	   d.fix_sql || ';' AS remediation
FROM (SELECT DISTINCT ON (x.schemaname, x.unneeded_index) x.*
	  FROM @extschema@.duplicate_indexes x
	  ORDER BY x.schemaname, x.unneeded_index, x.covering_index) d
UNION ALL
SELECT 'unused_index', 'performance', 'info', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', u.schemaname, u.indexname),
	   pg_catalog.jsonb_build_object('table', pg_catalog.format('%s.%s', u.schemaname, u.tablename),
									 'size_bytes', u.size_bytes, 'index_scans', u.index_scans,
									 'stats_reset', u.stats_reset, 'definition', u.definition),
	   pg_catalog.format('Index %s.%s (%s) was never scanned since the statistics were reset (%s ago): it costs space and work on every write.',
						 u.schemaname, u.indexname, u.size, coalesce(u.stats_age, 'never reset')),
	   u.fix_sql || '; (after checking the standbys, where it may be used)'
FROM @extschema@.unused_indexes u
UNION ALL
SELECT 'cache_hit_rate', 'performance', 'info', pg_catalog.current_database(), h.kind,
	   pg_catalog.jsonb_build_object('kind', h.kind, 'blocks_hit', h.blocks_hit, 'blocks_read', h.blocks_read,
									 'hit_rate', 100.0 * h.blocks_hit / (h.blocks_hit + h.blocks_read),
									 'threshold', h.threshold),
	   pg_catalog.format('Only %s%% of %s block reads are served from shared buffers (pghero.cache_hit_rate_threshold = %s): the rest is read from the operating system or disk.',
						 h.hit_rate, h.kind, h.threshold),
	   'Raise shared_buffers (restart) or add memory if the working set does not fit; look for sequential scans: SELECT * FROM pghero.missing_indexes;'
FROM @extschema@.cache_hit_rates h
WHERE NOT h.healthy
  -- a rate over fewer block reads says nothing yet
  AND h.blocks_hit + h.blocks_read >= 10000
UNION ALL
SELECT 'temp_file_spills', 'performance', 'info', d.datname, NULL,
	   pg_catalog.jsonb_build_object('temp_bytes', d.temp_bytes, 'temp_files', d.temp_files,
									 'threshold_bytes', c.temp_bytes_threshold, 'stats_reset', d.stats_reset),
	   pg_catalog.format('Queries of database %s wrote %s to %s temporary files since %s (pghero.temp_bytes_threshold = %s): sorts and hashes that do not fit in work_mem run from disk.',
						 d.datname, pg_catalog.pg_size_pretty(d.temp_bytes), d.temp_files,
						 coalesce(d.stats_reset::text, 'the statistics were reset'),
						 pg_catalog.pg_size_pretty(c.temp_bytes_threshold)),
	   'Find the statements: SELECT query, temp_blks_written FROM pghero.query_stats ORDER BY temp_blks_written DESC LIMIT 10; then add indexes or raise work_mem for them (ALTER ROLE ... SET work_mem); log_temp_files shows each spill'
FROM pg_catalog.pg_stat_database d
	 CROSS JOIN @extschema@.config() c
WHERE d.datname IS NOT NULL
  AND d.temp_bytes > c.temp_bytes_threshold
UNION ALL
SELECT 'checkpoints_requested', 'performance', 'warning', NULL, NULL,
	   pg_catalog.jsonb_build_object('checkpoints_timed', k.timed, 'checkpoints_requested', k.requested,
									 'requested_percent', 100.0 * k.requested / (k.timed + k.requested),
									 'threshold_percent', c.checkpoint_requested_percent,
									 'stats_reset', k.stats_reset),
	   pg_catalog.format('%s of %s checkpoints since %s were requested (WAL reached max_wal_size, or CHECKPOINT) rather than timed (pghero.checkpoint_requested_percent = %s): frequent checkpoints write more full pages to WAL and more buffers.',
						 k.requested, k.timed + k.requested, coalesce(k.stats_reset::text, 'the statistics were reset'),
						 c.checkpoint_requested_percent),
	   pg_catalog.format('ALTER SYSTEM SET max_wal_size = ''%s''; SELECT pg_reload_conf(); (now %s)',
						 pg_catalog.pg_size_pretty(2 * pg_catalog.pg_size_bytes(pg_catalog.current_setting('max_wal_size'))),
						 pg_catalog.current_setting('max_wal_size'))
FROM ck k CROSS JOIN @extschema@.config() c
WHERE k.timed + k.requested >= 10
  AND 100.0 * k.requested / (k.timed + k.requested) > c.checkpoint_requested_percent
UNION ALL
SELECT * FROM pghero_internal._issues_statements();

COMMENT ON VIEW pghero_internal._issues_performance IS
'Findings of pghero.issues about performance: duplicate and unused indexes, cache hit rates, temporary files, checkpoints, slow statements, pg_stat_statements evicting (internal)';

--------------------------------------------------------------------------
-- The list
--------------------------------------------------------------------------

-- Every finding of every check now, with its key
CREATE VIEW pghero_internal._issues_found AS
SELECT i.check_name || ':' || pg_catalog.concat_ws('.', i.database, i.object) AS issue_key,
	   i.check_name,
	   i.category,
	   i.severity,
	   i.database,
	   i.object,
	   i.details,
	   i.description,
	   i.remediation
FROM (SELECT * FROM pghero_internal._issues_activity
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_maintenance
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_capacity
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_replication
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_performance
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_security) i;

COMMENT ON VIEW pghero_internal._issues_found IS
'Every finding of every check now, with its issue key (internal; read through pghero.issues)';

-- Every check evaluated once, as pghero.issues and the collector do it:
-- with JIT off.  The planner's estimate for the whole list over a large
-- catalog passes jit_above_cost, and compiling its hundreds of expressions
-- cost more than a second at 10,000 tables, for a query that runs once.
-- A function, so that the setting applies (a view cannot carry one); it
-- runs with the caller's rights, as the view does (pghero_reader may read
-- pghero_internal._issues_found).  PL/pgSQL keeps the plan for the session
-- (planning the list takes about 20 ms at 10,000 tables, and 100 ms in a
-- new session): the collector and a dashboard that polls over one
-- connection plan it once.
CREATE FUNCTION pghero_internal._evaluate_issues()
RETURNS SETOF pghero_internal._issues_found
LANGUAGE plpgsql VOLATILE
SET jit = off
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY SELECT * FROM pghero_internal._issues_found;
END
$$;

COMMENT ON FUNCTION pghero_internal._evaluate_issues() IS
'Every finding of every check now, evaluated with JIT off (internal)';

-- The collector's state of the issues is read, like every other read that
-- takes a relation lock, without queueing: under lock_timeout = 100ms.
-- Its tables are pghero's own, locked strongly only by DDL (an upgrade, a
-- restore); then the readers below degrade to the live evaluation, and
-- say so in a NOTICE.

-- Whether the collector evaluates the checks: its issues source succeeded
-- within the last two check intervals plus a minute (for a slow run).
-- Then the tracked state (sql/src/22_feed.sql) is current.  False when
-- the collector's state cannot be read without waiting.
CREATE FUNCTION pghero_internal._issues_tracked()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	RETURN (SELECT coalesce(pg_catalog.bool_or(c.last_success_at >= pg_catalog.now()
							- pg_catalog.make_interval(secs => 2 * pghero_internal._setting_seconds('pghero.check_interval') + 60)),
							false)
			FROM pghero_internal.collector_sources c
			WHERE c.source = 'issues');
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._state_locked('the issues are evaluated now, without the collector''s tracking (hysteresis, first_seen)', SQLERRM);
	RETURN false;
END
$$;

COMMENT ON FUNCTION pghero_internal._issues_tracked() IS
'Whether the collector evaluates the checks now (its issues source succeeded within two pghero.check_interval plus a minute); false when its state is locked (internal)';

-- When the collector first and last saw each issue of this generation;
-- nothing (with a NOTICE) when its state cannot be read without waiting
-- (_issue_state() is below, after the view whose rows it returns)
CREATE FUNCTION pghero_internal._issue_times()
RETURNS TABLE (issue_key text, first_seen timestamptz, last_seen timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT s.issue_key, s.first_seen, s.last_seen
	FROM pghero_internal._issue_state(false) s;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._state_locked('first_seen and last_seen are not shown', SQLERRM);
END
$$;

COMMENT ON FUNCTION pghero_internal._issue_times() IS
'When the collector first and last saw each issue; nothing when its state is locked (internal)';

CREATE VIEW @extschema@.issues AS
SELECT f.issue_key,
	   f.check_name,
	   f.category,
	   f.severity,
	   f.database,
	   f.object,
	   f.details,
	   f.description,
	   f.remediation,
	   CASE WHEN t.tracked THEN s.first_seen END AS first_seen,
	   CASE WHEN t.tracked THEN coalesce(s.last_seen, pg_catalog.now()) ELSE pg_catalog.now() END AS last_seen
FROM pghero_internal._evaluate_issues() f
	 CROSS JOIN (SELECT pghero_internal._issues_tracked() AS tracked) t
	 LEFT JOIN pghero_internal._issue_times() s ON s.issue_key = f.issue_key;

COMMENT ON VIEW @extschema@.issues IS
'Current issues: one row per problem found by a check now (PgHero''s overview and more), with its impact and the fix; no row when all is well';

-- The issues as the collector tracks them (sql/src/22_feed.sql), the open
-- ones only or the pending ones too, for readers, who do not read the state
-- table; lock_not_available when it cannot be read without waiting
CREATE FUNCTION pghero_internal._issue_state(open_only boolean)
RETURNS SETOF @extschema@.issues
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	RETURN QUERY
	SELECT s.issue_key, s.check_name, s.category, s.severity, s.database, s.object,
		   s.details, s.description, s.remediation, s.first_seen, s.last_seen
	FROM pghero_internal.issue_state s
	WHERE (s.opened_at IS NOT NULL OR NOT open_only)
	  AND s.generation = (SELECT i.generation FROM pghero_internal.installation i);
END
$$;

COMMENT ON FUNCTION pghero_internal._issue_state(boolean) IS
'The issues the collector tracks: the open ones, or the pending ones too (internal)';

-- The issues alerts follow (health(), issue_counts, the overview): the
-- ones the collector tracks as open (with hysteresis, see the change feed)
-- while it evaluates the checks, the live list otherwise, or when its
-- state cannot be read without waiting; and which of the two they are.
-- Tracked, they cost a read of a small table instead of an evaluation of
-- every check.
CREATE FUNCTION pghero_internal._alerted_issues(OUT tracked boolean, OUT issues @extschema@.issues[])
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	tracked := pghero_internal._issues_tracked();
	IF tracked THEN
		BEGIN
			issues := ARRAY(SELECT o FROM pghero_internal._issue_state(true) o);
			RETURN;
		EXCEPTION WHEN lock_not_available THEN
			PERFORM pghero_internal._state_locked('the issues are evaluated now, without the collector''s tracking (hysteresis, first_seen)', SQLERRM);
			tracked := false;
		END;
	END IF;
	issues := ARRAY(SELECT i FROM @extschema@.issues i);
END
$$;

COMMENT ON FUNCTION pghero_internal._alerted_issues() IS
'The issues alerts follow, and whether they are the collector''s tracked ones (with hysteresis) or were evaluated now (internal)';

CREATE FUNCTION pghero_internal._tracked_issues()
RETURNS SETOF @extschema@.issues
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.*
	FROM pghero_internal._alerted_issues() a
		 CROSS JOIN LATERAL pg_catalog.unnest(a.issues) i
$$;

COMMENT ON FUNCTION pghero_internal._tracked_issues() IS
'The issues alerts follow: as the collector tracks them (with hysteresis) while it evaluates the checks, live otherwise (internal)';

CREATE VIEW @extschema@.issue_counts AS
SELECT i.severity,
	   i.check_name,
	   pg_catalog.count(*) AS issues
FROM pghero_internal._tracked_issues() i
GROUP BY i.severity, i.check_name;

COMMENT ON VIEW @extschema@.issue_counts IS
'Current issues counted by severity and check, as alerts follow them: the collector''s open issues (with hysteresis) while it evaluates the checks, the live ones otherwise; no row when all is well';

-- The issues alerts follow, summed up in one pass: the most severe
-- decides (info issues leave it ok), the counts per severity, whether they
-- are the collector's tracked ones, and the top issue (the most severe,
-- then the longest open); health() and the overview read it
CREATE FUNCTION pghero_internal._issue_summary(
	OUT status text, OUT critical bigint, OUT warning bigint, OUT info bigint,
	OUT tracked boolean, OUT top_issue_key text, OUT top_issue_severity text,
	OUT top_issue_description text)
RETURNS record
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH a AS MATERIALIZED (
		SELECT * FROM pghero_internal._alerted_issues()),
	i AS MATERIALIZED (
		SELECT t.issue_key, t.severity, t.description, t.first_seen
		FROM a CROSS JOIN LATERAL pg_catalog.unnest(a.issues) t)
	SELECT CASE WHEN c.critical > 0 THEN 'critical' WHEN c.warning > 0 THEN 'warning' ELSE 'ok' END,
		   c.critical, c.warning, c.info, (SELECT a.tracked FROM a),
		   top.issue_key, top.severity, top.description
	FROM (SELECT pg_catalog.count(*) FILTER (WHERE i.severity = 'critical') AS critical,
				 pg_catalog.count(*) FILTER (WHERE i.severity = 'warning') AS warning,
				 pg_catalog.count(*) FILTER (WHERE i.severity = 'info') AS info
		  FROM i) c
		 LEFT JOIN (SELECT i.issue_key, i.severity, i.description
					FROM i
					ORDER BY pg_catalog.array_position(ARRAY['critical', 'warning', 'info'], i.severity),
							 i.first_seen NULLS LAST, i.issue_key COLLATE "C"
					LIMIT 1) top ON true
$$;

COMMENT ON FUNCTION pghero_internal._issue_summary() IS
'The issues alerts follow, summed up: status, counts per severity, whether tracked by the collector, and the top issue (internal)';

-- The most severe open issue tells: a readiness probe
CREATE FUNCTION @extschema@.health(OUT status text, OUT critical bigint, OUT warning bigint, OUT info bigint,
								   OUT tracked boolean)
RETURNS record
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.status, s.critical, s.warning, s.info, s.tracked
	FROM pghero_internal._issue_summary() s
$$;

COMMENT ON FUNCTION @extschema@.health() IS
'ok, warning or critical (the most severe current issue; info issues leave it ok), the number of current issues per severity, and whether they are the collector''s tracked open issues (cheap; with hysteresis) or were evaluated live (every check once, like reading pghero.issues): a readiness probe';

--------------------------------------------------------------------------
-- The checks
--------------------------------------------------------------------------

-- Every check pghero.issues runs, what it looks for, the severities it
-- gives and the settings that tune it.  test/sql/issues.sql checks this
-- list against the check names in the definitions, both ways.
CREATE VIEW @extschema@.checks AS
SELECT c.check_name, c.category, c.severities, c.settings, c.summary
FROM (VALUES
	-- activity
	('long_running_query', 'performance', '{warning}'::text[], '{pghero.long_running_query_sec}'::text[],
	 'A statement has run for longer than the threshold'),
	('high_connections', 'capacity', '{warning,critical}', '{pghero.total_connections_threshold}',
	 'Connections above the threshold; critical once no slot is left for ordinary roles'),
	('high_idle_in_transaction', 'capacity', '{warning}', '{pghero.idle_in_transaction_threshold}',
	 'Many sessions idle in transaction'),
	('lock_queue', 'availability', '{critical}', '{pghero.lock_wait_threshold}',
	 'An ACCESS EXCLUSIVE request has waited longer than the threshold while other sessions queue behind it'),
	('xmin_horizon', 'maintenance', '{warning}', '{pghero.xmin_horizon_age}',
	 'A transaction or session holds back the xmin horizon: VACUUM cannot remove dead rows'),
	('prepared_transaction', 'maintenance', '{warning}', '{pghero.prepared_xact_age}',
	 'A prepared transaction is older than the threshold'),
	-- maintenance
	('transaction_id_wraparound', 'availability', '{warning,critical}', '{pghero.transaction_id_danger}',
	 'A database or table nears transaction ID wraparound'),
	('multixact_wraparound', 'availability', '{warning,critical}', '{pghero.transaction_id_danger}',
	 'A database or table nears multixact ID wraparound'),
	('anti_wraparound_vacuum', 'maintenance', '{info}', '{}',
	 'A forced anti-wraparound autovacuum of a table is near'),
	('invalid_index', 'performance', '{warning}', '{}',
	 'An index is invalid (a failed CREATE INDEX CONCURRENTLY): written, never used'),
	('invalid_constraint', 'maintenance', '{warning}', '{}',
	 'A constraint is NOT VALID: old rows were never checked'),
	('autovacuum_behind', 'maintenance', '{warning}', '{}',
	 'A table''s dead rows passed its autovacuum threshold and autovacuum has not run'),
	('settings_pending_restart', 'maintenance', '{info}', '{}',
	 'A changed setting waits for a restart'),
	('collation_version_mismatch', 'maintenance', '{warning}', '{}',
	 'A database''s collation version differs from the operating system''s: indexes on text may be corrupt'),
	('collector_failing', 'maintenance', '{warning}', '{}',
	 'A capture source of the collector failed at its last run'),
	('collector_not_running', 'maintenance', '{warning}', '{pghero.enabled,pghero.database}',
	 'The collector does not run although pghero is preloaded and enabled for this database'),
	-- capacity
	('sequence_near_max', 'capacity', '{warning,critical}', '{pghero.sequence_danger_percent}',
	 'A sequence or the column it fills nears its maximum'),
	('table_bloat', 'capacity', '{warning}', '{pghero.bloat_percent_threshold,pghero.index_bloat_min_bytes}',
	 'A table wastes more than the threshold (estimate from statistics)'),
	('index_bloat', 'capacity', '{warning}', '{pghero.bloat_percent_threshold,pghero.index_bloat_min_bytes}',
	 'An index wastes more than the threshold (estimate from statistics)'),
	('disk_space_low', 'capacity', '{warning,critical}', '{pghero.disk_free_percent}',
	 'The file system of the data directory or of pg_wal has little space or few inodes left; critical below half the threshold'),
	('swapping', 'capacity', '{warning}', '{pghero.swap_pages_per_second}',
	 'The host swaps more pages in and out per second than the threshold'),
	('cpu_saturated', 'capacity', '{warning}', '{pghero.cpu_busy_percent,pghero.cpu_saturated_minutes}',
	 'The CPU of the host was busy beyond the threshold in every capture of the last minutes'),
	-- replication
	('replication_lag', 'availability', '{warning}', '{}',
	 'A standby replays far behind'),
	('inactive_replication_slot', 'capacity', '{warning}', '{}',
	 'A replication slot is inactive and retains WAL'),
	('slot_wal_status', 'availability', '{warning,critical}', '{}',
	 'A replication slot''s WAL is unreserved or lost'),
	('wal_archiving_failing', 'availability', '{critical}', '{}',
	 'archive_command or archive_library fails: WAL accumulates'),
	-- performance
	('duplicate_index', 'performance', '{warning}', '{}',
	 'An index is covered by another one'),
	('unused_index', 'performance', '{info}', '{pghero.unused_index_min_bytes}',
	 'An index has not been scanned'),
	('cache_hit_rate', 'performance', '{info}', '{pghero.cache_hit_rate_threshold}',
	 'The table or index cache hit rate is below the threshold'),
	('temp_file_spills', 'performance', '{info}', '{pghero.temp_bytes_threshold}',
	 'Queries spilled more than the threshold to temporary files'),
	('checkpoints_requested', 'performance', '{warning}', '{pghero.checkpoint_requested_percent}',
	 'Most checkpoints were requested (max_wal_size reached) rather than timed'),
	('slow_query', 'performance', '{warning}', '{pghero.slow_query_ms,pghero.slow_query_calls}',
	 'A statement is slow on average and called often (last 3 hours of history, or pg_stat_statements)'),
	('statements_deallocating', 'performance', '{warning}', '{}',
	 'pg_stat_statements is full and evicts entries'),
	-- security
	('hba_trust', 'security', '{warning,critical}', '{}',
	 'A pg_hba.conf rule lets TCP connections in without a password'),
	('hba_cleartext_password', 'security', '{info,warning}', '{}',
	 'A pg_hba.conf rule has the client send its password in clear text'),
	('hba_open_to_all', 'security', '{warning}', '{}',
	 'A pg_hba.conf rule lets every role connect to every database from anywhere'),
	('hba_error', 'security', '{warning}', '{}',
	 'A pg_hba.conf line cannot be loaded'),
	('ssl_off', 'security', '{warning}', '{}',
	 'ssl is off while rules accept connections from other machines'),
	('password_encryption_md5', 'security', '{warning}', '{}',
	 'New passwords are stored as MD5'),
	('md5_password', 'security', '{warning}', '{}',
	 'A role''s password is stored as MD5'),
	('superuser_login', 'security', '{warning}', '{}',
	 'A superuser other than the bootstrap superuser can log in'),
	('login_without_password', 'security', '{info,warning}', '{}',
	 'A login role has no password under password rules'),
	('public_create', 'security', '{warning}', '{}',
	 'PUBLIC may create objects in a schema'),
	('security_definer_search_path', 'security', '{warning}', '{}',
	 'A SECURITY DEFINER function has no pinned search_path'),
	('outdated_extension', 'security', '{info}', '{}',
	 'An installed extension is older than its available default version'),
	('connection_logging_off', 'security', '{info}', '{}',
	 'log_connections or log_disconnections is off')
	) c(check_name, category, severities, settings, summary);

COMMENT ON VIEW @extschema@.checks IS
'Every check of pghero.issues: its category, the severities it gives, the settings that tune it, and what it looks for';
