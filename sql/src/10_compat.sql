/* sql/src/10_compat.sql */

--------------------------------------------------------------------------
-- PostgreSQL version differences
--
-- Every difference between PostgreSQL versions that the SQL of pghero
-- meets lives in this section, behind one function each; nothing else
-- tests a version.  Each function picks its query by the running server's
-- server_version_num when called, rather than once at installation:
-- pg_upgrade carries the extension's definitions over to a newer major
-- version unchanged, so a choice made at installation would go stale.
-- (pg_stat_statements' own differences are handled by name, in
-- src/pgss.c.)
--------------------------------------------------------------------------

-- Checkpoint and buffer-write counters, in the order instance_history
-- stores them: checkpoints timed and requested, buffers written by
-- checkpoints, by the background writer and by backends.  PostgreSQL 17
-- moved the checkpoint counters to pg_stat_checkpointer and dropped
-- buffers_backend (pg_stat_io has it by backend type): NULL there.
CREATE FUNCTION pghero_internal._checkpoint_counters(OUT counters bigint[], OUT stats_reset timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF pg_catalog.current_setting('server_version_num')::integer >= 170000 THEN
		EXECUTE 'SELECT ARRAY[c.num_timed, c.num_requested, c.buffers_written, b.buffers_clean, NULL::bigint],
						c.stats_reset
				 FROM pg_catalog.pg_stat_checkpointer c, pg_catalog.pg_stat_bgwriter b'
		INTO counters, stats_reset;
	ELSE
		EXECUTE 'SELECT ARRAY[b.checkpoints_timed, b.checkpoints_req, b.buffers_checkpoint,
							  b.buffers_clean, b.buffers_backend],
						b.stats_reset
				 FROM pg_catalog.pg_stat_bgwriter b'
		INTO counters, stats_reset;
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._checkpoint_counters() IS
'Cumulative checkpoint and buffer-write counters of the server, whatever its version (internal)';

-- I/O by backend type, object and context (pg_stat_io, PostgreSQL 16 and
-- later; no row before): cumulative counters, in the order io_history
-- stores them (reads, read_bytes, read_time, writes, write_bytes,
-- write_time, writebacks, writeback_time, extends, extend_bytes,
-- extend_time, hits, evictions, reuses, fsyncs, fsync_time).  PostgreSQL
-- 18 counts bytes; 16 and 17 count operations of op_bytes bytes each.
CREATE FUNCTION pghero_internal._io_counters(OUT backend_type text, OUT object text, OUT context text,
										 OUT counters numeric[], OUT stats_reset timestamptz)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v integer := pg_catalog.current_setting('server_version_num')::integer;
BEGIN
	IF v < 160000 THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE pg_catalog.format($q$
		SELECT i.backend_type, i.object, i.context,
			   ARRAY[i.reads, %1$s, i.read_time, i.writes, %2$s, i.write_time,
					 i.writebacks, i.writeback_time, i.extends, %3$s, i.extend_time,
					 i.hits, i.evictions, i.reuses, i.fsyncs, i.fsync_time]::numeric[],
			   i.stats_reset
		FROM pg_catalog.pg_stat_io i
		$q$,
		CASE WHEN v >= 180000 THEN 'i.read_bytes' ELSE 'i.reads * i.op_bytes' END,
		CASE WHEN v >= 180000 THEN 'i.write_bytes' ELSE 'i.writes * i.op_bytes' END,
		CASE WHEN v >= 180000 THEN 'i.extend_bytes' ELSE 'i.extends * i.op_bytes' END);
END
$$;

COMMENT ON FUNCTION pghero_internal._io_counters() IS
'Cumulative I/O counters of pg_stat_io by backend type, object and context, whatever the version (none before PostgreSQL 16) (internal)';

-- Progress of every running VACUUM.  PostgreSQL 17 counts dead tuples'
-- memory in bytes (max_dead_tuple_bytes, dead_tuple_bytes) and dead item
-- identifiers (num_dead_item_ids) instead of dead tuples: max_dead_tuples is
-- NULL there, num_dead_tuples is the dead item identifiers; the byte
-- columns are NULL before 17.
CREATE FUNCTION pghero_internal._vacuum_progress()
RETURNS TABLE (
	pid integer, datid oid, datname name, relid oid, phase text,
	heap_blks_total bigint, heap_blks_scanned bigint,
	heap_blks_vacuumed bigint, index_vacuum_count bigint,
	max_dead_tuples bigint, num_dead_tuples bigint,
	max_dead_tuple_bytes bigint, dead_tuple_bytes bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY EXECUTE pg_catalog.format($q$
		SELECT p.pid, p.datid, p.datname, p.relid, p.phase,
			   p.heap_blks_total, p.heap_blks_scanned,
			   p.heap_blks_vacuumed, p.index_vacuum_count,
			   %s
		FROM pg_catalog.pg_stat_progress_vacuum p
		$q$,
		CASE WHEN pg_catalog.current_setting('server_version_num')::integer >= 170000
			 THEN 'NULL::bigint, p.num_dead_item_ids, p.max_dead_tuple_bytes, p.dead_tuple_bytes'
			 ELSE 'p.max_dead_tuples, p.num_dead_tuples, NULL::bigint, NULL::bigint'
		END);
END
$$;

COMMENT ON FUNCTION pghero_internal._vacuum_progress() IS
'Progress of every running VACUUM, whoever runs it, whatever the server''s version (internal)';

-- Each database's collation version as recorded (pg_database.datcollversion)
-- and as the operating system's library now reports it (PostgreSQL 15 and
-- later; no row before, where pg_database records no version).
CREATE FUNCTION pghero_internal._collation_versions(OUT datname name, OUT recorded_version text,
													OUT actual_version text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF pg_catalog.current_setting('server_version_num')::integer < 150000 THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE
		'SELECT d.datname, d.datcollversion, pg_catalog.pg_database_collation_actual_version(d.oid)
		 FROM pg_catalog.pg_database d
		 WHERE d.datallowconn AND d.datconnlimit <> -2';
END
$$;

COMMENT ON FUNCTION pghero_internal._collation_versions() IS
'Every database''s collation version as recorded and as the library now reports it (none before PostgreSQL 15) (internal)';

-- The rules of pg_hba.conf as the file on disk has them now (what a reload
-- would load), for the security checks.  pg_hba_file_rules is readable by
-- superusers (and pg_read_all_settings from PostgreSQL 15) only: this
-- function reads it for any caller, takes no input and returns no option
-- (options can hold ldapbindpasswd or radiussecret).  PostgreSQL 16 names
-- each rule's file (include directives); before, every rule is in
-- hba_file.
CREATE FUNCTION pghero_internal._hba_rules()
RETURNS TABLE (
	file_name text, line_number integer, type text, database text[],
	user_name text[], address text, netmask text, auth_method text,
	error text)
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY EXECUTE pg_catalog.format($q$
		SELECT %s, r.line_number, r.type, r.database, r.user_name,
			   r.address, r.netmask, r.auth_method, r.error
		FROM pg_catalog.pg_hba_file_rules r
		$q$,
		CASE WHEN pg_catalog.current_setting('server_version_num')::integer >= 160000
			 THEN 'r.file_name'
			 ELSE 'pg_catalog.current_setting(''hba_file'')'
		END);
END
$$;

COMMENT ON FUNCTION pghero_internal._hba_rules() IS
'Every rule of pg_hba.conf (and its included files) as on disk, with its file and line, whoever the caller, without options (internal)';
