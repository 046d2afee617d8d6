--
-- pg_stat_statements called by OID (src/pgss.c): the same columns whatever
-- its version, the real functions whatever other roles create, and clear
-- errors.  Every change to pg_stat_statements is made in a transaction that
-- is rolled back; the only lasting effect is a scoped reset of this test's
-- own marker statement.
--
SET client_min_messages = warning;

-- SQLSTATE, message, detail and hint of an error, or 'no error'
CREATE FUNCTION pg_temp.error_of(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	det text;
	hnt text;
BEGIN
	EXECUTE sql;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
	RETURN concat_ws(E'\n', st || ': ' || replace(msg, current_database(), '<db>'),
					 'DETAIL: ' || nullif(det, ''), 'HINT: ' || nullif(hnt, ''));
END
$$;

-- Read pg_stat_statements directly (src: a FROM item) and through pghero,
-- in one statement, this database's rows only: the same rows, the same
-- value in every column pg_stat_statements has (under its newest name),
-- NULL in every other column
CREATE FUNCTION pg_temp.pgss_same(src text, showtext boolean)
RETURNS TABLE (has_rows boolean, same_rows boolean, others_null boolean,
			   renamed_filled boolean)
LANGUAGE plpgsql AS $f$
BEGIN
	RETURN QUERY EXECUTE format($q$
		WITH d AS MATERIALIZED (
			SELECT (to_jsonb(s) - 'blk_read_time' - 'blk_write_time'
					- 'total_time' - 'min_time' - 'max_time' - 'mean_time'
					- 'stddev_time')
				   || jsonb_strip_nulls(jsonb_build_object(
						'shared_blk_read_time', to_jsonb(s) -> 'blk_read_time',
						'shared_blk_write_time', to_jsonb(s) -> 'blk_write_time',
						'total_exec_time', to_jsonb(s) -> 'total_time',
						'min_exec_time', to_jsonb(s) -> 'min_time',
						'max_exec_time', to_jsonb(s) -> 'max_time',
						'mean_exec_time', to_jsonb(s) -> 'mean_time',
						'stddev_exec_time', to_jsonb(s) -> 'stddev_time')) AS j
			FROM %s s
			WHERE s.dbid = (SELECT oid FROM pg_database
							WHERE datname = current_database())),
		h AS MATERIALIZED (
			SELECT to_jsonb(s) AS j,
				   s.total_exec_time IS NOT NULL
				   AND s.shared_blk_read_time IS NOT NULL AS renamed_filled
			FROM pghero_internal._pgss_statements(%L) s
			WHERE s.dbid = (SELECT oid FROM pg_database
							WHERE datname = current_database())),
		k AS (SELECT DISTINCT jsonb_object_keys(d.j) AS key FROM d),
		hp AS (
			SELECT (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(h.j) e
					WHERE e.key IN (SELECT key FROM k)) AS j,
				   (SELECT coalesce(bool_and(e.value = 'null'), true)
					FROM jsonb_each(h.j) e
					WHERE e.key NOT IN (SELECT key FROM k)) AS others_null,
				   h.renamed_filled
			FROM h)
		SELECT (SELECT count(*) FROM d) > 0,
			   NOT EXISTS (SELECT j FROM d EXCEPT ALL SELECT j FROM hp)
			   AND NOT EXISTS (SELECT j FROM hp EXCEPT ALL SELECT j FROM d),
			   (SELECT bool_and(others_null) FROM hp),
			   (SELECT bool_and(renamed_filled) FROM hp)
		$q$, src, showtext);
END
$f$;

-- pg_stat_statements' schema, and the direct call there
CREATE FUNCTION pg_temp.pgss_schema() RETURNS text
LANGUAGE sql AS $$
	SELECT quote_ident(n.nspname)
	FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
	WHERE e.extname = 'pg_stat_statements'
$$;
CREATE FUNCTION pg_temp.pgss_direct(showtext boolean) RETURNS text
LANGUAGE sql AS $$
	SELECT format('%s.pg_stat_statements(%L)', pg_temp.pgss_schema(), showtext)
$$;

-- The fixed columns, whatever the version
SELECT a.name, a.type
FROM pg_proc p,
	 unnest(p.proargnames, p.proallargtypes::regtype[], p.proargmodes)
		WITH ORDINALITY AS a(name, type, mode, n)
WHERE p.oid = 'pghero_internal._pgss_statements(boolean)'::regprocedure
  AND a.mode = 't'
ORDER BY a.n;

-- As installed by the suite
SELECT 1 AS regress_pgss_marker;
SELECT * FROM pg_temp.pgss_same(pg_temp.pgss_direct(true), true);
SELECT * FROM pg_temp.pgss_same(pg_temp.pgss_direct(false), false);
SELECT count(*) = 0 AS no_text_without_showtext
FROM pghero_internal._pgss_statements(false) WHERE query IS NOT NULL;
SELECT i.dealloc = p.dealloc AND i.stats_reset = p.stats_reset AS same_info
FROM pghero_internal._pgss_info() i, pghero_internal._pgss_info() p;

-- Not installed
BEGIN;
DROP EXTENSION pg_stat_statements;
SELECT pg_temp.error_of('SELECT * FROM pghero_internal._pgss_statements(true)');
SELECT pg_temp.error_of('SELECT * FROM pghero_internal._pgss_info()');
SELECT pg_temp.error_of('SELECT pghero_internal._pgss_reset(0, 0, 0)');
ROLLBACK;

-- In a schema of its own, with look-alikes of the exact signatures
-- elsewhere, first in search_path
BEGIN;
DROP EXTENSION pg_stat_statements;
CREATE SCHEMA regress_pgss_home;
CREATE EXTENSION pg_stat_statements SCHEMA regress_pgss_home;
CREATE SCHEMA regress_pgss_fake;
CREATE FUNCTION regress_pgss_fake.pg_stat_statements(boolean)
	RETURNS SETOF record LANGUAGE sql AS 'SELECT 1/0, 1';
CREATE FUNCTION regress_pgss_fake.pg_stat_statements_info()
	RETURNS record LANGUAGE sql AS 'SELECT 1/0, 1';
CREATE FUNCTION regress_pgss_fake.pg_stat_statements_reset(oid, oid, bigint)
	RETURNS void LANGUAGE sql AS 'SELECT 1/0';
CREATE FUNCTION regress_pgss_fake.pg_stat_statements_reset(oid, oid, bigint, boolean)
	RETURNS void LANGUAGE sql AS 'SELECT 1/0';
SET LOCAL search_path = regress_pgss_fake, public;
SELECT 1 AS regress_pgss_marker;
SELECT * FROM pg_temp.pgss_same('regress_pgss_home.pg_stat_statements(true)', true);
SELECT * FROM pg_temp.pgss_same('regress_pgss_home.pg_stat_statements(false)', false);
SELECT count(*) = 1 AS info_read FROM pghero_internal._pgss_info();
ROLLBACK;

-- A role that may create in pg_stat_statements' schema adds overloads with
-- extra defaulted arguments: the calls by name become ambiguous, pghero's
-- calls are unchanged and run none of that role's code
BEGIN;
DROP EXTENSION pg_stat_statements;
CREATE EXTENSION pg_stat_statements SCHEMA public;
CREATE ROLE regress_pghero_hostile;
GRANT CREATE ON SCHEMA public TO regress_pghero_hostile;
SET LOCAL ROLE regress_pghero_hostile;
CREATE SEQUENCE public.regress_hostile_calls;
CREATE FUNCTION public.regress_hostile() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	RAISE WARNING 'hostile code ran';
	RETURN nextval('public.regress_hostile_calls');
END
$$;
CREATE FUNCTION public.pg_stat_statements(boolean, int DEFAULT 0)
	RETURNS SETOF record LANGUAGE sql AS 'SELECT public.regress_hostile(), 1';
CREATE FUNCTION public.pg_stat_statements_info(int DEFAULT 0)
	RETURNS record LANGUAGE sql AS 'SELECT public.regress_hostile(), 1';
CREATE FUNCTION public.pg_stat_statements_reset(oid, oid, bigint,
	boolean DEFAULT false, int DEFAULT 0)
	RETURNS void LANGUAGE sql AS 'SELECT public.regress_hostile()';
RESET ROLE;
SELECT pg_temp.error_of('SELECT count(*) FROM public.pg_stat_statements(true)');
SELECT pg_temp.error_of('SELECT public.pg_stat_statements_info()');
SELECT pg_temp.error_of('SELECT public.pg_stat_statements_reset(0, 0, 0)');
SELECT 1 AS regress_pgss_marker;
-- the view pg_stat_statements still calls the real function (bound by OID)
SELECT * FROM pg_temp.pgss_same('public.pg_stat_statements', true);
SELECT count(*) = 1 AS info_read FROM pghero_internal._pgss_info();
-- a reset scoped to the marker statement removes it and nothing else
CREATE TEMP TABLE regress_pgss_before AS
	SELECT s.userid, s.dbid, s.queryid, s.query
	FROM pghero_internal._pgss_statements(true) s;
SELECT count(*) AS marker_resets
FROM (SELECT pghero_internal._pgss_reset(b.userid, b.dbid, b.queryid)
	  FROM regress_pgss_before b
	  WHERE b.query = 'SELECT $1 AS regress_pgss_marker'
		AND b.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())) r;
SELECT count(*) AS markers_left
FROM pghero_internal._pgss_statements(true) s
WHERE s.query = 'SELECT $1 AS regress_pgss_marker'
  AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database());
SELECT count(*) > 0 AS others_kept
FROM pghero_internal._pgss_statements(false) s JOIN regress_pgss_before b USING (userid, dbid, queryid);
SELECT is_called AS hostile_code_ran FROM public.regress_hostile_calls;
ROLLBACK;

-- An older pg_stat_statements: 1.8 (no toplevel, blk_read_time) and 1.7
-- (total_time) are read under the newest names.  1.8 has no
-- pg_stat_statements_info() and no 4-argument pg_stat_statements_reset():
-- functions of those exact signatures in its schema that are not members
-- of the extension are not called
BEGIN;
DROP EXTENSION pg_stat_statements;
CREATE EXTENSION pg_stat_statements VERSION '1.8' SCHEMA public;
CREATE SEQUENCE public.regress_hostile_calls;
CREATE FUNCTION public.pg_stat_statements_info(OUT dealloc bigint,
	OUT stats_reset timestamptz) RETURNS record
	LANGUAGE sql AS 'SELECT nextval(''public.regress_hostile_calls''), now()';
CREATE FUNCTION public.pg_stat_statements_reset(oid, oid, bigint, boolean)
	RETURNS void LANGUAGE sql AS 'SELECT nextval(''public.regress_hostile_calls'')';
SELECT 1 AS regress_pgss_marker;
SELECT * FROM pg_temp.pgss_same(pg_temp.pgss_direct(true), true);
SELECT count(*) = 0 AS no_toplevel FROM pghero_internal._pgss_statements(false)
WHERE toplevel IS NOT NULL;
SELECT pg_temp.error_of('SELECT * FROM pghero_internal._pgss_info()');
SELECT pg_temp.error_of('SELECT pghero_internal._pgss_reset(0, 0, -1)');
SELECT is_called AS look_alike_ran FROM public.regress_hostile_calls;
ROLLBACK;
BEGIN;
DROP EXTENSION pg_stat_statements;
CREATE EXTENSION pg_stat_statements VERSION '1.7' SCHEMA public;
SELECT 1 AS regress_pgss_marker;
SELECT * FROM pg_temp.pgss_same(pg_temp.pgss_direct(true), true);
ROLLBACK;

-- Only members of the extension are called, and a column of an unexpected
-- type is an error
BEGIN;
DO $$
BEGIN
	EXECUTE format('ALTER EXTENSION pg_stat_statements DROP FUNCTION %s.pg_stat_statements_info()',
				   pg_temp.pgss_schema());
END
$$;
SELECT regexp_replace(pg_temp.error_of('SELECT * FROM pghero_internal._pgss_info()'),
					  'pg_stat_statements [0-9.]+ ', 'pg_stat_statements <version> ')
	AS error;
DO $$
BEGIN
	EXECUTE format('ALTER EXTENSION pg_stat_statements DROP VIEW %s.pg_stat_statements_info',
				   pg_temp.pgss_schema());
	EXECUTE format('DROP VIEW %s.pg_stat_statements_info', pg_temp.pgss_schema());
	EXECUTE format('DROP FUNCTION %s.pg_stat_statements_info()', pg_temp.pgss_schema());
	EXECUTE format('CREATE FUNCTION %s.pg_stat_statements_info(OUT dealloc integer, OUT stats_reset timestamptz) RETURNS record LANGUAGE sql AS ''SELECT 1, now()''',
				   pg_temp.pgss_schema());
	EXECUTE format('ALTER EXTENSION pg_stat_statements ADD FUNCTION %s.pg_stat_statements_info()',
				   pg_temp.pgss_schema());
END
$$;
SELECT regexp_replace(pg_temp.error_of('SELECT * FROM pghero_internal._pgss_info()'),
					  'pg_stat_statements [0-9.]+ ', 'pg_stat_statements <version> ')
	AS error;
ROLLBACK;

-- The caller's EXECUTE privilege on pg_stat_statements' functions counts,
-- as if pghero called them by name
BEGIN;
CREATE ROLE regress_pghero_pgss_user;
GRANT USAGE ON SCHEMA pghero, pghero_internal TO regress_pghero_pgss_user;
GRANT EXECUTE ON FUNCTION pghero_internal._pgss_statements(boolean), pghero_internal._pgss_info(),
	pghero_internal._pgss_reset(oid, oid, bigint), pg_temp.error_of(text)
	TO regress_pghero_pgss_user;
SET LOCAL ROLE regress_pghero_pgss_user;
SELECT count(*) > 0 AS statements_read FROM pghero_internal._pgss_statements(false);
SELECT count(*) = 1 AS info_read FROM pghero_internal._pgss_info();
SELECT pg_temp.error_of('SELECT pghero_internal._pgss_reset(0, 0, -1)');
RESET ROLE;
DO $$
BEGIN
	EXECUTE format('REVOKE EXECUTE ON FUNCTION %s.pg_stat_statements_info() FROM PUBLIC',
				   pg_temp.pgss_schema());
END
$$;
SET LOCAL ROLE regress_pghero_pgss_user;
SELECT pg_temp.error_of('SELECT * FROM pghero_internal._pgss_info()');
-- _pgss_statements() is SECURITY DEFINER (it is how pghero_reader reads
-- every user's statements): the privilege checked is its owner's
RESET ROLE;
DO $$
BEGIN
	EXECUTE format('REVOKE EXECUTE ON FUNCTION %s.pg_stat_statements(boolean) FROM PUBLIC',
				   pg_temp.pgss_schema());
END
$$;
SET LOCAL ROLE regress_pghero_pgss_user;
SELECT count(*) > 0 AS definer_reads FROM pghero_internal._pgss_statements(false);
ROLLBACK;

-- Nothing left behind
SELECT count(*) AS leftover_roles FROM pg_roles
WHERE rolname IN ('regress_pghero_hostile', 'regress_pghero_pgss_user');
SELECT count(*) AS leftover_functions FROM pg_proc
WHERE proname LIKE 'pg\_stat\_statements%'
  AND pronamespace <> (SELECT extnamespace FROM pg_extension
					   WHERE extname = 'pg_stat_statements');
