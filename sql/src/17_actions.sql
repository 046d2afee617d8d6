/* sql/src/17_actions.sql */

CREATE FUNCTION @extschema@._outer_role()
RETURNS regrole
AS 'MODULE_PATHNAME', 'pghero_outer_role'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@._outer_role() IS
'The role that called pghero, as seen from inside its SECURITY DEFINER functions (internal)';

-- One signal to one backend, with every rule; owner only.  In strict mode
-- (a single pid asked for by name) a refusal is an error, otherwise (bulk
-- actions) the backend is skipped.
CREATE FUNCTION @extschema@._signal(
	p_action text, p_pid integer, p_backend_start timestamptz, p_strict boolean)
RETURNS TABLE (pid integer, backend_start timestamptz, "user" name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller regrole := @extschema@._outer_role();
	caller_is_superuser boolean;
	t record;
	refusal text;
	refusal_detail text;
	refusal_code text;
	ok boolean;
BEGIN
	IF p_action NOT IN ('cancel', 'terminate') THEN
		RAISE EXCEPTION 'unknown action "%"', p_action
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT r.rolsuper INTO caller_is_superuser
	FROM pg_catalog.pg_authid r WHERE r.oid OPERATOR(pg_catalog.=) caller;

	SELECT a.* INTO t
	FROM @extschema@._activity() a
	WHERE a.pid OPERATOR(pg_catalog.=) p_pid;

	IF NOT FOUND THEN
		IF p_strict THEN
			RAISE WARNING 'PID % is not a PostgreSQL server process', p_pid
				USING HINT = 'The session may have ended already; see pghero.connections for current processes.';
		END IF;
		RETURN;
	END IF;

	IF p_backend_start IS NOT NULL
	   AND t.backend_start IS DISTINCT FROM p_backend_start THEN
		IF p_strict THEN
			RAISE WARNING 'process % started at %, not at %: nothing was signalled',
				p_pid, t.backend_start, p_backend_start
				USING HINT = 'The session you meant has ended and its process ID now belongs to another session.';
		END IF;
		RETURN;
	END IF;

	IF t.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() THEN
		refusal := pg_catalog.format('cannot %s your own session', p_action);
		refusal_detail := 'pghero never signals the session that asks.';
		refusal_code := 'invalid_parameter_value';
	ELSIF t.backend_type IS DISTINCT FROM 'client backend' THEN
		refusal := pg_catalog.format('cannot %s a %s process', p_action, t.backend_type);
		refusal_detail := pg_catalog.format('Process %s is not a client backend; pghero only signals client sessions.', t.pid);
		refusal_code := 'invalid_parameter_value';
	ELSIF t.is_superuser AND NOT caller_is_superuser THEN
		refusal := pg_catalog.format('permission denied to %s a superuser''s session', p_action);
		refusal_detail := pg_catalog.format('Process %s belongs to superuser "%s"; only a superuser may signal it.', t.pid, t.usename);
		refusal_code := 'insufficient_privilege';
	END IF;

	IF refusal IS NOT NULL THEN
		IF p_strict THEN
			RAISE EXCEPTION '%', refusal
				USING ERRCODE = refusal_code, DETAIL = refusal_detail;
		END IF;
		RETURN;
	END IF;

	IF p_action OPERATOR(pg_catalog.=) 'cancel' THEN
		ok := pg_catalog.pg_cancel_backend(t.pid);
	ELSE
		ok := pg_catalog.pg_terminate_backend(t.pid);
	END IF;

	INSERT INTO @extschema@.audit_log
		(role_name, session_user_name, action, target_pid, target_backend_start,
		 target_user, target_database, target_query, succeeded)
	VALUES (caller::text, session_user, p_action, t.pid, t.backend_start,
			t.usename, t.datname, t.query, ok);

	RETURN QUERY SELECT t.pid, t.backend_start, t.usename, t.datname,
						t.query, p_action, ok;
END
$$;

COMMENT ON FUNCTION @extschema@._signal(text, integer, timestamptz, boolean) IS
'Cancel or terminate one client backend, applying pghero''s rules and writing the audit log (internal)';

CREATE FUNCTION @extschema@.cancel(pid integer, backend_start timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(pg_catalog.bool_or(s.signalled), false)
	FROM @extschema@._signal('cancel', $1, $2, true) s
$$;

COMMENT ON FUNCTION @extschema@.cancel(integer, timestamptz) IS
'Cancel the current query of a client backend; with backend_start, only if the process is still that session';

CREATE FUNCTION @extschema@.terminate(pid integer, backend_start timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(pg_catalog.bool_or(s.signalled), false)
	FROM @extschema@._signal('terminate', $1, $2, true) s
$$;

COMMENT ON FUNCTION @extschema@.terminate(integer, timestamptz) IS
'Terminate a client backend; with backend_start, only if the process is still that session';

CREATE FUNCTION @extschema@.kill_long_running_queries()
RETURNS TABLE (pid integer, backend_start timestamptz, "user" name,
			   database name, query text, action text, signalled boolean)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.*
	FROM @extschema@._activity() a
		 CROSS JOIN @extschema@.config() c
		 CROSS JOIN LATERAL @extschema@._signal('terminate', a.pid, a.backend_start, false) s
	WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
	  AND a.state IS DISTINCT FROM 'idle'
	  AND a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
	  AND pg_catalog.now() OPERATOR(pg_catalog.-) coalesce(a.query_start, a.xact_start)
		  OPERATOR(pg_catalog.>) pg_catalog.make_interval(secs => c.long_running_query_sec)
$$;

COMMENT ON FUNCTION @extschema@.kill_long_running_queries() IS
'Terminate every client backend of this database whose query has run longer than pghero.long_running_query_sec; returns the sessions terminated';

CREATE FUNCTION @extschema@.kill_all(datname name DEFAULT pg_catalog.current_database())
RETURNS TABLE (pid integer, backend_start timestamptz, "user" name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	db name := $1;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_database d
				   WHERE d.datname OPERATOR(pg_catalog.=) db) THEN
		RAISE EXCEPTION 'database "%" does not exist', db
			USING ERRCODE = 'invalid_catalog_name',
				  HINT = 'See pghero.database_sizes for the databases of this cluster.';
	END IF;
	RETURN QUERY
	SELECT s.*
	FROM @extschema@._activity() a
		 CROSS JOIN LATERAL @extschema@._signal('terminate', a.pid, a.backend_start, false) s
	WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
	  AND a.datname OPERATOR(pg_catalog.=) db;
END
$$;

COMMENT ON FUNCTION @extschema@.kill_all(name) IS
'Terminate every client backend connected to a database (default: this one), except your own and, unless you are a superuser, superusers'' sessions';

CREATE FUNCTION @extschema@.reset_query_stats(userid oid DEFAULT 0, dbid oid DEFAULT 0, queryid bigint DEFAULT 0)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	fn text := @extschema@._pgss_function('pg_stat_statements_reset', 3);
BEGIN
	EXECUTE pg_catalog.format('SELECT %s($1, $2, $3)', fn) USING $1, $2, $3;

	INSERT INTO @extschema@.audit_log
		(role_name, session_user_name, action, succeeded, detail)
	VALUES (@extschema@._outer_role()::text, session_user, 'reset_query_stats', true,
			pg_catalog.format('userid %s, dbid %s, queryid %s', $1, $2, $3));
	RETURN true;
END
$$;

COMMENT ON FUNCTION @extschema@.reset_query_stats(oid, oid, bigint) IS
'Reset pg_stat_statements, scoped like pg_stat_statements_reset(userid, dbid, queryid): 0 means all';
