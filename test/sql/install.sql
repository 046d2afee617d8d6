--
-- Installation: preconditions, roles, version, comments, privileges
--
SET client_min_messages = warning;

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
WHERE c.relnamespace = 'pghero'::regnamespace
  AND c.relkind IN ('v', 'r')
  AND obj_description(c.oid, 'pg_class') IS NULL;
SELECT c.relname, a.attname
FROM pg_class c
	 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relnamespace = 'pghero'::regnamespace
  AND c.relkind IN ('v', 'r')
  AND col_description(c.oid, a.attnum) IS NULL;
SELECT p.oid::regprocedure
FROM pg_proc p
WHERE p.pronamespace = 'pghero'::regnamespace
  AND obj_description(p.oid, 'pg_proc') IS NULL;
SELECT count(*) > 25 AS has_many_views
FROM pg_class WHERE relnamespace = 'pghero'::regnamespace AND relkind = 'v';

-- Every function pins search_path; list the SECURITY DEFINER ones
SELECT p.oid::regprocedure
FROM pg_proc p
WHERE p.pronamespace = 'pghero'::regnamespace
  AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
  AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c');
SELECT p.oid::regprocedure AS security_definer
FROM pg_proc p
WHERE p.pronamespace = 'pghero'::regnamespace AND p.prosecdef
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- Nothing is granted to PUBLIC
SELECT c.relname
FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) x
WHERE c.relnamespace = 'pghero'::regnamespace AND x.grantee = 0;
SELECT p.oid::regprocedure
FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) x
WHERE p.pronamespace = 'pghero'::regnamespace AND x.grantee = 0;
SELECT x.privilege_type
FROM pg_namespace n, aclexplode(n.nspacl) x
WHERE n.nspname = 'pghero' AND x.grantee = 0;

-- Who may do what
SELECT p.oid::regprocedure AS admin_only
FROM pg_proc p
WHERE p.pronamespace = 'pghero'::regnamespace
  AND has_function_privilege('pghero_admin', p.oid, 'EXECUTE')
  AND NOT has_function_privilege('pghero_reader', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT p.oid::regprocedure AS owner_only
FROM pg_proc p
WHERE p.pronamespace = 'pghero'::regnamespace
  AND NOT has_function_privilege('pghero_admin', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT c.relname AS not_readable_by_reader
FROM pg_class c
WHERE c.relnamespace = 'pghero'::regnamespace
  AND c.relkind IN ('v', 'r')
  AND NOT has_table_privilege('pghero_reader', c.oid, 'SELECT');
SELECT has_table_privilege('pghero_admin', 'pghero.audit_log', 'SELECT') AS admin_reads_audit_log,
	   has_table_privilege('pghero_admin', 'pghero.audit_log', 'INSERT') AS admin_writes_audit_log;

-- Thresholds: PgHero's defaults, settable per session, checked
SELECT * FROM pghero.config();
SHOW pghero.unused_index_min_bytes;
SET pghero.unused_index_min_bytes = '20MB';
SELECT unused_index_min_bytes FROM pghero.config();
RESET pghero.unused_index_min_bytes;
SET pghero.cache_hit_rate_threshold = 101;
SET pghero.slow_query_ms = -1;
SET pghero.no_such_setting = 1;
