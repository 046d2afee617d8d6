/* sql/src/02_tables_1.2.sql */

--------------------------------------------------------------------------
-- The tables that pghero 1.2 adds.  Like the other 0* sources they are
-- created once, at installation; the 1.1 -> 1.2 upgrade creates them from
-- this same file (see the Makefile), so that they are written once.
--------------------------------------------------------------------------

--------------------------------------------------------------------------
-- The installation and its generation
--
-- Every row of history and of the state that goes with it (texts,
-- captures, rollup progress, names) belongs to a generation: the
-- installation of pghero that wrote it.  pg_dump/pg_restore of a database
-- brings its history along under the generation that wrote it, while the
-- collector of the installation it is restored into goes on writing under
-- its own: their partitions never share a name or a range, so a restore and
-- a running collector cannot collide, and nothing is counted twice.
-- This table is not dumped: a restored database keeps its own generation.
--------------------------------------------------------------------------

CREATE TABLE pghero_internal.installation (
	generation integer PRIMARY KEY CHECK (generation > 0),
	installed_at timestamptz NOT NULL
);

-- the generation is the installation time in seconds since 2020 (unique
-- enough across clusters, and later installations sort later)
INSERT INTO pghero_internal.installation
VALUES (pg_catalog.floor(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp())
						 - 1577836800)::integer,
		pg_catalog.clock_timestamp());

-- the names of the databases and roles the history refers to, as they were
-- when first captured: the oids of another generation are another
-- cluster's, or may be reused
CREATE TABLE pghero_internal.object_names (
	generation integer NOT NULL,
	kind text NOT NULL CHECK (kind IN ('database', 'role')),
	oid oid NOT NULL,
	name name NOT NULL,
	PRIMARY KEY (generation, kind, oid)
);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.object_names', '');

-- I/O by backend type, object and context, from pg_stat_io (PostgreSQL 16
-- and later; empty before): a row per combination whose counters moved
CREATE TABLE pghero_internal.io_history (
	captured_at timestamptz NOT NULL,
	since timestamptz,
	backend_type text NOT NULL,
	object text NOT NULL,
	context text NOT NULL,
	reads bigint,
	read_bytes bigint,
	read_time float8,
	writes bigint,
	write_bytes bigint,
	write_time float8,
	writebacks bigint,
	writeback_time float8,
	extends bigint,
	extend_bytes bigint,
	extend_time float8,
	hits bigint,
	evictions bigint,
	reuses bigint,
	fsyncs bigint,
	fsync_time float8,
	lossy boolean,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

CREATE TABLE pghero_internal.io_rollup (
	bucket timestamptz NOT NULL,
	backend_type text NOT NULL,
	object text NOT NULL,
	context text NOT NULL,
	samples integer NOT NULL,
	seconds float8 NOT NULL,
	reads bigint,
	read_bytes bigint,
	read_time float8,
	writes bigint,
	write_bytes bigint,
	write_time float8,
	writebacks bigint,
	writeback_time float8,
	extends bigint,
	extend_bytes bigint,
	extend_time float8,
	hits bigint,
	evictions bigint,
	reuses bigint,
	fsyncs bigint,
	fsync_time float8,
	lossy boolean,
	generation integer NOT NULL
) PARTITION BY LIST (generation);

-- the pg_stat_io counters read at the last capture (unlogged, see the
-- baselines in sql/src/01_tables.sql)
CREATE UNLOGGED TABLE pghero_internal.io_baseline (
	backend_type text NOT NULL,
	object text NOT NULL,
	context text NOT NULL,
	stats_reset timestamptz,
	counters numeric[] NOT NULL,
	PRIMARY KEY (backend_type, object, context)
);


--------------------------------------------------------------------------
-- Every run of every capture source (read through pghero.collector_runs),
-- kept for pghero.history_retention; dumped, under its generation
--------------------------------------------------------------------------
CREATE TABLE pghero_internal.collector_runs (
	started_at timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	source text NOT NULL,
	succeeded boolean NOT NULL,
	rows_written bigint,
	error text,
	note text,
	generation integer NOT NULL
);

CREATE INDEX collector_runs_started_at_idx ON pghero_internal.collector_runs (started_at);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.collector_runs', '');

--------------------------------------------------------------------------
-- The change feed of pghero.issues (sql/src/22_feed.sql)
--
-- issue_state is what the collector's evaluation of the checks tracks: one
-- row per issue found at the last evaluation (pending until it has been
-- found for pghero.issue_open_after, then open) or still open while absent
-- for less than pghero.issue_resolve_after.  issue_events is every
-- transition (opened, changed, resolved) of an open issue, numbered by
-- issue_event_id_seq.  All are dumped, under the generation that wrote
-- them, so that a restore into a database whose collector already runs
-- does not collide with it: the next evaluation adopts the restored state,
-- and numbers its events after every event restored.
--------------------------------------------------------------------------
CREATE TABLE pghero_internal.issue_state (
	issue_key text NOT NULL,
	check_name text NOT NULL,
	category text NOT NULL,
	severity text NOT NULL,
	database name,
	object text,
	details jsonb,
	description text,
	remediation text,
	first_seen timestamptz NOT NULL,
	last_seen timestamptz NOT NULL,
	opened_at timestamptz,
	reported_severity text,
	reported_details jsonb,
	last_event_at timestamptz,
	generation integer NOT NULL,
	PRIMARY KEY (generation, issue_key)
);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.issue_state', '');

CREATE SEQUENCE pghero_internal.issue_event_id_seq;

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.issue_event_id_seq', '');

CREATE TABLE pghero_internal.issue_events (
	event_id bigint NOT NULL DEFAULT pg_catalog.nextval('pghero_internal.issue_event_id_seq'),
	at timestamptz NOT NULL,
	op text NOT NULL CHECK (op IN ('opened', 'changed', 'resolved')),
	issue_key text NOT NULL,
	check_name text NOT NULL,
	category text NOT NULL,
	severity text NOT NULL,
	database name,
	object text,
	details jsonb,
	description text,
	generation integer NOT NULL,
	PRIMARY KEY (event_id, generation)
);

ALTER SEQUENCE pghero_internal.issue_event_id_seq OWNED BY pghero_internal.issue_events.event_id;

CREATE INDEX issue_events_at_idx ON pghero_internal.issue_events (at);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.issue_events', '');

-- the highest event id retention has removed, per generation (no row until
-- it removes one): a client that resumes from an older one has missed
-- events
CREATE TABLE pghero_internal.issue_feed (
	generation integer PRIMARY KEY,
	removed_through bigint NOT NULL
);

SELECT pg_catalog.pg_extension_config_dump('pghero_internal.issue_feed', '');
