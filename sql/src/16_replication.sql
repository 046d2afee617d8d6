/* sql/src/16_replication.sql */

CREATE FUNCTION pghero_internal._replication()
RETURNS TABLE (
	pid integer, usename name, application_name text, client_addr inet,
	backend_start timestamptz, state text, sent_lsn pg_lsn,
	write_lsn pg_lsn, flush_lsn pg_lsn, replay_lsn pg_lsn,
	write_lag interval, flush_lag interval, replay_lag interval,
	sync_priority integer, sync_state text, reply_time timestamptz)
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.pid, r.usename, r.application_name, r.client_addr,
		   r.backend_start, r.state, r.sent_lsn,
		   r.write_lsn, r.flush_lsn, r.replay_lsn,
		   r.write_lag, r.flush_lag, r.replay_lag,
		   r.sync_priority, r.sync_state, r.reply_time
	FROM pg_catalog.pg_stat_replication r
$$;

COMMENT ON FUNCTION pghero_internal._replication() IS
'pg_stat_replication, whoever the caller (internal)';

--------------------------------------------------------------------------
-- Replication
--------------------------------------------------------------------------

CREATE VIEW @extschema@.replication AS
WITH r AS (
	SELECT 'primary'::text AS role,
		   r.pid,
		   r.usename AS username,
		   r.application_name,
		   r.client_addr,
		   r.state,
		   r.sync_state,
		   r.sent_lsn,
		   r.write_lsn,
		   r.flush_lsn,
		   r.replay_lsn,
		   pg_catalog.pg_wal_lsn_diff(
			   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
					ELSE pg_catalog.pg_current_wal_lsn() END,
			   r.replay_lsn)::bigint AS lag_bytes,
		   r.replay_lag AS lag,
		   r.write_lag,
		   r.flush_lag,
		   r.reply_time
	FROM pghero_internal._replication() r
	UNION ALL
	SELECT 'standby',
		   NULL,
		   NULL,
		   NULL,
		   NULL,
		   w.status,
		   NULL,
		   NULL,
		   NULL,
		   pg_catalog.pg_last_wal_receive_lsn(),
		   pg_catalog.pg_last_wal_replay_lsn(),
		   pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::bigint,
		   l.lag,
		   NULL,
		   NULL,
		   NULL
	FROM (SELECT CASE WHEN pg_catalog.pg_last_wal_receive_lsn() = pg_catalog.pg_last_wal_replay_lsn()
					  THEN '0'::interval
					  ELSE greatest(pg_catalog.clock_timestamp() - pg_catalog.pg_last_xact_replay_timestamp(),
									'0'::interval) END AS lag
		  OFFSET 0) l
		 LEFT JOIN pg_catalog.pg_stat_wal_receiver w ON true
	WHERE pg_catalog.pg_is_in_recovery())
SELECT r.role,
	   r.pid,
	   r.username,
	   r.application_name,
	   pg_catalog.host(r.client_addr) AS client_addr,
	   r.state,
	   r.sync_state,
	   r.sent_lsn::text AS sent_lsn,
	   r.sent_lsn - '0/0'::pg_lsn AS sent_lsn_bytes,
	   r.write_lsn::text AS write_lsn,
	   r.write_lsn - '0/0'::pg_lsn AS write_lsn_bytes,
	   r.flush_lsn::text AS flush_lsn,
	   r.flush_lsn - '0/0'::pg_lsn AS flush_lsn_bytes,
	   r.replay_lsn::text AS replay_lsn,
	   r.replay_lsn - '0/0'::pg_lsn AS replay_lsn_bytes,
	   r.lag_bytes,
	   pg_catalog.date_trunc('milliseconds', r.lag)::text AS lag,
	   pg_catalog.round(pg_catalog.extract('epoch', r.lag) * 1000, 3)::float8 AS lag_ms,
	   pg_catalog.date_trunc('milliseconds', r.write_lag)::text AS write_lag,
	   pg_catalog.round(pg_catalog.extract('epoch', r.write_lag) * 1000, 3)::float8 AS write_lag_ms,
	   pg_catalog.date_trunc('milliseconds', r.flush_lag)::text AS flush_lag,
	   pg_catalog.round(pg_catalog.extract('epoch', r.flush_lag) * 1000, 3)::float8 AS flush_lag_ms,
	   r.reply_time
FROM r;

COMMENT ON VIEW @extschema@.replication IS
'On a primary, one row per standby it streams to, with its lag; on a standby, one row with its own replay lag';

CREATE VIEW @extschema@.replication_slots AS
SELECT s.slot_name,
	   s.plugin,
	   s.slot_type,
	   s.database,
	   s.temporary,
	   s.active,
	   s.active_pid,
	   s.wal_status,
	   pg_catalog.pg_wal_lsn_diff(
		   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
				ELSE pg_catalog.pg_current_wal_lsn() END,
		   s.restart_lsn)::bigint AS retained_wal_bytes,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_wal_lsn_diff(
		   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
				ELSE pg_catalog.pg_current_wal_lsn() END,
		   s.restart_lsn)) AS retained_wal,
	   s.safe_wal_size AS safe_wal_bytes,
	   pg_catalog.age(s.xmin)::bigint AS xmin_age,
	   pg_catalog.age(s.catalog_xmin)::bigint AS catalog_xmin_age
FROM pg_catalog.pg_replication_slots s;

COMMENT ON VIEW @extschema@.replication_slots IS
'Every replication slot of the cluster, with the WAL it retains; an inactive slot keeps WAL and old rows forever';
