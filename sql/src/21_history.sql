/* sql/src/21_history.sql */

--------------------------------------------------------------------------
-- Reading history
--
-- Every reader merges the two tiers the same way (the history views), takes
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

-- Where each generation's raw rows of a history start: the first day of
-- its oldest raw partition (retention drops raw history a whole day at a
-- time, once rolled up), NULL when it has none left.  Read from the
-- catalog, so that finding it scans no history.
CREATE FUNCTION pghero_internal._raw_from(raw_table text)
RETURNS TABLE (generation integer, raw_from timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.substring(g.relname, '_g([0-9]+)$')::integer,
		   pg_catalog.min(pg_catalog.to_date(pg_catalog.right(l.relname, 8), 'YYYYMMDD')::timestamp
						  AT TIME ZONE 'UTC')
	FROM pg_catalog.pg_inherits i
		 JOIN pg_catalog.pg_class g ON g.oid = i.inhrelid
		 LEFT JOIN pg_catalog.pg_inherits j ON j.inhparent = g.oid
		 LEFT JOIN pg_catalog.pg_class l ON l.oid = j.inhrelid
	WHERE i.inhparent = pg_catalog.to_regclass(pg_catalog.format('pghero_internal.%I', $1))
	GROUP BY g.relname
$$;

COMMENT ON FUNCTION pghero_internal._raw_from(text) IS
'Per generation of a raw history table, the start of its oldest raw partition (internal)';

--------------------------------------------------------------------------
-- History views.  One row per bucket and identity, the two tiers merged
-- the same way for every history: raw rows wherever they are still kept
-- (bucket_start is the previous capture, bucket_end the capture; for an
-- identity seen for the first time, counted whole, both are its capture),
-- hourly
-- rows for the hours whose raw rows retention has dropped; no interval is
-- counted twice.  A client's WHERE bucket_start >= X reaches the tables: the
-- hourly tier is partitioned by bucket_start, and every raw partition
-- carries CHECK (coalesce(since, captured_at) < its upper bound), which
-- lets the planner skip the
-- older ones (constraint_exclusion = partition, the default).
--
-- The views read pghero's own tables only, never a user's: they cannot
-- hold up a user's statement.  The collector, the only session that takes
-- strong locks on those tables (retention dropping a partition), waits at
-- most lock_timeout = 1s for them and tries again at its next run.
--------------------------------------------------------------------------

-- The statements' buckets: counters per identity and bucket, tiers merged
-- (the base of query_stats_history and of the window functions)
CREATE VIEW pghero_internal._statement_buckets AS
SELECT r.bucket AS bucket_start, r.bucket + interval '1 hour' AS bucket_end,
	   'hourly'::text AS tier, r.generation, r.dbid, r.userid, r.queryid, r.toplevel,
	   r.calls, r.total_plan_time, r.total_exec_time, r.rows, r.shared_blks_hit,
	   r.shared_blks_read, r.temp_blks_read, r.temp_blks_written, r.lossy
FROM pghero_internal.statement_rollup r
	 LEFT JOIN pghero_internal._raw_from('statement_history') k ON k.generation = r.generation
WHERE k.raw_from IS NULL OR r.bucket < k.raw_from
UNION ALL
SELECT coalesce(h.since, h.captured_at), h.captured_at, 'raw', h.generation, h.dbid, h.userid, h.queryid, h.toplevel,
	   h.calls, h.total_plan_time, h.total_exec_time, h.rows, h.shared_blks_hit,
	   h.shared_blks_read, h.temp_blks_read, h.temp_blks_written, h.lossy
FROM pghero_internal.statement_history h;

COMMENT ON VIEW pghero_internal._statement_buckets IS
'Statement counters per identity and bucket, raw and hourly tiers merged (internal)';

CREATE VIEW @extschema@.query_stats_history AS
SELECT b.bucket_start, b.bucket_end, b.tier,
	   coalesce(nd.name, db.datname) AS database, coalesce(nr.name, ro.rolname) AS username,
	   b.dbid, b.userid, b.queryid, b.toplevel, t.query,
	   coalesce(b.calls, 0) AS calls,
	   pg_catalog.round((coalesce(b.total_plan_time, 0) + coalesce(b.total_exec_time, 0))::numeric, 3)::float8
		 AS total_time_ms,
	   pg_catalog.round(((coalesce(b.total_plan_time, 0) + coalesce(b.total_exec_time, 0))
						 / NULLIF(b.calls, 0))::numeric, 3)::float8 AS mean_time_ms,
	   coalesce(b.rows, 0) AS rows,
	   coalesce(b.shared_blks_hit, 0) AS shared_blks_hit,
	   coalesce(b.shared_blks_read, 0) AS shared_blks_read,
	   pg_catalog.round(100.0 * coalesce(b.shared_blks_hit, 0)
						/ NULLIF(coalesce(b.shared_blks_hit, 0) + coalesce(b.shared_blks_read, 0), 0), 2)
		 AS cache_hit_percent,
	   coalesce(b.temp_blks_read, 0) AS temp_blks_read,
	   coalesce(b.temp_blks_written, 0) AS temp_blks_written,
	   coalesce(b.lossy, false) AS lossy,
	   b.generation
FROM pghero_internal._statement_buckets b
	 CROSS JOIN pghero_internal.installation i
	 LEFT JOIN pghero_internal.query_texts t
		ON t.generation = b.generation AND t.dbid = b.dbid AND t.queryid = b.queryid
	 -- names as captured for the generation, or (this generation's objects
	 -- not captured yet) as they are now
	 LEFT JOIN pghero_internal.object_names nd
		ON nd.generation = b.generation AND nd.kind = 'database' AND nd.oid = b.dbid
	 LEFT JOIN pghero_internal.object_names nr
		ON nr.generation = b.generation AND nr.kind = 'role' AND nr.oid = b.userid
	 LEFT JOIN pg_catalog.pg_database db
		ON b.generation = i.generation AND db.oid = b.dbid
	 LEFT JOIN pg_catalog.pg_roles ro
		ON b.generation = i.generation AND ro.oid = b.userid;

COMMENT ON VIEW @extschema@.query_stats_history IS
'Statement history: per raw capture interval or hourly bucket and statement (user, database, queryid, nesting level), calls, time, rows and blocks; filter on bucket_start';

CREATE VIEW @extschema@.database_activity_history AS
SELECT x.bucket_start, x.bucket_end, x.tier, x.datname AS database, x.datid,
	   pg_catalog.round(x.seconds::numeric, 3)::float8 AS seconds,
	   pg_catalog.round(((coalesce(x.xact_commit, 0) + coalesce(x.xact_rollback, 0))
						 / NULLIF(x.seconds, 0))::numeric, 3)::float8 AS tps,
	   coalesce(x.xact_commit, 0) AS commits, coalesce(x.xact_rollback, 0) AS rollbacks,
	   pg_catalog.round(((coalesce(x.tup_returned, 0) + coalesce(x.tup_fetched, 0))
						 / NULLIF(x.seconds, 0))::numeric, 3)::float8 AS rows_read_per_second,
	   pg_catalog.round(((coalesce(x.tup_inserted, 0) + coalesce(x.tup_updated, 0)
						  + coalesce(x.tup_deleted, 0)) / NULLIF(x.seconds, 0))::numeric, 3)::float8
		 AS rows_written_per_second,
	   pg_catalog.round(100.0 * coalesce(x.blks_hit, 0)
						/ NULLIF(coalesce(x.blks_hit, 0) + coalesce(x.blks_read, 0), 0), 2)
		 AS cache_hit_percent,
	   coalesce(x.temp_bytes, 0) AS temp_bytes, coalesce(x.deadlocks, 0) AS deadlocks,
	   x.backends, coalesce(x.lossy, false) AS lossy, x.generation
FROM (SELECT r.bucket AS bucket_start, r.bucket + interval '1 hour' AS bucket_end,
			 'hourly'::text AS tier, r.datname, r.datid, r.seconds,
			 r.xact_commit, r.xact_rollback, r.blks_read, r.blks_hit,
			 r.tup_returned, r.tup_fetched, r.tup_inserted, r.tup_updated, r.tup_deleted,
			 r.temp_bytes, r.deadlocks, r.numbackends_max AS backends, r.lossy, r.generation
	  FROM pghero_internal.database_rollup r
		   LEFT JOIN pghero_internal._raw_from('database_history') k ON k.generation = r.generation
	  WHERE k.raw_from IS NULL OR r.bucket < k.raw_from
	  UNION ALL
	  SELECT coalesce(h.since, h.captured_at), h.captured_at, 'raw', h.datname, h.datid,
			 pg_catalog.date_part('epoch', h.captured_at - h.since),
			 h.xact_commit, h.xact_rollback, h.blks_read, h.blks_hit,
			 h.tup_returned, h.tup_fetched, h.tup_inserted, h.tup_updated, h.tup_deleted,
			 h.temp_bytes, h.deadlocks, h.numbackends, h.lossy, h.generation
	  FROM pghero_internal.database_history h) x;

COMMENT ON VIEW @extschema@.database_activity_history IS
'Database activity history: per raw capture interval or hourly bucket and database, transactions and rows per second, cache hit rate, temporary bytes, deadlocks; filter on bucket_start';

CREATE VIEW @extschema@.instance_activity_history AS
SELECT x.bucket_start, x.bucket_end, x.tier,
	   pg_catalog.round(x.seconds::numeric, 3)::float8 AS seconds,
	   coalesce(x.wal_bytes, 0) AS wal_bytes,
	   pg_catalog.round((coalesce(x.wal_bytes, 0) / NULLIF(x.seconds, 0)::numeric), 3) AS wal_bytes_per_second,
	   coalesce(x.checkpoints_timed, 0) AS checkpoints_timed,
	   coalesce(x.checkpoints_req, 0) AS checkpoints_requested,
	   coalesce(x.buffers_checkpoint, 0) AS buffers_checkpoint,
	   coalesce(x.buffers_clean, 0) AS buffers_clean,
	   coalesce(x.buffers_backend, 0) AS buffers_backend,
	   x.connections, x.active_connections, x.idle_connections,
	   x.idle_in_transaction_connections,
	   coalesce(x.lossy, false) AS lossy, x.generation
FROM (SELECT r.bucket AS bucket_start, r.bucket + interval '1 hour' AS bucket_end,
			 'hourly'::text AS tier, r.seconds, r.wal_bytes, r.checkpoints_timed,
			 r.checkpoints_req, r.buffers_checkpoint, r.buffers_clean, r.buffers_backend,
			 r.connections_max AS connections, NULL::integer AS active_connections,
			 NULL::integer AS idle_connections, NULL::integer AS idle_in_transaction_connections,
			 r.lossy, r.generation
	  FROM pghero_internal.instance_rollup r
		   LEFT JOIN pghero_internal._raw_from('instance_history') k ON k.generation = r.generation
	  WHERE k.raw_from IS NULL OR r.bucket < k.raw_from
	  UNION ALL
	  SELECT coalesce(h.since, h.captured_at), h.captured_at, 'raw', pg_catalog.date_part('epoch', h.captured_at - h.since),
			 h.wal_bytes, h.checkpoints_timed, h.checkpoints_req, h.buffers_checkpoint,
			 h.buffers_clean, h.buffers_backend, h.connections, h.active_connections,
			 h.idle_connections, h.idle_in_transaction_connections, h.lossy, h.generation
	  FROM pghero_internal.instance_history h) x;

COMMENT ON VIEW @extschema@.instance_activity_history IS
'Instance activity history: per raw capture interval or hourly bucket, WAL written, checkpoints, buffers written and client connections (hourly: the most connections seen); filter on bucket_start';

CREATE VIEW @extschema@.io_activity_history AS
SELECT x.bucket_start, x.bucket_end, x.tier,
	   pg_catalog.round(x.seconds::numeric, 3)::float8 AS seconds,
	   x.backend_type, x.object, x.context,
	   coalesce(x.reads, 0) AS reads, coalesce(x.read_bytes, 0) AS read_bytes,
	   pg_catalog.round(coalesce(x.read_time, 0)::numeric, 3)::float8 AS read_time_ms,
	   coalesce(x.writes, 0) AS writes, coalesce(x.write_bytes, 0) AS write_bytes,
	   pg_catalog.round(coalesce(x.write_time, 0)::numeric, 3)::float8 AS write_time_ms,
	   coalesce(x.writebacks, 0) AS writebacks, coalesce(x.extends, 0) AS extends,
	   coalesce(x.extend_bytes, 0) AS extend_bytes, coalesce(x.hits, 0) AS hits,
	   coalesce(x.evictions, 0) AS evictions, coalesce(x.reuses, 0) AS reuses,
	   coalesce(x.fsyncs, 0) AS fsyncs,
	   pg_catalog.round(coalesce(x.fsync_time, 0)::numeric, 3)::float8 AS fsync_time_ms,
	   coalesce(x.lossy, false) AS lossy, x.generation
FROM (SELECT r.bucket AS bucket_start, r.bucket + interval '1 hour' AS bucket_end,
			 'hourly'::text AS tier, r.seconds, r.backend_type, r.object, r.context,
			 r.reads, r.read_bytes, r.read_time, r.writes, r.write_bytes, r.write_time,
			 r.writebacks, r.extends, r.extend_bytes, r.hits, r.evictions, r.reuses,
			 r.fsyncs, r.fsync_time, r.lossy, r.generation
	  FROM pghero_internal.io_rollup r
		   LEFT JOIN pghero_internal._raw_from('io_history') k ON k.generation = r.generation
	  WHERE k.raw_from IS NULL OR r.bucket < k.raw_from
	  UNION ALL
	  SELECT coalesce(h.since, h.captured_at), h.captured_at, 'raw', pg_catalog.date_part('epoch', h.captured_at - h.since),
			 h.backend_type, h.object, h.context,
			 h.reads, h.read_bytes, h.read_time, h.writes, h.write_bytes, h.write_time,
			 h.writebacks, h.extends, h.extend_bytes, h.hits, h.evictions, h.reuses,
			 h.fsyncs, h.fsync_time, h.lossy, h.generation
	  FROM pghero_internal.io_history h) x;

COMMENT ON VIEW @extschema@.io_activity_history IS
'I/O history from pg_stat_io (PostgreSQL 16 and later; empty before): per raw capture interval or hourly bucket and backend type, object and context, operations, bytes and times; filter on bucket_start';

-- The host (1.3): raw rows only, one per capture (no hourly tier)
CREATE VIEW @extschema@.host_history AS
SELECT coalesce(h.since, h.captured_at) AS bucket_start, h.captured_at AS bucket_end,
	   'raw'::text AS tier,
	   pg_catalog.round(pg_catalog.date_part('epoch', h.captured_at - h.since)::numeric, 3)::float8 AS seconds,
	   h.figures_from, h.booted_at, h.cpu_count, h.cpu_limit,
	   pg_catalog.round(h.cpu_busy_percent::numeric, 2) AS cpu_busy_percent,
	   h.load_1, h.load_5, h.load_15,
	   h.memory_total_bytes, h.memory_available_bytes, h.swap_total_bytes, h.swap_used_bytes,
	   h.swap_in_per_second, h.swap_out_per_second, h.disk_device,
	   h.disk_reads_per_second, h.disk_writes_per_second,
	   h.disk_read_bytes_per_second, h.disk_write_bytes_per_second,
	   pg_catalog.round(h.disk_utilisation_percent::numeric, 2) AS disk_utilisation_percent,
	   h.unavailable, coalesce(h.lossy, false) AS lossy, h.generation
FROM pghero_internal.host_history h;

COMMENT ON VIEW @extschema@.host_history IS
'Host history (1.3): per capture interval, CPU busy percent, load, memory, swap and the disk of the data directory, from /proc and cgroup v2; filter on bucket_start';

-- Sizes are measured at an instant: bucket_start = bucket_end = when
CREATE VIEW @extschema@.relation_size_history AS
SELECT h.captured_at AS bucket_start, h.captured_at AS bucket_end,
	   h.schemaname, h.relname, h.relid, h.kind, h.size_bytes, h.generation
FROM pghero_internal.space_history h
	 JOIN pg_catalog.pg_database d ON d.datname = pg_catalog.current_database()
WHERE h.relid IS NOT NULL AND h.datid = d.oid;

COMMENT ON VIEW @extschema@.relation_size_history IS
'Size history of the relations of this database: a row for each size captured that differs from the one before (and a daily keyframe); bucket_start = bucket_end = when it was measured';

CREATE VIEW @extschema@.database_size_history AS
SELECT h.captured_at AS bucket_start, h.captured_at AS bucket_end,
	   h.relname AS database, h.datid, h.size_bytes, h.generation
FROM pghero_internal.space_history h
WHERE h.relid IS NULL;

COMMENT ON VIEW @extschema@.database_size_history IS
'Size history of every database of the cluster: a row for each size captured that differs from the one before (and a daily keyframe); bucket_start = bucket_end = when it was measured';

CREATE VIEW @extschema@.collector_runs AS
SELECT r.started_at AS bucket_start, r.finished_at AS bucket_end, r.source, r.succeeded,
	   pg_catalog.round((pg_catalog.date_part('epoch', r.finished_at - r.started_at) * 1000)::numeric, 3)::float8
		 AS duration_ms,
	   r.rows_written, r.error, r.note, r.generation
FROM pghero_internal.collector_runs r;

COMMENT ON VIEW @extschema@.collector_runs IS
'Every run of every capture source, kept for pghero.history_retention: when it started and ended, rows written, error or note; filter on bucket_start';

--------------------------------------------------------------------------
-- Window functions: conveniences over the views above, for a window
-- [start_at, end_at) of bucket_start; the statement readers add what
-- pg_stat_statements counted since the last capture when the window
-- reaches now (the uncaptured tail).  Each waits at most 100ms for a lock
-- and then says so.
--------------------------------------------------------------------------

-- Why the statements of a window are lossy: the notes of its lossy
-- captures, per generation, and whether one of them counted nothing (then
-- every statement of the window is lossy)
CREATE FUNCTION pghero_internal._statement_losses(start_at timestamptz, end_at timestamptz)
RETURNS TABLE (generation integer, all_lossy boolean, reason text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.generation,
		   pg_catalog.bool_or(c.moved = 0 AND c.since IS NOT NULL),
		   pg_catalog.string_agg(DISTINCT c.note, '; ')
	FROM pghero_internal.statement_captures c
	WHERE c.lossy AND coalesce(c.since, c.captured_at) >= $1
	  AND coalesce(c.since, c.captured_at) < $2
	GROUP BY c.generation
$$;

COMMENT ON FUNCTION pghero_internal._statement_losses(timestamptz, timestamptz) IS
'Per generation, the lossy statement captures of a window: their notes and whether one counted nothing (internal)';

-- The change of every statement identity over a window: its buckets, plus
-- the uncaptured tail when the window reaches now.  Read only through the
-- two readers below, into whose queries the planner inlines it (SQL, not
-- SECURITY DEFINER, no SET): their GROUP BY or their statement then runs
-- on the scans of the history, not on a copy of every bucket of the window
-- (a day at a 1-minute interval is 1,440 rows per statement).  Owner-only;
-- its callers pin search_path, and its operators are qualified.
CREATE FUNCTION pghero_internal._statement_window_rows(start_at timestamptz, end_at timestamptz)
RETURNS TABLE (generation integer, dbid oid, userid oid, queryid bigint, toplevel boolean,
			   bucket_start timestamptz, bucket_end timestamptz, tier text, calls bigint,
			   total_time_ms float8, rows bigint, shared_blks_hit bigint,
			   shared_blks_read bigint, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean)
LANGUAGE sql STABLE
AS $$
	SELECT b.generation, b.dbid, b.userid, b.queryid, b.toplevel, b.bucket_start, b.bucket_end,
		   b.tier, b.calls,
		   coalesce(b.total_plan_time, 0) OPERATOR(pg_catalog.+) coalesce(b.total_exec_time, 0),
		   b.rows, b.shared_blks_hit, b.shared_blks_read, b.temp_blks_read,
		   b.temp_blks_written, b.lossy
	FROM pghero_internal._statement_buckets b
	WHERE b.bucket_start OPERATOR(pg_catalog.>=) $1 AND b.bucket_start OPERATOR(pg_catalog.<) $2
	  -- implied (a bucket ends after it starts), and on the raw tier's
	  -- partition key: lets the executor skip partitions for any $1
	  AND b.bucket_end OPERATOR(pg_catalog.>=) $1
	UNION ALL
	-- the tail not captured yet
	SELECT i.generation, s.dbid, s.userid, s.queryid, s.toplevel,
		   sb.captured_at, pg_catalog.now(), 'current', s.calls OPERATOR(pg_catalog.-) b.calls,
		   (s.total_plan_time OPERATOR(pg_catalog.+) s.total_exec_time)
			 OPERATOR(pg_catalog.-) (b.total_plan_time OPERATOR(pg_catalog.+) b.total_exec_time),
		   s.rows OPERATOR(pg_catalog.-) b.rows,
		   s.shared_blks_hit OPERATOR(pg_catalog.-) b.shared_blks_hit,
		   s.shared_blks_read OPERATOR(pg_catalog.-) b.shared_blks_read,
		   s.temp_blks_read OPERATOR(pg_catalog.-) b.temp_blks_read,
		   s.temp_blks_written OPERATOR(pg_catalog.-) b.temp_blks_written,
		   NULL::boolean
	FROM pghero_internal._pgss_statements(false) s
		 JOIN pghero_internal.statement_baseline b
			ON b.dbid OPERATOR(pg_catalog.=) s.dbid AND b.userid OPERATOR(pg_catalog.=) s.userid
		   AND b.queryid OPERATOR(pg_catalog.=) s.queryid
		   AND b.toplevel OPERATOR(pg_catalog.=) s.toplevel
		 CROSS JOIN pghero_internal.installation i
		 LEFT JOIN pghero_internal.source_baseline sb ON sb.source OPERATOR(pg_catalog.=) 'statements'
	WHERE $2 OPERATOR(pg_catalog.>=) pg_catalog.now()
	  AND s.calls OPERATOR(pg_catalog.>) b.calls
$$;

COMMENT ON FUNCTION pghero_internal._statement_window_rows(timestamptz, timestamptz) IS
'Per identity and bucket, the changes of the statement counters within a window of bucket_start, and the uncaptured tail when the window reaches now; inlined into _statement_window and _statement_totals (internal)';

-- The buckets of one statement over a window (query_history)
CREATE FUNCTION pghero_internal._statement_window(start_at timestamptz, end_at timestamptz,
												  statement bigint)
RETURNS TABLE (generation integer, dbid oid, userid oid, queryid bigint, toplevel boolean,
			   bucket_start timestamptz, bucket_end timestamptz, tier text, calls bigint,
			   total_time_ms float8, rows bigint, shared_blks_hit bigint,
			   shared_blks_read bigint, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT w.* FROM pghero_internal._statement_window_rows($1, $2) w WHERE w.queryid = $3
$$;

-- Every statement identity's change over a window, summed
-- (query_stats_between).  The same sums as _statement_window_rows' rows,
-- read from fewer rows: the whole hours [mid_lo, mid_hi) of the window
-- whose raw rows this generation has rolled up, and all of whose raw rows
-- the window counts, are read from their hourly rows (one per statement and
-- hour rather than one per capture); the other rows of the window are read
-- as _statement_window_rows has them.  A raw row's hour is that of its
-- capture (captured_at, its bucket_end), which is what rollups sum; the
-- window counts a raw row whose bucket_start is in it.  So mid_lo is the
-- first hour that starts at or after the first capture whose interval
-- started in the window (every later one starts in it too), and mid_hi the
-- start of the hour of the last capture whose interval started before
-- end_at, but no later than end_at's hour and the end of the rolled-up
-- hours (statement_captures, one row per capture, finds both captures).
-- Other generations (restored history) are read as _statement_window_rows
-- has them.
CREATE FUNCTION pghero_internal._statement_totals(start_at timestamptz, end_at timestamptz)
RETURNS TABLE (generation integer, dbid oid, userid oid, queryid bigint, calls bigint,
			   total_time_ms float8, rows bigint, shared_blks_hit bigint,
			   shared_blks_read bigint, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	gen integer := pghero_internal._generation();
	first_in timestamptz;
	last_in timestamptz;
	mid_lo timestamptz;
	mid_hi timestamptz;
BEGIN
	SELECT c.captured_at INTO first_in
	FROM pghero_internal.statement_captures c
	WHERE c.generation = gen AND coalesce(c.since, c.captured_at) >= start_at
	ORDER BY c.captured_at LIMIT 1;
	SELECT c.captured_at INTO last_in
	FROM pghero_internal.statement_captures c
	WHERE c.generation = gen AND coalesce(c.since, c.captured_at) < end_at
	ORDER BY c.captured_at DESC LIMIT 1;
	mid_lo := pg_catalog.date_trunc('hour', first_in)
		+ CASE WHEN first_in > pg_catalog.date_trunc('hour', first_in) THEN interval '1 hour' ELSE interval '0' END;
	SELECT least(pg_catalog.date_trunc('hour', last_in), pg_catalog.date_trunc('hour', end_at),
				 p.rolled_up_until)
	INTO mid_hi
	FROM pghero_internal.rollup_progress p
	WHERE p.history = 'statement_history' AND p.generation = gen;
	IF NOT coalesce(mid_lo < mid_hi, false) THEN
		-- no such hour: every row as _statement_window_rows has it
		mid_lo := start_at;
		mid_hi := start_at;
	END IF;

	RETURN QUERY
	SELECT w.generation, w.dbid, w.userid, w.queryid,
		   pg_catalog.sum(w.calls)::bigint,
		   pg_catalog.sum(w.total_time_ms),
		   pg_catalog.sum(w.rows)::bigint,
		   pg_catalog.sum(w.shared_blks_hit)::bigint,
		   pg_catalog.sum(w.shared_blks_read)::bigint,
		   pg_catalog.sum(w.temp_blks_read)::bigint,
		   pg_catalog.sum(w.temp_blks_written)::bigint,
		   pg_catalog.bool_or(coalesce(w.lossy, false))
	FROM (
		-- this generation's whole hours [mid_lo, mid_hi)
		SELECT r.generation, r.dbid, r.userid, r.queryid, r.calls,
			   coalesce(r.total_plan_time, 0) + coalesce(r.total_exec_time, 0) AS total_time_ms,
			   r.rows, r.shared_blks_hit, r.shared_blks_read, r.temp_blks_read,
			   r.temp_blks_written, r.lossy
		FROM pghero_internal.statement_rollup r
		WHERE r.generation = gen AND r.bucket >= mid_lo AND r.bucket < mid_hi
		UNION ALL
		-- the rest: other generations and the uncaptured tail, and this
		-- generation's rows outside those hours (two branches, so that a
		-- scan of this generation's raw rows is two ranges of captured_at,
		-- which the partitions' BRIN index finds)
		SELECT x.generation, x.dbid, x.userid, x.queryid, x.calls, x.total_time_ms, x.rows,
			   x.shared_blks_hit, x.shared_blks_read, x.temp_blks_read, x.temp_blks_written,
			   x.lossy
		FROM pghero_internal._statement_window_rows(start_at, end_at) x
		WHERE x.generation <> gen OR x.tier = 'current'
		UNION ALL
		SELECT x.generation, x.dbid, x.userid, x.queryid, x.calls, x.total_time_ms, x.rows,
			   x.shared_blks_hit, x.shared_blks_read, x.temp_blks_read, x.temp_blks_written,
			   x.lossy
		FROM pghero_internal._statement_window_rows(start_at, end_at) x
		WHERE x.generation = gen
		  AND ((x.tier = 'raw' AND (x.bucket_end < mid_lo OR x.bucket_end >= mid_hi))
			   OR (x.tier = 'hourly' AND (x.bucket_start < mid_lo OR x.bucket_start >= mid_hi)))) w
	GROUP BY w.generation, w.dbid, w.userid, w.queryid;
END
$$;

COMMENT ON FUNCTION pghero_internal._statement_window(timestamptz, timestamptz, bigint) IS
'Per identity and bucket, the changes of one statement''s counters within a window of bucket_start, and its uncaptured tail when the window reaches now (internal)';

COMMENT ON FUNCTION pghero_internal._statement_totals(timestamptz, timestamptz) IS
'Per identity, the changes of the statement counters summed over a window of bucket_start, with the uncaptured tail when the window reaches now (internal)';

CREATE FUNCTION @extschema@.query_stats_between(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, username name, dbid oid, userid oid, queryid bigint,
			   query text, calls bigint, total_time text, total_time_ms float8,
			   mean_time text, mean_time_ms float8, rows bigint,
			   percent_of_total numeric, shared_blks_hit bigint, shared_blks_read bigint,
			   cache_hit_percent numeric, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean, lossy_reason text, generation integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	WITH s AS (
		SELECT d.generation, d.dbid, d.userid, d.queryid, d.calls, d.total_time_ms AS total_ms,
			   d.rows, d.shared_blks_hit, d.shared_blks_read, d.temp_blks_read,
			   d.temp_blks_written, d.lossy
		FROM pghero_internal._statement_totals(start_at, end_at) d),
	l AS (SELECT * FROM pghero_internal._statement_losses(start_at, end_at))
	SELECT coalesce(nd.name, db.datname), coalesce(nr.name, r.rolname),
		   s.dbid, s.userid, s.queryid, t.query, s.calls,
		   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => s.total_ms / 1000))::text,
		   pg_catalog.round(s.total_ms::numeric, 3)::float8,
		   pg_catalog.date_trunc('milliseconds',
			   pg_catalog.make_interval(secs => s.total_ms / NULLIF(s.calls, 0) / 1000))::text,
		   pg_catalog.round((s.total_ms / NULLIF(s.calls, 0))::numeric, 3)::float8,
		   coalesce(s.rows, 0),
		   pg_catalog.round((100 * s.total_ms / NULLIF(pg_catalog.sum(s.total_ms) OVER (), 0))::numeric, 2),
		   coalesce(s.shared_blks_hit, 0),
		   coalesce(s.shared_blks_read, 0),
		   pg_catalog.round(100.0 * coalesce(s.shared_blks_hit, 0)
							/ NULLIF(coalesce(s.shared_blks_hit, 0) + coalesce(s.shared_blks_read, 0), 0), 2),
		   coalesce(s.temp_blks_read, 0),
		   coalesce(s.temp_blks_written, 0),
		   s.lossy OR coalesce(l.all_lossy, false),
		   CASE WHEN s.lossy OR l.all_lossy
				THEN coalesce(l.reason, 'the statement''s pg_stat_statements entry was reset or evicted and made again: counts are a lower bound')
		   END,
		   s.generation
	FROM s
		 CROSS JOIN pghero_internal.installation i
		 LEFT JOIN l ON l.generation = s.generation
		 LEFT JOIN pghero_internal.query_texts t
			ON t.generation = s.generation AND t.dbid = s.dbid AND t.queryid = s.queryid
		 LEFT JOIN pghero_internal.object_names nd
			ON nd.generation = s.generation AND nd.kind = 'database' AND nd.oid = s.dbid
		 LEFT JOIN pghero_internal.object_names nr
			ON nr.generation = s.generation AND nr.kind = 'role' AND nr.oid = s.userid
		 LEFT JOIN pg_catalog.pg_database db
			ON s.generation = i.generation AND db.oid = s.dbid
		 LEFT JOIN pg_catalog.pg_roles r
			ON s.generation = i.generation AND r.oid = s.userid
	WHERE s.calls > 0;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.query_stats_between(timestamptz, timestamptz) IS
'The statements of query_stats_history summed over a window [start_at, end_at) of bucket_start (default: the last 24 hours), with the columns of the query_stats view, including what was not captured yet when the window reaches now; lossy, with the reason, when an interval in it lost data';

CREATE FUNCTION @extschema@.slow_queries_between(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, username name, dbid oid, userid oid, queryid bigint,
			   query text, calls bigint, total_time text, total_time_ms float8,
			   mean_time text, mean_time_ms float8, rows bigint,
			   percent_of_total numeric, shared_blks_hit bigint, shared_blks_read bigint,
			   cache_hit_percent numeric, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean, lossy_reason text, generation integer)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT q.*
	FROM @extschema@.query_stats_between($1, $2) q, @extschema@.config() c
	WHERE q.calls >= c.slow_query_calls
	  AND q.total_time_ms / q.calls >= c.slow_query_ms
$$;

COMMENT ON FUNCTION @extschema@.slow_queries_between(timestamptz, timestamptz) IS
'query_stats_between(start_at, end_at) for the statements called at least pghero.slow_query_calls times with a mean time of at least pghero.slow_query_ms';

-- One row per bucket of one statement (all users and nesting levels
-- summed), plus the uncaptured tail when the window reaches now
CREATE FUNCTION @extschema@.query_history(
	queryid bigint,
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, tier text, calls bigint,
			   total_time text, total_time_ms float8, mean_time_ms float8,
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
				  HINT = 'Pass a queryid from pghero.query_stats or pghero.query_stats_history.';
	END IF;
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT x.bucket_start, x.bucket_end, x.tier, pg_catalog.sum(x.calls)::bigint,
		   pg_catalog.date_trunc('milliseconds',
			   pg_catalog.make_interval(secs => pg_catalog.sum(x.total_time_ms) / 1000))::text,
		   pg_catalog.round(pg_catalog.sum(x.total_time_ms)::numeric, 3)::float8,
		   pg_catalog.round((pg_catalog.sum(x.total_time_ms) / NULLIF(pg_catalog.sum(x.calls), 0))::numeric, 3)::float8,
		   coalesce(pg_catalog.sum(x.rows), 0)::bigint,
		   coalesce(pg_catalog.sum(x.shared_blks_hit), 0)::bigint,
		   coalesce(pg_catalog.sum(x.shared_blks_read), 0)::bigint,
		   pg_catalog.bool_or(coalesce(x.lossy, false)),
		   x.generation
	FROM pghero_internal._statement_window(start_at, end_at, qid) x
	GROUP BY x.generation, x.bucket_start, x.bucket_end, x.tier
	HAVING pg_catalog.sum(x.calls) > 0
	ORDER BY x.bucket_start, x.bucket_end, x.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.query_history(bigint, timestamptz, timestamptz) IS
'One statement over time: one row per bucket of query_stats_history (users and nesting levels summed) with calls, total and mean time, rows and blocks (default: the last 24 hours)';

CREATE FUNCTION @extschema@.database_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF @extschema@.database_activity_history
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT * FROM @extschema@.database_activity_history h
	WHERE h.bucket_start >= start_at AND h.bucket_start < end_at
	  AND h.bucket_end >= start_at	-- implied; prunes raw partitions
	ORDER BY h.database, h.bucket_start, h.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.database_activity(timestamptz, timestamptz) IS
'database_activity_history over a window [start_at, end_at) of bucket_start (default: the last 24 hours)';

CREATE FUNCTION @extschema@.instance_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF @extschema@.instance_activity_history
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT * FROM @extschema@.instance_activity_history h
	WHERE h.bucket_start >= start_at AND h.bucket_start < end_at
	  AND h.bucket_end >= start_at	-- implied; prunes raw partitions
	ORDER BY h.bucket_start, h.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.instance_activity(timestamptz, timestamptz) IS
'instance_activity_history over a window [start_at, end_at) of bucket_start (default: the last 24 hours)';

CREATE FUNCTION @extschema@.io_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF @extschema@.io_activity_history
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT * FROM @extschema@.io_activity_history h
	WHERE h.bucket_start >= start_at AND h.bucket_start < end_at
	  AND h.bucket_end >= start_at	-- implied; prunes raw partitions
	ORDER BY h.bucket_start, h.backend_type, h.object, h.context, h.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.io_activity(timestamptz, timestamptz) IS
'io_activity_history over a window [start_at, end_at) of bucket_start (PostgreSQL 16 and later; default: the last 24 hours)';

CREATE FUNCTION @extschema@.host_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF @extschema@.host_history
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT * FROM @extschema@.host_history h
	WHERE h.bucket_start >= start_at AND h.bucket_start < end_at
	  AND h.bucket_end >= start_at	-- implied; prunes raw partitions
	ORDER BY h.bucket_start, h.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.host_activity(timestamptz, timestamptz) IS
'host_history over a window [start_at, end_at) of bucket_start (default: the last 24 hours)';

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
		SELECT DISTINCT ON (h.relid) h.relid, h.size_bytes, h.bucket_start AS captured_at
		FROM @extschema@.relation_size_history h
		WHERE h.generation = gen AND h.bucket_start <= start_at
		ORDER BY h.relid, h.bucket_start DESC),
	first_ AS (
		SELECT DISTINCT ON (h.relid) h.relid, h.size_bytes, h.bucket_start AS captured_at
		FROM @extschema@.relation_size_history h
		WHERE h.generation = gen AND h.bucket_start > start_at
		ORDER BY h.relid, h.bucket_start)
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
	(SELECT greatest(h.bucket_start, start_at), h.size_bytes, pg_catalog.pg_size_pretty(h.size_bytes)
	 FROM @extschema@.relation_size_history h
	 WHERE h.generation = gen AND h.relid = relation::oid AND h.bucket_start <= start_at
	 ORDER BY h.bucket_start DESC LIMIT 1)
	UNION ALL
	(SELECT h.bucket_start, h.size_bytes, pg_catalog.pg_size_pretty(h.size_bytes)
	 FROM @extschema@.relation_size_history h
	 WHERE h.generation = gen AND h.relid = relation::oid
	   AND h.bucket_start > start_at AND h.bucket_start < end_at
	 ORDER BY h.bucket_start)
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
