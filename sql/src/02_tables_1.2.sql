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
