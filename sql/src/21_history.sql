/* sql/src/21_history.sql */

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
