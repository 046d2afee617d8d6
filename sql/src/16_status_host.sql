/* sql/src/16_status_host.sql */

--------------------------------------------------------------------------
-- Host resources (1.3): CPU, load, memory, swap and the disk of the data
-- directory, read in C from Linux's /proc and cgroup v2 (src/host.c), and
-- the file systems of the data directory and WAL (src/filesystems.c)
--------------------------------------------------------------------------

-- The parsers of src/host.c on a given text, for the fixture tests
-- (superuser only: not granted)
CREATE FUNCTION pghero_internal._host_parse(kind text, content text, device text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'pghero_host_parse'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._host_parse(text, text, text) IS
'The figures the parser of a host file (kind: stat, loadavg, meminfo, vmstat, diskstats with device major:minor, cgroup, cpu.max, cpu.stat, memory.max, memory.current, memory.stat) finds in content, unknown ones as JSON null (internal, for tests)';

-- What the collector does every pghero.activity_sample_interval: a sample
-- of the host's counters into shared memory (superuser only: not granted)
CREATE FUNCTION pghero_internal._host_sample()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pghero_host_sample_sql'
LANGUAGE C VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._host_sample() IS
'Takes a sample of the host''s counters into shared memory, as the collector does; false when pghero is not preloaded (internal, for tests)';

CREATE FUNCTION pghero_internal._host_status(
	OUT figures_from text, OUT cpu_count integer, OUT cpu_limit float8,
	OUT load_1 float8, OUT load_5 float8, OUT load_15 float8,
	OUT cpu_busy_percent float8, OUT cpu_user_percent float8,
	OUT cpu_system_percent float8, OUT cpu_iowait_percent float8,
	OUT cpu_steal_percent float8, OUT interval_seconds float8,
	OUT memory_total_bytes bigint, OUT memory_available_bytes bigint,
	OUT swap_total_bytes bigint, OUT swap_used_bytes bigint,
	OUT swap_in_per_second float8, OUT swap_out_per_second float8,
	OUT disk_reads_per_second float8, OUT disk_writes_per_second float8,
	OUT disk_read_bytes_per_second float8, OUT disk_write_bytes_per_second float8,
	OUT disk_utilisation_percent float8, OUT sampled_at timestamptz,
	OUT disk_device text, OUT booted_at timestamptz, OUT unavailable text)
AS 'MODULE_PATHNAME', 'pghero_host_status'
LANGUAGE C VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._host_status() IS
'The host''s figures read now, and its percentages and rates over the interval between the last two samples in shared memory (internal)';

CREATE VIEW @extschema@.host_status AS
WITH fs AS (
	SELECT pg_catalog.max(f.total_bytes) FILTER (WHERE f.kind = 'data') AS data_total,
		   pg_catalog.max(f.available_bytes) FILTER (WHERE f.kind = 'data') AS data_available,
		   pg_catalog.max(f.inodes_free) FILTER (WHERE f.kind = 'data') AS data_inodes_free,
		   pg_catalog.max(f.total_bytes) FILTER (WHERE f.kind = 'wal') AS wal_total,
		   pg_catalog.max(f.available_bytes) FILTER (WHERE f.kind = 'wal') AS wal_available,
		   pg_catalog.max(f.inodes_free) FILTER (WHERE f.kind = 'wal') AS wal_inodes_free
	FROM pghero_internal._filesystems() f)
SELECT h.figures_from,
	   h.cpu_count,
	   h.cpu_limit,
	   h.load_1,
	   h.load_5,
	   h.load_15,
	   pg_catalog.round(h.cpu_busy_percent::numeric, 2) AS cpu_busy_percent,
	   pg_catalog.round(h.cpu_user_percent::numeric, 2) AS cpu_user_percent,
	   pg_catalog.round(h.cpu_system_percent::numeric, 2) AS cpu_system_percent,
	   pg_catalog.round(h.cpu_iowait_percent::numeric, 2) AS cpu_iowait_percent,
	   pg_catalog.round(h.cpu_steal_percent::numeric, 2) AS cpu_steal_percent,
	   h.interval_seconds,
	   h.sampled_at,
	   h.memory_total_bytes,
	   h.memory_available_bytes,
	   h.swap_total_bytes,
	   h.swap_used_bytes,
	   h.swap_in_per_second,
	   h.swap_out_per_second,
	   fs.data_total::bigint AS data_total_bytes,
	   fs.data_available::bigint AS data_available_bytes,
	   fs.data_inodes_free::bigint AS data_inodes_free,
	   fs.wal_total::bigint AS wal_total_bytes,
	   fs.wal_available::bigint AS wal_available_bytes,
	   fs.wal_inodes_free::bigint AS wal_inodes_free,
	   h.disk_device,
	   h.disk_reads_per_second,
	   h.disk_writes_per_second,
	   h.disk_read_bytes_per_second,
	   h.disk_write_bytes_per_second,
	   pg_catalog.round(h.disk_utilisation_percent::numeric, 2) AS disk_utilisation_percent,
	   h.booted_at,
	   h.unavailable
FROM pghero_internal._host_status() h, fs;

COMMENT ON VIEW @extschema@.host_status IS
'One row about the host (or container) of the server: CPUs, load, CPU use, memory, swap, the data and WAL file systems and the disk of the data directory, read from /proc and cgroup v2 (Linux); percentages and rates are over the interval between the collector''s last two samples';

-- The host's cumulative counters and gauges read now, for the capture of
-- pghero_internal.host_history (superuser only: not granted)
CREATE FUNCTION pghero_internal._host_counters(
	OUT figures_from text, OUT booted_at timestamptz, OUT cpu_count integer,
	OUT cpu_limit float8, OUT cpu_busy_usec bigint, OUT cpu_total_usec bigint,
	OUT load_1 float8, OUT load_5 float8, OUT load_15 float8,
	OUT memory_total_bytes bigint, OUT memory_available_bytes bigint,
	OUT swap_total_bytes bigint, OUT swap_used_bytes bigint,
	OUT swap_in_pages bigint, OUT swap_out_pages bigint,
	OUT disk_device text, OUT disk_reads bigint, OUT disk_writes bigint,
	OUT disk_read_bytes bigint, OUT disk_write_bytes bigint, OUT disk_io_ms bigint,
	OUT unavailable text)
AS 'MODULE_PATHNAME', 'pghero_host_counters'
LANGUAGE C VOLATILE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._host_counters() IS
'The host''s cumulative counters (CPU time in microseconds, swap pages, disk operations and bytes) and gauges, read now (internal)';
