/* sql/src/18_security.sql */

--------------------------------------------------------------------------
-- Security checks (category security of pghero.issues)
--
-- Each row is a configuration an attacker could use, with what they could
-- do and the statement or pg_hba.conf line that fixes it.  Readers see the
-- finding, never a secret: no password or hash (roles are judged by the
-- kind of password they have), no pg_hba.conf option (ldapbindpasswd,
-- radiussecret), no primary_conninfo.  Cluster-wide findings (pg_hba.conf,
-- settings, roles) have database NULL; the others are of this database
-- only (schemas, functions, extensions).  pghero's own objects are left
-- out.
--------------------------------------------------------------------------

-- The kind of password of every role: md5, scram-sha-256, none or other;
-- never the password itself.
CREATE FUNCTION pghero_internal._role_passwords()
RETURNS TABLE (roleid oid, rolname name, password_kind text)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.oid, a.rolname,
		   CASE WHEN a.rolpassword IS NULL THEN 'none'
				WHEN a.rolpassword OPERATOR(pg_catalog.~~) 'md5%' THEN 'md5'
				WHEN a.rolpassword OPERATOR(pg_catalog.~~) 'SCRAM-SHA-256$%' THEN 'scram-sha-256'
				ELSE 'other' END
	FROM pg_catalog.pg_authid a
$$;

COMMENT ON FUNCTION pghero_internal._role_passwords() IS
'The kind of password each role has (md5, scram-sha-256, none or other), never the password or its hash, whoever the caller (internal)';

-- The value a new session gets of a setting that a running session keeps
-- from its start (log_connections, log_disconnections): the calling
-- session's own when it started after the last reload (or the server was
-- started with it on its command line); else, for an older session such as
-- the long-lived collector's, whose own value does not follow a reload,
-- the configuration file's as it reads now (pg_file_settings: an edit not
-- yet reloaded shows early).
CREATE FUNCTION pghero_internal._new_session_setting(setting_name text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN s.source IN ('command line', 'environment variable') THEN s.setting
				-- a session started after the server last loaded its
				-- configuration has the value new sessions get
				WHEN (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a
					  WHERE a.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid())
					 OPERATOR(pg_catalog.>) pg_catalog.pg_conf_load_time()
				THEN s.setting
				ELSE coalesce((SELECT f.setting FROM pg_catalog.pg_file_settings f
							   WHERE f.name = s.name AND f.error IS NULL
							   ORDER BY f.seqno DESC LIMIT 1),
							  s.boot_val) END
	FROM pg_catalog.pg_settings s
	WHERE s.name = $1
$$;

COMMENT ON FUNCTION pghero_internal._new_session_setting(text) IS
'The value of a setting that new sessions get (the calling session''s own when it started after the last reload, else the configuration file''s), whoever the caller (internal)';

CREATE VIEW pghero_internal._issues_security AS
-- pg_hba.conf rules with what the checks need: where (file:line), the
-- address in CIDR form, whether it reaches beyond this machine, whether it
-- is open to every address, and the rule without its method and options
WITH hba_rules AS (
	SELECT h.file_name, h.line_number, h.type, h.database, h.user_name,
		   h.address, h.netmask, h.auth_method, h.error,
		   CASE WHEN h.netmask IS NOT NULL THEN
				(SELECT n.n FROM pg_catalog.generate_series(0,
						CASE WHEN pg_catalog.family(h.netmask::inet) = 4 THEN 32 ELSE 128 END) AS n(n)
				 WHERE pg_catalog.netmask(pg_catalog.set_masklen(h.netmask::inet, n.n)) = h.netmask::inet
				 LIMIT 1)
		   END AS prefix
	FROM pghero_internal._hba_rules() h),
hba_reach AS (
	SELECT r.*,
		   pg_catalog.regexp_replace(r.file_name, '^.*/', '') || ':' || r.line_number AS place,
		   CASE WHEN r.netmask IS NULL THEN r.address
				ELSE r.address || '/' || r.prefix END AS cidr,
		   coalesce(r.address = 'all' OR r.prefix = 0, false) AS anywhere,
		   CASE WHEN r.type = 'local' THEN true
				WHEN r.address IN ('localhost', 'samehost') THEN true
				WHEN r.netmask IS NULL OR r.prefix IS NULL THEN false
				WHEN pg_catalog.family(r.address::inet) = 4
				THEN r.prefix >= 8
				 AND pg_catalog.set_masklen(r.address::inet, r.prefix) <<= '127.0.0.0/8'::inet
				ELSE r.prefix = 128 AND r.address::inet = '::1'::inet
		   END AS loopback
	FROM hba_rules r),
hba AS MATERIALIZED (
	SELECT s.file_name, s.line_number, s.place, s.type, s.database, s.user_name,
		   s.cidr AS address, s.auth_method, s.error, s.anywhere, s.loopback,
		   pg_catalog.concat_ws(' ', s.type,
				pg_catalog.array_to_string(s.database, ','),
				pg_catalog.array_to_string(s.user_name, ','),
				s.cidr) AS head
	FROM hba_reach s),
roles AS MATERIALIZED (
	SELECT r.oid AS roleid, r.rolname, r.rolsuper, r.rolcanlogin, p.password_kind
	FROM pg_catalog.pg_roles r
		 JOIN pghero_internal._role_passwords() p ON p.roleid = r.oid
	WHERE r.rolname NOT IN ('pghero_reader', 'pghero_admin'))
-- trust over TCP: no password asked
SELECT 'hba_trust'::text AS check_name,
	   'security'::text AS category,
	   CASE WHEN h.loopback THEN 'warning' ELSE 'critical' END AS severity,
	   NULL::name AS database,
	   h.place AS object,
	   pg_catalog.jsonb_build_object('file', h.file_name, 'line_number', h.line_number,
			'rule', h.head || ' ' || h.auth_method, 'address', h.address,
			'from_anywhere', h.anywhere, 'loopback_only', h.loopback) AS details,
	   pg_catalog.format('%s (%s) lets %s log in as %s without a password: a superuser session can read and change every table and run programs on the server (COPY ... PROGRAM).',
			h.place, h.head || ' ' || h.auth_method,
			CASE WHEN h.loopback THEN 'every local OS user and process (a compromised application on this machine) connecting over TCP'
				 WHEN h.anywhere THEN 'anyone on any network who can reach the port'
				 ELSE pg_catalog.format('anyone who can connect from %s', h.address) END,
			CASE WHEN h.user_name = '{all}' THEN 'any role (superusers included)'
				 ELSE 'the roles it names' END) AS description,
	   pg_catalog.format('In %s, line %s, replace trust by scram-sha-256: %s scram-sha-256 (give the roles a password first: \password in psql), then SELECT pg_reload_conf();',
			h.file_name, h.line_number, h.head) AS remediation
FROM hba h
WHERE h.error IS NULL AND h.type <> 'local' AND h.auth_method = 'trust'
UNION ALL
-- passwords sent in clear text over TCP: method password anywhere (the
-- server receives the password itself), and the methods that pass it on
-- (ldap, radius, pam, bsd) without SSL or GSSAPI encryption
SELECT 'hba_cleartext_password', 'security',
	   CASE WHEN h.type IN ('hostssl', 'hostgssenc') THEN 'info' ELSE 'warning' END,
	   NULL, h.place,
	   pg_catalog.jsonb_build_object('file', h.file_name, 'line_number', h.line_number,
			'rule', h.head || ' ' || h.auth_method, 'address', h.address),
	   pg_catalog.format('%s (%s) has the client send its password in clear text%s.',
			h.place, h.head || ' ' || h.auth_method,
			CASE WHEN h.type IN ('hostssl', 'hostgssenc')
				 THEN ': the connection is encrypted, but the server (or whoever impersonates it to a client that does not verify its certificate) receives the password itself'
				 ELSE ': whoever can watch the network between client and server (or impersonate the server) reads it and logs in as that role' END),
	   CASE WHEN h.auth_method = 'password'
			THEN pg_catalog.format('In %s, line %s, replace password by scram-sha-256: %s scram-sha-256 (roles need a SCRAM password: SET password_encryption = ''scram-sha-256''; then \password in psql), then SELECT pg_reload_conf();',
					h.file_name, h.line_number, h.head)
			ELSE pg_catalog.format('In %s, line %s, accept SSL connections only (ssl = on): %s %s (options unchanged), then SELECT pg_reload_conf();',
					h.file_name, h.line_number,
					pg_catalog.regexp_replace(h.head, '^[a-z]+', 'hostssl'), h.auth_method)
	   END
FROM hba h
WHERE h.error IS NULL AND h.type <> 'local'
  AND (h.auth_method = 'password'
	   OR h.auth_method IN ('ldap', 'radius', 'pam', 'bsd')
		  AND h.type NOT IN ('hostssl', 'hostgssenc'))
UNION ALL
-- every database, every role, from anywhere
SELECT 'hba_open_to_all', 'security', 'warning', NULL, h.place,
	   pg_catalog.jsonb_build_object('file', h.file_name, 'line_number', h.line_number,
			'rule', h.head || ' ' || h.auth_method, 'address', h.address),
	   pg_catalog.format('%s (%s) lets every role connect to every database from any address: passwords can be guessed from anywhere, and a leaked one works from anywhere.',
			h.place, h.head || ' ' || h.auth_method),
	   pg_catalog.format('In %s, line %s, name the databases, roles and networks that need it, e.g. hostssl app_db app_user 10.0.0.0/8 scram-sha-256 (your own in their place), then SELECT pg_reload_conf();',
			h.file_name, h.line_number)
FROM hba h
WHERE h.error IS NULL AND h.type <> 'local' AND h.anywhere
  AND h.database = '{all}' AND h.user_name = '{all}' AND h.auth_method <> 'reject'
UNION ALL
-- a line the server cannot parse
SELECT 'hba_error', 'security', 'warning', NULL, h.place,
	   pg_catalog.jsonb_build_object('file', h.file_name, 'line_number', h.line_number,
			'error', h.error),
	   pg_catalog.format('%s cannot be loaded (%s): a reload keeps the rules loaded before, whatever the file now says, and the server will not start with this file.',
			h.place, h.error),
	   pg_catalog.format('Correct or remove line %s of %s, then SELECT pg_reload_conf(); and check that pghero.security_issues no longer shows it.',
			h.line_number, h.file_name)
FROM hba h
WHERE h.error IS NOT NULL
UNION ALL
-- ssl off while rules accept connections from other machines without SSL
SELECT 'ssl_off', 'security', 'warning', NULL, 'ssl',
	   pg_catalog.jsonb_build_object('ssl', pg_catalog.current_setting('ssl'),
			'lines', pg_catalog.jsonb_agg(h.place ORDER BY h.file_name, h.line_number)),
	   pg_catalog.format('ssl is off while %s accept%s connections from other machines: every query, every result and the authentication exchange cross the network unencrypted, to be read or changed by whoever is on the path.',
			pg_catalog.string_agg(h.place, ', ' ORDER BY h.file_name, h.line_number),
			CASE WHEN pg_catalog.count(*) = 1 THEN 's' ELSE '' END),
	   pg_catalog.format('Install a certificate and key (ssl_cert_file, ssl_key_file), then ALTER SYSTEM SET ssl = on; SELECT pg_reload_conf(); and change host to hostssl on %s.',
			pg_catalog.string_agg(h.place, ', ' ORDER BY h.file_name, h.line_number))
FROM hba h
WHERE h.error IS NULL AND h.type IN ('host', 'hostnossl') AND NOT h.loopback
  AND h.auth_method <> 'reject'
  AND pg_catalog.current_setting('ssl') = 'off'
HAVING pg_catalog.count(*) > 0
UNION ALL
-- new passwords stored as MD5
SELECT 'password_encryption_md5', 'security', 'warning', NULL, 'password_encryption',
	   pg_catalog.jsonb_build_object('password_encryption', pg_catalog.current_setting('password_encryption'),
			'md5_roles', (SELECT pg_catalog.count(*) FROM roles r WHERE r.password_kind = 'md5')),
	   'password_encryption is md5: every password set from now on is stored as an MD5 hash, which is enough to log in under md5 authentication without knowing the password, and cheap to crack (MD5 passwords are deprecated since PostgreSQL 18).',
	   'ALTER SYSTEM SET password_encryption = ''scram-sha-256''; SELECT pg_reload_conf(); (and drop any ALTER ROLE or ALTER DATABASE ... SET password_encryption = md5), then set the MD5 passwords again (see md5_password).'
WHERE pg_catalog.current_setting('password_encryption') = 'md5'
UNION ALL
-- roles whose password is stored as MD5
SELECT 'md5_password', 'security', 'warning', NULL, r.rolname::text,
	   pg_catalog.jsonb_build_object('role', r.rolname, 'password', 'md5', 'can_login', r.rolcanlogin),
	   pg_catalog.format('The password of role %s is stored as an MD5 hash: whoever reads it (a backup, a copy of pg_authid) logs in as %s wherever md5 authentication is allowed, without cracking it, and can crack it cheaply.',
			r.rolname, r.rolname),
	   pg_catalog.format('In psql: SET password_encryption = ''scram-sha-256''; \password %s (or ALTER ROLE %s PASSWORD ''<new password>'';)',
			pg_catalog.quote_ident(r.rolname), pg_catalog.quote_ident(r.rolname))
FROM roles r
WHERE r.password_kind = 'md5'
UNION ALL
-- superusers who can log in, other than the bootstrap superuser
SELECT 'superuser_login', 'security', 'warning', NULL, r.rolname::text,
	   pg_catalog.jsonb_build_object('role', r.rolname, 'password', r.password_kind),
	   pg_catalog.format('Role %s is a superuser that can log in: whoever gets its password, or reaches it through a trust rule, controls the whole cluster: every database, every role, and the server''s files and programs (COPY ... PROGRAM).',
			r.rolname),
	   pg_catalog.format('ALTER ROLE %s NOSUPERUSER; (grant it what it needs instead: pg_monitor, CREATEROLE, ownership of its objects) or ALTER ROLE %s NOLOGIN;',
			pg_catalog.quote_ident(r.rolname), pg_catalog.quote_ident(r.rolname))
FROM roles r
WHERE r.rolsuper AND r.rolcanlogin AND r.roleid <> 10
UNION ALL
-- login roles without a password under password rules
SELECT 'login_without_password', 'security',
	   CASE WHEN t.lines IS NOT NULL THEN 'warning' ELSE 'info' END,
	   NULL, r.rolname::text,
	   pg_catalog.jsonb_build_object('role', r.rolname, 'password_lines', p.lines, 'trust_lines', t.lines),
	   pg_catalog.format('Role %s can log in but has no password: it cannot pass the password rules that name it (%s)%s',
			r.rolname, pg_catalog.array_to_string(p.lines, ', '),
			CASE WHEN t.lines IS NOT NULL
				 THEN pg_catalog.format(', so it gets in through trust rules (%s), where anyone may use it.', pg_catalog.array_to_string(t.lines, ', '))
				 ELSE '; it logs in only through other methods (peer, cert, ...), if any.' END),
	   pg_catalog.format('If %s is to log in with a password: \password %s in psql; if it never logs in: ALTER ROLE %s NOLOGIN;',
			r.rolname, pg_catalog.quote_ident(r.rolname), pg_catalog.quote_ident(r.rolname))
FROM roles r
	 CROSS JOIN LATERAL (
		SELECT pg_catalog.array_agg(h.place ORDER BY h.file_name, h.line_number) AS lines
		FROM hba h
		WHERE h.error IS NULL AND h.auth_method IN ('password', 'md5', 'scram-sha-256')
		  AND (h.user_name && ARRAY['all', r.rolname::text])) p
	 CROSS JOIN LATERAL (
		SELECT pg_catalog.array_agg(h.place ORDER BY h.file_name, h.line_number) AS lines
		FROM hba h
		WHERE h.error IS NULL AND h.auth_method = 'trust'
		  AND (h.user_name && ARRAY['all', r.rolname::text])) t
WHERE r.rolcanlogin AND r.password_kind = 'none' AND p.lines IS NOT NULL
UNION ALL
-- schemas where every role may create objects
SELECT 'public_create', 'security', 'warning', pg_catalog.current_database(), n.nspname::text,
	   pg_catalog.jsonb_build_object('schema', n.nspname, 'owner', pg_catalog.pg_get_userbyid(n.nspowner)),
	   pg_catalog.format('Every role may create objects in schema %s of database %s: a function or operator placed there under the name of one that others call (CVE-2018-1058) runs the creator''s code with the rights of whoever calls it, a superuser''s included. PostgreSQL 15 stopped granting this on schema public; databases created on 14 or before, or upgraded from it, keep it.',
			n.nspname, pg_catalog.current_database()),
	   pg_catalog.format('In database %s: REVOKE CREATE ON SCHEMA %s FROM PUBLIC;',
			pg_catalog.quote_ident(pg_catalog.current_database()), pg_catalog.quote_ident(n.nspname))
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND n.nspname NOT IN ('pghero', 'pghero_internal')
  AND EXISTS (
		SELECT FROM pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
		WHERE a.grantee = 0 AND a.privilege_type = 'CREATE')
UNION ALL
-- SECURITY DEFINER functions that take the caller's search_path
SELECT 'security_definer_search_path', 'security', 'warning', pg_catalog.current_database(), f.signature,
	   pg_catalog.jsonb_build_object('function', f.signature, 'owner', pg_catalog.pg_get_userbyid(p.proowner),
			'owner_is_superuser', o.rolsuper,
			'public_may_execute', pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')),
	   pg_catalog.format('%s %s runs with the rights of its owner %s but looks names up in the caller''s search_path: a caller who can create objects in a schema of that path (or in pg_temp) can make it call their own function or operator, which then runs as %s.',
			CASE WHEN p.prokind = 'p' THEN 'Procedure' ELSE 'Function' END,
			f.signature, pg_catalog.pg_get_userbyid(p.proowner), pg_catalog.pg_get_userbyid(p.proowner)),
	   pg_catalog.format('In database %s: ALTER %s %s SET search_path = pg_catalog, pg_temp; (and schema-qualify in its body every name outside pg_catalog)',
			pg_catalog.quote_ident(pg_catalog.current_database()),
			CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, f.signature)
FROM pg_catalog.pg_proc p
	 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
	 JOIN pg_catalog.pg_roles o ON o.oid = p.proowner
	 CROSS JOIN LATERAL (
		SELECT pg_catalog.format('%s.%s(%s)', pg_catalog.quote_ident(n.nspname),
				pg_catalog.quote_ident(p.proname),
				pg_catalog.pg_get_function_identity_arguments(p.oid)) AS signature) f
WHERE p.prosecdef
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND n.nspname NOT IN ('pghero', 'pghero_internal')
  AND NOT EXISTS (
		SELECT FROM pg_catalog.unnest(p.proconfig) AS c(setting)
		WHERE c.setting LIKE 'search\_path=%')
  AND NOT EXISTS (
		SELECT FROM pg_catalog.pg_depend d
		WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
		  AND d.deptype = 'e')
UNION ALL
-- extensions not at their default version
SELECT 'outdated_extension', 'security', 'info', pg_catalog.current_database(), e.extname::text,
	   pg_catalog.jsonb_build_object('extension', e.extname, 'installed_version', e.extversion,
			'default_version', a.default_version),
	   pg_catalog.format('Extension %s is at version %s while the server''s files offer %s: its SQL objects lack the changes of the newer scripts, security fixes among them.',
			e.extname, e.extversion, a.default_version),
	   pg_catalog.format('In database %s: ALTER EXTENSION %s UPDATE;',
			pg_catalog.quote_ident(pg_catalog.current_database()), pg_catalog.quote_ident(e.extname))
FROM pg_catalog.pg_extension e
	 JOIN pg_catalog.pg_available_extensions a ON a.name = e.extname
WHERE e.extname <> 'pghero'
  AND a.default_version IS NOT NULL AND e.extversion <> a.default_version
UNION ALL
-- connections and disconnections not logged
SELECT 'connection_logging_off', 'security', 'info', NULL, s.name,
	   pg_catalog.jsonb_build_object(s.name, s.value),
	   pg_catalog.format('%s is off: after an intrusion, the server log cannot tell who %s, from where and when.',
			s.name, CASE WHEN s.name = 'log_connections' THEN 'connected' ELSE 'disconnected' END),
	   pg_catalog.format('ALTER SYSTEM SET %s = on; SELECT pg_reload_conf(); (new sessions log)', s.name)
FROM (SELECT v.name, pghero_internal._new_session_setting(v.name) AS value
	  FROM (VALUES ('log_connections'), ('log_disconnections')) AS v(name)) AS s
WHERE pg_catalog.lower(s.value) IN ('off', 'false', 'no', '0', '');

COMMENT ON VIEW pghero_internal._issues_security IS
'Security findings of the configuration: pg_hba.conf rules, ssl, passwords, superusers, CREATE on schemas, SECURITY DEFINER functions without search_path, extension versions, connection logging (internal; part of pghero.issues)';

-- Until pghero.issues has them all, and afterwards as a shortcut
CREATE VIEW @extschema@.security_issues AS
SELECT * FROM pghero_internal._issues_security;

COMMENT ON VIEW @extschema@.security_issues IS
'Security findings: what an attacker could do with this configuration, and the statement or pg_hba.conf line that fixes it; empty when there is none (pghero.issues, category security)';
