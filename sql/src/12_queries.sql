/* sql/src/12_queries.sql */

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
