/* sql/src/03_tables_1.3.sql */

--------------------------------------------------------------------------
-- The tables that pghero 1.3 adds.  Like the other 0* sources they are
-- created once, at installation; the 1.2 -> 1.3 upgrade creates them from
-- this same file (see the Makefile), so that they are written once.
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
