/* sql/src/20_collector.sql */

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
