/* sql/src/21_history.sql */

--------------------------------------------------------------------------
-- Reading history
--
-- Every reader merges the two tiers the same way (_tier_ranges), takes
-- its locks with a short lock_timeout and says so clearly instead of
-- queueing behind another session's lock (_history_locked), checks its
-- window (_check_window), and reads pg_stat_statements only when the
-- window reaches now (the uncaptured tail), so a window wholly in the past
-- needs no pg_stat_statements.  History written by another generation (a
-- restored dump) is read alongside this installation's; the names of its
-- databases and roles come from object_names, as they were captured.
--------------------------------------------------------------------------

-- Check a window [start_at, end_at)
CREATE FUNCTION pghero_internal._check_window(start_at timestamptz, end_at timestamptz)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF start_at IS NULL OR end_at IS NULL THEN
		RAISE EXCEPTION 'the window''s start_at and end_at must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Leave them out for the default window, or pass ''-infinity'' and ''infinity'' for all history.';
	END IF;
	IF start_at > end_at THEN
		RAISE EXCEPTION 'the window starts after it ends'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('start_at is %s, end_at is %s.', start_at, end_at),
				  HINT = 'Pass start_at before end_at: the window is [start_at, end_at).';
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._check_window(timestamptz, timestamptz) IS
'Raise a clear error for a NULL or reversed history window (internal)';

-- What a history reader says when a history table is locked
CREATE FUNCTION pghero_internal._history_locked(detail text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'pghero history is locked by another session'
		USING ERRCODE = 'lock_not_available',
			  DETAIL = detail,
			  HINT = 'pghero''s history readers do not wait for locks, so as never to hold up other sessions; another session holds a lock on a history table (the collector''s retention dropping a partition, a LOCK TABLE, a DDL statement).  Try again in a moment.';
END
$$;

COMMENT ON FUNCTION pghero_internal._history_locked(text) IS
'Raise the error of a history reader that found a history table locked (internal)';

-- The one tier merge.  For each generation, the parts of the window
-- [start_at, end_at) each tier answers: the hourly rollup for the whole
-- hours inside the window that are rolled up ([mid_lo, mid_hi)), raw rows
-- for the rest ([start_at, mid_lo) and [mid_hi, end_at)).
CREATE FUNCTION pghero_internal._tier_ranges(history text, start_at timestamptz, end_at timestamptz)
RETURNS TABLE (generation integer, tier text, lo timestamptz, hi timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
	WITH g AS (
		SELECT r.generation, r.rolled_up_until FROM pghero_internal.rollup_progress r
		WHERE r.history = $1
		UNION ALL
		SELECT pghero_internal._generation(), '-infinity'
		WHERE NOT EXISTS (SELECT FROM pghero_internal.rollup_progress r
						  WHERE r.history = $1 AND r.generation = pghero_internal._generation())),
	m AS (
		SELECT g.generation, f.first_hour AS mid_lo,
			   greatest(f.first_hour, least(pg_catalog.date_trunc('hour', $3), g.rolled_up_until)) AS mid_hi
		FROM g,
			 LATERAL (SELECT pg_catalog.date_trunc('hour', $2)
							 + CASE WHEN $2 > pg_catalog.date_trunc('hour', $2)
									THEN interval '1 hour' ELSE interval '0' END AS first_hour) f)
	SELECT t.* FROM m,
		 LATERAL (VALUES (m.generation, 'hourly', m.mid_lo, m.mid_hi),
						 (m.generation, 'raw', $2, least(m.mid_lo, $3)),
						 (m.generation, 'raw', greatest(m.mid_hi, $2), $3)) t(generation, tier, lo, hi)
	WHERE t.lo < t.hi
$$;

COMMENT ON FUNCTION pghero_internal._tier_ranges(text, timestamptz, timestamptz) IS
'For each generation, the time ranges of a window that the hourly rollup and the raw rows of a history answer (internal)';

-- The change of every statement identity in [start_at, end_at), from both
-- tiers and, when the window reaches now, what pg_stat_statements counted
-- since the last capture
CREATE FUNCTION pghero_internal._statement_deltas(start_at timestamptz, end_at timestamptz)
RETURNS TABLE (generation integer, dbid oid, userid oid, queryid bigint, toplevel boolean,
			   at timestamptz, tier text, calls bigint, total_time_ms float8, rows bigint,
			   shared_blks_hit bigint, shared_blks_read bigint,
			   temp_blks_read bigint, temp_blks_written bigint, lossy boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT t.generation, x.dbid, x.userid, x.queryid, x.toplevel, x.at, t.tier, x.calls,
		   coalesce(x.total_plan_time, 0) + coalesce(x.total_exec_time, 0),
		   x.rows, x.shared_blks_hit, x.shared_blks_read, x.temp_blks_read, x.temp_blks_written,
		   x.lossy
	FROM pghero_internal._tier_ranges('statement_history', $1, $2) t,
		 LATERAL (SELECT r.dbid, r.userid, r.queryid, r.toplevel, r.bucket AS at, r.calls,
						 r.total_plan_time, r.total_exec_time, r.rows, r.shared_blks_hit,
						 r.shared_blks_read, r.temp_blks_read, r.temp_blks_written, r.lossy
				  FROM pghero_internal.statement_rollup r
				  WHERE t.tier = 'hourly' AND r.generation = t.generation
					AND r.bucket >= t.lo AND r.bucket < t.hi
				  UNION ALL
				  SELECT h.dbid, h.userid, h.queryid, h.toplevel, h.captured_at, h.calls,
						 h.total_plan_time, h.total_exec_time, h.rows, h.shared_blks_hit,
						 h.shared_blks_read, h.temp_blks_read, h.temp_blks_written, h.lossy
				  FROM pghero_internal.statement_history h
				  WHERE t.tier = 'raw' AND h.generation = t.generation
					AND h.captured_at >= t.lo AND h.captured_at < t.hi) x
	UNION ALL
	-- the tail not captured yet
	SELECT pghero_internal._generation(), s.dbid, s.userid, s.queryid, s.toplevel,
		   pg_catalog.now(), 'current', s.calls - b.calls,
		   (s.total_plan_time + s.total_exec_time) - (b.total_plan_time + b.total_exec_time),
		   s.rows - b.rows,
		   s.shared_blks_hit - b.shared_blks_hit,
		   s.shared_blks_read - b.shared_blks_read,
		   s.temp_blks_read - b.temp_blks_read,
		   s.temp_blks_written - b.temp_blks_written,
		   NULL::boolean
	FROM pghero_internal._pgss_statements(false) s
		 JOIN pghero_internal.statement_baseline b
			ON b.dbid = s.dbid AND b.userid = s.userid
		   AND b.queryid = s.queryid AND b.toplevel = s.toplevel
	WHERE $2 >= pg_catalog.now()
	  AND s.calls > b.calls
$$;

COMMENT ON FUNCTION pghero_internal._statement_deltas(timestamptz, timestamptz) IS
'Per identity and raw sample or hourly bucket, the changes of the statement counters within a window, from both tiers and the uncaptured tail (internal)';

-- Why the statements of a window are lossy: the notes of its lossy
-- captures, per generation, and whether one of them counted nothing (then
-- every statement of the window is lossy)
CREATE FUNCTION pghero_internal._statement_losses(start_at timestamptz, end_at timestamptz)
RETURNS TABLE (generation integer, all_lossy boolean, reason text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.generation,
		   pg_catalog.bool_or(c.moved = 0 AND c.since IS NOT NULL),
		   pg_catalog.string_agg(DISTINCT c.note, '; ')
	FROM pghero_internal.statement_captures c
	WHERE c.lossy AND c.captured_at >= $1 AND c.captured_at < $2
	GROUP BY c.generation
$$;

COMMENT ON FUNCTION pghero_internal._statement_losses(timestamptz, timestamptz) IS
'Per generation, the lossy statement captures of a window: their notes and whether one counted nothing (internal)';

CREATE FUNCTION @extschema@.query_stats(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, "user" name, dbid oid, userid oid, queryid bigint,
			   query text, calls bigint, total_time interval, total_time_ms float8,
			   mean_time interval, mean_time_ms float8, rows bigint,
			   percent_of_total float8, shared_blks_hit bigint, shared_blks_read bigint,
			   cache_hit_percent float8, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean, lossy_reason text, generation integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	WITH s AS (
		SELECT d.generation, d.dbid, d.userid, d.queryid,
			   pg_catalog.sum(d.calls)::bigint AS calls,
			   pg_catalog.sum(d.total_time_ms) AS total_ms,
			   pg_catalog.sum(d.rows)::bigint AS rows,
			   pg_catalog.sum(d.shared_blks_hit)::bigint AS shared_blks_hit,
			   pg_catalog.sum(d.shared_blks_read)::bigint AS shared_blks_read,
			   pg_catalog.sum(d.temp_blks_read)::bigint AS temp_blks_read,
			   pg_catalog.sum(d.temp_blks_written)::bigint AS temp_blks_written,
			   pg_catalog.bool_or(coalesce(d.lossy, false)) AS lossy
		FROM pghero_internal._statement_deltas(start_at, end_at) d
		GROUP BY d.generation, d.dbid, d.userid, d.queryid),
	l AS (SELECT * FROM pghero_internal._statement_losses(start_at, end_at))
	SELECT coalesce(nd.name, db.datname), coalesce(nr.name, r.rolname),
		   s.dbid, s.userid, s.queryid, t.query, s.calls,
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
		   s.lossy OR coalesce(l.all_lossy, false),
		   CASE WHEN s.lossy OR l.all_lossy
				THEN coalesce(l.reason, 'the statement''s pg_stat_statements entry was reset or evicted and made again: counts are a lower bound')
		   END,
		   s.generation
	FROM s
		 LEFT JOIN l ON l.generation = s.generation
		 LEFT JOIN pghero_internal.query_texts t
			ON t.generation = s.generation AND t.dbid = s.dbid AND t.queryid = s.queryid
		 -- names as captured for the generation, or (this generation's
		 -- objects not captured yet) as they are now
		 LEFT JOIN pghero_internal.object_names nd
			ON nd.generation = s.generation AND nd.kind = 'database' AND nd.oid = s.dbid
		 LEFT JOIN pghero_internal.object_names nr
			ON nr.generation = s.generation AND nr.kind = 'role' AND nr.oid = s.userid
		 LEFT JOIN pg_catalog.pg_database db
			ON s.generation = pghero_internal._generation() AND db.oid = s.dbid
		 LEFT JOIN pg_catalog.pg_roles r
			ON s.generation = pghero_internal._generation() AND r.oid = s.userid
	WHERE s.calls > 0;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.query_stats(timestamptz, timestamptz) IS
'The columns of the query_stats view over any window [start_at, end_at) of history (default: the last 24 hours), including what was not captured yet when the window reaches now; lossy, with the reason, when an interval in it lost data';

CREATE FUNCTION @extschema@.slow_queries(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, "user" name, dbid oid, userid oid, queryid bigint,
			   query text, calls bigint, total_time interval, total_time_ms float8,
			   mean_time interval, mean_time_ms float8, rows bigint,
			   percent_of_total float8, shared_blks_hit bigint, shared_blks_read bigint,
			   cache_hit_percent float8, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean, lossy_reason text, generation integer)
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
			   lossy boolean, generation integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	qid bigint := $1;
BEGIN
	IF qid IS NULL THEN
		RAISE EXCEPTION 'queryid must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass a queryid from pghero.query_stats or pghero.query_stats(start_at, end_at).';
	END IF;
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT x.at, x.tier, pg_catalog.sum(x.calls)::bigint,
		   pg_catalog.make_interval(secs => pg_catalog.sum(x.total_time_ms) / 1000),
		   pg_catalog.sum(x.total_time_ms),
		   pg_catalog.sum(x.total_time_ms) / NULLIF(pg_catalog.sum(x.calls), 0),
		   coalesce(pg_catalog.sum(x.rows), 0)::bigint,
		   coalesce(pg_catalog.sum(x.shared_blks_hit), 0)::bigint,
		   coalesce(pg_catalog.sum(x.shared_blks_read), 0)::bigint,
		   pg_catalog.bool_or(coalesce(x.lossy, false)),
		   x.generation
	FROM pghero_internal._statement_deltas(start_at, end_at) x
	WHERE x.queryid = qid
	GROUP BY x.generation, x.at, x.tier
	HAVING pg_catalog.sum(x.calls) > 0
	ORDER BY x.at, x.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
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
			   backends integer, lossy boolean, generation integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	WITH x AS (
		SELECT r.datname, r.datid, r.bucket AS at, t.tier, r.seconds,
			   r.xact_commit, r.xact_rollback, r.blks_read, r.blks_hit,
			   r.tup_returned, r.tup_fetched, r.tup_inserted, r.tup_updated, r.tup_deleted,
			   r.temp_bytes, r.deadlocks, r.numbackends_max AS backends, r.lossy, t.generation
		FROM pghero_internal._tier_ranges('database_history', start_at, end_at) t
			 JOIN pghero_internal.database_rollup r
				ON t.tier = 'hourly' AND r.generation = t.generation
			   AND r.bucket >= t.lo AND r.bucket < t.hi
		UNION ALL
		SELECT h.datname, h.datid, h.captured_at, t.tier,
			   pg_catalog.date_part('epoch', h.captured_at - h.since),
			   h.xact_commit, h.xact_rollback, h.blks_read, h.blks_hit,
			   h.tup_returned, h.tup_fetched, h.tup_inserted, h.tup_updated, h.tup_deleted,
			   h.temp_bytes, h.deadlocks, h.numbackends, h.lossy, t.generation
		FROM pghero_internal._tier_ranges('database_history', start_at, end_at) t
			 JOIN pghero_internal.database_history h
				ON t.tier = 'raw' AND h.generation = t.generation
			   AND h.captured_at >= t.lo AND h.captured_at < t.hi)
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
		   x.backends, coalesce(x.lossy, false), x.generation
	FROM x
	ORDER BY x.datname, x.at, x.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.database_activity(timestamptz, timestamptz) IS
'Per database and raw sample or hourly bucket: transactions, rows read and written per second, cache hit rate, temporary bytes (default: the last 24 hours)';

-- Per backend type, object and context, and raw sample or hourly bucket:
-- I/O from pg_stat_io (PostgreSQL 16 and later)
CREATE FUNCTION @extschema@.io_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (captured_at timestamptz, tier text, seconds float8,
			   backend_type text, object text, context text,
			   reads bigint, read_bytes bigint, read_time_ms float8,
			   writes bigint, write_bytes bigint, write_time_ms float8,
			   writebacks bigint, extends bigint, extend_bytes bigint,
			   hits bigint, evictions bigint, reuses bigint, fsyncs bigint,
			   fsync_time_ms float8, lossy boolean, generation integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	WITH x AS (
		SELECT r.bucket AS at, t.tier, r.seconds, r.backend_type, r.object, r.context,
			   r.reads, r.read_bytes, r.read_time, r.writes, r.write_bytes, r.write_time,
			   r.writebacks, r.extends, r.extend_bytes, r.hits, r.evictions, r.reuses,
			   r.fsyncs, r.fsync_time, r.lossy, t.generation
		FROM pghero_internal._tier_ranges('io_history', start_at, end_at) t
			 JOIN pghero_internal.io_rollup r
				ON t.tier = 'hourly' AND r.generation = t.generation
			   AND r.bucket >= t.lo AND r.bucket < t.hi
		UNION ALL
		SELECT h.captured_at, t.tier, pg_catalog.date_part('epoch', h.captured_at - h.since),
			   h.backend_type, h.object, h.context,
			   h.reads, h.read_bytes, h.read_time, h.writes, h.write_bytes, h.write_time,
			   h.writebacks, h.extends, h.extend_bytes, h.hits, h.evictions, h.reuses,
			   h.fsyncs, h.fsync_time, h.lossy, t.generation
		FROM pghero_internal._tier_ranges('io_history', start_at, end_at) t
			 JOIN pghero_internal.io_history h
				ON t.tier = 'raw' AND h.generation = t.generation
			   AND h.captured_at >= t.lo AND h.captured_at < t.hi)
	SELECT x.at, x.tier, x.seconds, x.backend_type, x.object, x.context,
		   coalesce(x.reads, 0), coalesce(x.read_bytes, 0), coalesce(x.read_time, 0),
		   coalesce(x.writes, 0), coalesce(x.write_bytes, 0), coalesce(x.write_time, 0),
		   coalesce(x.writebacks, 0), coalesce(x.extends, 0), coalesce(x.extend_bytes, 0),
		   coalesce(x.hits, 0), coalesce(x.evictions, 0), coalesce(x.reuses, 0),
		   coalesce(x.fsyncs, 0), coalesce(x.fsync_time, 0),
		   coalesce(x.lossy, false), x.generation
	FROM x
	ORDER BY x.at, x.backend_type, x.object, x.context, x.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.io_activity(timestamptz, timestamptz) IS
'Per backend type, object and context, and raw sample or hourly bucket: reads, writes, extends, hits, evictions and fsyncs from pg_stat_io, with bytes and times (PostgreSQL 16 and later; default: the last 24 hours)';

-- Growth of every relation of this database over the last days: its size
-- now against its size at the start of the window (or when first seen).
-- Relations are this cluster's: only this generation's history is read.
CREATE FUNCTION @extschema@.space_growth(days integer DEFAULT 7)
RETURNS TABLE (schemaname name, relname name, relid oid, type text,
			   size_bytes bigint, size text, size_then_bytes bigint, since timestamptz,
			   growth_bytes bigint, growth text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	start_at timestamptz;
	db oid := (SELECT d.oid FROM pg_catalog.pg_database d
			   WHERE d.datname = pg_catalog.current_database());
	gen integer := pghero_internal._generation();
BEGIN
	IF days IS NULL OR days < 0 OR days > 36500 THEN
		RAISE EXCEPTION 'days must be between 0 and 36500, not %', coalesce(days::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the number of days to look back, e.g. space_growth(7); history is kept for pghero.history_retention.';
	END IF;
	start_at := pg_catalog.now() - pg_catalog.make_interval(days => days);
	RETURN QUERY
	WITH then_ AS (
		SELECT DISTINCT ON (h.relid) h.relid, h.size_bytes, h.captured_at
		FROM pghero_internal.space_history h
		WHERE h.generation = gen AND h.relid IS NOT NULL AND h.datid = db
		  AND h.captured_at <= start_at
		ORDER BY h.relid, h.captured_at DESC),
	first_ AS (
		SELECT DISTINCT ON (h.relid) h.relid, h.size_bytes, h.captured_at
		FROM pghero_internal.space_history h
		WHERE h.generation = gen AND h.relid IS NOT NULL AND h.datid = db
		  AND h.captured_at > start_at
		ORDER BY h.relid, h.captured_at)
	SELECT r.schemaname, r.relname, r.relid, r.type, r.size_bytes, r.size,
		   coalesce(t.size_bytes, f.size_bytes),
		   greatest(coalesce(t.captured_at, f.captured_at), start_at),
		   r.size_bytes - coalesce(t.size_bytes, f.size_bytes),
		   pg_catalog.pg_size_pretty(r.size_bytes - coalesce(t.size_bytes, f.size_bytes))
	FROM @extschema@.relation_sizes r
		 LEFT JOIN then_ t ON t.relid = r.relid
		 LEFT JOIN first_ f ON f.relid = r.relid;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.space_growth(integer) IS
'Every relation of this database with its size now, its size days ago (or when first captured, if later) and the growth since';

CREATE FUNCTION @extschema@.relation_space_history(
	relation regclass,
	start_at timestamptz DEFAULT pg_catalog.now() - interval '30 days',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (captured_at timestamptz, size_bytes bigint, size text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	db oid := (SELECT d.oid FROM pg_catalog.pg_database d
			   WHERE d.datname = pg_catalog.current_database());
	gen integer := pghero_internal._generation();
BEGIN
	IF relation IS NULL THEN
		RAISE EXCEPTION 'relation must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass a table or index, e.g. relation_space_history(''public.orders'').';
	END IF;
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	-- the size in force at start_at, every change in the window, and now
	(SELECT greatest(h.captured_at, start_at), h.size_bytes, pg_catalog.pg_size_pretty(h.size_bytes)
	 FROM pghero_internal.space_history h
	 WHERE h.generation = gen AND h.relid = relation::oid AND h.captured_at <= start_at
	   AND h.datid = db
	 ORDER BY h.captured_at DESC LIMIT 1)
	UNION ALL
	(SELECT h.captured_at, h.size_bytes, pg_catalog.pg_size_pretty(h.size_bytes)
	 FROM pghero_internal.space_history h
	 WHERE h.generation = gen AND h.relid = relation::oid
	   AND h.captured_at > start_at AND h.captured_at < end_at
	   AND h.datid = db
	 ORDER BY h.captured_at)
	UNION ALL
	SELECT pg_catalog.now(), r.size_bytes, r.size
	FROM @extschema@.relation_sizes r
	WHERE r.relid = relation::oid AND end_at >= pg_catalog.now();
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.relation_space_history(regclass, timestamptz, timestamptz) IS
'Size of one relation over a window (default: the last 30 days): its size at the start, every change captured, and its size now';
