/* sql/src/22_feed.sql */

--------------------------------------------------------------------------
-- The change feed of pghero.issues
--
-- The collector runs source "issues" every pghero.check_interval: it
-- evaluates every check once (pghero_internal._evaluate_issues()) and moves
-- each issue through its states (pghero_internal.issue_state):
--   found, not yet tracked  -> pending (first_seen = now)
--   pending, found again     -> open once found at every evaluation for
--                               pghero.issue_open_after: event "opened"
--   pending, not found       -> forgotten, no event (it flapped)
--   open, found              -> event "changed" when its severity changed,
--                               or its details changed and its last event
--                               is pghero.issue_resolve_after old or more
--   open, not found          -> resolved once not found at any evaluation
--                               for pghero.issue_resolve_after: event
--                               "resolved"; found again before, it stays
--                               open, without an event
-- A pending issue whose last sighting is older than two check intervals
-- and a minute (the collector was stopped) starts pending again.
--
-- Every event is a row of pghero_internal.issue_events, numbered by a
-- sequence, and a NOTIFY pghero_issues with {event_id, op, issue_key,
-- severity}, in the transaction of the evaluation: a listener is told of
-- exactly the events that were committed, in event_id order.  Evaluations
-- never overlap (_run_source() serializes the runs of a source), so event
-- ids are committed in increasing order and a client that resumes with
-- event_id > the last one it saw misses none.  Events are kept for
-- pghero.history_retention.  A standby evaluates nothing: its collector
-- does not run there; its pghero.issue_events shows the primary's.
--------------------------------------------------------------------------

CREATE FUNCTION pghero_internal._capture_issues(OUT written bigint, OUT note text)
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	open_after interval := pg_catalog.make_interval(secs => pghero_internal._setting_seconds('pghero.issue_open_after'));
	resolve_after interval := pg_catalog.make_interval(secs => pghero_internal._setting_seconds('pghero.issue_resolve_after'));
	gap interval := pg_catalog.make_interval(secs => 2 * pghero_internal._setting_seconds('pghero.check_interval') + 60);
	history_keep interval := pg_catalog.make_interval(secs => pghero_internal._setting_seconds('pghero.history_retention'));
	gen integer := pghero_internal._generation();
	found pghero_internal._issues_found[];
	last_before bigint;
	newest bigint;
	first_clash bigint;
	settled text[];
	removed bigint;
BEGIN
	IF pg_catalog.pg_is_in_recovery() THEN
		written := 0;
		note := 'in recovery: the checks are evaluated on the primary';
		RETURN;
	END IF;

	-- every check, once; one row per key (the most severe, should a check
	-- ever find the same object twice)
	SELECT pg_catalog.array_agg(d.f) INTO found
	FROM (SELECT DISTINCT ON (f.issue_key) f
		  FROM pghero_internal._evaluate_issues() f
		  ORDER BY f.issue_key,
				   pg_catalog.array_position(ARRAY['critical', 'warning', 'info'], f.severity)) d;
	found := coalesce(found, '{}');

	-- a restored state (another generation's) becomes this one's: its open
	-- issues stay open, or are resolved below
	WITH restored AS (
		DELETE FROM pghero_internal.issue_state s
		WHERE s.generation <> gen
		RETURNING s.*)
	INSERT INTO pghero_internal.issue_state AS s
	SELECT DISTINCT ON (r.issue_key)
		   r.issue_key, r.check_name, r.category, r.severity, r.database, r.object, r.details,
		   r.description, r.remediation, r.first_seen, r.last_seen, r.opened_at,
		   r.reported_severity, r.reported_details, r.last_event_at, gen
	FROM restored r
	ORDER BY r.issue_key, r.opened_at IS NULL, r.last_seen DESC
	ON CONFLICT (generation, issue_key) DO UPDATE SET
		opened_at = coalesce(s.opened_at, excluded.opened_at),
		reported_severity = coalesce(s.reported_severity, excluded.reported_severity),
		reported_details = coalesce(s.reported_details, excluded.reported_details),
		last_event_at = coalesce(s.last_event_at, excluded.last_event_at);

	SELECT coalesce(pg_catalog.max(e.event_id), 0) INTO last_before
	FROM pghero_internal.issue_events e;

	-- events of this generation numbered no higher than a restored one (the
	-- collector ran while pg_restore did: its events were numbered from 1,
	-- the restored ones keep their ids) are numbered again, in their order,
	-- after every event kept, and announced again below: no id is used
	-- twice, and a client resuming from a restored id misses none of them
	SELECT pg_catalog.min(e.event_id) INTO first_clash
	FROM pghero_internal.issue_events e
	WHERE e.generation = gen
	  AND e.event_id <= (SELECT pg_catalog.max(o.event_id) FROM pghero_internal.issue_events o
						 WHERE o.generation <> gen);
	IF first_clash IS NOT NULL THEN
		UPDATE pghero_internal.issue_events e SET event_id = last_before + r.n
		FROM (SELECT o.event_id, pg_catalog.row_number() OVER (ORDER BY o.event_id) AS n
			  FROM pghero_internal.issue_events o
			  WHERE o.generation = gen AND o.event_id >= first_clash) r
		WHERE e.generation = gen AND e.event_id = r.event_id;
	END IF;

	-- event ids go on after every event kept, restored ones included
	SELECT coalesce(pg_catalog.max(e.event_id), 0) INTO newest
	FROM pghero_internal.issue_events e;
	IF newest > coalesce((SELECT q.last_value FROM pghero_internal.issue_event_id_seq q WHERE q.is_called), 0) THEN
		PERFORM pg_catalog.setval('pghero_internal.issue_event_id_seq', newest);
	END IF;

	-- not found: pending ones are forgotten, open ones resolved once absent
	-- for resolve_after
	WITH gone AS (
		DELETE FROM pghero_internal.issue_state s
		WHERE s.generation = gen
		  AND NOT EXISTS (SELECT FROM pg_catalog.unnest(found) f WHERE f.issue_key = s.issue_key)
		  AND (s.opened_at IS NULL OR s.last_seen <= now_ts - resolve_after)
		RETURNING s.*)
	INSERT INTO pghero_internal.issue_events
		(at, op, issue_key, check_name, category, severity, database, object, details, description,
		 generation)
	SELECT now_ts, 'resolved', g.issue_key, g.check_name, g.category, g.severity, g.database,
		   g.object, g.details, g.description, gen
	FROM gone g
	WHERE g.opened_at IS NOT NULL
	ORDER BY g.issue_key;

	-- the open ones found with the same details as at the evaluation
	-- before: only they report a change of details, so that details read
	-- while the catalog changes under the evaluation (a fix committed
	-- between its snapshot and a lookup of the definition, or an object
	-- dropped), or left NULL for a lock another session holds, which last
	-- one evaluation, make no "changed" event
	SELECT pg_catalog.array_agg(s.issue_key) INTO settled
	FROM pghero_internal.issue_state s
		 JOIN pg_catalog.unnest(found) f ON f.issue_key = s.issue_key
	WHERE s.generation = gen
	  AND s.opened_at IS NOT NULL
	  AND s.details IS NOT DISTINCT FROM f.details;

	-- found: new ones are pending, known ones take the new facts
	INSERT INTO pghero_internal.issue_state AS s
		(issue_key, check_name, category, severity, database, object, details, description,
		 remediation, first_seen, last_seen, generation)
	SELECT f.issue_key, f.check_name, f.category, f.severity, f.database, f.object, f.details,
		   f.description, f.remediation, now_ts, now_ts, gen
	FROM pg_catalog.unnest(found) f
	ON CONFLICT (generation, issue_key) DO UPDATE SET
		check_name = excluded.check_name,
		category = excluded.category,
		severity = excluded.severity,
		database = excluded.database,
		object = excluded.object,
		details = excluded.details,
		description = excluded.description,
		remediation = excluded.remediation,
		first_seen = CASE WHEN s.opened_at IS NULL AND s.last_seen < now_ts - gap
						  THEN now_ts ELSE s.first_seen END,
		last_seen = now_ts;

	-- pending ones found for open_after open
	WITH opened AS (
		UPDATE pghero_internal.issue_state s SET
			opened_at = now_ts,
			reported_severity = s.severity,
			reported_details = s.details,
			last_event_at = now_ts
		WHERE s.generation = gen
		  AND s.opened_at IS NULL
		  AND s.last_seen = now_ts
		  AND s.first_seen <= now_ts - open_after
		RETURNING s.*)
	INSERT INTO pghero_internal.issue_events
		(at, op, issue_key, check_name, category, severity, database, object, details, description,
		 generation)
	SELECT now_ts, 'opened', o.issue_key, o.check_name, o.category, o.severity, o.database,
		   o.object, o.details, o.description, gen
	FROM opened o
	ORDER BY o.issue_key;

	-- open ones whose severity changed, or whose details changed at most
	-- once per resolve_after
	WITH changed AS (
		UPDATE pghero_internal.issue_state s SET
			reported_severity = s.severity,
			reported_details = s.details,
			last_event_at = now_ts
		WHERE s.generation = gen
		  AND s.opened_at IS NOT NULL
		  AND s.last_seen = now_ts
		  AND (s.severity IS DISTINCT FROM s.reported_severity
			   OR (s.details IS DISTINCT FROM s.reported_details
				   AND s.issue_key = ANY (settled)
				   AND s.last_event_at <= now_ts - resolve_after))
		RETURNING s.*)
	INSERT INTO pghero_internal.issue_events
		(at, op, issue_key, check_name, category, severity, database, object, details, description,
		 generation)
	SELECT now_ts, 'changed', c.issue_key, c.check_name, c.category, c.severity, c.database,
		   c.object, c.details, c.description, gen
	FROM changed c
	ORDER BY c.issue_key;

	-- tell the listeners, in event order, at commit
	PERFORM pg_catalog.pg_notify('pghero_issues',
				pg_catalog.json_build_object('event_id', e.event_id, 'op', e.op,
											 'issue_key', e.issue_key, 'severity', e.severity)::text)
	FROM pghero_internal.issue_events e
	WHERE e.event_id > last_before
	ORDER BY e.event_id;

	SELECT pg_catalog.count(*) INTO written
	FROM pghero_internal.issue_events e
	WHERE e.event_id > last_before;

	-- events past history_retention; the highest id removed is kept
	WITH d AS (
		DELETE FROM pghero_internal.issue_events e
		WHERE e.at < now_ts - history_keep
		RETURNING e.event_id)
	SELECT pg_catalog.max(d.event_id) INTO removed FROM d;
	IF removed IS NOT NULL THEN
		INSERT INTO pghero_internal.issue_feed AS f (generation, removed_through)
		VALUES (gen, removed)
		ON CONFLICT (generation) DO UPDATE
		SET removed_through = greatest(f.removed_through, excluded.removed_through);
	END IF;

	SELECT pg_catalog.format('%s open, %s pending',
							 pg_catalog.count(*) FILTER (WHERE s.opened_at IS NOT NULL),
							 pg_catalog.count(*) FILTER (WHERE s.opened_at IS NULL))
	INTO note
	FROM pghero_internal.issue_state s
	WHERE s.generation = gen;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_issues() IS
'Run the issues source: evaluate every check, move each issue through pending, open and resolved with hysteresis, write and NOTIFY the events (internal)';

--------------------------------------------------------------------------
-- Reading the feed
--------------------------------------------------------------------------

CREATE VIEW @extschema@.issue_events AS
SELECT e.event_id,
	   e.at,
	   e.op,
	   e.issue_key,
	   e.check_name,
	   e.category,
	   e.severity,
	   e.database,
	   e.object,
	   e.details,
	   e.description
FROM pghero_internal.issue_events e;

COMMENT ON VIEW @extschema@.issue_events IS
'The change feed of pghero.issues: every issue opened, changed or resolved by the collector (with hysteresis), in event_id order; kept for pghero.history_retention; NOTIFY pghero_issues announces each';

-- The events after the one a client saw last, saying so when some of them
-- are gone (removed by retention) or when the client is ahead of this
-- server (restored from an older backup)
CREATE FUNCTION @extschema@.issue_events_since(after_event_id bigint, check_names text[] DEFAULT NULL)
RETURNS SETOF @extschema@.issue_events
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	removed bigint;
	newest bigint;
	unknown text;
BEGIN
	IF after_event_id IS NULL THEN
		RAISE EXCEPTION 'after_event_id must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the event_id of the last event your client handled, or 0 for every event kept.';
	END IF;
	IF after_event_id < 0 THEN
		RAISE EXCEPTION 'after_event_id must not be negative: %', after_event_id
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the event_id of the last event your client handled, or 0 for every event kept.';
	END IF;
	SELECT u.u INTO unknown
	FROM pg_catalog.unnest(check_names) u(u)
	WHERE u.u IS NULL OR NOT EXISTS (SELECT FROM @extschema@.checks c WHERE c.check_name = u.u)
	LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'unknown check name %', coalesce(pg_catalog.quote_literal(unknown), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The checks are listed in pghero.checks.';
	END IF;

	SELECT pg_catalog.max(f.removed_through) INTO removed FROM pghero_internal.issue_feed f;
	SELECT pg_catalog.max(e.event_id) INTO newest FROM pghero_internal.issue_events e;
	IF after_event_id > 0 AND after_event_id < coalesce(removed, 0) THEN
		RAISE EXCEPTION 'the events after % are no longer all kept: events up to % were removed by retention', after_event_id, removed
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Events are kept for pghero.history_retention.',
				  HINT = 'Read pghero.issues again and resume from SELECT max(event_id) FROM pghero.issue_events; taken in the same transaction.';
	END IF;
	IF after_event_id > greatest(coalesce(newest, 0), coalesce(removed, 0)) THEN
		RAISE EXCEPTION 'event % has not happened on this server: its last event is %', after_event_id, greatest(coalesce(newest, 0), coalesce(removed, 0))
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'This database may have been restored from a backup taken before that event, or the client follows another server.',
				  HINT = 'Read pghero.issues again and resume from SELECT max(event_id) FROM pghero.issue_events; taken in the same transaction.';
	END IF;

	RETURN QUERY
	SELECT e.event_id, e.at, e.op, e.issue_key, e.check_name, e.category, e.severity,
		   e.database, e.object, e.details, e.description
	FROM pghero_internal.issue_events e
	WHERE e.event_id > after_event_id
	  AND (check_names IS NULL OR e.check_name = ANY (check_names))
	ORDER BY e.event_id;
END
$$;

COMMENT ON FUNCTION @extschema@.issue_events_since(bigint, text[]) IS
'The events of the change feed after the one a client handled last (of the checks named, or all), in order; an error when some were removed by retention or the server has no such event (restored from an older backup): then read pghero.issues again';
