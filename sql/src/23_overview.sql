/* sql/src/23_overview.sql */

--------------------------------------------------------------------------
-- The overview (1.2): one row, cheap enough to poll every few seconds --
-- the issues alerts follow (their counts and the top one), a few facts of
-- the instance, its activity over the last minute and this database's
-- size.  Its cost is that of its parts: the collector's tracked issues (a
-- small table; every check is evaluated only when the collector does not
-- track them), pghero.instance_status, the raw history of the last minute
-- and the database's size from the collector's last space capture (measured
-- now only when the collector does not capture it).
--------------------------------------------------------------------------

-- The activity of the whole instance (every database summed) over the
-- captures of the last minute, from the raw database history this
-- installation wrote; NULL numbers and a note saying why when there is
-- none, or when the history is locked (it never waits for it)
CREATE FUNCTION pghero_internal._recent_activity(
	OUT activity_from timestamptz, OUT activity_to timestamptz,
	OUT tps float8, OUT rows_read_per_second float8, OUT rows_written_per_second float8,
	OUT cache_hit_percent numeric, OUT activity_lossy boolean, OUT activity_note text)
RETURNS record
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	from_ts timestamptz := pg_catalog.now() - interval '1 minute';
	gen integer := pghero_internal._generation();
	seconds float8;
	xacts numeric;
	rows_read numeric;
	rows_written numeric;
	hits numeric;
	reads numeric;
BEGIN
	SELECT pg_catalog.min(coalesce(h.since, h.captured_at)), pg_catalog.max(h.captured_at),
		   pg_catalog.sum(coalesce(h.xact_commit, 0) + coalesce(h.xact_rollback, 0)),
		   pg_catalog.sum(coalesce(h.tup_returned, 0) + coalesce(h.tup_fetched, 0)),
		   pg_catalog.sum(coalesce(h.tup_inserted, 0) + coalesce(h.tup_updated, 0) + coalesce(h.tup_deleted, 0)),
		   pg_catalog.sum(coalesce(h.blks_hit, 0)), pg_catalog.sum(coalesce(h.blks_read, 0)),
		   pg_catalog.bool_or(coalesce(h.lossy, false))
	INTO activity_from, activity_to, xacts, rows_read, rows_written, hits, reads, activity_lossy
	FROM pghero_internal.database_history h
	WHERE h.generation = gen
	  AND h.captured_at > from_ts;

	IF activity_to IS NULL THEN
		activity_note := 'no capture of database activity in the last minute: see pghero.collector (is the collector running, and pghero.capture_interval at most 1min?)';
		RETURN;
	END IF;
	seconds := pg_catalog.date_part('epoch', activity_to - activity_from);
	IF seconds <= 0 THEN
		activity_note := 'the captures of the last minute span no time yet';
		RETURN;
	END IF;
	tps := pg_catalog.round((xacts / seconds::numeric), 3)::float8;
	rows_read_per_second := pg_catalog.round((rows_read / seconds::numeric), 3)::float8;
	rows_written_per_second := pg_catalog.round((rows_written / seconds::numeric), 3)::float8;
	cache_hit_percent := pg_catalog.round(100.0 * hits / NULLIF(hits + reads, 0), 2);
	IF activity_lossy THEN
		activity_note := 'the captures of the last minute lost data (a statistics reset or a crash): the numbers are a lower bound';
	END IF;
EXCEPTION WHEN lock_not_available THEN
	activity_from := NULL;
	activity_to := NULL;
	tps := NULL;
	rows_read_per_second := NULL;
	rows_written_per_second := NULL;
	cache_hit_percent := NULL;
	activity_lossy := NULL;
	activity_note := 'the history is locked by another session (' || SQLERRM || '): activity not read';
END
$$;

COMMENT ON FUNCTION pghero_internal._recent_activity() IS
'Transactions and rows per second and the cache hit rate of the whole instance over the captures of the last minute, from raw history, or a note saying why not; never waits for a lock (internal)';

-- The size of this database: as the collector's last space capture
-- measured it, while that source runs on time (its row is the latest
-- change before that capture), else measured now; pg_database_size() of a
-- database of many relations costs a stat() of each of their files
CREATE FUNCTION pghero_internal._database_size_now(OUT size_bytes bigint, OUT measured_at timestamptz)
RETURNS record
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	gen integer := pghero_internal._generation();
	db oid := (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database());
BEGIN
	BEGIN
		SELECT c.last_success_at INTO measured_at
		FROM pghero_internal.collector_sources c
		WHERE c.source = 'space'
		  AND c.last_success_at >= pg_catalog.now()
			  - pg_catalog.make_interval(secs => 2 * pghero_internal._setting_seconds('pghero.space_interval') + 60);
		IF measured_at IS NOT NULL THEN
			SELECT h.size_bytes INTO size_bytes
			FROM pghero_internal.space_history h
			WHERE h.generation = gen AND h.relid IS NULL AND h.datid = db
			  AND h.captured_at <= measured_at
			ORDER BY h.captured_at DESC
			LIMIT 1;
		END IF;
	EXCEPTION WHEN lock_not_available THEN
		size_bytes := NULL;
	END;
	IF size_bytes IS NULL THEN
		size_bytes := pg_catalog.pg_database_size(db);
		measured_at := pg_catalog.clock_timestamp();
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._database_size_now() IS
'The size of this database and when it was measured: by the collector''s last space capture while it runs on time, else now (internal)';

CREATE VIEW @extschema@.overview AS
SELECT i.status,
	   i.critical AS critical_issues,
	   i.warning AS warning_issues,
	   i.info AS info_issues,
	   i.tracked AS issues_tracked,
	   i.top_issue_key,
	   i.top_issue_severity,
	   i.top_issue_description,
	   s.role,
	   pg_catalog.current_setting('server_version') AS server_version,
	   s.uptime,
	   s.uptime_ms,
	   s.connections_used,
	   s.max_connections,
	   s.data_available_percent,
	   s.wal_available_percent,
	   s.ready_for_reads,
	   s.ready_for_writes,
	   pg_catalog.current_database() AS database,
	   d.size_bytes AS database_size_bytes,
	   pg_catalog.pg_size_pretty(d.size_bytes) AS database_size,
	   d.measured_at AS database_size_at,
	   a.activity_from,
	   a.activity_to,
	   a.tps,
	   a.rows_read_per_second,
	   a.rows_written_per_second,
	   a.cache_hit_percent,
	   a.activity_lossy,
	   a.activity_note
FROM pghero_internal._issue_summary() i,
	 @extschema@.instance_status s,
	 pghero_internal._recent_activity() a,
	 pghero_internal._database_size_now() d;

COMMENT ON VIEW @extschema@.overview IS
'One row to poll: the status and counts of the issues alerts follow and the top one, the instance''s role, version, uptime, connections and free disk space, its transactions and rows per second and cache hit rate over the last minute (from history), and this database''s size';
