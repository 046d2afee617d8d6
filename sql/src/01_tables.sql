/* sql/src/01_tables.sql */

CREATE TABLE @extschema@.audit_log (
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

COMMENT ON TABLE @extschema@.audit_log IS
'Every action taken through pghero: who, when, what, on which session';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.audit_log', '');

--------------------------------------------------------------------------
-- Collector state
--------------------------------------------------------------------------

CREATE TABLE @extschema@.collector_sources (
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
	last_note text
);

COMMENT ON TABLE @extschema@.collector_sources IS
'One row per capture source: when it last ran, how long, what it wrote, its last error and its next run';

INSERT INTO @extschema@.collector_sources (source)
VALUES ('statements'), ('database_activity'), ('instance'), ('space'), ('retention');

-- how far raw history has been rolled up into hourly rows, per history
CREATE TABLE @extschema@.rollup_progress (
	history text PRIMARY KEY,
	rolled_up_until timestamptz NOT NULL DEFAULT '-infinity'
);

COMMENT ON TABLE @extschema@.rollup_progress IS
'For each history, the time before which every raw row is already in the hourly rollup';

INSERT INTO @extschema@.rollup_progress (history)
VALUES ('statement'), ('database'), ('instance');

--------------------------------------------------------------------------
-- History tables
--------------------------------------------------------------------------

-- statements: one row per identity whose counters moved in an interval
CREATE TABLE @extschema@.statement_history (
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
	blk_read_time float8,
	blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	lossy boolean
) PARTITION BY RANGE (captured_at);

-- rows arrive in captured_at order: a BRIN index finds a time range for
-- almost no space and no write cost (a btree would double the WAL of a
-- capture; lookups by queryid go to the hourly rollup, which has one)
CREATE INDEX ON @extschema@.statement_history USING brin (captured_at);

COMMENT ON TABLE @extschema@.statement_history IS
'Raw statement history: per capture, the change of every pg_stat_statements counter of each identity (userid, dbid, queryid, toplevel) that moved; NULL means no change';

CREATE TABLE @extschema@.statement_rollup (
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
	blk_read_time float8,
	blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	lossy boolean
) PARTITION BY RANGE (bucket);

CREATE INDEX ON @extschema@.statement_rollup (queryid, bucket);

COMMENT ON TABLE @extschema@.statement_rollup IS
'Hourly statement history: the sums of the raw rows captured in each hour, kept for pghero.history_retention';

-- the text of every statement seen, once per (dbid, queryid)
CREATE TABLE @extschema@.query_texts (
	dbid oid NOT NULL,
	queryid bigint NOT NULL,
	query text NOT NULL,
	first_seen timestamptz NOT NULL,
	PRIMARY KEY (dbid, queryid)
);

COMMENT ON TABLE @extschema@.query_texts IS
'Normalized text of every statement in the history, stored once per database and query identifier';

-- one row per statements capture: what pg_stat_statements itself said
CREATE TABLE @extschema@.statement_captures (
	captured_at timestamptz PRIMARY KEY,
	since timestamptz,
	entries bigint NOT NULL,
	max_entries bigint,
	dealloc bigint,
	stats_reset timestamptz,
	moved bigint NOT NULL,
	lossy boolean NOT NULL,
	note text
);

COMMENT ON TABLE @extschema@.statement_captures IS
'One row per statements capture: pg_stat_statements fill, deallocations, resets, and whether the interval lost data';

CREATE TABLE @extschema@.database_history (
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
	lossy boolean
) PARTITION BY RANGE (captured_at);

COMMENT ON TABLE @extschema@.database_history IS
'Raw database activity: per capture and database, the change of the pg_stat_database counters (NULL: no change) and the number of backends';

CREATE TABLE @extschema@.database_rollup (
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
	lossy boolean
) PARTITION BY RANGE (bucket);

COMMENT ON TABLE @extschema@.database_rollup IS
'Hourly database activity: sums of the raw rows of each hour';

CREATE TABLE @extschema@.instance_history (
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
	lossy boolean
) PARTITION BY RANGE (captured_at);

COMMENT ON TABLE @extschema@.instance_history IS
'Raw instance activity: per capture, WAL generated, checkpoints and buffer writes (changes), and client connections by state (counts)';

CREATE TABLE @extschema@.instance_rollup (
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
	lossy boolean
) PARTITION BY RANGE (bucket);

COMMENT ON TABLE @extschema@.instance_rollup IS
'Hourly instance activity: sums of the raw rows of each hour';

-- space: a row only when a size changed (and a keyframe per relation at
-- the start of the retained window)
CREATE TABLE @extschema@.space_history (
	captured_at timestamptz NOT NULL,
	datid oid NOT NULL,
	relid oid,
	schemaname name,
	relname name,
	kind text NOT NULL,
	size_bytes bigint NOT NULL
) PARTITION BY RANGE (captured_at);

CREATE INDEX ON @extschema@.space_history (relid, captured_at);

COMMENT ON TABLE @extschema@.space_history IS
'Size history of every database and of every relation of the home database: a row when the size changed';

--------------------------------------------------------------------------
-- Baselines: the cumulative values last read (UNLOGGED, see above)
--------------------------------------------------------------------------

CREATE UNLOGGED TABLE @extschema@.statement_baseline (
	dbid oid NOT NULL,
	userid oid NOT NULL,
	queryid bigint NOT NULL,
	toplevel boolean NOT NULL,
	calls bigint NOT NULL,
	plans bigint NOT NULL,
	total_plan_time float8 NOT NULL,
	total_exec_time float8 NOT NULL,
	rows bigint NOT NULL,
	shared_blks_hit bigint NOT NULL,
	shared_blks_read bigint NOT NULL,
	shared_blks_dirtied bigint NOT NULL,
	shared_blks_written bigint NOT NULL,
	local_blks_hit bigint NOT NULL,
	local_blks_read bigint NOT NULL,
	local_blks_dirtied bigint NOT NULL,
	local_blks_written bigint NOT NULL,
	temp_blks_read bigint NOT NULL,
	temp_blks_written bigint NOT NULL,
	blk_read_time float8 NOT NULL,
	blk_write_time float8 NOT NULL,
	wal_records bigint NOT NULL,
	wal_fpi bigint NOT NULL,
	wal_bytes numeric NOT NULL,
	PRIMARY KEY (dbid, userid, queryid, toplevel)
) WITH (fillfactor = 50);

COMMENT ON TABLE @extschema@.statement_baseline IS
'The pg_stat_statements counters read at the last capture (internal; unlogged: emptied by a crash, like pg_stat_statements itself)';

CREATE UNLOGGED TABLE @extschema@.source_baseline (
	source text PRIMARY KEY,
	captured_at timestamptz NOT NULL,
	stats_reset timestamptz,
	dealloc bigint,
	wal_lsn pg_lsn,
	counters bigint[]
);

COMMENT ON TABLE @extschema@.source_baseline IS
'Per source, when it last captured and the reset markers and instance counters it read (internal; unlogged)';

CREATE UNLOGGED TABLE @extschema@.database_baseline (
	datid oid PRIMARY KEY,
	stats_reset timestamptz,
	counters bigint[] NOT NULL
);

COMMENT ON TABLE @extschema@.database_baseline IS
'The pg_stat_database counters read at the last capture (internal; unlogged)';

CREATE UNLOGGED TABLE @extschema@.space_baseline (
	datid oid NOT NULL,
	relid oid NOT NULL,
	size_bytes bigint NOT NULL,
	PRIMARY KEY (datid, relid)
);

COMMENT ON TABLE @extschema@.space_baseline IS
'The sizes last stored in space_history (internal; unlogged; relid 0 for a database)';
