/* sql/src/99_grants.sql */

--------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; pghero_reader reads; pghero_admin acts
--------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;

GRANT USAGE ON SCHEMA @extschema@ TO pghero_reader;

DO $$
DECLARE
	v record;
BEGIN
	FOR v IN
		SELECT c.relname FROM pg_catalog.pg_class c
		WHERE c.relnamespace = 'pghero'::regnamespace AND c.relkind = 'v'
	LOOP
		EXECUTE pg_catalog.format('GRANT SELECT ON pghero.%I TO pghero_reader', v.relname);
	END LOOP;
END
$$;

GRANT EXECUTE ON FUNCTION
	@extschema@.config(),
	@extschema@._redact_query(text),
	@extschema@._relation_size(regclass),
	@extschema@._relation_sizes(regclass),
	@extschema@._index_definition(regclass),
	@extschema@._index_description(regclass),
	@extschema@._constraint_definition(oid),
	@extschema@._activity(),
	@extschema@._vacuum_progress(),
	@extschema@._indexes_being_built(),
	@extschema@._replication(),
	@extschema@._database_sizes(),
	@extschema@._sequence_values(),
	@extschema@._pgss_statements(boolean)
TO pghero_reader;

GRANT SELECT ON @extschema@.audit_log TO pghero_admin;

GRANT EXECUTE ON FUNCTION
	@extschema@.cancel(integer, timestamptz),
	@extschema@.terminate(integer, timestamptz),
	@extschema@.kill_long_running_queries(),
	@extschema@.kill_all(name),
	@extschema@.reset_query_stats(oid, oid, bigint)
TO pghero_admin;

GRANT SELECT ON
	@extschema@.collector,
	@extschema@.collector_sources,
	@extschema@.rollup_progress,
	@extschema@.statement_history,
	@extschema@.statement_rollup,
	@extschema@.statement_baseline,
	@extschema@.statement_captures,
	@extschema@.query_texts,
	@extschema@.database_history,
	@extschema@.database_rollup,
	@extschema@.instance_history,
	@extschema@.instance_rollup,
	@extschema@.space_history,
	@extschema@.installation,
	@extschema@.io_history,
	@extschema@.io_rollup,
	@extschema@.object_names
TO pghero_reader;

GRANT EXECUTE ON FUNCTION
	@extschema@._generation(),
	@extschema@._check_window(timestamptz, timestamptz),
	@extschema@._history_locked(text),
	@extschema@._tier_ranges(text, timestamptz, timestamptz),
	@extschema@._statement_deltas(timestamptz, timestamptz),
	@extschema@._statement_losses(timestamptz, timestamptz),
	@extschema@.query_stats(timestamptz, timestamptz),
	@extschema@.slow_queries(timestamptz, timestamptz),
	@extschema@.query_history(bigint, timestamptz, timestamptz),
	@extschema@.database_activity(timestamptz, timestamptz),
	@extschema@.io_activity(timestamptz, timestamptz),
	@extschema@.space_growth(integer),
	@extschema@.relation_space_history(regclass, timestamptz, timestamptz)
TO pghero_reader;

GRANT EXECUTE ON FUNCTION
	@extschema@.capture(text[]),
	@extschema@.start_collector()
TO pghero_admin;
