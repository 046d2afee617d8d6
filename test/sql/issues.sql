--
-- pghero.issues: each check that SQL can set up fires on a fixture and
-- is gone once the fixture is fixed; health() follows; a reader reads it
--
SET client_min_messages = warning;

-- test collector ran every source, issues too, so that pghero.issues would
-- take first_seen and last_seen from its evaluation and health() its open
-- issues: forget that run, this test reads the live list (the tracked one
-- is tested in feed)
UPDATE pghero_internal.collector_sources SET last_success_at = NULL WHERE source = 'issues';

-- the issues of this test's own objects (and cluster-wide ones), without
-- volatile numbers
CREATE FUNCTION regress_issues() RETURNS TABLE (issue_key text, check_name text, category text,
											   severity text, object text, described boolean,
											   fix text)
LANGUAGE sql AS $$
	SELECT i.issue_key, i.check_name, i.category, i.severity, i.object,
		   i.description IS NOT NULL AND i.details IS NOT NULL, pg_catalog.left(i.remediation, 60)
	FROM pghero.issues i
	WHERE i.object LIKE 'public.regress_issues%'
	   OR i.object LIKE 'regress_issues%'
	   OR i.check_name IN ('temp_file_spills', 'checkpoints_requested', 'collector_failing')
	ORDER BY i.issue_key COLLATE "C"
$$;

-- wait until the cumulative statistics show what this session did
CREATE FUNCTION regress_issues_wait(q text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
	ok boolean;
BEGIN
	FOR i IN 1 .. 300 LOOP
		PERFORM pg_stat_clear_snapshot();
		EXECUTE q INTO ok;
		IF ok THEN
			RETURN true;
		END IF;
		PERFORM pg_sleep(0.1);
	END LOOP;
	RETURN false;
END
$$;

-- the columns and their types
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = 'pghero.issues'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = 'pghero.issue_counts'::regclass AND attnum > 0 ORDER BY attnum;

-- the thresholds of 1.2, with their bounds
SELECT lock_wait_threshold, xmin_horizon_age, prepared_xact_age, temp_bytes_threshold,
	   checkpoint_requested_percent, bloat_percent_threshold, disk_free_percent
FROM pghero.config();
SET pghero.bloat_percent_threshold = 101;
DO $$
BEGIN
	SET pghero.lock_wait_threshold = -1;
EXCEPTION WHEN invalid_parameter_value THEN
	RAISE WARNING 'pghero.lock_wait_threshold = -1: %', sqlstate;
END
$$;
SET pghero.xmin_horizon_age = 0;
SET pghero.temp_bytes_threshold = '1GB';
SELECT temp_bytes_threshold FROM pghero.config();
RESET pghero.temp_bytes_threshold;
SET pghero.disk_free_percent = 101;
SET pghero.disk_free_percent = -1;

-- the machine's free disk space is not this test's: no disk_space_low,
-- but where this test asks for it
SET pghero.disk_free_percent = 0;
-- nor are its CPU and swap: no cpu_saturated (the host history the
-- collector wrote during the tests before is removed; it captures once a
-- minute, and the check needs two captures with an interval, more than the
-- rest of the suite lasts) and no swapping (test/t/020_host.pl tests both)
WITH d AS (DELETE FROM pghero_internal.host_history RETURNING 1)
SELECT count(*) >= 0 AS host_history_cleared FROM d;
SET pghero.swap_pages_per_second = 2147483647;

-- nothing of this test's yet; every row is well formed; what the tests
-- before left
SELECT * FROM regress_issues();
SELECT check_name, severity, object FROM pghero.issues
WHERE check_name NOT IN ('slow_query', 'cache_hit_rate', 'temp_file_spills')
  AND category <> 'security'	-- the test server's pg_hba.conf; see security_checks
ORDER BY issue_key COLLATE "C";
SELECT count(*) AS malformed FROM pghero.issues
WHERE category NOT IN ('availability', 'performance', 'maintenance', 'capacity', 'security')
   OR severity NOT IN ('critical', 'warning', 'info')
   OR description IS NULL OR remediation IS NULL OR details IS NULL
   OR issue_key <> check_name || ':' || concat_ws('.', database, object)
   OR first_seen IS NOT NULL OR last_seen <> now();
SELECT count(*) AS own FROM pghero.issues
WHERE object LIKE 'pghero.%' OR object LIKE 'pghero_internal.%';
SELECT count(*) AS duplicate_keys FROM (SELECT issue_key FROM pghero.issues GROUP BY 1 HAVING count(*) > 1) d;

-- fixtures
CREATE TABLE regress_issues_t (id serial PRIMARY KEY, v integer)
	WITH (autovacuum_enabled = false);
INSERT INTO regress_issues_t (v) SELECT g FROM generate_series(1, 20000) g;
CREATE INDEX regress_issues_t_v ON regress_issues_t (v);
CREATE INDEX regress_issues_t_v_dup ON regress_issues_t (v);
ALTER TABLE regress_issues_t ADD CONSTRAINT regress_issues_t_check CHECK (v > 0) NOT VALID;
CREATE TABLE regress_issues_dups (v integer);
INSERT INTO regress_issues_dups VALUES (1), (1);
CREATE UNIQUE INDEX CONCURRENTLY regress_issues_dups_v ON regress_issues_dups (v);
CREATE SEQUENCE regress_issues_seq;
CREATE TABLE regress_issues_s (id integer DEFAULT nextval('regress_issues_seq'));
ALTER SEQUENCE regress_issues_seq OWNED BY regress_issues_s.id;
SELECT setval('regress_issues_seq', 2100000000) > 0 AS set;
SELECT (pg_create_physical_replication_slot('regress_issues_slot')).slot_name;
DELETE FROM regress_issues_t WHERE id > 1000;
ANALYZE regress_issues_t;
SELECT pg_sleep(1.1);
SELECT regress_issues_wait('SELECT n_dead_tup > 0 FROM pg_stat_user_tables WHERE relname = ''regress_issues_t''') AS counted;
SET pghero.index_bloat_min_bytes = 0;
SET pghero.unused_index_min_bytes = 0;
SELECT * FROM regress_issues();
-- wraparound: with the danger threshold at its maximum every table is in danger
SET pghero.transaction_id_danger = 2147483647;
SELECT issue_key, category, severity FROM pghero.issues
WHERE check_name IN ('transaction_id_wraparound', 'multixact_wraparound')
  AND object LIKE 'public.regress_issues_t'
ORDER BY issue_key COLLATE "C";
SELECT count(*) > 0 AS databases_too FROM pghero.issues
WHERE check_name = 'transaction_id_wraparound' AND object IS NULL AND database = current_database();
SELECT description ~ '^Table public\.regress_issues_t is \d+ transactions old: writes will stop in about \d+ transactions' AS says_impact
FROM pghero.issues WHERE issue_key = 'transaction_id_wraparound:' || current_database() || '.public.regress_issues_t';
RESET pghero.transaction_id_danger;
-- an anti-wraparound autovacuum is near
ALTER TABLE regress_issues_s SET (autovacuum_freeze_max_age = 100000);
SELECT issue_key, severity FROM pghero.issues WHERE check_name = 'anti_wraparound_vacuum' AND object LIKE 'public.regress_issues%';
ALTER TABLE regress_issues_s RESET (autovacuum_freeze_max_age);
-- temporary files
SET work_mem = '64kB';
SELECT count(*) FROM (SELECT g FROM generate_series(1, 100000) g ORDER BY g DESC) x;
RESET work_mem;
SELECT pg_sleep(1.1);
SELECT regress_issues_wait('SELECT temp_bytes > 0 FROM pg_stat_database WHERE datname = current_database()') AS counted;
SET pghero.temp_bytes_threshold = 0;
SELECT issue_key = 'temp_file_spills:' || current_database() AS key, severity FROM pghero.issues WHERE check_name = 'temp_file_spills' AND database = current_database();
RESET pghero.temp_bytes_threshold;
-- slow statements: everything is slow with thresholds at 0
SET pghero.slow_query_ms = 0;
SET pghero.slow_query_calls = 1;
SELECT count(*) > 0 AS slow, bool_and(issue_key = 'slow_query:' || database || '.' || object) AS keyed
FROM pghero.issues WHERE check_name = 'slow_query';
RESET pghero.slow_query_ms;
RESET pghero.slow_query_calls;
-- the collector's failing source
UPDATE pghero_internal.collector_sources
SET last_error = 'regress failure', last_error_at = now() WHERE source = 'space';
SELECT issue_key = 'collector_failing:' || current_database() || '.space' AS key, severity
FROM pghero.issues WHERE check_name = 'collector_failing';
UPDATE pghero_internal.collector_sources
SET last_error = NULL, last_error_at = NULL WHERE source = 'space';
-- checkpoints requested rather than timed
CHECKPOINT; CHECKPOINT; CHECKPOINT; CHECKPOINT; CHECKPOINT;
CHECKPOINT; CHECKPOINT; CHECKPOINT; CHECKPOINT; CHECKPOINT;
SELECT regress_issues_wait('SELECT count(*) = 1 FROM pghero.issues WHERE check_name = ''checkpoints_requested''') AS counted;
SELECT issue_key, severity FROM pghero.issues WHERE check_name = 'checkpoints_requested';
SELECT pg_stat_reset_shared(CASE WHEN current_setting('server_version_num')::integer >= 170000
								 THEN 'checkpointer' ELSE 'bgwriter' END);
SELECT regress_issues_wait('SELECT count(*) = 0 FROM pghero.issues WHERE check_name = ''checkpoints_requested''') AS after_reset;

-- disk space: below 100 % every file system is low; critical below half
-- the threshold; the numbers are those of pghero.instance_status; at 0
-- none is
SET pghero.disk_free_percent = 100;
SELECT i.issue_key, i.category, i.database IS NULL AS instance_wide,
	   i.severity = CASE WHEN least((i.details->>'available_percent')::numeric,
									coalesce((i.details->>'inodes_free_percent')::numeric, 100)) < 50
						 THEN 'critical' ELSE 'warning' END AS severity_by_rule,
	   abs((i.details->>'available_bytes')::numeric - s.data_available_bytes) < 0.01 * s.data_total_bytes AS same_numbers,
	   (i.details->>'total_bytes')::numeric = s.data_total_bytes AS same_total,
	   i.description LIKE 'The file system of the data directory has %' AS described,
	   i.remediation LIKE 'Grow the file system%' AS fix
FROM pghero.issues i, pghero.instance_status s
WHERE i.check_name = 'disk_space_low' AND i.object = 'data';
SET pghero.disk_free_percent = 0;
SELECT count(*) AS low_disks FROM pghero.issues WHERE check_name = 'disk_space_low';

-- health() and issue_counts follow: warning, then critical once a column
-- is within 1 % of its maximum
SELECT status, critical = 0 AS no_critical, warning > 0 AS warnings FROM pghero.health();
SELECT setval('regress_issues_seq', 2140000000) > 0 AS set;
SELECT severity FROM pghero.issues WHERE check_name = 'sequence_near_max' AND object = 'public.regress_issues_s.id';
SELECT status, critical AS criticals FROM pghero.health();
SELECT * FROM pghero.issue_counts
WHERE check_name NOT IN ('transaction_id_wraparound', 'multixact_wraparound', 'slow_query', 'unused_index', 'cache_hit_rate', 'temp_file_spills')
  AND check_name IN (SELECT check_name FROM pghero.issues WHERE category <> 'security')
ORDER BY severity COLLATE "C", check_name COLLATE "C";

-- a reader reads them
CREATE ROLE regress_issues_reader LOGIN;
GRANT pghero_reader TO regress_issues_reader;
SET ROLE regress_issues_reader;
SELECT * FROM regress_issues();
SELECT status FROM pghero.health();
SELECT count(*) > 0 AS counted FROM pghero.issue_counts;
RESET ROLE;

-- fixed, they are gone
RESET pghero.index_bloat_min_bytes;
RESET pghero.unused_index_min_bytes;
SELECT pg_drop_replication_slot('regress_issues_slot');
DROP INDEX regress_issues_t_v_dup;
DROP INDEX regress_issues_dups_v;
ALTER TABLE regress_issues_t VALIDATE CONSTRAINT regress_issues_t_check;
ALTER TABLE regress_issues_t RESET (autovacuum_enabled);
VACUUM regress_issues_t;
SELECT pg_sleep(1.1);
SELECT regress_issues_wait('SELECT n_dead_tup = 0 FROM pg_stat_user_tables WHERE relname = ''regress_issues_t''') AS counted;
ALTER SEQUENCE regress_issues_seq AS bigint;
ALTER TABLE regress_issues_s ALTER COLUMN id TYPE bigint;
SELECT * FROM regress_issues();
SELECT check_name, severity, object FROM pghero.issues
WHERE check_name NOT IN ('slow_query', 'cache_hit_rate', 'temp_file_spills')
  AND category <> 'security'	-- the test server's pg_hba.conf; see security_checks
ORDER BY issue_key COLLATE "C";

DROP TABLE regress_issues_t, regress_issues_dups, regress_issues_s;
DROP ROLE regress_issues_reader;
DROP FUNCTION regress_issues(), regress_issues_wait(text);
