--
-- Installation: preconditions, roles, version, comments, privileges
--
SET client_min_messages = warning;

-- The tests that read statistics call this first, so that what this
-- session did reaches them: PostgreSQL 15 and later flush at the end of
-- the transaction when asked; 14 sends them at the end of a transaction
-- at least 500 ms after its last report.
CREATE FUNCTION public.regress_flush_stats() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF current_setting('server_version_num')::int >= 150000 THEN
		EXECUTE 'SELECT pg_stat_force_next_flush()';
	ELSE
		PERFORM pg_sleep(0.6);
	END IF;
END
$$;

-- (the context of an error raised by the install script differs between
-- versions: not shown)
\set SHOW_CONTEXT never

-- A role of ours that someone else made, able to log in, stops the install
CREATE ROLE pghero_reader LOGIN;
CREATE EXTENSION pghero;
DROP ROLE pghero_reader;

-- So does a "pghero" schema made by hand, as PgHero's permissions guide has
-- people do, and nothing of the extension is left behind
CREATE SCHEMA pghero;
CREATE FUNCTION pghero.pg_stat_activity() RETURNS integer
	LANGUAGE sql AS 'SELECT 1';
CREATE EXTENSION pghero;
\set SHOW_CONTEXT errors
SELECT count(*) AS pghero_extensions FROM pg_extension WHERE extname = 'pghero';
SELECT proname FROM pg_proc WHERE pronamespace = 'pghero'::regnamespace;
DROP SCHEMA pghero CASCADE;

CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;

-- DROP EXTENSION leaves the empty schema, and CREATE EXTENSION reuses it
DROP EXTENSION pghero;
SELECT count(*) AS empty_schema_left FROM pg_namespace WHERE nspname = 'pghero';
CREATE EXTENSION pghero;

-- The version is the control file's, and META.json says the same
-- (PGXN wants three-part versions: 1.0 is 1.0.0 there)
\set meta `cat META.json`
SELECT e.extversion,
	   e.extversion = a.default_version AS is_default_version,
	   (:'meta'::jsonb ->> 'version') = e.extversion || '.0' AS meta_version_matches,
	   (:'meta'::jsonb -> 'provides' -> 'pghero' ->> 'version') = e.extversion || '.0' AS meta_provides_matches,
	   e.extrelocatable,
	   e.extnamespace::regnamespace AS schema
FROM pg_extension e
	 JOIN pg_available_extensions a ON a.name = e.extname
WHERE e.extname = 'pghero';

-- The roles: NOLOGIN, the admin is a reader
SELECT rolname, rolcanlogin, rolsuper, rolinherit
FROM pg_roles WHERE rolname IN ('pghero_reader', 'pghero_admin') ORDER BY 1;
SELECT pg_has_role('pghero_admin', 'pghero_reader', 'MEMBER') AS admin_reads;

-- Every view, table, function and column of ours has a comment
SELECT c.relname, c.relkind
FROM pg_class c
WHERE c.relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
  AND c.relkind IN ('v', 'r')
  AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT c.relname, a.attname
FROM pg_class c
	 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
  AND c.relkind IN ('v', 'r')
  AND col_description(c.oid, a.attnum) IS NULL;
SELECT p.oid::regprocedure
FROM pg_proc p
WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
  AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT count(*) > 25 AS has_many_views
FROM pg_class WHERE relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace) AND relkind = 'v';

-- Every function pins search_path but _delta(), _is_own(), _is_own_schema() and
-- _statement_window_rows(), which must stay inlinable (see sql/src/20_collector.sql and
-- sql/src/21_history.sql); list the SECURITY DEFINER ones
SELECT p.oid::regprocedure
FROM pg_proc p
WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
  AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
  AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c');
SELECT p.oid::regprocedure AS security_definer
FROM pg_proc p
WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace) AND p.prosecdef
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- Nothing is granted to PUBLIC
SELECT c.relname
FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x
WHERE c.relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace) AND x.grantee = 0;
SELECT p.oid::regprocedure
FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace) AND x.grantee = 0;
SELECT x.privilege_type
FROM pg_namespace n, aclexplode(n.nspacl) x
WHERE n.nspname = 'pghero' AND x.grantee = 0;

-- Who may do what
SELECT p.oid::regprocedure AS admin_only
FROM pg_proc p
WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
  AND has_function_privilege('pghero_admin', p.oid, 'EXECUTE')
  AND NOT has_function_privilege('pghero_reader', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT p.oid::regprocedure AS owner_only
FROM pg_proc p
WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
  AND NOT has_function_privilege('pghero_admin', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT c.relname AS not_readable_by_reader
FROM pg_class c
WHERE c.relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
  AND c.relkind IN ('v', 'r')
  AND NOT has_table_privilege('pghero_reader', c.oid, 'SELECT')
ORDER BY c.relname COLLATE "C";
SELECT has_table_privilege('pghero_admin', 'pghero_internal.audit_log', 'SELECT') AS admin_reads_audit_log,
	   has_table_privilege('pghero_admin', 'pghero_internal.audit_log', 'INSERT') AS admin_writes_audit_log;

-- Thresholds: PgHero's defaults, settable per session, checked
SELECT * FROM pghero.config();
SHOW pghero.unused_index_min_bytes;
SET pghero.unused_index_min_bytes = '20MB';
SELECT unused_index_min_bytes FROM pghero.config();
RESET pghero.unused_index_min_bytes;
-- (17 and later name the unit in the range of a setting that has one:
-- compared without it)
CREATE FUNCTION pg_temp.set_error(setting text, value text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM set_config(setting, value, false);
	RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '(\d) ms( \.\.|\))', '\1\2', 'g');
END
$$;
SELECT pg_temp.set_error('pghero.cache_hit_rate_threshold', '101');
SELECT pg_temp.set_error('pghero.slow_query_ms', '-1');
-- the prefix "pghero" is reserved (PostgreSQL 15 and later)
SELECT (pg_temp.set_error('pghero.no_such_setting', '1') <> 'accepted')
	   = (current_setting('server_version_num')::int >= 150000) AS reserved_where_it_can_be;

-- Every column a reader sees (views of schema pghero, result columns of
-- its functions) has a type with a standard JDBC mapping (jsonb excepted:
-- OTHER), and no column name is a reserved word
WITH cols AS (
	SELECT c.relname::text AS object, a.attname::text AS col, a.atttypid AS typ
	FROM pg_class c
		 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	WHERE c.relnamespace = 'pghero'::regnamespace
	UNION ALL
	SELECT p.oid::regprocedure::text, x.name, x.typ
	FROM pg_proc p
		 CROSS JOIN LATERAL unnest(p.proallargtypes, p.proargmodes, p.proargnames)
			 AS x(typ, mode, name)
	WHERE p.pronamespace = 'pghero'::regnamespace
	  AND x.mode IN ('o', 't', 'b'))
SELECT object, col, format_type(typ, NULL) AS type,
	   col IN (SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T')) AS reserved
FROM cols
WHERE coalesce((SELECT t.typelem FROM pg_type t WHERE t.oid = typ AND t.typcategory = 'A'), typ)
	  <> ALL ('{bool,int2,int4,int8,oid,numeric,float4,float8,text,varchar,bpchar,name,date,timestamp,timestamptz,jsonb}'::regtype[])
   OR col IN (SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T'))
ORDER BY object COLLATE "C", col COLLATE "C";
