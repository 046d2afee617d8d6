--
-- Security checks (pghero.security_issues, category security of
-- pghero.issues): fixtures make each check of roles, schemas, functions
-- and extensions fire with its remediation, then the fix makes it go; a
-- reader sees the findings and no password hash.  pg_hba.conf and ssl are
-- tested in test/t/017_security.pl (this server's file differs between
-- versions).
--
SET client_min_messages = warning;

-- PostgreSQL 14 grants CREATE on schema public to PUBLIC, 15 and later do
-- not: start from the later state, and give 14 its own back at the end
CREATE TEMP TABLE regress_security_public_create AS
SELECT has_schema_privilege('public', 'public', 'CREATE') AS granted;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- the findings of this test's objects (and of the settings it changes)
CREATE VIEW regress_security_findings AS
SELECT check_name, category, severity, database IS NOT NULL AS in_database, object
FROM pghero.security_issues
WHERE object LIKE '%regress_security%' OR object IN ('public', 'password_encryption')
   OR check_name = 'outdated_extension' AND object = 'citext';

-- nothing of this test's before the fixtures
SELECT * FROM regress_security_findings ORDER BY check_name, object;
-- every row has the columns pghero.issues expects, and no check is unknown
SELECT count(*) AS malformed
FROM pghero.security_issues
WHERE category <> 'security' OR severity NOT IN ('critical', 'warning', 'info')
   OR check_name IS NULL OR description IS NULL OR remediation IS NULL
   OR details IS NULL OR jsonb_typeof(details) <> 'object';
SELECT attname, format_type(atttypid, atttypmod) AS type
FROM pg_attribute
WHERE attrelid = 'pghero.security_issues'::regclass AND attnum > 0
ORDER BY attnum;

-- the fixtures: a superuser who can log in, a role with an MD5 password
-- (PostgreSQL 18 warns that MD5 is deprecated: not shown), password_encryption
-- md5, a SECURITY DEFINER function and procedure without search_path, CREATE
-- on public for PUBLIC, an extension at an old version
CREATE ROLE regress_security_super LOGIN SUPERUSER;
SET client_min_messages = error;
SET password_encryption = 'md5';
CREATE ROLE regress_security_md5 LOGIN PASSWORD 'regress_security_secret';
SET client_min_messages = warning;
SELECT rolpassword ~ '^md5[0-9a-f]{32}$' AS stored_as_md5
FROM pg_authid WHERE rolname = 'regress_security_md5';
CREATE FUNCTION regress_security_definer(integer) RETURNS integer
LANGUAGE sql SECURITY DEFINER AS 'SELECT $1';
CREATE PROCEDURE regress_security_definer_proc()
LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';
-- pinned: no finding
CREATE FUNCTION regress_security_pinned() RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS 'SELECT 1';
CREATE ROLE regress_security_owner;
ALTER FUNCTION regress_security_definer(integer) OWNER TO regress_security_owner;
ALTER PROCEDURE regress_security_definer_proc() OWNER TO regress_security_owner;
GRANT CREATE ON SCHEMA public TO PUBLIC;
CREATE EXTENSION citext VERSION '1.4';

SELECT * FROM regress_security_findings ORDER BY check_name, object;
SELECT check_name, object, remediation
FROM pghero.security_issues
WHERE object LIKE '%regress_security%' OR object IN ('public', 'password_encryption')
   OR check_name = 'outdated_extension' AND object = 'citext'
ORDER BY check_name, object;
-- (citext's default version differs between PostgreSQL versions)
SELECT check_name, object,
	   regexp_replace(description, 'files offer [0-9.]+', 'files offer <default>') AS description
FROM pghero.security_issues
WHERE object LIKE '%regress_security%' OR object IN ('public', 'password_encryption')
   OR check_name = 'outdated_extension' AND object = 'citext'
ORDER BY check_name, object;
SELECT details - 'owner' - 'default_version' AS details
FROM pghero.security_issues
WHERE object LIKE '%regress_security%' OR object IN ('public')
   OR check_name = 'outdated_extension' AND object = 'citext'
ORDER BY check_name, object;
SELECT (details ->> 'md5_roles')::integer >= 1 AS counts_md5_roles
FROM pghero.security_issues WHERE check_name = 'password_encryption_md5';
-- the issue keys pghero.issues will make are unique
SELECT check_name || ':' || concat_ws('.', database, object) AS issue_key, count(*)
FROM pghero.security_issues
GROUP BY 1 HAVING count(*) > 1;

-- a reader sees the findings, and no hash nor password anywhere in them
CREATE ROLE regress_security_reader LOGIN;
GRANT pghero_reader TO regress_security_reader;
SET ROLE regress_security_reader;
SELECT check_name, severity, object
FROM pghero.security_issues
WHERE object LIKE '%regress_security%' OR object IN ('public', 'password_encryption')
   OR check_name = 'outdated_extension' AND object = 'citext'
ORDER BY check_name, object;
SELECT count(*) AS rows_with_a_secret
FROM pghero.security_issues x
WHERE to_jsonb(x)::text ~ 'md5[0-9a-f]{32}'
   OR to_jsonb(x)::text LIKE '%SCRAM-SHA-256$%'
   OR to_jsonb(x)::text LIKE '%regress_security_secret%';
-- nor can it read the hashes through pghero's helper
SELECT DISTINCT password_kind FROM pghero_internal._role_passwords()
WHERE rolname LIKE 'regress_security%' ORDER BY 1;
SELECT rolpassword FROM pg_authid WHERE rolname = 'regress_security_md5';
RESET ROLE;
-- nobody else reads them
CREATE ROLE regress_security_nobody LOGIN;
SET ROLE regress_security_nobody;
SELECT count(*) FROM pghero.security_issues;
SELECT count(*) FROM pghero_internal._role_passwords();
SELECT count(*) FROM pghero_internal._hba_rules();
RESET ROLE;

-- the fixes, as the remediations say: every finding goes
ALTER ROLE regress_security_super NOSUPERUSER;
RESET password_encryption;
SET password_encryption = 'scram-sha-256';
ALTER ROLE regress_security_md5 PASSWORD 'regress_security_secret';
ALTER FUNCTION public.regress_security_definer(integer) SET search_path = pg_catalog, pg_temp;
ALTER PROCEDURE public.regress_security_definer_proc() SET search_path = pg_catalog, pg_temp;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER EXTENSION citext UPDATE;
SELECT * FROM regress_security_findings ORDER BY check_name, object;

-- a role with an MD5 password that cannot log in still has it found; one
-- dropped is gone
SET client_min_messages = error;
SET password_encryption = 'md5';
ALTER ROLE regress_security_md5 NOLOGIN PASSWORD 'regress_security_secret';
RESET password_encryption;
SET client_min_messages = warning;
SELECT check_name, object, details FROM pghero.security_issues
WHERE object LIKE '%regress_security%' ORDER BY check_name, object;
DROP ROLE regress_security_md5;
SELECT * FROM regress_security_findings ORDER BY check_name, object;

-- pghero's own objects (its SECURITY DEFINER functions, schemas, roles)
-- are never findings
SELECT count(*) AS own_findings
FROM pghero.security_issues
WHERE object LIKE 'pghero.%' OR object LIKE 'pghero_internal.%'
   OR object IN ('pghero', 'pghero_internal', 'pghero_reader', 'pghero_admin');

DROP EXTENSION citext;
DROP FUNCTION regress_security_definer(integer);
DROP FUNCTION regress_security_pinned();
DROP PROCEDURE regress_security_definer_proc();
DROP VIEW regress_security_findings;
DROP ROLE regress_security_super, regress_security_reader, regress_security_nobody,
	regress_security_owner;
DO $$
BEGIN
	IF (SELECT granted FROM regress_security_public_create) THEN
		GRANT CREATE ON SCHEMA public TO PUBLIC;
	END IF;
END
$$;
