/* sql/src/12_queries.sql */

-- pg_stat_statements may be absent, not preloaded, or installed in any
-- schema, and other roles may create look-alikes and overloads of its
-- functions in schemas they can write to.  src/pgss.c finds its functions
-- by OID (the extension's schema, the exact name and argument types,
-- membership of the extension) on every call, calls them through fmgr,
-- and says clearly what is missing.  _pgss_statements() is the one list
-- of pg_stat_statements' columns: the union of versions 1.9 to 1.12 under
-- the newest names, NULL where the installed version lacks a column.
CREATE FUNCTION pghero_internal._pgss_statements(showtext boolean)
RETURNS TABLE (
	userid oid,
	dbid oid,
	toplevel boolean,
	queryid bigint,
	query text,
	plans bigint,
	total_plan_time float8,
	min_plan_time float8,
	max_plan_time float8,
	mean_plan_time float8,
	stddev_plan_time float8,
	calls bigint,
	total_exec_time float8,
	min_exec_time float8,
	max_exec_time float8,
	mean_exec_time float8,
	stddev_exec_time float8,
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
	shared_blk_read_time float8,
	shared_blk_write_time float8,
	local_blk_read_time float8,
	local_blk_write_time float8,
	temp_blk_read_time float8,
	temp_blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	wal_buffers_full bigint,
	jit_functions bigint,
	jit_generation_time float8,
	jit_inlining_count bigint,
	jit_inlining_time float8,
	jit_optimization_count bigint,
	jit_optimization_time float8,
	jit_emission_count bigint,
	jit_emission_time float8,
	jit_deform_count bigint,
	jit_deform_time float8,
	parallel_workers_to_launch bigint,
	parallel_workers_launched bigint,
	generic_plan_calls bigint,
	custom_plan_calls bigint,
	stats_since timestamptz,
	minmax_stats_since timestamptz)
AS 'MODULE_PATHNAME', 'pghero_pgss_statements'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._pgss_statements(boolean) IS
'pg_stat_statements(showtext), called by OID, with the same columns whatever its version (NULL where the installed version lacks a counter), every row whoever the caller, texts with passwords redacted (internal)';

CREATE FUNCTION pghero_internal._pgss_info(OUT dealloc bigint, OUT stats_reset timestamptz)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_pgss_info'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._pgss_info() IS
'pg_stat_statements_info(), called by OID: deallocations and the last full reset (internal)';

CREATE FUNCTION pghero_internal._pgss_reset(userid oid, dbid oid, queryid bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'pghero_pgss_reset'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION pghero_internal._pgss_reset(oid, oid, bigint) IS
'pg_stat_statements_reset(userid, dbid, queryid), called by OID, minmax_only false where it exists; 0 means all (internal)';

--------------------------------------------------------------------------
-- Query statistics (live, from pg_stat_statements)
--------------------------------------------------------------------------

-- The unrounded statistics, which query_stats shows rounded and
-- slow_queries filters before rounding
CREATE VIEW pghero_internal._query_stats AS
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
	FROM pghero_internal._pgss_statements(true) s
	GROUP BY s.dbid, s.userid, s.queryid)
SELECT d.datname AS database,
	   r.rolname AS username,
	   s.dbid,
	   s.userid,
	   s.queryid,
	   s.query,
	   s.calls,
	   s.total_ms AS total_time_ms,
	   s.total_ms / NULLIF(s.calls, 0) AS mean_time_ms,
	   s.rows,
	   100 * s.total_ms / NULLIF(pg_catalog.sum(s.total_ms) OVER (), 0) AS percent_of_total,
	   s.shared_blks_hit,
	   s.shared_blks_read,
	   100.0 * s.shared_blks_hit / NULLIF(s.shared_blks_hit + s.shared_blks_read, 0) AS cache_hit_percent,
	   s.temp_blks_read,
	   s.temp_blks_written
FROM s
	 LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid
	 LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.userid
WHERE s.calls > 0;

COMMENT ON VIEW pghero_internal._query_stats IS
'Every statement pg_stat_statements tracks, with unrounded times and percents (internal)';

CREATE VIEW @extschema@.query_stats AS
SELECT q.database,
	   q.username,
	   q.dbid,
	   q.userid,
	   q.queryid,
	   q.query,
	   q.calls,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => q.total_time_ms / 1000))::text AS total_time,
	   pg_catalog.round(q.total_time_ms::numeric, 3)::float8 AS total_time_ms,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => q.mean_time_ms / 1000))::text AS mean_time,
	   pg_catalog.round(q.mean_time_ms::numeric, 3)::float8 AS mean_time_ms,
	   q.rows,
	   pg_catalog.round(q.percent_of_total::numeric, 2) AS percent_of_total,
	   q.shared_blks_hit,
	   q.shared_blks_read,
	   pg_catalog.round(q.cache_hit_percent, 2) AS cache_hit_percent,
	   q.temp_blks_read,
	   q.temp_blks_written
FROM pghero_internal._query_stats q;

COMMENT ON VIEW @extschema@.query_stats IS
'Every statement pg_stat_statements tracks, cluster-wide, since its last reset; top-level and nested executions of one statement are merged';

-- The same columns as query_stats; the thresholds compare the unrounded
-- mean
CREATE VIEW @extschema@.slow_queries AS
SELECT q.database,
	   q.username,
	   q.dbid,
	   q.userid,
	   q.queryid,
	   q.query,
	   q.calls,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => q.total_time_ms / 1000))::text AS total_time,
	   pg_catalog.round(q.total_time_ms::numeric, 3)::float8 AS total_time_ms,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => q.mean_time_ms / 1000))::text AS mean_time,
	   pg_catalog.round(q.mean_time_ms::numeric, 3)::float8 AS mean_time_ms,
	   q.rows,
	   pg_catalog.round(q.percent_of_total::numeric, 2) AS percent_of_total,
	   q.shared_blks_hit,
	   q.shared_blks_read,
	   pg_catalog.round(q.cache_hit_percent, 2) AS cache_hit_percent,
	   q.temp_blks_read,
	   q.temp_blks_written
FROM pghero_internal._query_stats q
	 CROSS JOIN @extschema@.config() c
WHERE q.calls >= c.slow_query_calls
  AND q.mean_time_ms >= c.slow_query_ms;

COMMENT ON VIEW @extschema@.slow_queries IS
'Statements called at least pghero.slow_query_calls times whose mean time is at least pghero.slow_query_ms';
