/* sql/src/99_grants.sql */

--------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; pghero_reader reads; pghero_admin acts
--------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pghero_internal FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA pghero_internal FROM PUBLIC;

GRANT USAGE ON SCHEMA @extschema@ TO pghero_reader;
-- the invoker code of the readers (SQL functions) looks its helpers up by name
GRANT USAGE ON SCHEMA pghero_internal TO pghero_reader;

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
	pghero_internal._redact_query(text),
	pghero_internal._relation_namespace(oid),
	pghero_internal._is_own_schema(oid),
	pghero_internal._is_own(oid),
	pghero_internal._relation_size(regclass),
	pghero_internal._relation_sizes(regclass),
	pghero_internal._index_definition(regclass),
	pghero_internal._index_description(regclass),
	pghero_internal._constraint_definition(oid),
	pghero_internal._activity(),
	pghero_internal._vacuum_progress(),
	pghero_internal._indexes_being_built(),
	pghero_internal._replication(),
	pghero_internal._database_sizes(),
	pghero_internal._sequence_values(),
	pghero_internal._pgss_statements(boolean),
	pghero_internal._filesystems(),
	pghero_internal._host_status(),
	pghero_internal._control(),
	pghero_internal._hba_rules(),
	pghero_internal._role_passwords(),
	pghero_internal._new_session_setting(text)
TO pghero_reader;

GRANT SELECT ON pghero_internal.audit_log TO pghero_admin;

-- the actions check for themselves that the caller has the privileges of
-- pghero_admin (pghero_internal._require_admin), so that a reader who
-- calls one is told which role to ask for
GRANT EXECUTE ON FUNCTION
	@extschema@.cancel(integer, timestamptz),
	@extschema@.terminate(integer, timestamptz),
	@extschema@.kill_long_running_queries(),
	@extschema@.kill_all(name),
	@extschema@.reset_query_stats(oid, oid, bigint, boolean)
TO pghero_reader;

-- history is read through the views of schema pghero (which read the
-- tables with their owner's rights), never from the tables themselves
REVOKE ALL ON ALL TABLES IN SCHEMA pghero_internal FROM pghero_reader;

-- but for the list of findings, which pghero.issues reads through a
-- function with the reader's rights (it shows no more than pghero.issues)
GRANT SELECT ON pghero_internal._issues_found TO pghero_reader;
GRANT EXECUTE ON FUNCTION pghero_internal._evaluate_issues() TO pghero_reader;

GRANT EXECUTE ON FUNCTION
	pghero_internal._generation(),
	pghero_internal._raw_from(text),
	pghero_internal._check_window(timestamptz, timestamptz),
	pghero_internal._history_locked(text),
	pghero_internal._statement_window(timestamptz, timestamptz, bigint),
	pghero_internal._statement_totals(timestamptz, timestamptz),
	pghero_internal._statement_losses(timestamptz, timestamptz),
	@extschema@.query_stats_between(timestamptz, timestamptz),
	@extschema@.slow_queries_between(timestamptz, timestamptz),
	@extschema@.query_history(bigint, timestamptz, timestamptz),
	@extschema@.database_activity(timestamptz, timestamptz),
	@extschema@.instance_activity(timestamptz, timestamptz),
	@extschema@.io_activity(timestamptz, timestamptz),
	@extschema@.host_activity(timestamptz, timestamptz),
	@extschema@.space_growth(integer),
	@extschema@.relation_space_history(regclass, timestamptz, timestamptz)
TO pghero_reader;

-- pghero.issues and what its checks call with the reader's rights
GRANT EXECUTE ON FUNCTION
	@extschema@.health(),
	pghero_internal._setting_seconds(text),
	pghero_internal._pgss_info(),
	pghero_internal._checkpoint_counters(),
	pghero_internal._collation_versions(),
	pghero_internal._preloaded(),
	pghero_internal._issues_collector(),
	pghero_internal._issues_slow(boolean),
	pghero_internal._issues_statements(),
	pghero_internal._issues_tracked(),
	pghero_internal._state_locked(text, text),
	pghero_internal._issue_times(),
	pghero_internal._issue_state(boolean),
	pghero_internal._alerted_issues(),
	pghero_internal._tracked_issues(),
	pghero_internal._issue_summary(),
	pghero_internal._recent_activity(),
	pghero_internal._database_size_now(),
	@extschema@.issue_events_since(bigint, text[])
TO pghero_reader;

-- readers may call them, to be told that they need pghero_admin
GRANT EXECUTE ON FUNCTION
	@extschema@.capture(text[]),
	@extschema@.start_collector()
TO pghero_reader;

-- the sampled activity's readers (wait_events(), active_sessions()) run as
-- their caller and read the buckets, including those without a row in
-- pghero.activity_history; these tables hold nothing that view does not show
GRANT SELECT ON pghero_internal.activity_buckets, pghero_internal.activity_history
TO pghero_reader;

GRANT EXECUTE ON FUNCTION
	@extschema@.wait_events(timestamptz, timestamptz),
	@extschema@.active_sessions(timestamptz, timestamptz)
TO pghero_reader;
