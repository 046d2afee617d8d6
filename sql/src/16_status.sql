/* sql/src/16_status.sql */

--------------------------------------------------------------------------
-- Instance status: one row of facts about this server, for a readiness
-- probe, a BI tile or an operator's first look
--------------------------------------------------------------------------

-- The file systems of the data directory and of the WAL (src/filesystems.c;
-- no path is returned)
CREATE FUNCTION pghero_internal._filesystems()
RETURNS TABLE (kind text, total_bytes numeric, free_bytes numeric,
			   available_bytes numeric, inodes_total numeric, inodes_free numeric,
			   same_as_data boolean)
AS 'MODULE_PATHNAME', 'pghero_filesystems'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._filesystems() IS
'Size, free space and inodes of the file systems of the data directory and of pg_wal, without their paths (internal)';

-- pg_control's system identifier and timeline, whoever the caller (the
-- pg_control functions are for superusers)
CREATE FUNCTION pghero_internal._control(OUT system_identifier bigint, OUT timeline integer)
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.system_identifier, c.timeline_id
	FROM pg_catalog.pg_control_system() s, pg_catalog.pg_control_checkpoint() c
$$;

COMMENT ON FUNCTION pghero_internal._control() IS
'The system identifier and the timeline of the last checkpoint, from pg_control, whoever the caller (internal)';

CREATE VIEW @extschema@.instance_status AS
WITH t AS (SELECT pg_catalog.clock_timestamp() AS read_at),
fs AS (
	SELECT pg_catalog.max(f.total_bytes) FILTER (WHERE f.kind = 'data') AS data_total,
		   pg_catalog.max(f.available_bytes) FILTER (WHERE f.kind = 'data') AS data_available,
		   pg_catalog.max(f.inodes_free) FILTER (WHERE f.kind = 'data') AS data_inodes_free,
		   pg_catalog.max(f.total_bytes) FILTER (WHERE f.kind = 'wal') AS wal_total,
		   pg_catalog.max(f.available_bytes) FILTER (WHERE f.kind = 'wal') AS wal_available,
		   pg_catalog.bool_or(f.same_as_data) FILTER (WHERE f.kind = 'wal') AS wal_on_data
	FROM pghero_internal._filesystems() f),
r AS (
	SELECT pg_catalog.count(*) AS standbys,
		   pg_catalog.bool_and(r.state = 'streaming') AS all_streaming
	FROM pghero_internal._replication() r)
SELECT c.system_identifier,
	   pg_catalog.version() AS version,
	   pg_catalog.current_setting('server_version_num')::integer AS server_version_num,
	   CASE WHEN pg_catalog.pg_is_in_recovery() THEN 'standby' ELSE 'primary' END AS role,
	   c.timeline,
	   pg_catalog.pg_postmaster_start_time() AS postmaster_start,
	   pg_catalog.date_trunc('milliseconds', t.read_at - pg_catalog.pg_postmaster_start_time())::text AS uptime,
	   pg_catalog.round((pg_catalog.date_part('epoch', t.read_at - pg_catalog.pg_postmaster_start_time()) * 1000)::numeric, 3)::float8
		 AS uptime_ms,
	   pg_catalog.pg_conf_load_time() AS config_loaded_at,
	   s.total_connections::integer AS connections_used,
	   s.max_connections,
	   s.reserved_connections,
	   fs.data_total AS data_total_bytes,
	   fs.data_available AS data_available_bytes,
	   pg_catalog.round(100 * fs.data_available / NULLIF(fs.data_total, 0), 2) AS data_available_percent,
	   fs.data_inodes_free AS data_inodes_free,
	   fs.wal_total AS wal_total_bytes,
	   fs.wal_available AS wal_available_bytes,
	   pg_catalog.round(100 * fs.wal_available / NULLIF(fs.wal_total, 0), 2) AS wal_available_percent,
	   fs.wal_on_data AS wal_on_data_filesystem,
	   r.standbys::integer AS standbys,
	   s.total_connections < s.available_connections AS ready_for_reads,
	   s.total_connections < s.available_connections
	   AND NOT pg_catalog.pg_is_in_recovery()
	   AND pg_catalog.current_setting('default_transaction_read_only')::boolean IS NOT TRUE AS ready_for_writes,
	   CASE WHEN r.standbys > 0 THEN r.all_streaming END AS all_standbys_streaming
FROM t, fs, r, pghero_internal._control() c, @extschema@.connection_summary s;

COMMENT ON VIEW @extschema@.instance_status IS
'One row about this server: identity, version, role and timeline, uptime, configuration load, connections, free space of the data and WAL file systems, standbys, and readiness flags';
