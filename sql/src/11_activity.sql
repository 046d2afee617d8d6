/* sql/src/11_activity.sql */

-- read_at is clock_timestamp() read once per call, after pg_stat_activity
-- (an initplan, evaluated at the first row, once the backend status
-- snapshot is taken): the live views measure every duration against it,
-- so that no duration is negative and one reading gives one "now".
CREATE FUNCTION pghero_internal._activity()
RETURNS TABLE (
	pid integer, datid oid, datname name, usesysid oid, usename name,
	application_name text, client_addr inet, client_hostname text,
	client_port integer, backend_start timestamptz, xact_start timestamptz,
	query_start timestamptz, state_change timestamptz, wait_event_type text,
	wait_event text, state text, backend_xid xid, backend_xmin xid,
	query text, backend_type text, ssl boolean, leader_pid integer,
	is_superuser boolean, read_at timestamptz)
LANGUAGE sql VOLATILE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.pid, a.datid, a.datname, a.usesysid, a.usename,
		   a.application_name, a.client_addr, a.client_hostname,
		   a.client_port, a.backend_start, a.xact_start,
		   a.query_start, a.state_change, a.wait_event_type,
		   a.wait_event, a.state, a.backend_xid, a.backend_xmin,
		   pghero_internal._redact_query(a.query), a.backend_type, s.ssl, a.leader_pid,
		   r.rolsuper,
		   (SELECT pg_catalog.clock_timestamp())
	FROM pg_catalog.pg_stat_activity a
		 LEFT JOIN pg_catalog.pg_stat_ssl s
			ON s.pid OPERATOR(pg_catalog.=) a.pid
		 LEFT JOIN pg_catalog.pg_authid r
			ON r.oid OPERATOR(pg_catalog.=) a.usesysid
$$;

COMMENT ON FUNCTION pghero_internal._activity() IS
'Every backend of pg_stat_activity with full query text (passwords redacted), whoever the caller, and the clock_timestamp() at which it was read (internal)';

--------------------------------------------------------------------------
-- Activity
--------------------------------------------------------------------------

CREATE VIEW @extschema@.running_queries AS
SELECT a.pid,
	   a.backend_start,
	   a.datname AS database,
	   a.usename AS username,
	   a.application_name,
	   pg_catalog.host(a.client_addr) AS client_addr,
	   a.state,
	   a.wait_event_type,
	   a.wait_event,
	   CASE WHEN a.wait_event_type = 'Lock'
			THEN pg_catalog.pg_blocking_pids(a.pid)
			ELSE '{}'::integer[] END AS blocked_by,
	   a.query,
	   coalesce(a.query_start, a.xact_start) AS started_at,
	   pg_catalog.date_trunc('milliseconds', x.d)::text AS duration,
	   pg_catalog.round(pg_catalog.extract('epoch', x.d) * 1000, 3)::float8 AS duration_ms,
	   a.xact_start
FROM pghero_internal._activity() a
	 CROSS JOIN LATERAL (
		SELECT greatest(a.read_at - coalesce(a.query_start, a.xact_start), '0'::interval) AS d) x
WHERE a.backend_type = 'client backend'
  AND a.state IS DISTINCT FROM 'idle'
  AND a.pid <> pg_catalog.pg_backend_pid();

COMMENT ON VIEW @extschema@.running_queries IS
'Every non-idle client backend of the cluster except your own, with its full query text and the sessions blocking it';

-- duration_ms holds the duration to the microsecond: the comparison is
-- the one of the unrounded interval
CREATE VIEW @extschema@.long_running_queries AS
SELECT q.*
FROM @extschema@.running_queries q
	 CROSS JOIN @extschema@.config() c
WHERE q.duration_ms > c.long_running_query_sec * 1000.0;

COMMENT ON VIEW @extschema@.long_running_queries IS
'Running queries that started more than pghero.long_running_query_sec ago';

CREATE VIEW @extschema@.blocked_queries AS
WITH a AS MATERIALIZED (
	SELECT * FROM pghero_internal._activity()),
pairs AS (
	SELECT w.pid AS blocked_pid,
		   w.usename AS blocked_username,
		   w.datname AS database,
		   w.query AS blocked_query,
		   greatest(w.read_at - coalesce(w.query_start, w.xact_start), '0'::interval) AS blocked_duration,
		   l.locktype AS lock_type,
		   l.mode AS lock_mode,
		   l.relation AS relid,
		   rn.nspname AS schemaname,
		   rc.relname AS relname,
		   b.pid AS blocking_pid,
		   b.usename AS blocking_username,
		   b.state AS blocking_state,
		   b.query AS blocking_query,
		   greatest(w.read_at - coalesce(b.query_start, b.xact_start), '0'::interval) AS blocking_duration,
		   greatest(w.read_at - b.xact_start, '0'::interval) AS blocking_transaction_duration
	FROM a w
		 CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids(w.pid)) AS bp(pid)
		 LEFT JOIN a b ON b.pid = bp.pid
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
	WHERE w.wait_event_type = 'Lock')
SELECT p.blocked_pid,
	   p.blocked_username,
	   p.database,
	   p.blocked_query,
	   pg_catalog.date_trunc('milliseconds', p.blocked_duration)::text AS blocked_duration,
	   pg_catalog.round(pg_catalog.extract('epoch', p.blocked_duration) * 1000, 3)::float8 AS blocked_duration_ms,
	   p.lock_type,
	   p.lock_mode,
	   p.relid,
	   p.schemaname,
	   p.relname,
	   p.blocking_pid,
	   p.blocking_username,
	   p.blocking_state,
	   p.blocking_query,
	   pg_catalog.date_trunc('milliseconds', p.blocking_duration)::text AS blocking_duration,
	   pg_catalog.round(pg_catalog.extract('epoch', p.blocking_duration) * 1000, 3)::float8 AS blocking_duration_ms,
	   pg_catalog.date_trunc('milliseconds', p.blocking_transaction_duration)::text AS blocking_transaction_duration,
	   pg_catalog.round(pg_catalog.extract('epoch', p.blocking_transaction_duration) * 1000, 3)::float8 AS blocking_transaction_duration_ms
FROM pairs p;

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
			THEN pg_catalog.round(100.0 * p.heap_blks_scanned / p.heap_blks_total, 2)
	   END AS percent_scanned,
	   p.index_vacuum_count,
	   p.max_dead_tuples,
	   p.num_dead_tuples,
	   a.query,
	   a.xact_start AS started_at,
	   pg_catalog.date_trunc('milliseconds', x.d)::text AS duration,
	   pg_catalog.round(pg_catalog.extract('epoch', x.d) * 1000, 3)::float8 AS duration_ms,
	   p.max_dead_tuple_bytes,
	   p.dead_tuple_bytes
FROM pghero_internal._vacuum_progress() p
	 LEFT JOIN pghero_internal._activity() a ON a.pid = p.pid
	 LEFT JOIN LATERAL (
		SELECT greatest(a.read_at - a.xact_start, '0'::interval) AS d) x ON true
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
	   a.usename AS username,
	   a.application_name,
	   pg_catalog.host(a.client_addr) AS client_addr,
	   a.client_hostname,
	   a.client_port,
	   a.backend_type,
	   a.state,
	   a.ssl,
	   a.backend_start,
	   pg_catalog.date_trunc('milliseconds', x.d)::text AS connected_for,
	   pg_catalog.round(pg_catalog.extract('epoch', x.d) * 1000, 3)::float8 AS connected_for_ms
FROM pghero_internal._activity() a
	 CROSS JOIN LATERAL (
		SELECT greatest(a.read_at - a.backend_start, '0'::interval) AS d) x;

COMMENT ON VIEW @extschema@.connections IS
'Every backend of the cluster (client connections and server processes), with SSL use';

CREATE VIEW @extschema@.connection_sources AS
SELECT a.datname AS database,
	   a.usename AS username,
	   a.application_name,
	   pg_catalog.host(a.client_addr) AS client_addr,
	   pg_catalog.count(*) AS total_connections
FROM pghero_internal._activity() a
WHERE a.backend_type = 'client backend'
GROUP BY a.datname, a.usename, a.application_name, a.client_addr;

COMMENT ON VIEW @extschema@.connection_sources IS
'Client connections grouped by database, user, application and address';

CREATE VIEW @extschema@.connection_states AS
SELECT a.state,
	   pg_catalog.count(*) AS total_connections
FROM pghero_internal._activity() a
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
	FROM pghero_internal._activity() a)
SELECT s.total_connections,
	   s.active_connections,
	   s.idle_in_transaction_connections,
	   s.max_connections,
	   s.reserved_connections,
	   s.max_connections - s.reserved_connections AS available_connections,
	   pg_catalog.round(100.0 * s.total_connections / NULLIF(s.max_connections - s.reserved_connections, 0), 2) AS percent_used,
	   s.total_connections >= c.total_connections_threshold AS high_connections,
	   s.idle_in_transaction_connections >= c.idle_in_transaction_threshold AS high_idle_in_transaction
FROM s CROSS JOIN @extschema@.config() c;

COMMENT ON VIEW @extschema@.connection_summary IS
'One row: client connections against max_connections, with PgHero''s high-connection checks';
