/* sql/src/90_comments.sql */

--------------------------------------------------------------------------
-- Column comments
--
-- One comment per column, said once: a column takes the text given for
-- its view or table below, else the one of the view it filters (base),
-- else the one for its name.  Every column of every view and table of the
-- schema gets one; a column with none stops the installation (and the
-- upgrade), so none ships undocumented.  test/sql/install.sql checks the
-- result from the catalog.
--------------------------------------------------------------------------

DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		WITH common(col, txt) AS (VALUES
			('tps', 'Transactions (commits and rollbacks) per second over the bucket'),
			('commits', 'Transactions committed in the bucket'),
			('rollbacks', 'Transactions rolled back in the bucket'),
			('rows_read_per_second', 'Rows returned and fetched per second over the bucket'),
			('rows_written_per_second', 'Rows inserted, updated and deleted per second over the bucket'),
			('backends', 'Backends connected to the database at the capture (hourly: the most seen)'),
			('read_time_ms', 'Time spent reading, in milliseconds (track_io_timing)'),
			('write_time_ms', 'Time spent writing, in milliseconds (track_io_timing)'),
			('fsync_time_ms', 'Time spent in fsync, in milliseconds (track_io_timing)'),
			('bucket_start', 'Start of the bucket (filter on it): the capture before for a raw row (its own capture for an identity counted whole, seen for the first time), the hour for an hourly row, the measurement for a size, the start of a collector run'),
			('bucket_end', 'End of the bucket: the capture for a raw row, the end of the hour for an hourly row, the measurement for a size, the end of a collector run'),
			('tier', 'raw: one capture interval; hourly: an hour rolled up, for the hours whose raw rows retention has dropped'),
			('rows_written', 'Rows the run wrote'),
			('finished_at', 'When it finished'),
			('wal_bytes_per_second', 'WAL written per second over the bucket'),
			('checkpoints_requested', 'Checkpoints requested (not timed) in the bucket'),
			('access_method', 'Index access method (btree, hash, gin, gist, ...)'),
			('action', 'cancel, terminate or reset_query_stats; kill_all or kill_long_running_queries when such a call signalled no session'),
			('active', 'Whether a consumer is connected'),
			('active_connections', 'Client connections running a query'),
			('active_pid', 'Process of the connected consumer'),
			('analyze_count', 'Manual ANALYZEs since the statistics were last reset'),
			('ancestor', 'OID of a partitioned table or index'),
			('application_name', 'application_name the client set'),
			('autoanalyze_count', 'Autoanalyzes since the statistics were last reset'),
			('autovacuum_count', 'Autovacuums since the statistics were last reset'),
			('available_connections', 'Connection slots open to ordinary roles'),
			('backend_start', 'When the backend''s session started; with pid, identifies the session'),
			('backend_type', 'Kind of process: client backend, autovacuum worker, walsender, ...'),
			('being_built', 'Whether a CREATE INDEX or REINDEX is building it right now'),
			('shared_blk_read_time', 'Time reading shared blocks in milliseconds (track_io_timing)'),
			('shared_blk_write_time', 'Time writing shared blocks in milliseconds (track_io_timing)'),
			('local_blk_read_time', 'Time reading local blocks in milliseconds (track_io_timing; pg_stat_statements 1.11, PostgreSQL 17)'),
			('local_blk_write_time', 'Time writing local blocks in milliseconds (track_io_timing; pg_stat_statements 1.11, PostgreSQL 17)'),
			('temp_blk_read_time', 'Time reading temporary file blocks in milliseconds (track_io_timing; pg_stat_statements 1.10, PostgreSQL 15)'),
			('temp_blk_write_time', 'Time writing temporary file blocks in milliseconds (track_io_timing; pg_stat_statements 1.10, PostgreSQL 15)'),
			('jit_functions', 'Functions JIT-compiled (pg_stat_statements 1.10)'),
			('jit_generation_time', 'Time generating JIT code, in milliseconds (pg_stat_statements 1.10)'),
			('jit_inlining_count', 'Times functions were JIT-inlined (pg_stat_statements 1.10)'),
			('jit_inlining_time', 'Time JIT-inlining functions, in milliseconds (pg_stat_statements 1.10)'),
			('jit_optimization_count', 'Times JIT code was optimized (pg_stat_statements 1.10)'),
			('jit_optimization_time', 'Time optimizing JIT code, in milliseconds (pg_stat_statements 1.10)'),
			('jit_emission_count', 'Times JIT code was emitted (pg_stat_statements 1.10)'),
			('jit_emission_time', 'Time emitting JIT code, in milliseconds (pg_stat_statements 1.10)'),
			('jit_deform_count', 'Tuple deform functions JIT-compiled (pg_stat_statements 1.11, PostgreSQL 17)'),
			('jit_deform_time', 'Time JIT-compiling tuple deform functions, in milliseconds (pg_stat_statements 1.11, PostgreSQL 17)'),
			('wal_buffers_full', 'Times WAL buffers were full (pg_stat_statements 1.12, PostgreSQL 18)'),
			('parallel_workers_to_launch', 'Parallel workers planned (pg_stat_statements 1.12, PostgreSQL 18)'),
			('parallel_workers_launched', 'Parallel workers launched (pg_stat_statements 1.12, PostgreSQL 18)'),
			('generic_plan_calls', 'Executions with a generic plan (when pg_stat_statements has it; NULL otherwise)'),
			('custom_plan_calls', 'Executions with a custom plan (when pg_stat_statements has it; NULL otherwise)'),
			('stats_since', 'When pg_stat_statements started this entry''s statistics (pg_stat_statements 1.11, PostgreSQL 17)'),
			('generation', 'Installation of pghero that wrote the row: this one''s is in pghero.installation; another comes from a restored dump'),
			('installed_at', 'When this installation of pghero was created (or updated to 1.2)'),
			('lossy_reason', 'Why the numbers are a lower bound, when lossy: what the collector noted (reset, evictions, crash)'),
			('position', 'Order in which the collector runs the source'),
			('object', 'Target object of the I/O: relation or temp relation'),
			('reads', 'Read operations'),
			('read_bytes', 'Bytes read'),
			('read_time', 'Time reading, in milliseconds (track_io_timing)'),
			('writes', 'Write operations'),
			('write_bytes', 'Bytes written'),
			('write_time', 'Time writing, in milliseconds (track_io_timing)'),
			('writebacks', 'Writeback requests to the kernel'),
			('writeback_time', 'Time in writeback requests, in milliseconds (track_io_timing)'),
			('extends', 'Relation extend operations'),
			('extend_bytes', 'Bytes added by extends'),
			('extend_time', 'Time extending, in milliseconds (track_io_timing)'),
			('hits', 'Buffer hits'),
			('evictions', 'Buffers evicted to make room'),
			('reuses', 'Ring buffers reused (bulk reads, bulk writes, vacuum)'),
			('fsyncs', 'fsync calls'),
			('fsync_time', 'Time in fsync, in milliseconds (track_io_timing)'),
			('interval_setting', 'Setting that gives how often the source runs'),
			('run_function', 'pghero function that captures the source (internal)'),
			('raw_table', 'History table the source writes, NULL for none'),
			('rollup_table', 'Hourly rollup of raw_table, NULL for none'),
			('blks_hit', 'Buffer hits'),
			('blks_read', 'Blocks read'),
			('bloat_bytes', 'Estimated wasted space in bytes'),
			('bloat_percent', 'bloat_bytes as a percent of index_bytes, rounded to 0.01'),
			('bloat_size', 'bloat_bytes, human-readable'),
			('blocked_by', 'PIDs of the sessions this one waits for (pg_blocking_pids); empty when it waits for no lock'),
			('blocked_duration', 'How long the waiting query has run (text, truncated to milliseconds; never negative)'),
			('blocked_duration_ms', 'blocked_duration in milliseconds (to the microsecond)'),
			('blocked_pid', 'Process ID of the waiting session'),
			('blocked_query', 'Query of the waiting session, passwords redacted'),
			('blocked_username', 'Role of the waiting session'),
			('blocking_duration', 'How long the blocking sessions current or last query has run (text, truncated to milliseconds; never negative)'),
			('blocking_duration_ms', 'blocking_duration in milliseconds (to the microsecond)'),
			('blocking_pid', 'Process ID of a session holding or queued ahead for a conflicting lock'),
			('blocking_query', 'Current or last query of the blocking session, passwords redacted'),
			('blocking_state', 'State of the blocking session (idle in transaction means it holds locks while doing nothing)'),
			('blocking_transaction_duration', 'How long the blocking session''s transaction has been open (text, truncated to milliseconds; never negative)'),
			('blocking_transaction_duration_ms', 'blocking_transaction_duration in milliseconds (to the microsecond)'),
			('blocking_username', 'Role of the blocking session'),
			('blocks_hit', 'Blocks found in shared buffers'),
			('blocks_read', 'Blocks read from disk or the OS cache'),
			('bucket', 'Start of the hour'),
			('buffers_backend', 'Buffers written by backends themselves'),
			('buffers_checkpoint', 'Buffers written by checkpoints'),
			('buffers_clean', 'Buffers written by the background writer'),
			('cache_hit_percent', 'Share of shared block accesses served from shared buffers, in percent'),
			('calls', 'Executions'),
			('captured_at', 'When the capture ran (end of the interval)'),
			('catalog_xmin_age', 'Age of the oldest transaction the slot keeps catalog rows for'),
			('category', 'tuning, autovacuum or vacuum'),
			('checkpoints_req', 'Requested checkpoints'),
			('checkpoints_timed', 'Scheduled checkpoints'),
			('client_addr', 'Client IP address as text (host(client_addr)); NULL for a Unix-socket connection or a server process'),
			('client_hostname', 'Client host name, when log_hostname is on'),
			('client_port', 'Client TCP port; -1 for a Unix socket'),
			('column_name', 'Column filled from the sequence'),
			('column_type', 'Type of the column'),
			('columns', 'Key columns or expressions, in order (operator classes, collations and ordering are in definition); NULL when the table is locked by another session'),
			('conflicts', 'Queries canceled by recovery conflicts'),
			('connected_for', 'How long the session has been connected (text, truncated to milliseconds; never negative)'),
			('connected_for_ms', 'connected_for in milliseconds (to the microsecond)'),
			('connections', 'Client connections at the capture'),
			('connections_max', 'Most client connections at a capture of the hour'),
			('constraint_name', 'Name of the constraint'),
			('context', 'What it takes to change it (postmaster: restart, sighup: reload, user: SET)'),
			('counters', 'Cumulative counters at the last capture'),
			('covering_definition', 'Definition of the covering index'),
			('covering_index', 'Index that covers it'),
			('covering_indexrelid', 'OID of the covering index'),
			('database', 'Database name'),
			('datid', 'Database OID'),
			('datname', 'Database name'),
			('dbid', 'Database OID'),
			('dead_rows', 'Estimated dead rows'),
			('dead_rows_percent', 'dead_rows as a percent of live_rows, rounded to 0.01 (may exceed 100)'),
			('deadlocks', 'Deadlocks'),
			('dealloc', 'pg_stat_statements deallocations (evictions) so far'),
			('default_value', 'Built-in default, in the base unit'),
			('definition', 'Definition as CREATE statement or constraint clause; NULL when it could not be read without waiting for a lock held by another session'),
			('description', 'What the setting does'),
			('detail', 'Why, in words: signal sent, no such backend, backend_start did not match, refused: and the reason, the scope of a reset and how many entries it reset, ...'),
			('duration', 'How long it has been running (text, truncated to milliseconds; never negative)'),
			('duration_ms', 'duration in milliseconds (to the microsecond)'),
			('entries', 'Entries in pg_stat_statements'),
			('estimated_rows', 'Estimated live rows'),
			('failures', 'Failed runs since the extension was created'),
			('first_seen', 'When the text was first captured'),
			('fix_sql', 'SQL that fixes the problem; review it before running it'),
			('flush_lag', 'Time until the standby flushed recent WAL (text, truncated to milliseconds)'),
			('flush_lag_ms', 'flush_lag in milliseconds'),
			('flush_lsn', 'Last WAL location flushed by the standby, as text'),
			('flush_lsn_bytes', 'flush_lsn as a byte position (flush_lsn - ''0/0'')'),
			('freeze_max_age', 'Effective autovacuum_freeze_max_age of the table'),
			('healthy', 'Whether the unrounded hit rate reaches the threshold'),
			('heap_blks_scanned', 'Blocks scanned so far'),
			('heap_blks_total', 'Blocks of the table'),
			('heap_blks_vacuumed', 'Blocks vacuumed so far'),
			('high_connections', 'Whether total_connections reaches pghero.total_connections_threshold'),
			('high_idle_in_transaction', 'Whether idle_in_transaction_connections reaches pghero.idle_in_transaction_threshold'),
			('history', 'Raw history table rolled up'),
			('hit_rate', 'blocks_hit as a percent of all block accesses, rounded to 0.01; NULL without any access'),
			('id', 'Entry number'),
			('idle_connections', 'Idle client connections'),
			('idle_in_transaction_connections', 'Client connections idle in a transaction'),
			('include_columns', 'Non-key (INCLUDE) columns; NULL when the table is locked by another session'),
			('increment', 'Increment of the sequence'),
			('index_bytes', 'Size of its indexes in bytes'),
			('index_scans', 'Index scans of the table since the statistics were last reset (0 for a table without indexes)'),
			('index_size', 'index_bytes, human-readable'),
			('index_vacuum_count', 'Index vacuum cycles completed'),
			('indexname', 'Name of the index'),
			('indexrelid', 'OID of the index'),
			('is_partition', 'Whether it is a partition of a partitioned table'),
			('is_primary', 'Whether the index backs the primary key'),
			('is_unique', 'Whether the index is unique'),
			('is_valid', 'Whether the index is valid (usable by queries)'),
			('kind', 'database, table, index, materialized view, partitioned table or partitioned index'),
			('lag', 'Replay lag (text, truncated to milliseconds; 0 when a standby has replayed all it received; never negative)'),
			('lag_bytes', 'WAL bytes not yet replayed'),
			('lag_ms', 'lag in milliseconds'),
			('last_analyze', 'Last manual ANALYZE'),
			('last_autoanalyze', 'Last autoanalyze'),
			('last_autovacuum', 'Last autovacuum'),
			('last_duration', 'How long its last run took (text, truncated to milliseconds)'),
			('last_duration_ms', 'How long its last run took, in milliseconds, rounded to 0.001'),
			('last_error', 'Its last error, with SQLSTATE'),
			('last_error_at', 'When it last failed'),
			('last_note', 'What its last successful run had to say (resets, evictions, skipped relations)'),
			('last_rows', 'Rows its last run wrote; NULL if it failed'),
			('last_run_at', 'When the source last ran'),
			('last_success_at', 'When it last ran without error'),
			('last_vacuum', 'Last manual VACUUM'),
			('last_value', 'Last value the sequence returned (the value it will return first if nextval() was not called since it was created or restarted); NULL when unreadable'),
			('live_rows', 'Estimated live rows'),
			('local_blks_dirtied', 'Local blocks dirtied'),
			('local_blks_hit', 'Local buffer hits'),
			('local_blks_read', 'Local blocks read'),
			('local_blks_written', 'Local blocks written'),
			('lock_mode', 'Mode of the lock waited for'),
			('lock_type', 'Type of the lock waited for (relation, transactionid, tuple, ...)'),
			('logged_at', 'When the action was taken'),
			('lossy', 'True when the interval lost data (a statistics reset, evictions, a crash): the numbers are a lower bound'),
			('max_connections', 'max_connections setting'),
			('max_dead_tuples', 'Dead tuples that fit in maintenance memory before an index vacuum cycle (NULL from PostgreSQL 17, which counts bytes: max_dead_tuple_bytes)'),
			('max_dead_tuple_bytes', 'Memory for dead tuples before an index vacuum cycle, in bytes (PostgreSQL 17 and later; NULL before)'),
			('dead_tuple_bytes', 'Memory used by the dead tuples collected since the last index vacuum cycle, in bytes (PostgreSQL 17 and later; NULL before)'),
			('max_entries', 'pg_stat_statements.max'),
			('max_exec_time', 'Longest execution in milliseconds since the entry was made or reset (not per interval)'),
			('max_value', 'Last value the column can take from the sequence: the smaller of the type''s and the sequence''s limits (the larger for a descending sequence)'),
			('mean_time', 'Mean planning and execution time per call (text, truncated to milliseconds)'),
			('mean_time_ms', 'mean_time in milliseconds'),
			('measured', 'Whether every part could be measured; false when a relation was locked by another session and its size was left out'),
			('min_exec_time', 'Shortest execution in milliseconds since the entry was made or reset (not per interval)'),
			('moved', 'Identities whose counters moved'),
			('multixact_freeze_max_age', 'Effective autovacuum_multixact_freeze_max_age of the table'),
			('multixacts_left', 'Multixact IDs left before the server stops accepting commands to prevent wraparound'),
			('mxid_age', 'Age of the oldest multixact ID (table and its TOAST table)'),
			('name', 'Setting name'),
			('next_run_at', 'When the collector runs it next'),
			('note', 'What happened to pg_stat_statements in the interval (reset, evictions, crash, first capture)'),
			('num_dead_tuples', 'Dead tuples collected since the last index vacuum cycle (from PostgreSQL 17: dead item identifiers)'),
			('numbackends', 'Backends connected to the database at the capture'),
			('numbackends_max', 'Most backends connected at a capture of the hour'),
			('partitions', 'For a partitioned table or index, the number of partitions whose sizes are summed; NULL otherwise'),
			('pending_restart', 'Whether a changed value waits for a restart'),
			('percent_of_times_index_used', 'Index scans as a percent of all scans, truncated to 0.01 (100.00 only when every scan used an index); NULL when the table was never scanned'),
			('percent_of_total', 'Share of the total time of all statements, in percent'),
			('percent_scanned', 'heap_blks_scanned as a percent of heap_blks_total, rounded to 0.01'),
			('percent_used', 'last_value as a percent of max_value, rounded to 0.01 (sequence_danger compares the unrounded value)'),
			('phase', 'Current phase of the vacuum'),
			('pid', 'Process ID of the backend'),
			('plans', 'Plannings'),
			('plugin', 'Output plugin of a logical slot'),
			('predicate', 'WHERE clause of a partial index, NULL otherwise (and when the table is locked)'),
			('query', 'Full text of the query, passwords redacted (the current or last one for a backend; the normalized text for a statement)'),
			('queryid', 'pg_stat_statements query identifier'),
			('readable', 'Whether the sequence could be read: false when another session locks it, or for an unlogged sequence on a standby'),
			('referenced_schema', 'Schema of the referenced table of a foreign key, NULL otherwise'),
			('referenced_table', 'Referenced table of a foreign key, NULL otherwise'),
			('relid', 'OID of the table or relation'),
			('relname', 'Name of the table or relation'),
			('replay_lsn', 'Last WAL location replayed, as text'),
			('replay_lsn_bytes', 'replay_lsn as a byte position (replay_lsn - ''0/0'')'),
			('reply_time', 'Last reply from the standby'),
			('reserved_connections', 'Connection slots reserved for superusers (and, from PostgreSQL 16, reserved_connections)'),
			('retained_wal', 'retained_wal_bytes, human-readable'),
			('retained_wal_bytes', 'WAL kept for the slot, in bytes'),
			('role', 'primary: a standby this server streams to; standby: this server''s own replay'),
			('role_name', 'Role that took the action (current role of the caller)'),
			('rolled_up_until', 'Every raw row captured before this time is in the hourly rollup'),
			('rows', 'Rows retrieved or affected'),
			('rows_modified_since_analyze', 'Rows modified since the last ANALYZE'),
			('runs', 'Runs since the extension was created'),
			('safe_wal_bytes', 'WAL bytes that can still be written before the slot is lost (max_slot_wal_keep_size), NULL if unlimited'),
			('samples', 'Raw samples summed in the hour'),
			('schemaname', 'Schema of the table'),
			('seconds', 'Seconds covered by the samples'),
			('sent_lsn', 'Last WAL location sent, as text'),
			('sent_lsn_bytes', 'sent_lsn as a byte position (sent_lsn - ''0/0'')'),
			('seq_scan', 'Sequential scans since the statistics were last reset'),
			('seqid', 'OID of the sequence'),
			('sequence_name', 'Name of the sequence'),
			('sequence_schema', 'Schema of the sequence'),
			('session_user_name', 'Session user of the caller'),
			('setting', 'Current value in the setting''s base unit'),
			('shared_blks_dirtied', 'Shared blocks dirtied'),
			('shared_blks_hit', 'Shared buffer hits'),
			('shared_blks_read', 'Shared blocks read'),
			('shared_blks_written', 'Shared blocks written'),
			('since', 'Start of the interval: the previous capture (a new or restarted entry, counted whole, began after it); NULL in rows written by 1.1 for such an entry'),
			('size', 'size_bytes, human-readable'),
			('size_bytes', 'Size on disk in bytes; NULL when it could not be measured without waiting for a lock held by another session'),
			('slot_name', 'Name of the slot'),
			('slot_type', 'physical or logical'),
			('source', 'Capture source: statements, database_activity, instance, space or retention'),
			('ssl', 'Whether the connection uses SSL'),
			('started_at', 'When the current query started (the transaction start for a backend idle in transaction)'),
			('state', 'Backend state: active, idle, idle in transaction, ...'),
			('statements_deallocations', 'pg_stat_statements deallocations so far: evictions of entries when it is full (statements row only)'),
			('statements_entries', 'Entries in pg_stat_statements at the last capture (statements row only)'),
			('statements_fill_percent', 'statements_entries as a percent of statements_max, rounded to 0.01 (statements row only)'),
			('statements_max', 'pg_stat_statements.max (statements row only)'),
			('statements_reset_at', 'When pg_stat_statements was last reset (statements row only)'),
			('stats_age', 'Time since the statistics were last reset: the window in which the index was not used (text, truncated to milliseconds; NULL if never reset)'),
			('stats_age_ms', 'stats_age in milliseconds'),
			('stats_reset', 'When the statistics were last reset'),
			('succeeded', 'Whether the action was carried out: a signal sent, a reset done; false when it was refused or found nothing to act on (detail says why)'),
			('sync_state', 'Synchronous state of the standby (async, potential, sync, quorum)'),
			('table_bytes', 'Size of the table and its TOAST data in bytes'),
			('table_relid', 'OID of the table'),
			('tablename', 'Name of the table'),
			('target_backend_start', 'Start of the session aimed at (as the caller gave it, when it did not match)'),
			('target_database', 'Database of the session aimed at, or of a bulk action'),
			('target_pid', 'Process ID aimed at'),
			('target_query', 'Query the session was running, passwords redacted'),
			('target_user', 'Role of the session aimed at; NULL when no such session was found'),
			('target_username', 'Role of the session aimed at; NULL when no such session was found'),
			('temp_blks_read', 'Temporary blocks read'),
			('temp_blks_written', 'Temporary blocks written'),
			('temp_bytes', 'Bytes written to temporary files'),
			('temp_files', 'Temporary files created'),
			('temporary', 'Whether the slot is temporary'),
			('threshold', 'pghero.cache_hit_rate_threshold, in percent'),
			('toplevel', 'Whether executed at top level (false: nested in a function)'),
			('total_connections', 'Client connections from this source'),
			('total_exec_time', 'Execution time in milliseconds'),
			('total_plan_time', 'Planning time in milliseconds'),
			('total_time', 'Total planning and execution time (text, truncated to milliseconds)'),
			('total_time_ms', 'total_time in milliseconds'),
			('transactions_left', 'Transaction IDs left before the server stops accepting commands to prevent wraparound'),
			('tup_deleted', 'Rows deleted'),
			('tup_fetched', 'Rows fetched by index scans'),
			('tup_inserted', 'Rows inserted'),
			('tup_returned', 'Rows returned by sequential scans and index entries returned'),
			('tup_updated', 'Rows updated'),
			('type', 'Kind of object'),
			('unit', 'Base unit of setting'),
			('unneeded_definition', 'Definition of the unneeded index'),
			('unneeded_index', 'Index that the covering index makes unnecessary'),
			('unneeded_indexrelid', 'OID of the unneeded index'),
			('userid', 'Role OID'),
			('username', 'Role name of the session or statement'),
			('vacuum_count', 'Manual VACUUMs since the statistics were last reset'),
			('value', 'Current value, with its unit'),
			('values_left', 'Values left before the limit'),
			('wait_event', 'Event the backend is waiting for, NULL if it is not waiting'),
			('wait_event_type', 'Type of event the backend is waiting for, NULL if it is not waiting'),
			('wal_bytes', 'WAL bytes generated'),
			('wal_fpi', 'WAL full-page images generated'),
			('wal_lsn', 'WAL insert location at the last capture'),
			('wal_records', 'WAL records generated'),
			('wal_status', 'Whether the WAL the slot needs is still available (reserved, extended, unreserved, lost)'),
			('worker_pid', 'Process ID of the collector worker, NULL when it is not running'),
			('write_lag', 'Time until the standby wrote recent WAL (text, truncated to milliseconds)'),
			('write_lag_ms', 'write_lag in milliseconds'),
			('write_lsn', 'Last WAL location written by the standby, as text'),
			('write_lsn_bytes', 'write_lsn as a byte position (write_lsn - ''0/0'')'),
			('xact_commit', 'Transactions committed'),
			('xact_rollback', 'Transactions rolled back'),
			('xact_start', 'When the backend''s current transaction started'),
			('xid_age', 'Age of the oldest unfrozen transaction ID (table and its TOAST table)'),
			('xmin_age', 'Age of the oldest transaction the slot keeps rows for')),
		per_object(rel, col, txt) AS (VALUES
			('instance_status', 'system_identifier', 'Unique identifier of the cluster (pg_control), the same on its standbys'),
			('instance_status', 'version', 'PostgreSQL version string'),
			('instance_status', 'server_version_num', 'PostgreSQL version as a number (e.g. 170004)'),
			('instance_status', 'role', 'primary, or standby while in recovery'),
			('instance_status', 'timeline', 'Timeline of the last checkpoint'),
			('instance_status', 'postmaster_start', 'When the server started'),
			('instance_status', 'uptime', 'Time since the server started (text, truncated to milliseconds)'),
			('instance_status', 'uptime_ms', 'uptime in milliseconds'),
			('instance_status', 'config_loaded_at', 'When the configuration files were last loaded'),
			('instance_status', 'connections_used', 'Client connections now'),
			('instance_status', 'data_total_bytes', 'Size of the file system that holds the data directory, in bytes'),
			('instance_status', 'data_available_bytes', 'Bytes the server may still write on the file system of the data directory'),
			('instance_status', 'data_available_percent', 'data_available_bytes as a percent of data_total_bytes, rounded to 0.01'),
			('instance_status', 'data_inodes_free', 'Free inodes on the file system of the data directory'),
			('instance_status', 'wal_total_bytes', 'Size of the file system that holds pg_wal, in bytes'),
			('instance_status', 'wal_available_bytes', 'Bytes the server may still write on the file system of pg_wal'),
			('instance_status', 'wal_available_percent', 'wal_available_bytes as a percent of wal_total_bytes, rounded to 0.01'),
			('instance_status', 'wal_on_data_filesystem', 'Whether pg_wal is on the file system of the data directory'),
			('instance_status', 'standbys', 'Standbys (and other WAL receivers) connected to this server'),
			('instance_status', 'ready_for_reads', 'Whether an ordinary role can connect now (a connection slot is free)'),
			('instance_status', 'ready_for_writes', 'Whether an ordinary role can connect and write now: a slot is free, not in recovery, not read-only by default'),
			('instance_status', 'all_standbys_streaming', 'Whether every connected standby is streaming; NULL without standbys'),
			('_issues_security', 'check_name', 'Name of the check that found the issue (hba_trust, md5_password, public_create, ...)'),
			('_issues_security', 'category', 'Area of the check: security'),
			('_issues_security', 'severity', 'critical (the cluster or its data are open now), warning or info'),
			('_issues_security', 'database', 'Database the finding is in (schemas, functions, extensions: this database only); NULL for a cluster-wide one (pg_hba.conf, settings, roles)'),
			('_issues_security', 'object', 'What the finding is about: a pg_hba.conf file:line, a role, a setting, a schema, a function with its argument types, an extension'),
			('_issues_security', 'details', 'The facts of the finding as jsonb (file and line, rule without options, role, versions); never a password, hash or option'),
			('_issues_security', 'description', 'What an attacker could do, in words'),
			('_issues_security', 'remediation', 'The statement to run or the pg_hba.conf line to write that fixes it'),
			('collector_runs', 'error', 'The error of a failed run, with its SQLSTATE'),
			('collector_runs', 'note', 'What a successful run had to say (resets, evictions, skipped relations)'),
			('collector_runs', 'succeeded', 'Whether the run succeeded'),
			('collector_runs', 'source', 'Capture source (see pghero.collector)'),
			('io_history', 'backend_type', 'Type of backend (client backend, checkpointer, autovacuum worker, ...)'),
			('io_history', 'context', 'Context of the I/O: normal, vacuum, bulkread or bulkwrite'),
			('object_names', 'kind', 'database or role'),
			('object_names', 'oid', 'OID of the database or role in the cluster that wrote the history'),
			('object_names', 'name', 'Its name when first captured'),
			('_partition_tree', 'relid', 'OID of one of its partitions, at any depth'),
			('autovacuum_danger', 'transactions_left', 'Transactions left before autovacuum forces an anti-wraparound vacuum'),
			('autovacuum_danger', 'multixacts_left', 'Multixacts left before autovacuum forces an anti-wraparound vacuum'),
			('blocked_queries', 'relid', 'OID of the relation whose lock is waited for, if it is a relation lock'),
			('blocked_queries', 'schemaname', 'Schema of that relation (this database only)'),
			('blocked_queries', 'relname', 'Name of that relation (this database only)'),
			('cache_hit_rates', 'kind', 'table or index'),
			('collector', 'note', 'What its last successful run had to say (resets, evictions, skipped relations)'),
			('connection_states', 'total_connections', 'Client connections in this state'),
			('connection_summary', 'total_connections', 'Client connections of the cluster'),
			('connection_summary', 'percent_used', 'total_connections as a percent of available_connections, rounded to 0.01'),
			('database_sizes', 'size_bytes', 'Size of the database in bytes'),
			('duplicate_indexes', 'size_bytes', 'Size of the unneeded index in bytes; NULL when it could not be measured without waiting'),
			('duplicate_indexes', 'size', 'Size of the unneeded index, human-readable'),
			('index_bloat', 'index_bytes', 'Size of the index from its page count at the last VACUUM or ANALYZE, in bytes'),
			('indexes', 'index_scans', 'Index scans since the statistics were last reset'),
			('query_stats', 'calls', 'Number of executions'),
			('query_stats', 'total_time_ms', 'total_time in milliseconds, rounded to 0.001'),
			('query_stats', 'mean_time_ms', 'mean_time in milliseconds, rounded to 0.001 (slow_queries compares the unrounded mean)'),
			('query_stats', 'percent_of_total', 'Share of the total time of all statements, in percent, rounded to 0.01'),
			('query_stats', 'cache_hit_percent', 'Share of shared block accesses served from shared buffers, in percent, rounded to 0.01'),
			('query_stats', 'rows', 'Rows retrieved or affected, in total'),
			('query_stats', 'shared_blks_read', 'Shared blocks read from disk or the OS cache'),
			('query_stats', 'temp_blks_read', 'Temporary file blocks read'),
			('query_stats', 'temp_blks_written', 'Temporary file blocks written'),
			('query_texts', 'query', 'Normalized query text'),
			('relation_sizes', 'size_bytes', 'Size in bytes (a table with its TOAST data, without indexes); NULL when it could not be measured without waiting'),
			('replication', 'state', 'WAL sender state on a primary; WAL receiver status on a standby'),
			('replication_slots', 'database', 'Database of a logical slot'),
			('settings', 'source', 'Where the current value comes from (default, configuration file, ...)'),
			('space_baseline', 'relid', 'Relation OID; NULL for a database'),
			('space_baseline', 'size_bytes', 'Size in bytes'),
			('space_history', 'relid', 'Relation OID; NULL for a database'),
			('space_history', 'schemaname', 'Schema of the relation'),
			('space_history', 'relname', 'Name of the relation, or of the database'),
			('space_history', 'size_bytes', 'Size in bytes'),
			('statement_captures', 'lossy', 'True when the interval lost data: reset, evictions or crash'),
			('table_sizes', 'size_bytes', 'Total size in bytes: table, TOAST and indexes; NULL when it could not be measured without waiting'),
			('transaction_id_danger', 'kind', 'table or database'),
			('transaction_id_danger', 'schemaname', 'Schema of the table, NULL for a database'),
			('transaction_id_danger', 'relname', 'Name of the table, NULL for a database'),
			('transaction_id_danger', 'relid', 'OID of the table, NULL for a database'),
			('unused_indexes', 'index_scans', 'Index scans since the statistics were last reset'),
			('unused_indexes', 'stats_reset', 'When the statistics of this database were last reset; NULL if never'),
			('vacuum_progress', 'schemaname', 'Schema of the table (tables of this database only)'),
			('vacuum_progress', 'relname', 'Table being vacuumed (tables of this database only)'),
			('vacuum_progress', 'started_at', 'When the vacuum started'),
			('table_bloat', 'table_bytes', 'Size of the table''s main fork (without TOAST data) from its page count at the last VACUUM or ANALYZE, in bytes'),
			('table_bloat', 'table_size', 'table_bytes, human-readable'),
			('table_bloat', 'bloat_percent', 'bloat_bytes as a percent of table_bytes, rounded to 1 decimal'),
			('table_bloat', 'fillfactor', 'The table''s fillfactor: the space it keeps free on purpose is not counted as bloat'),
			('storage', 'tier', 'raw (history as captured), hourly (rollups), state (baselines, registry, collector runs), texts (statement texts, names) or audit (the audit log)'),
			('storage', 'schemaname', 'Schema of the table (pghero_internal)'),
			('storage', 'relname', 'Name of pghero''s table'),
			('storage', 'relid', 'OID of pghero''s table'),
			('storage', 'size_bytes', 'Size in bytes of the table with its indexes and TOAST data, its partitions summed; a part locked by another session counts as 0 (see measured)'),
			('storage', 'estimated_rows', 'Estimated rows (pg_class.reltuples of the table or its partitions, as of their last VACUUM or ANALYZE; 0 before the first)'),
			('storage', 'partitions', 'For a history table, the number of its daily partitions; NULL for a plain table'),
			('storage', 'retention_setting', 'Setting whose retention bounds the table: pghero.raw_retention, pghero.history_retention, or none (kept until removed by hand)'),
			('storage', 'retention', 'Current value of retention_setting; NULL for none'),
			('issues', 'issue_key', 'Stable identity of the issue for as long as the problem lasts: check_name:database.object (e.g. invalid_index:app.public.users_email_idx)'),
			('issues', 'check_name', 'The check that found the issue (see README, Current issues)'),
			('issues', 'category', 'availability, performance, maintenance, capacity or security'),
			('issues', 'severity', 'critical (availability or data at risk), warning or info'),
			('issues', 'database', 'Database the issue is in; NULL for a cluster-wide issue'),
			('issues', 'object', 'The object at fault: schema-qualified relation, index, constraint or column, session pid, role, slot, setting, statement queryid or prepared transaction; NULL for an instance-wide issue'),
			('issues', 'details', 'The numbers behind the finding, unrounded, with the threshold in force (jsonb)'),
			('issues', 'description', 'What the issue is and its impact, in words and numbers'),
			('issues', 'remediation', 'The statement or action that fixes it'),
			('issues', 'first_seen', 'When the collector first found the problem (it has been found at every evaluation since); NULL when the collector does not evaluate the checks or has not found it yet'),
			('issues', 'last_seen', 'When the collector last found it (now for a problem it has not evaluated yet); now when the collector does not evaluate the checks'),
			('issue_state', 'first_seen', 'When the collector first found the problem (it has been found at every evaluation since)'),
			('issue_state', 'last_seen', 'The last evaluation that found it'),
			('issue_state', 'opened_at', 'When the feed opened it (found for pghero.issue_open_after); NULL while pending'),
			('issue_state', 'reported_severity', 'Severity of the last event of the issue'),
			('issue_state', 'reported_details', 'Details of the last event of the issue'),
			('issue_state', 'last_event_at', 'When its last event was written'),
			('issue_events', 'event_id', 'Number of the event, increasing in commit order: resume with event_id > the last one handled'),
			('issue_events', 'at', 'When the collector''s evaluation found the change'),
			('issue_events', 'op', 'opened, changed (severity, or details at most once per pghero.issue_resolve_after) or resolved'),
			('issue_events', 'issue_key', 'The issue (see pghero.issues.issue_key)'),
			('issue_events', 'check_name', 'The check that found the issue'),
			('issue_events', 'category', 'availability, performance, maintenance, capacity or security'),
			('issue_events', 'severity', 'Severity of the issue at the event (for resolved: its last one)'),
			('issue_events', 'database', 'Database the issue is in; NULL for a cluster-wide issue'),
			('issue_events', 'object', 'The object at fault; NULL for an instance-wide issue'),
			('issue_events', 'details', 'The numbers behind the finding at the event (jsonb)'),
			('issue_events', 'description', 'What the issue is and its impact at the event'),
			('issue_feed', 'removed_through', 'Highest event id retention has removed (of the events this generation wrote)'),
			('checks', 'check_name', 'Name of the check (pghero.issues.check_name)'),
			('checks', 'category', 'availability, performance, maintenance, capacity or security'),
			('checks', 'severities', 'The severities the check gives, least severe first'),
			('checks', 'settings', 'The pghero settings that tune it (thresholds); empty when none'),
			('checks', 'summary', 'What the check looks for'),
			('issue_counts', 'issues', 'Number of current issues of this severity found by this check'),
			('overview', 'status', 'ok, warning or critical: the most severe issue alerts follow (as pghero.health())'),
			('overview', 'critical_issues', 'Number of critical issues'),
			('overview', 'warning_issues', 'Number of warning issues'),
			('overview', 'info_issues', 'Number of info issues'),
			('overview', 'issues_tracked', 'Whether the counts are the collector''s tracked open issues (with hysteresis) rather than evaluated live'),
			('overview', 'top_issue_key', 'issue_key of the top issue: the most severe, then the longest open; NULL when there is none'),
			('overview', 'top_issue_severity', 'Severity of the top issue'),
			('overview', 'top_issue_description', 'Description of the top issue: what it is and its impact'),
			('overview', 'server_version', 'PostgreSQL version (server_version)'),
			('overview', 'database', 'The current database'),
			('overview', 'database_size_bytes', 'Size of the current database, in bytes, at database_size_at'),
			('overview', 'database_size', 'Size of the current database, human-readable'),
			('overview', 'database_size_at', 'When the size was measured: the collector''s last space capture while it runs on time, else now'),
			('overview', 'activity_from', 'Start of the captures of the last minute the activity columns sum (NULL: none)'),
			('overview', 'activity_to', 'End of the captures of the last minute the activity columns sum'),
			('overview', 'tps', 'Transactions (commits and rollbacks) per second of every database over the captures of the last minute'),
			('overview', 'rows_read_per_second', 'Rows returned and fetched per second of every database over the captures of the last minute'),
			('overview', 'rows_written_per_second', 'Rows inserted, updated and deleted per second of every database over the captures of the last minute'),
			('overview', 'cache_hit_percent', 'Share of block reads of every database found in shared buffers over the captures of the last minute, in percent'),
			('overview', 'activity_lossy', 'True when a capture of the last minute lost data (a statistics reset, a crash): the rates are a lower bound'),
			('overview', 'activity_note', 'Why the activity columns are NULL or a lower bound; NULL when they are complete'),
			('activity_buckets', 'captured_at', 'The capture that wrote the bucket: its end'),
			('activity_buckets', 'since', 'Start of the bucket: the previous capture of activity, or when the server started sampling'),
			('activity_buckets', 'ticks', 'Samples taken in the bucket (one every pghero.activity_sample_interval)'),
			('activity_buckets', 'dropped', 'Session samples of the bucket not counted because pghero.activity_max_entries was full'),
			('activity_buckets', 'lossy', 'True for the first bucket after the server restarted (not for the very first): the samples since the capture before the restart were lost'),
			('activity_history', 'captured_at', 'The capture that wrote the row: the end of its bucket'),
			('activity_history', 'since', 'Start of the bucket'),
			('activity_history', 'dbid', 'OID of the database of the sessions (NULL for a process of no database)'),
			('activity_history', 'datname', 'Name of the database at the capture'),
			('activity_history', 'userid', 'OID of the role of the sessions (NULL for a process of no role)'),
			('activity_history', 'username', 'Name of the role at the capture'),
			('activity_history', 'state', 'State of the sessions (pg_stat_activity.state; idle sessions are not counted)'),
			('activity_history', 'wait_event_type', 'What the sessions waited on (pg_stat_activity.wait_event_type); NULL: not waiting'),
			('activity_history', 'wait_event', 'The wait event (pg_stat_activity.wait_event); NULL: not waiting'),
			('activity_history', 'queryid', 'Identifier of the statement the sessions ran (pg_stat_activity.query_id; NULL when not computed)'),
			('activity_history', 'samples', 'Samples of the bucket that saw a session so: divided by the bucket''s ticks, the average number of such sessions'),
			('activity_history', 'ticks', 'Samples taken in the bucket'),
			('activity_history', 'average_sessions', 'Average number of sessions so over the bucket (samples / ticks)'),
			('activity_history', 'lossy', 'True for the first bucket after the server restarted (not for the very first): the samples since the capture before the restart were lost'),
			('activity_history', 'database', 'Name of the database of the sessions'),
			('activity_history', 'seconds', 'Length of the bucket, in seconds'),
			('session_log', 'pid', 'Process ID of the session'),
			('session_log', 'query_start', 'When the statement (or, idle in transaction, the last one) started'),
			('session_log', 'started_at', 'When the statement (or, idle in transaction, the last one) started'),
			('session_log', 'dbid', 'OID of the database'),
			('session_log', 'datname', 'Name of the database when first seen'),
			('session_log', 'database', 'Name of the database when first seen'),
			('session_log', 'userid', 'OID of the role'),
			('session_log', 'username', 'Name of the role when first seen'),
			('session_log', 'queryid', 'Identifier of the statement (NULL when not computed)'),
			('session_log', 'query', 'Text of the statement when first seen, passwords redacted (at most track_activity_query_size bytes)'),
			('session_log', 'first_seen', 'The first sample that saw the session running long or blocked'),
			('session_log', 'last_seen', 'The last sample that saw it'),
			('session_log', 'longest_duration', 'Longest time since started_at that a sample observed'),
			('session_log', 'longest_duration_ms', 'Longest time since started_at that a sample observed, in milliseconds'),
			('session_log', 'long_running', 'True when a sample saw it active for pghero.long_running_query_sec or longer'),
			('session_log', 'blocked', 'True when a sample saw it waiting on a lock held by another session'),
			('session_log', 'state', 'Its state at the last sample'),
			('session_log', 'wait_event_type', 'What it waited on at the last sample; NULL: not waiting'),
			('session_log', 'wait_event', 'Its wait event at the last sample; NULL: not waiting')),
		-- a view that filters another one (slow_queries, ...) shares its comments
		base(rel, base) AS (VALUES
			('security_issues', '_issues_security'),
			('long_running_queries', 'running_queries'),
			('slow_queries', 'query_stats'),
			('missing_indexes', 'index_usage'),
			('sequence_danger', 'sequences'),
			('io_rollup', 'io_history'),
			('issue_counts', 'issues'),
			('overview', 'instance_status'),
			('_issues_activity', 'issues'),
			('_issues_maintenance', 'issues'),
			('_issues_capacity', 'issues'),
			('_issues_replication', 'issues'),
			('_issues_performance', 'issues'),
			('_issues_security', 'issues'),
			('_issues_found', 'issues'),
			('issue_state', 'issues'))
		SELECT n.nspname AS nsp, cl.relname AS rel, a.attname AS col,
			   coalesce(po.txt, pb.txt, cm.txt) AS txt,
			   pg_catalog.count(*) OVER (PARTITION BY n.nspname, cl.relname, a.attname) AS texts
		FROM pg_catalog.pg_class cl
			 JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) cl.oid
			 LEFT JOIN base b ON b.rel OPERATOR(pg_catalog.=) cl.relname
			 LEFT JOIN per_object po ON po.rel OPERATOR(pg_catalog.=) cl.relname
				AND po.col OPERATOR(pg_catalog.=) a.attname
			 LEFT JOIN per_object pb ON pb.rel OPERATOR(pg_catalog.=) b.base
				AND pb.col OPERATOR(pg_catalog.=) a.attname
			 LEFT JOIN common cm ON cm.col OPERATOR(pg_catalog.=) a.attname
			 JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) cl.relnamespace
		WHERE n.nspname IN ('pghero', 'pghero_internal')
		  AND cl.relkind IN ('r', 'p', 'v')
		  AND NOT cl.relispartition
		  AND a.attnum OPERATOR(pg_catalog.>) 0
		  AND NOT a.attisdropped
		ORDER BY cl.relname, a.attnum
	LOOP
		IF c.txt IS NULL THEN
			RAISE EXCEPTION 'no comment for column %.%', c.rel, c.col;
		END IF;
		IF c.texts > 1 THEN
			RAISE EXCEPTION 'more than one comment for column %.%', c.rel, c.col;
		END IF;
		EXECUTE pg_catalog.format('COMMENT ON COLUMN %I.%I.%I IS %L', c.nsp, c.rel, c.col, c.txt);
	END LOOP;
END
$$;

--------------------------------------------------------------------------
-- Table comments (here rather than beside each CREATE TABLE, so that an
-- upgrade sets them as a fresh installation does)
--------------------------------------------------------------------------

COMMENT ON SCHEMA pghero_internal IS 'pghero''s internals: history tables and their partitions, collector state and helper functions; read the dashboard from schema pghero';

COMMENT ON TABLE pghero_internal.issue_state IS
'The issues the collector tracks: pending (found, not yet for pghero.issue_open_after) or open (until absent for pghero.issue_resolve_after); dumped';

COMMENT ON TABLE pghero_internal.issue_events IS
'The change feed: every issue opened, changed or resolved (read through pghero.issue_events; kept for pghero.history_retention; dumped)';

COMMENT ON SEQUENCE pghero_internal.issue_event_id_seq IS
'Numbers the events of the change feed (dumped: a restored database goes on from where it was)';

COMMENT ON TABLE pghero_internal.issue_feed IS
'The highest event id retention has removed, per generation (no row until it has removed one; dumped)';

COMMENT ON TABLE pghero_internal.collector_runs IS
'Every run of every capture source: start, end, outcome, rows, error or note (read through pghero.collector_runs; kept for pghero.history_retention)';

COMMENT ON TABLE pghero_internal.audit_log IS
'Every action taken through pghero: who, when, what, on which session';

COMMENT ON TABLE pghero_internal.installation IS
'This installation of pghero: the generation its collector writes history under (internal; not dumped)';

COMMENT ON TABLE pghero_internal.collector_sources IS
'The capture sources: in which order and how often each runs, what it writes, and its last run, duration, rows, error and next run';

COMMENT ON TABLE pghero_internal.rollup_progress IS
'For each history table and generation, the time before which every raw row is already in the hourly rollup';

COMMENT ON TABLE pghero_internal.statement_history IS
'Raw statement history: per capture, the change of every pg_stat_statements counter of each identity (userid, dbid, queryid, toplevel) that moved; NULL means no change';

COMMENT ON TABLE pghero_internal.statement_rollup IS
'Hourly statement history: the sums of the raw rows captured in each hour (the smallest and largest extremes), kept for pghero.history_retention';

COMMENT ON TABLE pghero_internal.query_texts IS
'Normalized text of every statement in the history, stored once per generation, database and query identifier, secrets replaced';

COMMENT ON TABLE pghero_internal.statement_captures IS
'One row per statements capture: pg_stat_statements fill, deallocations, resets, and whether the interval lost data';

COMMENT ON TABLE pghero_internal.object_names IS
'Name of every database and role the statement history refers to, per generation, as first captured';

COMMENT ON TABLE pghero_internal.database_history IS
'Raw database activity: per capture and database, the change of the pg_stat_database counters (NULL: no change) and the number of backends';

COMMENT ON TABLE pghero_internal.database_rollup IS
'Hourly database activity: sums of the raw rows of each hour';

COMMENT ON TABLE pghero_internal.instance_history IS
'Raw instance activity: per capture, WAL generated, checkpoints and buffer writes (changes), and client connections by state (counts)';

COMMENT ON TABLE pghero_internal.instance_rollup IS
'Hourly instance activity: sums of the raw rows of each hour';

COMMENT ON TABLE pghero_internal.space_history IS
'Size history of every database and of every relation of the home database: a row when the size changed';

COMMENT ON TABLE pghero_internal.statement_baseline IS
'The pg_stat_statements counters read at the last capture (internal; unlogged: emptied by a crash, like pg_stat_statements itself)';

COMMENT ON TABLE pghero_internal.source_baseline IS
'Per source, when it last captured and the reset markers and instance counters it read (internal; unlogged)';

COMMENT ON TABLE pghero_internal.database_baseline IS
'The pg_stat_database counters read at the last capture (internal; unlogged)';

COMMENT ON TABLE pghero_internal.space_baseline IS
'The sizes last stored in space_history (internal; unlogged; relid 0 for a database)';

COMMENT ON TABLE pghero_internal.io_history IS
'Raw I/O history from pg_stat_io (PostgreSQL 16 and later): per capture and backend type, object and context, the change of its counters (NULL: no change)';

COMMENT ON TABLE pghero_internal.io_rollup IS
'Hourly I/O history: sums of the raw rows of each hour';

COMMENT ON TABLE pghero_internal.io_baseline IS
'The pg_stat_io counters read at the last capture (internal; unlogged)';

COMMENT ON TABLE pghero_internal.activity_buckets IS
'Activity sampling: one row per bucket (the time between two captures of activity) with the number of samples taken in it (read through pghero.activity_history)';
COMMENT ON TABLE pghero_internal.activity_history IS
'Activity sampling: per bucket and database, user, application, state, wait event and queryid, the number of samples that saw a session so (read through pghero.activity_history)';
COMMENT ON TABLE pghero_internal.session_log IS
'Long-running and blocked sessions seen by the sampler, one row per statement (read through pghero.session_log)';
