--
-- pghero 1.1: capture sources, deltas, resets, rollups and retention,
-- driven by pghero.capture() (the worker itself is tested in test/t/)
--
SET client_min_messages = warning;

-- the default version (the updates from released versions are tested in
-- test/t/007_upgrade.pl)
SELECT extversion FROM pg_extension WHERE extname = 'pghero';
SELECT source, runs, failures FROM pghero.collector ORDER BY source COLLATE "C";

-- the first capture only sets the baselines
SELECT source, rows_written, succeeded, error FROM pghero.capture(ARRAY['statements']);
SELECT moved, lossy, note FROM pghero_internal.statement_captures;

-- a statement run exactly 3 times between two captures shows exactly 3
-- calls; one run 0 times is not written at all
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT rows_written > 0 AS wrote FROM pghero.capture(ARRAY['statements']);
CREATE TEMP TABLE marker AS
SELECT DISTINCT queryid FROM pgss.pg_stat_statements
WHERE query LIKE 'SELECT count(*) AS regress_collector_a%';
-- (a new identity, counted whole: its interval starts at the capture before)
SELECT h.calls, h.rows,
	   h.since = (SELECT c.since FROM pghero_internal.statement_captures c
				  WHERE c.captured_at = h.captured_at) AS since_previous_capture,
	   h.lossy
FROM pghero_internal.statement_history h JOIN marker m USING (queryid);

-- 2 more, captured; then 4 more, not captured yet
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT rows_written > 0 AS wrote FROM pghero.capture(ARRAY['statements']);
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT array_agg(h.calls ORDER BY h.captured_at) AS per_interval,
	   bool_and(h.since IS NOT NULL) FILTER (WHERE h.calls = 2) AS second_is_a_delta
FROM pghero_internal.statement_history h JOIN marker m USING (queryid);
-- history plus the uncaptured tail equals pg_stat_statements' own total
SELECT q.calls AS window_calls,
	   (SELECT sum(s.calls) FROM pgss.pg_stat_statements s JOIN marker m USING (queryid)) AS pgss_calls,
	   q.query
FROM pghero.query_stats_between(now() - interval '1 hour', now()) q JOIN marker m USING (queryid);
-- a window that ended before now leaves the tail out
SELECT q.calls AS captured_calls
FROM pghero.query_stats_between(now() - interval '1 hour', now() - interval '1 microsecond') q
	 JOIN marker m USING (queryid);
SELECT tier, calls FROM pghero.query_history((SELECT queryid FROM marker))
ORDER BY bucket_start, bucket_end, tier COLLATE "C";

-- pg_stat_statements_reset() between captures: no negative delta, nothing
-- counted twice, the interval flagged
SELECT rows_written > 0 AS wrote FROM pghero.capture(ARRAY['statements']);
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT count(*) AS reset FROM (SELECT pgss.pg_stat_statements_reset()) r;
SELECT count(*) AS regress_collector_a FROM pg_class WHERE relname = 'pg_class';
SELECT rows_written > 0 AS wrote FROM pghero.capture(ARRAY['statements']);
SELECT h.calls, h.lossy
FROM pghero_internal.statement_history h JOIN marker m USING (queryid)
WHERE h.captured_at = (SELECT max(captured_at) FROM pghero_internal.statement_history);
SELECT lossy, note FROM pghero_internal.statement_captures ORDER BY captured_at DESC LIMIT 1;
SELECT count(*) AS negative_deltas FROM pghero_internal.statement_history
WHERE calls < 0 OR rows < 0 OR total_exec_time < 0 OR shared_blks_hit < 0;
SELECT last_error IS NULL AS no_error, note LIKE 'pg_stat_statements was reset%' AS note_says_reset
FROM pghero.collector WHERE source = 'statements';

-- texts are stored once per (dbid, queryid)
SELECT count(*) AS texts FROM pghero_internal.query_texts t JOIN marker m USING (queryid);

-- database activity and instance: the first capture sets baselines, the
-- next one writes the changes
SELECT source, rows_written FROM pghero.capture(ARRAY['database_activity', 'instance']);
CREATE TABLE regress_collector_t AS SELECT g FROM generate_series(1, 1000) g;
SELECT regress_flush_stats();
SELECT source, rows_written > 0 AS wrote FROM pghero.capture(ARRAY['database_activity', 'instance']);
SELECT datname = current_database() AS this_database, xact_commit > 0 AS commits,
	   tup_inserted >= 1000 AS inserts, since IS NOT NULL AS delta
FROM pghero_internal.database_history WHERE datname = current_database();
SELECT wal_bytes > 0 AS wal, connections >= 1 AS connected FROM pghero_internal.instance_history;
SELECT database = current_database() AS this_database, tier, tps > 0 AS tps,
	   rows_written_per_second > 0 AS writes, cache_hit_percent BETWEEN 0 AND 100 AS hit_rate
FROM pghero.database_activity() WHERE database = current_database();


-- I/O from pg_stat_io (PostgreSQL 16 and later; before, the source says so
-- and writes nothing): the first capture sets the baseline, the second
-- writes what moved, io_activity() reads it
SELECT (current_setting('server_version_num')::int >= 160000) AS has_pg_stat_io \gset
SELECT source, rows_written, succeeded FROM pghero.capture(ARRAY['io']);
SELECT CASE WHEN :'has_pg_stat_io'::boolean THEN note = 'first capture: baseline only'
			ELSE note = 'pg_stat_io needs PostgreSQL 16 or later' END AS note_as_expected
FROM pghero.collector WHERE source = 'io';
SELECT count(*) FROM regress_collector_t;
-- this session's I/O counts reach pg_stat_io at its next report
DO $$
BEGIN
	IF current_setting('server_version_num')::int >= 160000 THEN
		EXECUTE 'SELECT pg_stat_force_next_flush()';
	END IF;
END
$$;
SELECT source, (rows_written > 0) = :'has_pg_stat_io'::boolean AS wrote_if_available, succeeded
FROM pghero.capture(ARRAY['io']);
SELECT (count(*) > 0) = :'has_pg_stat_io'::boolean AS io_read_if_available,
	   coalesce(bool_and(reads >= 0 AND hits >= 0 AND read_bytes >= 0), true) AS no_negative
FROM pghero.io_activity();
-- space: every database and relation, then only what changed
SELECT source, rows_written > 0 AS wrote, succeeded FROM pghero.capture(ARRAY['space']);
SELECT kind, size_bytes = pg_table_size('regress_collector_t') AS measured
FROM pghero_internal.space_history WHERE relname = 'regress_collector_t';
SELECT count(*) AS databases FROM pghero_internal.space_history
WHERE kind = 'database' AND relname = current_database();
INSERT INTO regress_collector_t SELECT g FROM generate_series(1, 100000) g;
SELECT source, rows_written > 0 AS wrote FROM pghero.capture(ARRAY['space']);
SELECT count(*) AS sizes_of_the_table FROM pghero_internal.space_history WHERE relname = 'regress_collector_t';
SELECT relname, growth_bytes = size_bytes - size_then_bytes AS arithmetic, growth_bytes > 0 AS grew
FROM pghero.space_growth(7) WHERE relname = 'regress_collector_t';
SELECT count(*) AS points, max(size_bytes) = pg_table_size('regress_collector_t') AS ends_at_current
FROM pghero.relation_space_history('regress_collector_t');

-- retention: rollups of complete hours equal the raw sums; raw partitions
-- past pghero.raw_retention (2 days) are dropped once rolled up, hourly
-- ones past pghero.history_retention (30 days)
-- (the 90 minutes of rows start at 01:00 UTC three days ago: they stay in
-- one day's partition whatever the time of the run)
SELECT date_trunc('day', now() - interval '3 days', 'UTC') + interval '1 hour' AS t0 \gset
SELECT pghero_internal._ensure_partition('statement_history', now() - interval '3 days') LIKE 'statement_history_g' || pghero_internal._generation() || '_p%' AS made;
SELECT pghero_internal._ensure_partition('statement_rollup', now() - interval '40 days') LIKE 'statement_rollup_g' || pghero_internal._generation() || '_p%' AS made;
INSERT INTO pghero_internal.statement_history (generation, captured_at, since, dbid, userid, queryid, toplevel, calls, total_exec_time, rows)
SELECT pghero_internal._generation(), :'t0'::timestamptz + m * interval '1 minute',
	   NULL, 1, 10, 4242, true, m, m * 1.5, 2 * m
FROM generate_series(1, 90) m;
INSERT INTO pghero_internal.statement_rollup (generation, bucket, dbid, userid, queryid, toplevel, samples, calls)
VALUES (pghero_internal._generation(), date_trunc('hour', now() - interval '40 days'), 1, 10, 4343, true, 1, 7);
SELECT pghero_internal._ensure_partition('database_history', now() - interval '3 days') LIKE 'database_history_g%_p%' AS made,
	   pghero_internal._ensure_partition('instance_history', now() - interval '3 days') LIKE 'instance_history_g%_p%' AS made;
-- the first sample of a database has no interval start (since is NULL)
INSERT INTO pghero_internal.database_history (generation, captured_at, since, datid, datname, numbackends, xact_commit, tup_inserted)
SELECT pghero_internal._generation(), :'t0'::timestamptz + m * interval '1 minute',
	   CASE WHEN m = 1 THEN NULL ELSE :'t0'::timestamptz + (m - 1) * interval '1 minute' END,
	   4242, 'regress_db', m % 5, 10 * m, NULL
FROM generate_series(1, 90) m;
INSERT INTO pghero_internal.instance_history (generation, captured_at, since, wal_bytes, checkpoints_timed, connections)
SELECT pghero_internal._generation(), :'t0'::timestamptz + m * interval '1 minute',
	   :'t0'::timestamptz + (m - 1) * interval '1 minute',
	   1000 * m, NULL, m % 7
FROM generate_series(1, 90) m;
INSERT INTO pghero_internal.rollup_progress AS r (history, generation, rolled_up_until)
SELECT h, pghero_internal._generation(), date_trunc('hour', now() - interval '4 days')
FROM unnest(ARRAY['statement_history', 'database_history', 'instance_history']) h
ON CONFLICT (history, generation) DO UPDATE SET rolled_up_until = excluded.rolled_up_until;
-- a statement capture and a collector run 40 days old: past
-- pghero.history_retention
INSERT INTO pghero_internal.statement_captures (generation, captured_at, since, entries, max_entries, dealloc, moved, lossy)
VALUES (pghero_internal._generation(), now() - interval '40 days', now() - interval '40 days 1 minute', 1, 10000, 0, 1, false);
INSERT INTO pghero_internal.collector_runs (started_at, finished_at, source, succeeded, generation)
VALUES (now() - interval '40 days', now() - interval '40 days', 'statements', true, pghero_internal._generation());
SELECT source, rows_written >= 6 AS rolled_up, succeeded FROM pghero.capture(ARRAY['retention']);
SELECT (SELECT count(*) FROM pghero_internal.statement_captures WHERE captured_at < now() - interval '30 days') AS old_captures_left,
	   (SELECT count(*) FROM pghero_internal.collector_runs WHERE started_at < now() - interval '30 days') AS old_runs_left;
SELECT history, generation = pghero_internal._generation() AS this_generation,
	   rolled_up_until = date_trunc('hour', now()) AS up_to_this_hour
FROM pghero_internal.rollup_progress ORDER BY history COLLATE "C";
SELECT bucket - :'t0'::timestamptz AS hour, samples, calls, total_exec_time, rows
FROM pghero_internal.statement_rollup WHERE queryid = 4242 ORDER BY bucket;
SELECT bucket - :'t0'::timestamptz AS hour, samples, seconds,
	   numbackends_max, xact_commit, tup_inserted
FROM pghero_internal.database_rollup WHERE datid = 4242 ORDER BY bucket;
SELECT bucket - :'t0'::timestamptz AS hour, samples, seconds,
	   wal_bytes, checkpoints_timed, connections_max
FROM pghero_internal.instance_rollup
WHERE bucket < date_trunc('hour', now() - interval '2 days') ORDER BY bucket;
SELECT count(*) AS raw_rows_left FROM pghero_internal.statement_history WHERE queryid = 4242;
SELECT count(*) AS old_rollups_left FROM pghero_internal.statement_rollup WHERE queryid = 4343;
SELECT calls, total_time_ms, rows
FROM pghero.query_stats_between(now() - interval '4 days', now() - interval '2 days') WHERE queryid = 4242;
SELECT count(*) AS raw_partitions_older_than_2_days
FROM pg_partition_tree('pghero_internal.statement_history') t JOIN pg_class c ON c.oid = t.relid
WHERE t.isleaf AND c.relname ~ '_p[0-9]{8}$'
  AND to_date(right(c.relname, 8), 'YYYYMMDD') < (now() AT TIME ZONE 'UTC')::date - 2;
SELECT count(*) = 1 AS tomorrow_ready
FROM pg_class WHERE relname = 'statement_history_g' || pghero_internal._generation() || '_p'
	|| to_char(now() AT TIME ZONE 'UTC' + interval '1 day', 'YYYYMMDD');

-- the issues source evaluates the checks (its feed: test feed)
SELECT source, succeeded, error FROM pghero.capture(ARRAY['issues']);
-- and the activity source writes what was sampled (test sampling)
SELECT source, succeeded, error FROM pghero.capture(ARRAY['activity']);

-- the host source (1.3): a first row without rates, then one with them
SELECT source, rows_written, succeeded, error FROM pghero.capture(ARRAY['host']);
SELECT pg_sleep(0.1);
SELECT source, rows_written, succeeded, error FROM pghero.capture(ARRAY['host']);
-- (the collector may have captured the host before: the last row is ours)
SELECT count(*) >= 2 AS rows,
	   (array_agg(seconds IS NOT NULL ORDER BY bucket_end DESC))[1] AS last_with_interval,
	   bool_and(NOT lossy) AS none_lossy,
	   bool_and(cpu_busy_percent IS NULL OR cpu_busy_percent BETWEEN 0 AND 100) AS busy_in_range
FROM pghero.host_history;

-- every source ran, and the view says so
SELECT source, runs > 0 AS ran, last_error IS NULL AS no_error, last_duration_ms >= 0 AS timed
FROM pghero.collector ORDER BY source COLLATE "C";
SELECT statements_entries > 0 AS entries, statements_max = current_setting('pg_stat_statements.max')::bigint AS max,
	   statements_fill_percent > 0 AS fill, statements_deallocations >= 0 AS dealloc
FROM pghero.collector WHERE source = 'statements';
SELECT * FROM pghero.capture(ARRAY['nonsense']);

-- the reader reads history, the admin captures
SET ROLE regress_pghero_reader;
SELECT count(*) > 0 AS reads_history FROM pghero.query_stats_between();
SELECT count(*) > 0 AS reads_collector FROM pghero.collector;
SELECT * FROM pghero.capture();
RESET ROLE;
SET ROLE regress_pghero_admin;
SELECT count(*) AS sources FROM pghero.capture(ARRAY['instance']);
RESET ROLE;
DROP TABLE regress_collector_t;

-- one list of statement counters: the rollup and the baseline have exactly
-- the counters of statement_history, with the same types, in the same order
WITH cols AS (
	SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) AS type
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	WHERE c.relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
	  AND c.relname IN ('statement_history', 'statement_rollup', 'statement_baseline')
	  AND a.attnum > 0 AND NOT a.attisdropped
	  AND a.attname IN (SELECT name FROM pghero_internal._statement_counters() WHERE NOT extreme))
SELECT relname, count(*) AS counters,
	   string_agg(attname || ' ' || type, ', ' ORDER BY attnum)
	   = (SELECT string_agg(attname || ' ' || type, ', ' ORDER BY attnum) FROM cols
		  WHERE relname = 'statement_history') AS same_as_history
FROM cols GROUP BY relname ORDER BY relname COLLATE "C";
-- the extremes (not cumulative) are in the history and the rollup, not in
-- the baseline
SELECT c.name, to_regclass('pghero_internal.statement_rollup') IN (SELECT attrelid FROM pg_attribute WHERE attname = c.name) AS in_rollup,
	   to_regclass('pghero_internal.statement_baseline') IN (SELECT attrelid FROM pg_attribute WHERE attname = c.name) AS in_baseline
FROM pghero_internal._statement_counters() c WHERE c.extreme ORDER BY c.name COLLATE "C";

-- windows and days are checked
\set VERBOSITY terse
SELECT * FROM pghero.query_stats_between(NULL, now());
SELECT * FROM pghero.query_stats_between(now(), now() - interval '1 hour');
SELECT * FROM pghero.database_activity(now(), now() - interval '1 hour');
SELECT * FROM pghero.query_history(NULL);
SELECT * FROM pghero.relation_space_history(NULL);
SELECT * FROM pghero.space_growth(2147483647);
SELECT * FROM pghero.space_growth(-1);
\set VERBOSITY default
SELECT count(*) > 0 AS all_history FROM pghero.query_stats_between('-infinity', 'infinity');
SELECT count(*) > 0 AS a_century FROM pghero.space_growth(36500);

-- a window wholly in the past needs no pg_stat_statements; one that
-- reaches now says clearly that it is missing
BEGIN;
DROP EXTENSION pg_stat_statements;
SELECT count(*) > 0 AS past_window_read, bool_and(calls > 0) AS counted
FROM pghero.query_stats_between(now() - interval '1 day', now() - interval '1 microsecond');
SAVEPOINT s;
\set VERBOSITY terse
SELECT count(*) FROM pghero.query_stats_between();
\set VERBOSITY default
ROLLBACK TO s;
SELECT count(*) > 0 AS past_history_read FROM pghero.query_history(4242, now() - interval '5 days', now() - interval '1 day');
ROLLBACK;
