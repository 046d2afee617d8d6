--
-- The change feed of pghero.issues, driven by pghero.capture(ARRAY['issues'])
-- (the worker, LISTEN clients, restarts, crashes and dumps are tested in
-- test/t/018_feed.pl); pghero.checks; bad input
--
SET client_min_messages = warning;

-- the settings are read from the configuration (the collector's): they
-- are set with ALTER SYSTEM, and this session reloads between statements
-- the events of this test's objects since a given one, without times
CREATE FUNCTION regress_feed_events(after bigint)
RETURNS TABLE (n bigint, op text, issue_key text, severity text)
LANGUAGE sql AS $$
	SELECT row_number() OVER (ORDER BY e.event_id), e.op,
		   replace(e.issue_key, current_database(), 'DB'), e.severity
	FROM pghero.issue_events e
	WHERE e.event_id > after AND e.object LIKE 'public.regress_feed%'
	ORDER BY e.event_id
$$;
-- one evaluation
CREATE FUNCTION regress_feed_capture() RETURNS boolean
LANGUAGE sql AS $$
	SELECT succeeded FROM pghero.capture(ARRAY['issues'])
$$;

-- columns and types
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = 'pghero.issue_events'::regclass AND attnum > 0 ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod)
FROM pg_attribute WHERE attrelid = 'pghero.checks'::regclass AND attnum > 0 ORDER BY attnum;

-- pghero.checks names every check the definitions have, and no other: the
-- check names are the first column of each branch of the area views and
-- of the functions they call
WITH defs AS (
	SELECT pg_get_viewdef(c.oid) AS def
	FROM pg_class c
	WHERE c.relnamespace = 'pghero_internal'::regnamespace AND c.relname LIKE '\_issues\_%'
	UNION ALL
	SELECT p.prosrc
	FROM pg_proc p
	WHERE p.pronamespace = 'pghero_internal'::regnamespace AND p.proname LIKE '\_issues\_%'),
defined AS (
	SELECT DISTINCT m[1] AS check_name
	FROM defs, regexp_matches(defs.def, 'SELECT ''([a-z0-9_]+)''::text', 'g') AS m)
SELECT coalesce(d.check_name, c.check_name) AS check_name,
	   d.check_name IS NOT NULL AS defined, c.check_name IS NOT NULL AS listed
FROM defined d FULL JOIN pghero.checks c ON c.check_name = d.check_name
WHERE d.check_name IS NULL OR c.check_name IS NULL;
SELECT count(*) > 40 AS many FROM pghero.checks;
SELECT count(*) AS malformed FROM pghero.checks
WHERE category NOT IN ('availability', 'performance', 'maintenance', 'capacity', 'security')
   OR NOT severities <@ ARRAY['critical', 'warning', 'info'] OR cardinality(severities) = 0
   OR summary IS NULL
   OR EXISTS (SELECT FROM unnest(settings) s(s) WHERE NOT EXISTS (SELECT FROM pg_settings WHERE name = s.s));

-- the settings: defaults and bounds
SELECT name, setting, unit, boot_val, min_val, context FROM pg_settings
WHERE name IN ('pghero.check_interval', 'pghero.issue_open_after', 'pghero.issue_resolve_after')
ORDER BY name;
\set VERBOSITY sqlstate
ALTER SYSTEM SET pghero.check_interval = 0;
ALTER SYSTEM SET pghero.issue_open_after = -1;
ALTER SYSTEM SET pghero.issue_resolve_after = -1;
ALTER SYSTEM SET pghero.issue_open_after = '1 fortnight';
\set VERBOSITY default
SET pghero.check_interval = 5;

-- the feed: opened at once, severity changed, resolved at once
ALTER SYSTEM SET pghero.issue_open_after = 0;
ALTER SYSTEM SET pghero.issue_resolve_after = 0;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
SELECT current_setting('pghero.issue_open_after') AS open_after, current_setting('pghero.issue_resolve_after') AS resolve_after;
SELECT regress_feed_capture();
SELECT coalesce(max(event_id), 0) AS start_id FROM pghero.issue_events \gset
CREATE TABLE regress_feed_t (id integer CHECK (id > 0));
CREATE SEQUENCE regress_feed_seq AS integer;
CREATE TABLE regress_feed_s (id integer DEFAULT nextval('regress_feed_seq'));
ALTER SEQUENCE regress_feed_seq OWNED BY regress_feed_s.id;
SELECT setval('regress_feed_seq', 2000000000) > 0 AS near;
ALTER TABLE regress_feed_t ADD CONSTRAINT regress_feed_t_pos CHECK (id < 100) NOT VALID;
SELECT regress_feed_capture();
SELECT * FROM regress_feed_events(:start_id);
-- tracked now: first_seen and last_seen from the evaluation; health() and
-- issue_counts from the open issues
SELECT replace(issue_key, current_database(), 'DB') AS issue_key, first_seen IS NOT NULL AND first_seen = last_seen AS first_seen_set
FROM pghero.issues WHERE object LIKE 'public.regress_feed%' ORDER BY issue_key COLLATE "C";
SELECT tracked, warning > 0 AS warnings FROM pghero.health();
SELECT severity, check_name, issues >= 1 AS counted FROM pghero.issue_counts
WHERE check_name IN ('sequence_near_max', 'invalid_constraint') ORDER BY check_name COLLATE "C";
-- nothing changed: no event
SELECT regress_feed_capture();
SELECT count(*) AS events FROM regress_feed_events(:start_id);
-- severity: warning to critical
SELECT setval('regress_feed_seq', 2140000000) > 0 AS nearer;
SELECT regress_feed_capture();
SELECT * FROM regress_feed_events(:start_id) WHERE n > 2;
-- fixed: resolved
ALTER TABLE regress_feed_t VALIDATE CONSTRAINT regress_feed_t_pos;
SELECT regress_feed_capture();
SELECT * FROM regress_feed_events(:start_id) WHERE n > 3;
SELECT setval('regress_feed_seq', 1) > 0 AS far;
SELECT regress_feed_capture();
SELECT * FROM regress_feed_events(:start_id) WHERE n > 4;
-- event ids increase in the order of the events
SELECT bool_and(at >= prev_at) AS in_order, count(*) = count(DISTINCT event_id) AS distinct_ids
FROM (SELECT event_id, at, lag(at, 1, '-infinity') OVER (ORDER BY event_id) AS prev_at
	  FROM pghero.issue_events) e;

-- hysteresis: a problem that comes and goes faster than issue_open_after
-- never opens; one that stays opens; an open one absent for less than
-- issue_resolve_after stays open
ALTER SYSTEM SET pghero.issue_open_after = 2;
ALTER SYSTEM SET pghero.issue_resolve_after = 2;
SELECT pg_reload_conf();
SELECT pg_sleep(0.3);
SELECT current_setting('pghero.issue_open_after') AS open_after, current_setting('pghero.issue_resolve_after') AS resolve_after;
SELECT max(event_id) AS mid_id FROM pghero.issue_events \gset
ALTER TABLE regress_feed_t ADD CONSTRAINT regress_feed_t_small CHECK (id < 50) NOT VALID;
SELECT regress_feed_capture();
SELECT pg_sleep(1.1);
ALTER TABLE regress_feed_t VALIDATE CONSTRAINT regress_feed_t_small;
SELECT regress_feed_capture();
ALTER TABLE regress_feed_t ADD CONSTRAINT regress_feed_t_tiny CHECK (id < 40) NOT VALID;
SELECT regress_feed_capture();
SELECT pg_sleep(1.1);
SELECT count(*) AS flapped FROM regress_feed_events(:mid_id);
SELECT regress_feed_capture();
SELECT pg_sleep(1.1);
SELECT regress_feed_capture();
SELECT * FROM regress_feed_events(:mid_id);
ALTER TABLE regress_feed_t VALIDATE CONSTRAINT regress_feed_t_tiny;
SELECT regress_feed_capture();
SELECT count(*) AS still_open FROM pghero_internal._tracked_issues() WHERE object = 'public.regress_feed_t.regress_feed_t_tiny';
SELECT pg_sleep(2.1);
SELECT regress_feed_capture();
SELECT * FROM regress_feed_events(:mid_id);

-- issue_events_since: what follows an event, by check; bad input
SELECT op, replace(issue_key, current_database(), 'DB') FROM pghero.issue_events_since(:mid_id) WHERE object LIKE 'public.regress_feed%';
SELECT count(*) AS none FROM pghero.issue_events_since(:mid_id, ARRAY['lock_queue']);
SELECT count(*) = (SELECT count(*) FROM pghero.issue_events) AS everything FROM pghero.issue_events_since(0);
SELECT * FROM pghero.issue_events_since(NULL);
SELECT * FROM pghero.issue_events_since(-1);
SELECT * FROM pghero.issue_events_since(0, ARRAY['invalid_constraint', 'no_such_check']);
SELECT * FROM pghero.issue_events_since(0, ARRAY[NULL]);
-- (ids vary: the messages are shown with N for each number)
CREATE FUNCTION regress_feed_since(after bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	hint text;
BEGIN
	RETURN (SELECT count(*) FROM pghero.issue_events_since(after));
EXCEPTION WHEN object_not_in_prerequisite_state THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
	RAISE WARNING '%: %', sqlstate, regexp_replace(msg, '[0-9]+', 'N', 'g') USING HINT = hint;
	RETURN NULL;
END
$$;
SELECT regress_feed_since((SELECT max(event_id) + 10 FROM pghero.issue_events));

-- retention removes old events and says so to a client that resumes from
-- one of them
UPDATE pghero_internal.issue_events SET at = at - interval '1 year' WHERE event_id <= :mid_id;
SELECT regress_feed_capture();
SELECT count(*) AS old_kept FROM pghero.issue_events WHERE event_id <= :mid_id;
SELECT removed_through = :mid_id AS removed_through FROM pghero_internal.issue_feed;
SELECT regress_feed_since(:start_id);
SELECT count(*) > 0 AS resumes FROM pghero.issue_events_since(:mid_id);

-- a reader reads the feed and the checks, not the state
CREATE ROLE regress_feed_reader;
GRANT pghero_reader TO regress_feed_reader;
SET ROLE regress_feed_reader;
SELECT count(*) > 0 AS reads_events FROM pghero.issue_events;
SELECT count(*) > 0 AS reads_checks FROM pghero.checks;
SELECT count(*) > 0 AS resumes FROM pghero.issue_events_since(:mid_id);
SELECT tracked FROM pghero.health();
SELECT count(*) FROM pghero_internal.issue_state;
RESET ROLE;

-- clean up
DROP ROLE regress_feed_reader;
DROP TABLE regress_feed_t, regress_feed_s;
ALTER SYSTEM RESET pghero.issue_open_after;
ALTER SYSTEM RESET pghero.issue_resolve_after;
SELECT pg_reload_conf();
DROP FUNCTION regress_feed_events(bigint), regress_feed_since(bigint),
	regress_feed_capture();
