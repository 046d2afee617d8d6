--
-- Security: what pghero_reader sees and may do, what nobody else may do,
-- and hostile objects that must neither change a result nor run.
--
SET client_min_messages = warning;

CREATE ROLE regress_pghero_reader LOGIN;
GRANT pghero_reader TO regress_pghero_reader;
CREATE ROLE regress_pghero_nobody LOGIN;

CREATE TABLE regress_secret (id serial PRIMARY KEY, secret text);
INSERT INTO regress_secret (secret) SELECT 'top secret ' || g FROM generate_series(1, 42) g;
SELECT count(*) AS regress_security_marker FROM regress_secret;

-- The reader sees the superuser's statement with its full text, every
-- sequence's progress, but not the table itself, nor any action
SET ROLE regress_pghero_reader;
SELECT count(*) > 0 AS sees_full_text
FROM pghero.query_stats
WHERE query LIKE 'SELECT count(*) AS regress_security_marker%';
SELECT count(*) AS insufficient_privilege_rows
FROM pghero.query_stats
WHERE query = '<insufficient privilege>' OR query IS NULL;
SELECT sequence_name, relname, column_name, last_value, readable
FROM pghero.sequences WHERE relname = 'regress_secret';
-- pg_stat_activity hides other roles' session details from the reader
SELECT backend_start IS NOT NULL AS sees_other_sessions
FROM pghero.connections WHERE backend_type = 'checkpointer';
SELECT * FROM regress_secret;
SELECT nextval('regress_secret_id_seq');
-- an action: the reader may call it, and is told which role to ask for
\set SHOW_CONTEXT never
SELECT pghero.cancel(pg_backend_pid());
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.terminate(2147483647);
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.reset_query_stats();
\echo :LAST_ERROR_SQLSTATE
SELECT pghero.reset_query_stats(all_statements => true);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pghero.kill_all();
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pghero.kill_long_running_queries();
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
-- the audit log through the dashboard's view, not the table
SELECT count(*) AS audit_rows FROM pghero.audit_log;
SELECT * FROM pghero_internal.audit_log;
SELECT pghero_internal._sequence_last_value('regress_secret_id_seq');
RESET ROLE;

-- A role without the grant is refused every object of ours: first by the
-- schema, then, even with USAGE on it, by each object.  The objects are
-- enumerated from the catalog, so one added later is covered too.
CREATE FUNCTION pg_temp.try_every_pghero_object(OUT objects integer, OUT denied integer)
LANGUAGE plpgsql AS $$
DECLARE
	o record;
BEGIN
	objects := 0;
	denied := 0;
	FOR o IN
		SELECT pg_catalog.format('SELECT * FROM %s LIMIT 0', c.oid::pg_catalog.regclass) AS stmt
		FROM pg_catalog.pg_class c
		WHERE c.relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace) AND c.relkind IN ('r', 'v', 'S', 'm', 'p')
		UNION ALL
		-- volatile NULL arguments, so that no STRICT function is folded
		-- away before its privilege is checked
		SELECT pg_catalog.format('SELECT %I.%I(%s)', p.pronamespace::pg_catalog.regnamespace, p.proname,
			   (SELECT pg_catalog.string_agg('(CASE WHEN pg_catalog.random() < 2 THEN NULL END)::'
											 || pg_catalog.format_type(t, NULL), ', ')
				FROM pg_catalog.unnest(p.proargtypes::oid[]) t))
		FROM pg_catalog.pg_proc p
		WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
	LOOP
		objects := objects + 1;
		BEGIN
			EXECUTE o.stmt;
			RAISE WARNING 'not denied: %', o.stmt;
		EXCEPTION WHEN insufficient_privilege THEN
			denied := denied + 1;
		END;
	END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.try_every_pghero_object() TO regress_pghero_nobody;
SET ROLE regress_pghero_nobody;
SELECT objects > 40 AS many_objects, objects = denied AS all_denied
FROM pg_temp.try_every_pghero_object();
RESET ROLE;
GRANT USAGE ON SCHEMA pghero, pghero_internal TO regress_pghero_nobody;
SET ROLE regress_pghero_nobody;
SELECT objects > 40 AS many_objects, objects = denied AS all_denied
FROM pg_temp.try_every_pghero_object();
RESET ROLE;
REVOKE USAGE ON SCHEMA pghero, pghero_internal FROM regress_pghero_nobody;

--
-- Hostile objects in public, before and after CREATE EXTENSION, with
-- public first in search_path: a fake pg_stat_statements, look-alike
-- functions and operators.  None may run, none may change a result.
--
DROP EXTENSION pghero;
DROP EXTENSION pg_stat_statements;
CREATE SEQUENCE public.hostile_calls;
CREATE FUNCTION public.hostile() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	RAISE WARNING 'hostile code ran';
	RETURN nextval('public.hostile_calls');
END
$$;
CREATE FUNCTION public.pg_stat_statements(showtext boolean,
	OUT userid oid, OUT dbid oid, OUT toplevel boolean, OUT queryid bigint,
	OUT query text, OUT calls bigint, OUT total_plan_time float8,
	OUT total_exec_time float8, OUT rows bigint, OUT shared_blks_hit bigint,
	OUT shared_blks_read bigint, OUT temp_blks_read bigint,
	OUT temp_blks_written bigint)
RETURNS SETOF record LANGUAGE sql AS $$
	SELECT 10::oid, 1::oid, true, public.hostile(), 'FAKE', 1::bigint, 0::float8,
		   1e9::float8, 1::bigint, 0::bigint, 0::bigint, 0::bigint, 0::bigint
$$;
CREATE FUNCTION public.pg_stat_statements_reset(oid, oid, bigint) RETURNS void
	LANGUAGE sql AS 'SELECT public.hostile(); SELECT';
CREATE FUNCTION public.now() RETURNS timestamptz
	LANGUAGE sql AS $$ SELECT 'epoch'::timestamptz + public.hostile() * interval '1 s' $$;
CREATE FUNCTION public.hostile_int_eq(integer, integer) RETURNS boolean
	LANGUAGE sql AS 'SELECT public.hostile() IS NOT NULL';
CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer,
	FUNCTION = public.hostile_int_eq);

-- the real pg_stat_statements lives in its own schema
CREATE SCHEMA pgss;
CREATE EXTENSION pg_stat_statements SCHEMA pgss;
SET search_path = public, pg_catalog;
CREATE EXTENSION pghero;

-- more look-alikes after the installation
CREATE FUNCTION public.pg_blocking_pids(integer) RETURNS integer[]
	LANGUAGE sql AS 'SELECT ARRAY[public.hostile()::integer]';
CREATE FUNCTION public.pg_backend_pid() RETURNS integer
	LANGUAGE sql AS 'SELECT public.hostile()::integer';
CREATE FUNCTION public.current_database() RETURNS name
	LANGUAGE sql AS 'SELECT public.hostile()::text::name';
CREATE FUNCTION public.format(text, VARIADIC text[]) RETURNS text
	LANGUAGE sql AS 'SELECT public.hostile()::text';
CREATE FUNCTION public.hostile_text_eq(text, text) RETURNS boolean
	LANGUAGE sql AS 'SELECT public.hostile() IS NOT NULL';
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text,
	FUNCTION = public.hostile_text_eq);
CREATE FUNCTION public.hostile_oid_eq(oid, oid) RETURNS boolean
	LANGUAGE sql AS 'SELECT public.hostile() IS NOT NULL';
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = oid,
	FUNCTION = public.hostile_oid_eq);

SELECT count(*) AS regress_hostile_marker FROM regress_secret WHERE id > 0;

-- Read every view, as the superuser and as the reader (the helper's own
-- catalog query spells its operator out; the views run with the hostile
-- search_path)
CREATE FUNCTION pg_temp.read_every_view() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	v record;
	n integer := 0;
BEGIN
	FOR v IN SELECT c.relname FROM pg_catalog.pg_class c
			 WHERE c.relnamespace OPERATOR(pg_catalog.=) 'pghero'::regnamespace
			   AND c.relkind OPERATOR(pg_catalog.=) 'v'
	LOOP
		EXECUTE pg_catalog.format('SELECT * FROM pghero.%I', v.relname);
		n := n OPERATOR(pg_catalog.+) 1;
	END LOOP;
	RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.read_every_view() TO regress_pghero_reader;
SELECT pg_temp.read_every_view() OPERATOR(pg_catalog.>) 25 AS read_every_view;
SET ROLE regress_pghero_reader;
SELECT pg_temp.read_every_view() OPERATOR(pg_catalog.>) 25 AS read_every_view;
RESET ROLE;

-- keep what the views say, to look at it with a clean search_path
CREATE TEMP TABLE h_query_stats AS SELECT * FROM pghero.query_stats;
CREATE TEMP TABLE h_sequences AS SELECT * FROM pghero.sequences;
CREATE TEMP TABLE h_running AS SELECT * FROM pghero.running_queries;
CREATE TEMP TABLE h_reset AS SELECT pghero.reset_query_stats(all_statements => true) AS reset;
RESET search_path;

SELECT count(*) AS fake_rows FROM h_query_stats WHERE query = 'FAKE';
SELECT count(*) > 0 AS real_rows
FROM h_query_stats
WHERE query LIKE 'SELECT count(*) AS regress_hostile_marker%';
SELECT relname, column_name, last_value FROM h_sequences WHERE relname = 'regress_secret';
SELECT count(*) AS own_backend_listed FROM h_running WHERE pid = pg_backend_pid();
SELECT reset FROM h_reset;
SELECT count(*) AS stats_after_reset FROM pgss.pg_stat_statements
WHERE query LIKE 'SELECT count(*) AS regress_hostile_marker%';

-- not a single hostile call
SELECT is_called AS hostile_code_ran FROM public.hostile_calls;

DROP OPERATOR public.= (integer, integer);
DROP OPERATOR public.= (text, text);
DROP OPERATOR public.= (oid, oid);
DROP FUNCTION public.pg_stat_statements(boolean), public.pg_stat_statements_reset(oid, oid, bigint),
	public.now(), public.pg_blocking_pids(integer), public.pg_backend_pid(),
	public.current_database(), public.format(text, VARIADIC text[]),
	public.hostile_int_eq(integer, integer), public.hostile_text_eq(text, text),
	public.hostile_oid_eq(oid, oid), public.hostile();
DROP SEQUENCE public.hostile_calls;
DELETE FROM pghero_internal.audit_log;
