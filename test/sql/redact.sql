--
-- Redaction: passwords in statement texts are never stored or shown
--
SET client_min_messages = warning;

-- The secrets, in every form the statements take; each is replaced by
-- '<redacted>' and the rest of the text stays as it was
SELECT n, pghero_internal._redact_query(q) AS redacted
FROM (VALUES
	-- roles: any case, WITH, ENCRYPTED, doubled quotes, E'', dollar quotes,
	-- U&'' with and without UESCAPE
	(1, $q$CREATE ROLE a PASSWORD 'secret'$q$),
	(2, $q$create user a with login encrypted password 'se''cr''et' valid until 'infinity'$q$),
	(3, $q$ALTER ROLE a WITH PASSWORD E'se\'c\\ret\n' LOGIN$q$),
	(4, $q$Alter User a Password $$se'cret$$ CREATEDB$q$),
	(5, $q$ALTER ROLE a PASSWORD $x$se$$cret$x$ VALID UNTIL 'infinity'$q$),
	(6, $q$ALTER ROLE a PASSWORD U&'d\0061t\+000061' LOGIN$q$),
	(7, $q$ALTER ROLE a PASSWORD U&'d!0061t' UESCAPE '!' LOGIN$q$),
	(8, $q$ALTER ROLE a PASSWORD /* comment */ 'secret'$q$),
	-- user mappings and servers: the password option, plain or quoted,
	-- with ADD or SET, and options named *password
	(9, $q$CREATE USER MAPPING FOR a SERVER s OPTIONS (user 'u', password 'secret')$q$),
	(10, $q$CREATE USER MAPPING FOR a SERVER s OPTIONS ("password" 'secret', user 'u')$q$),
	(11, $q$ALTER USER MAPPING FOR a SERVER s OPTIONS (ADD password 'p1', SET sslpassword 'p2', DROP passfile)$q$),
	(12, $q$alter user mapping for current_user server s options (set PASSWORD 'secret')$q$),
	(13, $q$CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'h', password 'secret')$q$),
	-- subscriptions: the whole connection string
	(14, $q$CREATE SUBSCRIPTION s CONNECTION 'host=h password=secret' PUBLICATION p WITH (connect = false)$q$),
	(15, $q$alter subscription s connection 'postgresql://u:secret@h/db'$q$),
	-- several statements, and statements inside strings
	(16, $q$CREATE ROLE a PASSWORD 'p1'; SELECT 1; ALTER ROLE b PASSWORD 'p2';$q$),
	(17, $q$DO $$BEGIN CREATE ROLE a LOGIN PASSWORD 'secret'; END$$$q$),
	(18, $q$DO $d$BEGIN EXECUTE 'ALTER ROLE a PASSWORD ''secret'''; END$d$$q$),
	-- connection strings given elsewhere, names and values around =, =>
	(19, $q$ALTER SYSTEM SET primary_conninfo = 'host=h user=u password=''se cret'' port=5432'$q$),
	(20, $q$SELECT dblink_connect('dbname=d password=secret')$q$),
	(21, $q$SELECT f(password => 'secret'), g(x => 'kept')$q$),
	(22, $q$UPDATE t SET password = 'secret', note = 'kept'$q$),
	-- texts the scanner cannot read to the end: truncated, bad escapes,
	-- trailing junk, a backslash-quote read both ways
	(23, $q$ALTER ROLE a PASSWORD 'secr$q$),
	(24, $q$ALTER ROLE a PASSWORD 'se''cr$q$),
	(25, $q$CREATE SUBSCRIPTION s CONNECTION 'host=h passw$q$),
	(26, $q$DO $$BEGIN CREATE ROLE a LOGIN PASSWORD 'secr$q$),
	(27, $q$ALTER ROLE a PASSWORD E'abc\uD800x' LOGIN$q$),
	(28, $q$SELECT 1a; ALTER ROLE a PASSWORD 'secret'$q$),
	(29, $q$ALTER ROLE a PASSWORD 'se\'cret' LOGIN$q$),
	(30, $q$SELECT 'C:\'; ALTER ROLE a PASSWORD 'secret'$q$),
	-- placeholders of pg_stat_statements and already redacted texts
	(31, $q$ALTER ROLE a PASSWORD $1$q$),
	(32, $q$CREATE ROLE a PASSWORD '<redacted>'$q$),
	-- a string looked into keeps its backslashes (read as they are)
	(33, $q$DO $$BEGIN EXECUTE 'ALTER ROLE a PASSWORD ''secret'' /* C:\dir */'; END$$$q$),
	(34, $q$CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$SELECT 'try \password, or ALTER ROLE a PASSWORD ''x'''$$$q$)
) AS v(n, q)
ORDER BY n;

-- Texts without a secret come back exactly as they were
SELECT n, pghero_internal._redact_query(q) = q AS unchanged
FROM (VALUES
	(1, $q$SELECT * FROM connections WHERE password_hash = crypt($1, password_hash)$q$),
	(2, $q$CREATE ROLE a CONNECTION LIMIT 5 PASSWORD NULL$q$),
	(3, $q$COMMENT ON ROLE a IS 'password reset on login'$q$),
	(4, $q$SELECT 'password', "password" FROM t -- password 'x'$q$),
	(5, $q$ALTER ROLE a SET password_encryption = 'scram-sha-256'$q$),
	(6, $q$SELECT 'unterminated password$q$),
	(7, $q$SELECT 1$q$),
	(8, '')
) AS v(n, q)
ORDER BY n;

-- NULL in, NULL out; redacting twice changes nothing more
SELECT pghero_internal._redact_query(NULL) IS NULL AS strict;
SELECT count(*) AS not_idempotent
FROM (VALUES
	($q$CREATE ROLE a PASSWORD 'p1'; ALTER ROLE b PASSWORD 'p2'$q$),
	($q$DO $$BEGIN EXECUTE 'ALTER ROLE a PASSWORD ''x'''; END$$$q$),
	($q$ALTER ROLE a PASSWORD 'secr$q$),
	($q$ALTER SYSTEM SET primary_conninfo = 'password=x host=h'$q$)
) AS v(q)
WHERE pghero_internal._redact_query(pghero_internal._redact_query(q)) <> pghero_internal._redact_query(q);

-- The scanner's notice about an over-long identifier is not shown, and the
-- caller's message settings are as they were
SET client_min_messages = notice;
SELECT pghero_internal._redact_query(
	$q$ALTER ROLE "regress_pghero_a_role_name_much_longer_than_sixty_three_bytes_xxxxxxxxxx" PASSWORD 'x'$q$)
	LIKE '%" PASSWORD ''<redacted>''' AS redacted;
SHOW client_min_messages;
SET client_min_messages = warning;

--
-- End to end: statements with passwords run, then looked for in every view
-- that shows a statement text
--
SELECT count(*) AS reset FROM (SELECT pgss.pg_stat_statements_reset()) r;

CREATE ROLE regress_pghero_pw PASSWORD 'regress_secret_1';
ALTER ROLE regress_pghero_pw PASSWORD 'regress_secret_2';
alter role regress_pghero_pw with encrypted password E'regress_secret_3\'';
DO $$BEGIN ALTER ROLE regress_pghero_pw PASSWORD 'regress_secret_4'; END$$;
CREATE FOREIGN DATA WRAPPER regress_pghero_fdw;
CREATE SERVER regress_pghero_srv FOREIGN DATA WRAPPER regress_pghero_fdw;
CREATE USER MAPPING FOR regress_pghero_pw SERVER regress_pghero_srv
	OPTIONS (user 'regress_pghero_pw', password 'regress_secret_5');
ALTER USER MAPPING FOR regress_pghero_pw SERVER regress_pghero_srv
	OPTIONS (SET password 'regress_secret_6');
SET client_min_messages = error;
CREATE SUBSCRIPTION regress_pghero_sub
	CONNECTION 'dbname=regress_pghero_none password=regress_secret_7'
	PUBLICATION regress_pghero_pub WITH (connect = false, slot_name = NONE);
ALTER SUBSCRIPTION regress_pghero_sub
	CONNECTION 'dbname=regress_pghero_none password=regress_secret_8';
SET client_min_messages = warning;

-- pg_stat_statements has them (with the passwords, or with $n on versions
-- that normalize utility statements); pghero never shows a password
SELECT k.kind, count(q.query) > 0 AS tracked
FROM (VALUES ('CREATE ROLE'), ('ALTER ROLE'), ('DO'), ('CREATE USER MAPPING'),
			 ('ALTER USER MAPPING'), ('CREATE SUBSCRIPTION'),
			 ('ALTER SUBSCRIPTION')) AS k(kind)
	 LEFT JOIN pghero.query_stats q ON q.query ILIKE k.kind || ' %'
GROUP BY k.kind
ORDER BY k.kind COLLATE "C";
SELECT count(*) AS secrets_shown
FROM pghero.query_stats
WHERE query LIKE '%regress\_secret%';

-- The same for a least-privileged reader, and in pg_stat_activity's text
-- of a running statement (this session's own, as _activity() returns it)
CREATE ROLE regress_pghero_redact_reader;
GRANT pghero_reader TO regress_pghero_redact_reader;
CREATE FUNCTION pg_temp.regress_pw(password text) RETURNS boolean
	LANGUAGE sql AS 'SELECT true';
SET ROLE regress_pghero_redact_reader;
SELECT count(*) AS secrets_shown
FROM pghero.query_stats
WHERE query LIKE '%regress\_secret%';
-- nor through the function behind the views, which a reader may call
SELECT count(*) AS secrets_shown
FROM pghero_internal._pgss_statements(true)
WHERE query LIKE '%regress\_secret%';
SELECT position('regress_' || 'secret' IN a.query) = 0 AS no_secret,
	   position('<' || 'redacted>' IN a.query) > 0 AS redacted
FROM pghero_internal._activity() a
WHERE a.pid = pg_backend_pid()
  AND pg_temp.regress_pw(password => 'regress_secret_9');
RESET ROLE;

DROP SUBSCRIPTION regress_pghero_sub;
DROP USER MAPPING FOR regress_pghero_pw SERVER regress_pghero_srv;
DROP SERVER regress_pghero_srv;
DROP FOREIGN DATA WRAPPER regress_pghero_fdw;
DROP ROLE regress_pghero_pw;
DROP ROLE regress_pghero_redact_reader;
