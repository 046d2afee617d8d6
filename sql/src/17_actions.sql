/* sql/src/17_actions.sql */

CREATE FUNCTION pghero_internal._outer_role()
RETURNS regrole
AS 'MODULE_PATHNAME', 'pghero_outer_role'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._outer_role() IS
'The role that called pghero, as seen from inside its SECURITY DEFINER functions (internal)';

--------------------------------------------------------------------------
-- Actions: cancel, terminate, kill_long_running_queries, kill_all and
-- reset_query_stats.
--
-- Who may act.  The actions are granted to pghero_reader and check for
-- themselves that the caller has the privileges of pghero_admin, so that
-- a reader hears which role to ask for instead of a bare "permission
-- denied for function".  The caller is the role the session runs as (its
-- SET ROLE), from _outer_role(): never the owner these SECURITY DEFINER
-- functions run as, and never a name the caller passes.  A role without
-- pghero_reader may not call them at all.
--
-- What is written.  Every cancel, terminate and reset that was asked for
-- a target -- done, refused, or finding nothing to act on -- writes one
-- audit row with its outcome (succeeded, detail); what was not done
-- returns false with a warning, as pg_cancel_backend() does for a pid
-- that is no backend, so that one refusal in a multi-row call neither
-- stops the others nor rolls back their audit rows.  An error is kept for
-- a call that names nothing to act on (a NULL or non-positive pid, a NULL
-- or unscoped reset, an unknown database) and for a caller who is not an
-- admin: the error rolls back whatever it would write, and the server log
-- has it (log_min_error_statement).  Each audit row also goes to the
-- server log at level LOG, which a rollback cannot undo: an action taken
-- in a transaction that is then rolled back still leaves a trace.
--------------------------------------------------------------------------

CREATE FUNCTION pghero_internal._require_admin(p_what text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller regrole := pghero_internal._outer_role();
BEGIN
	IF NOT pg_catalog.pg_has_role(caller::oid, 'pghero_admin'::name, 'USAGE') THEN
		RAISE EXCEPTION 'must be a member of pghero_admin to %', p_what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only roles with the privileges of pghero_admin may run pghero''s actions; pghero_reader may only read.',
				  HINT = pg_catalog.format('Ask a superuser to run: GRANT pghero_admin TO %s;', caller);
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._require_admin(text) IS
'Raise insufficient_privilege, naming pghero_admin and the GRANT to ask for, unless the calling role has the privileges of pghero_admin (internal)';

CREATE FUNCTION pghero_internal._audit(
	p_action text, p_succeeded boolean, p_detail text,
	p_target_pid integer DEFAULT NULL,
	p_target_backend_start timestamptz DEFAULT NULL,
	p_target_user name DEFAULT NULL, p_target_database name DEFAULT NULL,
	p_target_query text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller name := pg_catalog.pg_get_userbyid(pghero_internal._outer_role());
BEGIN
	INSERT INTO pghero_internal.audit_log
		(role_name, session_user_name, action, target_pid, target_backend_start,
		 target_user, target_database, target_query, succeeded, detail)
	VALUES (caller, session_user, p_action, p_target_pid, p_target_backend_start,
			p_target_user, p_target_database, p_target_query, p_succeeded,
			p_detail);
	-- the server log keeps what a rollback of the caller's transaction
	-- takes out of the table (no query text: the log is read by others)
	RAISE LOG '%', pg_catalog.format(
		'pghero audit: %s by role "%s" (session user "%s")%s%s: %s, %s',
		p_action, caller, session_user,
		CASE WHEN p_target_pid IS NOT NULL
			 THEN pg_catalog.format(' on process %s', p_target_pid) ELSE '' END,
		CASE WHEN p_target_database IS NOT NULL
			 THEN pg_catalog.format(' (database "%s"%s)', p_target_database,
								   CASE WHEN p_target_user IS NOT NULL
										THEN pg_catalog.format(', role "%s"', p_target_user)
										ELSE '' END)
			 ELSE '' END,
		CASE WHEN p_succeeded THEN 'done' ELSE 'not done' END,
		p_detail);
END
$$;

COMMENT ON FUNCTION pghero_internal._audit(text, boolean, text, integer, timestamptz, name, name, text) IS
'Write one row of the audit log, naming the calling role, and the same line to the server log (internal)';

-- One signal to one backend, with every rule; owner only.
--
-- Strict mode is a single pid asked for by name (cancel, terminate): an
-- argument that can name no process is an error, written nowhere; a
-- process that does not exist, that is not the session backend_start
-- names, or that pghero refuses to signal (the caller's own session, a
-- server process, a superuser's session for a caller who is not one) is
-- a warning with the refusal's SQLSTATE, no row, and an audit row with
-- succeeded = false.  Bulk mode (kill_all, kill_long_running_queries)
-- skips what it may not signal, silently; the bulk action writes the
-- audit row when it signalled nothing.
--
-- succeeded is true only when the signal was sent.
CREATE FUNCTION pghero_internal._signal(
	p_action text, p_pid integer, p_backend_start timestamptz, p_strict boolean)
RETURNS TABLE (pid integer, backend_start timestamptz, username name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller regrole := pghero_internal._outer_role();
	caller_is_superuser boolean;
	t record;
	refusal text;
	refusal_detail text;
	refusal_hint text;
	refusal_code text;
	ok boolean;
	outcome text;
BEGIN
	IF p_action IS NULL OR p_action NOT IN ('cancel', 'terminate') THEN
		RAISE EXCEPTION 'unknown action "%"', p_action
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The action is "cancel" or "terminate".';
	END IF;
	IF p_strict IS NULL THEN
		RAISE EXCEPTION 'strict mode must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass true for one session named by the caller, false for a bulk action.';
	END IF;
	IF p_pid IS NULL THEN
		RAISE EXCEPTION 'process ID must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the pid of a session listed in pghero.connections, and its backend_start.';
	END IF;
	IF p_pid OPERATOR(pg_catalog.<=) 0 THEN
		RAISE EXCEPTION 'invalid process ID: %', p_pid
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A process ID is a positive integer.',
				  HINT = 'Pass the pid of a session listed in pghero.connections, and its backend_start.';
	END IF;

	SELECT r.rolsuper INTO caller_is_superuser
	FROM pg_catalog.pg_authid r WHERE r.oid OPERATOR(pg_catalog.=) caller;

	SELECT a.* INTO t
	FROM pghero_internal._activity() a
	WHERE a.pid OPERATOR(pg_catalog.=) p_pid;

	IF NOT FOUND THEN
		IF p_strict THEN
			RAISE WARNING 'PID % is not a PostgreSQL server process', p_pid
				USING HINT = 'The session may have ended already; see pghero.connections for current processes.';
			PERFORM pghero_internal._audit(p_action, false, 'no such backend',
										   p_pid, p_backend_start);
		END IF;
		RETURN;
	END IF;

	IF p_backend_start IS NOT NULL
	   AND t.backend_start IS DISTINCT FROM p_backend_start THEN
		IF p_strict THEN
			RAISE WARNING 'nothing was signalled: backend_start does not match'
				USING DETAIL = pg_catalog.format('Process %s started at %s, not at %s.',
												 p_pid, t.backend_start, p_backend_start),
					  HINT = 'The session you meant has ended and its process ID now belongs to another session.';
			-- the process belongs to someone else: log only what was asked
			PERFORM pghero_internal._audit(p_action, false,
				pg_catalog.format('backend_start did not match (process started at %s)',
								  t.backend_start),
				p_pid, p_backend_start);
		END IF;
		RETURN;
	END IF;

	IF t.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() THEN
		refusal := pg_catalog.format('cannot %s your own session', p_action);
		refusal_detail := 'pghero never signals the session that asks.';
		refusal_hint := 'Pass the pid of another session; pghero.connections lists them.';
		refusal_code := 'invalid_parameter_value';
	ELSIF t.backend_type IS DISTINCT FROM 'client backend' THEN
		refusal := pg_catalog.format('cannot %s a %s process', p_action, t.backend_type);
		refusal_detail := pg_catalog.format('Process %s is not a client backend; pghero only signals client sessions.', t.pid);
		refusal_hint := 'pghero.connections shows the backend_type of each process.';
		refusal_code := 'invalid_parameter_value';
	ELSIF t.is_superuser AND NOT coalesce(caller_is_superuser, false) THEN
		refusal := pg_catalog.format('permission denied to %s a superuser''s session', p_action);
		refusal_detail := pg_catalog.format('Process %s belongs to superuser "%s"; only a superuser may signal it.', t.pid, t.usename);
		refusal_hint := 'Ask a superuser to do it.';
		refusal_code := 'insufficient_privilege';
	END IF;

	IF refusal IS NOT NULL THEN
		IF p_strict THEN
			RAISE WARNING '%, nothing was signalled', refusal
				USING ERRCODE = refusal_code, DETAIL = refusal_detail,
					  HINT = refusal_hint;
			PERFORM pghero_internal._audit(p_action, false, 'refused: ' OPERATOR(pg_catalog.||) refusal,
										   t.pid, t.backend_start, t.usename,
										   t.datname, t.query);
		END IF;
		RETURN;
	END IF;

	IF p_action OPERATOR(pg_catalog.=) 'cancel' THEN
		ok := pg_catalog.pg_cancel_backend(t.pid);
	ELSE
		ok := pg_catalog.pg_terminate_backend(t.pid);
	END IF;

	IF NOT coalesce(ok, false) THEN
		ok := false;
		outcome := 'the server could not signal the process';
	ELSIF p_action OPERATOR(pg_catalog.=) 'cancel'
		  AND t.state IN ('idle', 'idle in transaction',
						  'idle in transaction (aborted)') THEN
		-- a backend waiting for its client ignores a cancel request
		outcome := pg_catalog.format('signal sent, but the session was %s: no query to cancel', t.state);
		IF p_strict THEN
			RAISE WARNING 'process % was % when cancelled: there was no query to cancel', t.pid, t.state
				USING HINT = 'To end the session, use pghero.terminate().';
		END IF;
	ELSE
		outcome := 'signal sent';
	END IF;

	PERFORM pghero_internal._audit(p_action, ok, outcome, t.pid, t.backend_start,
								   t.usename, t.datname, t.query);

	RETURN QUERY SELECT t.pid, t.backend_start, t.usename, t.datname,
						t.query, p_action, ok;
END
$$;

COMMENT ON FUNCTION pghero_internal._signal(text, integer, timestamptz, boolean) IS
'Cancel or terminate one client backend, applying pghero''s rules and writing the audit log (internal)';

-- The common part of the bulk actions: terminate each session of a list
-- (pid, backend_start), skipping what _signal may not signal; when no
-- session was signalled, say so with a notice and one audit row.  Owner
-- only, called from the bulk actions (SECURITY DEFINER themselves).
CREATE FUNCTION pghero_internal._terminate_sessions(
	p_bulk_action text, p_database name, p_criterion text,
	p_pids integer[], p_backend_starts timestamptz[])
RETURNS TABLE (pid integer, backend_start timestamptz, username name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
	n_matched integer := coalesce(pg_catalog.cardinality(p_pids), 0);
	n_signalled integer := 0;
BEGIN
	FOR r IN
		SELECT s.*
		FROM ROWS FROM (pg_catalog.unnest(p_pids),
						   pg_catalog.unnest(p_backend_starts)) AS c(pid, backend_start)
			 CROSS JOIN LATERAL pghero_internal._signal('terminate', c.pid, c.backend_start, false) s
	LOOP
		pid := r.pid;
		backend_start := r.backend_start;
		username := r.username;
		database := r.database;
		query := r.query;
		action := r.action;
		signalled := r.signalled;
		RETURN NEXT;
		IF r.signalled THEN
			n_signalled := n_signalled OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;

	IF n_signalled OPERATOR(pg_catalog.=) 0 THEN
		PERFORM pghero_internal._audit(p_bulk_action, false,
			pg_catalog.format('0 sessions signalled (%s matched: %s)',
							  n_matched, p_criterion),
			p_target_database => p_database);
		RAISE NOTICE '% terminated no session', p_bulk_action
			USING DETAIL = pg_catalog.format('Sessions that matched: %s (%s).',
											 n_matched, p_criterion),
				  HINT = 'pghero never signals your own session, nor a superuser''s unless you are a superuser.';
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._terminate_sessions(text, name, text, integer[], timestamptz[]) IS
'Terminate a list of sessions for a bulk action, auditing one row per session signalled, or one row saying that none was (internal)';

CREATE FUNCTION @extschema@.cancel(pid integer, backend_start timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pghero_internal._require_admin('cancel a query');
	RETURN coalesce((SELECT pg_catalog.bool_or(s.signalled)
					 FROM pghero_internal._signal('cancel', $1, $2, true) s),
					false);
END
$$;

COMMENT ON FUNCTION @extschema@.cancel(integer, timestamptz) IS
'Cancel the current query of a client backend (pghero_admin); with backend_start, only if the process is still that session; false with a warning when nothing was signalled (no such process, or refused); audited either way';

CREATE FUNCTION @extschema@.terminate(pid integer, backend_start timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pghero_internal._require_admin('terminate a session');
	RETURN coalesce((SELECT pg_catalog.bool_or(s.signalled)
					 FROM pghero_internal._signal('terminate', $1, $2, true) s),
					false);
END
$$;

COMMENT ON FUNCTION @extschema@.terminate(integer, timestamptz) IS
'Terminate a client backend (pghero_admin); with backend_start, only if the process is still that session; false with a warning when nothing was signalled (no such process, or refused); audited either way';

CREATE FUNCTION @extschema@.kill_long_running_queries()
RETURNS TABLE (pid integer, backend_start timestamptz, username name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pghero_internal._require_admin('terminate sessions');
	RETURN QUERY
	SELECT s.*
	FROM @extschema@.config() c
		 CROSS JOIN LATERAL (
			SELECT pg_catalog.array_agg(a.pid ORDER BY a.pid) AS pids,
				   pg_catalog.array_agg(a.backend_start ORDER BY a.pid) AS backend_starts
			FROM pghero_internal._activity() a
			WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
			  AND a.state IS DISTINCT FROM 'idle'
			  AND a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
			  AND a.read_at OPERATOR(pg_catalog.-) coalesce(a.query_start, a.xact_start)
				  OPERATOR(pg_catalog.>) pg_catalog.make_interval(secs => c.long_running_query_sec)) m
		 CROSS JOIN LATERAL pghero_internal._terminate_sessions(
			'kill_long_running_queries', pg_catalog.current_database(),
			pg_catalog.format('client sessions of this database running a query for longer than %s s',
							  c.long_running_query_sec),
			m.pids, m.backend_starts) s;
END
$$;

COMMENT ON FUNCTION @extschema@.kill_long_running_queries() IS
'Terminate every client backend of this database whose query has run longer than pghero.long_running_query_sec (pghero_admin); returns the sessions terminated, each audited (a notice and an audit row when none was)';

CREATE FUNCTION @extschema@.kill_all(datname name DEFAULT pg_catalog.current_database())
RETURNS TABLE (pid integer, backend_start timestamptz, username name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	db name := $1;
BEGIN
	PERFORM pghero_internal._require_admin('terminate sessions');
	IF db IS NULL THEN
		RAISE EXCEPTION 'database name must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Leave the argument out to terminate the sessions of the current database: SELECT * FROM pghero.kill_all();';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_database d
				   WHERE d.datname OPERATOR(pg_catalog.=) db) THEN
		-- invalid_catalog_name is 3D000, ERRCODE_UNDEFINED_DATABASE
		RAISE EXCEPTION 'database "%" does not exist', db
			USING ERRCODE = 'invalid_catalog_name',
				  HINT = 'See pghero.database_sizes for the databases of this cluster.';
	END IF;
	RETURN QUERY
	SELECT s.*
	FROM (SELECT pg_catalog.array_agg(a.pid ORDER BY a.pid) AS pids,
				 pg_catalog.array_agg(a.backend_start ORDER BY a.pid) AS backend_starts
		  FROM pghero_internal._activity() a
		  WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
			AND a.datname OPERATOR(pg_catalog.=) db) m
		 CROSS JOIN LATERAL pghero_internal._terminate_sessions(
			'kill_all', db,
			pg_catalog.format('client sessions of database "%s"', db),
			m.pids, m.backend_starts) s;
END
$$;

COMMENT ON FUNCTION @extschema@.kill_all(name) IS
'Terminate every client backend connected to a database (default: this one), except your own and, unless you are a superuser, superusers'' sessions (pghero_admin); each one audited, and a notice and an audit row when none was terminated';

-- What is reset is always named: a scope in the terms of
-- pg_stat_statements_reset(userid, dbid, queryid), where 0 leaves that
-- column unrestricted, or all_statements => true for everything.  No
-- scope at all (every argument left out, or 0, 0, 0) is refused with an
-- error and a hint; so is a scope together with all_statements.  NULL is
-- an error.  A userid or dbid that is neither a role or database nor in
-- pg_stat_statements names nothing and is an error too (entries of a
-- dropped role or database stay in pg_stat_statements until reset, so
-- such an OID is accepted while it has entries).  A scope that matches no
-- entry resets nothing and says so with a warning, false and an audit
-- row.  all_statements => true always acts: it also resets
-- pg_stat_statements_info.
CREATE FUNCTION @extschema@.reset_query_stats(
	userid oid DEFAULT 0, dbid oid DEFAULT 0, queryid bigint DEFAULT 0,
	all_statements boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	null_arg text;
	scoped boolean;
	scope text;
	n_matched bigint;
	user_has_entries boolean;
	db_has_entries boolean;
BEGIN
	PERFORM pghero_internal._require_admin('reset query statistics');
	null_arg := CASE WHEN $1 IS NULL THEN 'userid'
					 WHEN $2 IS NULL THEN 'dbid'
					 WHEN $3 IS NULL THEN 'queryid'
					 WHEN $4 IS NULL THEN 'all_statements' END;
	IF null_arg IS NOT NULL THEN
		RAISE EXCEPTION '% must not be null', null_arg
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Leave an argument out (or pass 0) not to restrict the reset by it; reset_query_stats(all_statements => true) resets every statement.';
	END IF;
	scoped := $1 OPERATOR(pg_catalog.<>) 0 OR $2 OPERATOR(pg_catalog.<>) 0
			  OR $3 OPERATOR(pg_catalog.<>) 0;
	IF NOT scoped AND NOT $4 THEN
		RAISE EXCEPTION 'reset_query_stats() needs a scope or all_statements => true'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Without a userid, dbid or queryid it would reset the statistics of every statement of the cluster; pghero does that only when asked explicitly.',
				  HINT = 'Reset some statements: reset_query_stats(userid => ''app''::regrole), reset_query_stats(dbid => (SELECT oid FROM pg_database WHERE datname = ''appdb'')), reset_query_stats(queryid => 1234), or several of these together; or reset every statement: reset_query_stats(all_statements => true).';
	END IF;
	IF scoped AND $4 THEN
		RAISE EXCEPTION 'all_statements => true cannot be combined with a scope'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('It was called with userid %s, dbid %s, queryid %s.', $1, $2, $3),
				  HINT = 'Pass either a scope (userid, dbid, queryid) or all_statements => true.';
	END IF;
	scope := CASE WHEN $4 THEN 'all statements'
				  ELSE pg_catalog.format('userid %s, dbid %s, queryid %s', $1, $2, $3) END;

	SELECT pg_catalog.count(*) FILTER (
			   WHERE ($1 OPERATOR(pg_catalog.=) 0 OR s.userid OPERATOR(pg_catalog.=) $1)
				 AND ($2 OPERATOR(pg_catalog.=) 0 OR s.dbid OPERATOR(pg_catalog.=) $2)
				 AND ($3 OPERATOR(pg_catalog.=) 0 OR s.queryid OPERATOR(pg_catalog.=) $3)),
		   coalesce(pg_catalog.bool_or(s.userid OPERATOR(pg_catalog.=) $1), false),
		   coalesce(pg_catalog.bool_or(s.dbid OPERATOR(pg_catalog.=) $2), false)
	INTO n_matched, user_has_entries, db_has_entries
	FROM pghero_internal._pgss_statements(false) s;

	IF $1 OPERATOR(pg_catalog.<>) 0 AND NOT user_has_entries
	   AND NOT EXISTS (SELECT FROM pg_catalog.pg_authid r
					   WHERE r.oid OPERATOR(pg_catalog.=) $1) THEN
		RAISE EXCEPTION 'role with OID % does not exist', $1
			USING ERRCODE = 'undefined_object',
				  DETAIL = 'pg_stat_statements has no entry for that userid either.',
				  HINT = 'pghero.query_stats shows the userid of each statement.';
	END IF;
	IF $2 OPERATOR(pg_catalog.<>) 0 AND NOT db_has_entries
	   AND NOT EXISTS (SELECT FROM pg_catalog.pg_database d
					   WHERE d.oid OPERATOR(pg_catalog.=) $2) THEN
		RAISE EXCEPTION 'database with OID % does not exist', $2
			USING ERRCODE = 'invalid_catalog_name',
				  DETAIL = 'pg_stat_statements has no entry for that dbid either.',
				  HINT = 'pghero.query_stats shows the dbid of each statement.';
	END IF;

	IF n_matched OPERATOR(pg_catalog.=) 0 AND scoped THEN
		PERFORM pghero_internal._audit('reset_query_stats', false,
			scope OPERATOR(pg_catalog.||) ': no entry matched, nothing was reset');
		RAISE WARNING 'no pg_stat_statements entry matched: nothing was reset'
			USING DETAIL = pg_catalog.format('No statement has %s.', scope),
				  HINT = 'pghero.query_stats shows the userid, dbid and queryid of each statement.';
		RETURN false;
	END IF;

	PERFORM pghero_internal._pgss_reset($1, $2, $3);

	PERFORM pghero_internal._audit('reset_query_stats', true,
		pg_catalog.format('%s: %s entries reset', scope, n_matched));
	RETURN true;
END
$$;

COMMENT ON FUNCTION @extschema@.reset_query_stats(oid, oid, bigint, boolean) IS
'Reset pg_stat_statements for a scope (pghero_admin): reset_query_stats(userid => ..., dbid => ..., queryid => ...), where a left-out argument (or 0) does not restrict, or everything with reset_query_stats(all_statements => true); without either it refuses with a hint. false with a warning when no entry matched; audited';

--------------------------------------------------------------------------
-- The audit log, as the dashboard shows it
--------------------------------------------------------------------------

CREATE VIEW @extschema@.audit_log AS
SELECT l.id,
	   l.logged_at,
	   l.role_name,
	   l.session_user_name,
	   l.action,
	   l.target_pid,
	   l.target_backend_start,
	   l.target_user AS target_username,
	   l.target_database,
	   l.target_query,
	   l.succeeded,
	   l.detail
FROM pghero_internal.audit_log l;

COMMENT ON VIEW @extschema@.audit_log IS
'Every cancel, terminate and reset asked of pghero, with who asked, the session aimed at and the outcome: done, refused, or nothing to act on (succeeded false, detail says why); newest has the highest id';
