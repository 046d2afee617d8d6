/* sql/pghero--1.1.sql: the objects of 1.0 followed by those of the 1.0 -> 1.1 upgrade */

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

--------------------------------------------------------------------------
-- pghero 1.1: the collector
--
-- A background worker (src/collector.c) calls _run_source() for each
-- source on a fixed-rate schedule, each call in its own short transaction.
-- The capture logic lives here, in functions the tests call directly
-- through pghero.capture().
--
-- Deltas: each source keeps the cumulative counters it last read in an
-- UNLOGGED baseline table, so that updating it writes no WAL.  A clean
-- restart keeps both the baseline and the server's statistics; a crash
-- empties both (pg_stat_statements keeps no file after a crash).  After an
-- immediate shutdown pg_stat_statements keeps its counters while recovery
-- empties the baseline: that one interval is then not counted, and the
-- capture says so (lossy, with a note), rather than counting it twice.  A history
-- row holds the change since the previous capture of the same identity;
-- zero changes are stored as NULL (they cost a bit, not eight bytes).
--
-- Storage: history tables are partitioned by day on captured_at.  Raw rows
-- are rolled up into hourly rows; retention drops whole partitions (raw
-- after pghero.raw_retention, once rolled up; hourly after
-- pghero.history_retention).  Readers combine both tiers.
--------------------------------------------------------------------------

--------------------------------------------------------------------------
-- Collector state
--------------------------------------------------------------------------

CREATE TABLE @extschema@.collector_sources (
	source text PRIMARY KEY,
	last_run_at timestamptz,
	last_duration_ms float8,
	last_rows bigint,
	last_success_at timestamptz,
	last_error text,
	last_error_at timestamptz,
	next_run_at timestamptz,
	runs bigint NOT NULL DEFAULT 0,
	failures bigint NOT NULL DEFAULT 0,
	last_note text
);

COMMENT ON TABLE @extschema@.collector_sources IS
'One row per capture source: when it last ran, how long, what it wrote, its last error and its next run';

INSERT INTO @extschema@.collector_sources (source)
VALUES ('statements'), ('database_activity'), ('instance'), ('space'), ('retention');

-- how far raw history has been rolled up into hourly rows, per history
CREATE TABLE @extschema@.rollup_progress (
	history text PRIMARY KEY,
	rolled_up_until timestamptz NOT NULL DEFAULT '-infinity'
);

COMMENT ON TABLE @extschema@.rollup_progress IS
'For each history, the time before which every raw row is already in the hourly rollup';

INSERT INTO @extschema@.rollup_progress (history)
VALUES ('statement'), ('database'), ('instance');

--------------------------------------------------------------------------
-- History tables
--------------------------------------------------------------------------

-- statements: one row per identity whose counters moved in an interval
CREATE TABLE @extschema@.statement_history (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	dbid oid NOT NULL,
	userid oid NOT NULL,
	queryid bigint NOT NULL,
	toplevel boolean NOT NULL,
	calls bigint,
	plans bigint,
	total_plan_time float8,
	total_exec_time float8,
	min_exec_time float8,
	max_exec_time float8,
	rows bigint,
	shared_blks_hit bigint,
	shared_blks_read bigint,
	shared_blks_dirtied bigint,
	shared_blks_written bigint,
	local_blks_hit bigint,
	local_blks_read bigint,
	local_blks_dirtied bigint,
	local_blks_written bigint,
	temp_blks_read bigint,
	temp_blks_written bigint,
	blk_read_time float8,
	blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	lossy boolean
) PARTITION BY RANGE (captured_at);

-- rows arrive in captured_at order: a BRIN index finds a time range for
-- almost no space and no write cost (a btree would double the WAL of a
-- capture; lookups by queryid go to the hourly rollup, which has one)
CREATE INDEX ON @extschema@.statement_history USING brin (captured_at);

COMMENT ON TABLE @extschema@.statement_history IS
'Raw statement history: per capture, the change of every pg_stat_statements counter of each identity (userid, dbid, queryid, toplevel) that moved; NULL means no change';

CREATE TABLE @extschema@.statement_rollup (
	bucket timestamptz NOT NULL,
	dbid oid NOT NULL,
	userid oid NOT NULL,
	queryid bigint NOT NULL,
	toplevel boolean NOT NULL,
	samples integer NOT NULL,
	calls bigint,
	plans bigint,
	total_plan_time float8,
	total_exec_time float8,
	min_exec_time float8,
	max_exec_time float8,
	rows bigint,
	shared_blks_hit bigint,
	shared_blks_read bigint,
	shared_blks_dirtied bigint,
	shared_blks_written bigint,
	local_blks_hit bigint,
	local_blks_read bigint,
	local_blks_dirtied bigint,
	local_blks_written bigint,
	temp_blks_read bigint,
	temp_blks_written bigint,
	blk_read_time float8,
	blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	lossy boolean
) PARTITION BY RANGE (bucket);

CREATE INDEX ON @extschema@.statement_rollup (queryid, bucket);

COMMENT ON TABLE @extschema@.statement_rollup IS
'Hourly statement history: the sums of the raw rows captured in each hour, kept for pghero.history_retention';

-- the text of every statement seen, once per (dbid, queryid)
CREATE TABLE @extschema@.query_texts (
	dbid oid NOT NULL,
	queryid bigint NOT NULL,
	query text NOT NULL,
	first_seen timestamptz NOT NULL,
	PRIMARY KEY (dbid, queryid)
);

COMMENT ON TABLE @extschema@.query_texts IS
'Normalized text of every statement in the history, stored once per database and query identifier';

-- one row per statements capture: what pg_stat_statements itself said
CREATE TABLE @extschema@.statement_captures (
	captured_at timestamptz PRIMARY KEY,
	since timestamptz,
	entries bigint NOT NULL,
	max_entries bigint,
	dealloc bigint,
	stats_reset timestamptz,
	moved bigint NOT NULL,
	lossy boolean NOT NULL,
	note text
);

COMMENT ON TABLE @extschema@.statement_captures IS
'One row per statements capture: pg_stat_statements fill, deallocations, resets, and whether the interval lost data';

CREATE TABLE @extschema@.database_history (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	datid oid NOT NULL,
	datname name NOT NULL,
	numbackends integer,
	xact_commit bigint,
	xact_rollback bigint,
	blks_read bigint,
	blks_hit bigint,
	tup_returned bigint,
	tup_fetched bigint,
	tup_inserted bigint,
	tup_updated bigint,
	tup_deleted bigint,
	temp_files bigint,
	temp_bytes bigint,
	deadlocks bigint,
	conflicts bigint,
	lossy boolean
) PARTITION BY RANGE (captured_at);

COMMENT ON TABLE @extschema@.database_history IS
'Raw database activity: per capture and database, the change of the pg_stat_database counters (NULL: no change) and the number of backends';

CREATE TABLE @extschema@.database_rollup (
	bucket timestamptz NOT NULL,
	datid oid NOT NULL,
	datname name NOT NULL,
	samples integer NOT NULL,
	seconds float8 NOT NULL,
	numbackends_max integer,
	xact_commit bigint,
	xact_rollback bigint,
	blks_read bigint,
	blks_hit bigint,
	tup_returned bigint,
	tup_fetched bigint,
	tup_inserted bigint,
	tup_updated bigint,
	tup_deleted bigint,
	temp_files bigint,
	temp_bytes bigint,
	deadlocks bigint,
	conflicts bigint,
	lossy boolean
) PARTITION BY RANGE (bucket);

COMMENT ON TABLE @extschema@.database_rollup IS
'Hourly database activity: sums of the raw rows of each hour';

CREATE TABLE @extschema@.instance_history (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	wal_bytes numeric,
	checkpoints_timed bigint,
	checkpoints_req bigint,
	buffers_checkpoint bigint,
	buffers_clean bigint,
	buffers_backend bigint,
	connections integer,
	active_connections integer,
	idle_connections integer,
	idle_in_transaction_connections integer,
	lossy boolean
) PARTITION BY RANGE (captured_at);

COMMENT ON TABLE @extschema@.instance_history IS
'Raw instance activity: per capture, WAL generated, checkpoints and buffer writes (changes), and client connections by state (counts)';

CREATE TABLE @extschema@.instance_rollup (
	bucket timestamptz NOT NULL,
	samples integer NOT NULL,
	seconds float8 NOT NULL,
	wal_bytes numeric,
	checkpoints_timed bigint,
	checkpoints_req bigint,
	buffers_checkpoint bigint,
	buffers_clean bigint,
	buffers_backend bigint,
	connections_max integer,
	lossy boolean
) PARTITION BY RANGE (bucket);

COMMENT ON TABLE @extschema@.instance_rollup IS
'Hourly instance activity: sums of the raw rows of each hour';

-- space: a row only when a size changed (and a keyframe per relation at
-- the start of the retained window)
CREATE TABLE @extschema@.space_history (
	captured_at timestamptz NOT NULL,
	datid oid NOT NULL,
	relid oid,
	schemaname name,
	relname name,
	kind text NOT NULL,
	size_bytes bigint NOT NULL
) PARTITION BY RANGE (captured_at);

CREATE INDEX ON @extschema@.space_history (relid, captured_at);

COMMENT ON TABLE @extschema@.space_history IS
'Size history of every database and of every relation of the home database: a row when the size changed';

--------------------------------------------------------------------------
-- Baselines: the cumulative values last read (UNLOGGED, see above)
--------------------------------------------------------------------------

CREATE UNLOGGED TABLE @extschema@.statement_baseline (
	dbid oid NOT NULL,
	userid oid NOT NULL,
	queryid bigint NOT NULL,
	toplevel boolean NOT NULL,
	calls bigint NOT NULL,
	plans bigint NOT NULL,
	total_plan_time float8 NOT NULL,
	total_exec_time float8 NOT NULL,
	rows bigint NOT NULL,
	shared_blks_hit bigint NOT NULL,
	shared_blks_read bigint NOT NULL,
	shared_blks_dirtied bigint NOT NULL,
	shared_blks_written bigint NOT NULL,
	local_blks_hit bigint NOT NULL,
	local_blks_read bigint NOT NULL,
	local_blks_dirtied bigint NOT NULL,
	local_blks_written bigint NOT NULL,
	temp_blks_read bigint NOT NULL,
	temp_blks_written bigint NOT NULL,
	blk_read_time float8 NOT NULL,
	blk_write_time float8 NOT NULL,
	wal_records bigint NOT NULL,
	wal_fpi bigint NOT NULL,
	wal_bytes numeric NOT NULL,
	PRIMARY KEY (dbid, userid, queryid, toplevel)
) WITH (fillfactor = 50);

COMMENT ON TABLE @extschema@.statement_baseline IS
'The pg_stat_statements counters read at the last capture (internal; unlogged: emptied by a crash, like pg_stat_statements itself)';

CREATE UNLOGGED TABLE @extschema@.source_baseline (
	source text PRIMARY KEY,
	captured_at timestamptz NOT NULL,
	stats_reset timestamptz,
	dealloc bigint,
	wal_lsn pg_lsn,
	counters bigint[]
);

COMMENT ON TABLE @extschema@.source_baseline IS
'Per source, when it last captured and the reset markers and instance counters it read (internal; unlogged)';

CREATE UNLOGGED TABLE @extschema@.database_baseline (
	datid oid PRIMARY KEY,
	stats_reset timestamptz,
	counters bigint[] NOT NULL
);

COMMENT ON TABLE @extschema@.database_baseline IS
'The pg_stat_database counters read at the last capture (internal; unlogged)';

CREATE UNLOGGED TABLE @extschema@.space_baseline (
	datid oid NOT NULL,
	relid oid NOT NULL,
	size_bytes bigint NOT NULL,
	PRIMARY KEY (datid, relid)
);

COMMENT ON TABLE @extschema@.space_baseline IS
'The sizes last stored in space_history (internal; unlogged; relid 0 for a database)';

--------------------------------------------------------------------------
-- Partitions
--------------------------------------------------------------------------

-- The daily partition of a history table that holds time ts, created if
-- missing (the retention source creates them ahead of time, so capture
-- seldom does DDL).
CREATE FUNCTION @extschema@._ensure_partition(parent text, ts timestamptz)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	day date := ts::date;
	part text := pg_catalog.format('%s_p%s', parent, pg_catalog.to_char(day, 'YYYYMMDD'));
BEGIN
	IF pg_catalog.to_regclass(pg_catalog.format('@extschema@.%I', part)) IS NULL THEN
		EXECUTE pg_catalog.format(
			'CREATE TABLE @extschema@.%I PARTITION OF @extschema@.%I FOR VALUES FROM (%L) TO (%L)',
			part, parent, day::timestamptz, (day + 1)::timestamptz);
		EXECUTE pg_catalog.format('GRANT SELECT ON @extschema@.%I TO pghero_reader', part);
	END IF;
	RETURN part;
END
$$;

COMMENT ON FUNCTION @extschema@._ensure_partition(text, timestamptz) IS
'Create the daily partition of a history table that holds a time, if missing, and return its name (internal)';

--------------------------------------------------------------------------
-- Sources
--------------------------------------------------------------------------

-- statements, from pg_stat_statements(false): see the file header.
--
-- An identity is (userid, dbid, queryid, toplevel).  Its delta is the
-- difference with the baseline, except that the whole current value counts
-- when the identity is new (created since the last capture), when one of
-- its counters went backwards (its entry was reset or evicted and made
-- again), and after a full reset (stats_reset moved).  A reset or evictions
-- (dealloc grew) mean the interval lost what happened before them: those
-- rows are flagged lossy, and so is the capture.  The very first capture
-- only sets the baseline; after a crash (baseline gone, pg_stat_statements
-- reset after our last capture) everything since the reset is counted.
CREATE FUNCTION @extschema@._capture_statements()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	fn text := @extschema@._pgss_function('pg_stat_statements', 1);
	info_fn text := @extschema@._pgss_function('pg_stat_statements_info', 0);
	info record;
	prev record;
	last_capture timestamptz;
	since_ts timestamptz;
	count_all boolean := false;
	lossy boolean := false;
	write_rows boolean := true;
	note text;
	entries bigint;
	moved bigint;
	new_ids bigint;
	part text;
BEGIN
	EXECUTE pg_catalog.format('SELECT i.dealloc, i.stats_reset FROM %s() i', info_fn) INTO info;
	SELECT b.* INTO prev FROM @extschema@.source_baseline b
	WHERE b.source = 'statements';

	IF prev.source IS NULL THEN
		SELECT pg_catalog.max(c.captured_at) INTO last_capture FROM @extschema@.statement_captures c;
		IF last_capture IS NOT NULL AND info.stats_reset > last_capture THEN
			-- restarted after a crash: every counter began after our last capture
			count_all := true;
			lossy := true;
			since_ts := last_capture;
			note := 'pg_stat_statements restarted empty (crash): counted everything since its reset; what ran between the last capture and the crash is lost';
		ELSIF last_capture IS NOT NULL THEN
			-- our baseline is gone but pg_stat_statements kept its counters
			-- (an immediate shutdown writes its file, while recovery empties
			-- unlogged tables): the changes since the last capture cannot be
			-- told from older counts, so this interval is not counted
			write_rows := false;
			lossy := true;
			since_ts := last_capture;
			note := 'pghero''s baseline was lost (crash recovery after an immediate shutdown) while pg_stat_statements kept its counters: what ran since the last capture is not counted';
		ELSE
			write_rows := false;
			note := 'first capture: baseline only';
		END IF;
	ELSE
		since_ts := prev.captured_at;
		IF info.stats_reset IS DISTINCT FROM prev.stats_reset THEN
			count_all := true;
			lossy := true;
			note := 'pg_stat_statements was reset: counted everything since the reset; what ran between the last capture and the reset is lost';
		ELSIF info.dealloc > prev.dealloc THEN
			lossy := true;
			note := pg_catalog.format('%s entries evicted (pg_stat_statements.max reached): counts are a lower bound',
									  info.dealloc - prev.dealloc);
		END IF;
	END IF;

	-- rows go straight into the day's partition (no per-row routing)
	part := @extschema@._ensure_partition('statement_history', now_ts);

	EXECUTE pg_catalog.format($q$
		WITH cur AS MATERIALIZED (
			SELECT s.userid, s.dbid, s.queryid, s.toplevel, s.calls, s.plans,
				   s.total_plan_time, s.total_exec_time, s.min_exec_time, s.max_exec_time,
				   s.rows, s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied,
				   s.shared_blks_written, s.local_blks_hit, s.local_blks_read,
				   s.local_blks_dirtied, s.local_blks_written, s.temp_blks_read,
				   s.temp_blks_written, s.blk_read_time, s.blk_write_time,
				   s.wal_records, s.wal_fpi, s.wal_bytes
			FROM %s(false) s
			WHERE s.queryid IS NOT NULL),
		d AS MATERIALIZED (
			SELECT c.*,
				   b.calls IS NULL AS is_new,
				   b.calls IS NOT NULL
				   AND (c.calls < b.calls OR c.plans < b.plans
						OR c.total_plan_time < b.total_plan_time OR c.total_exec_time < b.total_exec_time
						OR c.rows < b.rows OR c.shared_blks_hit < b.shared_blks_hit
						OR c.shared_blks_read < b.shared_blks_read) AS went_back,
				   b.calls AS b_calls, b.plans AS b_plans, b.total_plan_time AS b_total_plan_time,
				   b.total_exec_time AS b_total_exec_time, b.rows AS b_rows,
				   b.shared_blks_hit AS b_shared_blks_hit, b.shared_blks_read AS b_shared_blks_read,
				   b.shared_blks_dirtied AS b_shared_blks_dirtied, b.shared_blks_written AS b_shared_blks_written,
				   b.local_blks_hit AS b_local_blks_hit, b.local_blks_read AS b_local_blks_read,
				   b.local_blks_dirtied AS b_local_blks_dirtied, b.local_blks_written AS b_local_blks_written,
				   b.temp_blks_read AS b_temp_blks_read, b.temp_blks_written AS b_temp_blks_written,
				   b.blk_read_time AS b_blk_read_time, b.blk_write_time AS b_blk_write_time,
				   b.wal_records AS b_wal_records, b.wal_fpi AS b_wal_fpi, b.wal_bytes AS b_wal_bytes
			FROM cur c
				 LEFT JOIN @extschema@.statement_baseline b
					ON b.dbid = c.dbid AND b.userid = c.userid
				   AND b.queryid = c.queryid AND b.toplevel = c.toplevel
			WHERE $1
			   OR b.calls IS NULL
			   OR (c.calls, c.plans, c.total_plan_time, c.total_exec_time, c.rows,
				   c.shared_blks_hit, c.shared_blks_read, c.shared_blks_dirtied, c.shared_blks_written,
				   c.local_blks_hit, c.local_blks_read, c.local_blks_dirtied, c.local_blks_written,
				   c.temp_blks_read, c.temp_blks_written, c.blk_read_time, c.blk_write_time,
				   c.wal_records, c.wal_fpi, c.wal_bytes)
				  IS DISTINCT FROM
				  (b.calls, b.plans, b.total_plan_time, b.total_exec_time, b.rows,
				   b.shared_blks_hit, b.shared_blks_read, b.shared_blks_dirtied, b.shared_blks_written,
				   b.local_blks_hit, b.local_blks_read, b.local_blks_dirtied, b.local_blks_written,
				   b.temp_blks_read, b.temp_blks_written, b.blk_read_time, b.blk_write_time,
				   b.wal_records, b.wal_fpi, b.wal_bytes)),
		hist AS (
			INSERT INTO @extschema@.%I
			SELECT $2,
				   CASE WHEN z.is_new OR z.went_back THEN NULL ELSE $3 END,
				   z.dbid, z.userid, z.queryid, z.toplevel,
				   NULLIF(z.calls - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_calls END, 0),
				   NULLIF(z.plans - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_plans END, 0),
				   NULLIF(z.total_plan_time - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_total_plan_time END, 0),
				   NULLIF(z.total_exec_time - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_total_exec_time END, 0),
				   z.min_exec_time,
				   z.max_exec_time,
				   NULLIF(z.rows - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_rows END, 0),
				   NULLIF(z.shared_blks_hit - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_shared_blks_hit END, 0),
				   NULLIF(z.shared_blks_read - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_shared_blks_read END, 0),
				   NULLIF(z.shared_blks_dirtied - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_shared_blks_dirtied END, 0),
				   NULLIF(z.shared_blks_written - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_shared_blks_written END, 0),
				   NULLIF(z.local_blks_hit - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_local_blks_hit END, 0),
				   NULLIF(z.local_blks_read - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_local_blks_read END, 0),
				   NULLIF(z.local_blks_dirtied - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_local_blks_dirtied END, 0),
				   NULLIF(z.local_blks_written - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_local_blks_written END, 0),
				   NULLIF(z.temp_blks_read - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_temp_blks_read END, 0),
				   NULLIF(z.temp_blks_written - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_temp_blks_written END, 0),
				   NULLIF(z.blk_read_time - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_blk_read_time END, 0),
				   NULLIF(z.blk_write_time - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_blk_write_time END, 0),
				   NULLIF(z.wal_records - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_wal_records END, 0),
				   NULLIF(z.wal_fpi - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_wal_fpi END, 0),
				   NULLIF(z.wal_bytes - CASE WHEN $1 OR z.is_new OR z.went_back THEN 0 ELSE z.b_wal_bytes END, 0),
				   NULLIF($4 OR z.went_back, false)
			FROM d AS z
			WHERE $5
			RETURNING 1),
		upd AS (
			-- HOT updates of the identities that moved (fillfactor 50)
			UPDATE @extschema@.statement_baseline b SET
				calls = z.calls, plans = z.plans,
				total_plan_time = z.total_plan_time, total_exec_time = z.total_exec_time,
				rows = z.rows, shared_blks_hit = z.shared_blks_hit,
				shared_blks_read = z.shared_blks_read, shared_blks_dirtied = z.shared_blks_dirtied,
				shared_blks_written = z.shared_blks_written, local_blks_hit = z.local_blks_hit,
				local_blks_read = z.local_blks_read, local_blks_dirtied = z.local_blks_dirtied,
				local_blks_written = z.local_blks_written, temp_blks_read = z.temp_blks_read,
				temp_blks_written = z.temp_blks_written, blk_read_time = z.blk_read_time,
				blk_write_time = z.blk_write_time, wal_records = z.wal_records,
				wal_fpi = z.wal_fpi, wal_bytes = z.wal_bytes
			FROM d AS z
			WHERE NOT z.is_new
			  AND b.dbid = z.dbid AND b.userid = z.userid
			  AND b.queryid = z.queryid AND b.toplevel = z.toplevel
			RETURNING 1),
		ins AS (
			INSERT INTO @extschema@.statement_baseline
			SELECT z.dbid, z.userid, z.queryid, z.toplevel, z.calls, z.plans,
				   z.total_plan_time, z.total_exec_time, z.rows, z.shared_blks_hit,
				   z.shared_blks_read, z.shared_blks_dirtied, z.shared_blks_written,
				   z.local_blks_hit, z.local_blks_read, z.local_blks_dirtied,
				   z.local_blks_written, z.temp_blks_read, z.temp_blks_written,
				   z.blk_read_time, z.blk_write_time, z.wal_records, z.wal_fpi, z.wal_bytes
			FROM d AS z
			WHERE z.is_new
			RETURNING 1)
		SELECT (SELECT pg_catalog.count(*) FROM cur),
			   (SELECT pg_catalog.count(*) FROM hist) + 0 * (SELECT pg_catalog.count(*) FROM upd),
			   (SELECT pg_catalog.count(*) FROM ins)
		$q$, fn, part)
	INTO entries, moved, new_ids
	USING count_all, now_ts, since_ts, lossy, write_rows;

	-- identities gone from pg_stat_statements (evicted, reset): only then
	-- is the baseline bigger than what was read
	IF (SELECT pg_catalog.count(*) FROM @extschema@.statement_baseline) > entries THEN
		EXECUTE pg_catalog.format($q$
			DELETE FROM @extschema@.statement_baseline b
			WHERE NOT EXISTS (SELECT FROM %s(false) c
							  WHERE c.dbid = b.dbid AND c.userid = b.userid
								AND c.queryid = b.queryid AND c.toplevel = b.toplevel)
			$q$, fn);
	END IF;

	-- texts of statements never seen before, read only when some appeared
	IF new_ids > 0 THEN
		EXECUTE pg_catalog.format($q$
			INSERT INTO @extschema@.query_texts (dbid, queryid, query, first_seen)
			SELECT DISTINCT ON (s.dbid, s.queryid) s.dbid, s.queryid, s.query, $1
			FROM %s(true) s
			WHERE s.queryid IS NOT NULL AND s.query IS NOT NULL
			  AND NOT EXISTS (SELECT FROM @extschema@.query_texts t
							  WHERE t.dbid = s.dbid AND t.queryid = s.queryid)
			ON CONFLICT DO NOTHING
			$q$, fn) USING now_ts;
	END IF;

	INSERT INTO @extschema@.statement_captures
		(captured_at, since, entries, max_entries, dealloc, stats_reset, moved, lossy, note)
	VALUES (now_ts, since_ts, entries,
			pg_catalog.current_setting('pg_stat_statements.max', true)::bigint,
			info.dealloc, info.stats_reset, CASE WHEN write_rows THEN moved ELSE 0 END, lossy, note)
	ON CONFLICT (captured_at) DO NOTHING;

	INSERT INTO @extschema@.source_baseline (source, captured_at, stats_reset, dealloc)
	VALUES ('statements', now_ts, info.stats_reset, info.dealloc)
	ON CONFLICT (source) DO UPDATE
		SET captured_at = excluded.captured_at, stats_reset = excluded.stats_reset,
			dealloc = excluded.dealloc;

	RETURN CASE WHEN write_rows THEN moved ELSE 0 END;
END
$$;

COMMENT ON FUNCTION @extschema@._capture_statements() IS
'Capture the statements source: write the change of every pg_stat_statements identity that moved (internal)';

-- database activity, from pg_stat_database (every database)
CREATE FUNCTION @extschema@._capture_database_activity()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	prev record;
	n bigint;
BEGIN
	SELECT b.* INTO prev FROM @extschema@.source_baseline b
	WHERE b.source = 'database_activity';
	IF prev.source IS NOT NULL THEN
		PERFORM @extschema@._ensure_partition('database_history', now_ts);
	END IF;

	WITH cur AS MATERIALIZED (
		SELECT d.datid, d.datname, d.numbackends, d.stats_reset,
			   ARRAY[d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit,
					 d.tup_returned, d.tup_fetched, d.tup_inserted, d.tup_updated,
					 d.tup_deleted, d.temp_files, d.temp_bytes, d.deadlocks,
					 d.conflicts] AS counters
		FROM pg_catalog.pg_stat_database d
		WHERE d.datname IS NOT NULL),
	d AS MATERIALIZED (
		SELECT c.*, b.counters AS b_counters,
			   b.datid IS NULL AS is_new,
			   b.datid IS NOT NULL
			   AND (c.stats_reset IS DISTINCT FROM b.stats_reset
					OR EXISTS (SELECT FROM unnest(c.counters, b.counters) u(x, y)
							   WHERE u.x < u.y)) AS was_reset
		FROM cur c
			 LEFT JOIN @extschema@.database_baseline b ON b.datid = c.datid
		WHERE b.datid IS NULL
		   OR c.counters IS DISTINCT FROM b.counters
		   OR c.stats_reset IS DISTINCT FROM b.stats_reset),
	z AS (
		SELECT d.*,
			   CASE WHEN d.is_new OR d.was_reset THEN pg_catalog.array_fill(0::bigint, ARRAY[13])
					ELSE d.b_counters END AS base
		FROM d),
	hist AS (
		INSERT INTO @extschema@.database_history
		SELECT now_ts,
			   CASE WHEN z.is_new OR z.was_reset THEN NULL ELSE prev.captured_at END,
			   z.datid, z.datname, z.numbackends,
			   NULLIF(z.counters[1] - z.base[1], 0), NULLIF(z.counters[2] - z.base[2], 0),
			   NULLIF(z.counters[3] - z.base[3], 0), NULLIF(z.counters[4] - z.base[4], 0),
			   NULLIF(z.counters[5] - z.base[5], 0), NULLIF(z.counters[6] - z.base[6], 0),
			   NULLIF(z.counters[7] - z.base[7], 0), NULLIF(z.counters[8] - z.base[8], 0),
			   NULLIF(z.counters[9] - z.base[9], 0), NULLIF(z.counters[10] - z.base[10], 0),
			   NULLIF(z.counters[11] - z.base[11], 0), NULLIF(z.counters[12] - z.base[12], 0),
			   NULLIF(z.counters[13] - z.base[13], 0),
			   NULLIF(z.was_reset, false)
		FROM z
		WHERE prev.source IS NOT NULL
		RETURNING 1),
	gone AS (
		DELETE FROM @extschema@.database_baseline b
		WHERE NOT EXISTS (SELECT FROM cur c WHERE c.datid = b.datid)
		RETURNING 1),
	base AS (
		INSERT INTO @extschema@.database_baseline
		SELECT z.datid, z.stats_reset, z.counters FROM z
		ON CONFLICT (datid) DO UPDATE
			SET stats_reset = excluded.stats_reset, counters = excluded.counters
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM hist)
		   + 0 * (SELECT pg_catalog.count(*) FROM gone)
		   + 0 * (SELECT pg_catalog.count(*) FROM base)
	INTO n;

	INSERT INTO @extschema@.source_baseline (source, captured_at)
	VALUES ('database_activity', now_ts)
	ON CONFLICT (source) DO UPDATE SET captured_at = excluded.captured_at;
	RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@._capture_database_activity() IS
'Capture the database activity source: the change of every database''s pg_stat_database counters (internal)';

-- instance: WAL, checkpoints and buffer writes (changes), connections (counts)
CREATE FUNCTION @extschema@._capture_instance()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	prev record;
	lsn pg_lsn := pg_catalog.pg_current_wal_lsn();
	cur bigint[];
	reset timestamptz;
	was_reset boolean;
	conns record;
BEGIN
	-- PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer
	IF pg_catalog.to_regclass('pg_catalog.pg_stat_checkpointer') IS NOT NULL THEN
		EXECUTE 'SELECT ARRAY[c.num_timed, c.num_requested, c.buffers_written, b.buffers_clean, NULL::bigint], c.stats_reset
				 FROM pg_catalog.pg_stat_checkpointer c, pg_catalog.pg_stat_bgwriter b'
		INTO cur, reset;
	ELSE
		EXECUTE 'SELECT ARRAY[b.checkpoints_timed, b.checkpoints_req, b.buffers_checkpoint, b.buffers_clean, b.buffers_backend], b.stats_reset
				 FROM pg_catalog.pg_stat_bgwriter b'
		INTO cur, reset;
	END IF;

	SELECT pg_catalog.count(*) AS total,
		   pg_catalog.count(*) FILTER (WHERE a.state = 'active') AS active,
		   pg_catalog.count(*) FILTER (WHERE a.state = 'idle') AS idle,
		   pg_catalog.count(*) FILTER (WHERE a.state ~~ 'idle in transaction%') AS idle_in_xact
	INTO conns
	FROM pg_catalog.pg_stat_activity a
	WHERE a.backend_type = 'client backend';

	SELECT b.* INTO prev FROM @extschema@.source_baseline b
	WHERE b.source = 'instance';

	IF prev.source IS NOT NULL THEN
		was_reset := reset IS DISTINCT FROM prev.stats_reset
					 OR EXISTS (SELECT FROM unnest(cur, prev.counters) u(x, y)
								WHERE u.x < u.y);
		PERFORM @extschema@._ensure_partition('instance_history', now_ts);
		INSERT INTO @extschema@.instance_history
		VALUES (now_ts, prev.captured_at,
				NULLIF(pg_catalog.pg_wal_lsn_diff(lsn, prev.wal_lsn), 0),
				NULLIF(cur[1] - CASE WHEN was_reset THEN 0 ELSE prev.counters[1] END, 0),
				NULLIF(cur[2] - CASE WHEN was_reset THEN 0 ELSE prev.counters[2] END, 0),
				NULLIF(cur[3] - CASE WHEN was_reset THEN 0 ELSE prev.counters[3] END, 0),
				NULLIF(cur[4] - CASE WHEN was_reset THEN 0 ELSE prev.counters[4] END, 0),
				NULLIF(cur[5] - CASE WHEN was_reset THEN 0 ELSE prev.counters[5] END, 0),
				conns.total, conns.active, conns.idle, conns.idle_in_xact,
				NULLIF(was_reset, false));
	END IF;

	INSERT INTO @extschema@.source_baseline (source, captured_at, stats_reset, wal_lsn, counters)
	VALUES ('instance', now_ts, reset, lsn, cur)
	ON CONFLICT (source) DO UPDATE
		SET captured_at = excluded.captured_at, stats_reset = excluded.stats_reset,
			wal_lsn = excluded.wal_lsn, counters = excluded.counters;
	RETURN CASE WHEN prev.source IS NULL THEN 0 ELSE 1 END;
END
$$;

COMMENT ON FUNCTION @extschema@._capture_instance() IS
'Capture the instance source: WAL bytes, checkpoints, buffer writes and connections (internal)';

-- space: every database's size and every relation of this database, as
-- relation_sizes measures them (never waiting for a lock); a row only for
-- a size that changed; relations that could not be measured are skipped
-- and counted in the source's note.
CREATE FUNCTION @extschema@._capture_space(OUT written bigint, OUT skipped bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	db oid := (SELECT d.oid FROM pg_catalog.pg_database d
			   WHERE d.datname = pg_catalog.current_database());
BEGIN
	PERFORM @extschema@._ensure_partition('space_history', now_ts);

	IF pg_catalog.to_regclass('pg_temp.pghero_space_now') IS NULL THEN
		CREATE TEMP TABLE pghero_space_now (
			datid oid, relid oid, schemaname name, relname name, kind text,
			size_bytes bigint, measured boolean) ON COMMIT DELETE ROWS;
	END IF;
	TRUNCATE pghero_space_now;

	INSERT INTO pghero_space_now
	SELECT d.oid, 0, NULL, d.datname, 'database', pg_catalog.pg_database_size(d.oid), true
	FROM pg_catalog.pg_database d
	WHERE d.datallowconn AND d.datconnlimit <> -2
	UNION ALL
	SELECT db, r.relid, r.schemaname, r.relname, r.type, r.size_bytes, r.measured
	FROM @extschema@.relation_sizes r;

	SELECT pg_catalog.count(*) INTO skipped FROM pghero_space_now n WHERE NOT n.measured;

	WITH moved AS (
		SELECT n.*
		FROM pghero_space_now n
			 LEFT JOIN @extschema@.space_baseline b
				ON b.datid = n.datid AND b.relid = n.relid
		WHERE n.measured AND n.size_bytes IS NOT NULL
		  AND (b.size_bytes IS NULL OR b.size_bytes <> n.size_bytes)),
	hist AS (
		INSERT INTO @extschema@.space_history
		SELECT now_ts, m.datid, NULLIF(m.relid, 0), m.schemaname, m.relname, m.kind, m.size_bytes
		FROM moved m
		RETURNING 1),
	base AS (
		INSERT INTO @extschema@.space_baseline
		SELECT m.datid, m.relid, m.size_bytes FROM moved m
		ON CONFLICT (datid, relid) DO UPDATE SET size_bytes = excluded.size_bytes
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM hist) + 0 * (SELECT pg_catalog.count(*) FROM base)
	INTO written;

	-- forget relations and databases that are gone
	DELETE FROM @extschema@.space_baseline b
	WHERE NOT EXISTS (SELECT FROM pghero_space_now n
					  WHERE n.datid = b.datid
						AND n.relid = b.relid);
END
$$;

COMMENT ON FUNCTION @extschema@._capture_space() IS
'Capture the space source: sizes of every database and of every relation of this database that changed (internal)';

-- A pghero.* duration setting in seconds (the library defines them; load it)
CREATE FUNCTION @extschema@._setting_seconds(name text)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.config();
	RETURN (SELECT s.setting::bigint FROM pg_catalog.pg_settings s
			WHERE s.name = $1);
END
$$;

COMMENT ON FUNCTION @extschema@._setting_seconds(text) IS
'Value in seconds of a pghero duration setting (internal)';

-- retention: partitions ahead, hourly rollups of complete hours, and
-- dropping whole partitions past their retention (raw ones only once
-- rolled up).  Space keeps, at the start of its window, one row per
-- relation with its size then, so growth stays computable.
CREATE FUNCTION @extschema@._capture_retention()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	hour_now timestamptz := pg_catalog.date_trunc('hour', now_ts);
	raw_keep interval := pg_catalog.make_interval(secs => @extschema@._setting_seconds('pghero.raw_retention'));
	history_keep interval := pg_catalog.make_interval(secs => @extschema@._setting_seconds('pghero.history_retention'));
	t text;
	p record;
	upto timestamptz;
	n bigint := 0;
	k bigint;
	dropped boolean := false;
BEGIN
	-- partitions for today and tomorrow
	FOREACH t IN ARRAY ARRAY['statement_history', 'statement_rollup', 'database_history',
							 'database_rollup', 'instance_history', 'instance_rollup',
							 'space_history'] LOOP
		PERFORM @extschema@._ensure_partition(t, now_ts);
		PERFORM @extschema@._ensure_partition(t, now_ts + interval '1 day');
	END LOOP;

	-- hourly rollups of the complete hours not rolled up yet
	FOREACH t IN ARRAY ARRAY['statement', 'database', 'instance'] LOOP
		SELECT r.rolled_up_until INTO upto FROM @extschema@.rollup_progress r
		WHERE r.history = t;
		CONTINUE WHEN upto >= hour_now;
		FOR p IN EXECUTE pg_catalog.format(
			'SELECT DISTINCT pg_catalog.date_trunc(''day'', h.captured_at) AS day
			 FROM @extschema@.%I h WHERE h.captured_at >= $1 AND h.captured_at < $2',
			t || '_history') USING upto, hour_now LOOP
			PERFORM @extschema@._ensure_partition(t || '_rollup', p.day);
		END LOOP;
		EXECUTE CASE t
			WHEN 'statement' THEN $q$
		INSERT INTO @extschema@.statement_rollup
		SELECT pg_catalog.date_trunc('hour', h.captured_at), h.dbid, h.userid, h.queryid, h.toplevel,
			   pg_catalog.count(*), pg_catalog.sum(h.calls), pg_catalog.sum(h.plans),
			   pg_catalog.sum(h.total_plan_time), pg_catalog.sum(h.total_exec_time),
			   pg_catalog.min(h.min_exec_time), pg_catalog.max(h.max_exec_time),
			   pg_catalog.sum(h.rows), pg_catalog.sum(h.shared_blks_hit), pg_catalog.sum(h.shared_blks_read),
			   pg_catalog.sum(h.shared_blks_dirtied), pg_catalog.sum(h.shared_blks_written),
			   pg_catalog.sum(h.local_blks_hit), pg_catalog.sum(h.local_blks_read),
			   pg_catalog.sum(h.local_blks_dirtied), pg_catalog.sum(h.local_blks_written),
			   pg_catalog.sum(h.temp_blks_read), pg_catalog.sum(h.temp_blks_written),
			   pg_catalog.sum(h.blk_read_time), pg_catalog.sum(h.blk_write_time),
			   pg_catalog.sum(h.wal_records), pg_catalog.sum(h.wal_fpi), pg_catalog.sum(h.wal_bytes),
			   NULLIF(pg_catalog.bool_or(coalesce(h.lossy, false)), false)
		FROM @extschema@.statement_history h
		WHERE h.captured_at >= $1 AND h.captured_at < $2
		GROUP BY 1, 2, 3, 4, 5
			$q$
			WHEN 'database' THEN $q$
		INSERT INTO @extschema@.database_rollup
		SELECT pg_catalog.date_trunc('hour', h.captured_at), h.datid, pg_catalog.max(h.datname),
			   pg_catalog.count(*),
			   coalesce(pg_catalog.sum(pg_catalog.date_part('epoch', h.captured_at - h.since)), 0),
			   pg_catalog.max(h.numbackends),
			   pg_catalog.sum(h.xact_commit), pg_catalog.sum(h.xact_rollback),
			   pg_catalog.sum(h.blks_read), pg_catalog.sum(h.blks_hit),
			   pg_catalog.sum(h.tup_returned), pg_catalog.sum(h.tup_fetched),
			   pg_catalog.sum(h.tup_inserted), pg_catalog.sum(h.tup_updated),
			   pg_catalog.sum(h.tup_deleted), pg_catalog.sum(h.temp_files),
			   pg_catalog.sum(h.temp_bytes), pg_catalog.sum(h.deadlocks),
			   pg_catalog.sum(h.conflicts),
			   NULLIF(pg_catalog.bool_or(coalesce(h.lossy, false)), false)
		FROM @extschema@.database_history h
		WHERE h.captured_at >= $1 AND h.captured_at < $2
		GROUP BY 1, 2
			$q$
			WHEN 'instance' THEN $q$
		INSERT INTO @extschema@.instance_rollup
		SELECT pg_catalog.date_trunc('hour', h.captured_at), pg_catalog.count(*),
			   coalesce(pg_catalog.sum(pg_catalog.date_part('epoch', h.captured_at - h.since)), 0),
			   pg_catalog.sum(h.wal_bytes), pg_catalog.sum(h.checkpoints_timed),
			   pg_catalog.sum(h.checkpoints_req), pg_catalog.sum(h.buffers_checkpoint),
			   pg_catalog.sum(h.buffers_clean), pg_catalog.sum(h.buffers_backend),
			   pg_catalog.max(h.connections),
			   NULLIF(pg_catalog.bool_or(coalesce(h.lossy, false)), false)
		FROM @extschema@.instance_history h
		WHERE h.captured_at >= $1 AND h.captured_at < $2
		GROUP BY 1
			$q$
		END USING upto, hour_now;
		GET DIAGNOSTICS k = ROW_COUNT;
		n := n + k;
		UPDATE @extschema@.rollup_progress SET rolled_up_until = hour_now
		WHERE history = t;
	END LOOP;

	-- space keyframes at the start of the window, before anything is dropped
	IF EXISTS (SELECT FROM @extschema@.space_history h WHERE h.captured_at < now_ts - history_keep) THEN
		PERFORM @extschema@._ensure_partition('space_history', now_ts - history_keep);
		INSERT INTO @extschema@.space_history
		SELECT DISTINCT ON (h.datid, h.relid) now_ts - history_keep, h.datid, h.relid,
			   h.schemaname, h.relname, h.kind, h.size_bytes
		FROM @extschema@.space_history h
		WHERE h.captured_at < now_ts - history_keep
		  AND NOT EXISTS (SELECT FROM @extschema@.space_history l
						  WHERE l.datid = h.datid
							AND l.relid IS NOT DISTINCT FROM h.relid
							AND l.captured_at >= now_ts - history_keep
							AND l.captured_at <= now_ts - history_keep + interval '1 day')
		ORDER BY h.datid, h.relid, h.captured_at DESC;
	END IF;

	-- drop whole partitions past their retention
	FOR p IN
		SELECT c.relname, parent.relname AS parent,
			   (pg_catalog.to_date(pg_catalog.right(c.relname::text, 8), 'YYYYMMDD') + 1)::timestamptz AS upper_bound
		FROM pg_catalog.pg_inherits i
			 JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
			 JOIN pg_catalog.pg_class parent ON parent.oid = i.inhparent
		WHERE parent.relnamespace = '@extschema@'::regnamespace
		  AND c.relname::text ~ '_p[0-9]{8}$'
	LOOP
		IF (p.parent IN ('statement_history', 'database_history', 'instance_history')
			AND p.upper_bound <= now_ts - raw_keep
			AND p.upper_bound <= (SELECT r.rolled_up_until FROM @extschema@.rollup_progress r
								  WHERE r.history = pg_catalog.split_part(p.parent::text, '_', 1)))
		   OR (p.parent IN ('statement_rollup', 'database_rollup', 'instance_rollup', 'space_history')
			   AND p.upper_bound <= now_ts - history_keep) THEN
			EXECUTE pg_catalog.format('DROP TABLE @extschema@.%I', p.relname);
			dropped := true;
		END IF;
	END LOOP;

	-- texts no history refers to any more
	IF dropped THEN
		DELETE FROM @extschema@.query_texts t
		WHERE NOT EXISTS (SELECT FROM @extschema@.statement_rollup r
						  WHERE r.queryid = t.queryid
							AND r.dbid = t.dbid)
		  AND NOT EXISTS (SELECT FROM @extschema@.statement_history h
						  WHERE h.queryid = t.queryid
							AND h.dbid = t.dbid)
		  AND NOT EXISTS (SELECT FROM @extschema@.statement_baseline b
						  WHERE b.queryid = t.queryid
							AND b.dbid = t.dbid);
	END IF;
	RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@._capture_retention() IS
'Run the retention source: create partitions ahead, roll complete hours up, drop partitions past their retention (internal)';

-- One source, the way the collector runs it: serialized with any other run
-- of the same source, with a short lock_timeout, and its outcome recorded
-- in collector_sources.  A failing source is recorded, not raised.
CREATE FUNCTION @extschema@._run_source(source text, next_run_at timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := pg_catalog.clock_timestamp();
	n bigint;
	skipped bigint;
	err text;
	note text;
	old_lock_timeout text := pg_catalog.current_setting('lock_timeout');
BEGIN
	IF NOT EXISTS (SELECT FROM @extschema@.collector_sources c
				   WHERE c.source = $1) THEN
		RAISE EXCEPTION 'unknown capture source "%"', $1
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The sources are listed in pghero.collector.';
	END IF;

	BEGIN
		PERFORM pg_catalog.set_config('lock_timeout', '1s', true);
		PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pghero'), pg_catalog.hashtext($1));
		CASE $1
			WHEN 'statements' THEN n := @extschema@._capture_statements();
				SELECT c.note INTO note FROM @extschema@.statement_captures c
				WHERE c.captured_at = pg_catalog.now();
			WHEN 'database_activity' THEN n := @extschema@._capture_database_activity();
			WHEN 'instance' THEN n := @extschema@._capture_instance();
			WHEN 'space' THEN
				SELECT s.written, s.skipped INTO n, skipped FROM @extschema@._capture_space() s;
				IF skipped > 0 THEN
					note := pg_catalog.format('%s relations skipped: locked by another session', skipped);
				END IF;
			WHEN 'retention' THEN n := @extschema@._capture_retention();
		END CASE;
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
		err := pg_catalog.format('%s (SQLSTATE %s)', err, SQLSTATE);
		n := NULL;
	END;
	PERFORM pg_catalog.set_config('lock_timeout', old_lock_timeout, true);

	UPDATE @extschema@.collector_sources c SET
		last_run_at = started,
		last_duration_ms = pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - started) * 1000,
		last_rows = n,
		last_success_at = CASE WHEN err IS NULL THEN started ELSE c.last_success_at END,
		last_error = CASE WHEN err IS NULL THEN c.last_error ELSE err END,
		last_error_at = CASE WHEN err IS NULL THEN c.last_error_at ELSE started END,
		last_note = CASE WHEN err IS NULL THEN note ELSE c.last_note END,
		next_run_at = coalesce($2, c.next_run_at),
		runs = c.runs + 1,
		failures = c.failures + CASE WHEN err IS NULL THEN 0 ELSE 1 END
	WHERE c.source = $1;
	RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@._run_source(text, timestamptz) IS
'Run one capture source with the collector''s isolation and record its outcome (internal; called by the collector worker and pghero.capture())';

CREATE FUNCTION @extschema@.capture(sources text[] DEFAULT NULL)
RETURNS TABLE (source text, rows_written bigint, succeeded boolean, error text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s text;
	unknown text;
BEGIN
	SELECT u.u INTO unknown FROM pg_catalog.unnest($1) u(u)
	WHERE NOT EXISTS (SELECT FROM @extschema@.collector_sources c
					  WHERE c.source = u.u)
	LIMIT 1;
	IF unknown IS NOT NULL THEN
		RAISE EXCEPTION 'unknown capture source "%"', unknown
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The sources are statements, database_activity, instance, space and retention.';
	END IF;

	FOREACH s IN ARRAY ARRAY['statements', 'database_activity', 'instance', 'space', 'retention'] LOOP
		CONTINUE WHEN $1 IS NOT NULL AND NOT s = ANY ($1);
		PERFORM @extschema@._run_source(s, NULL);
		RETURN QUERY
		SELECT c.source, c.last_rows,
			   c.last_success_at IS NOT DISTINCT FROM c.last_run_at,
			   CASE WHEN c.last_error_at IS NOT DISTINCT FROM c.last_run_at THEN c.last_error END
		FROM @extschema@.collector_sources c
		WHERE c.source = s;
	END LOOP;
END
$$;

COMMENT ON FUNCTION @extschema@.capture(text[]) IS
'Run every capture source now (or the ones named), as the collector would, and return what each wrote; for tests and on-demand captures';

--------------------------------------------------------------------------
-- What the collector is doing
--------------------------------------------------------------------------

CREATE VIEW @extschema@.collector AS
SELECT s.source,
	   s.last_run_at,
	   pg_catalog.make_interval(secs => s.last_duration_ms / 1000) AS last_duration,
	   s.last_duration_ms,
	   s.last_rows,
	   s.last_success_at,
	   s.last_error,
	   s.last_error_at,
	   s.last_note AS note,
	   s.next_run_at,
	   s.runs,
	   s.failures,
	   c.entries AS statements_entries,
	   c.max_entries AS statements_max,
	   pg_catalog.round(100.0 * c.entries / NULLIF(c.max_entries, 0), 1) AS statements_fill_percent,
	   c.dealloc AS statements_deallocations,
	   c.stats_reset AS statements_reset_at,
	   w.pid AS worker_pid
FROM @extschema@.collector_sources s
	 LEFT JOIN LATERAL (SELECT sc.* FROM @extschema@.statement_captures sc
						ORDER BY sc.captured_at DESC LIMIT 1) c ON s.source = 'statements'
	 LEFT JOIN LATERAL (SELECT a.pid FROM @extschema@._activity() a
						WHERE a.backend_type = 'pghero collector' LIMIT 1) w ON true;

COMMENT ON VIEW @extschema@.collector IS
'The collector, source by source: last run, duration, rows written, last error, next run; with pg_stat_statements fill and deallocations';

--------------------------------------------------------------------------
-- Reading history
--------------------------------------------------------------------------

-- pg_stat_statements' counters without the texts, whoever the caller
-- (the uncaptured tail of the history readers)
CREATE FUNCTION @extschema@._statement_counters()
RETURNS TABLE (
	userid oid, dbid oid, queryid bigint, toplevel boolean,
	calls bigint, total_plan_time float8, total_exec_time float8,
	rows bigint, shared_blks_hit bigint, shared_blks_read bigint,
	temp_blks_read bigint, temp_blks_written bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY EXECUTE pg_catalog.format(
		'SELECT s.userid, s.dbid, s.queryid, s.toplevel,'
		'       s.calls, s.total_plan_time, s.total_exec_time,'
		'       s.rows, s.shared_blks_hit, s.shared_blks_read,'
		'       s.temp_blks_read, s.temp_blks_written'
		'  FROM %s(false) s', @extschema@._pgss_function('pg_stat_statements', 1));
END
$$;

COMMENT ON FUNCTION @extschema@._statement_counters() IS
'Every row of pg_stat_statements without its text, whoever the caller (internal)';

-- The change of every statement identity in [start_at, end_at): hourly
-- rollups for the whole hours inside the window that are rolled up
-- ([mid_lo, mid_hi)), raw rows for the rest ([start_at, mid_lo) and
-- [mid_hi, end_at), each an index range), and, when the window reaches
-- now, what pg_stat_statements counted since the last capture.
CREATE FUNCTION @extschema@._statement_deltas(start_at timestamptz, end_at timestamptz)
RETURNS TABLE (dbid oid, userid oid, queryid bigint, toplevel boolean,
			   calls bigint, total_time_ms float8, rows bigint,
			   shared_blks_hit bigint, shared_blks_read bigint,
			   temp_blks_read bigint, temp_blks_written bigint, lossy boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	first_hour timestamptz := pg_catalog.date_trunc('hour', start_at)
		+ CASE WHEN start_at > pg_catalog.date_trunc('hour', start_at) THEN interval '1 hour' ELSE interval '0' END;
	mid_lo timestamptz;
	mid_hi timestamptz;
BEGIN
	SELECT first_hour,
		   greatest(first_hour, least(pg_catalog.date_trunc('hour', end_at), r.rolled_up_until))
	INTO mid_lo, mid_hi
	FROM @extschema@.rollup_progress r
	WHERE r.history = 'statement';

	RETURN QUERY
	SELECT r.dbid, r.userid, r.queryid, r.toplevel, r.calls,
		   coalesce(r.total_plan_time, 0) + coalesce(r.total_exec_time, 0),
		   r.rows, r.shared_blks_hit, r.shared_blks_read, r.temp_blks_read, r.temp_blks_written, r.lossy
	FROM @extschema@.statement_rollup r
	WHERE r.bucket >= mid_lo AND r.bucket < mid_hi
	UNION ALL
	SELECT h.dbid, h.userid, h.queryid, h.toplevel, h.calls,
		   coalesce(h.total_plan_time, 0) + coalesce(h.total_exec_time, 0),
		   h.rows, h.shared_blks_hit, h.shared_blks_read, h.temp_blks_read, h.temp_blks_written, h.lossy
	FROM @extschema@.statement_history h
	WHERE h.captured_at >= start_at AND h.captured_at < least(mid_lo, end_at)
	UNION ALL
	SELECT h.dbid, h.userid, h.queryid, h.toplevel, h.calls,
		   coalesce(h.total_plan_time, 0) + coalesce(h.total_exec_time, 0),
		   h.rows, h.shared_blks_hit, h.shared_blks_read, h.temp_blks_read, h.temp_blks_written, h.lossy
	FROM @extschema@.statement_history h
	WHERE h.captured_at >= greatest(mid_hi, start_at) AND h.captured_at < end_at;

	-- the tail not captured yet
	IF end_at >= pg_catalog.now() THEN
		RETURN QUERY
		SELECT s.dbid, s.userid, s.queryid, s.toplevel,
			   s.calls - b.calls,
			   (s.total_plan_time + s.total_exec_time) - (b.total_plan_time + b.total_exec_time),
			   s.rows - b.rows,
			   s.shared_blks_hit - b.shared_blks_hit,
			   s.shared_blks_read - b.shared_blks_read,
			   s.temp_blks_read - b.temp_blks_read,
			   s.temp_blks_written - b.temp_blks_written,
			   NULL::boolean
		FROM @extschema@._statement_counters() s
			 JOIN @extschema@.statement_baseline b
				ON b.dbid = s.dbid AND b.userid = s.userid
			   AND b.queryid = s.queryid AND b.toplevel = s.toplevel
		WHERE s.calls > b.calls;
	END IF;
END
$$;

COMMENT ON FUNCTION @extschema@._statement_deltas(timestamptz, timestamptz) IS
'Per identity, the changes of the statement counters within a window, from both tiers and the uncaptured tail (internal)';

CREATE FUNCTION @extschema@.query_stats(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, "user" name, dbid oid, userid oid, queryid bigint,
			   query text, calls bigint, total_time interval, total_time_ms float8,
			   mean_time interval, mean_time_ms float8, rows bigint,
			   percent_of_total float8, shared_blks_hit bigint, shared_blks_read bigint,
			   cache_hit_percent float8, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH s AS (
		SELECT d.dbid, d.userid, d.queryid,
			   pg_catalog.sum(d.calls)::bigint AS calls,
			   pg_catalog.sum(d.total_time_ms) AS total_ms,
			   pg_catalog.sum(d.rows)::bigint AS rows,
			   pg_catalog.sum(d.shared_blks_hit)::bigint AS shared_blks_hit,
			   pg_catalog.sum(d.shared_blks_read)::bigint AS shared_blks_read,
			   pg_catalog.sum(d.temp_blks_read)::bigint AS temp_blks_read,
			   pg_catalog.sum(d.temp_blks_written)::bigint AS temp_blks_written,
			   pg_catalog.bool_or(coalesce(d.lossy, false)) AS lossy
		FROM @extschema@._statement_deltas($1, $2) d
		GROUP BY d.dbid, d.userid, d.queryid)
	SELECT db.datname, r.rolname, s.dbid, s.userid, s.queryid, t.query, s.calls,
		   pg_catalog.make_interval(secs => s.total_ms / 1000),
		   s.total_ms,
		   pg_catalog.make_interval(secs => s.total_ms / NULLIF(s.calls, 0) / 1000),
		   s.total_ms / NULLIF(s.calls, 0),
		   coalesce(s.rows, 0),
		   100 * s.total_ms / NULLIF(pg_catalog.sum(s.total_ms) OVER (), 0),
		   coalesce(s.shared_blks_hit, 0),
		   coalesce(s.shared_blks_read, 0),
		   (100.0 * coalesce(s.shared_blks_hit, 0)
			OPERATOR(pg_catalog./) NULLIF(coalesce(s.shared_blks_hit, 0) + coalesce(s.shared_blks_read, 0), 0))::float8,
		   coalesce(s.temp_blks_read, 0),
		   coalesce(s.temp_blks_written, 0),
		   s.lossy
	FROM s
		 LEFT JOIN pg_catalog.pg_database db ON db.oid = s.dbid
		 LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.userid
		 LEFT JOIN @extschema@.query_texts t
			ON t.dbid = s.dbid AND t.queryid = s.queryid
	WHERE s.calls > 0
$$;

COMMENT ON FUNCTION @extschema@.query_stats(timestamptz, timestamptz) IS
'The columns of the query_stats view over any window [start_at, end_at) of history (default: the last 24 hours), including what was not captured yet when the window reaches now; lossy when an interval in it lost data';

CREATE FUNCTION @extschema@.slow_queries(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, "user" name, dbid oid, userid oid, queryid bigint,
			   query text, calls bigint, total_time interval, total_time_ms float8,
			   mean_time interval, mean_time_ms float8, rows bigint,
			   percent_of_total float8, shared_blks_hit bigint, shared_blks_read bigint,
			   cache_hit_percent float8, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT q.*
	FROM @extschema@.query_stats($1, $2) q, @extschema@.config() c
	WHERE q.calls >= c.slow_query_calls
	  AND q.mean_time_ms >= c.slow_query_ms
$$;

COMMENT ON FUNCTION @extschema@.slow_queries(timestamptz, timestamptz) IS
'query_stats(start_at, end_at) for the statements called at least pghero.slow_query_calls times with a mean time of at least pghero.slow_query_ms';

-- One row per raw sample or hourly bucket of one statement (all users and
-- nesting levels summed), plus the uncaptured tail when the window reaches now
CREATE FUNCTION @extschema@.query_history(
	queryid bigint,
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (captured_at timestamptz, tier text, calls bigint,
			   total_time interval, total_time_ms float8, mean_time_ms float8,
			   rows bigint, shared_blks_hit bigint, shared_blks_read bigint,
			   lossy boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	qid bigint := $1;
	first_hour timestamptz := pg_catalog.date_trunc('hour', start_at)
		+ CASE WHEN start_at > pg_catalog.date_trunc('hour', start_at) THEN interval '1 hour' ELSE interval '0' END;
	mid_lo timestamptz;
	mid_hi timestamptz;
BEGIN
	-- hourly rows for the rolled-up whole hours, raw rows around them
	SELECT first_hour,
		   greatest(first_hour, least(pg_catalog.date_trunc('hour', end_at), r.rolled_up_until))
	INTO mid_lo, mid_hi
	FROM @extschema@.rollup_progress r
	WHERE r.history = 'statement';

	RETURN QUERY
	WITH x AS (
		SELECT r.bucket AS at, 'hourly'::text AS tier, r.calls,
			   coalesce(r.total_plan_time, 0) + coalesce(r.total_exec_time, 0) AS ms,
			   r.rows, r.shared_blks_hit, r.shared_blks_read, r.lossy
		FROM @extschema@.statement_rollup r
		WHERE r.queryid = qid AND r.bucket >= mid_lo AND r.bucket < mid_hi
		UNION ALL
		SELECT h.captured_at, 'raw', h.calls,
			   coalesce(h.total_plan_time, 0) + coalesce(h.total_exec_time, 0),
			   h.rows, h.shared_blks_hit, h.shared_blks_read, h.lossy
		FROM @extschema@.statement_history h
		WHERE h.queryid = qid
		  AND ((h.captured_at >= start_at AND h.captured_at < least(mid_lo, end_at))
			   OR (h.captured_at >= greatest(mid_hi, start_at) AND h.captured_at < end_at))
		UNION ALL
		SELECT pg_catalog.now(), 'current', d.calls, d.total_time_ms, d.rows,
			   d.shared_blks_hit, d.shared_blks_read, d.lossy
		FROM @extschema@._statement_deltas(pg_catalog.now(), end_at) d
		WHERE d.queryid = qid)
	SELECT x.at, x.tier, pg_catalog.sum(x.calls)::bigint,
		   pg_catalog.make_interval(secs => pg_catalog.sum(x.ms) / 1000),
		   pg_catalog.sum(x.ms),
		   pg_catalog.sum(x.ms) / NULLIF(pg_catalog.sum(x.calls), 0),
		   coalesce(pg_catalog.sum(x.rows), 0)::bigint,
		   coalesce(pg_catalog.sum(x.shared_blks_hit), 0)::bigint,
		   coalesce(pg_catalog.sum(x.shared_blks_read), 0)::bigint,
		   pg_catalog.bool_or(coalesce(x.lossy, false))
	FROM x
	GROUP BY x.at, x.tier
	HAVING pg_catalog.sum(x.calls) > 0
	ORDER BY x.at;
END
$$;

COMMENT ON FUNCTION @extschema@.query_history(bigint, timestamptz, timestamptz) IS
'One statement over time: one row per raw sample or hourly bucket with calls, total and mean time, rows and blocks (default: the last 24 hours)';

-- Per database and raw sample or hourly bucket: rates over the interval
CREATE FUNCTION @extschema@.database_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, datid oid, captured_at timestamptz, tier text,
			   seconds float8, tps float8, commits bigint, rollbacks bigint,
			   rows_read_per_second float8, rows_written_per_second float8,
			   cache_hit_percent float8, temp_bytes bigint, deadlocks bigint,
			   backends integer, lossy boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
	WITH p AS (
		SELECT r.rolled_up_until FROM @extschema@.rollup_progress r
		WHERE r.history = 'database'),
	x AS (
		SELECT r.datname, r.datid, r.bucket AS at, 'hourly'::text AS tier, r.seconds,
			   r.xact_commit, r.xact_rollback, r.blks_read, r.blks_hit,
			   r.tup_returned, r.tup_fetched, r.tup_inserted, r.tup_updated, r.tup_deleted,
			   r.temp_bytes, r.deadlocks, r.numbackends_max AS backends, r.lossy
		FROM @extschema@.database_rollup r, p
		WHERE r.bucket >= $1
		  AND r.bucket + interval '1 hour' <= $2
		  AND r.bucket + interval '1 hour' <= p.rolled_up_until
		UNION ALL
		SELECT h.datname, h.datid, h.captured_at, 'raw',
			   pg_catalog.date_part('epoch', h.captured_at - h.since),
			   h.xact_commit, h.xact_rollback, h.blks_read, h.blks_hit,
			   h.tup_returned, h.tup_fetched, h.tup_inserted, h.tup_updated, h.tup_deleted,
			   h.temp_bytes, h.deadlocks, h.numbackends, h.lossy
		FROM @extschema@.database_history h, p
		WHERE h.captured_at >= $1
		  AND h.captured_at < $2
		  AND NOT (pg_catalog.date_trunc('hour', h.captured_at) >= $1
				   AND pg_catalog.date_trunc('hour', h.captured_at) + interval '1 hour' <= $2
				   AND pg_catalog.date_trunc('hour', h.captured_at) + interval '1 hour' <= p.rolled_up_until))
	SELECT x.datname, x.datid, x.at, x.tier, x.seconds,
		   (coalesce(x.xact_commit, 0) + coalesce(x.xact_rollback, 0))
		   / NULLIF(x.seconds, 0),
		   coalesce(x.xact_commit, 0), coalesce(x.xact_rollback, 0),
		   (coalesce(x.tup_returned, 0) + coalesce(x.tup_fetched, 0))
		   / NULLIF(x.seconds, 0),
		   (coalesce(x.tup_inserted, 0) + coalesce(x.tup_updated, 0)
			OPERATOR(pg_catalog.+) coalesce(x.tup_deleted, 0)) / NULLIF(x.seconds, 0),
		   (100.0 * coalesce(x.blks_hit, 0)
			OPERATOR(pg_catalog./) NULLIF(coalesce(x.blks_hit, 0) + coalesce(x.blks_read, 0), 0))::float8,
		   coalesce(x.temp_bytes, 0), coalesce(x.deadlocks, 0),
		   x.backends, coalesce(x.lossy, false)
	FROM x
	ORDER BY x.datname, x.at
$$;

COMMENT ON FUNCTION @extschema@.database_activity(timestamptz, timestamptz) IS
'Per database and raw sample or hourly bucket: transactions, rows read and written per second, cache hit rate, temporary bytes (default: the last 24 hours)';

-- Growth of every relation of this database over the last days: its size
-- now against its size at the start of the window (or when first seen)
CREATE FUNCTION @extschema@.space_growth(days integer DEFAULT 7)
RETURNS TABLE (schemaname name, relname name, relid oid, type text,
			   size_bytes bigint, size text, size_then_bytes bigint, since timestamptz,
			   growth_bytes bigint, growth text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH then_ AS (
		SELECT DISTINCT ON (h.relid) h.relid, h.size_bytes, h.captured_at
		FROM @extschema@.space_history h
		WHERE h.relid IS NOT NULL
		  AND h.datid = (SELECT d.oid FROM pg_catalog.pg_database d
											  WHERE d.datname = pg_catalog.current_database())
		  AND h.captured_at <= pg_catalog.now() - pg_catalog.make_interval(days => $1)
		ORDER BY h.relid, h.captured_at DESC),
	first_ AS (
		SELECT DISTINCT ON (h.relid) h.relid, h.size_bytes, h.captured_at
		FROM @extschema@.space_history h
		WHERE h.relid IS NOT NULL
		  AND h.datid = (SELECT d.oid FROM pg_catalog.pg_database d
											  WHERE d.datname = pg_catalog.current_database())
		  AND h.captured_at > pg_catalog.now() - pg_catalog.make_interval(days => $1)
		ORDER BY h.relid, h.captured_at)
	SELECT r.schemaname, r.relname, r.relid, r.type, r.size_bytes, r.size,
		   coalesce(t.size_bytes, f.size_bytes),
		   greatest(coalesce(t.captured_at, f.captured_at),
							   pg_catalog.now() - pg_catalog.make_interval(days => $1)),
		   r.size_bytes - coalesce(t.size_bytes, f.size_bytes),
		   pg_catalog.pg_size_pretty(r.size_bytes - coalesce(t.size_bytes, f.size_bytes))
	FROM @extschema@.relation_sizes r
		 LEFT JOIN then_ t ON t.relid = r.relid
		 LEFT JOIN first_ f ON f.relid = r.relid
$$;

COMMENT ON FUNCTION @extschema@.space_growth(integer) IS
'Every relation of this database with its size now, its size days ago (or when first captured, if later) and the growth since';

CREATE FUNCTION @extschema@.relation_space_history(
	relation regclass,
	start_at timestamptz DEFAULT pg_catalog.now() - interval '30 days',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (captured_at timestamptz, size_bytes bigint, size text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	-- the size in force at start_at, every change in the window, and now
	(SELECT greatest(h.captured_at, $2), h.size_bytes, pg_catalog.pg_size_pretty(h.size_bytes)
	 FROM @extschema@.space_history h
	 WHERE h.relid = $1::oid AND h.captured_at <= $2
	   AND h.datid = (SELECT d.oid FROM pg_catalog.pg_database d
										   WHERE d.datname = pg_catalog.current_database())
	 ORDER BY h.captured_at DESC LIMIT 1)
	UNION ALL
	(SELECT h.captured_at, h.size_bytes, pg_catalog.pg_size_pretty(h.size_bytes)
	 FROM @extschema@.space_history h
	 WHERE h.relid = $1::oid
	   AND h.captured_at > $2 AND h.captured_at < $3
	   AND h.datid = (SELECT d.oid FROM pg_catalog.pg_database d
										   WHERE d.datname = pg_catalog.current_database())
	 ORDER BY h.captured_at)
	UNION ALL
	SELECT pg_catalog.now(), r.size_bytes, r.size
	FROM @extschema@.relation_sizes r
	WHERE r.relid = $1::oid AND $3 >= pg_catalog.now()
$$;

COMMENT ON FUNCTION @extschema@.relation_space_history(regclass, timestamptz, timestamptz) IS
'Size of one relation over a window (default: the last 30 days): its size at the start, every change captured, and its size now';

--------------------------------------------------------------------------
-- Column comments for the objects of 1.1 (as in 1.0: a column without one
-- stops the installation)
--------------------------------------------------------------------------

DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		WITH common(col, txt) AS (VALUES
			('captured_at', 'When the capture ran (end of the interval)'),
			('since', 'Start of the interval: the previous capture; NULL when the whole value since the entry was made or reset is counted'),
			('bucket', 'Start of the hour'),
			('samples', 'Raw samples summed in the hour'),
			('seconds', 'Seconds covered by the samples'),
			('dbid', 'Database OID'),
			('datid', 'Database OID'),
			('datname', 'Database name'),
			('userid', 'Role OID'),
			('queryid', 'pg_stat_statements query identifier'),
			('toplevel', 'Whether executed at top level (false: nested in a function)'),
			('query', 'Normalized query text'),
			('first_seen', 'When the text was first captured'),
			('calls', 'Executions'),
			('plans', 'Plannings'),
			('total_plan_time', 'Planning time in milliseconds'),
			('total_exec_time', 'Execution time in milliseconds'),
			('min_exec_time', 'Shortest execution in milliseconds since the entry was made or reset (not per interval)'),
			('max_exec_time', 'Longest execution in milliseconds since the entry was made or reset (not per interval)'),
			('rows', 'Rows retrieved or affected'),
			('shared_blks_hit', 'Shared buffer hits'),
			('shared_blks_read', 'Shared blocks read'),
			('shared_blks_dirtied', 'Shared blocks dirtied'),
			('shared_blks_written', 'Shared blocks written'),
			('local_blks_hit', 'Local buffer hits'),
			('local_blks_read', 'Local blocks read'),
			('local_blks_dirtied', 'Local blocks dirtied'),
			('local_blks_written', 'Local blocks written'),
			('temp_blks_read', 'Temporary blocks read'),
			('temp_blks_written', 'Temporary blocks written'),
			('blk_read_time', 'Time reading blocks in milliseconds (track_io_timing)'),
			('blk_write_time', 'Time writing blocks in milliseconds (track_io_timing)'),
			('wal_records', 'WAL records generated'),
			('wal_fpi', 'WAL full-page images generated'),
			('wal_bytes', 'WAL bytes generated'),
			('lossy', 'True when the interval lost data (a statistics reset, evictions, a crash): the numbers are a lower bound'),
			('numbackends', 'Backends connected to the database at the capture'),
			('numbackends_max', 'Most backends connected at a capture of the hour'),
			('xact_commit', 'Transactions committed'),
			('xact_rollback', 'Transactions rolled back'),
			('blks_read', 'Blocks read'),
			('blks_hit', 'Buffer hits'),
			('tup_returned', 'Rows returned by sequential scans and index entries returned'),
			('tup_fetched', 'Rows fetched by index scans'),
			('tup_inserted', 'Rows inserted'),
			('tup_updated', 'Rows updated'),
			('tup_deleted', 'Rows deleted'),
			('temp_files', 'Temporary files created'),
			('temp_bytes', 'Bytes written to temporary files'),
			('deadlocks', 'Deadlocks'),
			('conflicts', 'Queries canceled by recovery conflicts'),
			('checkpoints_timed', 'Scheduled checkpoints'),
			('checkpoints_req', 'Requested checkpoints'),
			('buffers_checkpoint', 'Buffers written by checkpoints'),
			('buffers_clean', 'Buffers written by the background writer'),
			('buffers_backend', 'Buffers written by backends themselves'),
			('connections', 'Client connections at the capture'),
			('connections_max', 'Most client connections at a capture of the hour'),
			('active_connections', 'Client connections running a query'),
			('idle_connections', 'Idle client connections'),
			('idle_in_transaction_connections', 'Client connections idle in a transaction'),
			('relid', 'Relation OID; NULL for a database'),
			('schemaname', 'Schema of the relation'),
			('relname', 'Name of the relation, or of the database'),
			('kind', 'database, table, index, materialized view, partitioned table or partitioned index'),
			('size_bytes', 'Size in bytes'),
			('source', 'Capture source: statements, database_activity, instance, space or retention'),
			('last_run_at', 'When the source last ran'),
			('last_duration_ms', 'How long its last run took, in milliseconds'),
			('last_duration', 'How long its last run took'),
			('last_rows', 'Rows its last run wrote; NULL if it failed'),
			('last_success_at', 'When it last ran without error'),
			('last_error', 'Its last error, with SQLSTATE'),
			('last_error_at', 'When it last failed'),
			('last_note', 'What its last successful run had to say (resets, evictions, skipped relations)'),
			('note', 'What its last successful run had to say (resets, evictions, skipped relations)'),
			('next_run_at', 'When the collector runs it next'),
			('runs', 'Runs since the extension was created'),
			('failures', 'Failed runs since the extension was created'),
			('history', 'statement, database or instance'),
			('rolled_up_until', 'Every raw row captured before this time is in the hourly rollup'),
			('entries', 'Entries in pg_stat_statements'),
			('max_entries', 'pg_stat_statements.max'),
			('dealloc', 'pg_stat_statements deallocations (evictions) so far'),
			('stats_reset', 'When the statistics were last reset'),
			('moved', 'Identities whose counters moved'),
			('source_note', 'Note'),
			('statements_entries', 'Entries in pg_stat_statements at the last capture (statements row only)'),
			('statements_max', 'pg_stat_statements.max (statements row only)'),
			('statements_fill_percent', 'statements_entries as a percent of statements_max (statements row only)'),
			('statements_deallocations', 'pg_stat_statements deallocations so far: evictions of entries when it is full (statements row only)'),
			('statements_reset_at', 'When pg_stat_statements was last reset (statements row only)'),
			('worker_pid', 'Process ID of the collector worker, NULL when it is not running'),
			('wal_lsn', 'WAL insert location at the last capture'),
			('counters', 'Cumulative counters at the last capture'))
		SELECT cl.relname AS rel, a.attname AS col, cm.txt
		FROM pg_catalog.pg_class cl
			 JOIN pg_catalog.pg_attribute a ON a.attrelid = cl.oid
			 LEFT JOIN common cm ON cm.col = a.attname
		WHERE cl.relnamespace = 'pghero'::regnamespace
		  AND cl.relkind IN ('r', 'p', 'v')
		  AND a.attnum > 0
		  AND NOT a.attisdropped
		  AND pg_catalog.col_description(cl.oid, a.attnum) IS NULL
		ORDER BY cl.relname, a.attnum
	LOOP
		IF c.txt IS NULL THEN
			RAISE EXCEPTION 'no comment for column %.%', c.rel, c.col;
		END IF;
		EXECUTE pg_catalog.format('COMMENT ON COLUMN pghero.%I.%I IS %L', c.rel, c.col, c.txt);
	END LOOP;
END
$$;

COMMENT ON COLUMN @extschema@.statement_captures.note IS 'What happened to pg_stat_statements in the interval (reset, evictions, crash, first capture)';
COMMENT ON COLUMN @extschema@.statement_captures.lossy IS 'True when the interval lost data: reset, evictions or crash';

--------------------------------------------------------------------------
-- Privileges
--------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;

GRANT SELECT ON
	@extschema@.collector,
	@extschema@.collector_sources,
	@extschema@.rollup_progress,
	@extschema@.statement_history,
	@extschema@.statement_rollup,
	@extschema@.statement_baseline,
	@extschema@.statement_captures,
	@extschema@.query_texts,
	@extschema@.database_history,
	@extschema@.database_rollup,
	@extschema@.instance_history,
	@extschema@.instance_rollup,
	@extschema@.space_history
TO pghero_reader;

GRANT EXECUTE ON FUNCTION
	@extschema@._statement_counters(),
	@extschema@._statement_deltas(timestamptz, timestamptz),
	@extschema@.query_stats(timestamptz, timestamptz),
	@extschema@.slow_queries(timestamptz, timestamptz),
	@extschema@.query_history(bigint, timestamptz, timestamptz),
	@extschema@.database_activity(timestamptz, timestamptz),
	@extschema@.space_growth(integer),
	@extschema@.relation_space_history(regclass, timestamptz, timestamptz)
TO pghero_reader;

GRANT EXECUTE ON FUNCTION @extschema@.capture(text[]) TO pghero_admin;
