/* sql/src/10_settings.sql */

--------------------------------------------------------------------------
-- Configuration
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.config(
	OUT long_running_query_sec integer,
	OUT slow_query_ms integer,
	OUT slow_query_calls bigint,
	OUT total_connections_threshold integer,
	OUT idle_in_transaction_threshold integer,
	OUT cache_hit_rate_threshold float8,
	OUT unused_index_min_bytes bigint,
	OUT index_bloat_min_bytes bigint,
	OUT sequence_danger_percent float8,
	OUT transaction_id_danger bigint,
	OUT lock_wait_threshold integer,
	OUT xmin_horizon_age bigint,
	OUT prepared_xact_age integer,
	OUT temp_bytes_threshold bigint,
	OUT checkpoint_requested_percent float8,
	OUT bloat_percent_threshold float8,
	OUT disk_free_percent float8,
	OUT swap_pages_per_second integer,
	OUT cpu_busy_percent float8,
	OUT cpu_saturated_minutes integer)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_config'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.config() IS
'The pghero.* thresholds in force in this session, as one typed row';

--------------------------------------------------------------------------
-- Settings
--------------------------------------------------------------------------

CREATE VIEW @extschema@.settings AS
SELECT v.category,
	   s.name,
	   pg_catalog.current_setting(s.name) AS value,
	   s.setting,
	   s.unit,
	   s.boot_val AS default_value,
	   s.source,
	   s.context,
	   s.pending_restart,
	   s.short_desc AS description
FROM (VALUES
		('tuning', 'max_connections'),
		('tuning', 'shared_buffers'),
		('tuning', 'effective_cache_size'),
		('tuning', 'maintenance_work_mem'),
		('tuning', 'checkpoint_completion_target'),
		('tuning', 'wal_buffers'),
		('tuning', 'default_statistics_target'),
		('tuning', 'random_page_cost'),
		('tuning', 'effective_io_concurrency'),
		('tuning', 'work_mem'),
		('tuning', 'huge_pages'),
		('tuning', 'jit'),
		('tuning', 'wal_compression'),
		('tuning', 'min_wal_size'),
		('tuning', 'max_wal_size'),
		('tuning', 'io_method'),
		('autovacuum', 'autovacuum'),
		('autovacuum', 'autovacuum_max_workers'),
		('autovacuum', 'autovacuum_naptime'),
		('autovacuum', 'autovacuum_vacuum_cost_limit'),
		('autovacuum', 'autovacuum_vacuum_cost_delay'),
		('autovacuum', 'autovacuum_vacuum_scale_factor'),
		('autovacuum', 'autovacuum_vacuum_threshold'),
		('autovacuum', 'autovacuum_vacuum_insert_scale_factor'),
		('autovacuum', 'autovacuum_analyze_scale_factor'),
		('autovacuum', 'autovacuum_analyze_threshold'),
		('autovacuum', 'autovacuum_freeze_max_age'),
		('autovacuum', 'autovacuum_multixact_freeze_max_age'),
		('autovacuum', 'autovacuum_work_mem'),
		('vacuum', 'vacuum_cost_limit'),
		('vacuum', 'vacuum_cost_delay'),
		('vacuum', 'vacuum_freeze_min_age'),
		('vacuum', 'vacuum_freeze_table_age'),
		('vacuum', 'vacuum_multixact_freeze_min_age'),
		('vacuum', 'vacuum_multixact_freeze_table_age'),
		('vacuum', 'vacuum_failsafe_age')) AS v(category, name)
	 JOIN pg_catalog.pg_settings s ON s.name = v.name;

COMMENT ON VIEW @extschema@.settings IS
'The settings PgHero''s tuning page shows, plus autovacuum and vacuum settings, with where their value comes from';
