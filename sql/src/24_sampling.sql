/* sql/src/24_sampling.sql */

--------------------------------------------------------------------------
-- Activity sampling (src/sampler.c): what sessions did between captures,
-- from samples the collector takes every pghero.activity_sample_interval
-- without any hook in the sessions; see sql/src/03_tables_1.3.sql for the
-- tables.
--------------------------------------------------------------------------

-- The activity capture source: a run function in C, called through the
-- registry like the others
CREATE FUNCTION pghero_internal._capture_activity(OUT written bigint, OUT note text)
AS 'MODULE_PATHNAME', 'pghero_capture_activity'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._capture_activity() IS
'Run the activity source: write the samples counted in shared memory since the last capture, and the long-running and blocked sessions seen (internal)';

CREATE FUNCTION pghero_internal._activity_sample()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pghero_activity_sample_now'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._activity_sample() IS
'Take one sample of every session now, as the collector does every pghero.activity_sample_interval; false when pghero is not preloaded (internal; for tests)';

-- One row per bucket (the time between two captures) and (database, user,
-- application, state, wait event, queryid) seen in it
CREATE VIEW @extschema@.activity_history AS
SELECT h.since AS bucket_start,
	   h.captured_at AS bucket_end,
	   pg_catalog.round(pg_catalog.date_part('epoch', h.captured_at - h.since)::numeric, 3)::float8 AS seconds,
	   h.datname AS database,
	   h.username,
	   h.application_name,
	   h.state,
	   h.wait_event_type,
	   h.wait_event,
	   h.queryid,
	   h.samples,
	   b.ticks,
	   (h.samples::float8 / b.ticks) AS average_sessions,
	   b.lossy,
	   h.dbid,
	   h.userid,
	   h.generation
FROM pghero_internal.activity_history h
	 JOIN pghero_internal.activity_buckets b
		ON b.generation = h.generation AND b.captured_at = h.captured_at;

COMMENT ON VIEW @extschema@.activity_history IS
'Sampled activity: per bucket (between two captures) and database, user, application, state, wait event and queryid, how many samples saw a session so, and the average number of such sessions; filter on bucket_start';

CREATE VIEW @extschema@.session_log AS
SELECT l.pid,
	   l.backend_start,
	   l.datname AS database,
	   l.username,
	   l.application_name,
	   l.query,
	   l.query_start AS started_at,
	   l.first_seen,
	   l.last_seen,
	   pg_catalog.date_trunc('milliseconds', l.longest_duration)::text AS longest_duration,
	   pg_catalog.round(pg_catalog.extract('epoch', l.longest_duration) * 1000, 3)::float8 AS longest_duration_ms,
	   l.long_running,
	   l.blocked,
	   coalesce(l.blocked_by, '{}') AS blocked_by,
	   l.state,
	   l.wait_event_type,
	   l.wait_event,
	   l.queryid,
	   l.dbid,
	   l.userid,
	   l.generation
FROM pghero_internal.session_log l;

COMMENT ON VIEW @extschema@.session_log IS
'Long-running (pghero.long_running_query_sec) and blocked sessions seen by the sampler, one row per statement (pid, backend_start, started_at) however often seen: longest duration observed, who blocked it; passwords redacted';

-- The top waits of active sessions over a window of bucket_start: samples
-- of an active session that waits on nothing are counted as CPU
CREATE FUNCTION @extschema@.wait_events(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '1 hour',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (wait_event_type text, wait_event text, samples bigint,
			   average_active_sessions float8, share_percent float8,
			   lossy boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	WITH b AS (
		SELECT pg_catalog.sum(b.ticks) AS ticks, pg_catalog.bool_or(b.lossy) AS lossy
		FROM pghero_internal.activity_buckets b
		WHERE b.since >= start_at AND b.since < end_at),
	w AS (
		SELECT coalesce(h.wait_event_type, 'CPU') AS wait_event_type,
			   coalesce(h.wait_event, 'CPU') AS wait_event,
			   pg_catalog.sum(h.samples)::bigint AS samples
		FROM pghero_internal.activity_history h
		WHERE h.since >= start_at AND h.since < end_at
		  AND h.captured_at >= start_at	-- implied; prunes partitions
		  AND h.state = 'active'
		GROUP BY 1, 2)
	SELECT w.wait_event_type, w.wait_event, w.samples,
		   w.samples::float8 / b.ticks,
		   (100.0 * w.samples / pg_catalog.sum(w.samples) OVER ())::float8,
		   b.lossy
	FROM w CROSS JOIN b
	ORDER BY w.samples DESC, w.wait_event_type COLLATE "C", w.wait_event COLLATE "C";
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.wait_events(timestamptz, timestamptz) IS
'Top waits of active sessions over a window [start_at, end_at) of bucket_start (default: the last hour): samples, average active sessions and share; an active session waiting on nothing is CPU';

-- Average sessions per bucket and state over a window of bucket_start:
-- every bucket has a row for every state seen in the window (0 when none)
CREATE FUNCTION @extschema@.active_sessions(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '1 hour',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, state text,
			   samples bigint, average_sessions float8, lossy boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	WITH b AS (
		SELECT b.since, b.captured_at, b.ticks, b.lossy, b.generation
		FROM pghero_internal.activity_buckets b
		WHERE b.since >= start_at AND b.since < end_at),
	h AS (
		SELECT h.generation, h.captured_at, h.state, pg_catalog.sum(h.samples)::bigint AS samples
		FROM pghero_internal.activity_history h
		WHERE h.since >= start_at AND h.since < end_at
		  AND h.captured_at >= start_at	-- implied; prunes partitions
		GROUP BY 1, 2, 3),
	s AS (SELECT DISTINCT h.state FROM h)
	SELECT b.since, b.captured_at, s.state, coalesce(h.samples, 0)::bigint,
		   coalesce(h.samples, 0)::float8 / b.ticks, b.lossy
	FROM b CROSS JOIN s
		 LEFT JOIN h ON h.generation = b.generation AND h.captured_at = b.captured_at
					AND h.state = s.state
	ORDER BY b.since, b.generation, s.state COLLATE "C";
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.active_sessions(timestamptz, timestamptz) IS
'Average number of sessions per bucket and state over a window [start_at, end_at) of bucket_start (default: the last hour), from the samples';
