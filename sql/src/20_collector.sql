/* sql/src/20_collector.sql */

--------------------------------------------------------------------------
-- The collector
--
-- A background worker (src/collector.c) runs each source of the registry
-- (collector_sources) on a fixed-rate schedule, each call to _run_source()
-- in its own short transaction.  The capture logic lives here, in
-- functions the tests call directly through pghero.capture().
--
-- Deltas: each source keeps the cumulative counters it last read in an
-- UNLOGGED baseline table, so that updating it writes no WAL.  A history
-- row holds the change since the previous capture of the same identity,
-- by one rule (_delta): the difference with the baseline, or the whole
-- value when the identity is new or its counters started again (a reset,
-- an eviction, a crash); zero changes are stored as NULL (they cost a bit,
-- not eight bytes).  A clean restart keeps both the baseline and the
-- server's statistics; a crash empties both (pg_stat_statements keeps no
-- file after a crash).  After an immediate shutdown pg_stat_statements
-- keeps its counters while recovery empties the baseline: that one
-- interval is then not counted, and the capture says so (lossy, with a
-- note), rather than counting it twice; the history readers show every
-- statement of a window holding such a capture as lossy, with the reason.
--
-- Storage: history tables are partitioned by generation (the installation
-- that wrote the rows, see sql/src/01_tables.sql), then by day.  Raw rows
-- are rolled up into hourly rows; retention drops whole partitions (raw
-- after pghero.raw_retention, once rolled up; hourly after
-- pghero.history_retention).  Readers combine both tiers (the history views, 21_history.sql).
--------------------------------------------------------------------------

-- The generation this installation writes under
CREATE FUNCTION pghero_internal._generation()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.generation FROM pghero_internal.installation i
$$;

COMMENT ON FUNCTION pghero_internal._generation() IS
'The generation this installation of pghero writes its history under (internal)';

-- The one delta rule: the change of a cumulative counter since its
-- baseline, or its whole value when it started again; NULL for no change.
-- Unlike every other function it has no SET search_path, so that the
-- planner inlines it (a capture calls it once per counter and moved row:
-- a call that is not inlined costs ten times the capture).  It is
-- owner-only, called only by pghero's own functions, which pin their
-- search_path, and its operators are qualified.
CREATE FUNCTION pghero_internal._delta(cur anycompatible, base anycompatible, whole boolean)
RETURNS anycompatible
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT NULLIF(cur OPERATOR(pg_catalog.-) CASE WHEN whole THEN 0 ELSE base END, 0)
$$;

COMMENT ON FUNCTION pghero_internal._delta(anycompatible, anycompatible, boolean) IS
'Change of a cumulative counter: current minus baseline, or the whole current value when it started again; NULL when nothing changed (internal)';

-- The statement counters: the columns of statement_history that are not
-- keys, in table order ("extreme" for min/max_exec_time, which are not
-- cumulative)
CREATE FUNCTION pghero_internal._statement_counters(OUT name text, OUT extreme boolean)
RETURNS SETOF record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.attname::text, a.attname::text ~ '^(min|max)_'
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid OPERATOR(pg_catalog.=) 'pghero_internal.statement_history'::pg_catalog.regclass
	  AND a.attnum OPERATOR(pg_catalog.>) 0
	  AND NOT a.attisdropped
	  AND a.attname::text NOT IN ('captured_at', 'since', 'dbid', 'userid', 'queryid',
								  'toplevel', 'lossy', 'generation')
	ORDER BY a.attnum
$$;

COMMENT ON FUNCTION pghero_internal._statement_counters() IS
'The statement counters, as the columns of statement_history define them; extreme for the min/max columns (internal)';

--------------------------------------------------------------------------
-- Partitions
--------------------------------------------------------------------------

-- A partition says what it holds, for whoever browses schema
-- pghero_internal: its table, generation and (a daily one) day
CREATE FUNCTION pghero_internal._comment_partition(part regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	root text;
	gen text;
	day text;
BEGIN
	SELECT pc.relname INTO root
	FROM pg_catalog.pg_partition_ancestors(part) a
		 JOIN pg_catalog.pg_class pc ON pc.oid = a.relid
	WHERE NOT pc.relispartition;
	gen := pg_catalog.substring(part::text, '_g([0-9]+)');
	day := pg_catalog.to_char(pg_catalog.to_date(pg_catalog.substring(part::text, '_p([0-9]{8})$'), 'YYYYMMDD'), 'YYYY-MM-DD');
	EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', part,
		pg_catalog.format('Partition of pghero_internal.%s: the rows of generation %s%s (internal; read history through the views of schema pghero)',
						  root, gen, coalesce(' for ' || day || ' (UTC)', '')));
END
$$;

COMMENT ON FUNCTION pghero_internal._comment_partition(regclass) IS
'Comment a history partition with its table, generation and day (internal)';

-- The daily partition of a history table that holds time ts for a
-- generation (by default this installation's), created if missing with the
-- generation's partition above it (the retention source creates them ahead
-- of time, so capture seldom does DDL): <table>_g<generation>_p<YYYYMMDD>.
CREATE FUNCTION pghero_internal._ensure_partition(parent text, ts timestamptz, generation integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	gen integer := coalesce(generation, pghero_internal._generation());
	day date := ts::date;
	gen_part text := pg_catalog.format('%s_g%s', parent, gen);
	part text := pg_catalog.format('%s_p%s', gen_part, pg_catalog.to_char(day, 'YYYYMMDD'));
	time_column text := CASE WHEN parent ~ '_rollup$' THEN 'bucket' ELSE 'captured_at' END;
	index_def text;
BEGIN
	IF pg_catalog.to_regclass(pg_catalog.format('pghero_internal.%I', gen_part)) IS NULL THEN
		EXECUTE pg_catalog.format(
			'CREATE TABLE pghero_internal.%I PARTITION OF pghero_internal.%I FOR VALUES IN (%s) PARTITION BY RANGE (%I)',
			gen_part, parent, gen, time_column);
		PERFORM pghero_internal._comment_partition(pg_catalog.format('pghero_internal.%I', gen_part)::pg_catalog.regclass);
	END IF;
	IF pg_catalog.to_regclass(pg_catalog.format('pghero_internal.%I', part)) IS NULL THEN
		EXECUTE pg_catalog.format(
			'CREATE TABLE pghero_internal.%I PARTITION OF pghero_internal.%I FOR VALUES FROM (%L) TO (%L)',
			part, gen_part, day::timestamptz, (day + 1)::timestamptz);
		PERFORM pghero_internal._comment_partition(pg_catalog.format('pghero_internal.%I', part)::pg_catalog.regclass);
		-- a raw interval ends in its partition, so it starts before the
		-- partition's end: this lets a reader's WHERE bucket_start >= X skip
		-- the partitions that end before X (see the history views)
		IF parent IN ('statement_history', 'database_history', 'instance_history', 'io_history', 'activity_history', 'host_history') THEN
			EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I ADD CONSTRAINT %I CHECK (coalesce(since, captured_at) < %L)',
				part, part || '_since', (day + 1)::timestamptz);
		END IF;
		-- rows arrive in time order: a BRIN index finds a time range for
		-- almost no space and no write cost (a btree would double the WAL
		-- of a capture; lookups by queryid go to the hourly rollup, which
		-- has one)
		index_def := CASE parent
			WHEN 'statement_history' THEN 'USING brin (captured_at)'
			WHEN 'statement_rollup' THEN '(queryid, bucket)'
			WHEN 'space_history' THEN '(relid, captured_at)'
		END;
		IF index_def IS NOT NULL THEN
			EXECUTE pg_catalog.format('CREATE INDEX ON pghero_internal.%I %s', part, index_def);
		END IF;
	END IF;
	RETURN part;
END
$$;

COMMENT ON FUNCTION pghero_internal._ensure_partition(text, timestamptz, integer) IS
'Create the daily partition of a history table that holds a time, for a generation (default: this one), if missing, and return its name (internal)';

--------------------------------------------------------------------------
-- Sources.  Each returns the rows it wrote and a note (or NULL).
--------------------------------------------------------------------------

-- statements, from pg_stat_statements: see the file header.
--
-- An identity is (userid, dbid, queryid, toplevel).  Its delta is the
-- difference with the baseline, except that the whole current value counts
-- when the identity is new (created since the last capture), when its
-- entry started again since the last capture (one of its counters went
-- backwards, or, from pg_stat_statements 1.11, its stats_since moved: the
-- entry was reset by queryid or evicted and made again, however often it
-- was called since), and after a full reset (stats_reset moved).  A reset
-- or evictions (dealloc grew) mean the interval lost what happened before
-- them: those rows are flagged lossy, and so is the capture.  The very
-- first capture only sets the baseline; after a crash (baseline gone,
-- pg_stat_statements reset after our last capture) everything since the
-- reset is counted.  The rows are computed and written by
-- _capture_statement_rows() (src/capture.c) by the rule of _delta(), in
-- one read of pg_stat_statements and of the baseline, the history rows
-- written in bulk, from the list of counters (_statement_counters), which
-- is written nowhere else.
CREATE FUNCTION pghero_internal._capture_statement_rows(
	part regclass, counters text[], extremes text[], count_all boolean,
	captured_at timestamptz, since timestamptz, lossy boolean, write_rows boolean,
	generation integer,
	OUT entries bigint, OUT moved bigint, OUT new_ids bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_capture_statement_rows'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._capture_statement_rows(regclass, text[], text[], boolean, timestamptz, timestamptz, boolean, boolean, integer) IS
'The rows of a statements capture: read pg_stat_statements and the baseline once, write the change of every identity that moved into a history partition, update the baseline (internal)';

CREATE FUNCTION pghero_internal._capture_statements(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	info record;
	prev record;
	last_capture timestamptz;
	since_ts timestamptz;
	count_all boolean := false;
	lossy boolean := false;
	write_rows boolean := true;
	entries bigint;
	moved bigint;
	new_ids bigint;
	part text;
	counters text[];
	extremes text[];
BEGIN
	SELECT i.dealloc, i.stats_reset INTO info FROM pghero_internal._pgss_info() i;
	SELECT b.* INTO prev FROM pghero_internal.source_baseline b
	WHERE b.source = 'statements';

	IF prev.source IS NULL THEN
		SELECT pg_catalog.max(c.captured_at) INTO last_capture
		FROM pghero_internal.statement_captures c
		WHERE c.generation = gen;
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

	SELECT pg_catalog.array_agg(c.name) FILTER (WHERE NOT c.extreme),
		   pg_catalog.array_agg(c.name) FILTER (WHERE c.extreme)
	INTO counters, extremes
	FROM pghero_internal._statement_counters() c;

	-- rows go straight into the day's partition (no per-row routing)
	part := pghero_internal._ensure_partition('statement_history', now_ts);

	-- the rows, in C (src/capture.c): deltas, history, baseline, and the
	-- baseline rows of identities gone from pg_stat_statements (evicted,
	-- reset) deleted
	SELECT r.entries, r.moved, r.new_ids INTO entries, moved, new_ids
	FROM pghero_internal._capture_statement_rows(
		pg_catalog.format('pghero_internal.%I', part)::pg_catalog.regclass,
		counters, extremes, count_all, now_ts, since_ts, lossy, write_rows, gen) r;

	-- texts (_pgss_statements() replaced their secrets) and names of
	-- statements never seen before,
	-- read only when some appeared
	IF new_ids > 0 THEN
		INSERT INTO pghero_internal.query_texts (generation, dbid, queryid, query, first_seen)
		SELECT DISTINCT ON (s.dbid, s.queryid) gen, s.dbid, s.queryid,
			   s.query, now_ts
		FROM pghero_internal._pgss_statements(true) s
		WHERE s.queryid IS NOT NULL AND s.query IS NOT NULL
		  AND NOT EXISTS (SELECT FROM pghero_internal.query_texts t
						  WHERE t.generation = gen AND t.dbid = s.dbid AND t.queryid = s.queryid)
		ON CONFLICT DO NOTHING;

		INSERT INTO pghero_internal.object_names (generation, kind, oid, name)
		SELECT gen, 'database', d.oid, d.datname FROM pg_catalog.pg_database d
		WHERE EXISTS (SELECT FROM pghero_internal.statement_baseline b WHERE b.dbid = d.oid)
		UNION ALL
		SELECT gen, 'role', r.oid, r.rolname FROM pg_catalog.pg_roles r
		WHERE EXISTS (SELECT FROM pghero_internal.statement_baseline b WHERE b.userid = r.oid)
		ON CONFLICT DO NOTHING;
	END IF;

	written := CASE WHEN write_rows THEN moved ELSE 0 END;
	INSERT INTO pghero_internal.statement_captures
		(generation, captured_at, since, entries, max_entries, dealloc, stats_reset, moved, lossy, note)
	VALUES (gen, now_ts, since_ts, entries,
			pg_catalog.current_setting('pg_stat_statements.max', true)::bigint,
			info.dealloc, info.stats_reset, written, lossy, note)
	ON CONFLICT (generation, captured_at) DO NOTHING;

	INSERT INTO pghero_internal.source_baseline (source, captured_at, stats_reset, dealloc)
	VALUES ('statements', now_ts, info.stats_reset, info.dealloc)
	ON CONFLICT (source) DO UPDATE
		SET captured_at = excluded.captured_at, stats_reset = excluded.stats_reset,
			dealloc = excluded.dealloc;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_statements() IS
'Capture the statements source: write the change of every pg_stat_statements identity that moved (internal)';

-- database activity, from pg_stat_database (every database)
CREATE FUNCTION pghero_internal._capture_database_activity(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	prev record;
BEGIN
	SELECT b.* INTO prev FROM pghero_internal.source_baseline b
	WHERE b.source = 'database_activity';
	IF prev.source IS NOT NULL THEN
		PERFORM pghero_internal._ensure_partition('database_history', now_ts);
	ELSE
		note := 'first capture: baseline only';
	END IF;

	WITH cur AS MATERIALIZED (
		SELECT d.datid, d.datname, d.numbackends, d.stats_reset,
			   ARRAY[d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit,
					 d.tup_returned, d.tup_fetched, d.tup_inserted, d.tup_updated,
					 d.tup_deleted, d.temp_files, d.temp_bytes, d.deadlocks,
					 d.conflicts] AS counters
		FROM pg_catalog.pg_stat_database d
		WHERE d.datname IS NOT NULL),
	z AS MATERIALIZED (
		SELECT c.*, b.counters AS base,
			   b.datid IS NULL
			   OR c.stats_reset IS DISTINCT FROM b.stats_reset
			   OR EXISTS (SELECT FROM unnest(c.counters, b.counters) u(x, y)
						  WHERE u.x < u.y) AS whole
		FROM cur c
			 LEFT JOIN pghero_internal.database_baseline b ON b.datid = c.datid
		WHERE b.datid IS NULL
		   OR c.counters IS DISTINCT FROM b.counters
		   OR c.stats_reset IS DISTINCT FROM b.stats_reset),
	hist AS (
		INSERT INTO pghero_internal.database_history
			(captured_at, since, datid, datname, numbackends, xact_commit, xact_rollback,
			 blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted, tup_updated,
			 tup_deleted, temp_files, temp_bytes, deadlocks, conflicts, lossy, generation)
		SELECT now_ts,
			   prev.captured_at,
			   z.datid, z.datname, z.numbackends,
			   pghero_internal._delta(z.counters[1], z.base[1], z.whole),
			   pghero_internal._delta(z.counters[2], z.base[2], z.whole),
			   pghero_internal._delta(z.counters[3], z.base[3], z.whole),
			   pghero_internal._delta(z.counters[4], z.base[4], z.whole),
			   pghero_internal._delta(z.counters[5], z.base[5], z.whole),
			   pghero_internal._delta(z.counters[6], z.base[6], z.whole),
			   pghero_internal._delta(z.counters[7], z.base[7], z.whole),
			   pghero_internal._delta(z.counters[8], z.base[8], z.whole),
			   pghero_internal._delta(z.counters[9], z.base[9], z.whole),
			   pghero_internal._delta(z.counters[10], z.base[10], z.whole),
			   pghero_internal._delta(z.counters[11], z.base[11], z.whole),
			   pghero_internal._delta(z.counters[12], z.base[12], z.whole),
			   pghero_internal._delta(z.counters[13], z.base[13], z.whole),
			   NULLIF(z.whole AND z.base IS NOT NULL, false),
			   gen
		FROM z
		WHERE prev.source IS NOT NULL
		RETURNING 1),
	gone AS (
		DELETE FROM pghero_internal.database_baseline b
		WHERE NOT EXISTS (SELECT FROM cur c WHERE c.datid = b.datid)
		RETURNING 1),
	base AS (
		INSERT INTO pghero_internal.database_baseline
		SELECT z.datid, z.stats_reset, z.counters FROM z
		ON CONFLICT (datid) DO UPDATE
			SET stats_reset = excluded.stats_reset, counters = excluded.counters
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM hist)
		   + 0 * (SELECT pg_catalog.count(*) FROM gone)
		   + 0 * (SELECT pg_catalog.count(*) FROM base)
	INTO written;

	INSERT INTO pghero_internal.source_baseline (source, captured_at)
	VALUES ('database_activity', now_ts)
	ON CONFLICT (source) DO UPDATE SET captured_at = excluded.captured_at;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_database_activity() IS
'Capture the database activity source: the change of every database''s pg_stat_database counters (internal)';

-- instance: WAL, checkpoints and buffer writes (changes), connections (counts)
CREATE FUNCTION pghero_internal._capture_instance(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	prev record;
	lsn pg_lsn := pg_catalog.pg_current_wal_lsn();
	cur bigint[];
	reset timestamptz;
	whole boolean;
	conns record;
BEGIN
	SELECT c.counters, c.stats_reset INTO cur, reset FROM pghero_internal._checkpoint_counters() c;

	SELECT pg_catalog.count(*) AS total,
		   pg_catalog.count(*) FILTER (WHERE a.state = 'active') AS active,
		   pg_catalog.count(*) FILTER (WHERE a.state = 'idle') AS idle,
		   pg_catalog.count(*) FILTER (WHERE a.state ~~ 'idle in transaction%') AS idle_in_xact
	INTO conns
	FROM pg_catalog.pg_stat_activity a
	WHERE a.backend_type = 'client backend';

	SELECT b.* INTO prev FROM pghero_internal.source_baseline b
	WHERE b.source = 'instance';

	IF prev.source IS NOT NULL THEN
		whole := reset IS DISTINCT FROM prev.stats_reset
				 OR EXISTS (SELECT FROM unnest(cur, prev.counters) u(x, y)
							WHERE u.x < u.y);
		PERFORM pghero_internal._ensure_partition('instance_history', now_ts);
		INSERT INTO pghero_internal.instance_history
			(captured_at, since, wal_bytes, checkpoints_timed, checkpoints_req,
			 buffers_checkpoint, buffers_clean, buffers_backend, connections,
			 active_connections, idle_connections, idle_in_transaction_connections,
			 lossy, generation)
		VALUES (now_ts, prev.captured_at,
				NULLIF(pg_catalog.pg_wal_lsn_diff(lsn, prev.wal_lsn), 0),
				pghero_internal._delta(cur[1], prev.counters[1], whole),
				pghero_internal._delta(cur[2], prev.counters[2], whole),
				pghero_internal._delta(cur[3], prev.counters[3], whole),
				pghero_internal._delta(cur[4], prev.counters[4], whole),
				pghero_internal._delta(cur[5], prev.counters[5], whole),
				conns.total, conns.active, conns.idle, conns.idle_in_xact,
				NULLIF(whole, false), pghero_internal._generation());
		written := 1;
	ELSE
		written := 0;
		note := 'first capture: baseline only';
	END IF;

	INSERT INTO pghero_internal.source_baseline (source, captured_at, stats_reset, wal_lsn, counters)
	VALUES ('instance', now_ts, reset, lsn, cur)
	ON CONFLICT (source) DO UPDATE
		SET captured_at = excluded.captured_at, stats_reset = excluded.stats_reset,
			wal_lsn = excluded.wal_lsn, counters = excluded.counters;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_instance() IS
'Capture the instance source: WAL bytes, checkpoints, buffer writes and connections (internal)';

-- I/O, from pg_stat_io by backend type, object and context (PostgreSQL 16
-- and later; nothing to capture before)
CREATE FUNCTION pghero_internal._capture_io(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	prev record;
BEGIN
	IF pg_catalog.current_setting('server_version_num')::integer < 160000 THEN
		written := 0;
		note := 'pg_stat_io needs PostgreSQL 16 or later';
		RETURN;
	END IF;
	SELECT b.* INTO prev FROM pghero_internal.source_baseline b
	WHERE b.source = 'io';
	IF prev.source IS NOT NULL THEN
		PERFORM pghero_internal._ensure_partition('io_history', now_ts);
	ELSE
		note := 'first capture: baseline only';
	END IF;

	WITH cur AS MATERIALIZED (
		SELECT i.backend_type, i.object, i.context, i.stats_reset,
			   pg_catalog.array_replace(i.counters, NULL, 0::numeric) AS counters
		FROM pghero_internal._io_counters() i),
	z AS MATERIALIZED (
		SELECT c.*, b.counters AS base,
			   b.backend_type IS NULL
			   OR c.stats_reset IS DISTINCT FROM b.stats_reset
			   OR EXISTS (SELECT FROM unnest(c.counters, b.counters) u(x, y)
						  WHERE u.x < u.y) AS whole
		FROM cur c
			 LEFT JOIN pghero_internal.io_baseline b
				ON b.backend_type = c.backend_type AND b.object = c.object
			   AND b.context = c.context
		WHERE b.backend_type IS NULL
		   OR c.counters IS DISTINCT FROM b.counters
		   OR c.stats_reset IS DISTINCT FROM b.stats_reset),
	hist AS (
		INSERT INTO pghero_internal.io_history
			(captured_at, since, backend_type, object, context, reads, read_bytes, read_time,
			 writes, write_bytes, write_time, writebacks, writeback_time, extends,
			 extend_bytes, extend_time, hits, evictions, reuses, fsyncs, fsync_time,
			 lossy, generation)
		SELECT now_ts,
			   prev.captured_at,
			   z.backend_type, z.object, z.context,
			   pghero_internal._delta(z.counters[1], z.base[1], z.whole),
			   pghero_internal._delta(z.counters[2], z.base[2], z.whole),
			   pghero_internal._delta(z.counters[3], z.base[3], z.whole),
			   pghero_internal._delta(z.counters[4], z.base[4], z.whole),
			   pghero_internal._delta(z.counters[5], z.base[5], z.whole),
			   pghero_internal._delta(z.counters[6], z.base[6], z.whole),
			   pghero_internal._delta(z.counters[7], z.base[7], z.whole),
			   pghero_internal._delta(z.counters[8], z.base[8], z.whole),
			   pghero_internal._delta(z.counters[9], z.base[9], z.whole),
			   pghero_internal._delta(z.counters[10], z.base[10], z.whole),
			   pghero_internal._delta(z.counters[11], z.base[11], z.whole),
			   pghero_internal._delta(z.counters[12], z.base[12], z.whole),
			   pghero_internal._delta(z.counters[13], z.base[13], z.whole),
			   pghero_internal._delta(z.counters[14], z.base[14], z.whole),
			   pghero_internal._delta(z.counters[15], z.base[15], z.whole),
			   pghero_internal._delta(z.counters[16], z.base[16], z.whole),
			   NULLIF(z.whole AND z.base IS NOT NULL, false),
			   gen
		FROM z
		WHERE prev.source IS NOT NULL
		RETURNING 1),
	base AS (
		INSERT INTO pghero_internal.io_baseline
		SELECT z.backend_type, z.object, z.context, z.stats_reset, z.counters FROM z
		ON CONFLICT (backend_type, object, context) DO UPDATE
			SET stats_reset = excluded.stats_reset, counters = excluded.counters
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM hist) + 0 * (SELECT pg_catalog.count(*) FROM base)
	INTO written;

	INSERT INTO pghero_internal.source_baseline (source, captured_at)
	VALUES ('io', now_ts)
	ON CONFLICT (source) DO UPDATE SET captured_at = excluded.captured_at;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_io() IS
'Capture the I/O source: the change of pg_stat_io''s counters by backend type, object and context (internal)';

-- host: the resources of the host (src/host.c), one row per capture with
-- the cumulative counters and the rates since the previous row of this
-- generation.  A first row has no rates (and no since); a host restarted
-- since (a new boot time), a counter that went down, or a change of disk
-- device or of where the figures come from (host or container) leaves the
-- affected rates NULL and the row lossy.
CREATE FUNCTION pghero_internal._capture_host(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	cur record;
	prev record;
	secs float8;
	same boolean;
	went_down boolean := false;
	cpus float8;
	busy_percent float8;
BEGIN
	SELECT c.* INTO cur FROM pghero_internal._host_counters() c;
	SELECT h.* INTO prev FROM pghero_internal.host_history h
	WHERE h.generation = gen
	  AND h.captured_at >= now_ts - pg_catalog.make_interval(secs => pghero_internal._setting_seconds('pghero.history_retention'))
	  AND h.captured_at < now_ts
	ORDER BY h.captured_at DESC
	LIMIT 1;
	PERFORM pghero_internal._ensure_partition('host_history', now_ts);

	IF prev.captured_at IS NULL THEN
		note := 'first capture: no rates yet';
	ELSE
		secs := pg_catalog.date_part('epoch', now_ts - prev.captured_at);
		same := prev.booted_at IS NOT DISTINCT FROM cur.booted_at
			AND prev.figures_from IS NOT DISTINCT FROM cur.figures_from;
		IF NOT same THEN
			note := CASE WHEN prev.booted_at IS DISTINCT FROM cur.booted_at
						 THEN 'the host restarted since the previous capture: no rates'
						 ELSE 'the figures now come from the ' || cur.figures_from || ': no rates' END;
		END IF;
		went_down := cur.cpu_busy_usec < prev.cpu_busy_usec
			OR cur.cpu_total_usec < prev.cpu_total_usec
			OR cur.swap_in_pages < prev.swap_in_pages
			OR cur.swap_out_pages < prev.swap_out_pages
			OR (cur.disk_device IS NOT DISTINCT FROM prev.disk_device
				AND (cur.disk_reads < prev.disk_reads OR cur.disk_writes < prev.disk_writes
					 OR cur.disk_read_bytes < prev.disk_read_bytes
					 OR cur.disk_write_bytes < prev.disk_write_bytes
					 OR cur.disk_io_ms < prev.disk_io_ms));
		IF went_down AND same THEN
			note := 'a counter of the host went down since the previous capture: its rate is unknown';
		END IF;
		IF same AND secs > 0 THEN
			IF cur.figures_from = 'container' THEN
				cpus := coalesce(cur.cpu_limit, cur.cpu_count);
				busy_percent := 100 * (cur.cpu_busy_usec - prev.cpu_busy_usec)
					/ NULLIF(secs * 1e6 * cpus, 0);
			ELSE
				busy_percent := 100 * (cur.cpu_busy_usec - prev.cpu_busy_usec)::float8
					/ NULLIF(cur.cpu_total_usec - prev.cpu_total_usec, 0);
			END IF;
			IF busy_percent < 0 THEN
				busy_percent := NULL;
			END IF;
		END IF;
	END IF;

	INSERT INTO pghero_internal.host_history
		(captured_at, since, figures_from, booted_at, cpu_count, cpu_limit,
		 cpu_busy_usec, cpu_total_usec, load_1, load_5, load_15,
		 memory_total_bytes, memory_available_bytes, swap_total_bytes, swap_used_bytes,
		 swap_in_pages, swap_out_pages, disk_device, disk_reads, disk_writes,
		 disk_read_bytes, disk_write_bytes, disk_io_ms,
		 cpu_busy_percent, swap_in_per_second, swap_out_per_second,
		 disk_reads_per_second, disk_writes_per_second,
		 disk_read_bytes_per_second, disk_write_bytes_per_second,
		 disk_utilisation_percent, unavailable, lossy, generation)
	SELECT now_ts, prev.captured_at, cur.figures_from, cur.booted_at, cur.cpu_count,
		   cur.cpu_limit, cur.cpu_busy_usec, cur.cpu_total_usec,
		   cur.load_1, cur.load_5, cur.load_15,
		   cur.memory_total_bytes, cur.memory_available_bytes,
		   cur.swap_total_bytes, cur.swap_used_bytes,
		   cur.swap_in_pages, cur.swap_out_pages, cur.disk_device,
		   cur.disk_reads, cur.disk_writes, cur.disk_read_bytes,
		   cur.disk_write_bytes, cur.disk_io_ms,
		   CASE WHEN busy_percent > 100 THEN 100 ELSE busy_percent END,
		   r.swap_in / secs, r.swap_out / secs,
		   r.reads / secs, r.writes / secs, r.read_bytes / secs, r.write_bytes / secs,
		   CASE WHEN r.io_ms > secs * 1000 THEN 100 ELSE 100 * r.io_ms / (secs * 1000) END,
		   cur.unavailable,
		   NULLIF(prev.captured_at IS NOT NULL AND (NOT same OR went_down), false),
		   gen
	FROM (SELECT CASE WHEN same AND cur.swap_in_pages >= prev.swap_in_pages THEN cur.swap_in_pages - prev.swap_in_pages END::float8 AS swap_in,
				 CASE WHEN same AND cur.swap_out_pages >= prev.swap_out_pages THEN cur.swap_out_pages - prev.swap_out_pages END::float8 AS swap_out,
				 CASE WHEN same AND cur.disk_device IS NOT DISTINCT FROM prev.disk_device AND cur.disk_reads >= prev.disk_reads THEN cur.disk_reads - prev.disk_reads END::float8 AS reads,
				 CASE WHEN same AND cur.disk_device IS NOT DISTINCT FROM prev.disk_device AND cur.disk_writes >= prev.disk_writes THEN cur.disk_writes - prev.disk_writes END::float8 AS writes,
				 CASE WHEN same AND cur.disk_device IS NOT DISTINCT FROM prev.disk_device AND cur.disk_read_bytes >= prev.disk_read_bytes THEN cur.disk_read_bytes - prev.disk_read_bytes END::float8 AS read_bytes,
				 CASE WHEN same AND cur.disk_device IS NOT DISTINCT FROM prev.disk_device AND cur.disk_write_bytes >= prev.disk_write_bytes THEN cur.disk_write_bytes - prev.disk_write_bytes END::float8 AS write_bytes,
				 CASE WHEN same AND cur.disk_device IS NOT DISTINCT FROM prev.disk_device AND cur.disk_io_ms >= prev.disk_io_ms THEN cur.disk_io_ms - prev.disk_io_ms END::float8 AS io_ms) r;
	written := 1;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_host() IS
'Capture the host source: CPU, load, memory, swap and the disk of the data directory, with their rates since the previous capture (internal)';

-- space: every database's size and every relation of this database, as
-- relation_sizes measures them (never waiting for a lock); a row only for
-- a size that changed; relations that could not be measured are skipped
-- and counted in the note.
CREATE FUNCTION pghero_internal._capture_space(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	db oid := (SELECT d.oid FROM pg_catalog.pg_database d
			   WHERE d.datname = pg_catalog.current_database());
	skipped bigint;
BEGIN
	PERFORM pghero_internal._ensure_partition('space_history', now_ts);

	-- one statement, so that the sizes read are held by no table (a
	-- temporary one would show in other tools' lists)
	WITH now_sizes AS MATERIALIZED (
		SELECT d.oid AS datid, 0::oid AS relid, NULL::name AS schemaname, d.datname AS relname,
			   'database'::text AS kind, pg_catalog.pg_database_size(d.oid) AS size_bytes, true AS measured
		FROM pg_catalog.pg_database d
		WHERE d.datallowconn AND d.datconnlimit <> -2
		UNION ALL
		SELECT db, r.relid, r.schemaname, r.relname, r.type, r.size_bytes, r.measured
		FROM @extschema@.relation_sizes r),
	moved AS (
		SELECT n.*
		FROM now_sizes n
			 LEFT JOIN pghero_internal.space_baseline b
				ON b.datid = n.datid AND b.relid = n.relid
		WHERE n.measured AND n.size_bytes IS NOT NULL
		  AND (b.size_bytes IS NULL OR b.size_bytes <> n.size_bytes)),
	hist AS (
		INSERT INTO pghero_internal.space_history
			(captured_at, datid, relid, schemaname, relname, kind, size_bytes, generation)
		SELECT now_ts, m.datid, NULLIF(m.relid, 0), m.schemaname, m.relname, m.kind, m.size_bytes, gen
		FROM moved m
		RETURNING 1),
	base AS (
		INSERT INTO pghero_internal.space_baseline
		SELECT m.datid, m.relid, m.size_bytes FROM moved m
		ON CONFLICT (datid, relid) DO UPDATE SET size_bytes = excluded.size_bytes
		RETURNING 1),
	-- forget relations and databases that are gone (none of them is in
	-- moved: the two never touch the same row)
	gone AS (
		DELETE FROM pghero_internal.space_baseline b
		WHERE NOT EXISTS (SELECT FROM now_sizes n
						  WHERE n.datid = b.datid
							AND n.relid = b.relid)
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM hist)
		   + 0 * (SELECT pg_catalog.count(*) FROM base)
		   + 0 * (SELECT pg_catalog.count(*) FROM gone),
		   (SELECT pg_catalog.count(*) FROM now_sizes n WHERE NOT n.measured)
	INTO written, skipped;

	IF skipped > 0 THEN
		note := pg_catalog.format('%s relations skipped: locked by another session', skipped);
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_space() IS
'Capture the space source: sizes of every database and of every relation of this database that changed (internal)';

-- A pghero.* duration setting in seconds (the library defines them; load it)
CREATE FUNCTION pghero_internal._setting_seconds(name text)
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

COMMENT ON FUNCTION pghero_internal._setting_seconds(text) IS
'Value in seconds of a pghero duration setting (internal)';

-- The hourly rollup of the raw rows of one history table in [lo, hi), for
-- one generation.  The select list comes from the rollup table's columns:
-- bucket is the hour, samples the rows, seconds the time they cover, a
-- "_max" column the largest of its raw column, min_/max_ columns the
-- smallest and largest extremes, lossy whether any row was lossy, keys and
-- names (as in the raw table, but for counters) group, every other
-- column is a sum.
CREATE FUNCTION pghero_internal._rollup(raw_table text, rollup_table text,
									gen integer, lo timestamptz, hi timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	cols text;
	exprs text;
	keys text;
	n bigint;
BEGIN
	SELECT pg_catalog.string_agg(pg_catalog.format('%I', a.attname), ', ' ORDER BY a.attnum),
		   pg_catalog.string_agg(
			   CASE
				   WHEN a.attname = 'bucket' THEN 'pg_catalog.date_trunc(''hour'', h.captured_at)'
				   WHEN a.attname = 'samples' THEN 'pg_catalog.count(*)'
				   WHEN a.attname = 'seconds' THEN
					   'coalesce(pg_catalog.sum(pg_catalog.date_part(''epoch'', h.captured_at - h.since)), 0)'
				   WHEN a.attname = 'lossy' THEN
					   'NULLIF(pg_catalog.bool_or(coalesce(h.lossy, false)), false)'
				   WHEN a.attname = 'generation' THEN '$1'
				   WHEN a.attname::text ~ '_max$' THEN
					   pg_catalog.format('pg_catalog.max(h.%I)', pg_catalog.regexp_replace(a.attname, '_max$', ''))
				   WHEN a.attname::text ~ '^min_' THEN pg_catalog.format('pg_catalog.min(h.%I)', a.attname)
				   WHEN a.attname::text ~ '^max_' THEN pg_catalog.format('pg_catalog.max(h.%I)', a.attname)
				   WHEN a.attname::text IN ('datname', 'relname', 'schemaname') THEN
					   pg_catalog.format('pg_catalog.max(h.%I)', a.attname)
				   WHEN k.key THEN pg_catalog.format('h.%I', a.attname)
				   ELSE pg_catalog.format('pg_catalog.sum(h.%I)', a.attname)
			   END, ', ' ORDER BY a.attnum),
		   pg_catalog.string_agg(pg_catalog.format('h.%I', a.attname), ', ' ORDER BY a.attnum)
			   FILTER (WHERE k.key)
	INTO cols, exprs, keys
	FROM pg_catalog.pg_attribute a,
		 LATERAL (SELECT a.attname::text IN ('dbid', 'userid', 'queryid', 'toplevel', 'datid', 'relid',
											 'backend_type', 'object', 'context')
				  AS key) k
	WHERE a.attrelid = pg_catalog.format('pghero_internal.%I', rollup_table)::pg_catalog.regclass
	  AND a.attnum > 0 AND NOT a.attisdropped;

	EXECUTE pg_catalog.format(
		'INSERT INTO pghero_internal.%I (%s) SELECT %s FROM pghero_internal.%I h'
		' WHERE h.generation = $1 AND h.captured_at >= $2 AND h.captured_at < $3'
		' GROUP BY pg_catalog.date_trunc(''hour'', h.captured_at)%s',
		rollup_table, cols, exprs, raw_table, coalesce(', ' || keys, ''))
	USING gen, lo, hi;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

COMMENT ON FUNCTION pghero_internal._rollup(text, text, integer, timestamptz, timestamptz) IS
'Roll the raw rows of one history table and generation in a time range up into hourly rows (internal)';

-- retention: partitions ahead, hourly rollups of complete hours (of every
-- generation), and dropping whole partitions past their retention (raw ones
-- only once rolled up).  Space keeps, at the start of its window, one row
-- per relation with its size then, so growth stays computable.  The tables
-- come from the registry of sources.
CREATE FUNCTION pghero_internal._capture_retention(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	hour_now timestamptz := pg_catalog.date_trunc('hour', now_ts);
	raw_keep interval := pg_catalog.make_interval(secs => pghero_internal._setting_seconds('pghero.raw_retention'));
	history_keep interval := pg_catalog.make_interval(secs => pghero_internal._setting_seconds('pghero.history_retention'));
	t text;
	s record;
	p record;
	day timestamptz;
	dropped boolean := false;
BEGIN
	written := 0;

	-- this generation's partitions for today and tomorrow
	FOR t IN
		SELECT u.t FROM pghero_internal.collector_sources c,
			 LATERAL (VALUES (c.raw_table), (c.rollup_table)) u(t)
		WHERE u.t IS NOT NULL
	LOOP
		PERFORM pghero_internal._ensure_partition(t, now_ts);
		PERFORM pghero_internal._ensure_partition(t, now_ts + interval '1 day');
	END LOOP;

	-- hourly rollups of the complete hours not rolled up yet, per generation
	FOR s IN
		SELECT c.raw_table, c.rollup_table, g.generation,
			   coalesce(r.rolled_up_until, '-infinity') AS upto
		FROM pghero_internal.collector_sources c
			 CROSS JOIN LATERAL (
				SELECT gen AS generation
				UNION
				SELECT pg_catalog.substring(pt.relname, '_g([0-9]+)$')::integer
				FROM pg_catalog.pg_inherits i
					 JOIN pg_catalog.pg_class pt ON pt.oid = i.inhrelid
				WHERE i.inhparent = pg_catalog.format('pghero_internal.%I', c.raw_table)::pg_catalog.regclass) g
			 LEFT JOIN pghero_internal.rollup_progress r
				ON r.history = c.raw_table AND r.generation = g.generation
		WHERE c.rollup_table IS NOT NULL
		  -- another generation's history (restored from a dump) only once
		  -- its progress is here too: pg_restore creates the partitions
		  -- before it copies rollup_progress, and a row of ours in between
		  -- would make that copy fail; without one, its raw rows stay raw
		  -- (kept for pghero.history_retention, below)
		  AND (g.generation = gen OR r.generation IS NOT NULL)
	LOOP
		CONTINUE WHEN s.upto >= hour_now;
		FOR p IN EXECUTE pg_catalog.format(
			'SELECT DISTINCT pg_catalog.date_trunc(''day'', h.captured_at) AS day
			 FROM pghero_internal.%I h
			 WHERE h.generation = $1 AND h.captured_at >= $2 AND h.captured_at < $3',
			s.raw_table) USING s.generation, s.upto, hour_now LOOP
			PERFORM pghero_internal._ensure_partition(s.rollup_table, p.day, s.generation);
		END LOOP;
		written := written + pghero_internal._rollup(s.raw_table, s.rollup_table, s.generation, s.upto, hour_now);
		INSERT INTO pghero_internal.rollup_progress AS r (history, generation, rolled_up_until)
		VALUES (s.raw_table, s.generation, hour_now)
		ON CONFLICT (history, generation) DO UPDATE SET rolled_up_until = excluded.rolled_up_until;
	END LOOP;

	-- space keyframes at the start of the window, before anything is dropped
	IF EXISTS (SELECT FROM pghero_internal.space_history h
			   WHERE h.generation = gen AND h.captured_at < now_ts - history_keep) THEN
		PERFORM pghero_internal._ensure_partition('space_history', now_ts - history_keep);
		INSERT INTO pghero_internal.space_history
			(captured_at, datid, relid, schemaname, relname, kind, size_bytes, generation)
		SELECT DISTINCT ON (h.datid, h.relid) now_ts - history_keep, h.datid, h.relid,
			   h.schemaname, h.relname, h.kind, h.size_bytes, gen
		FROM pghero_internal.space_history h
		WHERE h.generation = gen
		  AND h.captured_at < now_ts - history_keep
		  AND NOT EXISTS (SELECT FROM pghero_internal.space_history l
						  WHERE l.generation = gen
							AND l.datid = h.datid
							AND l.relid IS NOT DISTINCT FROM h.relid
							AND l.captured_at >= now_ts - history_keep
							AND l.captured_at <= now_ts - history_keep + interval '1 day')
		ORDER BY h.datid, h.relid, h.captured_at DESC;
	END IF;

	-- runs of the sources and statement captures past history_retention
	DELETE FROM pghero_internal.collector_runs r WHERE r.started_at < now_ts - history_keep;
	DELETE FROM pghero_internal.statement_captures c WHERE c.captured_at < now_ts - history_keep;
	DELETE FROM pghero_internal.activity_buckets b WHERE b.captured_at < now_ts - history_keep;
	DELETE FROM pghero_internal.session_log l WHERE l.last_seen < now_ts - history_keep;

	-- drop whole daily partitions past their retention, of every generation
	FOR p IN
		SELECT q.*,
			   (SELECT r.rolled_up_until FROM pghero_internal.rollup_progress r
				WHERE r.history = q.raw_table AND r.generation = q.generation) AS rolled_up_until
		FROM (SELECT leaf.relname, c.raw_table, c.rollup_table, parent.relname AS parent,
					 pg_catalog.substring(mid.relname, '_g([0-9]+)$')::integer AS generation,
					 (pg_catalog.to_date(pg_catalog.right(leaf.relname::text, 8), 'YYYYMMDD') + 1)::timestamptz AS upper_bound
			  FROM pghero_internal.collector_sources c
				   JOIN pg_catalog.pg_class parent
					  ON parent.relnamespace = 'pghero_internal'::pg_catalog.regnamespace
					 AND parent.relname IN (c.raw_table, c.rollup_table)
				   JOIN pg_catalog.pg_inherits i1 ON i1.inhparent = parent.oid
				   JOIN pg_catalog.pg_class mid ON mid.oid = i1.inhrelid
				   JOIN pg_catalog.pg_inherits i2 ON i2.inhparent = mid.oid
				   JOIN pg_catalog.pg_class leaf ON leaf.oid = i2.inhrelid
			  WHERE leaf.relname::text ~ '_p[0-9]{8}$') q
	LOOP
		IF (p.parent = p.raw_table AND p.rollup_table IS NOT NULL
			AND p.upper_bound <= now_ts - raw_keep
			AND p.upper_bound <= p.rolled_up_until)
		   OR ((p.parent = p.rollup_table OR p.rollup_table IS NULL)
			   AND p.upper_bound <= now_ts - history_keep)
		   -- another generation's raw rows, never rolled up (no progress
		   -- row): kept as long as rollups are
		   OR (p.parent = p.raw_table AND p.generation <> gen
			   AND p.upper_bound <= now_ts - history_keep
			   AND p.rolled_up_until IS NULL) THEN
			EXECUTE pg_catalog.format('DROP TABLE pghero_internal.%I', p.relname);
			dropped := true;
		END IF;
	END LOOP;

	IF dropped THEN
		-- generations other than this one left with no partition
		FOR p IN
			SELECT mid.relname
			FROM pg_catalog.pg_inherits i1
				 JOIN pg_catalog.pg_class mid ON mid.oid = i1.inhrelid
			WHERE i1.inhparent IN (SELECT pg_catalog.format('pghero_internal.%I', u.t)::pg_catalog.regclass
								   FROM pghero_internal.collector_sources c,
										LATERAL (VALUES (c.raw_table), (c.rollup_table)) u(t)
								   WHERE u.t IS NOT NULL)
			  AND mid.relname::text !~ pg_catalog.format('_g%s$', gen)
			  AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits i2 WHERE i2.inhparent = mid.oid)
		LOOP
			EXECUTE pg_catalog.format('DROP TABLE pghero_internal.%I', p.relname);
		END LOOP;

		-- texts no history refers to any more
		DELETE FROM pghero_internal.query_texts t
		WHERE NOT EXISTS (SELECT FROM pghero_internal.statement_rollup r
						  WHERE r.queryid = t.queryid
							AND r.dbid = t.dbid
							AND r.generation = t.generation)
		  AND NOT EXISTS (SELECT FROM pghero_internal.statement_history h
						  WHERE h.queryid = t.queryid
							AND h.dbid = t.dbid
							AND h.generation = t.generation)
		  AND NOT (t.generation = gen
				   AND EXISTS (SELECT FROM pghero_internal.statement_baseline b
							   WHERE b.queryid = t.queryid
								 AND b.dbid = t.dbid));
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_retention() IS
'Run the retention source: create partitions ahead, roll complete hours up, drop partitions past their retention (internal)';

-- One source, the way the collector runs it: serialized with any other run
-- of the same source, with a short lock_timeout, and its outcome recorded
-- in collector_sources.  A failing source is recorded, not raised.
CREATE FUNCTION pghero_internal._run_source(source text, next_run_at timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := pg_catalog.clock_timestamp();
	fn text;
	n bigint;
	err text;
	note text;
	old_lock_timeout text := pg_catalog.current_setting('lock_timeout');
BEGIN
	SELECT c.run_function INTO fn FROM pghero_internal.collector_sources c
	WHERE c.source = $1;
	IF fn IS NULL THEN
		RAISE EXCEPTION 'unknown capture source "%"', $1
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The sources are listed in pghero.collector.';
	END IF;

	BEGIN
		PERFORM pg_catalog.set_config('lock_timeout', '1s', true);
		PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pghero'), pg_catalog.hashtext($1));
		-- the run function named by the registry: one of ours
		EXECUTE pg_catalog.format('SELECT r.written, r.note FROM pghero_internal.%I() r', fn)
		INTO n, note;
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
		err := pg_catalog.format('%s (SQLSTATE %s)', err, SQLSTATE);
		n := NULL;
	END;
	PERFORM pg_catalog.set_config('lock_timeout', old_lock_timeout, true);

	UPDATE pghero_internal.collector_sources c SET
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
	INSERT INTO pghero_internal.collector_runs
		(started_at, finished_at, source, succeeded, rows_written, error, note, generation)
	VALUES (started, pg_catalog.clock_timestamp(), $1, err IS NULL, n, err,
			CASE WHEN err IS NULL THEN note END, pghero_internal._generation());
	RETURN n;
END
$$;

COMMENT ON FUNCTION pghero_internal._run_source(text, timestamptz) IS
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
	PERFORM pghero_internal._require_admin('capture history now');
	SELECT u.u INTO unknown FROM pg_catalog.unnest($1) u(u)
	WHERE NOT EXISTS (SELECT FROM pghero_internal.collector_sources c
					  WHERE c.source = u.u)
	LIMIT 1;
	IF unknown IS NOT NULL OR pg_catalog.array_position($1, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'unknown capture source "%"', unknown
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The sources are listed in pghero.collector.';
	END IF;

	FOR s IN SELECT c.source FROM pghero_internal.collector_sources c ORDER BY c.position LOOP
		CONTINUE WHEN $1 IS NOT NULL AND NOT s = ANY ($1);
		PERFORM pghero_internal._run_source(s, NULL);
		RETURN QUERY
		SELECT c.source, c.last_rows,
			   c.last_success_at IS NOT DISTINCT FROM c.last_run_at,
			   CASE WHEN c.last_error_at IS NOT DISTINCT FROM c.last_run_at THEN c.last_error END
		FROM pghero_internal.collector_sources c
		WHERE c.source = s;
	END LOOP;
END
$$;

COMMENT ON FUNCTION @extschema@.capture(text[]) IS
'Run every capture source now (or the ones named), as the collector would, and return what each wrote; for tests and on-demand captures';

-- Start the collector at once if it does not run (src/launcher.c)
CREATE FUNCTION pghero_internal._start_collector()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pghero_start_collector'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._start_collector() IS
'Ask the launcher to start the collector (internal; called by pghero.start_collector())';

-- (SECURITY DEFINER like the actions: it checks its caller itself, and a
-- reader who calls it is told which role to ask for)
CREATE FUNCTION @extschema@.start_collector()
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pghero_internal._require_admin('start the collector');
	RETURN pghero_internal._start_collector();
END
$$;

COMMENT ON FUNCTION @extschema@.start_collector() IS
'Start the collector now if it does not run (after pg_terminate_backend, instead of waiting for its restart); true when it was started, false when it was running; needs pghero in shared_preload_libraries';

--------------------------------------------------------------------------
-- What the collector is doing
--------------------------------------------------------------------------

CREATE VIEW @extschema@.collector AS
SELECT s.source,
	   s.last_run_at,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => s.last_duration_ms / 1000))::text AS last_duration,
	   pg_catalog.round(s.last_duration_ms::numeric, 3)::float8 AS last_duration_ms,
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
	   pg_catalog.round(100.0 * c.entries / NULLIF(c.max_entries, 0), 2) AS statements_fill_percent,
	   c.dealloc AS statements_deallocations,
	   c.stats_reset AS statements_reset_at,
	   w.pid AS worker_pid
FROM pghero_internal.collector_sources s
	 LEFT JOIN LATERAL (SELECT sc.* FROM pghero_internal.statement_captures sc
						WHERE sc.generation = pghero_internal._generation()
						ORDER BY sc.captured_at DESC LIMIT 1) c ON s.source = 'statements'
	 LEFT JOIN LATERAL (SELECT a.pid FROM pghero_internal._activity() a
						WHERE a.backend_type = 'pghero collector' LIMIT 1) w ON true;

COMMENT ON VIEW @extschema@.collector IS
'The collector, source by source: last run, duration, rows written, last error, next run; with pg_stat_statements fill and deallocations';
