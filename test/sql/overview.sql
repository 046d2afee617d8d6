--
-- pghero 1.2: the overview, one row to poll
--
SET client_min_messages = warning;

-- the columns and their types
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = 'pghero.overview'::regclass AND attnum > 0 ORDER BY attnum;

-- one row; its issue part is health()'s, its top issue one of the issues
-- alerts follow (the most severe); its instance part instance_status'
SELECT count(*) AS rows FROM pghero.overview;
SELECT o.status = h.status AS status, o.critical_issues = h.critical AS critical,
	   o.warning_issues = h.warning AS warning, o.info_issues = h.info AS info,
	   o.issues_tracked = h.tracked AS tracked,
	   (o.top_issue_key IS NULL) = (h.critical + h.warning + h.info = 0) AS top_when_any,
	   o.top_issue_severity = CASE WHEN h.critical > 0 THEN 'critical' WHEN h.warning > 0 THEN 'warning' ELSE 'info' END
	   OR o.top_issue_key IS NULL AS top_is_most_severe,
	   o.top_issue_key IS NULL
	   OR EXISTS (SELECT FROM pghero.issues i
				  WHERE i.issue_key = o.top_issue_key AND i.severity = o.top_issue_severity
					AND i.description = o.top_issue_description) AS top_is_an_issue
FROM pghero.overview o, pghero.health() h;
SELECT o.role = s.role AS role, o.server_version = current_setting('server_version') AS version,
	   o.uptime_ms > 0 AS uptime, o.connections_used >= 1 AS connected,
	   o.max_connections = s.max_connections AS max_connections,
	   o.data_available_percent BETWEEN 0 AND 100 AS data_percent,
	   o.ready_for_reads = s.ready_for_reads AS reads, o.ready_for_writes = s.ready_for_writes AS writes,
	   o.database = current_database() AS database,
	   o.database_size_bytes > 0 AND o.database_size = pg_size_pretty(o.database_size_bytes) AS size
FROM pghero.overview o, pghero.instance_status s;

-- the database's size: as the collector's space capture measured it while
-- that source runs on time; measured now otherwise
SELECT count(*) > 0 AS captured FROM pghero.capture(ARRAY['space']);
SELECT o.database_size_at = c.last_success_at AS at_capture,
	   o.database_size_bytes = (SELECT h.size_bytes FROM pghero.database_size_history h
								WHERE h.database = current_database()
								ORDER BY h.bucket_end DESC LIMIT 1) AS captured_size
FROM pghero.overview o, pghero.collector c WHERE c.source = 'space';
UPDATE pghero_internal.collector_sources SET last_success_at = now() - interval '1 day' WHERE source = 'space';
SELECT o.database_size_at > now() AS measured_now,
	   abs(o.database_size_bytes - pg_database_size(current_database())) < 1048576 AS live_size
FROM pghero.overview o;

-- the activity of the last minute: two captures around 1,000 inserted
-- rows in 10 transactions; the rates are those of the captures it names
CREATE TABLE regress_overview (id integer);
SELECT count(*) > 0 AS captured FROM pghero.capture(ARRAY['database_activity']);
DO $$
BEGIN
	FOR i IN 1 .. 10 LOOP
		INSERT INTO regress_overview SELECT generate_series(1, 100);
		COMMIT;
	END LOOP;
END
$$;
SELECT pg_sleep(0.1);
SELECT count(*) > 0 AS captured FROM pghero.capture(ARRAY['database_activity']);
WITH o AS (SELECT *, date_part('epoch', activity_to - activity_from) AS seconds FROM pghero.overview),
h AS (SELECT sum(commits + rollbacks) AS xacts, max(bucket_end) AS last_end
	  FROM pghero.database_activity_history
	  WHERE tier = 'raw' AND bucket_end > now() - interval '1 minute')
SELECT o.activity_to = h.last_end AS latest_capture,
	   o.activity_from < o.activity_to AS window,
	   o.rows_written_per_second * o.seconds >= 1000 AS rows_written,
	   o.tps * o.seconds >= 10 AS transactions,
	   abs(o.tps * o.seconds - h.xacts) <= 0.001 * o.seconds AS tps_is_history,
	   o.rows_read_per_second >= 0 AS rows_read,
	   o.cache_hit_percent BETWEEN 0 AND 100 AS cache_hit,
	   (o.activity_note IS NULL) = NOT o.activity_lossy AS note_when_lossy
FROM o, h;

-- a reader reads it
CREATE ROLE regress_overview_reader LOGIN;
GRANT pghero_reader TO regress_overview_reader;
SET ROLE regress_overview_reader;
SELECT count(*) AS rows, bool_and(tps IS NOT NULL) AS activity FROM pghero.overview;
RESET ROLE;

DROP ROLE regress_overview_reader;
DROP TABLE regress_overview;
