--
-- pghero 1.2: history as views a BI tool can browse, the window functions
-- over the same definitions, partition pruning, and one name space for
-- people (runs after collector.sql, whose history it finds in place)
--
SET client_min_messages = warning;

-- A statement with raw rows one day ago (kept) and hourly rows: one for an
-- hour whose raw rows are kept (the rollup of those rows: not counted
-- twice), one four days ago, whose raw rows retention has dropped
SELECT pghero_internal._ensure_partition('statement_history', now() - interval '1 day') IS NOT NULL AS made,
	   pghero_internal._ensure_partition('statement_rollup', now() - interval '1 day') IS NOT NULL AS made,
	   pghero_internal._ensure_partition('statement_rollup', now() - interval '4 days') IS NOT NULL AS made;
INSERT INTO pghero_internal.statement_history (generation, captured_at, since, dbid, userid, queryid, toplevel, calls, total_exec_time, rows)
SELECT pghero_internal._generation(), date_trunc('hour', now() - interval '1 day') + m * interval '1 minute',
	   date_trunc('hour', now() - interval '1 day') + (m - 1) * interval '1 minute',
	   1, 10, 5151, true, 2, 3.0, 1
FROM generate_series(1, 59) m;
INSERT INTO pghero_internal.statement_rollup (generation, bucket, dbid, userid, queryid, toplevel, samples, calls, total_exec_time, rows)
VALUES (pghero_internal._generation(), date_trunc('hour', now() - interval '1 day'), 1, 10, 5151, true, 59, 118, 177.0, 59),
	   (pghero_internal._generation(), date_trunc('hour', now() - interval '4 days'), 1, 10, 5151, true, 60, 7, 14.0, 7);
SELECT tier, count(*) AS buckets, sum(calls) AS calls, sum(total_time_ms) AS total_time_ms,
	   bool_and(bucket_end - bucket_start = CASE tier WHEN 'hourly' THEN interval '1 hour' ELSE interval '1 minute' END) AS bucket_widths
FROM pghero.query_stats_history WHERE queryid = 5151
GROUP BY tier ORDER BY tier COLLATE "C";

-- the window functions return what the views hold for the same window
SELECT calls, total_time_ms, rows
FROM pghero.query_stats_between(now() - interval '5 days', now() - interval '1 hour') WHERE queryid = 5151;
SELECT calls, total_time_ms FROM pghero.query_stats_between(now() - interval '5 days', date_trunc('hour', now() - interval '1 day'))
WHERE queryid = 5151;
WITH f AS (
	SELECT generation, dbid, userid, queryid, calls, rows, total_time_ms
	FROM pghero.query_stats_between(now() - interval '10 days', now() - interval '1 second')),
v AS (
	SELECT generation, dbid, userid, queryid, sum(calls)::bigint AS calls, sum(rows)::bigint AS rows,
		   sum(total_time_ms) AS total_time_ms
	FROM pghero.query_stats_history
	WHERE bucket_start >= now() - interval '10 days' AND bucket_start < now() - interval '1 second'
	GROUP BY generation, dbid, userid, queryid
	HAVING sum(calls) > 0)
SELECT (SELECT count(*) FROM f) > 0 AS has_statements,
	   (SELECT count(*) FROM f FULL JOIN v USING (generation, dbid, userid, queryid)
		WHERE f.calls IS DISTINCT FROM v.calls OR f.rows IS DISTINCT FROM v.rows
		   OR abs(f.total_time_ms - v.total_time_ms) > 0.01
		   OR f.calls IS NULL OR v.calls IS NULL) AS differences;
SELECT count(*) AS query_history_buckets, sum(calls) AS calls
FROM pghero.query_history(5151, now() - interval '5 days', now() - interval '1 hour');
SELECT (SELECT count(*) FROM (SELECT * FROM pghero.database_activity(now() - interval '10 days', now())
							  EXCEPT ALL
							  SELECT * FROM pghero.database_activity_history
							  WHERE bucket_start >= now() - interval '10 days' AND bucket_start < now()) d) AS database_only_in_function,
	   (SELECT count(*) FROM (SELECT * FROM pghero.database_activity_history
							  WHERE bucket_start >= now() - interval '10 days' AND bucket_start < now()
							  EXCEPT ALL
							  SELECT * FROM pghero.database_activity(now() - interval '10 days', now())) d) AS database_only_in_view,
	   (SELECT count(*) FROM pghero.database_activity(now() - interval '10 days', now())) > 0 AS database_rows,
	   (SELECT count(*) FROM (SELECT * FROM pghero.instance_activity(now() - interval '10 days', now())
							  EXCEPT ALL
							  SELECT * FROM pghero.instance_activity_history
							  WHERE bucket_start >= now() - interval '10 days' AND bucket_start < now()) d) AS instance_only_in_function,
	   (SELECT count(*) FROM (SELECT * FROM pghero.instance_activity_history
							  WHERE bucket_start >= now() - interval '10 days' AND bucket_start < now()
							  EXCEPT ALL
							  SELECT * FROM pghero.instance_activity(now() - interval '10 days', now())) d) AS instance_only_in_view,
	   (SELECT count(*) FROM pghero.instance_activity(now() - interval '10 days', now())) > 0 AS instance_rows,
	   (SELECT count(*) FROM (SELECT * FROM pghero.io_activity(now() - interval '10 days', now())
							  EXCEPT ALL
							  SELECT * FROM pghero.io_activity_history
							  WHERE bucket_start >= now() - interval '10 days' AND bucket_start < now()) d) AS io_only_in_function;

-- A WHERE bucket_start >= X from a client skips the partitions that end
-- before X, in both tiers (hourly: partition pruning on bucket_start; raw:
-- each partition's CHECK on where its intervals start); X is the start of
-- today in UTC, where today's partitions start
CREATE FUNCTION pg_temp.partitions_scanned(query text)
RETURNS TABLE (parent text, scanned bigint, total bigint)
LANGUAGE plpgsql AS $$
DECLARE
	line text;
	lines text[] := '{}';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		lines := lines || line;
	END LOOP;
	RETURN QUERY
	SELECT t.parent, (SELECT count(*) FROM unnest(lines) l
					  WHERE l ~ (t.parent || '_g[0-9]+_p[0-9]{8}')),
		   (SELECT count(*) FROM pg_partition_tree(('pghero_internal.' || t.parent)::regclass) p
			WHERE p.isleaf)
	FROM unnest(ARRAY['statement_history', 'statement_rollup']) t(parent);
END
$$;
SELECT parent, scanned = total AS all_scanned, total >= 3 AS has_older_partitions
FROM pg_temp.partitions_scanned('SELECT * FROM pghero.query_stats_history');
SELECT parent, scanned < total AS pruned, scanned >= 1 AS reads_the_recent_ones
FROM pg_temp.partitions_scanned(format('SELECT * FROM pghero.query_stats_history WHERE bucket_start >= %L',
									   date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'));
SELECT parent, scanned < total AS pruned
FROM pg_temp.partitions_scanned(format('SELECT queryid, sum(calls) FROM pghero.query_stats_history WHERE bucket_start >= %L AND bucket_start < %L GROUP BY queryid',
									   date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', now()));

-- sizes, databases and collector runs are there from the first captures
SELECT count(*) > 0 AS relation_sizes, bool_and(bucket_start = bucket_end) AS instants
FROM pghero.relation_size_history;
SELECT count(*) > 0 AS this_database_size FROM pghero.database_size_history WHERE database = current_database();
SELECT source, bool_or(succeeded) AS succeeded, bool_and(duration_ms >= 0) AS timed,
	   bool_and(bucket_end >= bucket_start) AS ordered
FROM pghero.collector_runs WHERE source IN ('statements', 'space')
GROUP BY source ORDER BY source COLLATE "C";

-- one name space for people: schema pghero holds views and functions
-- only, none internal, no view and function of the same name, no column
-- that is a reserved word
SELECT relname, relkind FROM pg_class
WHERE relnamespace = 'pghero'::regnamespace AND relkind <> 'v';
SELECT proname FROM pg_proc
WHERE pronamespace = 'pghero'::regnamespace AND proname LIKE '\_%';
SELECT p.proname AS view_and_function
FROM pg_proc p JOIN pg_class c ON c.relname = p.proname AND c.relnamespace = p.pronamespace
WHERE p.pronamespace = 'pghero'::regnamespace;
SELECT c.relname, a.attname AS reserved_column
FROM pg_class c
	 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	 JOIN pg_get_keywords() k ON k.word = a.attname AND k.catcode IN ('R', 'T')
WHERE c.relnamespace = 'pghero'::regnamespace
UNION ALL
SELECT p.proname, n
FROM pg_proc p
	 CROSS JOIN LATERAL unnest(p.proargnames) n
	 JOIN pg_get_keywords() k ON k.word = n AND k.catcode IN ('R', 'T')
WHERE p.pronamespace = 'pghero'::regnamespace;

-- everything schema pghero lists, pghero_reader may read or call (the
-- actions then tell a reader which role to ask for)
SELECT c.relname AS not_readable FROM pg_class c
WHERE c.relnamespace = 'pghero'::regnamespace
  AND NOT has_table_privilege('pghero_reader', c.oid, 'SELECT');
SELECT p.oid::regprocedure AS not_callable FROM pg_proc p
WHERE p.pronamespace = 'pghero'::regnamespace
  AND NOT has_function_privilege('pghero_reader', p.oid, 'EXECUTE');

-- whoever browses schema pghero_internal finds every table and partition
-- commented
SELECT count(*) > 10 AS tables, count(*) FILTER (WHERE obj_description(oid, 'pg_class') IS NULL) AS uncommented
FROM pg_class
WHERE relnamespace = 'pghero_internal'::regnamespace AND relkind IN ('r', 'p', 'v');

-- a reader reads every history view, and no history table
SET ROLE regress_pghero_reader;
SELECT count(*) >= 0 AS query_stats_history FROM pghero.query_stats_history;
SELECT count(*) >= 0 AS database_activity_history FROM pghero.database_activity_history;
SELECT count(*) >= 0 AS instance_activity_history FROM pghero.instance_activity_history;
SELECT count(*) >= 0 AS io_activity_history FROM pghero.io_activity_history;
SELECT count(*) >= 0 AS relation_size_history FROM pghero.relation_size_history;
SELECT count(*) >= 0 AS database_size_history FROM pghero.database_size_history;
SELECT count(*) >= 0 AS collector_runs FROM pghero.collector_runs;
SELECT count(*) FROM pghero_internal.statement_history;
RESET ROLE;

DELETE FROM pghero_internal.statement_history WHERE queryid = 5151;
DELETE FROM pghero_internal.statement_rollup WHERE queryid = 5151;

-- query_stats_between (1.3) reads the whole hours of its window that are
-- rolled up from their hourly rows: the same sums as the raw rows, which
-- the window counts by bucket_start.  Two days ago (one day's partition,
-- whatever the time of day), captures every 10 minutes from 10:00 to
-- 14:00 UTC, then none until 16:30 (one interval of 2.5 hours), then 16:40
-- and 16:50; statement 6161 moves in every one (calls = minute of the day,
-- so every sum tells its rows apart), statement 6262 is new at 12:20
-- (counted whole: its bucket starts at its capture); every hour rolled up
-- by the retention's own _rollup()
SELECT pghero_internal._ensure_partition('statement_history', now() - interval '2 days') IS NOT NULL AS made,
	   pghero_internal._ensure_partition('statement_rollup', now() - interval '2 days') IS NOT NULL AS made;
SELECT date_trunc('day', now() - interval '2 days', 'UTC') AS d \gset
CREATE TEMP TABLE caps AS
SELECT :'d'::timestamptz + t AS captured_at, :'d'::timestamptz + s AS since
FROM (VALUES ('10:10'::interval, '10:00'::interval), ('10:20', '10:10'), ('10:30', '10:20'),
			 ('10:40', '10:30'), ('10:50', '10:40'), ('11:00', '10:50'), ('11:10', '11:00'),
			 ('11:20', '11:10'), ('11:30', '11:20'), ('11:40', '11:30'), ('11:50', '11:40'),
			 ('12:00', '11:50'), ('12:10', '12:00'), ('12:20', '12:10'), ('12:30', '12:20'),
			 ('12:40', '12:30'), ('12:50', '12:40'), ('13:00', '12:50'), ('13:10', '13:00'),
			 ('13:20', '13:10'), ('13:30', '13:20'), ('13:40', '13:30'), ('13:50', '13:40'),
			 ('14:00', '13:50'), ('16:30', '14:00'), ('16:40', '16:30'), ('16:50', '16:40')) v(t, s);
INSERT INTO pghero_internal.statement_captures (generation, captured_at, since, entries, moved, lossy)
SELECT pghero_internal._generation(), c.captured_at, c.since, 2, 2, false FROM caps c;
INSERT INTO pghero_internal.statement_history (generation, captured_at, since, dbid, userid, queryid, toplevel, calls, total_exec_time, rows)
SELECT pghero_internal._generation(), c.captured_at, c.since, 1, 10, 6161, true,
	   extract(epoch FROM c.captured_at - :'d'::timestamptz)::bigint / 60, 1.0, 1
FROM caps c
UNION ALL
SELECT pghero_internal._generation(), c.captured_at, CASE WHEN c.captured_at = :'d'::timestamptz + '12:20' THEN NULL ELSE c.since END,
	   1, 10, 6262, true, 1000 * extract(epoch FROM c.captured_at - :'d'::timestamptz)::bigint / 60, 1.0, 1
FROM caps c WHERE c.captured_at >= :'d'::timestamptz + '12:20';
SELECT pghero_internal._rollup('statement_history', 'statement_rollup', pghero_internal._generation(),
							   :'d'::timestamptz + '10:00', :'d'::timestamptz + '17:00') AS hourly_rows;
-- every window between these times: query_stats_between counts what the
-- raw rows (query_stats_history) count
CREATE TEMP TABLE edges AS
SELECT :'d'::timestamptz + t AS t
FROM unnest('{09:00,10:00,10:05,10:10,10:15,11:00,11:05,11:10,12:00,12:15,12:20,12:25,13:00,14:00,14:05,15:00,16:00,16:30,16:35,17:00}'::interval[]) t;
SELECT count(*) AS windows,
	   count(*) FILTER (WHERE f.calls IS DISTINCT FROM v.calls) AS differences,
	   count(*) FILTER (WHERE v.calls IS NOT NULL) AS windows_with_calls
FROM edges s JOIN edges e ON s.t < e.t
	 CROSS JOIN (VALUES (6161), (6262)) q(queryid)
	 LEFT JOIN LATERAL (SELECT sum(b.calls) AS calls FROM pghero.query_stats_between(s.t, e.t) b
						WHERE b.queryid = q.queryid) f ON true
	 LEFT JOIN LATERAL (SELECT sum(h.calls) AS calls FROM pghero.query_stats_history h
						WHERE h.queryid = q.queryid AND h.bucket_start >= s.t AND h.bucket_start < e.t) v ON true;
-- and the whole hours are read from the hourly rows: with 100,000 calls
-- more in the hourly row of 11:00 (not in the raw rows), a window holding
-- the whole hour and the intervals of its captures sees them; one that
-- starts after 10:50 (where the interval of the capture at 11:00 starts),
-- or ends before 12:00, reads the raw rows
UPDATE pghero_internal.statement_rollup SET calls = calls + 100000
WHERE queryid = 6161 AND bucket = :'d'::timestamptz + '11:00';
SELECT w.s AS start_at, w.e AS end_at,
	   (SELECT sum(b.calls) FROM pghero.query_stats_between(:'d'::timestamptz + w.s::interval, :'d'::timestamptz + w.e::interval) b
		WHERE b.queryid = 6161) AS calls
FROM (VALUES ('10:50', '12:00'), ('10:00', '13:00'), ('10:55', '13:00'),
			 ('10:00', '11:55'), ('11:00', '12:00')) w(s, e);
DELETE FROM pghero_internal.statement_history WHERE queryid IN (6161, 6262);
DELETE FROM pghero_internal.statement_rollup WHERE queryid IN (6161, 6262);
DELETE FROM pghero_internal.statement_captures c USING caps WHERE c.captured_at = caps.captured_at;
