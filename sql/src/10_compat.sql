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
CREATE FUNCTION @extschema@._checkpoint_counters(OUT counters bigint[], OUT stats_reset timestamptz)
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

COMMENT ON FUNCTION @extschema@._checkpoint_counters() IS
'Cumulative checkpoint and buffer-write counters of the server, whatever its version (internal)';
