--
-- pghero 1.2: instance_status, one row of facts about this server
--
SELECT count(*) AS rows FROM pghero.instance_status;
SELECT role, timeline >= 1 AS timeline,
	   system_identifier = (SELECT system_identifier FROM pg_control_system()) AS identity,
	   server_version_num = current_setting('server_version_num')::integer AS version_num,
	   version = version() AS version,
	   postmaster_start = pg_postmaster_start_time() AS started,
	   uptime_ms > 0 AND uptime_ms::numeric * 1000 <= date_part('epoch', clock_timestamp() - pg_postmaster_start_time())::numeric * 1000000 AS uptime,
	   config_loaded_at = pg_conf_load_time() AS config_loaded,
	   connections_used >= 1 AS connected,
	   max_connections = current_setting('max_connections')::integer AS max_connections,
	   reserved_connections >= 0 AS reserved
FROM pghero.instance_status;
-- the file systems, by properties (their sizes are the machine's)
SELECT data_total_bytes > 0 AS data_size,
	   data_available_bytes BETWEEN 0 AND data_total_bytes AS data_available,
	   data_available_percent = round(100 * data_available_bytes / data_total_bytes, 2) AS data_percent,
	   data_inodes_free >= 0 AS inodes,
	   wal_total_bytes > 0 AS wal_size,
	   wal_available_bytes BETWEEN 0 AND wal_total_bytes AS wal_available,
	   wal_on_data_filesystem IS NOT NULL AS wal_filesystem_known,
	   wal_on_data_filesystem IS NOT TRUE OR wal_total_bytes = data_total_bytes AS same_filesystem_same_size
FROM pghero.instance_status;
-- no standby: none streaming, no answer to "all streaming"
SELECT standbys, all_standbys_streaming, ready_for_reads, ready_for_writes
FROM pghero.instance_status;
-- read-only by default: not ready for writes
SET default_transaction_read_only = on;
SELECT ready_for_reads, ready_for_writes FROM pghero.instance_status;
RESET default_transaction_read_only;
-- a reader sees it all (pg_control is for superusers, the data directory's
-- path for pg_read_all_settings: neither is needed)
SET ROLE regress_pghero_reader;
SELECT count(*) AS rows, bool_and(system_identifier IS NOT NULL AND data_total_bytes > 0) AS complete
FROM pghero.instance_status;
RESET ROLE;

--
-- Host resources (1.3): one row; after two samples, the interval figures
-- (test/t/020_host.pl checks the parsers on fixtures)
--
SELECT pghero_internal._host_sample() AS preloaded;
SELECT pg_sleep(0.1);
SELECT pghero_internal._host_sample() AS preloaded;
SELECT count(*) AS rows,
	   bool_and(figures_from IN ('host', 'container')) AS figures_from_known,
	   bool_and(cpu_count > 0) AS has_cpus,
	   bool_and(interval_seconds > 0) AS has_interval,
	   bool_and(cpu_busy_percent IS NULL OR cpu_busy_percent BETWEEN 0 AND 100) AS busy_in_range,
	   bool_and(memory_available_bytes BETWEEN 0 AND memory_total_bytes) AS memory_in_range,
	   bool_and(data_available_bytes BETWEEN 0 AND data_total_bytes) AS data_in_range,
	   bool_and(unavailable IS NULL OR unavailable NOT LIKE '%interval figures%') AS no_interval_complaint
FROM pghero.host_status;
SET ROLE regress_pghero_reader;
SELECT count(*) AS rows FROM pghero.host_status;
RESET ROLE;
