/* sql/pghero--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION pghero" to load this file. \quit

--------------------------------------------------------------------------
-- Preconditions
--------------------------------------------------------------------------

-- PgHero's permissions guide has people create a schema named "pghero" by
-- hand, full of look-alike functions and views.  CREATE EXTENSION would
-- silently install into it and mix our objects with theirs.  Accept the
-- schema only if this CREATE EXTENSION just made it (its row is then ours:
-- age(xmin) <= 0), or if it is an empty one owned by a superuser, as DROP
-- EXTENSION pghero leaves behind.
DO $$
DECLARE
	nsp oid;
	created_now boolean;
	owner_is_superuser boolean;
BEGIN
	SELECT n.oid, pg_catalog.age(n.xmin) OPERATOR(pg_catalog.<=) 0, r.rolsuper
	  INTO nsp, created_now, owner_is_superuser
	FROM pg_catalog.pg_namespace n
		 JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
	WHERE n.nspname OPERATOR(pg_catalog.=) 'pghero';

	IF NOT created_now
	   AND (NOT owner_is_superuser
			OR EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp)
			OR EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp)
			OR EXISTS (SELECT FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp)
			OR EXISTS (SELECT FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp)) THEN
		RAISE EXCEPTION 'schema "pghero" already exists'
			USING ERRCODE = 'duplicate_schema',
				  DETAIL = 'The pghero extension installs into the schema "pghero", which must be new or empty and owned by a superuser; this one was created before, for example by following PgHero''s permissions guide.',
				  HINT = 'Rename the existing schema (ALTER SCHEMA pghero RENAME TO pghero_old) or drop it, then run CREATE EXTENSION pghero again.';
	END IF;
END
$$;

-- The two roles of the security model.  They are cluster-wide and outlive
-- the extension; a role of the same name that can log in or is a superuser
-- is someone else's, and granting it our rights would be wrong.
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['pghero_reader', 'pghero_admin'] LOOP
		IF EXISTS (SELECT FROM pg_catalog.pg_roles a
				   WHERE a.rolname OPERATOR(pg_catalog.=) r
					 AND (a.rolcanlogin OR a.rolsuper)) THEN
			RAISE EXCEPTION 'role "%" already exists and can log in or is a superuser', r
				USING ERRCODE = 'duplicate_object',
					  DETAIL = 'pghero grants its privileges to a NOLOGIN role of that name.',
					  HINT = pg_catalog.format('Rename the existing role (ALTER ROLE %I RENAME TO ...) or make it NOLOGIN NOSUPERUSER, then run CREATE EXTENSION pghero again.', r);
		END IF;
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles a
					   WHERE a.rolname OPERATOR(pg_catalog.=) r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
	IF NOT pg_catalog.pg_has_role('pghero_admin', 'pghero_reader', 'MEMBER') THEN
		GRANT pghero_reader TO pghero_admin;
	END IF;
END
$$;

COMMENT ON SCHEMA pghero IS 'pghero: PgHero''s performance dashboard as views and functions';

--------------------------------------------------------------------------
-- Configuration
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.config(
	OUT long_running_query_sec integer,
	OUT slow_query_ms integer,
	OUT slow_query_calls bigint,
	OUT total_connections_threshold integer,
	OUT idle_in_transaction_threshold integer,
	OUT cache_hit_rate_threshold float8,
	OUT unused_index_min_bytes bigint,
	OUT index_bloat_min_bytes bigint,
	OUT sequence_danger_percent float8,
	OUT transaction_id_danger bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_config'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.config() IS
'The pghero.* thresholds in force in this session, as one typed row';

--------------------------------------------------------------------------
-- Internal functions
--
-- The underscore functions are building blocks of the views.  Those marked
-- SECURITY DEFINER give pghero_reader what it cannot read itself: other
-- users' query texts and wait states, every sequence's progress, database
-- sizes.  They take no SQL from the caller and return only what the views
-- show.
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@._relation_size(regclass)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pghero_relation_size'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._relation_size(regclass) IS
'pg_table_size() that returns NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION @extschema@._relation_sizes(regclass, OUT table_bytes bigint, OUT index_bytes bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_relation_sizes'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._relation_sizes(regclass) IS
'pg_table_size() and pg_indexes_size() in one pass, each NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION @extschema@._sequence_last_value(regclass)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pghero_sequence_last_value'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._sequence_last_value(regclass) IS
'Last value of a sequence (its start value if never used), NULL when it cannot be read without waiting or without privilege (internal)';

CREATE FUNCTION @extschema@._index_definition(regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'pghero_index_definition'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._index_definition(regclass) IS
'pg_get_indexdef() that returns NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION @extschema@._index_description(regclass,
	OUT definition text, OUT columns text[], OUT include_columns text[],
	OUT predicate text)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_index_description'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._index_description(regclass) IS
'Definition, key and INCLUDE columns and predicate of an index, all NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION @extschema@._constraint_definition(oid)
RETURNS text
AS 'MODULE_PATHNAME', 'pghero_constraint_definition'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._constraint_definition(oid) IS
'pg_get_constraintdef() that returns NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION @extschema@._outer_role()
RETURNS regrole
AS 'MODULE_PATHNAME', 'pghero_outer_role'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._outer_role() IS
'The role that called pghero, as seen from inside its SECURITY DEFINER functions (internal)';

CREATE FUNCTION @extschema@._activity()
RETURNS TABLE (
	pid integer, datid oid, datname name, usesysid oid, usename name,
	application_name text, client_addr inet, client_hostname text,
	client_port integer, backend_start timestamptz, xact_start timestamptz,
	query_start timestamptz, state_change timestamptz, wait_event_type text,
	wait_event text, state text, backend_xid xid, backend_xmin xid,
	query text, backend_type text, ssl boolean, leader_pid integer,
	is_superuser boolean)
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.pid, a.datid, a.datname, a.usesysid, a.usename,
		   a.application_name, a.client_addr, a.client_hostname,
		   a.client_port, a.backend_start, a.xact_start,
		   a.query_start, a.state_change, a.wait_event_type,
		   a.wait_event, a.state, a.backend_xid, a.backend_xmin,
		   a.query, a.backend_type, s.ssl, a.leader_pid,
		   r.rolsuper
	FROM pg_catalog.pg_stat_activity a
		 LEFT JOIN pg_catalog.pg_stat_ssl s
			ON s.pid OPERATOR(pg_catalog.=) a.pid
		 LEFT JOIN pg_catalog.pg_authid r
			ON r.oid OPERATOR(pg_catalog.=) a.usesysid
$$;

COMMENT ON FUNCTION @extschema@._activity() IS
'Every backend of pg_stat_activity with full query text, whoever the caller (internal)';

CREATE FUNCTION @extschema@._vacuum_progress()
RETURNS TABLE (
	pid integer, datid oid, datname name, relid oid, phase text,
	heap_blks_total bigint, heap_blks_scanned bigint,
	heap_blks_vacuumed bigint, index_vacuum_count bigint,
	max_dead_tuples bigint, num_dead_tuples bigint)
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT p.pid, p.datid, p.datname, p.relid, p.phase,
		   p.heap_blks_total, p.heap_blks_scanned,
		   p.heap_blks_vacuumed, p.index_vacuum_count,
		   p.max_dead_tuples, p.num_dead_tuples
	FROM pg_catalog.pg_stat_progress_vacuum p
$$;

COMMENT ON FUNCTION @extschema@._vacuum_progress() IS
'pg_stat_progress_vacuum, whoever the caller (internal)';

CREATE FUNCTION @extschema@._indexes_being_built()
RETURNS SETOF oid
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT p.index_relid
	FROM pg_catalog.pg_stat_progress_create_index p
	WHERE p.datid OPERATOR(pg_catalog.=)
		  (SELECT d.oid FROM pg_catalog.pg_database d
		   WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
$$;

COMMENT ON FUNCTION @extschema@._indexes_being_built() IS
'Indexes of this database that a CREATE INDEX or REINDEX is building right now (internal)';

CREATE FUNCTION @extschema@._replication()
RETURNS TABLE (
	pid integer, usename name, application_name text, client_addr inet,
	backend_start timestamptz, state text, sent_lsn pg_lsn,
	write_lsn pg_lsn, flush_lsn pg_lsn, replay_lsn pg_lsn,
	write_lag interval, flush_lag interval, replay_lag interval,
	sync_priority integer, sync_state text, reply_time timestamptz)
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.pid, r.usename, r.application_name, r.client_addr,
		   r.backend_start, r.state, r.sent_lsn,
		   r.write_lsn, r.flush_lsn, r.replay_lsn,
		   r.write_lag, r.flush_lag, r.replay_lag,
		   r.sync_priority, r.sync_state, r.reply_time
	FROM pg_catalog.pg_stat_replication r
$$;

COMMENT ON FUNCTION @extschema@._replication() IS
'pg_stat_replication, whoever the caller (internal)';

CREATE FUNCTION @extschema@._database_sizes()
RETURNS TABLE (datid oid, size_bytes bigint)
LANGUAGE sql VOLATILE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT d.oid, pg_catalog.pg_database_size(d.oid)
	FROM pg_catalog.pg_database d
	WHERE d.datconnlimit OPERATOR(pg_catalog.<>) -2
$$;

COMMENT ON FUNCTION @extschema@._database_sizes() IS
'Size of every database of the cluster, whoever the caller (internal)';

CREATE FUNCTION @extschema@._sequence_values()
RETURNS TABLE (seqid oid, last_value bigint)
LANGUAGE sql VOLATILE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.oid, @extschema@._sequence_last_value(c.oid)
	FROM pg_catalog.pg_class c
	WHERE c.relkind OPERATOR(pg_catalog.=) 'S'
	  AND c.relpersistence OPERATOR(pg_catalog.<>) 't'
$$;

COMMENT ON FUNCTION @extschema@._sequence_values() IS
'Last value of every sequence of this database, NULL for one locked by another session (internal)';

-- pg_stat_statements may be absent, not preloaded, or installed in any
-- schema: find it through pg_extension on every call, call only the
-- functions that belong to the extension, and say clearly what is missing.
CREATE FUNCTION @extschema@._pgss_function(fn name, nargs integer)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	qualified text;
BEGIN
	SELECT pg_catalog.format('%I.%I', n.nspname, p.proname) INTO qualified
	FROM pg_catalog.pg_extension e
		 JOIN pg_catalog.pg_depend d
			ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		   AND d.refobjid OPERATOR(pg_catalog.=) e.oid
		   AND d.deptype OPERATOR(pg_catalog.=) 'e'
		   AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
		 JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) d.objid
		 JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
	WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements'
	  AND p.proname OPERATOR(pg_catalog.=) fn
	  AND p.pronargs OPERATOR(pg_catalog.>=) nargs
	ORDER BY p.pronargs
	LIMIT 1;

	IF qualified IS NULL THEN
		RAISE EXCEPTION 'pg_stat_statements is not installed in database "%"', pg_catalog.current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Query statistics come from the pg_stat_statements extension.',
				  HINT = 'Add pg_stat_statements to shared_preload_libraries, restart the server, then run CREATE EXTENSION pg_stat_statements in this database.';
	END IF;
	RETURN qualified;
END
$$;

COMMENT ON FUNCTION @extschema@._pgss_function(name, integer) IS
'Schema-qualified name of a function of the pg_stat_statements extension taking at least nargs arguments, or an error saying it is not installed (internal)';

CREATE FUNCTION @extschema@._statements()
RETURNS TABLE (
	userid oid, dbid oid, queryid bigint, toplevel boolean, query text,
	calls bigint, total_plan_time float8, total_exec_time float8,
	rows bigint, shared_blks_hit bigint, shared_blks_read bigint,
	temp_blks_read bigint, temp_blks_written bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fn text := @extschema@._pgss_function('pg_stat_statements', 1);
BEGIN
	BEGIN
		RETURN QUERY EXECUTE pg_catalog.format(
			'SELECT s.userid, s.dbid, s.queryid, s.toplevel, s.query,'
			'       s.calls, s.total_plan_time, s.total_exec_time,'
			'       s.rows, s.shared_blks_hit, s.shared_blks_read,'
			'       s.temp_blks_read, s.temp_blks_written'
			'  FROM %s(true) s', fn);
	EXCEPTION WHEN object_not_in_prerequisite_state THEN
		RAISE EXCEPTION 'pg_stat_statements is installed but not loaded'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = SQLERRM,
				  HINT = 'Add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart the server.';
	END;
END
$$;

COMMENT ON FUNCTION @extschema@._statements() IS
'Every row of pg_stat_statements with full query text, whoever the caller (internal)';

--------------------------------------------------------------------------
-- Activity
--------------------------------------------------------------------------

CREATE VIEW @extschema@.running_queries AS
SELECT a.pid,
	   a.backend_start,
	   a.datname AS database,
	   a.usename AS "user",
	   a.application_name,
	   a.client_addr,
	   a.state,
	   a.wait_event_type,
	   a.wait_event,
	   CASE WHEN a.wait_event_type = 'Lock'
			THEN pg_catalog.pg_blocking_pids(a.pid)
			ELSE '{}'::integer[] END AS blocked_by,
	   a.query,
	   coalesce(a.query_start, a.xact_start) AS started_at,
	   pg_catalog.now() - coalesce(a.query_start, a.xact_start) AS duration,
	   pg_catalog.date_part('epoch', pg_catalog.now() - coalesce(a.query_start, a.xact_start)) * 1000 AS duration_ms,
	   a.xact_start
FROM @extschema@._activity() a
WHERE a.backend_type = 'client backend'
  AND a.state IS DISTINCT FROM 'idle'
  AND a.pid <> pg_catalog.pg_backend_pid();

COMMENT ON VIEW @extschema@.running_queries IS
'Every non-idle client backend of the cluster except your own, with its full query text and the sessions blocking it';

CREATE VIEW @extschema@.long_running_queries AS
SELECT q.*
FROM @extschema@.running_queries q
	 CROSS JOIN @extschema@.config() c
WHERE q.duration > pg_catalog.make_interval(secs => c.long_running_query_sec);

COMMENT ON VIEW @extschema@.long_running_queries IS
'Running queries that started more than pghero.long_running_query_sec ago';

CREATE VIEW @extschema@.blocked_queries AS
SELECT w.pid AS blocked_pid,
	   w.usename AS blocked_user,
	   w.datname AS database,
	   w.query AS blocked_query,
	   pg_catalog.now() - coalesce(w.query_start, w.xact_start) AS blocked_duration,
	   pg_catalog.date_part('epoch', pg_catalog.now() - coalesce(w.query_start, w.xact_start)) * 1000 AS blocked_duration_ms,
	   l.locktype AS lock_type,
	   l.mode AS lock_mode,
	   l.relation AS relid,
	   rn.nspname AS schemaname,
	   rc.relname AS relname,
	   b.pid AS blocking_pid,
	   b.usename AS blocking_user,
	   b.state AS blocking_state,
	   b.query AS blocking_query,
	   pg_catalog.now() - coalesce(b.query_start, b.xact_start) AS blocking_duration,
	   pg_catalog.date_part('epoch', pg_catalog.now() - coalesce(b.query_start, b.xact_start)) * 1000 AS blocking_duration_ms,
	   pg_catalog.now() - b.xact_start AS blocking_transaction_duration
FROM @extschema@._activity() w
	 CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids(w.pid)) AS bp(pid)
	 LEFT JOIN @extschema@._activity() b ON b.pid = bp.pid
	 LEFT JOIN LATERAL (
		SELECT k.locktype, k.mode, k.relation, k.database
		FROM pg_catalog.pg_locks k
		WHERE k.pid = w.pid AND NOT k.granted
		LIMIT 1) l ON true
	 LEFT JOIN pg_catalog.pg_class rc
		ON rc.oid = l.relation
	   AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
						 WHERE d.datname = pg_catalog.current_database())
	 LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE w.wait_event_type = 'Lock';

COMMENT ON VIEW @extschema@.blocked_queries IS
'One row per session waiting for a lock and per session it waits for (pg_blocking_pids), with the lock awaited and the blocking session''s current query';

CREATE VIEW @extschema@.vacuum_progress AS
SELECT p.pid,
	   p.datname AS database,
	   n.nspname AS schemaname,
	   c.relname,
	   p.relid,
	   p.phase,
	   p.heap_blks_total,
	   p.heap_blks_scanned,
	   p.heap_blks_vacuumed,
	   CASE WHEN p.heap_blks_total > 0
			THEN pg_catalog.round(100.0 * p.heap_blks_scanned / p.heap_blks_total, 1)
	   END AS percent_scanned,
	   p.index_vacuum_count,
	   p.max_dead_tuples,
	   p.num_dead_tuples,
	   a.query,
	   a.xact_start AS started_at,
	   pg_catalog.now() - a.xact_start AS duration,
	   pg_catalog.date_part('epoch', pg_catalog.now() - a.xact_start) * 1000 AS duration_ms
FROM @extschema@._vacuum_progress() p
	 LEFT JOIN @extschema@._activity() a ON a.pid = p.pid
	 LEFT JOIN pg_catalog.pg_class c
		ON c.oid = p.relid AND p.datname = pg_catalog.current_database()
	 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace;

COMMENT ON VIEW @extschema@.vacuum_progress IS
'Every VACUUM and autovacuum running in the cluster, with its phase and progress';

--------------------------------------------------------------------------
-- Connections
--------------------------------------------------------------------------

CREATE VIEW @extschema@.connections AS
SELECT a.pid,
	   a.datname AS database,
	   a.usename AS "user",
	   a.application_name,
	   a.client_addr,
	   a.client_hostname,
	   a.client_port,
	   a.backend_type,
	   a.state,
	   a.ssl,
	   a.backend_start,
	   pg_catalog.now() - a.backend_start AS connected_for,
	   pg_catalog.date_part('epoch', pg_catalog.now() - a.backend_start) * 1000 AS connected_for_ms
FROM @extschema@._activity() a;

COMMENT ON VIEW @extschema@.connections IS
'Every backend of the cluster (client connections and server processes), with SSL use';

CREATE VIEW @extschema@.connection_sources AS
SELECT a.datname AS database,
	   a.usename AS "user",
	   a.application_name,
	   a.client_addr,
	   pg_catalog.count(*) AS total_connections
FROM @extschema@._activity() a
WHERE a.backend_type = 'client backend'
GROUP BY a.datname, a.usename, a.application_name, a.client_addr;

COMMENT ON VIEW @extschema@.connection_sources IS
'Client connections grouped by database, user, application and address';

CREATE VIEW @extschema@.connection_states AS
SELECT a.state,
	   pg_catalog.count(*) AS total_connections
FROM @extschema@._activity() a
WHERE a.backend_type = 'client backend'
GROUP BY a.state;

COMMENT ON VIEW @extschema@.connection_states IS
'Client connections grouped by state (active, idle, idle in transaction, ...)';

CREATE VIEW @extschema@.connection_summary AS
WITH s AS (
	SELECT pg_catalog.count(*) FILTER (WHERE a.backend_type = 'client backend') AS total_connections,
		   pg_catalog.count(*) FILTER (WHERE a.backend_type = 'client backend' AND a.state = 'active') AS active_connections,
		   pg_catalog.count(*) FILTER (WHERE a.backend_type = 'client backend' AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')) AS idle_in_transaction_connections,
		   pg_catalog.current_setting('max_connections')::integer AS max_connections,
		   pg_catalog.current_setting('superuser_reserved_connections')::integer
		   + coalesce(pg_catalog.current_setting('reserved_connections', true)::integer, 0) AS reserved_connections
	FROM @extschema@._activity() a)
SELECT s.total_connections,
	   s.active_connections,
	   s.idle_in_transaction_connections,
	   s.max_connections,
	   s.reserved_connections,
	   s.max_connections - s.reserved_connections AS available_connections,
	   pg_catalog.round(100.0 * s.total_connections / NULLIF(s.max_connections - s.reserved_connections, 0), 1) AS percent_used,
	   s.total_connections >= c.total_connections_threshold AS high_connections,
	   s.idle_in_transaction_connections >= c.idle_in_transaction_threshold AS high_idle_in_transaction
FROM s CROSS JOIN @extschema@.config() c;

COMMENT ON VIEW @extschema@.connection_summary IS
'One row: client connections against max_connections, with PgHero''s high-connection checks';

--------------------------------------------------------------------------
-- Query statistics (live, from pg_stat_statements)
--------------------------------------------------------------------------

CREATE VIEW @extschema@.query_stats AS
WITH s AS (
	SELECT s.dbid,
		   s.userid,
		   s.queryid,
		   pg_catalog.min(s.query) AS query,
		   pg_catalog.sum(s.calls)::bigint AS calls,
		   pg_catalog.sum(s.total_plan_time + s.total_exec_time) AS total_ms,
		   pg_catalog.sum(s.rows)::bigint AS rows,
		   pg_catalog.sum(s.shared_blks_hit)::bigint AS shared_blks_hit,
		   pg_catalog.sum(s.shared_blks_read)::bigint AS shared_blks_read,
		   pg_catalog.sum(s.temp_blks_read)::bigint AS temp_blks_read,
		   pg_catalog.sum(s.temp_blks_written)::bigint AS temp_blks_written
	FROM @extschema@._statements() s
	GROUP BY s.dbid, s.userid, s.queryid)
SELECT d.datname AS database,
	   r.rolname AS "user",
	   s.dbid,
	   s.userid,
	   s.queryid,
	   s.query,
	   s.calls,
	   pg_catalog.make_interval(secs => s.total_ms / 1000) AS total_time,
	   s.total_ms AS total_time_ms,
	   pg_catalog.make_interval(secs => s.total_ms / NULLIF(s.calls, 0) / 1000) AS mean_time,
	   s.total_ms / NULLIF(s.calls, 0) AS mean_time_ms,
	   s.rows,
	   100 * s.total_ms / NULLIF(pg_catalog.sum(s.total_ms) OVER (), 0) AS percent_of_total,
	   s.shared_blks_hit,
	   s.shared_blks_read,
	   (100.0 * s.shared_blks_hit / NULLIF(s.shared_blks_hit + s.shared_blks_read, 0))::float8 AS cache_hit_percent,
	   s.temp_blks_read,
	   s.temp_blks_written
FROM s
	 LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid
	 LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.userid
WHERE s.calls > 0;

COMMENT ON VIEW @extschema@.query_stats IS
'Every statement pg_stat_statements tracks, cluster-wide, since its last reset; top-level and nested executions of one statement are merged';

CREATE VIEW @extschema@.slow_queries AS
SELECT q.*
FROM @extschema@.query_stats q
	 CROSS JOIN @extschema@.config() c
WHERE q.calls >= c.slow_query_calls
  AND q.mean_time_ms >= c.slow_query_ms;

COMMENT ON VIEW @extschema@.slow_queries IS
'Statements called at least pghero.slow_query_calls times whose mean time is at least pghero.slow_query_ms';

--------------------------------------------------------------------------
-- Space
--------------------------------------------------------------------------

-- Every partitioned table or index with each of its partitions, at any
-- depth, from pg_inherits (pg_partition_tree() would lock them)
CREATE VIEW @extschema@._partition_tree AS
WITH RECURSIVE tree AS (
	SELECT i.inhparent AS ancestor, i.inhrelid AS relid
	FROM pg_catalog.pg_inherits i
		 JOIN pg_catalog.pg_class p ON p.oid = i.inhparent AND p.relkind IN ('p', 'I')
	UNION ALL
	SELECT t.ancestor, i.inhrelid
	FROM tree t
		 JOIN pg_catalog.pg_inherits i ON i.inhparent = t.relid)
SELECT tree.ancestor, tree.relid FROM tree;

COMMENT ON VIEW @extschema@._partition_tree IS
'Every partitioned table or index paired with each of its partitions at any depth (internal)';

CREATE VIEW @extschema@.relation_sizes AS
WITH rels AS MATERIALIZED (
	SELECT c.oid, c.relkind, c.relname, c.relnamespace, c.relispartition,
		   CASE WHEN c.relkind IN ('p', 'I') THEN NULL
				ELSE @extschema@._relation_size(c.oid) END AS size_bytes
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'm', 'i', 'p', 'I')
	  AND c.relpersistence <> 't'
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])),
rollup AS (
	SELECT t.ancestor,
		   pg_catalog.sum(r.size_bytes)::bigint AS size_bytes,
		   pg_catalog.bool_and(r.size_bytes IS NOT NULL) AS measured,
		   pg_catalog.count(*)::integer AS partitions
	FROM @extschema@._partition_tree t
		 JOIN rels r ON r.oid = t.relid AND r.relkind NOT IN ('p', 'I')
	GROUP BY t.ancestor)
SELECT n.nspname AS schemaname,
	   r.relname,
	   r.oid AS relid,
	   CASE r.relkind
			WHEN 'r' THEN 'table'
			WHEN 'm' THEN 'materialized view'
			WHEN 'i' THEN 'index'
			WHEN 'p' THEN 'partitioned table'
			WHEN 'I' THEN 'partitioned index' END AS type,
	   r.relispartition AS is_partition,
	   coalesce(u.size_bytes, r.size_bytes,
						   CASE WHEN r.relkind IN ('p', 'I') THEN 0 END) AS size_bytes,
	   pg_catalog.pg_size_pretty(coalesce(u.size_bytes, r.size_bytes,
						   CASE WHEN r.relkind IN ('p', 'I') THEN 0 END)) AS size,
	   CASE WHEN r.relkind IN ('p', 'I') THEN coalesce(u.measured, true)
			ELSE r.size_bytes IS NOT NULL END AS measured,
	   CASE WHEN r.relkind IN ('p', 'I') THEN coalesce(u.partitions, 0) END AS partitions
FROM rels r
	 JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
	 LEFT JOIN rollup u ON u.ancestor = r.oid;

COMMENT ON VIEW @extschema@.relation_sizes IS
'Size of every table, materialized view and index of this database (with its TOAST data); partitioned tables and indexes show the sum of their partitions';

CREATE VIEW @extschema@.table_sizes AS
WITH rels AS MATERIALIZED (
	SELECT c.oid, c.relkind, c.relname, c.relnamespace, c.relispartition,
		   z.table_bytes,
		   z.table_bytes + z.index_bytes AS total_bytes
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 LEFT JOIN LATERAL @extschema@._relation_sizes(c.oid) z ON c.relkind <> 'p'
	WHERE c.relkind IN ('r', 'm', 'p')
	  AND c.relpersistence <> 't'
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])),
rollup AS (
	SELECT t.ancestor,
		   pg_catalog.sum(r.table_bytes)::bigint AS table_bytes,
		   pg_catalog.sum(r.total_bytes)::bigint AS total_bytes,
		   pg_catalog.bool_and(r.table_bytes IS NOT NULL AND r.total_bytes IS NOT NULL) AS measured,
		   pg_catalog.count(*)::integer AS partitions
	FROM @extschema@._partition_tree t
		 JOIN rels r ON r.oid = t.relid AND r.relkind <> 'p'
	GROUP BY t.ancestor),
sized AS (
	SELECT r.*,
		   CASE WHEN r.relkind = 'p' THEN coalesce(u.total_bytes, 0) ELSE r.total_bytes END AS size_bytes,
		   CASE WHEN r.relkind = 'p' THEN coalesce(u.table_bytes, 0) ELSE r.table_bytes END AS own_bytes,
		   CASE WHEN r.relkind = 'p' THEN coalesce(u.measured, true)
				ELSE r.table_bytes IS NOT NULL AND r.total_bytes IS NOT NULL END AS measured,
		   CASE WHEN r.relkind = 'p' THEN coalesce(u.partitions, 0) END AS partitions
	FROM rels r
		 LEFT JOIN rollup u ON u.ancestor = r.oid)
SELECT n.nspname AS schemaname,
	   s.relname,
	   s.oid AS relid,
	   CASE s.relkind
			WHEN 'r' THEN 'table'
			WHEN 'm' THEN 'materialized view'
			WHEN 'p' THEN 'partitioned table' END AS type,
	   s.relispartition AS is_partition,
	   s.size_bytes,
	   pg_catalog.pg_size_pretty(s.size_bytes) AS size,
	   s.own_bytes AS table_bytes,
	   s.size_bytes - s.own_bytes AS index_bytes,
	   s.measured,
	   s.partitions
FROM sized s
	 JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace;

COMMENT ON VIEW @extschema@.table_sizes IS
'Total size of every table and materialized view of this database, with its indexes and TOAST data; partitioned tables show the sum of their partitions';

CREATE VIEW @extschema@.database_sizes AS
SELECT d.datname AS database,
	   d.oid AS datid,
	   s.size_bytes,
	   pg_catalog.pg_size_pretty(s.size_bytes) AS size
FROM @extschema@._database_sizes() s
	 JOIN pg_catalog.pg_database d ON d.oid = s.datid;

COMMENT ON VIEW @extschema@.database_sizes IS
'Size of every database of the cluster';

--------------------------------------------------------------------------
-- Indexes
--------------------------------------------------------------------------

CREATE VIEW @extschema@.indexes AS
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   t.oid AS table_relid,
	   ic.relname AS indexname,
	   i.indexrelid,
	   am.amname AS access_method,
	   d.columns,
	   d.include_columns,
	   d.predicate,
	   i.indisunique AS is_unique,
	   i.indisprimary AS is_primary,
	   i.indisvalid AS is_valid,
	   i.indexrelid IN (SELECT b.b FROM @extschema@._indexes_being_built() b(b)) AS being_built,
	   d.definition,
	   s.idx_scan AS index_scans,
	   z.size_bytes,
	   pg_catalog.pg_size_pretty(z.size_bytes) AS size
FROM pg_catalog.pg_index i
	 JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
	 JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 JOIN pg_catalog.pg_am am ON am.oid = ic.relam
	 LEFT JOIN pg_catalog.pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
	 CROSS JOIN LATERAL @extschema@._index_description(i.indexrelid) d
	 CROSS JOIN LATERAL (SELECT CASE WHEN ic.relkind = 'I' THEN NULL
									 ELSE @extschema@._relation_size(i.indexrelid) END AS size_bytes) z
WHERE n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])
  AND t.relpersistence <> 't';

COMMENT ON VIEW @extschema@.indexes IS
'Every index of this database outside the system schemas, with its key columns, validity and size';

CREATE VIEW @extschema@.invalid_indexes AS
SELECT x.schemaname,
	   x.tablename,
	   x.table_relid,
	   x.indexname,
	   x.indexrelid,
	   x.definition,
	   x.size_bytes,
	   x.size,
	   pg_catalog.format('REINDEX INDEX CONCURRENTLY %I.%I', x.schemaname, x.indexname) AS fix_sql
FROM @extschema@.indexes x
WHERE NOT x.is_valid
  AND NOT x.being_built;

COMMENT ON VIEW @extschema@.invalid_indexes IS
'Indexes left invalid, for example by a failed CREATE INDEX CONCURRENTLY, that no running command is still building';

CREATE VIEW @extschema@.duplicate_indexes AS
WITH idx AS (
	SELECT i.indexrelid,
		   i.indrelid,
		   ic.relname AS indexname,
		   ic.relam,
		   i.indisunique,
		   i.indisprimary,
		   -- one entry per key column: column, operator class, collation, options
		   ARRAY(SELECT pg_catalog.format('%s/%s/%s/%s', k.attnum, k.opclass, k.coll, k.opt)
				 FROM unnest(i.indkey::pg_catalog.int2[],
										i.indclass::pg_catalog.oid[],
										i.indcollation::pg_catalog.oid[],
										i.indoption::pg_catalog.int2[])
					  WITH ORDINALITY AS k(attnum, opclass, coll, opt, ord)
				 WHERE k.ord <= i.indnkeyatts
				 ORDER BY k.ord) AS keys,
		   ARRAY(SELECT k.attnum
				 FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
				 WHERE k.ord > i.indnkeyatts) AS included,
		   ARRAY(SELECT k.attnum
				 FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) AS k(attnum)) AS all_columns,
		   -- expressions and predicate as node trees, without parse locations
		   pg_catalog.regexp_replace(i.indexprs::text, ' :location -?[0-9]+', '', 'g') AS exprs,
		   pg_catalog.regexp_replace(i.indpred::text, ' :location -?[0-9]+', '', 'g') AS pred
	FROM pg_catalog.pg_index i
		 JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
		 JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
		 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	WHERE i.indisvalid
	  AND i.indisready
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast']))
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   u.indrelid AS table_relid,
	   u.indexname AS unneeded_index,
	   u.indexrelid AS unneeded_indexrelid,
	   @extschema@._index_definition(u.indexrelid) AS unneeded_definition,
	   c.indexname AS covering_index,
	   c.indexrelid AS covering_indexrelid,
	   @extschema@._index_definition(c.indexrelid) AS covering_definition,
	   z.size_bytes,
	   pg_catalog.pg_size_pretty(z.size_bytes) AS size,
	   pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I', n.nspname, u.indexname) AS fix_sql
FROM idx u
	 JOIN idx c
		ON c.indrelid = u.indrelid
	   AND c.indexrelid <> u.indexrelid
	   AND c.relam = u.relam
	   AND c.exprs IS NOT DISTINCT FROM u.exprs
	   AND c.pred IS NOT DISTINCT FROM u.pred
	 JOIN pg_catalog.pg_class t ON t.oid = u.indrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 JOIN pg_catalog.pg_am am ON am.oid = u.relam
	 CROSS JOIN LATERAL (SELECT @extschema@._relation_size(u.indexrelid) AS size_bytes) z
WHERE NOT u.indisunique
  AND NOT u.indisprimary
  -- the covering index has the same key columns first (btree) or exactly
  -- (other access methods, which cannot use a prefix of their columns)
  AND (CASE WHEN am.amname = 'btree'
			THEN c.keys[1:pg_catalog.cardinality(u.keys)] = u.keys
			ELSE c.keys = u.keys END)
  -- and every column the unneeded index includes
  AND u.included <@ c.all_columns
  AND (pg_catalog.cardinality(c.keys) > pg_catalog.cardinality(u.keys)
	   OR c.indisunique
	   OR c.indisprimary
	   OR pg_catalog.cardinality(c.included) > pg_catalog.cardinality(u.included)
	   OR (c.included = u.included AND c.indexname < u.indexname));

COMMENT ON VIEW @extschema@.duplicate_indexes IS
'Indexes that another valid index of the same table makes unnecessary: same access method, expressions and predicate, and key columns (with operator classes, collations and ordering) that start with the same columns';

CREATE VIEW @extschema@.unused_indexes AS
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   t.oid AS table_relid,
	   ic.relname AS indexname,
	   i.indexrelid,
	   s.idx_scan AS index_scans,
	   z.size_bytes,
	   pg_catalog.pg_size_pretty(z.size_bytes) AS size,
	   d.stats_reset,
	   pg_catalog.now() - d.stats_reset AS stats_age,
	   pg_catalog.date_part('epoch', pg_catalog.now() - d.stats_reset) * 1000 AS stats_age_ms,
	   @extschema@._index_definition(i.indexrelid) AS definition,
	   pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I', n.nspname, ic.relname) AS fix_sql
FROM pg_catalog.pg_index i
	 JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
	 JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 JOIN pg_catalog.pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
	 CROSS JOIN @extschema@.config() c
	 CROSS JOIN (SELECT sd.stats_reset FROM pg_catalog.pg_stat_database sd
				 WHERE sd.datname = pg_catalog.current_database()) d
	 CROSS JOIN LATERAL (SELECT @extschema@._relation_size(i.indexrelid) AS size_bytes) z
WHERE s.idx_scan = 0
  AND NOT i.indisunique
  AND i.indisvalid
  AND ic.relkind = 'i'
  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid)
  AND coalesce(z.size_bytes,
						  ic.relpages::bigint * pg_catalog.current_setting('block_size')::bigint)
	  >= c.unused_index_min_bytes;

COMMENT ON VIEW @extschema@.unused_indexes IS
'Non-unique indexes of at least pghero.unused_index_min_bytes never scanned since the statistics were last reset on this server (check standbys too before dropping)';

CREATE VIEW @extschema@.index_usage AS
SELECT s.schemaname,
	   s.relname,
	   s.relid,
	   s.seq_scan,
	   coalesce(s.idx_scan, 0) AS index_scans,
	   pg_catalog.round(100.0 * coalesce(s.idx_scan, 0) / NULLIF(s.seq_scan + coalesce(s.idx_scan, 0), 0), 2) AS percent_of_times_index_used,
	   s.n_live_tup AS estimated_rows
FROM pg_catalog.pg_stat_user_tables s;

COMMENT ON VIEW @extschema@.index_usage IS
'For every table, how often its scans used an index rather than a sequential scan';

CREATE VIEW @extschema@.missing_indexes AS
SELECT u.*
FROM @extschema@.index_usage u
WHERE u.estimated_rows >= 10000
  AND u.seq_scan > 0
  AND coalesce(u.percent_of_times_index_used, 0) < 95;

COMMENT ON VIEW @extschema@.missing_indexes IS
'Tables of at least 10,000 rows read by sequential scans in 5 % or more of their scans: candidates for a missing index';

CREATE VIEW @extschema@.cache_hit_rates AS
WITH r AS (
	SELECT 'table'::text AS kind,
		   pg_catalog.sum(s.heap_blks_hit)::bigint AS blocks_hit,
		   pg_catalog.sum(s.heap_blks_read)::bigint AS blocks_read
	FROM pg_catalog.pg_statio_user_tables s
	UNION ALL
	SELECT 'index',
		   pg_catalog.sum(s.idx_blks_hit)::bigint,
		   pg_catalog.sum(s.idx_blks_read)::bigint
	FROM pg_catalog.pg_statio_user_indexes s)
SELECT r.kind,
	   coalesce(r.blocks_hit, 0) AS blocks_hit,
	   coalesce(r.blocks_read, 0) AS blocks_read,
	   (100.0 * r.blocks_hit / NULLIF(r.blocks_hit + r.blocks_read, 0))::float8 AS hit_rate,
	   c.cache_hit_rate_threshold AS threshold,
	   (100.0 * r.blocks_hit / NULLIF(r.blocks_hit + r.blocks_read, 0))::float8 >= c.cache_hit_rate_threshold AS healthy
FROM r CROSS JOIN @extschema@.config() c;

COMMENT ON VIEW @extschema@.cache_hit_rates IS
'Share of table and index block reads of this database served from shared buffers, against pghero.cache_hit_rate_threshold';

CREATE VIEW @extschema@.index_bloat AS
WITH idx AS (
	SELECT i.indexrelid,
		   i.indrelid,
		   i.indisprimary,
		   ic.relpages::bigint AS relpages,
		   ic.reltuples,
		   coalesce((SELECT o.option_value::integer
								FROM pg_catalog.pg_options_to_table(ic.reloptions) o
								WHERE o.option_name = 'fillfactor'), 90) AS fillfactor
	FROM pg_catalog.pg_index i
		 JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
		 JOIN pg_catalog.pg_am am ON am.oid = ic.relam
		 JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
		 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	WHERE am.amname = 'btree'
	  AND ic.relkind = 'i'
	  AND ic.relpages > 1
	  AND ic.reltuples >= 0
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])),
cols AS (
	-- pg_statistic of the table column, or of the index column for an expression
	SELECT x.indexrelid,
		   pg_catalog.max(coalesce(coalesce(s1.stanullfrac, s2.stanullfrac), 0)) AS max_null_frac,
		   pg_catalog.sum((1 - coalesce(s1.stanullfrac, s2.stanullfrac))
						  * coalesce(s1.stawidth, s2.stawidth)) AS data_width,
		   pg_catalog.bool_and(coalesce(s1.stawidth, s2.stawidth) IS NOT NULL) AS has_stats
	FROM idx x
		 JOIN pg_catalog.pg_index i ON i.indexrelid = x.indexrelid
		 CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
		 LEFT JOIN pg_catalog.pg_statistic s1
			ON k.attnum <> 0 AND s1.starelid = x.indrelid
		   AND s1.staattnum = k.attnum AND NOT s1.stainherit
		 LEFT JOIN pg_catalog.pg_statistic s2
			ON k.attnum = 0 AND s2.starelid = x.indexrelid
		   AND s2.staattnum = k.ord AND NOT s2.stainherit
	GROUP BY x.indexrelid),
est AS (
	SELECT x.*,
		   pg_catalog.current_setting('block_size')::numeric AS bs,
		   -- tuple: IndexTupleData (8) + null bitmap if any column has NULLs,
		   -- MAXALIGNed, then the data, MAXALIGNed, plus a line pointer (4)
		   pg_catalog.ceil((8 + CASE WHEN cl.max_null_frac > 0 THEN 4 ELSE 0 END) / 8.0) * 8
		   + pg_catalog.ceil(cl.data_width / 8.0) * 8 + 4 AS tuple_bytes
	FROM idx x
		 JOIN cols cl ON cl.indexrelid = x.indexrelid AND cl.has_stats),
pages AS (
	SELECT e.*,
		   -- metapage + leaf pages filled to fillfactor (page header 24, btree special 16)
		   1 + pg_catalog.ceil(e.reltuples
							   / greatest(pg_catalog.floor((e.bs - 24 - 16) * e.fillfactor / 100 / e.tuple_bytes), 1)) AS expected_pages
	FROM est e)
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   p.indrelid AS table_relid,
	   ic.relname AS indexname,
	   p.indexrelid,
	   p.indisprimary AS is_primary,
	   (p.relpages * p.bs)::bigint AS index_bytes,
	   pg_catalog.pg_size_pretty((p.relpages * p.bs)::bigint) AS index_size,
	   ((p.relpages - p.expected_pages) * p.bs)::bigint AS bloat_bytes,
	   pg_catalog.pg_size_pretty(((p.relpages - p.expected_pages) * p.bs)::bigint) AS bloat_size,
	   pg_catalog.round((100.0 * (p.relpages - p.expected_pages) / p.relpages)::numeric, 1) AS bloat_percent,
	   @extschema@._index_definition(p.indexrelid) AS definition,
	   pg_catalog.format('REINDEX INDEX CONCURRENTLY %I.%I', n.nspname, ic.relname) AS fix_sql
FROM pages p
	 JOIN pg_catalog.pg_class ic ON ic.oid = p.indexrelid
	 JOIN pg_catalog.pg_class t ON t.oid = p.indrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 CROSS JOIN @extschema@.config() c
WHERE p.relpages > p.expected_pages
  AND (p.relpages - p.expected_pages) * p.bs >= c.index_bloat_min_bytes;

COMMENT ON VIEW @extschema@.index_bloat IS
'Btree indexes whose estimated wasted space is at least pghero.index_bloat_min_bytes (estimate from pg_class and column statistics; run ANALYZE first)';

--------------------------------------------------------------------------
-- Constraints
--------------------------------------------------------------------------

CREATE VIEW @extschema@.invalid_constraints AS
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   k.conrelid AS table_relid,
	   k.conname AS constraint_name,
	   CASE k.contype WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' ELSE k.contype::text END AS type,
	   fn.nspname AS referenced_schema,
	   ft.relname AS referenced_table,
	   @extschema@._constraint_definition(k.oid) AS definition,
	   pg_catalog.format('ALTER TABLE %I.%I VALIDATE CONSTRAINT %I', n.nspname, t.relname, k.conname) AS fix_sql
FROM pg_catalog.pg_constraint k
	 JOIN pg_catalog.pg_class t ON t.oid = k.conrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 LEFT JOIN pg_catalog.pg_class ft ON ft.oid = k.confrelid
	 LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = ft.relnamespace
WHERE NOT k.convalidated;

COMMENT ON VIEW @extschema@.invalid_constraints IS
'Constraints added NOT VALID and never validated: the rows present before they were added are not checked';

--------------------------------------------------------------------------
-- Maintenance
--------------------------------------------------------------------------

CREATE VIEW @extschema@.maintenance AS
SELECT s.schemaname,
	   s.relname,
	   s.relid,
	   s.last_vacuum,
	   s.last_autovacuum,
	   s.last_analyze,
	   s.last_autoanalyze,
	   s.n_live_tup AS live_rows,
	   s.n_dead_tup AS dead_rows,
	   pg_catalog.round(100.0 * s.n_dead_tup / NULLIF(s.n_live_tup, 0), 1) AS dead_rows_percent,
	   s.n_mod_since_analyze AS rows_modified_since_analyze,
	   s.vacuum_count,
	   s.autovacuum_count,
	   s.analyze_count,
	   s.autoanalyze_count
FROM pg_catalog.pg_stat_user_tables s;

COMMENT ON VIEW @extschema@.maintenance IS
'When every table of this database was last vacuumed and analyzed, with its live and dead rows';

CREATE VIEW @extschema@.transaction_id_danger AS
WITH ages AS (
	SELECT 'table'::text AS kind,
		   pg_catalog.current_database() AS database,
		   n.nspname AS schemaname,
		   c.relname,
		   c.oid AS relid,
		   greatest(pg_catalog.age(c.relfrozenxid), pg_catalog.age(t.relfrozenxid))::bigint AS xid_age,
		   greatest(pg_catalog.mxid_age(c.relminmxid), pg_catalog.mxid_age(t.relminmxid))::bigint AS mxid_age
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid
	WHERE c.relkind IN ('r', 'm')
	UNION ALL
	SELECT 'database',
		   d.datname,
		   NULL,
		   NULL,
		   NULL,
		   pg_catalog.age(d.datfrozenxid)::bigint,
		   pg_catalog.mxid_age(d.datminmxid)::bigint
	FROM pg_catalog.pg_database d
	WHERE d.datconnlimit <> -2)
SELECT a.kind,
	   a.database,
	   a.schemaname,
	   a.relname,
	   a.relid,
	   a.xid_age,
	   2146483648 - a.xid_age AS transactions_left,
	   a.mxid_age,
	   2146483648 - a.mxid_age AS multixacts_left
FROM ages a
	 CROSS JOIN @extschema@.config() c
WHERE 2146483648 - a.xid_age < c.transaction_id_danger
   OR 2146483648 - a.mxid_age < c.transaction_id_danger;

COMMENT ON VIEW @extschema@.transaction_id_danger IS
'Tables of this database and databases of the cluster with fewer than pghero.transaction_id_danger transaction IDs or multixact IDs left before the server stops to prevent wraparound';

CREATE VIEW @extschema@.autovacuum_danger AS
WITH t AS (
	SELECT n.nspname AS schemaname,
		   c.relname,
		   c.oid AS relid,
		   greatest(pg_catalog.age(c.relfrozenxid), pg_catalog.age(x.relfrozenxid))::bigint AS xid_age,
		   greatest(pg_catalog.mxid_age(c.relminmxid), pg_catalog.mxid_age(x.relminmxid))::bigint AS mxid_age,
		   least(pg_catalog.current_setting('autovacuum_freeze_max_age')::bigint,
							(SELECT o.option_value::bigint FROM pg_catalog.pg_options_to_table(c.reloptions) o
							 WHERE o.option_name = 'autovacuum_freeze_max_age')) AS freeze_max_age,
		   least(pg_catalog.current_setting('autovacuum_multixact_freeze_max_age')::bigint,
							(SELECT o.option_value::bigint FROM pg_catalog.pg_options_to_table(c.reloptions) o
							 WHERE o.option_name = 'autovacuum_multixact_freeze_max_age')) AS multixact_freeze_max_age
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 LEFT JOIN pg_catalog.pg_class x ON x.oid = c.reltoastrelid
	WHERE c.relkind IN ('r', 'm'))
SELECT t.schemaname,
	   t.relname,
	   t.relid,
	   t.xid_age,
	   t.freeze_max_age,
	   t.freeze_max_age - t.xid_age AS transactions_left,
	   t.mxid_age,
	   t.multixact_freeze_max_age,
	   t.multixact_freeze_max_age - t.mxid_age AS multixacts_left
FROM t
WHERE t.freeze_max_age - t.xid_age < 2000000
   OR t.multixact_freeze_max_age - t.mxid_age < 2000000;

COMMENT ON VIEW @extschema@.autovacuum_danger IS
'Tables of this database within 2 million transactions or multixacts of a forced anti-wraparound autovacuum (autovacuum_freeze_max_age, or the table''s own setting)';

CREATE VIEW @extschema@.sequences AS
WITH uses AS (
	-- serial and identity columns own their sequence
	SELECT d.objid AS seqid, d.refobjid AS relid, d.refobjsubid AS attnum
	FROM pg_catalog.pg_depend d
	WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
	  AND d.deptype IN ('a', 'i')
	  AND d.refobjsubid > 0
	UNION
	-- any column whose default calls nextval() on the sequence
	SELECT d.refobjid, ad.adrelid, ad.adnum
	FROM pg_catalog.pg_depend d
		 JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
	WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
	  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
	  AND d.deptype = 'n'),
s AS (
	SELECT sn.nspname AS sequence_schema,
		   sc.relname AS sequence_name,
		   u.seqid,
		   tn.nspname AS schemaname,
		   tc.relname,
		   u.relid,
		   a.attname AS column_name,
		   pg_catalog.format_type(a.atttypid, a.atttypmod) AS column_type,
		   q.seqincrement AS increment,
		   v.last_value,
		   CASE WHEN q.seqincrement > 0
				THEN least(q.seqmax,
									  CASE a.atttypid WHEN 'pg_catalog.int2'::pg_catalog.regtype THEN 32767
													  WHEN 'pg_catalog.int4'::pg_catalog.regtype THEN 2147483647
													  ELSE 9223372036854775807 END)
				ELSE greatest(q.seqmin,
										 CASE a.atttypid WHEN 'pg_catalog.int2'::pg_catalog.regtype THEN -32768
														 WHEN 'pg_catalog.int4'::pg_catalog.regtype THEN -2147483648
														 ELSE -9223372036854775808 END) END AS max_value
	FROM uses u
		 JOIN pg_catalog.pg_sequence q ON q.seqrelid = u.seqid
		 JOIN pg_catalog.pg_class sc ON sc.oid = u.seqid
		 JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
		 JOIN pg_catalog.pg_class tc ON tc.oid = u.relid
		 JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
		 JOIN pg_catalog.pg_attribute a
			ON a.attrelid = u.relid AND a.attnum = u.attnum AND NOT a.attisdropped
		 LEFT JOIN @extschema@._sequence_values() v ON v.seqid = u.seqid
	WHERE tc.relpersistence <> 't')
SELECT s.sequence_schema,
	   s.sequence_name,
	   s.seqid,
	   s.schemaname,
	   s.relname,
	   s.relid,
	   s.column_name,
	   s.column_type,
	   s.increment,
	   s.last_value,
	   s.max_value,
	   pg_catalog.round(100.0 * s.last_value / s.max_value, 2) AS percent_used,
	   pg_catalog.abs(s.max_value::numeric - s.last_value) AS values_left,
	   s.last_value IS NOT NULL AS readable
FROM s;

COMMENT ON VIEW @extschema@.sequences IS
'Every column of this database filled from a sequence (serial, identity or a nextval() default), with how much of its range is used';

CREATE VIEW @extschema@.sequence_danger AS
SELECT s.*
FROM @extschema@.sequences s
	 CROSS JOIN @extschema@.config() c
WHERE s.readable
  AND s.percent_used > c.sequence_danger_percent;

COMMENT ON VIEW @extschema@.sequence_danger IS
'Columns whose sequence has used more than pghero.sequence_danger_percent of the range of the column type or of the sequence';

--------------------------------------------------------------------------
-- Replication
--------------------------------------------------------------------------

CREATE VIEW @extschema@.replication AS
SELECT 'primary'::text AS role,
	   r.pid,
	   r.usename AS "user",
	   r.application_name,
	   r.client_addr,
	   r.state,
	   r.sync_state,
	   r.sent_lsn,
	   r.write_lsn,
	   r.flush_lsn,
	   r.replay_lsn,
	   pg_catalog.pg_wal_lsn_diff(
		   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
				ELSE pg_catalog.pg_current_wal_lsn() END,
		   r.replay_lsn)::bigint AS lag_bytes,
	   r.replay_lag AS lag,
	   pg_catalog.date_part('epoch', r.replay_lag) * 1000 AS lag_ms,
	   r.write_lag,
	   r.flush_lag,
	   r.reply_time
FROM @extschema@._replication() r
UNION ALL
SELECT 'standby',
	   NULL,
	   NULL,
	   NULL,
	   NULL,
	   w.status,
	   NULL,
	   NULL,
	   NULL,
	   pg_catalog.pg_last_wal_receive_lsn(),
	   pg_catalog.pg_last_wal_replay_lsn(),
	   pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::bigint,
	   l.lag,
	   pg_catalog.date_part('epoch', l.lag) * 1000,
	   NULL,
	   NULL,
	   NULL
FROM (SELECT CASE WHEN pg_catalog.pg_last_wal_receive_lsn() = pg_catalog.pg_last_wal_replay_lsn()
				  THEN '0'::interval
				  ELSE pg_catalog.now() - pg_catalog.pg_last_xact_replay_timestamp() END AS lag) l
	 LEFT JOIN pg_catalog.pg_stat_wal_receiver w ON true
WHERE pg_catalog.pg_is_in_recovery();

COMMENT ON VIEW @extschema@.replication IS
'On a primary, one row per standby it streams to, with its lag; on a standby, one row with its own replay lag';

CREATE VIEW @extschema@.replication_slots AS
SELECT s.slot_name,
	   s.plugin,
	   s.slot_type,
	   s.database,
	   s.temporary,
	   s.active,
	   s.active_pid,
	   s.wal_status,
	   pg_catalog.pg_wal_lsn_diff(
		   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
				ELSE pg_catalog.pg_current_wal_lsn() END,
		   s.restart_lsn)::bigint AS retained_wal_bytes,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_wal_lsn_diff(
		   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
				ELSE pg_catalog.pg_current_wal_lsn() END,
		   s.restart_lsn)) AS retained_wal,
	   s.safe_wal_size AS safe_wal_bytes,
	   pg_catalog.age(s.xmin)::bigint AS xmin_age,
	   pg_catalog.age(s.catalog_xmin)::bigint AS catalog_xmin_age
FROM pg_catalog.pg_replication_slots s;

COMMENT ON VIEW @extschema@.replication_slots IS
'Every replication slot of the cluster, with the WAL it retains; an inactive slot keeps WAL and old rows forever';

--------------------------------------------------------------------------
-- Settings
--------------------------------------------------------------------------

CREATE VIEW @extschema@.settings AS
SELECT v.category,
	   s.name,
	   pg_catalog.current_setting(s.name) AS value,
	   s.setting,
	   s.unit,
	   s.boot_val AS default_value,
	   s.source,
	   s.context,
	   s.pending_restart,
	   s.short_desc AS description
FROM (VALUES
		('tuning', 'max_connections'),
		('tuning', 'shared_buffers'),
		('tuning', 'effective_cache_size'),
		('tuning', 'maintenance_work_mem'),
		('tuning', 'checkpoint_completion_target'),
		('tuning', 'wal_buffers'),
		('tuning', 'default_statistics_target'),
		('tuning', 'random_page_cost'),
		('tuning', 'effective_io_concurrency'),
		('tuning', 'work_mem'),
		('tuning', 'huge_pages'),
		('tuning', 'jit'),
		('tuning', 'wal_compression'),
		('tuning', 'min_wal_size'),
		('tuning', 'max_wal_size'),
		('tuning', 'io_method'),
		('autovacuum', 'autovacuum'),
		('autovacuum', 'autovacuum_max_workers'),
		('autovacuum', 'autovacuum_naptime'),
		('autovacuum', 'autovacuum_vacuum_cost_limit'),
		('autovacuum', 'autovacuum_vacuum_cost_delay'),
		('autovacuum', 'autovacuum_vacuum_scale_factor'),
		('autovacuum', 'autovacuum_vacuum_threshold'),
		('autovacuum', 'autovacuum_vacuum_insert_scale_factor'),
		('autovacuum', 'autovacuum_analyze_scale_factor'),
		('autovacuum', 'autovacuum_analyze_threshold'),
		('autovacuum', 'autovacuum_freeze_max_age'),
		('autovacuum', 'autovacuum_multixact_freeze_max_age'),
		('autovacuum', 'autovacuum_work_mem'),
		('vacuum', 'vacuum_cost_limit'),
		('vacuum', 'vacuum_cost_delay'),
		('vacuum', 'vacuum_freeze_min_age'),
		('vacuum', 'vacuum_freeze_table_age'),
		('vacuum', 'vacuum_multixact_freeze_min_age'),
		('vacuum', 'vacuum_multixact_freeze_table_age'),
		('vacuum', 'vacuum_failsafe_age')) AS v(category, name)
	 JOIN pg_catalog.pg_settings s ON s.name = v.name;

COMMENT ON VIEW @extschema@.settings IS
'The settings PgHero''s tuning page shows, plus autovacuum and vacuum settings, with where their value comes from';

--------------------------------------------------------------------------
-- Actions (pghero_admin)
--------------------------------------------------------------------------

CREATE TABLE @extschema@.audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	logged_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	role_name name NOT NULL,
	session_user_name name NOT NULL,
	action text NOT NULL,
	target_pid integer,
	target_backend_start timestamptz,
	target_user name,
	target_database name,
	target_query text,
	succeeded boolean NOT NULL,
	detail text
);

COMMENT ON TABLE @extschema@.audit_log IS
'Every action taken through pghero: who, when, what, on which session';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log', '');

-- One signal to one backend, with every rule; owner only.  In strict mode
-- (a single pid asked for by name) a refusal is an error, otherwise (bulk
-- actions) the backend is skipped.
CREATE FUNCTION @extschema@._signal(
	p_action text, p_pid integer, p_backend_start timestamptz, p_strict boolean)
RETURNS TABLE (pid integer, backend_start timestamptz, "user" name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller regrole := @extschema@._outer_role();
	caller_is_superuser boolean;
	t record;
	refusal text;
	refusal_detail text;
	refusal_code text;
	ok boolean;
BEGIN
	IF p_action NOT IN ('cancel', 'terminate') THEN
		RAISE EXCEPTION 'unknown action "%"', p_action
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT r.rolsuper INTO caller_is_superuser
	FROM pg_catalog.pg_authid r WHERE r.oid OPERATOR(pg_catalog.=) caller;

	SELECT a.* INTO t
	FROM @extschema@._activity() a
	WHERE a.pid OPERATOR(pg_catalog.=) p_pid;

	IF NOT FOUND THEN
		IF p_strict THEN
			RAISE WARNING 'PID % is not a PostgreSQL server process', p_pid
				USING HINT = 'The session may have ended already; see pghero.connections for current processes.';
		END IF;
		RETURN;
	END IF;

	IF p_backend_start IS NOT NULL
	   AND t.backend_start IS DISTINCT FROM p_backend_start THEN
		IF p_strict THEN
			RAISE WARNING 'process % started at %, not at %: nothing was signalled',
				p_pid, t.backend_start, p_backend_start
				USING HINT = 'The session you meant has ended and its process ID now belongs to another session.';
		END IF;
		RETURN;
	END IF;

	IF t.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() THEN
		refusal := pg_catalog.format('cannot %s your own session', p_action);
		refusal_detail := 'pghero never signals the session that asks.';
		refusal_code := 'invalid_parameter_value';
	ELSIF t.backend_type IS DISTINCT FROM 'client backend' THEN
		refusal := pg_catalog.format('cannot %s a %s process', p_action, t.backend_type);
		refusal_detail := pg_catalog.format('Process %s is not a client backend; pghero only signals client sessions.', t.pid);
		refusal_code := 'invalid_parameter_value';
	ELSIF t.is_superuser AND NOT caller_is_superuser THEN
		refusal := pg_catalog.format('permission denied to %s a superuser''s session', p_action);
		refusal_detail := pg_catalog.format('Process %s belongs to superuser "%s"; only a superuser may signal it.', t.pid, t.usename);
		refusal_code := 'insufficient_privilege';
	END IF;

	IF refusal IS NOT NULL THEN
		IF p_strict THEN
			RAISE EXCEPTION '%', refusal
				USING ERRCODE = refusal_code, DETAIL = refusal_detail;
		END IF;
		RETURN;
	END IF;

	IF p_action OPERATOR(pg_catalog.=) 'cancel' THEN
		ok := pg_catalog.pg_cancel_backend(t.pid);
	ELSE
		ok := pg_catalog.pg_terminate_backend(t.pid);
	END IF;

	INSERT INTO @extschema@.audit_log
		(role_name, session_user_name, action, target_pid, target_backend_start,
		 target_user, target_database, target_query, succeeded)
	VALUES (caller::text, session_user, p_action, t.pid, t.backend_start,
			t.usename, t.datname, t.query, ok);

	RETURN QUERY SELECT t.pid, t.backend_start, t.usename, t.datname,
						t.query, p_action, ok;
END
$$;

COMMENT ON FUNCTION @extschema@._signal(text, integer, timestamptz, boolean) IS
'Cancel or terminate one client backend, applying pghero''s rules and writing the audit log (internal)';

CREATE FUNCTION @extschema@.cancel(pid integer, backend_start timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(pg_catalog.bool_or(s.signalled), false)
	FROM @extschema@._signal('cancel', $1, $2, true) s
$$;

COMMENT ON FUNCTION @extschema@.cancel(integer, timestamptz) IS
'Cancel the current query of a client backend; with backend_start, only if the process is still that session';

CREATE FUNCTION @extschema@.terminate(pid integer, backend_start timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(pg_catalog.bool_or(s.signalled), false)
	FROM @extschema@._signal('terminate', $1, $2, true) s
$$;

COMMENT ON FUNCTION @extschema@.terminate(integer, timestamptz) IS
'Terminate a client backend; with backend_start, only if the process is still that session';

CREATE FUNCTION @extschema@.kill_long_running_queries()
RETURNS TABLE (pid integer, backend_start timestamptz, "user" name,
			   database name, query text, action text, signalled boolean)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.*
	FROM @extschema@._activity() a
		 CROSS JOIN @extschema@.config() c
		 CROSS JOIN LATERAL @extschema@._signal('terminate', a.pid, a.backend_start, false) s
	WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
	  AND a.state IS DISTINCT FROM 'idle'
	  AND a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
	  AND pg_catalog.now() OPERATOR(pg_catalog.-) coalesce(a.query_start, a.xact_start)
		  OPERATOR(pg_catalog.>) pg_catalog.make_interval(secs => c.long_running_query_sec)
$$;

COMMENT ON FUNCTION @extschema@.kill_long_running_queries() IS
'Terminate every client backend of this database whose query has run longer than pghero.long_running_query_sec; returns the sessions terminated';

CREATE FUNCTION @extschema@.kill_all(datname name DEFAULT pg_catalog.current_database())
RETURNS TABLE (pid integer, backend_start timestamptz, "user" name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	db name := $1;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_database d
				   WHERE d.datname OPERATOR(pg_catalog.=) db) THEN
		RAISE EXCEPTION 'database "%" does not exist', db
			USING ERRCODE = 'invalid_catalog_name',
				  HINT = 'See pghero.database_sizes for the databases of this cluster.';
	END IF;
	RETURN QUERY
	SELECT s.*
	FROM @extschema@._activity() a
		 CROSS JOIN LATERAL @extschema@._signal('terminate', a.pid, a.backend_start, false) s
	WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
	  AND a.datname OPERATOR(pg_catalog.=) db;
END
$$;

COMMENT ON FUNCTION @extschema@.kill_all(name) IS
'Terminate every client backend connected to a database (default: this one), except your own and, unless you are a superuser, superusers'' sessions';

CREATE FUNCTION @extschema@.reset_query_stats(userid oid DEFAULT 0, dbid oid DEFAULT 0, queryid bigint DEFAULT 0)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fn text := @extschema@._pgss_function('pg_stat_statements_reset', 3);
BEGIN
	EXECUTE pg_catalog.format('SELECT %s($1, $2, $3)', fn) USING $1, $2, $3;

	INSERT INTO @extschema@.audit_log
		(role_name, session_user_name, action, succeeded, detail)
	VALUES (@extschema@._outer_role()::text, session_user, 'reset_query_stats', true,
			pg_catalog.format('userid %s, dbid %s, queryid %s', $1, $2, $3));
	RETURN true;
END
$$;

COMMENT ON FUNCTION @extschema@.reset_query_stats(oid, oid, bigint) IS
'Reset pg_stat_statements, scoped like pg_stat_statements_reset(userid, dbid, queryid): 0 means all';

--------------------------------------------------------------------------
-- Column comments
--
-- Every column of every view gets a comment: from the list of column
-- names shared by many views, or from the per-view list.  A column with
-- neither stops the installation, so none ships undocumented.
--------------------------------------------------------------------------

DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		WITH common(col, txt) AS (VALUES
		('pid', 'Process ID of the backend'),
			('backend_start', 'When the backend''s session started; with pid, identifies the session'),
			('database', 'Database name'),
			('datid', 'Database OID'),
			('dbid', 'Database OID'),
			('user', 'Role name of the session or statement'),
			('userid', 'Role OID'),
			('application_name', 'application_name the client set'),
			('client_addr', 'Client IP address; NULL for a Unix-socket connection or a server process'),
			('client_hostname', 'Client host name, when log_hostname is on'),
			('client_port', 'Client TCP port; -1 for a Unix socket'),
			('state', 'Backend state: active, idle, idle in transaction, ...'),
			('wait_event_type', 'Type of event the backend is waiting for, NULL if it is not waiting'),
			('wait_event', 'Event the backend is waiting for, NULL if it is not waiting'),
			('query', 'Full text of the query (the current or last one for a backend; the normalized text for a statement)'),
			('started_at', 'When the current query started (the transaction start for a backend idle in transaction)'),
			('duration', 'How long it has been running'),
			('duration_ms', 'duration in milliseconds'),
			('xact_start', 'When the backend''s current transaction started'),
			('schemaname', 'Schema of the table'),
			('relname', 'Name of the table or relation'),
			('relid', 'OID of the table or relation'),
			('tablename', 'Name of the table'),
			('table_relid', 'OID of the table'),
			('indexname', 'Name of the index'),
			('indexrelid', 'OID of the index'),
			('size_bytes', 'Size on disk in bytes; NULL when it could not be measured without waiting for a lock held by another session'),
			('size', 'size_bytes, human-readable'),
			('definition', 'Definition as CREATE statement or constraint clause; NULL when it could not be read without waiting for a lock held by another session'),
			('fix_sql', 'SQL that fixes the problem; review it before running it'),
			('index_scans', 'Index scans since the statistics were last reset'),
			('is_partition', 'Whether it is a partition of a partitioned table'),
			('measured', 'Whether every part could be measured; false when a relation was locked by another session and its size was left out'),
			('partitions', 'For a partitioned table or index, the number of partitions whose sizes are summed; NULL otherwise'),
			('type', 'Kind of object'),
			('calls', 'Number of executions'),
			('total_time', 'Total planning and execution time'),
			('total_time_ms', 'total_time in milliseconds'),
			('mean_time', 'Mean planning and execution time per call'),
			('mean_time_ms', 'mean_time in milliseconds'),
			('rows', 'Rows retrieved or affected, in total'),
			('percent_of_total', 'Share of the total time of all statements, in percent'),
			('queryid', 'pg_stat_statements query identifier'),
			('shared_blks_hit', 'Shared buffer hits'),
			('shared_blks_read', 'Shared blocks read from disk or the OS cache'),
			('cache_hit_percent', 'Share of shared block accesses served from shared buffers, in percent'),
			('temp_blks_read', 'Temporary file blocks read'),
			('temp_blks_written', 'Temporary file blocks written'),
			('xid_age', 'Age of the oldest unfrozen transaction ID (table and its TOAST table)'),
			('mxid_age', 'Age of the oldest multixact ID (table and its TOAST table)'),
			('transactions_left', 'Transaction IDs left before the limit'),
			('multixacts_left', 'Multixact IDs left before the limit')),
		per_view(view, col, txt) AS (VALUES
		('running_queries', 'blocked_by', 'PIDs of the sessions this one waits for (pg_blocking_pids); empty when it waits for no lock'),
			('blocked_queries', 'blocked_pid', 'Process ID of the waiting session'),
			('blocked_queries', 'blocked_user', 'Role of the waiting session'),
			('blocked_queries', 'blocked_query', 'Query of the waiting session'),
			('blocked_queries', 'blocked_duration', 'How long the waiting query has run'),
			('blocked_queries', 'blocked_duration_ms', 'blocked_duration in milliseconds'),
			('blocked_queries', 'lock_type', 'Type of the lock waited for (relation, transactionid, tuple, ...)'),
			('blocked_queries', 'lock_mode', 'Mode of the lock waited for'),
			('blocked_queries', 'relid', 'OID of the relation whose lock is waited for, if it is a relation lock'),
			('blocked_queries', 'schemaname', 'Schema of that relation (this database only)'),
			('blocked_queries', 'relname', 'Name of that relation (this database only)'),
			('blocked_queries', 'blocking_pid', 'Process ID of a session holding or queued ahead for a conflicting lock'),
			('blocked_queries', 'blocking_user', 'Role of the blocking session'),
			('blocked_queries', 'blocking_state', 'State of the blocking session (idle in transaction means it holds locks while doing nothing)'),
			('blocked_queries', 'blocking_query', 'Current or last query of the blocking session'),
			('blocked_queries', 'blocking_duration', 'How long the blocking session''s current or last query has run'),
			('blocked_queries', 'blocking_duration_ms', 'blocking_duration in milliseconds'),
			('blocked_queries', 'blocking_transaction_duration', 'How long the blocking session''s transaction has been open'),
			('vacuum_progress', 'schemaname', 'Schema of the table (tables of this database only)'),
			('vacuum_progress', 'relname', 'Table being vacuumed (tables of this database only)'),
			('vacuum_progress', 'phase', 'Current phase of the vacuum'),
			('vacuum_progress', 'heap_blks_total', 'Blocks of the table'),
			('vacuum_progress', 'heap_blks_scanned', 'Blocks scanned so far'),
			('vacuum_progress', 'heap_blks_vacuumed', 'Blocks vacuumed so far'),
			('vacuum_progress', 'percent_scanned', 'heap_blks_scanned as a percent of heap_blks_total'),
			('vacuum_progress', 'index_vacuum_count', 'Index vacuum cycles completed'),
			('vacuum_progress', 'max_dead_tuples', 'Dead tuples that fit in maintenance memory before an index vacuum cycle'),
			('vacuum_progress', 'num_dead_tuples', 'Dead tuples collected since the last index vacuum cycle'),
			('vacuum_progress', 'started_at', 'When the vacuum started'),
			('connections', 'backend_type', 'Kind of process: client backend, autovacuum worker, walsender, ...'),
			('connections', 'ssl', 'Whether the connection uses SSL'),
			('connections', 'connected_for', 'How long the session has been connected'),
			('connections', 'connected_for_ms', 'connected_for in milliseconds'),
			('connection_sources', 'total_connections', 'Client connections from this source'),
			('connection_states', 'total_connections', 'Client connections in this state'),
			('connection_summary', 'total_connections', 'Client connections of the cluster'),
			('connection_summary', 'active_connections', 'Client connections running a query'),
			('connection_summary', 'idle_in_transaction_connections', 'Client connections idle in a transaction'),
			('connection_summary', 'max_connections', 'max_connections setting'),
			('connection_summary', 'reserved_connections', 'Connection slots reserved for superusers (and, from PostgreSQL 16, reserved_connections)'),
			('connection_summary', 'available_connections', 'Connection slots open to ordinary roles'),
			('connection_summary', 'percent_used', 'total_connections as a percent of available_connections'),
			('connection_summary', 'high_connections', 'Whether total_connections reaches pghero.total_connections_threshold'),
			('connection_summary', 'high_idle_in_transaction', 'Whether idle_in_transaction_connections reaches pghero.idle_in_transaction_threshold'),
			('indexes', 'access_method', 'Index access method (btree, hash, gin, gist, ...)'),
			('indexes', 'columns', 'Key columns or expressions, in order (operator classes, collations and ordering are in definition); NULL when the table is locked by another session'),
		('indexes', 'include_columns', 'Non-key (INCLUDE) columns; NULL when the table is locked by another session'),
				('indexes', 'predicate', 'WHERE clause of a partial index, NULL otherwise (and when the table is locked)'),
			('indexes', 'is_unique', 'Whether the index is unique'),
			('indexes', 'is_primary', 'Whether the index backs the primary key'),
			('indexes', 'is_valid', 'Whether the index is valid (usable by queries)'),
			('indexes', 'being_built', 'Whether a CREATE INDEX or REINDEX is building it right now'),
			('duplicate_indexes', 'unneeded_index', 'Index that the covering index makes unnecessary'),
			('duplicate_indexes', 'unneeded_indexrelid', 'OID of the unneeded index'),
			('duplicate_indexes', 'unneeded_definition', 'Definition of the unneeded index'),
			('duplicate_indexes', 'covering_index', 'Index that covers it'),
			('duplicate_indexes', 'covering_indexrelid', 'OID of the covering index'),
			('duplicate_indexes', 'covering_definition', 'Definition of the covering index'),
			('duplicate_indexes', 'size_bytes', 'Size of the unneeded index in bytes; NULL when it could not be measured without waiting'),
			('duplicate_indexes', 'size', 'Size of the unneeded index, human-readable'),
			('unused_indexes', 'stats_reset', 'When the statistics of this database were last reset; NULL if never'),
			('unused_indexes', 'stats_age', 'Time since the statistics were last reset: the window in which the index was not used (NULL if never reset)'),
			('unused_indexes', 'stats_age_ms', 'stats_age in milliseconds'),
			('index_usage', 'seq_scan', 'Sequential scans since the statistics were last reset'),
			('index_usage', 'percent_of_times_index_used', 'Index scans as a percent of all scans, rounded to 0.01; NULL when the table was never scanned'),
		('index_usage', 'index_scans', 'Index scans of the table since the statistics were last reset (0 for a table without indexes)'),
			('index_usage', 'estimated_rows', 'Estimated live rows'),
			('cache_hit_rates', 'kind', 'table or index'),
			('cache_hit_rates', 'blocks_hit', 'Blocks found in shared buffers'),
			('cache_hit_rates', 'blocks_read', 'Blocks read from disk or the OS cache'),
			('cache_hit_rates', 'hit_rate', 'blocks_hit as a percent of all block accesses; NULL without any access'),
			('cache_hit_rates', 'threshold', 'pghero.cache_hit_rate_threshold, in percent'),
			('cache_hit_rates', 'healthy', 'Whether hit_rate reaches the threshold'),
			('index_bloat', 'is_primary', 'Whether the index backs the primary key'),
			('index_bloat', 'index_bytes', 'Size of the index from its page count at the last VACUUM or ANALYZE, in bytes'),
			('index_bloat', 'index_size', 'index_bytes, human-readable'),
			('index_bloat', 'bloat_bytes', 'Estimated wasted space in bytes'),
			('index_bloat', 'bloat_size', 'bloat_bytes, human-readable'),
			('index_bloat', 'bloat_percent', 'bloat_bytes as a percent of index_bytes'),
			('invalid_constraints', 'constraint_name', 'Name of the constraint'),
			('invalid_constraints', 'referenced_schema', 'Schema of the referenced table of a foreign key, NULL otherwise'),
			('invalid_constraints', 'referenced_table', 'Referenced table of a foreign key, NULL otherwise'),
			('maintenance', 'last_vacuum', 'Last manual VACUUM'),
			('maintenance', 'last_autovacuum', 'Last autovacuum'),
			('maintenance', 'last_analyze', 'Last manual ANALYZE'),
			('maintenance', 'last_autoanalyze', 'Last autoanalyze'),
			('maintenance', 'live_rows', 'Estimated live rows'),
			('maintenance', 'dead_rows', 'Estimated dead rows'),
			('maintenance', 'dead_rows_percent', 'dead_rows as a percent of live_rows (may exceed 100)'),
			('maintenance', 'rows_modified_since_analyze', 'Rows modified since the last ANALYZE'),
			('maintenance', 'vacuum_count', 'Manual VACUUMs since the statistics were last reset'),
			('maintenance', 'autovacuum_count', 'Autovacuums since the statistics were last reset'),
			('maintenance', 'analyze_count', 'Manual ANALYZEs since the statistics were last reset'),
			('maintenance', 'autoanalyze_count', 'Autoanalyzes since the statistics were last reset'),
			('transaction_id_danger', 'kind', 'table or database'),
			('transaction_id_danger', 'schemaname', 'Schema of the table, NULL for a database'),
			('transaction_id_danger', 'relname', 'Name of the table, NULL for a database'),
			('transaction_id_danger', 'relid', 'OID of the table, NULL for a database'),
			('transaction_id_danger', 'transactions_left', 'Transaction IDs left before the server stops accepting commands to prevent wraparound'),
			('transaction_id_danger', 'multixacts_left', 'Multixact IDs left before the server stops accepting commands to prevent wraparound'),
			('autovacuum_danger', 'freeze_max_age', 'Effective autovacuum_freeze_max_age of the table'),
			('autovacuum_danger', 'transactions_left', 'Transactions left before autovacuum forces an anti-wraparound vacuum'),
			('autovacuum_danger', 'multixact_freeze_max_age', 'Effective autovacuum_multixact_freeze_max_age of the table'),
			('autovacuum_danger', 'multixacts_left', 'Multixacts left before autovacuum forces an anti-wraparound vacuum'),
			('sequences', 'sequence_schema', 'Schema of the sequence'),
			('sequences', 'sequence_name', 'Name of the sequence'),
			('sequences', 'seqid', 'OID of the sequence'),
			('sequences', 'column_name', 'Column filled from the sequence'),
			('sequences', 'column_type', 'Type of the column'),
			('sequences', 'increment', 'Increment of the sequence'),
			('sequences', 'last_value', 'Last value the sequence returned (its start value if never used); NULL when unreadable'),
			('sequences', 'max_value', 'Last value the column can take from the sequence: the smaller of the type''s and the sequence''s limits (the larger for a descending sequence)'),
			('sequences', 'percent_used', 'last_value as a percent of max_value'),
			('sequences', 'values_left', 'Values left before the limit'),
			('sequences', 'readable', 'Whether the sequence could be read: false when another session locks it, or for an unlogged sequence on a standby'),
			('replication', 'role', 'primary: a standby this server streams to; standby: this server''s own replay'),
			('replication', 'sync_state', 'Synchronous state of the standby (async, potential, sync, quorum)'),
			('replication', 'state', 'WAL sender state on a primary; WAL receiver status on a standby'),
			('replication', 'sent_lsn', 'Last WAL location sent'),
			('replication', 'write_lsn', 'Last WAL location written by the standby'),
			('replication', 'flush_lsn', 'Last WAL location flushed by the standby'),
			('replication', 'receive_lsn', 'Last WAL location received'),
			('replication', 'replay_lsn', 'Last WAL location replayed'),
			('replication', 'lag_bytes', 'WAL bytes not yet replayed'),
			('replication', 'lag', 'Replay lag in time (0 when a standby has replayed all it received)'),
			('replication', 'lag_ms', 'lag in milliseconds'),
			('replication', 'write_lag', 'Time until the standby wrote recent WAL'),
			('replication', 'flush_lag', 'Time until the standby flushed recent WAL'),
			('replication', 'reply_time', 'Last reply from the standby'),
			('replication_slots', 'slot_name', 'Name of the slot'),
			('replication_slots', 'plugin', 'Output plugin of a logical slot'),
			('replication_slots', 'slot_type', 'physical or logical'),
			('replication_slots', 'database', 'Database of a logical slot'),
			('replication_slots', 'temporary', 'Whether the slot is temporary'),
			('replication_slots', 'active', 'Whether a consumer is connected'),
			('replication_slots', 'active_pid', 'Process of the connected consumer'),
			('replication_slots', 'wal_status', 'Whether the WAL the slot needs is still available (reserved, extended, unreserved, lost)'),
			('replication_slots', 'retained_wal_bytes', 'WAL kept for the slot, in bytes'),
			('replication_slots', 'retained_wal', 'retained_wal_bytes, human-readable'),
			('replication_slots', 'safe_wal_bytes', 'WAL bytes that can still be written before the slot is lost (max_slot_wal_keep_size), NULL if unlimited'),
			('replication_slots', 'xmin_age', 'Age of the oldest transaction the slot keeps rows for'),
			('replication_slots', 'catalog_xmin_age', 'Age of the oldest transaction the slot keeps catalog rows for'),
			('settings', 'category', 'tuning, autovacuum or vacuum'),
			('settings', 'name', 'Setting name'),
			('settings', 'value', 'Current value, with its unit'),
			('settings', 'setting', 'Current value in the setting''s base unit'),
			('settings', 'unit', 'Base unit of setting'),
			('settings', 'default_value', 'Built-in default, in the base unit'),
			('settings', 'source', 'Where the current value comes from (default, configuration file, ...)'),
			('settings', 'context', 'What it takes to change it (postmaster: restart, sighup: reload, user: SET)'),
			('settings', 'pending_restart', 'Whether a changed value waits for a restart'),
			('settings', 'description', 'What the setting does'),
			('database_sizes', 'size_bytes', 'Size of the database in bytes'),
			('table_sizes', 'size_bytes', 'Total size in bytes: table, TOAST and indexes; NULL when it could not be measured without waiting'),
			('table_sizes', 'table_bytes', 'Size of the table and its TOAST data in bytes'),
			('table_sizes', 'index_bytes', 'Size of its indexes in bytes'),
			('_partition_tree', 'ancestor', 'OID of a partitioned table or index'),
		('_partition_tree', 'relid', 'OID of one of its partitions, at any depth'),
		('relation_sizes', 'size_bytes', 'Size in bytes (a table with its TOAST data, without indexes); NULL when it could not be measured without waiting')),
		-- a view that filters another one (slow_queries, ...) shares its comments
		base(view, base) AS (VALUES
			('long_running_queries', 'running_queries'),
			('slow_queries', 'query_stats'),
			('missing_indexes', 'index_usage'),
			('sequence_danger', 'sequences'))
		SELECT cl.relname AS view, a.attname AS col,
			   coalesce(pv.txt, pb.txt, cm.txt) AS txt
		FROM pg_catalog.pg_class cl
			 JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid
			 LEFT JOIN base b ON b.view = cl.relname
			 LEFT JOIN per_view pv ON pv.view = cl.relname AND pv.col = a.attname
			 LEFT JOIN per_view pb ON pb.view = b.base AND pb.col = a.attname
			 LEFT JOIN common cm ON cm.col = a.attname
		WHERE cl.relnamespace = 'pghero'::regnamespace
		  AND cl.relkind = 'v'
		  AND a.attnum > 0
		  AND NOT a.attisdropped
		ORDER BY cl.relname, a.attnum
	LOOP
		IF c.txt IS NULL THEN
			RAISE EXCEPTION 'no comment for column %.%', c.view, c.col;
		END IF;
		EXECUTE pg_catalog.format('COMMENT ON COLUMN pghero.%I.%I IS %L', c.view, c.col, c.txt);
	END LOOP;
END
$$;

COMMENT ON COLUMN @extschema@.audit_log.id IS 'Entry number';
COMMENT ON COLUMN @extschema@.audit_log.logged_at IS 'When the action was taken';
COMMENT ON COLUMN @extschema@.audit_log.role_name IS 'Role that took the action (current role of the caller)';
COMMENT ON COLUMN @extschema@.audit_log.session_user_name IS 'Session user of the caller';
COMMENT ON COLUMN @extschema@.audit_log.action IS 'cancel, terminate or reset_query_stats';
COMMENT ON COLUMN @extschema@.audit_log.target_pid IS 'Process ID signalled';
COMMENT ON COLUMN @extschema@.audit_log.target_backend_start IS 'Start of the session signalled';
COMMENT ON COLUMN @extschema@.audit_log.target_user IS 'Role of the session signalled';
COMMENT ON COLUMN @extschema@.audit_log.target_database IS 'Database of the session signalled';
COMMENT ON COLUMN @extschema@.audit_log.target_query IS 'Query the session was running';
COMMENT ON COLUMN @extschema@.audit_log.succeeded IS 'Whether the signal was sent';
COMMENT ON COLUMN @extschema@.audit_log.detail IS 'Details, such as the scope of a reset';

--------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; pghero_reader reads; pghero_admin acts
--------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;

GRANT USAGE ON SCHEMA @extschema@ TO pghero_reader;

DO $$
DECLARE
	v record;
BEGIN
	FOR v IN
		SELECT c.relname FROM pg_catalog.pg_class c
		WHERE c.relnamespace = 'pghero'::regnamespace AND c.relkind = 'v'
	LOOP
		EXECUTE pg_catalog.format('GRANT SELECT ON pghero.%I TO pghero_reader', v.relname);
	END LOOP;
END
$$;

GRANT EXECUTE ON FUNCTION
	@extschema@.config(),
	@extschema@._relation_size(regclass),
	@extschema@._relation_sizes(regclass),
	@extschema@._index_definition(regclass),
	@extschema@._index_description(regclass),
	@extschema@._constraint_definition(oid),
	@extschema@._activity(),
	@extschema@._vacuum_progress(),
	@extschema@._indexes_being_built(),
	@extschema@._replication(),
	@extschema@._database_sizes(),
	@extschema@._sequence_values(),
	@extschema@._statements()
TO pghero_reader;

GRANT SELECT ON @extschema@.audit_log TO pghero_admin;

GRANT EXECUTE ON FUNCTION
	@extschema@.cancel(integer, timestamptz),
	@extschema@.terminate(integer, timestamptz),
	@extschema@.kill_long_running_queries(),
	@extschema@.kill_all(name),
	@extschema@.reset_query_stats(oid, oid, bigint)
TO pghero_admin;
