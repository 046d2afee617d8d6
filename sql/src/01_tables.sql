/* sql/src/01_tables.sql */

CREATE TABLE pghero_internal.audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	logged_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	role_name name NOT NULL,
	session_user_name name NOT NULL,
	action text NOT NULL,
	target_pid integer,
	target_backend_start timestamptz,
	target_user name,
	target_database name,
	target_query text,
	succeeded boolean NOT NULL,
	detail text
);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('pghero_internal.audit_log_id_seq', '');

--------------------------------------------------------------------------
-- Collector state
--------------------------------------------------------------------------

-- The registry of capture sources: the collector's schedule, capture(),
-- the pghero.collector view and retention all read it; each row also
-- holds the source's last outcome.  Not dumped: it describes this
-- installation's collector.
CREATE TABLE pghero_internal.collector_sources (
	source text PRIMARY KEY,
	last_run_at timestamptz,
	last_duration_ms float8,
	last_rows bigint,
	last_success_at timestamptz,
	last_error text,
	last_error_at timestamptz,
	next_run_at timestamptz,
	runs bigint NOT NULL DEFAULT 0,
	failures bigint NOT NULL DEFAULT 0,
	last_note text,
	position integer,
	interval_setting text,
	run_function text,
	raw_table text,
	rollup_table text
);

INSERT INTO pghero_internal.collector_sources
	(source, position, interval_setting, run_function, raw_table, rollup_table)
VALUES
	('statements', 1, 'pghero.capture_interval', '_capture_statements', 'statement_history', 'statement_rollup'),
	('database_activity', 2, 'pghero.capture_interval', '_capture_database_activity', 'database_history', 'database_rollup'),
	('instance', 3, 'pghero.capture_interval', '_capture_instance', 'instance_history', 'instance_rollup'),
	('space', 4, 'pghero.space_interval', '_capture_space', 'space_history', NULL),
	('retention', 6, 'pghero.capture_interval', '_capture_retention', NULL, NULL),
	('io', 5, 'pghero.capture_interval', '_capture_io', 'io_history', 'io_rollup'),
	('issues', 7, 'pghero.check_interval', '_capture_issues', NULL, NULL);

-- how far each generation's raw history has been rolled up into hourly
-- rows, per history table
CREATE TABLE pghero_internal.rollup_progress (
	history text NOT NULL,
	rolled_up_until timestamptz NOT NULL DEFAULT '-infinity',
	generation integer NOT NULL,
	PRIMARY KEY (history, generation)
);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.rollup_progress', '');

--------------------------------------------------------------------------
-- History tables
--
-- Each is partitioned by generation, then by day (see _ensure_partition,
-- which also gives each daily partition its index: none is defined on the
-- partitioned tables, whose indexes pg_restore would otherwise create twice
-- on a restored partition, once when it is attached and once from the
-- dump).
-- The columns after "lossy" came in 1.2; they stand in the order in which
-- the 1.1 -> 1.2 upgrade adds them, so that an upgraded table is the same
-- as a fresh one.
--------------------------------------------------------------------------

-- statements: one row per identity whose counters moved in an interval.
-- Its counters (calls .. custom_plan_calls; min/max_exec_time are
-- extremes, not counters) are the list of statement counters: the hourly
-- rollup and the baseline have the same ones (test/sql/collector.sql checks
-- it), and the capture, the rollup and the readers read the list from the
-- catalog (_statement_counters()), never write it out again.  The names
-- are pg_stat_statements' newest; a counter the server's
-- pg_stat_statements lacks stays NULL.
CREATE TABLE pghero_internal.statement_history (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	dbid oid NOT NULL,
	userid oid NOT NULL,
	queryid bigint NOT NULL,
	toplevel boolean NOT NULL,
	calls bigint,
	plans bigint,
	total_plan_time float8,
	total_exec_time float8,
	min_exec_time float8,
	max_exec_time float8,
	rows bigint,
	shared_blks_hit bigint,
	shared_blks_read bigint,
	shared_blks_dirtied bigint,
	shared_blks_written bigint,
	local_blks_hit bigint,
	local_blks_read bigint,
	local_blks_dirtied bigint,
	local_blks_written bigint,
	temp_blks_read bigint,
	temp_blks_written bigint,
	shared_blk_read_time float8,
	shared_blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	lossy boolean,
	generation integer NOT NULL,
	local_blk_read_time float8,
	local_blk_write_time float8,
	temp_blk_read_time float8,
	temp_blk_write_time float8,
	jit_functions bigint,
	jit_generation_time float8,
	jit_inlining_count bigint,
	jit_inlining_time float8,
	jit_optimization_count bigint,
	jit_optimization_time float8,
	jit_emission_count bigint,
	jit_emission_time float8,
	jit_deform_count bigint,
	jit_deform_time float8,
	wal_buffers_full bigint,
	parallel_workers_to_launch bigint,
	parallel_workers_launched bigint,
	generic_plan_calls bigint,
	custom_plan_calls bigint
) PARTITION BY LIST (generation);


-- the hourly rollup: the sums of the raw rows of each hour
CREATE TABLE pghero_internal.statement_rollup (
	bucket timestamptz NOT NULL,
	dbid oid NOT NULL,
	userid oid NOT NULL,
	queryid bigint NOT NULL,
	toplevel boolean NOT NULL,
	samples integer NOT NULL,
	calls bigint,
	plans bigint,
	total_plan_time float8,
	total_exec_time float8,
	min_exec_time float8,
	max_exec_time float8,
	rows bigint,
	shared_blks_hit bigint,
	shared_blks_read bigint,
	shared_blks_dirtied bigint,
	shared_blks_written bigint,
	local_blks_hit bigint,
	local_blks_read bigint,
	local_blks_dirtied bigint,
	local_blks_written bigint,
	temp_blks_read bigint,
	temp_blks_written bigint,
	shared_blk_read_time float8,
	shared_blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	lossy boolean,
	generation integer NOT NULL,
	local_blk_read_time float8,
	local_blk_write_time float8,
	temp_blk_read_time float8,
	temp_blk_write_time float8,
	jit_functions bigint,
	jit_generation_time float8,
	jit_inlining_count bigint,
	jit_inlining_time float8,
	jit_optimization_count bigint,
	jit_optimization_time float8,
	jit_emission_count bigint,
	jit_emission_time float8,
	jit_deform_count bigint,
	jit_deform_time float8,
	wal_buffers_full bigint,
	parallel_workers_to_launch bigint,
	parallel_workers_launched bigint,
	generic_plan_calls bigint,
	custom_plan_calls bigint
) PARTITION BY LIST (generation);

-- the text of every statement seen, once per generation, database and
-- query identifier, with any password in it replaced (_pgss_statements()
-- returns texts redacted)
CREATE TABLE pghero_internal.query_texts (
	dbid oid NOT NULL,
	queryid bigint NOT NULL,
	query text NOT NULL,
	first_seen timestamptz NOT NULL,
	generation integer NOT NULL,
	PRIMARY KEY (generation, dbid, queryid)
);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.query_texts', '');

-- one row per statements capture: what pg_stat_statements itself said
CREATE TABLE pghero_internal.statement_captures (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	entries bigint NOT NULL,
	max_entries bigint,
	dealloc bigint,
	stats_reset timestamptz,
	moved bigint NOT NULL,
	lossy boolean NOT NULL,
	note text,
	generation integer NOT NULL,
	PRIMARY KEY (generation, captured_at)
);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.statement_captures', '');

CREATE TABLE pghero_internal.database_history (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	datid oid NOT NULL,
	datname name NOT NULL,
	numbackends integer,
	xact_commit bigint,
	xact_rollback bigint,
	blks_read bigint,
	blks_hit bigint,
	tup_returned bigint,
	tup_fetched bigint,
	tup_inserted bigint,
	tup_updated bigint,
	tup_deleted bigint,
	temp_files bigint,
	temp_bytes bigint,
	deadlocks bigint,
	conflicts bigint,
	lossy boolean,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

CREATE TABLE pghero_internal.database_rollup (
	bucket timestamptz NOT NULL,
	datid oid NOT NULL,
	datname name NOT NULL,
	samples integer NOT NULL,
	seconds float8 NOT NULL,
	numbackends_max integer,
	xact_commit bigint,
	xact_rollback bigint,
	blks_read bigint,
	blks_hit bigint,
	tup_returned bigint,
	tup_fetched bigint,
	tup_inserted bigint,
	tup_updated bigint,
	tup_deleted bigint,
	temp_files bigint,
	temp_bytes bigint,
	deadlocks bigint,
	conflicts bigint,
	lossy boolean,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

CREATE TABLE pghero_internal.instance_history (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	wal_bytes numeric,
	checkpoints_timed bigint,
	checkpoints_req bigint,
	buffers_checkpoint bigint,
	buffers_clean bigint,
	buffers_backend bigint,
	connections integer,
	active_connections integer,
	idle_connections integer,
	idle_in_transaction_connections integer,
	lossy boolean,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

CREATE TABLE pghero_internal.instance_rollup (
	bucket timestamptz NOT NULL,
	samples integer NOT NULL,
	seconds float8 NOT NULL,
	wal_bytes numeric,
	checkpoints_timed bigint,
	checkpoints_req bigint,
	buffers_checkpoint bigint,
	buffers_clean bigint,
	buffers_backend bigint,
	connections_max integer,
	lossy boolean,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

-- space: a row only when a size changed (and a keyframe per relation at
-- the start of the retained window)
CREATE TABLE pghero_internal.space_history (
	captured_at timestamptz NOT NULL,
	datid oid NOT NULL,
	relid oid,
	schemaname name,
	relname name,
	kind text NOT NULL,
	size_bytes bigint NOT NULL,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

--------------------------------------------------------------------------
-- Baselines: the cumulative values last read.  UNLOGGED, so that updating
-- them writes no WAL (see sql/src/20_collector.sql), and not dumped: a
-- restored database starts its own baselines, its first capture setting
-- them (the restored history is another generation's and is not added to).
--------------------------------------------------------------------------

CREATE UNLOGGED TABLE pghero_internal.statement_baseline (
	dbid oid NOT NULL,
	userid oid NOT NULL,
	queryid bigint NOT NULL,
	toplevel boolean NOT NULL,
	calls bigint,
	plans bigint,
	total_plan_time float8,
	total_exec_time float8,
	rows bigint,
	shared_blks_hit bigint,
	shared_blks_read bigint,
	shared_blks_dirtied bigint,
	shared_blks_written bigint,
	local_blks_hit bigint,
	local_blks_read bigint,
	local_blks_dirtied bigint,
	local_blks_written bigint,
	temp_blks_read bigint,
	temp_blks_written bigint,
	shared_blk_read_time float8,
	shared_blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	local_blk_read_time float8,
	local_blk_write_time float8,
	temp_blk_read_time float8,
	temp_blk_write_time float8,
	jit_functions bigint,
	jit_generation_time float8,
	jit_inlining_count bigint,
	jit_inlining_time float8,
	jit_optimization_count bigint,
	jit_optimization_time float8,
	jit_emission_count bigint,
	jit_emission_time float8,
	jit_deform_count bigint,
	jit_deform_time float8,
	wal_buffers_full bigint,
	parallel_workers_to_launch bigint,
	parallel_workers_launched bigint,
	generic_plan_calls bigint,
	custom_plan_calls bigint,
	stats_since timestamptz,
	PRIMARY KEY (dbid, userid, queryid, toplevel)
) WITH (fillfactor = 50);

CREATE UNLOGGED TABLE pghero_internal.source_baseline (
	source text PRIMARY KEY,
	captured_at timestamptz NOT NULL,
	stats_reset timestamptz,
	dealloc bigint,
	wal_lsn pg_lsn,
	counters bigint[]
);

CREATE UNLOGGED TABLE pghero_internal.database_baseline (
	datid oid PRIMARY KEY,
	stats_reset timestamptz,
	counters bigint[] NOT NULL
);

CREATE UNLOGGED TABLE pghero_internal.space_baseline (
	datid oid NOT NULL,
	relid oid NOT NULL,
	size_bytes bigint NOT NULL,
	PRIMARY KEY (datid, relid)
);

