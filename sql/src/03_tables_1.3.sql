/* sql/src/03_tables_1.3.sql */

--------------------------------------------------------------------------
-- The tables that pghero 1.3 adds.  Like the other 0* sources they are
-- created once, at installation; the 1.2 -> 1.3 upgrade creates them from
-- this same file (see the Makefile).
--------------------------------------------------------------------------

--------------------------------------------------------------------------
-- Activity sampling (src/sampler.c)
--
-- The collector samples every session every pghero.activity_sample_interval
-- and counts the samples in shared memory; each capture writes the counts
-- of the time since the previous one (a bucket): one activity_buckets row
-- per bucket (how many samples were taken in it), one activity_history row
-- per (database, user, application, state, wait event, queryid) seen in
-- it, with the number of samples that saw a session so: samples / ticks is
-- the average number of such sessions over the bucket.  Dumped, under the
-- generation that wrote them.
--------------------------------------------------------------------------

CREATE TABLE pghero_internal.activity_buckets (
	captured_at timestamptz NOT NULL,
	since timestamptz NOT NULL,
	ticks bigint NOT NULL CHECK (ticks > 0),
	dropped bigint NOT NULL DEFAULT 0,
	lossy boolean NOT NULL,
	generation integer NOT NULL,
	PRIMARY KEY (generation, captured_at)
);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.activity_buckets', '');

CREATE TABLE pghero_internal.activity_history (
	captured_at timestamptz NOT NULL,
	since timestamptz NOT NULL,
	dbid oid,
	datname name,
	userid oid,
	username name,
	application_name text NOT NULL,
	state text NOT NULL,
	wait_event_type text,
	wait_event text,
	queryid bigint,
	samples bigint NOT NULL,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

-- Long-running and blocked sessions, one row each (pid, backend_start,
-- query_start), however many samples saw them; kept for
-- pghero.history_retention after they were last seen
CREATE TABLE pghero_internal.session_log (
	pid integer NOT NULL,
	backend_start timestamptz NOT NULL,
	query_start timestamptz NOT NULL,
	dbid oid,
	datname name,
	userid oid,
	username name,
	application_name text NOT NULL,
	queryid bigint,
	query text,
	first_seen timestamptz NOT NULL,
	last_seen timestamptz NOT NULL,
	longest_duration interval NOT NULL,
	long_running boolean NOT NULL,
	blocked boolean NOT NULL,
	blocked_by integer[],
	state text,
	wait_event_type text,
	wait_event text,
	generation integer NOT NULL,
	PRIMARY KEY (pid, backend_start, query_start)
);

CREATE INDEX session_log_last_seen_idx ON pghero_internal.session_log (last_seen);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.session_log', '');

INSERT INTO pghero_internal.collector_sources
	(source, position, interval_setting, run_function, raw_table, rollup_table)
VALUES
	('activity', 9, 'pghero.capture_interval', '_capture_activity', 'activity_history', NULL);

--------------------------------------------------------------------------
-- Host resources (src/host.c)
--------------------------------------------------------------------------

-- The resources of the host, one row per capture (src/host.c through
-- _host_counters()): the cumulative counters as read (so that the next
-- capture takes its deltas against them), the gauges, and the rates over
-- the interval since the previous row (since).  A counter that went down,
-- or a new boot time (the host restarted), or a change of device or of
-- where the figures come from, leaves the rates of that row NULL and the
-- row lossy.  Raw rows only: they are few (one per capture), and the
-- retention source drops their daily partitions after
-- pghero.history_retention.
CREATE TABLE pghero_internal.host_history (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	figures_from text,
	booted_at timestamptz,
	cpu_count integer,
	cpu_limit float8,
	cpu_busy_usec bigint,
	cpu_total_usec bigint,
	load_1 float8,
	load_5 float8,
	load_15 float8,
	memory_total_bytes bigint,
	memory_available_bytes bigint,
	swap_total_bytes bigint,
	swap_used_bytes bigint,
	swap_in_pages bigint,
	swap_out_pages bigint,
	disk_device text,
	disk_reads bigint,
	disk_writes bigint,
	disk_read_bytes bigint,
	disk_write_bytes bigint,
	disk_io_ms bigint,
	cpu_busy_percent float8,
	swap_in_per_second float8,
	swap_out_per_second float8,
	disk_reads_per_second float8,
	disk_writes_per_second float8,
	disk_read_bytes_per_second float8,
	disk_write_bytes_per_second float8,
	disk_utilisation_percent float8,
	unavailable text,
	lossy boolean,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

INSERT INTO pghero_internal.collector_sources
	(source, position, interval_setting, run_function, raw_table, rollup_table)
VALUES
	('host', 8, 'pghero.capture_interval', '_capture_host', 'host_history', NULL);
