-- pghero 1.3: activity sampling (src/sampler.c) and its readers.  The
-- collector does not run in this database, so only the samples taken here
-- (pghero_internal._activity_sample(), which leaves this session out) are
-- counted: each capture's bucket has exactly the samples taken since the
-- last one.
SET client_min_messages = warning;

-- start from an empty shared memory: whatever was sampled is written
SELECT pghero_internal._activity_sample() AS sampled;
SELECT source, succeeded, error FROM pghero.capture(ARRAY['activity']);

-- three samples, one bucket of three ticks
SELECT pghero_internal._activity_sample(), pghero_internal._activity_sample(),
	   pghero_internal._activity_sample();
SELECT source, succeeded, error FROM pghero.capture(ARRAY['activity']);
SELECT ticks, dropped, since < captured_at AS ordered
FROM pghero_internal.activity_buckets ORDER BY captured_at DESC LIMIT 1;
-- no samples since: nothing to write, no bucket
SELECT count(*) AS buckets_before FROM pghero_internal.activity_buckets \gset
SELECT source, rows_written, succeeded FROM pghero.capture(ARRAY['activity']);
SELECT count(*) - :buckets_before AS new_buckets FROM pghero_internal.activity_buckets;

-- a capture rolled back leaves its samples in shared memory: the next one
-- writes them (one bucket of two ticks, then one of one)
SELECT pghero_internal._activity_sample(), pghero_internal._activity_sample();
BEGIN;
SELECT source, succeeded FROM pghero.capture(ARRAY['activity']);
ROLLBACK;
SELECT pghero_internal._activity_sample();
SELECT source, succeeded FROM pghero.capture(ARRAY['activity']);
SELECT array_agg(ticks ORDER BY captured_at) AS ticks
FROM (SELECT * FROM pghero_internal.activity_buckets ORDER BY captured_at DESC LIMIT 2) b;

-- so does a capture whose subtransaction is rolled back, and the same
-- transaction may then capture again; twice in one transaction is refused
SELECT count(*) AS buckets_before FROM pghero_internal.activity_buckets \gset
SELECT pghero_internal._activity_sample();
BEGIN;
SAVEPOINT s;
SELECT written >= 0 AS wrote FROM pghero_internal._capture_activity();
ROLLBACK TO SAVEPOINT s;
SELECT count(*) - :buckets_before AS new_buckets FROM pghero_internal.activity_buckets;
SELECT written >= 0 AS wrote FROM pghero_internal._capture_activity();
SELECT written FROM pghero_internal._capture_activity();
ROLLBACK;
SELECT source, succeeded FROM pghero.capture(ARRAY['activity']);
SELECT ticks FROM pghero_internal.activity_buckets ORDER BY captured_at DESC LIMIT 1;

-- every row of history belongs to a bucket of its generation, and the
-- average is samples over ticks
SELECT count(*) AS orphans FROM pghero_internal.activity_history h
WHERE NOT EXISTS (SELECT FROM pghero_internal.activity_buckets b
				  WHERE b.generation = h.generation AND b.captured_at = h.captured_at);
SELECT count(*) AS wrong_averages FROM pghero.activity_history
WHERE average_sessions <> samples::float8 / ticks OR bucket_start >= bucket_end;

-- the readers, over the last hour and over everything
SELECT count(*) >= 0 AS waits FROM pghero.wait_events();
SELECT count(*) >= 0 AS series FROM pghero.active_sessions('-infinity', 'infinity');
SELECT count(*) = 0 AS no_share_over_100
FROM pghero.wait_events('-infinity', 'infinity') WHERE share_percent > 100;
SELECT * FROM pghero.wait_events('2026-01-02', '2026-01-01');
SELECT * FROM pghero.active_sessions(NULL, now());

-- a reader reads them; only an admin captures
CREATE ROLE regress_pghero_sampling_reader;
GRANT pghero_reader TO regress_pghero_sampling_reader;
SET ROLE regress_pghero_sampling_reader;
SELECT count(*) >= 0 AS reads FROM pghero.activity_history;
SELECT count(*) >= 0 AS reads FROM pghero.session_log;
SELECT count(*) >= 0 AS reads FROM pghero.wait_events();
SELECT count(*) >= 0 AS reads FROM pghero.active_sessions();
SELECT pghero_internal._activity_sample();
SELECT * FROM pghero.capture(ARRAY['activity']);
RESET ROLE;
DROP ROLE regress_pghero_sampling_reader;
