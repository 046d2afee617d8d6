/* pghero--1.1--1.2.sql: built by make from sql/updates/ and sql/src/; do not edit */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION pghero UPDATE TO '1.2'" to load this file. \quit

/* sql/updates/drop_definitions.sql */

--------------------------------------------------------------------------
-- Every upgrade starts here: drop every function and view of the
-- extension, so that the topic sources that follow the hand-written part
-- of the upgrade create each one exactly as a fresh installation does.
-- Tables (and the data in them) stay; the hand-written part changes them.
--
-- Objects are dropped newest first (an object can only depend on older
-- ones), without CASCADE: if an object of someone else's depends on one of
-- ours (a user's view over a pghero view), the upgrade stops and says so
-- rather than dropping it.
--------------------------------------------------------------------------

DO $$
DECLARE
	obj record;
BEGIN
	FOR obj IN
		SELECT d.classid, d.objid,
			   pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS descr
		FROM pg_catalog.pg_depend d
		WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		  AND d.refobjid OPERATOR(pg_catalog.=)
			  (SELECT e.oid FROM pg_catalog.pg_extension e
			   WHERE e.extname OPERATOR(pg_catalog.=) 'pghero')
		  AND d.deptype OPERATOR(pg_catalog.=) 'e'
		  AND (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
			   OR (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
				   AND (SELECT c.relkind FROM pg_catalog.pg_class c
						WHERE c.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) 'v'))
		ORDER BY d.objid DESC
	LOOP
		IF obj.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass THEN
			EXECUTE pg_catalog.format('DROP FUNCTION %s', obj.objid::pg_catalog.regprocedure);
		ELSE
			EXECUTE pg_catalog.format('DROP VIEW %s', obj.objid::pg_catalog.regclass);
		END IF;
	END LOOP;
END
$$;

/* sql/updates/1.1--1.2.pre.sql */

--------------------------------------------------------------------------
-- pghero 1.1 -> 1.2, first step: 1.2 keeps its internals in a schema of
-- their own, pghero_internal, so that schema pghero lists the dashboard
-- and nothing else.  With every function and view dropped, what is left in
-- schema pghero is tables (history, their partitions, state) and their
-- sequences: move them all, data and privileges included, before the rest
-- of the upgrade changes them where a fresh installation creates them.
--------------------------------------------------------------------------

CREATE SCHEMA pghero_internal;

DO $$
DECLARE
	r record;
BEGIN
	-- tables only: ALTER TABLE moves a table's indexes and owned sequences
	FOR r IN
		SELECT c.relname FROM pg_catalog.pg_class c
		WHERE c.relnamespace OPERATOR(pg_catalog.=) 'pghero'::pg_catalog.regnamespace
		  AND c.relkind IN ('r', 'p')
		ORDER BY c.relname
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE pghero.%I SET SCHEMA pghero_internal', r.relname);
	END LOOP;
END
$$;

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

/* sql/updates/1.1--1.2.sql */

--------------------------------------------------------------------------
-- pghero 1.1 -> 1.2: what cannot be re-created.  Every function and view
-- has been dropped above and is created again below from sql/src/; this
-- part changes the tables (and their data) the way sql/src/01_tables.sql
-- creates them, so that an upgraded extension is the same as a fresh one
-- (test/t/007_upgrade.pl compares them):
--   - the history of 1.1 becomes the first generation of this
--     installation;
--   - every history table is partitioned by generation, then by day: the
--     1.1 daily partitions move under the generation's partition, renamed
--     <table>_g<generation>_p<day>;
--   - the statement tables take pg_stat_statements' newest counter names
--     and the counters of pg_stat_statements 1.10 to 1.12;
--   - the state that goes with history is keyed by generation and dumped;
--   - new sources: io (pg_stat_io, PostgreSQL 16 and later) and issues
--     (the change feed of pghero.issues).
-- The tables 1.2 adds (sql/src/02_tables_1.2.sql) are created before this.
--------------------------------------------------------------------------

-- the registry of sources
ALTER TABLE pghero_internal.collector_sources
	ADD COLUMN position integer,
	ADD COLUMN interval_setting text,
	ADD COLUMN run_function text,
	ADD COLUMN raw_table text,
	ADD COLUMN rollup_table text;

UPDATE pghero_internal.collector_sources c
SET position = r.position, interval_setting = r.interval_setting,
	run_function = '_capture_' || r.source,
	raw_table = r.raw_table, rollup_table = r.rollup_table
FROM (VALUES ('statements', 1, 'pghero.capture_interval', 'statement_history', 'statement_rollup'),
			 ('database_activity', 2, 'pghero.capture_interval', 'database_history', 'database_rollup'),
			 ('instance', 3, 'pghero.capture_interval', 'instance_history', 'instance_rollup'),
			 ('space', 4, 'pghero.space_interval', 'space_history', NULL),
			 ('retention', 6, 'pghero.capture_interval', NULL, NULL))
	 r(source, position, interval_setting, raw_table, rollup_table)
WHERE r.source = c.source;

INSERT INTO pghero_internal.collector_sources
	(source, position, interval_setting, run_function, raw_table, rollup_table)
VALUES ('io', 5, 'pghero.capture_interval', '_capture_io', 'io_history', 'io_rollup'),
	   ('issues', 7, 'pghero.check_interval', '_capture_issues', NULL, NULL);

-- the state that goes with history: keyed by generation, and dumped
SELECT pg_catalog.pg_extension_config_dump('pghero_internal.audit_log_id_seq', '');

DO $$
DECLARE
	gen integer := (SELECT i.generation FROM pghero_internal.installation i);
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('rollup_progress', 'history'),
		('query_texts', 'generation, dbid, queryid'),
		('statement_captures', 'generation, captured_at')) v(tab, pkey)
	LOOP
		-- a column without a default, so that nothing tells it from a fresh one
		EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I ADD COLUMN generation integer, DROP CONSTRAINT %I',
			t.tab, t.tab || '_pkey');
		EXECUTE pg_catalog.format('UPDATE pghero_internal.%I SET generation = %s', t.tab, gen);
		EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I ALTER COLUMN generation SET NOT NULL', t.tab);
		EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I ADD PRIMARY KEY (%s)', t.tab,
			CASE t.tab WHEN 'rollup_progress' THEN 'history, generation' ELSE t.pkey END);
		PERFORM pg_catalog.pg_extension_config_dump(pg_catalog.format('pghero_internal.%I', t.tab)::pg_catalog.regclass, '');
	END LOOP;
END
$$;
UPDATE pghero_internal.rollup_progress SET history = history || '_history';

-- pg_stat_statements' newest names; the baseline's counters may be NULL
-- (a counter the server's pg_stat_statements lacks)
DO $$
DECLARE
	t text;
	c record;
BEGIN
	FOREACH t IN ARRAY ARRAY['statement_history', 'statement_rollup', 'statement_baseline'] LOOP
		EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I RENAME blk_read_time TO shared_blk_read_time', t);
		EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I RENAME blk_write_time TO shared_blk_write_time', t);
	END LOOP;
	FOR c IN
		SELECT a.attname FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = 'pghero_internal.statement_baseline'::pg_catalog.regclass
		  AND a.attnum > 0 AND a.attnotnull
		  AND a.attname NOT IN ('dbid', 'userid', 'queryid', 'toplevel')
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.statement_baseline ALTER COLUMN %I DROP NOT NULL', c.attname);
	END LOOP;
END
$$;

-- Every history table again, partitioned by generation, with the 1.1
-- partitions under this installation's generation; the statement tables
-- with the counters of pg_stat_statements 1.10 to 1.12
DO $$
DECLARE
	gen integer := (SELECT i.generation FROM pghero_internal.installation i);
	t record;
	p record;
	col record;
	new_counters text := 'local_blk_read_time float8, local_blk_write_time float8, '
		'temp_blk_read_time float8, temp_blk_write_time float8, jit_functions bigint, '
		'jit_generation_time float8, jit_inlining_count bigint, jit_inlining_time float8, '
		'jit_optimization_count bigint, jit_optimization_time float8, jit_emission_count bigint, '
		'jit_emission_time float8, jit_deform_count bigint, jit_deform_time float8, '
		'wal_buffers_full bigint, parallel_workers_to_launch bigint, '
		'parallel_workers_launched bigint, generic_plan_calls bigint, custom_plan_calls bigint';
BEGIN
	EXECUTE 'ALTER TABLE pghero_internal.statement_baseline ADD COLUMN '
		|| pg_catalog.replace(new_counters, ', ', ', ADD COLUMN ')
		|| ', ADD COLUMN stats_since timestamptz';

	FOR t IN SELECT * FROM (VALUES
		('statement_history', 'captured_at'),
		('statement_rollup', 'bucket'),
		('database_history', 'captured_at'),
		('database_rollup', 'bucket'),
		('instance_history', 'captured_at'),
		('instance_rollup', 'bucket'),
		('space_history', 'captured_at')) v(tab, time_column)
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I RENAME TO %I', t.tab, t.tab || '_v11');
		EXECUTE pg_catalog.format(
			'CREATE TABLE pghero_internal.%1$I (LIKE pghero_internal.%2$I, generation integer NOT NULL)'
			' PARTITION BY LIST (generation)', t.tab, t.tab || '_v11');
		IF t.tab LIKE 'statement%' THEN
			EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I ADD COLUMN ', t.tab)
				|| pg_catalog.replace(new_counters, ', ', ', ADD COLUMN ');
		END IF;
		EXECUTE pg_catalog.format(
			'CREATE TABLE pghero_internal.%1$I PARTITION OF pghero_internal.%2$I FOR VALUES IN (%3$s) PARTITION BY RANGE (%4$I)',
			t.tab || '_g' || gen, t.tab, gen, t.time_column);
		-- like every partition, made at run time in a fresh installation:
		-- history, not a member of the extension
		EXECUTE pg_catalog.format('ALTER EXTENSION pghero DROP TABLE pghero_internal.%I', t.tab || '_g' || gen);

		FOR p IN
			SELECT c.oid::pg_catalog.regclass AS part, c.relname,
				   pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
			FROM pg_catalog.pg_inherits i
				 JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = pg_catalog.format('pghero_internal.%I', t.tab || '_v11')::pg_catalog.regclass
		LOOP
			EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I DETACH PARTITION %s', t.tab || '_v11', p.part);
			EXECUTE pg_catalog.format('ALTER TABLE %s ADD COLUMN generation integer NOT NULL DEFAULT %s',
				p.part, gen);
			EXECUTE pg_catalog.format('ALTER TABLE %s ALTER COLUMN generation DROP DEFAULT', p.part);
			FOR col IN
				SELECT pg_catalog.format('%I %s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)) AS def
				FROM pg_catalog.pg_attribute a
				WHERE a.attrelid = pg_catalog.format('pghero_internal.%I', t.tab)::pg_catalog.regclass
				  AND a.attnum > 0 AND NOT a.attisdropped
				  AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute b
								  WHERE b.attrelid = p.part AND b.attname = a.attname)
				ORDER BY a.attnum
			LOOP
				EXECUTE pg_catalog.format('ALTER TABLE %s ADD COLUMN %s', p.part, col.def);
			END LOOP;
			EXECUTE pg_catalog.format('ALTER TABLE %s RENAME TO %I', p.part,
				pg_catalog.format('%s_g%s_p%s', t.tab, gen, pg_catalog.right(p.relname, 8)));
			EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I ATTACH PARTITION %s %s',
				t.tab || '_g' || gen, p.part, p.bound);
			-- as pghero_internal._ensure_partition() makes a raw partition
			IF t.time_column = 'captured_at' AND t.tab <> 'space_history' THEN
				EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (coalesce(since, captured_at) < %L)',
					p.part, pg_catalog.format('%s_g%s_p%s_since', t.tab, gen, pg_catalog.right(p.relname, 8)),
					(pg_catalog.to_date(pg_catalog.right(p.relname, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC');
			END IF;
		END LOOP;
		-- the partitions keep their indexes (detached from the partitioned
		-- index, which goes with the old table): 1.2 indexes each partition
		-- and no partitioned table
		EXECUTE pg_catalog.format('DROP TABLE pghero_internal.%I', t.tab || '_v11');
	END LOOP;
END
$$;

/* sql/src/10_common.sql */

--------------------------------------------------------------------------
-- Helpers shared by the topics that follow
--------------------------------------------------------------------------

-- No SET search_path: the C function looks nothing up, and a SET clause
-- would cost a GUC save and restore on every row of the views that call it.
CREATE FUNCTION pghero_internal._redact_query(query text)
RETURNS text
AS 'MODULE_PATHNAME', 'pghero_redact_query'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._redact_query(text) IS
'The statement text with every password, user mapping password option and subscription connection string replaced by ''<redacted>''; every text pghero shows or stores goes through it (internal)';

-- The schema of a relation from the syscache (src/relnamespace.c), NULL
-- when there is no such relation
CREATE FUNCTION pghero_internal._relation_namespace(relid oid)
RETURNS oid
AS 'MODULE_PATHNAME', 'pghero_relation_namespace'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._relation_namespace(oid) IS
'The schema (pg_class.relnamespace) of a relation, NULL when there is none with that OID (internal)';

-- pghero's own relations: everything in its two schemas (the dashboard's
-- and the internals': history tables, their partitions, state, indexes,
-- sequences).  The findings views leave them out; pghero.storage shows them.
-- An expression without a subquery and no SET search_path, so that the
-- planner inlines it into the views that call it (a subquery in a SQL
-- function's body prevents inlining, and its call per row cost more than
-- the rest of those views on a large catalog); its operators are qualified.
-- Views that read pg_class already ask _is_own_schema(relnamespace).
CREATE FUNCTION pghero_internal._is_own_schema(nspid oid)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT $1 OPERATOR(pg_catalog.=) ANY
		   (ARRAY['@extschema@'::pg_catalog.regnamespace,
				  'pghero_internal'::pg_catalog.regnamespace]::pg_catalog.oid[])
$$;

COMMENT ON FUNCTION pghero_internal._is_own_schema(oid) IS
'Whether a schema is one of pghero''s own (pghero or pghero_internal) (internal)';

CREATE FUNCTION pghero_internal._is_own(relid oid)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT coalesce(pghero_internal._is_own_schema(pghero_internal._relation_namespace($1)), false)
$$;

COMMENT ON FUNCTION pghero_internal._is_own(oid) IS
'Whether a relation is one of pghero''s own (in schema pghero or pghero_internal): findings leave them out, pghero.storage shows them (internal)';

/* sql/src/10_compat.sql */

--------------------------------------------------------------------------
-- PostgreSQL version differences
--
-- Every difference between PostgreSQL versions that the SQL of pghero
-- meets lives in this section, behind one function each; nothing else
-- tests a version.  Each function picks its query by the running server's
-- server_version_num when called, rather than once at installation:
-- pg_upgrade carries the extension's definitions over to a newer major
-- version unchanged, so a choice made at installation would go stale.
-- (pg_stat_statements' own differences are handled by name, in
-- src/pgss.c.)
--------------------------------------------------------------------------

-- Checkpoint and buffer-write counters, in the order instance_history
-- stores them: checkpoints timed and requested, buffers written by
-- checkpoints, by the background writer and by backends.  PostgreSQL 17
-- moved the checkpoint counters to pg_stat_checkpointer and dropped
-- buffers_backend (pg_stat_io has it by backend type): NULL there.
CREATE FUNCTION pghero_internal._checkpoint_counters(OUT counters bigint[], OUT stats_reset timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF pg_catalog.current_setting('server_version_num')::integer >= 170000 THEN
		EXECUTE 'SELECT ARRAY[c.num_timed, c.num_requested, c.buffers_written, b.buffers_clean, NULL::bigint],
						c.stats_reset
				 FROM pg_catalog.pg_stat_checkpointer c, pg_catalog.pg_stat_bgwriter b'
		INTO counters, stats_reset;
	ELSE
		EXECUTE 'SELECT ARRAY[b.checkpoints_timed, b.checkpoints_req, b.buffers_checkpoint,
							  b.buffers_clean, b.buffers_backend],
						b.stats_reset
				 FROM pg_catalog.pg_stat_bgwriter b'
		INTO counters, stats_reset;
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._checkpoint_counters() IS
'Cumulative checkpoint and buffer-write counters of the server, whatever its version (internal)';

-- I/O by backend type, object and context (pg_stat_io, PostgreSQL 16 and
-- later; no row before): cumulative counters, in the order io_history
-- stores them (reads, read_bytes, read_time, writes, write_bytes,
-- write_time, writebacks, writeback_time, extends, extend_bytes,
-- extend_time, hits, evictions, reuses, fsyncs, fsync_time).  PostgreSQL
-- 18 counts bytes; 16 and 17 count operations of op_bytes bytes each.
CREATE FUNCTION pghero_internal._io_counters(OUT backend_type text, OUT object text, OUT context text,
										 OUT counters numeric[], OUT stats_reset timestamptz)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v integer := pg_catalog.current_setting('server_version_num')::integer;
BEGIN
	IF v < 160000 THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE pg_catalog.format($q$
		SELECT i.backend_type, i.object, i.context,
			   ARRAY[i.reads, %1$s, i.read_time, i.writes, %2$s, i.write_time,
					 i.writebacks, i.writeback_time, i.extends, %3$s, i.extend_time,
					 i.hits, i.evictions, i.reuses, i.fsyncs, i.fsync_time]::numeric[],
			   i.stats_reset
		FROM pg_catalog.pg_stat_io i
		$q$,
		CASE WHEN v >= 180000 THEN 'i.read_bytes' ELSE 'i.reads * i.op_bytes' END,
		CASE WHEN v >= 180000 THEN 'i.write_bytes' ELSE 'i.writes * i.op_bytes' END,
		CASE WHEN v >= 180000 THEN 'i.extend_bytes' ELSE 'i.extends * i.op_bytes' END);
END
$$;

COMMENT ON FUNCTION pghero_internal._io_counters() IS
'Cumulative I/O counters of pg_stat_io by backend type, object and context, whatever the version (none before PostgreSQL 16) (internal)';

-- Progress of every running VACUUM.  PostgreSQL 17 counts dead tuples'
-- memory in bytes (max_dead_tuple_bytes, dead_tuple_bytes) and dead item
-- identifiers (num_dead_item_ids) instead of dead tuples: max_dead_tuples is
-- NULL there, num_dead_tuples is the dead item identifiers; the byte
-- columns are NULL before 17.
CREATE FUNCTION pghero_internal._vacuum_progress()
RETURNS TABLE (
	pid integer, datid oid, datname name, relid oid, phase text,
	heap_blks_total bigint, heap_blks_scanned bigint,
	heap_blks_vacuumed bigint, index_vacuum_count bigint,
	max_dead_tuples bigint, num_dead_tuples bigint,
	max_dead_tuple_bytes bigint, dead_tuple_bytes bigint)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY EXECUTE pg_catalog.format($q$
		SELECT p.pid, p.datid, p.datname, p.relid, p.phase,
			   p.heap_blks_total, p.heap_blks_scanned,
			   p.heap_blks_vacuumed, p.index_vacuum_count,
			   %s
		FROM pg_catalog.pg_stat_progress_vacuum p
		$q$,
		CASE WHEN pg_catalog.current_setting('server_version_num')::integer >= 170000
			 THEN 'NULL::bigint, p.num_dead_item_ids, p.max_dead_tuple_bytes, p.dead_tuple_bytes'
			 ELSE 'p.max_dead_tuples, p.num_dead_tuples, NULL::bigint, NULL::bigint'
		END);
END
$$;

COMMENT ON FUNCTION pghero_internal._vacuum_progress() IS
'Progress of every running VACUUM, whoever runs it, whatever the server''s version (internal)';

-- Each database's collation version as recorded (pg_database.datcollversion)
-- and as the operating system's library now reports it (PostgreSQL 15 and
-- later; no row before, where pg_database records no version).
CREATE FUNCTION pghero_internal._collation_versions(OUT datname name, OUT recorded_version text,
													OUT actual_version text)
RETURNS SETOF record
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF pg_catalog.current_setting('server_version_num')::integer < 150000 THEN
		RETURN;
	END IF;
	RETURN QUERY EXECUTE
		'SELECT d.datname, d.datcollversion, pg_catalog.pg_database_collation_actual_version(d.oid)
		 FROM pg_catalog.pg_database d
		 WHERE d.datallowconn AND d.datconnlimit <> -2';
END
$$;

COMMENT ON FUNCTION pghero_internal._collation_versions() IS
'Every database''s collation version as recorded and as the library now reports it (none before PostgreSQL 15) (internal)';

-- The rules of pg_hba.conf as the file on disk has them now (what a reload
-- would load), for the security checks.  pg_hba_file_rules is readable by
-- superusers (and pg_read_all_settings from PostgreSQL 15) only: this
-- function reads it for any caller, takes no input and returns no option
-- (options can hold ldapbindpasswd or radiussecret).  PostgreSQL 16 names
-- each rule's file (include directives); before, every rule is in
-- hba_file.
CREATE FUNCTION pghero_internal._hba_rules()
RETURNS TABLE (
	file_name text, line_number integer, type text, database text[],
	user_name text[], address text, netmask text, auth_method text,
	error text)
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY EXECUTE pg_catalog.format($q$
		SELECT %s, r.line_number, r.type, r.database, r.user_name,
			   r.address, r.netmask, r.auth_method, r.error
		FROM pg_catalog.pg_hba_file_rules r
		$q$,
		CASE WHEN pg_catalog.current_setting('server_version_num')::integer >= 160000
			 THEN 'r.file_name'
			 ELSE 'pg_catalog.current_setting(''hba_file'')'
		END);
END
$$;

COMMENT ON FUNCTION pghero_internal._hba_rules() IS
'Every rule of pg_hba.conf (and its included files) as on disk, with its file and line, whoever the caller, without options (internal)';

/* sql/src/10_settings.sql */

--------------------------------------------------------------------------
-- Configuration
--------------------------------------------------------------------------

CREATE FUNCTION @extschema@.config(
	OUT long_running_query_sec integer,
	OUT slow_query_ms integer,
	OUT slow_query_calls bigint,
	OUT total_connections_threshold integer,
	OUT idle_in_transaction_threshold integer,
	OUT cache_hit_rate_threshold float8,
	OUT unused_index_min_bytes bigint,
	OUT index_bloat_min_bytes bigint,
	OUT sequence_danger_percent float8,
	OUT transaction_id_danger bigint,
	OUT lock_wait_threshold integer,
	OUT xmin_horizon_age bigint,
	OUT prepared_xact_age integer,
	OUT temp_bytes_threshold bigint,
	OUT checkpoint_requested_percent float8,
	OUT bloat_percent_threshold float8,
	OUT disk_free_percent float8)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_config'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION @extschema@.config() IS
'The pghero.* thresholds in force in this session, as one typed row';

--------------------------------------------------------------------------
-- Settings
--------------------------------------------------------------------------

CREATE VIEW @extschema@.settings AS
SELECT v.category,
	   s.name,
	   pg_catalog.current_setting(s.name) AS value,
	   s.setting,
	   s.unit,
	   s.boot_val AS default_value,
	   s.source,
	   s.context,
	   s.pending_restart,
	   s.short_desc AS description
FROM (VALUES
		('tuning', 'max_connections'),
		('tuning', 'shared_buffers'),
		('tuning', 'effective_cache_size'),
		('tuning', 'maintenance_work_mem'),
		('tuning', 'checkpoint_completion_target'),
		('tuning', 'wal_buffers'),
		('tuning', 'default_statistics_target'),
		('tuning', 'random_page_cost'),
		('tuning', 'effective_io_concurrency'),
		('tuning', 'work_mem'),
		('tuning', 'huge_pages'),
		('tuning', 'jit'),
		('tuning', 'wal_compression'),
		('tuning', 'min_wal_size'),
		('tuning', 'max_wal_size'),
		('tuning', 'io_method'),
		('autovacuum', 'autovacuum'),
		('autovacuum', 'autovacuum_max_workers'),
		('autovacuum', 'autovacuum_naptime'),
		('autovacuum', 'autovacuum_vacuum_cost_limit'),
		('autovacuum', 'autovacuum_vacuum_cost_delay'),
		('autovacuum', 'autovacuum_vacuum_scale_factor'),
		('autovacuum', 'autovacuum_vacuum_threshold'),
		('autovacuum', 'autovacuum_vacuum_insert_scale_factor'),
		('autovacuum', 'autovacuum_analyze_scale_factor'),
		('autovacuum', 'autovacuum_analyze_threshold'),
		('autovacuum', 'autovacuum_freeze_max_age'),
		('autovacuum', 'autovacuum_multixact_freeze_max_age'),
		('autovacuum', 'autovacuum_work_mem'),
		('vacuum', 'vacuum_cost_limit'),
		('vacuum', 'vacuum_cost_delay'),
		('vacuum', 'vacuum_freeze_min_age'),
		('vacuum', 'vacuum_freeze_table_age'),
		('vacuum', 'vacuum_multixact_freeze_min_age'),
		('vacuum', 'vacuum_multixact_freeze_table_age'),
		('vacuum', 'vacuum_failsafe_age')) AS v(category, name)
	 JOIN pg_catalog.pg_settings s ON s.name = v.name;

COMMENT ON VIEW @extschema@.settings IS
'The settings PgHero''s tuning page shows, plus autovacuum and vacuum settings, with where their value comes from';

/* sql/src/11_activity.sql */

-- read_at is clock_timestamp() read once per call, after pg_stat_activity
-- (an initplan, evaluated at the first row, once the backend status
-- snapshot is taken): the live views measure every duration against it,
-- so that no duration is negative and one reading gives one "now".
CREATE FUNCTION pghero_internal._activity()
RETURNS TABLE (
	pid integer, datid oid, datname name, usesysid oid, usename name,
	application_name text, client_addr inet, client_hostname text,
	client_port integer, backend_start timestamptz, xact_start timestamptz,
	query_start timestamptz, state_change timestamptz, wait_event_type text,
	wait_event text, state text, backend_xid xid, backend_xmin xid,
	query text, backend_type text, ssl boolean, leader_pid integer,
	is_superuser boolean, read_at timestamptz)
LANGUAGE sql VOLATILE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.pid, a.datid, a.datname, a.usesysid, a.usename,
		   a.application_name, a.client_addr, a.client_hostname,
		   a.client_port, a.backend_start, a.xact_start,
		   a.query_start, a.state_change, a.wait_event_type,
		   a.wait_event, a.state, a.backend_xid, a.backend_xmin,
		   pghero_internal._redact_query(a.query), a.backend_type, s.ssl, a.leader_pid,
		   r.rolsuper,
		   (SELECT pg_catalog.clock_timestamp())
	FROM pg_catalog.pg_stat_activity a
		 LEFT JOIN pg_catalog.pg_stat_ssl s
			ON s.pid OPERATOR(pg_catalog.=) a.pid
		 LEFT JOIN pg_catalog.pg_authid r
			ON r.oid OPERATOR(pg_catalog.=) a.usesysid
$$;

COMMENT ON FUNCTION pghero_internal._activity() IS
'Every backend of pg_stat_activity with full query text (passwords redacted), whoever the caller, and the clock_timestamp() at which it was read (internal)';

--------------------------------------------------------------------------
-- Activity
--------------------------------------------------------------------------

CREATE VIEW @extschema@.running_queries AS
SELECT a.pid,
	   a.backend_start,
	   a.datname AS database,
	   a.usename AS username,
	   a.application_name,
	   pg_catalog.host(a.client_addr) AS client_addr,
	   a.state,
	   a.wait_event_type,
	   a.wait_event,
	   CASE WHEN a.wait_event_type = 'Lock'
			THEN pg_catalog.pg_blocking_pids(a.pid)
			ELSE '{}'::integer[] END AS blocked_by,
	   a.query,
	   coalesce(a.query_start, a.xact_start) AS started_at,
	   pg_catalog.date_trunc('milliseconds', x.d)::text AS duration,
	   pg_catalog.round(pg_catalog.extract('epoch', x.d) * 1000, 3)::float8 AS duration_ms,
	   a.xact_start
FROM pghero_internal._activity() a
	 CROSS JOIN LATERAL (
		SELECT greatest(a.read_at - coalesce(a.query_start, a.xact_start), '0'::interval) AS d) x
WHERE a.backend_type = 'client backend'
  AND a.state IS DISTINCT FROM 'idle'
  AND a.pid <> pg_catalog.pg_backend_pid();

COMMENT ON VIEW @extschema@.running_queries IS
'Every non-idle client backend of the cluster except your own, with its full query text and the sessions blocking it';

-- duration_ms holds the duration to the microsecond: the comparison is
-- the one of the unrounded interval
CREATE VIEW @extschema@.long_running_queries AS
SELECT q.*
FROM @extschema@.running_queries q
	 CROSS JOIN @extschema@.config() c
WHERE q.duration_ms > c.long_running_query_sec * 1000.0;

COMMENT ON VIEW @extschema@.long_running_queries IS
'Running queries that started more than pghero.long_running_query_sec ago';

CREATE VIEW @extschema@.blocked_queries AS
WITH a AS MATERIALIZED (
	SELECT * FROM pghero_internal._activity()),
pairs AS (
	SELECT w.pid AS blocked_pid,
		   w.usename AS blocked_username,
		   w.datname AS database,
		   w.query AS blocked_query,
		   greatest(w.read_at - coalesce(w.query_start, w.xact_start), '0'::interval) AS blocked_duration,
		   l.locktype AS lock_type,
		   l.mode AS lock_mode,
		   l.relation AS relid,
		   rn.nspname AS schemaname,
		   rc.relname AS relname,
		   b.pid AS blocking_pid,
		   b.usename AS blocking_username,
		   b.state AS blocking_state,
		   b.query AS blocking_query,
		   greatest(w.read_at - coalesce(b.query_start, b.xact_start), '0'::interval) AS blocking_duration,
		   greatest(w.read_at - b.xact_start, '0'::interval) AS blocking_transaction_duration
	FROM a w
		 CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids(w.pid)) AS bp(pid)
		 LEFT JOIN a b ON b.pid = bp.pid
		 LEFT JOIN LATERAL (
			SELECT k.locktype, k.mode, k.relation, k.database
			FROM pg_catalog.pg_locks k
			WHERE k.pid = w.pid AND NOT k.granted
			LIMIT 1) l ON true
		 LEFT JOIN pg_catalog.pg_class rc
			ON rc.oid = l.relation
		   AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
							 WHERE d.datname = pg_catalog.current_database())
		 LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
	WHERE w.wait_event_type = 'Lock')
SELECT p.blocked_pid,
	   p.blocked_username,
	   p.database,
	   p.blocked_query,
	   pg_catalog.date_trunc('milliseconds', p.blocked_duration)::text AS blocked_duration,
	   pg_catalog.round(pg_catalog.extract('epoch', p.blocked_duration) * 1000, 3)::float8 AS blocked_duration_ms,
	   p.lock_type,
	   p.lock_mode,
	   p.relid,
	   p.schemaname,
	   p.relname,
	   p.blocking_pid,
	   p.blocking_username,
	   p.blocking_state,
	   p.blocking_query,
	   pg_catalog.date_trunc('milliseconds', p.blocking_duration)::text AS blocking_duration,
	   pg_catalog.round(pg_catalog.extract('epoch', p.blocking_duration) * 1000, 3)::float8 AS blocking_duration_ms,
	   pg_catalog.date_trunc('milliseconds', p.blocking_transaction_duration)::text AS blocking_transaction_duration,
	   pg_catalog.round(pg_catalog.extract('epoch', p.blocking_transaction_duration) * 1000, 3)::float8 AS blocking_transaction_duration_ms
FROM pairs p;

COMMENT ON VIEW @extschema@.blocked_queries IS
'One row per session waiting for a lock and per session it waits for (pg_blocking_pids), with the lock awaited and the blocking session''s current query';

CREATE VIEW @extschema@.vacuum_progress AS
SELECT p.pid,
	   p.datname AS database,
	   n.nspname AS schemaname,
	   c.relname,
	   p.relid,
	   p.phase,
	   p.heap_blks_total,
	   p.heap_blks_scanned,
	   p.heap_blks_vacuumed,
	   CASE WHEN p.heap_blks_total > 0
			THEN pg_catalog.round(100.0 * p.heap_blks_scanned / p.heap_blks_total, 2)
	   END AS percent_scanned,
	   p.index_vacuum_count,
	   p.max_dead_tuples,
	   p.num_dead_tuples,
	   a.query,
	   a.xact_start AS started_at,
	   pg_catalog.date_trunc('milliseconds', x.d)::text AS duration,
	   pg_catalog.round(pg_catalog.extract('epoch', x.d) * 1000, 3)::float8 AS duration_ms,
	   p.max_dead_tuple_bytes,
	   p.dead_tuple_bytes
FROM pghero_internal._vacuum_progress() p
	 LEFT JOIN pghero_internal._activity() a ON a.pid = p.pid
	 LEFT JOIN LATERAL (
		SELECT greatest(a.read_at - a.xact_start, '0'::interval) AS d) x ON true
	 LEFT JOIN pg_catalog.pg_class c
		ON c.oid = p.relid AND p.datname = pg_catalog.current_database()
	 LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace;

COMMENT ON VIEW @extschema@.vacuum_progress IS
'Every VACUUM and autovacuum running in the cluster, with its phase and progress';

--------------------------------------------------------------------------
-- Connections
--------------------------------------------------------------------------

CREATE VIEW @extschema@.connections AS
SELECT a.pid,
	   a.datname AS database,
	   a.usename AS username,
	   a.application_name,
	   pg_catalog.host(a.client_addr) AS client_addr,
	   a.client_hostname,
	   a.client_port,
	   a.backend_type,
	   a.state,
	   a.ssl,
	   a.backend_start,
	   pg_catalog.date_trunc('milliseconds', x.d)::text AS connected_for,
	   pg_catalog.round(pg_catalog.extract('epoch', x.d) * 1000, 3)::float8 AS connected_for_ms
FROM pghero_internal._activity() a
	 CROSS JOIN LATERAL (
		SELECT greatest(a.read_at - a.backend_start, '0'::interval) AS d) x;

COMMENT ON VIEW @extschema@.connections IS
'Every backend of the cluster (client connections and server processes), with SSL use';

CREATE VIEW @extschema@.connection_sources AS
SELECT a.datname AS database,
	   a.usename AS username,
	   a.application_name,
	   pg_catalog.host(a.client_addr) AS client_addr,
	   pg_catalog.count(*) AS total_connections
FROM pghero_internal._activity() a
WHERE a.backend_type = 'client backend'
GROUP BY a.datname, a.usename, a.application_name, a.client_addr;

COMMENT ON VIEW @extschema@.connection_sources IS
'Client connections grouped by database, user, application and address';

CREATE VIEW @extschema@.connection_states AS
SELECT a.state,
	   pg_catalog.count(*) AS total_connections
FROM pghero_internal._activity() a
WHERE a.backend_type = 'client backend'
GROUP BY a.state;

COMMENT ON VIEW @extschema@.connection_states IS
'Client connections grouped by state (active, idle, idle in transaction, ...)';

CREATE VIEW @extschema@.connection_summary AS
WITH s AS (
	SELECT pg_catalog.count(*) FILTER (WHERE a.backend_type = 'client backend') AS total_connections,
		   pg_catalog.count(*) FILTER (WHERE a.backend_type = 'client backend' AND a.state = 'active') AS active_connections,
		   pg_catalog.count(*) FILTER (WHERE a.backend_type = 'client backend' AND a.state IN ('idle in transaction', 'idle in transaction (aborted)')) AS idle_in_transaction_connections,
		   pg_catalog.current_setting('max_connections')::integer AS max_connections,
		   pg_catalog.current_setting('superuser_reserved_connections')::integer
		   + coalesce(pg_catalog.current_setting('reserved_connections', true)::integer, 0) AS reserved_connections
	FROM pghero_internal._activity() a)
SELECT s.total_connections,
	   s.active_connections,
	   s.idle_in_transaction_connections,
	   s.max_connections,
	   s.reserved_connections,
	   s.max_connections - s.reserved_connections AS available_connections,
	   pg_catalog.round(100.0 * s.total_connections / NULLIF(s.max_connections - s.reserved_connections, 0), 2) AS percent_used,
	   s.total_connections >= c.total_connections_threshold AS high_connections,
	   s.idle_in_transaction_connections >= c.idle_in_transaction_threshold AS high_idle_in_transaction
FROM s CROSS JOIN @extschema@.config() c;

COMMENT ON VIEW @extschema@.connection_summary IS
'One row: client connections against max_connections, with PgHero''s high-connection checks';

/* sql/src/12_queries.sql */

-- pg_stat_statements may be absent, not preloaded, or installed in any
-- schema, and other roles may create look-alikes and overloads of its
-- functions in schemas they can write to.  src/pgss.c finds its functions
-- by OID (the extension's schema, the exact name and argument types,
-- membership of the extension) on every call, calls them through fmgr,
-- and says clearly what is missing.  _pgss_statements() is the one list
-- of pg_stat_statements' columns: the union of versions 1.9 to 1.12 under
-- the newest names, NULL where the installed version lacks a column.
CREATE FUNCTION pghero_internal._pgss_statements(showtext boolean)
RETURNS TABLE (
	userid oid,
	dbid oid,
	toplevel boolean,
	queryid bigint,
	query text,
	plans bigint,
	total_plan_time float8,
	min_plan_time float8,
	max_plan_time float8,
	mean_plan_time float8,
	stddev_plan_time float8,
	calls bigint,
	total_exec_time float8,
	min_exec_time float8,
	max_exec_time float8,
	mean_exec_time float8,
	stddev_exec_time float8,
	rows bigint,
	shared_blks_hit bigint,
	shared_blks_read bigint,
	shared_blks_dirtied bigint,
	shared_blks_written bigint,
	local_blks_hit bigint,
	local_blks_read bigint,
	local_blks_dirtied bigint,
	local_blks_written bigint,
	temp_blks_read bigint,
	temp_blks_written bigint,
	shared_blk_read_time float8,
	shared_blk_write_time float8,
	local_blk_read_time float8,
	local_blk_write_time float8,
	temp_blk_read_time float8,
	temp_blk_write_time float8,
	wal_records bigint,
	wal_fpi bigint,
	wal_bytes numeric,
	wal_buffers_full bigint,
	jit_functions bigint,
	jit_generation_time float8,
	jit_inlining_count bigint,
	jit_inlining_time float8,
	jit_optimization_count bigint,
	jit_optimization_time float8,
	jit_emission_count bigint,
	jit_emission_time float8,
	jit_deform_count bigint,
	jit_deform_time float8,
	parallel_workers_to_launch bigint,
	parallel_workers_launched bigint,
	generic_plan_calls bigint,
	custom_plan_calls bigint,
	stats_since timestamptz,
	minmax_stats_since timestamptz)
AS 'MODULE_PATHNAME', 'pghero_pgss_statements'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._pgss_statements(boolean) IS
'pg_stat_statements(showtext), called by OID, with the same columns whatever its version (NULL where the installed version lacks a counter), every row whoever the caller, texts with passwords redacted (internal)';

CREATE FUNCTION pghero_internal._pgss_info(OUT dealloc bigint, OUT stats_reset timestamptz)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_pgss_info'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._pgss_info() IS
'pg_stat_statements_info(), called by OID: deallocations and the last full reset (internal)';

CREATE FUNCTION pghero_internal._pgss_reset(userid oid, dbid oid, queryid bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'pghero_pgss_reset'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION pghero_internal._pgss_reset(oid, oid, bigint) IS
'pg_stat_statements_reset(userid, dbid, queryid), called by OID, minmax_only false where it exists; 0 means all (internal)';

--------------------------------------------------------------------------
-- Query statistics (live, from pg_stat_statements)
--------------------------------------------------------------------------

-- The unrounded statistics, which query_stats shows rounded and
-- slow_queries filters before rounding
CREATE VIEW pghero_internal._query_stats AS
WITH s AS (
	SELECT s.dbid,
		   s.userid,
		   s.queryid,
		   pg_catalog.min(s.query) AS query,
		   pg_catalog.sum(s.calls)::bigint AS calls,
		   pg_catalog.sum(s.total_plan_time + s.total_exec_time) AS total_ms,
		   pg_catalog.sum(s.rows)::bigint AS rows,
		   pg_catalog.sum(s.shared_blks_hit)::bigint AS shared_blks_hit,
		   pg_catalog.sum(s.shared_blks_read)::bigint AS shared_blks_read,
		   pg_catalog.sum(s.temp_blks_read)::bigint AS temp_blks_read,
		   pg_catalog.sum(s.temp_blks_written)::bigint AS temp_blks_written
	FROM pghero_internal._pgss_statements(true) s
	GROUP BY s.dbid, s.userid, s.queryid)
SELECT d.datname AS database,
	   r.rolname AS username,
	   s.dbid,
	   s.userid,
	   s.queryid,
	   s.query,
	   s.calls,
	   s.total_ms AS total_time_ms,
	   s.total_ms / NULLIF(s.calls, 0) AS mean_time_ms,
	   s.rows,
	   100 * s.total_ms / NULLIF(pg_catalog.sum(s.total_ms) OVER (), 0) AS percent_of_total,
	   s.shared_blks_hit,
	   s.shared_blks_read,
	   100.0 * s.shared_blks_hit / NULLIF(s.shared_blks_hit + s.shared_blks_read, 0) AS cache_hit_percent,
	   s.temp_blks_read,
	   s.temp_blks_written
FROM s
	 LEFT JOIN pg_catalog.pg_database d ON d.oid = s.dbid
	 LEFT JOIN pg_catalog.pg_roles r ON r.oid = s.userid
WHERE s.calls > 0;

COMMENT ON VIEW pghero_internal._query_stats IS
'Every statement pg_stat_statements tracks, with unrounded times and percents (internal)';

CREATE VIEW @extschema@.query_stats AS
SELECT q.database,
	   q.username,
	   q.dbid,
	   q.userid,
	   q.queryid,
	   q.query,
	   q.calls,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => q.total_time_ms / 1000))::text AS total_time,
	   pg_catalog.round(q.total_time_ms::numeric, 3)::float8 AS total_time_ms,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => q.mean_time_ms / 1000))::text AS mean_time,
	   pg_catalog.round(q.mean_time_ms::numeric, 3)::float8 AS mean_time_ms,
	   q.rows,
	   pg_catalog.round(q.percent_of_total::numeric, 2) AS percent_of_total,
	   q.shared_blks_hit,
	   q.shared_blks_read,
	   pg_catalog.round(q.cache_hit_percent, 2) AS cache_hit_percent,
	   q.temp_blks_read,
	   q.temp_blks_written
FROM pghero_internal._query_stats q;

COMMENT ON VIEW @extschema@.query_stats IS
'Every statement pg_stat_statements tracks, cluster-wide, since its last reset; top-level and nested executions of one statement are merged';

-- The same columns as query_stats; the thresholds compare the unrounded
-- mean
CREATE VIEW @extschema@.slow_queries AS
SELECT q.database,
	   q.username,
	   q.dbid,
	   q.userid,
	   q.queryid,
	   q.query,
	   q.calls,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => q.total_time_ms / 1000))::text AS total_time,
	   pg_catalog.round(q.total_time_ms::numeric, 3)::float8 AS total_time_ms,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => q.mean_time_ms / 1000))::text AS mean_time,
	   pg_catalog.round(q.mean_time_ms::numeric, 3)::float8 AS mean_time_ms,
	   q.rows,
	   pg_catalog.round(q.percent_of_total::numeric, 2) AS percent_of_total,
	   q.shared_blks_hit,
	   q.shared_blks_read,
	   pg_catalog.round(q.cache_hit_percent, 2) AS cache_hit_percent,
	   q.temp_blks_read,
	   q.temp_blks_written
FROM pghero_internal._query_stats q
	 CROSS JOIN @extschema@.config() c
WHERE q.calls >= c.slow_query_calls
  AND q.mean_time_ms >= c.slow_query_ms;

COMMENT ON VIEW @extschema@.slow_queries IS
'Statements called at least pghero.slow_query_calls times whose mean time is at least pghero.slow_query_ms';

/* sql/src/13_space.sql */

CREATE FUNCTION pghero_internal._relation_size(regclass)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pghero_relation_size'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._relation_size(regclass) IS
'pg_table_size() that returns NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION pghero_internal._relation_sizes(regclass, OUT table_bytes bigint, OUT index_bytes bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_relation_sizes'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._relation_sizes(regclass) IS
'pg_table_size() and pg_indexes_size() in one pass, each NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION pghero_internal._database_sizes()
RETURNS TABLE (datid oid, size_bytes bigint)
LANGUAGE sql VOLATILE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT d.oid, pg_catalog.pg_database_size(d.oid)
	FROM pg_catalog.pg_database d
	WHERE d.datconnlimit OPERATOR(pg_catalog.<>) -2
$$;

COMMENT ON FUNCTION pghero_internal._database_sizes() IS
'Size of every database of the cluster, whoever the caller (internal)';

--------------------------------------------------------------------------
-- Space
--------------------------------------------------------------------------

-- Every partitioned table or index with each of its partitions, at any
-- depth, from pg_inherits (pg_partition_tree() would lock them)
CREATE VIEW pghero_internal._partition_tree AS
WITH RECURSIVE tree AS (
	SELECT i.inhparent AS ancestor, i.inhrelid AS relid
	FROM pg_catalog.pg_inherits i
		 JOIN pg_catalog.pg_class p ON p.oid = i.inhparent AND p.relkind IN ('p', 'I')
	UNION ALL
	SELECT t.ancestor, i.inhrelid
	FROM tree t
		 JOIN pg_catalog.pg_inherits i ON i.inhparent = t.relid)
SELECT tree.ancestor, tree.relid FROM tree;

COMMENT ON VIEW pghero_internal._partition_tree IS
'Every partitioned table or index paired with each of its partitions at any depth (internal)';

CREATE VIEW @extschema@.relation_sizes AS
WITH rels AS MATERIALIZED (
	SELECT c.oid, c.relkind, c.relname, c.relnamespace, c.relispartition,
		   CASE WHEN c.relkind IN ('p', 'I') THEN NULL
				ELSE pghero_internal._relation_size(c.oid) END AS size_bytes,
		   pghero_internal._is_own_schema(c.relnamespace) AS own
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'm', 'i', 'p', 'I')
	  AND c.relpersistence <> 't'
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])),
rollup AS (
	SELECT t.ancestor,
		   pg_catalog.sum(r.size_bytes)::bigint AS size_bytes,
		   pg_catalog.bool_and(r.size_bytes IS NOT NULL) AS measured,
		   pg_catalog.count(*)::integer AS partitions
	FROM pghero_internal._partition_tree t
		 JOIN rels r ON r.oid = t.relid AND r.relkind NOT IN ('p', 'I')
	GROUP BY t.ancestor)
SELECT n.nspname AS schemaname,
	   r.relname,
	   r.oid AS relid,
	   CASE r.relkind
			WHEN 'r' THEN 'table'
			WHEN 'm' THEN 'materialized view'
			WHEN 'i' THEN 'index'
			WHEN 'p' THEN 'partitioned table'
			WHEN 'I' THEN 'partitioned index' END AS type,
	   r.relispartition AS is_partition,
	   coalesce(u.size_bytes, r.size_bytes,
						   CASE WHEN r.relkind IN ('p', 'I') THEN 0 END) AS size_bytes,
	   pg_catalog.pg_size_pretty(coalesce(u.size_bytes, r.size_bytes,
						   CASE WHEN r.relkind IN ('p', 'I') THEN 0 END)) AS size,
	   CASE WHEN r.relkind IN ('p', 'I') THEN coalesce(u.measured, true)
			ELSE r.size_bytes IS NOT NULL END AS measured,
	   CASE WHEN r.relkind IN ('p', 'I') THEN coalesce(u.partitions, 0) END AS partitions
FROM rels r
	 JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
	 LEFT JOIN rollup u ON u.ancestor = r.oid
-- pghero's own: only its history tables, one row each (see pghero.storage)
WHERE NOT r.own
   OR (r.relkind = 'p' AND NOT r.relispartition);

COMMENT ON VIEW @extschema@.relation_sizes IS
'Size of every table, materialized view and index of this database (with its TOAST data); partitioned tables and indexes show the sum of their partitions';

CREATE VIEW @extschema@.table_sizes AS
WITH rels AS MATERIALIZED (
	SELECT c.oid, c.relkind, c.relname, c.relnamespace, c.relispartition,
		   z.table_bytes,
		   z.table_bytes + z.index_bytes AS total_bytes,
		   pghero_internal._is_own_schema(c.relnamespace) AS own
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 LEFT JOIN LATERAL pghero_internal._relation_sizes(c.oid) z ON c.relkind <> 'p'
	WHERE c.relkind IN ('r', 'm', 'p')
	  AND c.relpersistence <> 't'
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])),
rollup AS (
	SELECT t.ancestor,
		   pg_catalog.sum(r.table_bytes)::bigint AS table_bytes,
		   pg_catalog.sum(r.total_bytes)::bigint AS total_bytes,
		   pg_catalog.bool_and(r.table_bytes IS NOT NULL AND r.total_bytes IS NOT NULL) AS measured,
		   pg_catalog.count(*)::integer AS partitions
	FROM pghero_internal._partition_tree t
		 JOIN rels r ON r.oid = t.relid AND r.relkind <> 'p'
	GROUP BY t.ancestor),
sized AS (
	SELECT r.*,
		   CASE WHEN r.relkind = 'p' THEN coalesce(u.total_bytes, 0) ELSE r.total_bytes END AS size_bytes,
		   CASE WHEN r.relkind = 'p' THEN coalesce(u.table_bytes, 0) ELSE r.table_bytes END AS own_bytes,
		   CASE WHEN r.relkind = 'p' THEN coalesce(u.measured, true)
				ELSE r.table_bytes IS NOT NULL AND r.total_bytes IS NOT NULL END AS measured,
		   CASE WHEN r.relkind = 'p' THEN coalesce(u.partitions, 0) END AS partitions
	FROM rels r
		 LEFT JOIN rollup u ON u.ancestor = r.oid)
SELECT n.nspname AS schemaname,
	   s.relname,
	   s.oid AS relid,
	   CASE s.relkind
			WHEN 'r' THEN 'table'
			WHEN 'm' THEN 'materialized view'
			WHEN 'p' THEN 'partitioned table' END AS type,
	   s.relispartition AS is_partition,
	   s.size_bytes,
	   pg_catalog.pg_size_pretty(s.size_bytes) AS size,
	   s.own_bytes AS table_bytes,
	   s.size_bytes - s.own_bytes AS index_bytes,
	   s.measured,
	   s.partitions
FROM sized s
	 JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace
-- pghero's own: only its history tables, one row each (see pghero.storage)
WHERE NOT s.own
   OR (s.relkind = 'p' AND NOT s.relispartition);

COMMENT ON VIEW @extschema@.table_sizes IS
'Total size of every table and materialized view of this database, with its indexes and TOAST data; partitioned tables show the sum of their partitions';

CREATE VIEW @extschema@.database_sizes AS
SELECT d.datname AS database,
	   d.oid AS datid,
	   s.size_bytes,
	   pg_catalog.pg_size_pretty(s.size_bytes) AS size
FROM pghero_internal._database_sizes() s
	 JOIN pg_catalog.pg_database d ON d.oid = s.datid;

COMMENT ON VIEW @extschema@.database_sizes IS
'Size of every database of the cluster';

-- What pghero itself occupies: every table of its internals (a history
-- table with its partitions summed), with its indexes and TOAST data, by
-- tier, and the setting whose retention bounds it.  The tiers of the
-- history tables come from the registry of sources: a raw table with an
-- hourly rollup keeps pghero.raw_retention, the rollup (and a raw table
-- without one) pghero.history_retention.
CREATE VIEW @extschema@.storage AS
WITH own AS MATERIALIZED (
	SELECT c.oid, c.relname, c.relkind
	FROM pg_catalog.pg_class c
	WHERE c.relnamespace = 'pghero_internal'::pg_catalog.regnamespace
	  AND c.relkind IN ('r', 'p')
	  AND NOT c.relispartition),
leaves AS (
	-- a plain table is its own leaf; a history table has its partitions
	SELECT o.oid AS top, o.oid AS relid FROM own o WHERE o.relkind = 'r'
	UNION ALL
	SELECT o.oid, t.relid
	FROM own o
		 JOIN pghero_internal._partition_tree t ON t.ancestor = o.oid
		 JOIN pg_catalog.pg_class lc ON lc.oid = t.relid AND lc.relkind = 'r'
	WHERE o.relkind = 'p'),
sized AS (
	SELECT l.top,
		   pg_catalog.sum(z.table_bytes + z.index_bytes)::bigint AS size_bytes,
		   pg_catalog.bool_and(z.table_bytes IS NOT NULL AND z.index_bytes IS NOT NULL) AS measured,
		   pg_catalog.sum(greatest(c.reltuples, 0))::bigint AS estimated_rows,
		   pg_catalog.count(*)::integer AS leaves
	FROM leaves l
		 JOIN pg_catalog.pg_class c ON c.oid = l.relid
		 CROSS JOIN LATERAL pghero_internal._relation_sizes(c.oid) z
	GROUP BY l.top),
tiers(relname, tier, retention_setting) AS (
	SELECT s.raw_table, 'raw',
		   CASE WHEN s.rollup_table IS NULL THEN 'pghero.history_retention'
				ELSE 'pghero.raw_retention' END
	FROM pghero_internal.collector_sources s
	WHERE s.raw_table IS NOT NULL
	UNION ALL
	SELECT s.rollup_table, 'hourly', 'pghero.history_retention'
	FROM pghero_internal.collector_sources s
	WHERE s.rollup_table IS NOT NULL
	UNION ALL
	VALUES ('collector_runs', 'state', 'pghero.history_retention'),
		   ('issue_events', 'state', 'pghero.history_retention'),
		   ('statement_captures', 'state', 'pghero.history_retention'),
		   ('query_texts', 'texts', 'pghero.history_retention'),
		   ('object_names', 'texts', 'none'),
		   ('audit_log', 'audit', 'none'))
SELECT coalesce(t.tier, 'state') AS tier,
	   'pghero_internal'::pg_catalog.name AS schemaname,
	   o.relname,
	   o.oid AS relid,
	   coalesce(z.size_bytes, 0) AS size_bytes,
	   pg_catalog.pg_size_pretty(coalesce(z.size_bytes, 0)) AS size,
	   coalesce(z.estimated_rows, 0) AS estimated_rows,
	   CASE WHEN o.relkind = 'p' THEN coalesce(z.leaves, 0) END AS partitions,
	   coalesce(t.retention_setting, 'none') AS retention_setting,
	   pg_catalog.current_setting(NULLIF(coalesce(t.retention_setting, 'none'), 'none'), true) AS retention,
	   coalesce(z.measured, true) AS measured
FROM own o
	 LEFT JOIN sized z ON z.top = o.oid
	 LEFT JOIN tiers t ON t.relname = o.relname;

COMMENT ON VIEW @extschema@.storage IS
'What pghero itself occupies in this database: each of its tables (a history table with its partitions summed) with indexes and TOAST data, its tier (raw, hourly, state, texts, audit) and the retention setting that bounds it; sum by tier for the totals';

/* sql/src/14_indexes.sql */

CREATE FUNCTION pghero_internal._index_definition(regclass)
RETURNS text
AS 'MODULE_PATHNAME', 'pghero_index_definition'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._index_definition(regclass) IS
'pg_get_indexdef() that returns NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION pghero_internal._index_description(regclass,
	OUT definition text, OUT columns text[], OUT include_columns text[],
	OUT predicate text)
RETURNS record
AS 'MODULE_PATHNAME', 'pghero_index_description'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._index_description(regclass) IS
'Definition, key and INCLUDE columns and predicate of an index, all NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION pghero_internal._constraint_definition(oid)
RETURNS text
AS 'MODULE_PATHNAME', 'pghero_constraint_definition'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._constraint_definition(oid) IS
'pg_get_constraintdef() that returns NULL instead of waiting for a lock held by another session (internal)';

CREATE FUNCTION pghero_internal._indexes_being_built()
RETURNS SETOF oid
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT p.index_relid
	FROM pg_catalog.pg_stat_progress_create_index p
	WHERE p.datid OPERATOR(pg_catalog.=)
		  (SELECT d.oid FROM pg_catalog.pg_database d
		   WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
$$;

COMMENT ON FUNCTION pghero_internal._indexes_being_built() IS
'Indexes of this database that a CREATE INDEX or REINDEX is building right now (internal)';

--------------------------------------------------------------------------
-- Indexes
--------------------------------------------------------------------------

CREATE VIEW @extschema@.indexes AS
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   t.oid AS table_relid,
	   ic.relname AS indexname,
	   i.indexrelid,
	   am.amname AS access_method,
	   d.columns,
	   d.include_columns,
	   d.predicate,
	   i.indisunique AS is_unique,
	   i.indisprimary AS is_primary,
	   i.indisvalid AS is_valid,
	   i.indexrelid IN (SELECT b.b FROM pghero_internal._indexes_being_built() b(b)) AS being_built,
	   d.definition,
	   s.idx_scan AS index_scans,
	   z.size_bytes,
	   pg_catalog.pg_size_pretty(z.size_bytes) AS size
FROM pg_catalog.pg_index i
	 JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
	 JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 JOIN pg_catalog.pg_am am ON am.oid = ic.relam
	 LEFT JOIN pg_catalog.pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
	 CROSS JOIN LATERAL pghero_internal._index_description(i.indexrelid) d
	 CROSS JOIN LATERAL (SELECT CASE WHEN ic.relkind = 'I' THEN NULL
									 ELSE pghero_internal._relation_size(i.indexrelid) END AS size_bytes) z
WHERE n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])
  AND t.relpersistence <> 't'
  AND NOT pghero_internal._is_own_schema(t.relnamespace);

COMMENT ON VIEW @extschema@.indexes IS
'Every index of this database outside the system schemas, with its key columns, validity and size';

CREATE VIEW @extschema@.invalid_indexes AS
SELECT x.schemaname,
	   x.tablename,
	   x.table_relid,
	   x.indexname,
	   x.indexrelid,
	   x.definition,
	   x.size_bytes,
	   x.size,
	   pg_catalog.format('REINDEX INDEX CONCURRENTLY %I.%I', x.schemaname, x.indexname) AS fix_sql
FROM @extschema@.indexes x
WHERE NOT x.is_valid
  AND NOT x.being_built;

COMMENT ON VIEW @extschema@.invalid_indexes IS
'Indexes left invalid, for example by a failed CREATE INDEX CONCURRENTLY, that no running command is still building';

CREATE VIEW @extschema@.duplicate_indexes AS
WITH idx AS (
	SELECT i.indexrelid,
		   i.indrelid,
		   ic.relname AS indexname,
		   ic.relam,
		   i.indisunique,
		   i.indisprimary,
		   i.indnkeyatts AS nkeys,
		   i.indnatts AS natts,
		   -- per column (key columns, then INCLUDE ones; 0 for an
		   -- expression), and per key column its operator class, collation
		   -- and options; arrays that start at 0, as the vectors do
		   i.indkey::pg_catalog.int2[] AS columns,
		   i.indclass::pg_catalog.oid[] AS opclasses,
		   i.indcollation::pg_catalog.oid[] AS collations,
		   i.indoption::pg_catalog.int2[] AS options,
		   -- expressions and predicate as node trees, without parse locations
		   pg_catalog.regexp_replace(i.indexprs::text, ' :location -?[0-9]+', '', 'g') AS exprs,
		   pg_catalog.regexp_replace(i.indpred::text, ' :location -?[0-9]+', '', 'g') AS pred
	FROM pg_catalog.pg_index i
		 JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
		 JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
		 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	WHERE i.indisvalid
	  AND i.indisready
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])
	  AND NOT pghero_internal._is_own_schema(t.relnamespace)
	  -- only an index that shares its table, first key column and its
	  -- operator class with another one can cover or be covered (the tests
	  -- below compare those first): the others are left out at once
	  AND (i.indrelid, i.indkey[0], i.indclass[0]) IN (
			SELECT j.indrelid, j.indkey[0], j.indclass[0]
			FROM pg_catalog.pg_index j
			WHERE j.indisvalid
			  AND j.indisready
			GROUP BY j.indrelid, j.indkey[0], j.indclass[0]
			HAVING pg_catalog.count(*) > 1))
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   u.indrelid AS table_relid,
	   u.indexname AS unneeded_index,
	   u.indexrelid AS unneeded_indexrelid,
	   pghero_internal._index_definition(u.indexrelid) AS unneeded_definition,
	   c.indexname AS covering_index,
	   c.indexrelid AS covering_indexrelid,
	   pghero_internal._index_definition(c.indexrelid) AS covering_definition,
	   z.size_bytes,
	   pg_catalog.pg_size_pretty(z.size_bytes) AS size,
	   pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I', n.nspname, u.indexname) AS fix_sql
FROM idx u
	 JOIN idx c
		ON c.indrelid = u.indrelid
	   AND c.indexrelid <> u.indexrelid
	   AND c.relam = u.relam
	   AND c.exprs IS NOT DISTINCT FROM u.exprs
	   AND c.pred IS NOT DISTINCT FROM u.pred
	 JOIN pg_catalog.pg_class t ON t.oid = u.indrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 JOIN pg_catalog.pg_am am ON am.oid = u.relam
	 CROSS JOIN LATERAL (SELECT pghero_internal._relation_size(u.indexrelid) AS size_bytes) z
WHERE NOT u.indisunique
  AND NOT u.indisprimary
  -- the covering index has the same key columns, with the same operator
  -- classes, collations and ordering, first (btree) or exactly (other
  -- access methods, which cannot use a prefix of their columns)
  AND (CASE WHEN am.amname = 'btree' THEN c.nkeys >= u.nkeys ELSE c.nkeys = u.nkeys END)
  AND c.columns[0:u.nkeys - 1] = u.columns[0:u.nkeys - 1]
  AND c.opclasses[0:u.nkeys - 1] = u.opclasses[0:u.nkeys - 1]
  AND c.collations[0:u.nkeys - 1] = u.collations[0:u.nkeys - 1]
  AND c.options[0:u.nkeys - 1] = u.options[0:u.nkeys - 1]
  -- and every column the unneeded index includes (a slice starts at 1)
  AND u.columns[u.nkeys:] <@ c.columns
  AND (c.nkeys > u.nkeys
	   OR c.indisunique
	   OR c.indisprimary
	   OR c.natts - c.nkeys > u.natts - u.nkeys
	   OR (c.columns[c.nkeys:] = u.columns[u.nkeys:] AND c.indexname < u.indexname));

COMMENT ON VIEW @extschema@.duplicate_indexes IS
'Indexes that another valid index of the same table makes unnecessary: same access method, expressions and predicate, and key columns (with operator classes, collations and ordering) that start with the same columns';

CREATE VIEW @extschema@.unused_indexes AS
-- the cheap tests first; only the indexes that pass them are measured, and
-- their tables named (an index is in its table's schema, and a plain index,
-- relkind 'i', is on a table, a TOAST table or a materialized view: the
-- tables pg_stat_all_indexes counts)
WITH never_scanned AS MATERIALIZED (
	SELECT i.indexrelid,
		   i.indrelid,
		   ic.relname AS indexname,
		   ic.relnamespace,
		   ic.relpages,
		   pg_catalog.pg_stat_get_numscans(i.indexrelid) AS index_scans
	FROM pg_catalog.pg_index i
		 JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
	WHERE NOT i.indisunique
	  AND i.indisvalid
	  AND ic.relkind = 'i'
	  AND ic.relnamespace <> ALL (ARRAY['pg_catalog'::pg_catalog.regnamespace,
										'information_schema'::pg_catalog.regnamespace,
										'pg_toast'::pg_catalog.regnamespace]::pg_catalog.oid[])
	  AND NOT pghero_internal._is_own_schema(ic.relnamespace)
	  AND pg_catalog.pg_stat_get_numscans(i.indexrelid) = 0
	  AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid)),
measured AS MATERIALIZED (
	SELECT u.*, pghero_internal._relation_size(u.indexrelid) AS size_bytes
	FROM never_scanned u)
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   t.oid AS table_relid,
	   u.indexname,
	   u.indexrelid,
	   u.index_scans,
	   u.size_bytes,
	   pg_catalog.pg_size_pretty(u.size_bytes) AS size,
	   d.stats_reset,
	   pg_catalog.date_trunc('milliseconds', x.stats_age)::text AS stats_age,
	   pg_catalog.round(pg_catalog.extract('epoch', x.stats_age) * 1000, 3)::float8 AS stats_age_ms,
	   pghero_internal._index_definition(u.indexrelid) AS definition,
	   pg_catalog.format('DROP INDEX CONCURRENTLY %I.%I', n.nspname, u.indexname) AS fix_sql
FROM measured u
	 JOIN pg_catalog.pg_class t ON t.oid = u.indrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = u.relnamespace
	 CROSS JOIN @extschema@.config() c
	 CROSS JOIN (SELECT sd.stats_reset FROM pg_catalog.pg_stat_database sd
				 WHERE sd.datname = pg_catalog.current_database()) d
	 CROSS JOIN LATERAL (SELECT greatest(pg_catalog.now() - d.stats_reset, '0'::interval) AS stats_age) x
WHERE coalesce(u.size_bytes,
			   u.relpages::bigint * pg_catalog.current_setting('block_size')::bigint)
	  >= c.unused_index_min_bytes;

COMMENT ON VIEW @extschema@.unused_indexes IS
'Non-unique indexes of at least pghero.unused_index_min_bytes never scanned since the statistics were last reset on this server (check standbys too before dropping)';

CREATE VIEW @extschema@.index_usage AS
SELECT s.schemaname,
	   s.relname,
	   s.relid,
	   s.seq_scan,
	   coalesce(s.idx_scan, 0) AS index_scans,
	   -- truncated, not rounded: 100.00 only when every scan used an index
	   pg_catalog.trunc(100.0 * coalesce(s.idx_scan, 0) / NULLIF(s.seq_scan + coalesce(s.idx_scan, 0), 0), 2) AS percent_of_times_index_used,
	   s.n_live_tup AS estimated_rows
FROM pg_catalog.pg_stat_user_tables s
WHERE NOT pghero_internal._is_own(s.relid);

COMMENT ON VIEW @extschema@.index_usage IS
'For every table, how often its scans used an index rather than a sequential scan';

-- index scans below 95 % of all scans, from the counts (not from the
-- percent shown, which is truncated)
CREATE VIEW @extschema@.missing_indexes AS
SELECT u.*
FROM @extschema@.index_usage u
WHERE u.estimated_rows >= 10000
  AND u.seq_scan > 0
  AND 100.0 * u.index_scans < 95.0 * (u.seq_scan + u.index_scans);

COMMENT ON VIEW @extschema@.missing_indexes IS
'Tables of at least 10,000 rows read by sequential scans in 5 % or more of their scans: candidates for a missing index';

-- The sums of pg_statio_user_tables' heap blocks and pg_statio_user_indexes'
-- index blocks, counted from the same functions those views call, without
-- the other columns they compute per table (TOAST, indexes)
CREATE VIEW @extschema@.cache_hit_rates AS
WITH tables AS (
	SELECT c.oid
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 't', 'm')
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema'])
	  AND n.nspname !~ '^pg_toast'
	  AND NOT pghero_internal._is_own_schema(c.relnamespace)),
r AS (
	SELECT 'table'::text AS kind,
		   pg_catalog.sum(pg_catalog.pg_stat_get_blocks_hit(t.oid))::bigint AS blocks_hit,
		   pg_catalog.sum(pg_catalog.pg_stat_get_blocks_fetched(t.oid)
						  - pg_catalog.pg_stat_get_blocks_hit(t.oid))::bigint AS blocks_read
	FROM tables t
	UNION ALL
	SELECT 'index',
		   pg_catalog.sum(pg_catalog.pg_stat_get_blocks_hit(i.indexrelid))::bigint,
		   pg_catalog.sum(pg_catalog.pg_stat_get_blocks_fetched(i.indexrelid)
						  - pg_catalog.pg_stat_get_blocks_hit(i.indexrelid))::bigint
	FROM tables t
		 JOIN pg_catalog.pg_index i ON i.indrelid = t.oid)
SELECT r.kind,
	   coalesce(r.blocks_hit, 0) AS blocks_hit,
	   coalesce(r.blocks_read, 0) AS blocks_read,
	   pg_catalog.round(100.0 * r.blocks_hit / NULLIF(r.blocks_hit + r.blocks_read, 0), 2) AS hit_rate,
	   c.cache_hit_rate_threshold AS threshold,
	   -- the unrounded rate against the threshold
	   100.0 * r.blocks_hit / NULLIF(r.blocks_hit + r.blocks_read, 0) >= c.cache_hit_rate_threshold::numeric AS healthy
FROM r CROSS JOIN @extschema@.config() c;

COMMENT ON VIEW @extschema@.cache_hit_rates IS
'Share of table and index block reads of this database served from shared buffers, against pghero.cache_hit_rate_threshold';

CREATE VIEW @extschema@.index_bloat AS
-- The estimate (statistics only, no scan of the index): the pages the
-- index would have if it were built now from its rows, against the pages
-- it has.  A leaf tuple is IndexTupleData (8 bytes, 12 with a null bitmap)
-- and its columns' average width (pg_statistic, of the table's column or of
-- the index's expression), each MAXALIGNed, plus a line pointer (4);
-- tuples with duplicate keys share one posting list tuple (6 bytes per row)
-- when the index deduplicates (not unique, no INCLUDE columns, every key
-- column's operator class with an equalimage support function).  Leaf
-- pages hold what fits in the page (8192 - 24 header - 16 btree special)
-- to the index's fillfactor (default 90) beside their high key; above them
-- come the internal pages (filled to 70 %) and the metapage.
-- test/t/014_bloat.pl checks it against pgstattuple's pgstatindex().
WITH idx AS (
	SELECT i.indexrelid,
		   i.indrelid,
		   i.indisprimary,
		   ic.relpages::bigint AS relpages,
		   ic.reltuples,
		   coalesce((SELECT o.option_value::integer
								FROM pg_catalog.pg_options_to_table(ic.reloptions) o
								WHERE o.option_name = 'fillfactor'), 90) AS fillfactor,
		   -- deduplication applies to this index
		   NOT i.indisunique
		   AND i.indnatts = i.indnkeyatts
		   AND coalesce((SELECT o.option_value::boolean
						 FROM pg_catalog.pg_options_to_table(ic.reloptions) o
						 WHERE o.option_name = 'deduplicate_items'), true)
		   AND NOT EXISTS (
				SELECT FROM unnest(i.indclass::pg_catalog.oid[],
							 i.indcollation::pg_catalog.oid[]) AS k(opclass, coll)
					 JOIN pg_catalog.pg_opclass oc ON oc.oid = k.opclass
					 LEFT JOIN pg_catalog.pg_collation co ON co.oid = k.coll
				WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_amproc ap
								  WHERE ap.amprocfamily = oc.opcfamily
									AND ap.amproclefttype = oc.opcintype
									AND ap.amprocnum = 4)
				   OR NOT coalesce(co.collisdeterministic, true)) AS dedup
	FROM pg_catalog.pg_index i
		 JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
		 JOIN pg_catalog.pg_am am ON am.oid = ic.relam
		 JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
		 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	WHERE am.amname = 'btree'
	  AND ic.relkind = 'i'
	  AND ic.relpages > 1
	  AND ic.reltuples >= 0
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])
	  AND NOT pghero_internal._is_own_schema(t.relnamespace)),
cols AS (
	-- pg_statistic of the table column, or of the index column for an
	-- expression; the distinct values of a single key column
	SELECT x.indexrelid,
		   pg_catalog.max(coalesce(coalesce(s1.stanullfrac, s2.stanullfrac), 0)) AS max_null_frac,
		   pg_catalog.sum((1 - coalesce(s1.stanullfrac, s2.stanullfrac))
						  * coalesce(s1.stawidth, s2.stawidth)) AS data_width,
		   pg_catalog.bool_and(coalesce(s1.stawidth, s2.stawidth) IS NOT NULL) AS has_stats,
		   CASE WHEN pg_catalog.count(*) = 1
				THEN pg_catalog.max(coalesce(s1.stadistinct, s2.stadistinct)) END AS stadistinct
	FROM idx x
		 JOIN pg_catalog.pg_index i ON i.indexrelid = x.indexrelid
		 CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, ord)
		 LEFT JOIN pg_catalog.pg_statistic s1
			ON k.attnum <> 0 AND s1.starelid = x.indrelid
		   AND s1.staattnum = k.attnum AND NOT s1.stainherit
		 LEFT JOIN pg_catalog.pg_statistic s2
			ON k.attnum = 0 AND s2.starelid = x.indexrelid
		   AND s2.staattnum = k.ord AND NOT s2.stainherit
	GROUP BY x.indexrelid),
est AS (
	SELECT x.*,
		   pg_catalog.current_setting('block_size')::numeric AS bs,
		   -- tuple: header (with a null bitmap if any column has NULLs),
		   -- MAXALIGNed, then the data, MAXALIGNed
		   pg_catalog.ceil((8 + CASE WHEN cl.max_null_frac > 0 THEN 4 ELSE 0 END) / 8.0) * 8
		   + pg_catalog.ceil(cl.data_width / 8.0) * 8 AS tuple_bytes,
		   -- rows per distinct key, when deduplication merges them
		   CASE WHEN x.dedup AND cl.stadistinct IS NOT NULL AND cl.stadistinct <> 0
				THEN greatest(x.reltuples
							  / greatest(CASE WHEN cl.stadistinct > 0 THEN cl.stadistinct
											  ELSE -cl.stadistinct * x.reltuples END, 1), 1)
				ELSE 1 END AS dups
	FROM idx x
		 JOIN cols cl ON cl.indexrelid = x.indexrelid AND cl.has_stats),
per_row AS (
	SELECT e.*,
		   CASE WHEN e.dups < 2 THEN e.tuple_bytes + 4
				-- a key's rows in posting lists of at most 1352 bytes
				-- (half of BTMaxItemSize), each a tuple and 6 bytes a row
				ELSE (pg_catalog.ceil(e.dups / greatest(pg_catalog.floor((1352 - e.tuple_bytes) / 6), 1))
					  * (e.tuple_bytes + 4) + 6 * e.dups) / e.dups END AS row_bytes
	FROM est e),
leaves AS (
	SELECT r.*,
		   pg_catalog.ceil(r.reltuples
						   / greatest(pg_catalog.floor(((r.bs - 24 - 16) * r.fillfactor / 100
														- r.tuple_bytes - 4) / r.row_bytes), 1)) AS leaf_pages,
		   greatest(pg_catalog.floor((r.bs - 24 - 16) * 0.7 / (r.tuple_bytes + 4)), 2) AS fanout
	FROM per_row r),
pages AS (
	SELECT l.*,
		   -- metapage, leaves, and two levels of internal pages (a third
		   -- level is a few pages at most)
		   1 + l.leaf_pages
		   + CASE WHEN l.leaf_pages > 1 THEN pg_catalog.ceil(l.leaf_pages / l.fanout) ELSE 0 END
		   + CASE WHEN l.leaf_pages > l.fanout THEN pg_catalog.ceil(l.leaf_pages / l.fanout / l.fanout) ELSE 0 END
		   AS expected_pages
	FROM leaves l)
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   p.indrelid AS table_relid,
	   ic.relname AS indexname,
	   p.indexrelid,
	   p.indisprimary AS is_primary,
	   (p.relpages * p.bs)::bigint AS index_bytes,
	   pg_catalog.pg_size_pretty((p.relpages * p.bs)::bigint) AS index_size,
	   ((p.relpages - p.expected_pages) * p.bs)::bigint AS bloat_bytes,
	   pg_catalog.pg_size_pretty(((p.relpages - p.expected_pages) * p.bs)::bigint) AS bloat_size,
	   pg_catalog.round((100.0 * (p.relpages - p.expected_pages) / p.relpages)::numeric, 2) AS bloat_percent,
	   pghero_internal._index_definition(p.indexrelid) AS definition,
	   pg_catalog.format('REINDEX INDEX CONCURRENTLY %I.%I', n.nspname, ic.relname) AS fix_sql
FROM pages p
	 JOIN pg_catalog.pg_class ic ON ic.oid = p.indexrelid
	 JOIN pg_catalog.pg_class t ON t.oid = p.indrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 CROSS JOIN @extschema@.config() c
WHERE p.relpages > p.expected_pages
  AND (p.relpages - p.expected_pages) * p.bs >= c.index_bloat_min_bytes;

COMMENT ON VIEW @extschema@.index_bloat IS
'Btree indexes whose estimated wasted space is at least pghero.index_bloat_min_bytes (estimate from pg_class and column statistics; run ANALYZE first)';

--------------------------------------------------------------------------
-- Constraints
--------------------------------------------------------------------------

CREATE VIEW @extschema@.invalid_constraints AS
SELECT n.nspname AS schemaname,
	   t.relname AS tablename,
	   k.conrelid AS table_relid,
	   k.conname AS constraint_name,
	   CASE k.contype WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' ELSE k.contype::text END AS type,
	   fn.nspname AS referenced_schema,
	   ft.relname AS referenced_table,
	   pghero_internal._constraint_definition(k.oid) AS definition,
	   pg_catalog.format('ALTER TABLE %I.%I VALIDATE CONSTRAINT %I', n.nspname, t.relname, k.conname) AS fix_sql
FROM pg_catalog.pg_constraint k
	 JOIN pg_catalog.pg_class t ON t.oid = k.conrelid
	 JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
	 LEFT JOIN pg_catalog.pg_class ft ON ft.oid = k.confrelid
	 LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = ft.relnamespace
WHERE NOT k.convalidated;

COMMENT ON VIEW @extschema@.invalid_constraints IS
'Constraints added NOT VALID and never validated: the rows present before they were added are not checked';

/* sql/src/15_maintenance.sql */

CREATE FUNCTION pghero_internal._sequence_last_value(regclass)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pghero_sequence_last_value'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._sequence_last_value(regclass) IS
'The last value of a sequence (the value nextval() will return first if it was not called since the sequence was created or restarted), NULL when it cannot be read without waiting or without privilege (internal)';

CREATE FUNCTION pghero_internal._sequence_values()
RETURNS TABLE (seqid oid, last_value bigint)
LANGUAGE sql VOLATILE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.oid, pghero_internal._sequence_last_value(c.oid)
	FROM pg_catalog.pg_class c
	WHERE c.relkind OPERATOR(pg_catalog.=) 'S'
	  AND c.relpersistence OPERATOR(pg_catalog.<>) 't'
$$;

COMMENT ON FUNCTION pghero_internal._sequence_values() IS
'Last value of every sequence of this database, NULL for one locked by another session (internal)';

--------------------------------------------------------------------------
-- Maintenance
--------------------------------------------------------------------------

CREATE VIEW @extschema@.maintenance AS
SELECT s.schemaname,
	   s.relname,
	   s.relid,
	   s.last_vacuum,
	   s.last_autovacuum,
	   s.last_analyze,
	   s.last_autoanalyze,
	   s.n_live_tup AS live_rows,
	   s.n_dead_tup AS dead_rows,
	   pg_catalog.round(100.0 * s.n_dead_tup / NULLIF(s.n_live_tup, 0), 2) AS dead_rows_percent,
	   s.n_mod_since_analyze AS rows_modified_since_analyze,
	   s.vacuum_count,
	   s.autovacuum_count,
	   s.analyze_count,
	   s.autoanalyze_count
FROM pg_catalog.pg_stat_user_tables s
WHERE NOT pghero_internal._is_own(s.relid);

COMMENT ON VIEW @extschema@.maintenance IS
'When every table of this database was last vacuumed and analyzed, with its live and dead rows';

-- The estimate (statistics only, no scan of the table, in the manner of
-- the well-known ioguix query): the pages the table's live rows would fill
-- if written anew, against the pages it has.  A heap tuple is its header
-- (23 bytes, with a null bitmap if any column has NULLs), MAXALIGNed, and
-- its columns' average width (pg_statistic) with the padding each one's
-- alignment needs, MAXALIGNed, plus a line
-- pointer (4); a page holds what fits in 8192 - 24 header bytes to the
-- table's fillfactor (default 100), and at most MaxHeapTuplesPerPage
-- tuples.  The main fork only: TOAST data is not estimated.
-- test/t/014_bloat.pl checks it against pgstattuple().
CREATE VIEW @extschema@.table_bloat AS
WITH RECURSIVE tbl AS (
	SELECT c.oid,
		   c.relnamespace,
		   c.relname,
		   c.relpages::bigint AS relpages,
		   c.reltuples,
		   coalesce((SELECT o.option_value::integer
					 FROM pg_catalog.pg_options_to_table(c.reloptions) o
					 WHERE o.option_name = 'fillfactor'), 100) AS fillfactor
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'm')
	  AND c.relpersistence <> 't'
	  AND c.relpages > 0
	  AND c.reltuples >= 0
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])
	  AND NOT pghero_internal._is_own_schema(c.relnamespace)),
atts AS (
	-- each column in order, with its average width and its alignment (a
	-- short varlena, under 127 bytes, is not aligned)
	SELECT t.oid,
		   a.attnum,
		   pg_catalog.row_number() OVER (PARTITION BY t.oid ORDER BY a.attnum) AS pos,
		   a.attisdropped,
		   s.stanullfrac AS null_frac,
		   s.stawidth AS width,
		   CASE WHEN a.attlen = -1 AND coalesce(s.stawidth, 0) < 127 THEN 1
				ELSE CASE a.attalign WHEN 'd' THEN 8 WHEN 'i' THEN 4 WHEN 's' THEN 2 ELSE 1 END END AS align
	FROM tbl t
		 JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0
		 LEFT JOIN pg_catalog.pg_statistic s
			ON s.starelid = t.oid AND s.staattnum = a.attnum AND NOT s.stainherit),
layout AS (
	-- the average tuple's data, column after column: the padding before a
	-- column to its alignment, then its width, both weighted by how often
	-- it is not NULL
	SELECT a.oid, a.pos, (1 - coalesce(a.null_frac, 0)) * coalesce(a.width, 0) AS data_end
	FROM atts a
	WHERE a.pos = 1
	UNION ALL
	SELECT l.oid, a.pos,
		   l.data_end
		   + (1 - coalesce(a.null_frac, 0))
			 * (pg_catalog.ceil(l.data_end / a.align) * a.align - l.data_end + coalesce(a.width, 0))
	FROM layout l
		 JOIN atts a ON a.oid = l.oid AND a.pos = l.pos + 1),
cols AS (
	SELECT a.oid,
		   pg_catalog.count(*) AS natts,
		   pg_catalog.max(coalesce(a.null_frac, 0)) AS max_null_frac,
		   (SELECT pg_catalog.max(l.data_end) FROM layout l WHERE l.oid = a.oid) AS data_width,
		   pg_catalog.bool_and(a.width IS NOT NULL OR a.attisdropped) AS has_stats
	FROM atts a
	GROUP BY a.oid),
est AS (
	SELECT t.*,
		   pg_catalog.current_setting('block_size')::numeric AS bs,
		   pg_catalog.ceil((23 + CASE WHEN cl.max_null_frac > 0 THEN pg_catalog.ceil(cl.natts / 8.0) ELSE 0 END) / 8.0) * 8
		   + pg_catalog.ceil(coalesce(cl.data_width, 0) / 8.0) * 8 + 4 AS tuple_bytes
	FROM tbl t
		 JOIN cols cl ON cl.oid = t.oid AND cl.has_stats),
pages AS (
	SELECT e.*,
		   pg_catalog.ceil(e.reltuples
						   / least(greatest(pg_catalog.floor((e.bs - 24 - e.bs * (100 - e.fillfactor) / 100)
															 / e.tuple_bytes), 1),
								   pg_catalog.floor((e.bs - 24) / 28))) AS expected_pages
	FROM est e)
SELECT n.nspname AS schemaname,
	   p.relname,
	   p.oid AS relid,
	   p.fillfactor,
	   (p.relpages * p.bs)::bigint AS table_bytes,
	   pg_catalog.pg_size_pretty((p.relpages * p.bs)::bigint) AS table_size,
	   ((p.relpages - p.expected_pages) * p.bs)::bigint AS bloat_bytes,
	   pg_catalog.pg_size_pretty(((p.relpages - p.expected_pages) * p.bs)::bigint) AS bloat_size,
	   pg_catalog.round((100.0 * (p.relpages - p.expected_pages) / p.relpages)::numeric, 1) AS bloat_percent
FROM pages p
	 JOIN pg_catalog.pg_namespace n ON n.oid = p.relnamespace
WHERE p.relpages > p.expected_pages;

COMMENT ON VIEW @extschema@.table_bloat IS
'Tables with estimated wasted space: dead rows and free space beyond what the fillfactor keeps free (estimate from pg_class and column statistics; run ANALYZE first)';

CREATE VIEW @extschema@.transaction_id_danger AS
WITH ages AS (
	SELECT 'table'::text AS kind,
		   pg_catalog.current_database() AS database,
		   n.nspname AS schemaname,
		   c.relname,
		   c.oid AS relid,
		   greatest(pg_catalog.age(c.relfrozenxid), pg_catalog.age(t.relfrozenxid))::bigint AS xid_age,
		   greatest(pg_catalog.mxid_age(c.relminmxid), pg_catalog.mxid_age(t.relminmxid))::bigint AS mxid_age
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid
	WHERE c.relkind IN ('r', 'm')
	  AND NOT pghero_internal._is_own_schema(c.relnamespace)
	UNION ALL
	SELECT 'database',
		   d.datname,
		   NULL,
		   NULL,
		   NULL,
		   pg_catalog.age(d.datfrozenxid)::bigint,
		   pg_catalog.mxid_age(d.datminmxid)::bigint
	FROM pg_catalog.pg_database d
	WHERE d.datconnlimit <> -2)
SELECT a.kind,
	   a.database,
	   a.schemaname,
	   a.relname,
	   a.relid,
	   a.xid_age,
	   2146483648 - a.xid_age AS transactions_left,
	   a.mxid_age,
	   2146483648 - a.mxid_age AS multixacts_left
FROM ages a
	 CROSS JOIN @extschema@.config() c
WHERE 2146483648 - a.xid_age < c.transaction_id_danger
   OR 2146483648 - a.mxid_age < c.transaction_id_danger;

COMMENT ON VIEW @extschema@.transaction_id_danger IS
'Tables of this database and databases of the cluster with fewer than pghero.transaction_id_danger transaction IDs or multixact IDs left before the server stops to prevent wraparound';

CREATE VIEW @extschema@.autovacuum_danger AS
WITH t AS (
	SELECT n.nspname AS schemaname,
		   c.relname,
		   c.oid AS relid,
		   greatest(pg_catalog.age(c.relfrozenxid), pg_catalog.age(x.relfrozenxid))::bigint AS xid_age,
		   greatest(pg_catalog.mxid_age(c.relminmxid), pg_catalog.mxid_age(x.relminmxid))::bigint AS mxid_age,
		   least(pg_catalog.current_setting('autovacuum_freeze_max_age')::bigint,
							(SELECT o.option_value::bigint FROM pg_catalog.pg_options_to_table(c.reloptions) o
							 WHERE o.option_name = 'autovacuum_freeze_max_age')) AS freeze_max_age,
		   least(pg_catalog.current_setting('autovacuum_multixact_freeze_max_age')::bigint,
							(SELECT o.option_value::bigint FROM pg_catalog.pg_options_to_table(c.reloptions) o
							 WHERE o.option_name = 'autovacuum_multixact_freeze_max_age')) AS multixact_freeze_max_age
	FROM pg_catalog.pg_class c
		 JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		 LEFT JOIN pg_catalog.pg_class x ON x.oid = c.reltoastrelid
	WHERE c.relkind IN ('r', 'm')
	  AND NOT pghero_internal._is_own_schema(c.relnamespace))
SELECT t.schemaname,
	   t.relname,
	   t.relid,
	   t.xid_age,
	   t.freeze_max_age,
	   t.freeze_max_age - t.xid_age AS transactions_left,
	   t.mxid_age,
	   t.multixact_freeze_max_age,
	   t.multixact_freeze_max_age - t.mxid_age AS multixacts_left
FROM t
WHERE t.freeze_max_age - t.xid_age < 2000000
   OR t.multixact_freeze_max_age - t.mxid_age < 2000000;

COMMENT ON VIEW @extschema@.autovacuum_danger IS
'Tables of this database within 2 million transactions or multixacts of a forced anti-wraparound autovacuum (autovacuum_freeze_max_age, or the table''s own setting)';

CREATE VIEW @extschema@.sequences AS
WITH uses AS (
	-- serial and identity columns own their sequence (looked up from each
	-- sequence: the indexes' dependencies on their columns are many more)
	SELECT d.objid AS seqid, d.refobjid AS relid, d.refobjsubid AS attnum
	FROM pg_catalog.pg_sequence q
		 JOIN pg_catalog.pg_depend d
			ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
		   AND d.objid = q.seqrelid
		   AND d.objsubid = 0
	WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
	  AND d.deptype IN ('a', 'i')
	  AND d.refobjsubid > 0
	UNION
	-- any column whose default calls nextval() on the sequence
	SELECT d.refobjid, ad.adrelid, ad.adnum
	FROM pg_catalog.pg_depend d
		 JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
	WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
	  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
	  AND d.deptype = 'n'),
s AS (
	SELECT sn.nspname AS sequence_schema,
		   sc.relname AS sequence_name,
		   u.seqid,
		   tn.nspname AS schemaname,
		   tc.relname,
		   u.relid,
		   a.attname AS column_name,
		   pg_catalog.format_type(a.atttypid, a.atttypmod) AS column_type,
		   q.seqincrement AS increment,
		   v.last_value,
		   CASE WHEN q.seqincrement > 0
				THEN least(q.seqmax,
									  CASE a.atttypid WHEN 'pg_catalog.int2'::pg_catalog.regtype THEN 32767
													  WHEN 'pg_catalog.int4'::pg_catalog.regtype THEN 2147483647
													  ELSE 9223372036854775807 END)
				ELSE greatest(q.seqmin,
										 CASE a.atttypid WHEN 'pg_catalog.int2'::pg_catalog.regtype THEN -32768
														 WHEN 'pg_catalog.int4'::pg_catalog.regtype THEN -2147483648
														 ELSE -9223372036854775808 END) END AS max_value
	FROM uses u
		 JOIN pg_catalog.pg_sequence q ON q.seqrelid = u.seqid
		 JOIN pg_catalog.pg_class sc ON sc.oid = u.seqid
		 JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace
		 JOIN pg_catalog.pg_class tc ON tc.oid = u.relid
		 JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
		 JOIN pg_catalog.pg_attribute a
			ON a.attrelid = u.relid AND a.attnum = u.attnum AND NOT a.attisdropped
		 LEFT JOIN pghero_internal._sequence_values() v ON v.seqid = u.seqid
	WHERE tc.relpersistence <> 't'
	  AND NOT pghero_internal._is_own_schema(tc.relnamespace)
	  AND NOT pghero_internal._is_own_schema(sc.relnamespace))
SELECT s.sequence_schema,
	   s.sequence_name,
	   s.seqid,
	   s.schemaname,
	   s.relname,
	   s.relid,
	   s.column_name,
	   s.column_type,
	   s.increment,
	   s.last_value,
	   s.max_value,
	   pg_catalog.round(100.0 * s.last_value / NULLIF(s.max_value, 0), 2) AS percent_used,
	   pg_catalog.abs(s.max_value::numeric - s.last_value) AS values_left,
	   s.last_value IS NOT NULL AS readable
FROM s;

COMMENT ON VIEW @extschema@.sequences IS
'Every column of this database filled from a sequence (serial, identity or a nextval() default), with how much of its range is used';

-- the unrounded share of the range against the threshold.  Finding the
-- columns of every sequence costs much more than reading every sequence's
-- value: the columns are looked up only when some sequence is past the
-- threshold for one of the three ranges a column can give it (smallint,
-- integer, any other type: bigint), a test that the plan makes once, first.
CREATE VIEW @extschema@.sequence_danger AS
SELECT s.*
FROM @extschema@.sequences s
	 CROSS JOIN @extschema@.config() c
WHERE s.readable
  AND 100.0 * s.last_value / NULLIF(s.max_value, 0) > c.sequence_danger_percent::numeric
  AND EXISTS (
		SELECT
		FROM pghero_internal._sequence_values() v
			 JOIN pg_catalog.pg_sequence q ON q.seqrelid = v.seqid
			 CROSS JOIN (VALUES (32767::bigint, -32768::bigint),
								(2147483647, -2147483648),
								(9223372036854775807, -9223372036854775808)) r(type_max, type_min)
			 CROSS JOIN @extschema@.config() c2
		WHERE 100.0 * v.last_value
			  / NULLIF(CASE WHEN q.seqincrement > 0 THEN least(q.seqmax, r.type_max)
							ELSE greatest(q.seqmin, r.type_min) END, 0)
			  > c2.sequence_danger_percent::numeric);

COMMENT ON VIEW @extschema@.sequence_danger IS
'Columns whose sequence has used more than pghero.sequence_danger_percent of the range of the column type or of the sequence';

/* sql/src/16_replication.sql */

CREATE FUNCTION pghero_internal._replication()
RETURNS TABLE (
	pid integer, usename name, application_name text, client_addr inet,
	backend_start timestamptz, state text, sent_lsn pg_lsn,
	write_lsn pg_lsn, flush_lsn pg_lsn, replay_lsn pg_lsn,
	write_lag interval, flush_lag interval, replay_lag interval,
	sync_priority integer, sync_state text, reply_time timestamptz)
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT r.pid, r.usename, r.application_name, r.client_addr,
		   r.backend_start, r.state, r.sent_lsn,
		   r.write_lsn, r.flush_lsn, r.replay_lsn,
		   r.write_lag, r.flush_lag, r.replay_lag,
		   r.sync_priority, r.sync_state, r.reply_time
	FROM pg_catalog.pg_stat_replication r
$$;

COMMENT ON FUNCTION pghero_internal._replication() IS
'pg_stat_replication, whoever the caller (internal)';

--------------------------------------------------------------------------
-- Replication
--------------------------------------------------------------------------

CREATE VIEW @extschema@.replication AS
WITH r AS (
	SELECT 'primary'::text AS role,
		   r.pid,
		   r.usename AS username,
		   r.application_name,
		   r.client_addr,
		   r.state,
		   r.sync_state,
		   r.sent_lsn,
		   r.write_lsn,
		   r.flush_lsn,
		   r.replay_lsn,
		   pg_catalog.pg_wal_lsn_diff(
			   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
					ELSE pg_catalog.pg_current_wal_lsn() END,
			   r.replay_lsn)::bigint AS lag_bytes,
		   r.replay_lag AS lag,
		   r.write_lag,
		   r.flush_lag,
		   r.reply_time
	FROM pghero_internal._replication() r
	UNION ALL
	SELECT 'standby',
		   NULL,
		   NULL,
		   NULL,
		   NULL,
		   w.status,
		   NULL,
		   NULL,
		   NULL,
		   pg_catalog.pg_last_wal_receive_lsn(),
		   pg_catalog.pg_last_wal_replay_lsn(),
		   pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::bigint,
		   l.lag,
		   NULL,
		   NULL,
		   NULL
	FROM (SELECT CASE WHEN pg_catalog.pg_last_wal_receive_lsn() = pg_catalog.pg_last_wal_replay_lsn()
					  THEN '0'::interval
					  ELSE greatest(pg_catalog.clock_timestamp() - pg_catalog.pg_last_xact_replay_timestamp(),
									'0'::interval) END AS lag
		  OFFSET 0) l
		 LEFT JOIN pg_catalog.pg_stat_wal_receiver w ON true
	WHERE pg_catalog.pg_is_in_recovery())
SELECT r.role,
	   r.pid,
	   r.username,
	   r.application_name,
	   pg_catalog.host(r.client_addr) AS client_addr,
	   r.state,
	   r.sync_state,
	   r.sent_lsn::text AS sent_lsn,
	   r.sent_lsn - '0/0'::pg_lsn AS sent_lsn_bytes,
	   r.write_lsn::text AS write_lsn,
	   r.write_lsn - '0/0'::pg_lsn AS write_lsn_bytes,
	   r.flush_lsn::text AS flush_lsn,
	   r.flush_lsn - '0/0'::pg_lsn AS flush_lsn_bytes,
	   r.replay_lsn::text AS replay_lsn,
	   r.replay_lsn - '0/0'::pg_lsn AS replay_lsn_bytes,
	   r.lag_bytes,
	   pg_catalog.date_trunc('milliseconds', r.lag)::text AS lag,
	   pg_catalog.round(pg_catalog.extract('epoch', r.lag) * 1000, 3)::float8 AS lag_ms,
	   pg_catalog.date_trunc('milliseconds', r.write_lag)::text AS write_lag,
	   pg_catalog.round(pg_catalog.extract('epoch', r.write_lag) * 1000, 3)::float8 AS write_lag_ms,
	   pg_catalog.date_trunc('milliseconds', r.flush_lag)::text AS flush_lag,
	   pg_catalog.round(pg_catalog.extract('epoch', r.flush_lag) * 1000, 3)::float8 AS flush_lag_ms,
	   r.reply_time
FROM r;

COMMENT ON VIEW @extschema@.replication IS
'On a primary, one row per standby it streams to, with its lag; on a standby, one row with its own replay lag';

CREATE VIEW @extschema@.replication_slots AS
SELECT s.slot_name,
	   s.plugin,
	   s.slot_type,
	   s.database,
	   s.temporary,
	   s.active,
	   s.active_pid,
	   s.wal_status,
	   pg_catalog.pg_wal_lsn_diff(
		   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
				ELSE pg_catalog.pg_current_wal_lsn() END,
		   s.restart_lsn)::bigint AS retained_wal_bytes,
	   pg_catalog.pg_size_pretty(pg_catalog.pg_wal_lsn_diff(
		   CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()
				ELSE pg_catalog.pg_current_wal_lsn() END,
		   s.restart_lsn)) AS retained_wal,
	   s.safe_wal_size AS safe_wal_bytes,
	   pg_catalog.age(s.xmin)::bigint AS xmin_age,
	   pg_catalog.age(s.catalog_xmin)::bigint AS catalog_xmin_age
FROM pg_catalog.pg_replication_slots s;

COMMENT ON VIEW @extschema@.replication_slots IS
'Every replication slot of the cluster, with the WAL it retains; an inactive slot keeps WAL and old rows forever';

/* sql/src/16_status.sql */

--------------------------------------------------------------------------
-- Instance status: one row of facts about this server, for a readiness
-- probe, a BI tile or an operator's first look
--------------------------------------------------------------------------

-- The file systems of the data directory and of the WAL (src/filesystems.c;
-- no path is returned)
CREATE FUNCTION pghero_internal._filesystems()
RETURNS TABLE (kind text, total_bytes numeric, free_bytes numeric,
			   available_bytes numeric, inodes_total numeric, inodes_free numeric,
			   same_as_data boolean)
AS 'MODULE_PATHNAME', 'pghero_filesystems'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._filesystems() IS
'Size, free space and inodes of the file systems of the data directory and of pg_wal, without their paths (internal)';

-- pg_control's system identifier and timeline, whoever the caller (the
-- pg_control functions are for superusers)
CREATE FUNCTION pghero_internal._control(OUT system_identifier bigint, OUT timeline integer)
LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.system_identifier, c.timeline_id
	FROM pg_catalog.pg_control_system() s, pg_catalog.pg_control_checkpoint() c
$$;

COMMENT ON FUNCTION pghero_internal._control() IS
'The system identifier and the timeline of the last checkpoint, from pg_control, whoever the caller (internal)';

CREATE VIEW @extschema@.instance_status AS
WITH t AS (SELECT pg_catalog.clock_timestamp() AS read_at),
fs AS (
	SELECT pg_catalog.max(f.total_bytes) FILTER (WHERE f.kind = 'data') AS data_total,
		   pg_catalog.max(f.available_bytes) FILTER (WHERE f.kind = 'data') AS data_available,
		   pg_catalog.max(f.inodes_free) FILTER (WHERE f.kind = 'data') AS data_inodes_free,
		   pg_catalog.max(f.total_bytes) FILTER (WHERE f.kind = 'wal') AS wal_total,
		   pg_catalog.max(f.available_bytes) FILTER (WHERE f.kind = 'wal') AS wal_available,
		   pg_catalog.bool_or(f.same_as_data) FILTER (WHERE f.kind = 'wal') AS wal_on_data
	FROM pghero_internal._filesystems() f),
r AS (
	SELECT pg_catalog.count(*) AS standbys,
		   pg_catalog.bool_and(r.state = 'streaming') AS all_streaming
	FROM pghero_internal._replication() r)
SELECT c.system_identifier,
	   pg_catalog.version() AS version,
	   pg_catalog.current_setting('server_version_num')::integer AS server_version_num,
	   CASE WHEN pg_catalog.pg_is_in_recovery() THEN 'standby' ELSE 'primary' END AS role,
	   c.timeline,
	   pg_catalog.pg_postmaster_start_time() AS postmaster_start,
	   pg_catalog.date_trunc('milliseconds', t.read_at - pg_catalog.pg_postmaster_start_time())::text AS uptime,
	   pg_catalog.round((pg_catalog.date_part('epoch', t.read_at - pg_catalog.pg_postmaster_start_time()) * 1000)::numeric, 3)::float8
		 AS uptime_ms,
	   pg_catalog.pg_conf_load_time() AS config_loaded_at,
	   s.total_connections::integer AS connections_used,
	   s.max_connections,
	   s.reserved_connections,
	   fs.data_total AS data_total_bytes,
	   fs.data_available AS data_available_bytes,
	   pg_catalog.round(100 * fs.data_available / NULLIF(fs.data_total, 0), 2) AS data_available_percent,
	   fs.data_inodes_free AS data_inodes_free,
	   fs.wal_total AS wal_total_bytes,
	   fs.wal_available AS wal_available_bytes,
	   pg_catalog.round(100 * fs.wal_available / NULLIF(fs.wal_total, 0), 2) AS wal_available_percent,
	   fs.wal_on_data AS wal_on_data_filesystem,
	   r.standbys::integer AS standbys,
	   s.total_connections < s.available_connections AS ready_for_reads,
	   s.total_connections < s.available_connections
	   AND NOT pg_catalog.pg_is_in_recovery()
	   AND pg_catalog.current_setting('default_transaction_read_only')::boolean IS NOT TRUE AS ready_for_writes,
	   CASE WHEN r.standbys > 0 THEN r.all_streaming END AS all_standbys_streaming
FROM t, fs, r, pghero_internal._control() c, @extschema@.connection_summary s;

COMMENT ON VIEW @extschema@.instance_status IS
'One row about this server: identity, version, role and timeline, uptime, configuration load, connections, free space of the data and WAL file systems, standbys, and readiness flags';

/* sql/src/17_actions.sql */

CREATE FUNCTION pghero_internal._outer_role()
RETURNS regrole
AS 'MODULE_PATHNAME', 'pghero_outer_role'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._outer_role() IS
'The role that called pghero, as seen from inside its SECURITY DEFINER functions (internal)';

--------------------------------------------------------------------------
-- Actions: cancel, terminate, kill_long_running_queries, kill_all and
-- reset_query_stats.
--
-- Who may act.  The actions are granted to pghero_reader and check for
-- themselves that the caller has the privileges of pghero_admin, so that
-- a reader hears which role to ask for instead of a bare "permission
-- denied for function".  The caller is the role the session runs as (its
-- SET ROLE), from _outer_role(): never the owner these SECURITY DEFINER
-- functions run as, and never a name the caller passes.  A role without
-- pghero_reader may not call them at all.
--
-- What is written.  Every cancel, terminate and reset that was asked for
-- a target -- done, refused, or finding nothing to act on -- writes one
-- audit row with its outcome (succeeded, detail); what was not done
-- returns false with a warning, as pg_cancel_backend() does for a pid
-- that is no backend, so that one refusal in a multi-row call neither
-- stops the others nor rolls back their audit rows.  An error is kept for
-- a call that names nothing to act on (a NULL or non-positive pid, a NULL
-- or unscoped reset, an unknown database) and for a caller who is not an
-- admin: the error rolls back whatever it would write, and the server log
-- has it (log_min_error_statement).  Each audit row also goes to the
-- server log at level LOG, which a rollback cannot undo: an action taken
-- in a transaction that is then rolled back still leaves a trace.
--------------------------------------------------------------------------

CREATE FUNCTION pghero_internal._require_admin(p_what text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller regrole := pghero_internal._outer_role();
BEGIN
	IF NOT pg_catalog.pg_has_role(caller::oid, 'pghero_admin'::name, 'USAGE') THEN
		RAISE EXCEPTION 'must be a member of pghero_admin to %', p_what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Only roles with the privileges of pghero_admin may run pghero''s actions; pghero_reader may only read.',
				  HINT = pg_catalog.format('Ask a superuser to run: GRANT pghero_admin TO %s;', caller);
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._require_admin(text) IS
'Raise insufficient_privilege, naming pghero_admin and the GRANT to ask for, unless the calling role has the privileges of pghero_admin (internal)';

CREATE FUNCTION pghero_internal._audit(
	p_action text, p_succeeded boolean, p_detail text,
	p_target_pid integer DEFAULT NULL,
	p_target_backend_start timestamptz DEFAULT NULL,
	p_target_user name DEFAULT NULL, p_target_database name DEFAULT NULL,
	p_target_query text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller name := pg_catalog.pg_get_userbyid(pghero_internal._outer_role());
BEGIN
	INSERT INTO pghero_internal.audit_log
		(role_name, session_user_name, action, target_pid, target_backend_start,
		 target_user, target_database, target_query, succeeded, detail)
	VALUES (caller, session_user, p_action, p_target_pid, p_target_backend_start,
			p_target_user, p_target_database, p_target_query, p_succeeded,
			p_detail);
	-- the server log keeps what a rollback of the caller's transaction
	-- takes out of the table (no query text: the log is read by others)
	RAISE LOG '%', pg_catalog.format(
		'pghero audit: %s by role "%s" (session user "%s")%s%s: %s, %s',
		p_action, caller, session_user,
		CASE WHEN p_target_pid IS NOT NULL
			 THEN pg_catalog.format(' on process %s', p_target_pid) ELSE '' END,
		CASE WHEN p_target_database IS NOT NULL
			 THEN pg_catalog.format(' (database "%s"%s)', p_target_database,
								   CASE WHEN p_target_user IS NOT NULL
										THEN pg_catalog.format(', role "%s"', p_target_user)
										ELSE '' END)
			 ELSE '' END,
		CASE WHEN p_succeeded THEN 'done' ELSE 'not done' END,
		p_detail);
END
$$;

COMMENT ON FUNCTION pghero_internal._audit(text, boolean, text, integer, timestamptz, name, name, text) IS
'Write one row of the audit log, naming the calling role, and the same line to the server log (internal)';

-- One signal to one backend, with every rule; owner only.
--
-- Strict mode is a single pid asked for by name (cancel, terminate): an
-- argument that can name no process is an error, written nowhere; a
-- process that does not exist, that is not the session backend_start
-- names, or that pghero refuses to signal (the caller's own session, a
-- server process, a superuser's session for a caller who is not one) is
-- a warning with the refusal's SQLSTATE, no row, and an audit row with
-- succeeded = false.  Bulk mode (kill_all, kill_long_running_queries)
-- skips what it may not signal, silently; the bulk action writes the
-- audit row when it signalled nothing.
--
-- succeeded is true only when the signal was sent.
CREATE FUNCTION pghero_internal._signal(
	p_action text, p_pid integer, p_backend_start timestamptz, p_strict boolean)
RETURNS TABLE (pid integer, backend_start timestamptz, username name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	caller regrole := pghero_internal._outer_role();
	caller_is_superuser boolean;
	t record;
	refusal text;
	refusal_detail text;
	refusal_hint text;
	refusal_code text;
	ok boolean;
	outcome text;
BEGIN
	IF p_action IS NULL OR p_action NOT IN ('cancel', 'terminate') THEN
		RAISE EXCEPTION 'unknown action "%"', p_action
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The action is "cancel" or "terminate".';
	END IF;
	IF p_strict IS NULL THEN
		RAISE EXCEPTION 'strict mode must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass true for one session named by the caller, false for a bulk action.';
	END IF;
	IF p_pid IS NULL THEN
		RAISE EXCEPTION 'process ID must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the pid of a session listed in pghero.connections, and its backend_start.';
	END IF;
	IF p_pid OPERATOR(pg_catalog.<=) 0 THEN
		RAISE EXCEPTION 'invalid process ID: %', p_pid
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A process ID is a positive integer.',
				  HINT = 'Pass the pid of a session listed in pghero.connections, and its backend_start.';
	END IF;

	SELECT r.rolsuper INTO caller_is_superuser
	FROM pg_catalog.pg_authid r WHERE r.oid OPERATOR(pg_catalog.=) caller;

	SELECT a.* INTO t
	FROM pghero_internal._activity() a
	WHERE a.pid OPERATOR(pg_catalog.=) p_pid;

	IF NOT FOUND THEN
		IF p_strict THEN
			RAISE WARNING 'PID % is not a PostgreSQL server process', p_pid
				USING HINT = 'The session may have ended already; see pghero.connections for current processes.';
			PERFORM pghero_internal._audit(p_action, false, 'no such backend',
										   p_pid, p_backend_start);
		END IF;
		RETURN;
	END IF;

	IF p_backend_start IS NOT NULL
	   AND t.backend_start IS DISTINCT FROM p_backend_start THEN
		IF p_strict THEN
			RAISE WARNING 'nothing was signalled: backend_start does not match'
				USING DETAIL = pg_catalog.format('Process %s started at %s, not at %s.',
												 p_pid, t.backend_start, p_backend_start),
					  HINT = 'The session you meant has ended and its process ID now belongs to another session.';
			-- the process belongs to someone else: log only what was asked
			PERFORM pghero_internal._audit(p_action, false,
				pg_catalog.format('backend_start did not match (process started at %s)',
								  t.backend_start),
				p_pid, p_backend_start);
		END IF;
		RETURN;
	END IF;

	IF t.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid() THEN
		refusal := pg_catalog.format('cannot %s your own session', p_action);
		refusal_detail := 'pghero never signals the session that asks.';
		refusal_hint := 'Pass the pid of another session; pghero.connections lists them.';
		refusal_code := 'invalid_parameter_value';
	ELSIF t.backend_type IS DISTINCT FROM 'client backend' THEN
		refusal := pg_catalog.format('cannot %s a %s process', p_action, t.backend_type);
		refusal_detail := pg_catalog.format('Process %s is not a client backend; pghero only signals client sessions.', t.pid);
		refusal_hint := 'pghero.connections shows the backend_type of each process.';
		refusal_code := 'invalid_parameter_value';
	ELSIF t.is_superuser AND NOT coalesce(caller_is_superuser, false) THEN
		refusal := pg_catalog.format('permission denied to %s a superuser''s session', p_action);
		refusal_detail := pg_catalog.format('Process %s belongs to superuser "%s"; only a superuser may signal it.', t.pid, t.usename);
		refusal_hint := 'Ask a superuser to do it.';
		refusal_code := 'insufficient_privilege';
	END IF;

	IF refusal IS NOT NULL THEN
		IF p_strict THEN
			RAISE WARNING '%, nothing was signalled', refusal
				USING ERRCODE = refusal_code, DETAIL = refusal_detail,
					  HINT = refusal_hint;
			PERFORM pghero_internal._audit(p_action, false, 'refused: ' OPERATOR(pg_catalog.||) refusal,
										   t.pid, t.backend_start, t.usename,
										   t.datname, t.query);
		END IF;
		RETURN;
	END IF;

	IF p_action OPERATOR(pg_catalog.=) 'cancel' THEN
		ok := pg_catalog.pg_cancel_backend(t.pid);
	ELSE
		ok := pg_catalog.pg_terminate_backend(t.pid);
	END IF;

	IF NOT coalesce(ok, false) THEN
		ok := false;
		outcome := 'the server could not signal the process';
	ELSIF p_action OPERATOR(pg_catalog.=) 'cancel'
		  AND t.state IN ('idle', 'idle in transaction',
						  'idle in transaction (aborted)') THEN
		-- a backend waiting for its client ignores a cancel request
		outcome := pg_catalog.format('signal sent, but the session was %s: no query to cancel', t.state);
		IF p_strict THEN
			RAISE WARNING 'process % was % when cancelled: there was no query to cancel', t.pid, t.state
				USING HINT = 'To end the session, use pghero.terminate().';
		END IF;
	ELSE
		outcome := 'signal sent';
	END IF;

	PERFORM pghero_internal._audit(p_action, ok, outcome, t.pid, t.backend_start,
								   t.usename, t.datname, t.query);

	RETURN QUERY SELECT t.pid, t.backend_start, t.usename, t.datname,
						t.query, p_action, ok;
END
$$;

COMMENT ON FUNCTION pghero_internal._signal(text, integer, timestamptz, boolean) IS
'Cancel or terminate one client backend, applying pghero''s rules and writing the audit log (internal)';

-- The common part of the bulk actions: terminate each session of a list
-- (pid, backend_start), skipping what _signal may not signal; when no
-- session was signalled, say so with a notice and one audit row.  Owner
-- only, called from the bulk actions (SECURITY DEFINER themselves).
CREATE FUNCTION pghero_internal._terminate_sessions(
	p_bulk_action text, p_database name, p_criterion text,
	p_pids integer[], p_backend_starts timestamptz[])
RETURNS TABLE (pid integer, backend_start timestamptz, username name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r record;
	n_matched integer := coalesce(pg_catalog.cardinality(p_pids), 0);
	n_signalled integer := 0;
BEGIN
	FOR r IN
		SELECT s.*
		FROM ROWS FROM (pg_catalog.unnest(p_pids),
						   pg_catalog.unnest(p_backend_starts)) AS c(pid, backend_start)
			 CROSS JOIN LATERAL pghero_internal._signal('terminate', c.pid, c.backend_start, false) s
	LOOP
		pid := r.pid;
		backend_start := r.backend_start;
		username := r.username;
		database := r.database;
		query := r.query;
		action := r.action;
		signalled := r.signalled;
		RETURN NEXT;
		IF r.signalled THEN
			n_signalled := n_signalled OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;

	IF n_signalled OPERATOR(pg_catalog.=) 0 THEN
		PERFORM pghero_internal._audit(p_bulk_action, false,
			pg_catalog.format('0 sessions signalled (%s matched: %s)',
							  n_matched, p_criterion),
			p_target_database => p_database);
		RAISE NOTICE '% terminated no session', p_bulk_action
			USING DETAIL = pg_catalog.format('Sessions that matched: %s (%s).',
											 n_matched, p_criterion),
				  HINT = 'pghero never signals your own session, nor a superuser''s unless you are a superuser.';
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._terminate_sessions(text, name, text, integer[], timestamptz[]) IS
'Terminate a list of sessions for a bulk action, auditing one row per session signalled, or one row saying that none was (internal)';

CREATE FUNCTION @extschema@.cancel(pid integer, backend_start timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pghero_internal._require_admin('cancel a query');
	RETURN coalesce((SELECT pg_catalog.bool_or(s.signalled)
					 FROM pghero_internal._signal('cancel', $1, $2, true) s),
					false);
END
$$;

COMMENT ON FUNCTION @extschema@.cancel(integer, timestamptz) IS
'Cancel the current query of a client backend (pghero_admin); with backend_start, only if the process is still that session; false with a warning when nothing was signalled (no such process, or refused); audited either way';

CREATE FUNCTION @extschema@.terminate(pid integer, backend_start timestamptz DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pghero_internal._require_admin('terminate a session');
	RETURN coalesce((SELECT pg_catalog.bool_or(s.signalled)
					 FROM pghero_internal._signal('terminate', $1, $2, true) s),
					false);
END
$$;

COMMENT ON FUNCTION @extschema@.terminate(integer, timestamptz) IS
'Terminate a client backend (pghero_admin); with backend_start, only if the process is still that session; false with a warning when nothing was signalled (no such process, or refused); audited either way';

CREATE FUNCTION @extschema@.kill_long_running_queries()
RETURNS TABLE (pid integer, backend_start timestamptz, username name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pghero_internal._require_admin('terminate sessions');
	RETURN QUERY
	SELECT s.*
	FROM @extschema@.config() c
		 CROSS JOIN LATERAL (
			SELECT pg_catalog.array_agg(a.pid ORDER BY a.pid) AS pids,
				   pg_catalog.array_agg(a.backend_start ORDER BY a.pid) AS backend_starts
			FROM pghero_internal._activity() a
			WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
			  AND a.state IS DISTINCT FROM 'idle'
			  AND a.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
			  AND a.read_at OPERATOR(pg_catalog.-) coalesce(a.query_start, a.xact_start)
				  OPERATOR(pg_catalog.>) pg_catalog.make_interval(secs => c.long_running_query_sec)) m
		 CROSS JOIN LATERAL pghero_internal._terminate_sessions(
			'kill_long_running_queries', pg_catalog.current_database(),
			pg_catalog.format('client sessions of this database running a query for longer than %s s',
							  c.long_running_query_sec),
			m.pids, m.backend_starts) s;
END
$$;

COMMENT ON FUNCTION @extschema@.kill_long_running_queries() IS
'Terminate every client backend of this database whose query has run longer than pghero.long_running_query_sec (pghero_admin); returns the sessions terminated, each audited (a notice and an audit row when none was)';

CREATE FUNCTION @extschema@.kill_all(datname name DEFAULT pg_catalog.current_database())
RETURNS TABLE (pid integer, backend_start timestamptz, username name,
			   database name, query text, action text, signalled boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	db name := $1;
BEGIN
	PERFORM pghero_internal._require_admin('terminate sessions');
	IF db IS NULL THEN
		RAISE EXCEPTION 'database name must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Leave the argument out to terminate the sessions of the current database: SELECT * FROM pghero.kill_all();';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_database d
				   WHERE d.datname OPERATOR(pg_catalog.=) db) THEN
		-- invalid_catalog_name is 3D000, ERRCODE_UNDEFINED_DATABASE
		RAISE EXCEPTION 'database "%" does not exist', db
			USING ERRCODE = 'invalid_catalog_name',
				  HINT = 'See pghero.database_sizes for the databases of this cluster.';
	END IF;
	RETURN QUERY
	SELECT s.*
	FROM (SELECT pg_catalog.array_agg(a.pid ORDER BY a.pid) AS pids,
				 pg_catalog.array_agg(a.backend_start ORDER BY a.pid) AS backend_starts
		  FROM pghero_internal._activity() a
		  WHERE a.backend_type OPERATOR(pg_catalog.=) 'client backend'
			AND a.datname OPERATOR(pg_catalog.=) db) m
		 CROSS JOIN LATERAL pghero_internal._terminate_sessions(
			'kill_all', db,
			pg_catalog.format('client sessions of database "%s"', db),
			m.pids, m.backend_starts) s;
END
$$;

COMMENT ON FUNCTION @extschema@.kill_all(name) IS
'Terminate every client backend connected to a database (default: this one), except your own and, unless you are a superuser, superusers'' sessions (pghero_admin); each one audited, and a notice and an audit row when none was terminated';

-- What is reset is always named: a scope in the terms of
-- pg_stat_statements_reset(userid, dbid, queryid), where 0 leaves that
-- column unrestricted, or all_statements => true for everything.  No
-- scope at all (every argument left out, or 0, 0, 0) is refused with an
-- error and a hint; so is a scope together with all_statements.  NULL is
-- an error.  A userid or dbid that is neither a role or database nor in
-- pg_stat_statements names nothing and is an error too (entries of a
-- dropped role or database stay in pg_stat_statements until reset, so
-- such an OID is accepted while it has entries).  A scope that matches no
-- entry resets nothing and says so with a warning, false and an audit
-- row.  all_statements => true always acts: it also resets
-- pg_stat_statements_info.
CREATE FUNCTION @extschema@.reset_query_stats(
	userid oid DEFAULT 0, dbid oid DEFAULT 0, queryid bigint DEFAULT 0,
	all_statements boolean DEFAULT false)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	null_arg text;
	scoped boolean;
	scope text;
	n_matched bigint;
	user_has_entries boolean;
	db_has_entries boolean;
BEGIN
	PERFORM pghero_internal._require_admin('reset query statistics');
	null_arg := CASE WHEN $1 IS NULL THEN 'userid'
					 WHEN $2 IS NULL THEN 'dbid'
					 WHEN $3 IS NULL THEN 'queryid'
					 WHEN $4 IS NULL THEN 'all_statements' END;
	IF null_arg IS NOT NULL THEN
		RAISE EXCEPTION '% must not be null', null_arg
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Leave an argument out (or pass 0) not to restrict the reset by it; reset_query_stats(all_statements => true) resets every statement.';
	END IF;
	scoped := $1 OPERATOR(pg_catalog.<>) 0 OR $2 OPERATOR(pg_catalog.<>) 0
			  OR $3 OPERATOR(pg_catalog.<>) 0;
	IF NOT scoped AND NOT $4 THEN
		RAISE EXCEPTION 'reset_query_stats() needs a scope or all_statements => true'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Without a userid, dbid or queryid it would reset the statistics of every statement of the cluster; pghero does that only when asked explicitly.',
				  HINT = 'Reset some statements: reset_query_stats(userid => ''app''::regrole), reset_query_stats(dbid => (SELECT oid FROM pg_database WHERE datname = ''appdb'')), reset_query_stats(queryid => 1234), or several of these together; or reset every statement: reset_query_stats(all_statements => true).';
	END IF;
	IF scoped AND $4 THEN
		RAISE EXCEPTION 'all_statements => true cannot be combined with a scope'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('It was called with userid %s, dbid %s, queryid %s.', $1, $2, $3),
				  HINT = 'Pass either a scope (userid, dbid, queryid) or all_statements => true.';
	END IF;
	scope := CASE WHEN $4 THEN 'all statements'
				  ELSE pg_catalog.format('userid %s, dbid %s, queryid %s', $1, $2, $3) END;

	SELECT pg_catalog.count(*) FILTER (
			   WHERE ($1 OPERATOR(pg_catalog.=) 0 OR s.userid OPERATOR(pg_catalog.=) $1)
				 AND ($2 OPERATOR(pg_catalog.=) 0 OR s.dbid OPERATOR(pg_catalog.=) $2)
				 AND ($3 OPERATOR(pg_catalog.=) 0 OR s.queryid OPERATOR(pg_catalog.=) $3)),
		   coalesce(pg_catalog.bool_or(s.userid OPERATOR(pg_catalog.=) $1), false),
		   coalesce(pg_catalog.bool_or(s.dbid OPERATOR(pg_catalog.=) $2), false)
	INTO n_matched, user_has_entries, db_has_entries
	FROM pghero_internal._pgss_statements(false) s;

	IF $1 OPERATOR(pg_catalog.<>) 0 AND NOT user_has_entries
	   AND NOT EXISTS (SELECT FROM pg_catalog.pg_authid r
					   WHERE r.oid OPERATOR(pg_catalog.=) $1) THEN
		RAISE EXCEPTION 'role with OID % does not exist', $1
			USING ERRCODE = 'undefined_object',
				  DETAIL = 'pg_stat_statements has no entry for that userid either.',
				  HINT = 'pghero.query_stats shows the userid of each statement.';
	END IF;
	IF $2 OPERATOR(pg_catalog.<>) 0 AND NOT db_has_entries
	   AND NOT EXISTS (SELECT FROM pg_catalog.pg_database d
					   WHERE d.oid OPERATOR(pg_catalog.=) $2) THEN
		RAISE EXCEPTION 'database with OID % does not exist', $2
			USING ERRCODE = 'invalid_catalog_name',
				  DETAIL = 'pg_stat_statements has no entry for that dbid either.',
				  HINT = 'pghero.query_stats shows the dbid of each statement.';
	END IF;

	IF n_matched OPERATOR(pg_catalog.=) 0 AND scoped THEN
		PERFORM pghero_internal._audit('reset_query_stats', false,
			scope OPERATOR(pg_catalog.||) ': no entry matched, nothing was reset');
		RAISE WARNING 'no pg_stat_statements entry matched: nothing was reset'
			USING DETAIL = pg_catalog.format('No statement has %s.', scope),
				  HINT = 'pghero.query_stats shows the userid, dbid and queryid of each statement.';
		RETURN false;
	END IF;

	PERFORM pghero_internal._pgss_reset($1, $2, $3);

	PERFORM pghero_internal._audit('reset_query_stats', true,
		pg_catalog.format('%s: %s entries reset', scope, n_matched));
	RETURN true;
END
$$;

COMMENT ON FUNCTION @extschema@.reset_query_stats(oid, oid, bigint, boolean) IS
'Reset pg_stat_statements for a scope (pghero_admin): reset_query_stats(userid => ..., dbid => ..., queryid => ...), where a left-out argument (or 0) does not restrict, or everything with reset_query_stats(all_statements => true); without either it refuses with a hint. false with a warning when no entry matched; audited';

--------------------------------------------------------------------------
-- The audit log, as the dashboard shows it
--------------------------------------------------------------------------

CREATE VIEW @extschema@.audit_log AS
SELECT l.id,
	   l.logged_at,
	   l.role_name,
	   l.session_user_name,
	   l.action,
	   l.target_pid,
	   l.target_backend_start,
	   l.target_user AS target_username,
	   l.target_database,
	   l.target_query,
	   l.succeeded,
	   l.detail
FROM pghero_internal.audit_log l;

COMMENT ON VIEW @extschema@.audit_log IS
'Every cancel, terminate and reset asked of pghero, with who asked, the session aimed at and the outcome: done, refused, or nothing to act on (succeeded false, detail says why); newest has the highest id';

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

/* sql/src/19_issues.sql */

--------------------------------------------------------------------------
-- Current issues (1.2): one row per problem, none on a healthy server.
--
-- pghero.issues is the UNION ALL of one internal view per area, each with
-- the same eight columns (check_name, category, severity, database,
-- object, details, description, remediation).  Each check reads the live
-- views of the other topics and compares unrounded values with its
-- threshold (pghero.config()); details carries the unrounded numbers.
-- pghero's own relations never appear (the views read filter them out).
-- Nothing here waits for a relation lock: sizes and definitions come from
-- the lock-free helpers the views use.
--
-- What needs the collector or pg_stat_statements (which may be absent,
-- and whose views come later in the install script) is read by the
-- plpgsql functions below, which degrade to no row.
--------------------------------------------------------------------------

-- The collector's own state: a source whose last run failed, and, when the
-- library is preloaded, enabled and this database is pghero.database on a
-- primary, a collector that does not run.  Nothing, with a NOTICE, when
-- that state cannot be read without waiting for a lock.  When the library is not
-- preloaded nothing is said about the worker.
-- Whether pghero is in shared_preload_libraries (which only roles that may
-- read every setting may examine; the answer is harmless)
CREATE FUNCTION pghero_internal._preloaded()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT FROM pg_catalog.regexp_split_to_table(
						pg_catalog.current_setting('shared_preload_libraries'), '\s*,\s*') l
		WHERE pg_catalog.btrim(l, ' "') OPERATOR(pg_catalog.~) '(^|/)pghero$')
$$;

COMMENT ON FUNCTION pghero_internal._preloaded() IS
'Whether pghero is in shared_preload_libraries, whoever asks (internal)';

-- The NOTICE of a reader that found the collector's state locked by
-- another session (DDL: an upgrade, a restore, a LOCK TABLE) and went on
-- without it instead of waiting
CREATE FUNCTION pghero_internal._state_locked(consequence text, detail text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE NOTICE 'pghero: the collector''s state is locked by another session; %', consequence
		USING DETAIL = detail,
			  HINT = 'pghero''s readers do not wait for locks on its own tables, so as never to hold up other sessions; the lock ends with the other session''s transaction.';
END
$$;

COMMENT ON FUNCTION pghero_internal._state_locked(text, text) IS
'Report that a reader went on without the collector''s state, locked by another session (internal)';

CREATE FUNCTION pghero_internal._issues_collector()
RETURNS TABLE (check_name text, category text, severity text, database name, object text,
			   details jsonb, description text, remediation text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	preloaded boolean;
BEGIN
	PERFORM @extschema@.config();
	preloaded := pghero_internal._preloaded();
	RETURN QUERY
	SELECT 'collector_failing'::text, 'maintenance'::text, 'warning'::text,
		   pg_catalog.current_database(), c.source,
		   pg_catalog.jsonb_build_object('source', c.source, 'last_error', c.last_error,
										 'last_error_at', c.last_error_at,
										 'last_success_at', c.last_success_at,
										 'failures', c.failures),
		   pg_catalog.format('The collector''s %s capture failed at %s (last success: %s): its history has a gap from then on. Error: %s',
							 c.source, c.last_error_at, coalesce(c.last_success_at::text, 'never'), c.last_error),
		   pg_catalog.format('Fix the cause of the error, then check with SELECT * FROM pghero.capture(ARRAY[%L]); (as pghero_admin) and SELECT * FROM pghero.collector;', c.source)
	FROM @extschema@.collector c
	WHERE c.last_error_at IS NOT NULL
	  AND (c.last_success_at IS NULL OR c.last_error_at > c.last_success_at);
	IF preloaded
	   AND pg_catalog.current_setting('pghero.enabled')::boolean
	   AND NOT pg_catalog.pg_is_in_recovery()
	   AND pg_catalog.current_setting('pghero.database') = pg_catalog.current_database()
	   AND NOT EXISTS (SELECT FROM @extschema@.collector c WHERE c.worker_pid IS NOT NULL) THEN
		RETURN QUERY
		SELECT 'collector_not_running'::text, 'maintenance'::text, 'warning'::text,
			   pg_catalog.current_database(), NULL::text,
			   pg_catalog.jsonb_build_object('database', pg_catalog.current_database()),
			   'The pghero collector is not running although pghero is preloaded and enabled for this database: no history (query, activity and space) is being captured.'::text,
			   'SELECT pghero.start_collector(); (as pghero_admin), then look for its LOG lines in the server log if it stops again'::text;
	END IF;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._state_locked('the checks of the collector itself are left out', SQLERRM);
END
$$;

COMMENT ON FUNCTION pghero_internal._issues_collector() IS
'The collector''s findings of pghero.issues: failing capture sources, and a collector that does not run while it should (internal)';

-- Slow statements (PgHero's rule: the 100 statements of most total time,
-- then pghero.slow_query_calls and pghero.slow_query_ms, on unrounded
-- values), from the last 3 hours of history or live from
-- pg_stat_statements
CREATE FUNCTION pghero_internal._issues_slow(from_history boolean)
RETURNS TABLE (check_name text, category text, severity text, database name, object text,
			   details jsonb, description text, remediation text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	WITH q AS (
		SELECT s.database, s.queryid, s.query, s.calls, s.total_ms
		FROM (SELECT h.database, h.queryid, h.query, h.calls, h.total_time_ms AS total_ms
			  FROM @extschema@.query_stats_between(pg_catalog.now() - interval '3 hours', pg_catalog.now()) h
			  WHERE from_history
			  UNION ALL
			  SELECT l.database, l.queryid, l.query, l.calls, l.total_time_ms
			  FROM @extschema@.query_stats l
			  WHERE NOT from_history) s
		ORDER BY s.total_ms DESC
		LIMIT 100)
	SELECT 'slow_query'::text, 'performance'::text, 'warning'::text,
		   q.database, q.queryid::text,
		   pg_catalog.jsonb_build_object('queryid', q.queryid, 'calls', q.calls,
										 'total_time_ms', q.total_ms,
										 'mean_time_ms', q.total_ms / q.calls,
										 'threshold_ms', c.slow_query_ms,
										 'min_calls', c.slow_query_calls,
										 'source', CASE WHEN from_history THEN 'history (last 3 hours)' ELSE 'pg_stat_statements' END,
										 'query', pg_catalog.left(q.query, 1000)),
		   pg_catalog.format('A statement called %s times %s takes %s ms on average (pghero.slow_query_ms = %s), %s ms in all: %s',
							 q.calls, CASE WHEN from_history THEN 'in the last 3 hours' ELSE 'since pg_stat_statements was reset' END,
							 pg_catalog.round((q.total_ms / q.calls)::numeric, 1), c.slow_query_ms,
							 pg_catalog.round(q.total_ms::numeric), pg_catalog.left(q.query, 200)),
		   pg_catalog.format('EXPLAIN (ANALYZE, BUFFERS) the statement (queryid %s, SELECT query FROM pghero.query_stats WHERE queryid = %s) and add the index or rewrite it shows; see pghero.query_history(%s) for its trend', q.queryid, q.queryid, q.queryid)
	FROM q CROSS JOIN @extschema@.config() c
	WHERE q.calls >= c.slow_query_calls
	  AND q.total_ms / q.calls >= c.slow_query_ms
	  -- pghero's own readers (dashboards, probes polling health()) and
	  -- its collector are no findings
	  AND coalesce(q.query, '') !~ '\mpghero(_internal)?\.';
END
$$;

COMMENT ON FUNCTION pghero_internal._issues_slow(boolean) IS
'Slow statements for pghero.issues, from the last 3 hours of history or live from pg_stat_statements (internal)';

-- Slow statements from history when the collector captured statements
-- recently (live from pg_stat_statements otherwise, or when the history or
-- the collector's state is locked), and pg_stat_statements near its
-- maximum and evicting entries.
-- Nothing when pg_stat_statements is absent.
CREATE FUNCTION pghero_internal._issues_statements()
RETURNS TABLE (check_name text, category text, severity text, database name, object text,
			   details jsonb, description text, remediation text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	from_history boolean;
	entries bigint;
	max_entries bigint;
	deallocs bigint;
BEGIN
	PERFORM @extschema@.config();
	BEGIN
		from_history := EXISTS (
			SELECT FROM @extschema@.collector c
			WHERE c.source = 'statements'
			  AND c.last_success_at >= pg_catalog.now()
				  - pg_catalog.make_interval(secs => 3 * pghero_internal._setting_seconds('pghero.capture_interval')));
	EXCEPTION WHEN lock_not_available THEN
		-- the collector's state is locked: read pg_stat_statements now
		from_history := false;
	END;
	BEGIN
		BEGIN
			RETURN QUERY SELECT * FROM pghero_internal._issues_slow(from_history);
		EXCEPTION WHEN lock_not_available THEN
			RETURN QUERY SELECT * FROM pghero_internal._issues_slow(false);
		END;

		SELECT pg_catalog.count(*) INTO entries FROM pghero_internal._pgss_statements(false);
		max_entries := pg_catalog.current_setting('pg_stat_statements.max', true)::bigint;
		SELECT i.dealloc INTO deallocs FROM pghero_internal._pgss_info() i;
		IF deallocs > 0 AND entries >= 0.9 * max_entries THEN
			RETURN QUERY
			SELECT 'statements_deallocating'::text, 'performance'::text, 'warning'::text,
				   NULL::name, 'pg_stat_statements.max'::text,
				   pg_catalog.jsonb_build_object('entries', entries, 'max', max_entries,
												 'fill_percent', 100.0 * entries / max_entries,
												 'deallocations', deallocs),
				   pg_catalog.format('pg_stat_statements holds %s of its %s entries and has evicted the least used ones %s times since its last reset: statistics of rare statements are lost and query history becomes lossy.',
									 entries, max_entries, deallocs),
				   pg_catalog.format('ALTER SYSTEM SET pg_stat_statements.max = %s; then restart the server (or reduce distinct statements, e.g. pg_stat_statements.track = top)', max_entries * 2);
		END IF;
	EXCEPTION WHEN object_not_in_prerequisite_state OR feature_not_supported THEN
		RETURN;
	END;
END
$$;

COMMENT ON FUNCTION pghero_internal._issues_statements() IS
'The statement findings of pghero.issues: slow statements (from the last 3 hours of history when the collector captures them, else live) and pg_stat_statements evicting entries; none without pg_stat_statements (internal)';

--------------------------------------------------------------------------
-- Activity: sessions, connections, locks, old snapshots
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_activity AS
WITH a AS MATERIALIZED (
	SELECT * FROM pghero_internal._activity()),
waiters AS (
	SELECT l.pid, l.database AS datid, l.relation, l.waitstart,
		   greatest(w.read_at - coalesce(l.waitstart, w.query_start), '0'::interval) AS waited,
		   w.usename, w.query, w.datname
	FROM pg_catalog.pg_locks l
		 JOIN a w ON w.pid = l.pid
	WHERE NOT l.granted
	  AND l.mode = 'AccessExclusiveLock'
	  AND l.locktype = 'relation'),
blocked AS (
	SELECT b.pid AS blocked_pid, bp.pid AS blocking_pid
	FROM a b
		 CROSS JOIN LATERAL pg_catalog.unnest(pg_catalog.pg_blocking_pids(b.pid)) AS bp(pid)
	WHERE b.wait_event_type = 'Lock'),
queue AS (
	SELECT w.*,
		   (SELECT pg_catalog.count(*) FROM blocked k WHERE k.blocking_pid = w.pid) AS sessions_blocked,
		   ARRAY(SELECT k.blocking_pid FROM blocked k WHERE k.blocked_pid = w.pid ORDER BY 1) AS waits_for,
		   CASE WHEN w.datid = (SELECT d.oid FROM pg_catalog.pg_database d
								WHERE d.datname = pg_catalog.current_database())
				THEN (SELECT pg_catalog.format('%s.%s', n.nspname, c.relname)
					  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
					  WHERE c.oid = w.relation)
		   END AS relname
	FROM waiters w),
cs AS (SELECT * FROM @extschema@.connection_summary)
-- long-running queries (PgHero: more than pghero.long_running_query_sec)
SELECT 'long_running_query'::text AS check_name,
	   'performance'::text AS category,
	   'warning'::text AS severity,
	   q.database,
	   q.pid::text AS object,
	   pg_catalog.jsonb_build_object('pid', q.pid, 'username', q.username, 'state', q.state,
									 'duration_ms', q.duration_ms, 'threshold_sec', c.long_running_query_sec,
									 'application_name', q.application_name,
									 'query', pg_catalog.left(q.query, 1000)) AS details,
	   pg_catalog.format('Session %s (%s) has been running one query for %s (pghero.long_running_query_sec = %s): it holds its locks and snapshot, and keeps vacuum from removing dead rows. Query: %s',
						 q.pid, q.username, q.duration, c.long_running_query_sec,
						 pg_catalog.left(q.query, 200)) AS description,
	   pg_catalog.format('SELECT pghero.cancel(%s, %L); (as pghero_admin), and set a limit: ALTER ROLE %I SET statement_timeout = ''%ss'';',
						 q.pid, q.backend_start, q.username, c.long_running_query_sec) AS remediation
FROM @extschema@.long_running_queries q
	 CROSS JOIN @extschema@.config() c
UNION ALL
-- high number of connections (PgHero)
SELECT 'high_connections', 'capacity',
	   CASE WHEN s.total_connections >= s.available_connections THEN 'critical' ELSE 'warning' END,
	   NULL, NULL,
	   pg_catalog.jsonb_build_object('total_connections', s.total_connections,
									 'threshold', c.total_connections_threshold,
									 'max_connections', s.max_connections,
									 'available_connections', s.available_connections),
	   pg_catalog.format('%s client connections are open (pghero.total_connections_threshold = %s), of %s that ordinary roles may open: each costs memory and, once none is left, new connections are refused.',
						 s.total_connections, c.total_connections_threshold, s.available_connections),
	   'Put a connection pooler (PgBouncer) in front of the server or lower the applications'' pool sizes; see SELECT * FROM pghero.connection_sources ORDER BY total_connections DESC;'
FROM cs s CROSS JOIN @extschema@.config() c
WHERE s.high_connections
UNION ALL
-- many sessions idle in transaction (PgHero)
SELECT 'high_idle_in_transaction', 'capacity', 'warning', NULL, NULL,
	   pg_catalog.jsonb_build_object('idle_in_transaction_connections', s.idle_in_transaction_connections,
									 'threshold', c.idle_in_transaction_threshold),
	   pg_catalog.format('%s sessions are idle in a transaction (pghero.idle_in_transaction_threshold = %s): they hold connections, locks and old snapshots that keep vacuum from removing dead rows.',
						 s.idle_in_transaction_connections, c.idle_in_transaction_threshold),
	   'Fix the applications that leave transactions open, and set a limit: ALTER SYSTEM SET idle_in_transaction_session_timeout = ''5min''; SELECT pg_reload_conf();'
FROM cs s CROSS JOIN @extschema@.config() c
WHERE s.high_idle_in_transaction
UNION ALL
-- lock queue: an ACCESS EXCLUSIVE request waiting while others wait behind it
SELECT 'lock_queue', 'availability', 'critical', q.datname,
	   coalesce(q.relname, 'relation ' || q.relation),
	   pg_catalog.jsonb_build_object('pid', q.pid, 'username', q.usename,
									 'waited_ms', pg_catalog.extract('epoch', q.waited) * 1000,
									 'threshold_sec', c.lock_wait_threshold,
									 'sessions_blocked', q.sessions_blocked,
									 'waits_for', pg_catalog.to_jsonb(q.waits_for),
									 'query', pg_catalog.left(q.query, 1000)),
	   pg_catalog.format('Session %s has waited %s for an ACCESS EXCLUSIVE lock on %s, behind session(s) %s, and %s other session(s) now queue behind it: every read and write of the table waits.',
						 q.pid, pg_catalog.date_trunc('milliseconds', q.waited),
						 coalesce(q.relname, 'relation ' || q.relation),
						 pg_catalog.array_to_string(q.waits_for, ', '), q.sessions_blocked),
	   pg_catalog.format('Cancel the waiting statement: SELECT pghero.cancel(%s); (as pghero_admin), or end the session(s) it waits for (pghero.terminate); run DDL with SET lock_timeout = ''5s'' and retry.',
						 q.pid)
FROM queue q CROSS JOIN @extschema@.config() c
WHERE q.sessions_blocked > 0
  AND q.waited > pg_catalog.make_interval(secs => c.lock_wait_threshold)
UNION ALL
-- sessions holding back the xmin horizon
SELECT 'xmin_horizon', 'maintenance', 'warning', h.datname, h.pid::text,
	   pg_catalog.jsonb_build_object('pid', h.pid, 'username', h.usename, 'state', h.state,
									 'xmin_age', h.xmin_age, 'threshold', c.xmin_horizon_age,
									 'transaction_duration_ms',
									 pg_catalog.extract('epoch', h.read_at - h.xact_start) * 1000,
									 'query', pg_catalog.left(h.query, 1000)),
	   pg_catalog.format('Session %s (%s, %s) holds a snapshot %s transactions old (pghero.xmin_horizon_age = %s): vacuum cannot remove any row deleted or updated since, anywhere in the cluster, and tables bloat.',
						 h.pid, h.usename, h.state, h.xmin_age, c.xmin_horizon_age),
	   pg_catalog.format('End the transaction (COMMIT or ROLLBACK in its application), or SELECT pghero.terminate(%s, %L); (as pghero_admin); set idle_in_transaction_session_timeout to prevent it.',
						 h.pid, h.backend_start)
FROM (SELECT s.*,
			 greatest(pg_catalog.age(s.backend_xmin), pg_catalog.age(s.backend_xid))::bigint AS xmin_age
	  FROM a s
	  WHERE s.pid <> pg_catalog.pg_backend_pid()
		AND (s.backend_xmin IS NOT NULL OR s.backend_xid IS NOT NULL)) h
	 CROSS JOIN @extschema@.config() c
WHERE h.xmin_age > c.xmin_horizon_age
UNION ALL
-- old prepared transactions
SELECT 'prepared_transaction', 'maintenance', 'warning', p.database, p.gid,
	   pg_catalog.jsonb_build_object('gid', p.gid, 'owner', p.owner, 'prepared', p.prepared,
									 'age_ms', pg_catalog.extract('epoch', pg_catalog.now() - p.prepared) * 1000,
									 'xid_age', pg_catalog.age(p.transaction)::bigint,
									 'threshold_sec', c.prepared_xact_age),
	   pg_catalog.format('Transaction %L was prepared %s ago (pghero.prepared_xact_age = %ss) and is neither committed nor rolled back: it keeps its locks and holds back vacuum (%s transactions old) until it is, even across restarts.',
						 p.gid, pg_catalog.date_trunc('seconds', pg_catalog.now() - p.prepared),
						 c.prepared_xact_age, pg_catalog.age(p.transaction)),
	   pg_catalog.format('Connected to database %I, as %I or a superuser: COMMIT PREPARED %L; or ROLLBACK PREPARED %L; (ask its transaction manager which)',
						 p.database, p.owner, p.gid, p.gid)
FROM pg_catalog.pg_prepared_xacts p
	 CROSS JOIN @extschema@.config() c
WHERE pg_catalog.now() - p.prepared > pg_catalog.make_interval(secs => c.prepared_xact_age);

COMMENT ON VIEW pghero_internal._issues_activity IS
'Findings of pghero.issues about sessions: long-running queries, connections, lock queues, old snapshots, prepared transactions (internal)';

--------------------------------------------------------------------------
-- Maintenance: wraparound, invalid objects, autovacuum, configuration
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_maintenance AS
WITH w AS (
	SELECT d.*,
		   CASE WHEN d.relname IS NOT NULL THEN pg_catalog.format('%s.%s', d.schemaname, d.relname) END AS obj
	FROM @extschema@.transaction_id_danger d),
dead AS (
	-- pg_stat_all_tables' counters, read only for the tables that have
	-- dead rows (the threshold is never negative)
	SELECT n.nspname AS schemaname, cl.relname, cl.oid AS relid,
		   pg_catalog.pg_stat_get_dead_tuples(cl.oid) AS n_dead_tup,
		   pg_catalog.pg_stat_get_last_autovacuum_time(cl.oid) AS last_autovacuum,
		   pg_catalog.pg_stat_get_last_vacuum_time(cl.oid) AS last_vacuum,
		   cl.reltuples,
		   coalesce((SELECT o.option_value::boolean FROM pg_catalog.pg_options_to_table(cl.reloptions) o
					 WHERE o.option_name = 'autovacuum_enabled'), true)
		   AND pg_catalog.current_setting('autovacuum')::boolean AS autovacuum_enabled,
		   coalesce((SELECT o.option_value::float8 FROM pg_catalog.pg_options_to_table(cl.reloptions) o
					 WHERE o.option_name = 'autovacuum_vacuum_threshold'),
					pg_catalog.current_setting('autovacuum_vacuum_threshold')::float8)
		   + coalesce((SELECT o.option_value::float8 FROM pg_catalog.pg_options_to_table(cl.reloptions) o
					   WHERE o.option_name = 'autovacuum_vacuum_scale_factor'),
					  pg_catalog.current_setting('autovacuum_vacuum_scale_factor')::float8)
			 * greatest(cl.reltuples, 0) AS vacuum_threshold
	FROM pg_catalog.pg_class cl
		 JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
	WHERE cl.relkind IN ('r', 'm')
	  AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast'])
	  AND NOT pghero_internal._is_own_schema(cl.relnamespace)
	  AND pg_catalog.pg_stat_get_dead_tuples(cl.oid) > 0)
-- transaction IDs (PgHero's transaction_id_danger, tables and databases)
SELECT 'transaction_id_wraparound'::text AS check_name,
	   'availability'::text AS category,
	   CASE WHEN w.transactions_left < 100000000 THEN 'critical' ELSE 'warning' END::text AS severity,
	   w.database,
	   w.obj AS object,
	   pg_catalog.jsonb_build_object('kind', w.kind, 'xid_age', w.xid_age,
									 'transactions_left', w.transactions_left,
									 'threshold', c.transaction_id_danger) AS details,
	   pg_catalog.format('%s %s is %s transactions old: writes will stop in about %s transactions, when the server refuses new transaction IDs to prevent wraparound (pghero.transaction_id_danger = %s).',
						 pg_catalog.initcap(w.kind), coalesce(w.obj, w.database), w.xid_age,
						 w.transactions_left, c.transaction_id_danger) AS description,
	   CASE WHEN w.kind = 'table'
			THEN pg_catalog.format('VACUUM (FREEZE, VERBOSE) %I.%I; (end old transactions and drop unused replication slots first: see pghero.issues check xmin_horizon)', w.schemaname, w.relname)
			ELSE pg_catalog.format('vacuumdb --freeze --dbname=%s (or VACUUM (FREEZE, VERBOSE); connected to it), after ending old transactions; raise autovacuum_vacuum_cost_limit if autovacuum falls behind', w.database)
	   END AS remediation
FROM w CROSS JOIN @extschema@.config() c
WHERE w.transactions_left < c.transaction_id_danger
UNION ALL
-- multixact IDs
SELECT 'multixact_wraparound', 'availability',
	   CASE WHEN w.multixacts_left < 100000000 THEN 'critical' ELSE 'warning' END,
	   w.database, w.obj,
	   pg_catalog.jsonb_build_object('kind', w.kind, 'mxid_age', w.mxid_age,
									 'multixacts_left', w.multixacts_left,
									 'threshold', c.transaction_id_danger),
	   pg_catalog.format('%s %s is %s multixacts old: writes that lock rows will stop in about %s multixacts, when the server refuses new multixact IDs to prevent wraparound (pghero.transaction_id_danger = %s).',
						 pg_catalog.initcap(w.kind), coalesce(w.obj, w.database), w.mxid_age,
						 w.multixacts_left, c.transaction_id_danger),
	   CASE WHEN w.kind = 'table'
			THEN pg_catalog.format('VACUUM (FREEZE, VERBOSE) %I.%I;', w.schemaname, w.relname)
			ELSE pg_catalog.format('vacuumdb --freeze --dbname=%s (or VACUUM (FREEZE, VERBOSE); connected to it)', w.database)
	   END
FROM w CROSS JOIN @extschema@.config() c
WHERE w.multixacts_left < c.transaction_id_danger
UNION ALL
-- a forced anti-wraparound autovacuum is near (autovacuum_danger)
SELECT 'anti_wraparound_vacuum', 'maintenance', 'info', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', v.schemaname, v.relname),
	   pg_catalog.jsonb_build_object('xid_age', v.xid_age, 'freeze_max_age', v.freeze_max_age,
									 'transactions_left', v.transactions_left,
									 'mxid_age', v.mxid_age,
									 'multixact_freeze_max_age', v.multixact_freeze_max_age,
									 'multixacts_left', v.multixacts_left),
	   pg_catalog.format('Table %s.%s is within %s transactions (%s multixacts) of a forced anti-wraparound autovacuum, which cannot be cancelled and blocks DDL on it while it runs.',
						 v.schemaname, v.relname, v.transactions_left, v.multixacts_left),
	   pg_catalog.format('VACUUM (FREEZE, VERBOSE) %I.%I; at a quiet time', v.schemaname, v.relname)
FROM @extschema@.autovacuum_danger v
UNION ALL
SELECT 'invalid_index', 'performance', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', i.schemaname, i.indexname),
	   pg_catalog.jsonb_build_object('table', pg_catalog.format('%s.%s', i.schemaname, i.tablename),
									 'size_bytes', i.size_bytes, 'definition', i.definition),
	   pg_catalog.format('Index %s.%s on %s is invalid (a failed CREATE INDEX CONCURRENTLY or REINDEX): queries cannot use it, yet every write to the table still maintains it (%s bytes).',
						 i.schemaname, i.indexname, i.tablename, i.size_bytes),
	   i.fix_sql || '; (or DROP INDEX CONCURRENTLY and create it again)'
FROM @extschema@.invalid_indexes i
WHERE NOT pghero_internal._is_own(i.table_relid)
UNION ALL
SELECT 'invalid_constraint', 'maintenance', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s.%s', k.schemaname, k.tablename, k.constraint_name),
	   pg_catalog.jsonb_build_object('table', pg_catalog.format('%s.%s', k.schemaname, k.tablename),
									 'constraint', k.constraint_name, 'type', k.type,
									 'definition', k.definition),
	   pg_catalog.format('The %s constraint %s of %s.%s was added NOT VALID and never validated: rows older than it may violate it, and the planner cannot rely on it.',
						 k.type, k.constraint_name, k.schemaname, k.tablename),
	   k.fix_sql || ';'
FROM @extschema@.invalid_constraints k
WHERE NOT pghero_internal._is_own(k.table_relid)
UNION ALL
-- autovacuum has not run although the dead rows passed its threshold
SELECT 'autovacuum_behind', 'maintenance', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', d.schemaname, d.relname),
	   pg_catalog.jsonb_build_object('dead_rows', d.n_dead_tup, 'vacuum_threshold', d.vacuum_threshold,
									 'estimated_rows', d.reltuples,
									 'autovacuum_enabled', d.autovacuum_enabled,
									 'last_autovacuum', d.last_autovacuum, 'last_vacuum', d.last_vacuum),
	   pg_catalog.format('Table %s.%s has %s dead rows, past its autovacuum threshold of %s, and %s: the dead rows take space and slow scans until it is vacuumed.',
						 d.schemaname, d.relname, d.n_dead_tup, pg_catalog.round(d.vacuum_threshold::numeric),
						 CASE WHEN NOT d.autovacuum_enabled THEN 'autovacuum is disabled for it'
							  WHEN coalesce(d.last_autovacuum, d.last_vacuum) IS NULL THEN 'it was never vacuumed'
							  ELSE 'it was not vacuumed in the last hour' END),
	   pg_catalog.format('VACUUM (VERBOSE, ANALYZE) %I.%I;%s', d.schemaname, d.relname,
						 CASE WHEN NOT d.autovacuum_enabled
							  THEN pg_catalog.format(' and ALTER TABLE %I.%I RESET (autovacuum_enabled); (or autovacuum = on)', d.schemaname, d.relname)
							  ELSE ' and check that autovacuum keeps up (autovacuum_max_workers, autovacuum_vacuum_cost_limit; pghero.vacuum_progress)' END)
FROM dead d
WHERE d.n_dead_tup > d.vacuum_threshold
  AND (NOT d.autovacuum_enabled
	   OR greatest(d.last_autovacuum, d.last_vacuum) IS NULL
	   OR greatest(d.last_autovacuum, d.last_vacuum) < pg_catalog.now() - interval '1 hour')
  AND NOT EXISTS (SELECT FROM pghero_internal._vacuum_progress() p WHERE p.relid = d.relid)
UNION ALL
SELECT 'settings_pending_restart', 'maintenance', 'info', NULL, s.name,
	   pg_catalog.jsonb_build_object('setting', s.name, 'current_value', s.setting, 'unit', s.unit),
	   pg_catalog.format('Setting %s was changed in the configuration but keeps its value %s%s until the server restarts.',
						 s.name, s.setting, coalesce(s.unit, '')),
	   'Restart the server at a convenient time (pg_ctl restart), or revert the change in postgresql.conf / ALTER SYSTEM RESET ' || s.name || ';'
FROM pg_catalog.pg_settings s
WHERE s.pending_restart
UNION ALL
SELECT 'collation_version_mismatch', 'maintenance', 'warning', v.datname, NULL,
	   pg_catalog.jsonb_build_object('recorded_version', v.recorded_version, 'actual_version', v.actual_version),
	   pg_catalog.format('Database %s was created with collation version %s but the operating system now provides %s: indexes on text columns may be corrupt (rows missed or duplicated) until rebuilt.',
						 v.datname, v.recorded_version, v.actual_version),
	   pg_catalog.format('Connected to database %I: REINDEX DATABASE %I; then ALTER DATABASE %I REFRESH COLLATION VERSION;',
						 v.datname, v.datname, v.datname)
FROM pghero_internal._collation_versions() v
WHERE v.recorded_version IS DISTINCT FROM v.actual_version
  AND v.recorded_version IS NOT NULL
  AND v.actual_version IS NOT NULL
UNION ALL
SELECT * FROM pghero_internal._issues_collector();

COMMENT ON VIEW pghero_internal._issues_maintenance IS
'Findings of pghero.issues about maintenance: wraparound, invalid indexes and constraints, autovacuum falling behind, settings, collations, the collector (internal)';

--------------------------------------------------------------------------
-- Capacity: sequences and bloat
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_capacity AS
SELECT 'sequence_near_max'::text AS check_name,
	   'capacity'::text AS category,
	   CASE WHEN 100.0 * s.last_value / s.max_value > 99 THEN 'critical' ELSE 'warning' END::text AS severity,
	   pg_catalog.current_database() AS database,
	   pg_catalog.format('%s.%s.%s', s.schemaname, s.relname, s.column_name) AS object,
	   pg_catalog.jsonb_build_object('sequence', pg_catalog.format('%s.%s', s.sequence_schema, s.sequence_name),
									 'column_type', s.column_type, 'last_value', s.last_value,
									 'max_value', s.max_value, 'values_left', s.values_left,
									 'percent_used', 100.0 * s.last_value / s.max_value,
									 'threshold_percent', c.sequence_danger_percent) AS details,
	   pg_catalog.format('Column %s.%s.%s (%s) has used %s%% of its range: inserts will fail after %s more values.',
						 s.schemaname, s.relname, s.column_name, s.column_type, s.percent_used, s.values_left) AS description,
	   CASE WHEN s.column_type IN ('smallint', 'integer')
			THEN pg_catalog.format('ALTER TABLE %I.%I ALTER COLUMN %I TYPE bigint; (rewrites the table under an ACCESS EXCLUSIVE lock) and ALTER SEQUENCE %I.%I AS bigint;',
								   s.schemaname, s.relname, s.column_name, s.sequence_schema, s.sequence_name)
			ELSE pg_catalog.format('ALTER SEQUENCE %I.%I MAXVALUE ... or CYCLE, or move to a wider key', s.sequence_schema, s.sequence_name)
	   END AS remediation
FROM @extschema@.sequence_danger s
	 CROSS JOIN @extschema@.config() c
UNION ALL
SELECT 'table_bloat', 'capacity', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', b.schemaname, b.relname),
	   pg_catalog.jsonb_build_object('table_bytes', b.table_bytes, 'bloat_bytes', b.bloat_bytes,
									 'bloat_percent', 100.0 * b.bloat_bytes / b.table_bytes,
									 'threshold_percent', c.bloat_percent_threshold,
									 'min_bytes', c.index_bloat_min_bytes),
	   pg_catalog.format('Table %s.%s wastes an estimated %s of its %s (%s%%; pghero.bloat_percent_threshold = %s): scans read the wasted pages too.',
						 b.schemaname, b.relname, b.bloat_size, b.table_size,
						 pg_catalog.round(100.0 * b.bloat_bytes / b.table_bytes, 1), c.bloat_percent_threshold),
	   pg_catalog.format('VACUUM (VERBOSE) %I.%I; lets the space be reused; to give it back, VACUUM FULL %I.%I; (ACCESS EXCLUSIVE lock) or pg_repack', b.schemaname, b.relname, b.schemaname, b.relname)
FROM @extschema@.table_bloat b
	 CROSS JOIN @extschema@.config() c
WHERE b.table_bytes > 0
  AND 100.0 * b.bloat_bytes / b.table_bytes > c.bloat_percent_threshold
  AND b.bloat_bytes >= c.index_bloat_min_bytes
  AND NOT pghero_internal._is_own(b.relid)
UNION ALL
SELECT 'index_bloat', 'capacity', 'warning', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', b.schemaname, b.indexname),
	   pg_catalog.jsonb_build_object('index_bytes', b.index_bytes, 'bloat_bytes', b.bloat_bytes,
									 'bloat_percent', 100.0 * b.bloat_bytes / b.index_bytes,
									 'threshold_percent', c.bloat_percent_threshold,
									 'min_bytes', c.index_bloat_min_bytes),
	   pg_catalog.format('Index %s.%s wastes an estimated %s of its %s (%s%%; pghero.bloat_percent_threshold = %s): it uses more memory and I/O than needed.',
						 b.schemaname, b.indexname, b.bloat_size, b.index_size,
						 pg_catalog.round(100.0 * b.bloat_bytes / b.index_bytes, 1), c.bloat_percent_threshold),
	   b.fix_sql || ';'
FROM @extschema@.index_bloat b
	 CROSS JOIN @extschema@.config() c
WHERE b.index_bytes > 0
  AND 100.0 * b.bloat_bytes / b.index_bytes > c.bloat_percent_threshold
  AND NOT pghero_internal._is_own(b.table_relid)
-- the file systems of the data directory and of pg_wal (when it is on
-- another one): available space or inodes below pghero.disk_free_percent,
-- critical below half of it (file systems that report no inodes are
-- judged by their space)
UNION ALL
SELECT 'disk_space_low', 'capacity',
	   CASE WHEN LEAST(f.available_percent, f.inodes_free_percent) < c.disk_free_percent / 2
			THEN 'critical' ELSE 'warning' END,
	   NULL::name,
	   f.kind,
	   pg_catalog.jsonb_build_object('filesystem', f.kind, 'total_bytes', f.total_bytes,
									 'available_bytes', f.available_bytes,
									 'available_percent', f.available_percent,
									 'inodes_total', f.inodes_total, 'inodes_free', f.inodes_free,
									 'inodes_free_percent', f.inodes_free_percent,
									 'threshold_percent', c.disk_free_percent),
	   pg_catalog.format('The file system of the %s has %s available of %s (%s%% of its space, %s%% of its inodes free; pghero.disk_free_percent = %s): %s',
						 CASE f.kind WHEN 'data' THEN 'data directory' ELSE 'WAL (pg_wal)' END,
						 pg_catalog.pg_size_pretty(f.available_bytes), pg_catalog.pg_size_pretty(f.total_bytes),
						 pg_catalog.round(f.available_percent, 1),
						 coalesce(pg_catalog.round(f.inodes_free_percent, 1)::text, 'unknown'),
						 c.disk_free_percent,
						 CASE f.kind
							  WHEN 'data' THEN CASE WHEN f.wal_here
								   THEN 'once it is full, writes fail (could not extend file) and, since pg_wal is on it too, the server stops (PANIC) and does not start again until space is freed.'
								   ELSE 'once it is full, writes fail (could not extend file) and checkpoints fail.' END
							  ELSE 'once it is full, the server stops (PANIC) and does not start again until space is freed.' END),
	   CASE f.kind
			WHEN 'data' THEN 'Grow the file system or free space on it: see what grows in pghero.space_growth() and pghero.relation_sizes, drop or truncate what is not needed, VACUUM FULL or pg_repack bloated tables (pghero.table_bloat); never delete files under the data directory by hand'
			ELSE 'Find what keeps WAL: inactive slots (SELECT * FROM pghero.replication_slots;, then SELECT pg_drop_replication_slot(''...'');), failing archiving (SELECT * FROM pg_stat_archiver;), a high max_wal_size or wal_keep_size; then grow the file system; never delete files in pg_wal by hand' END
FROM (SELECT fs.kind, fs.same_as_data, fs.total_bytes, fs.available_bytes, fs.inodes_total, fs.inodes_free,
			 100 * fs.available_bytes / NULLIF(fs.total_bytes, 0) AS available_percent,
			 100 * fs.inodes_free / NULLIF(fs.inodes_total, 0) AS inodes_free_percent,
			 pg_catalog.bool_or(fs.kind = 'wal' AND fs.same_as_data) OVER () AS wal_here
	  FROM pghero_internal._filesystems() fs) f
	 CROSS JOIN @extschema@.config() c
WHERE (f.kind = 'data' OR NOT f.same_as_data)
  AND (f.available_percent < c.disk_free_percent
	   OR f.inodes_free_percent < c.disk_free_percent);

COMMENT ON VIEW pghero_internal._issues_capacity IS
'Findings of pghero.issues about capacity: sequences near their maximum, bloated tables and indexes, file systems running out of space (internal)';

--------------------------------------------------------------------------
-- Replication and WAL
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_replication AS
SELECT 'replication_lag'::text AS check_name,
	   'availability'::text AS category,
	   'warning'::text AS severity,
	   NULL::name AS database,
	   CASE WHEN r.role = 'primary' THEN coalesce(r.application_name, r.pid::text) END AS object,
	   pg_catalog.jsonb_build_object('role', r.role, 'lag_ms', r.lag_ms, 'lag_bytes', r.lag_bytes,
									 'threshold_ms', 5000) AS details,
	   CASE WHEN r.role = 'standby'
			THEN pg_catalog.format('This standby replays %s behind its primary (%s bytes; more than 5 seconds): reads here see old data.', r.lag, r.lag_bytes)
			ELSE pg_catalog.format('Standby %s replays %s behind (%s bytes; more than 5 seconds): a failover to it would lose or wait for that much.', coalesce(r.application_name, r.pid::text), r.lag, r.lag_bytes)
	   END AS description,
	   'Look for long queries on the standby (hot_standby_feedback, max_standby_streaming_delay), network or disk limits, and SELECT * FROM pghero.replication;'::text AS remediation
FROM @extschema@.replication r
WHERE r.lag_ms > 5000
UNION ALL
SELECT 'inactive_replication_slot', 'capacity', 'warning', s.database, s.slot_name,
	   pg_catalog.jsonb_build_object('slot_type', s.slot_type, 'retained_wal_bytes', s.retained_wal_bytes,
									 'xmin_age', s.xmin_age, 'catalog_xmin_age', s.catalog_xmin_age),
	   pg_catalog.format('Replication slot %s is inactive: it retains %s of WAL (and growing) and may hold back vacuum until a consumer connects or it is dropped; the disk can fill up.',
						 s.slot_name, coalesce(s.retained_wal, '0 bytes')),
	   pg_catalog.format('If no consumer will use it again: SELECT pg_drop_replication_slot(%L);', s.slot_name)
FROM @extschema@.replication_slots s
WHERE NOT s.active
  AND NOT s.temporary
  AND s.wal_status IS DISTINCT FROM 'lost'
UNION ALL
SELECT 'slot_wal_status', 'availability',
	   CASE WHEN s.wal_status = 'lost' THEN 'critical' ELSE 'warning' END,
	   s.database, s.slot_name,
	   pg_catalog.jsonb_build_object('wal_status', s.wal_status, 'active', s.active,
									 'safe_wal_bytes', s.safe_wal_bytes),
	   CASE WHEN s.wal_status = 'lost'
			THEN pg_catalog.format('Replication slot %s has lost WAL its consumer still needed (max_slot_wal_keep_size): that standby or subscriber cannot continue and must be rebuilt.', s.slot_name)
			ELSE pg_catalog.format('Replication slot %s retains more WAL than max_wal_size and the next checkpoint may remove WAL its consumer needs (wal_status unreserved).', s.slot_name)
	   END,
	   CASE WHEN s.wal_status = 'lost'
			THEN pg_catalog.format('SELECT pg_drop_replication_slot(%L); then rebuild the standby (pg_basebackup) or resynchronize the subscription', s.slot_name)
			ELSE 'Make the consumer catch up now, or raise max_slot_wal_keep_size'
	   END
FROM @extschema@.replication_slots s
WHERE s.wal_status IN ('unreserved', 'lost')
UNION ALL
SELECT 'wal_archiving_failing', 'availability', 'critical', NULL, NULL,
	   pg_catalog.jsonb_build_object('failed_count', a.failed_count, 'last_failed_wal', a.last_failed_wal,
									 'last_failed_time', a.last_failed_time,
									 'last_archived_wal', a.last_archived_wal,
									 'last_archived_time', a.last_archived_time),
	   pg_catalog.format('WAL archiving fails (last failure at %s on %s; last success: %s): WAL accumulates in pg_wal until the disk fills, and point-in-time recovery past the last archived segment is impossible.',
						 a.last_failed_time, a.last_failed_wal, coalesce(a.last_archived_time::text, 'never')),
	   'Fix archive_command (or archive_library) so that it succeeds, looking at its errors in the server log; then SELECT pg_switch_wal(); and check pg_stat_archiver'
FROM pg_catalog.pg_stat_archiver a
WHERE pg_catalog.current_setting('archive_mode') <> 'off'
  AND a.last_failed_time IS NOT NULL
  AND (a.last_archived_time IS NULL OR a.last_failed_time > a.last_archived_time);

COMMENT ON VIEW pghero_internal._issues_replication IS
'Findings of pghero.issues about replication and WAL: lag, inactive or lost slots, failing archiving (internal)';

--------------------------------------------------------------------------
-- Performance: statements, indexes, caches, temporary files, checkpoints
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_performance AS
WITH ck AS (
	SELECT k.counters[1] AS timed, k.counters[2] AS requested, k.stats_reset
	FROM pghero_internal._checkpoint_counters() k)
SELECT 'duplicate_index'::text AS check_name,
	   'performance'::text AS category,
	   'warning'::text AS severity,
	   pg_catalog.current_database() AS database,
	   pg_catalog.format('%s.%s', d.schemaname, d.unneeded_index) AS object,
	   pg_catalog.jsonb_build_object('table', pg_catalog.format('%s.%s', d.schemaname, d.tablename),
									 'covering_index', pg_catalog.format('%s.%s', d.schemaname, d.covering_index),
									 'size_bytes', d.size_bytes,
									 'definition', d.unneeded_definition,
									 'covering_definition', d.covering_definition) AS details,
	   pg_catalog.format('Index %s.%s is covered by %s: it serves no query the other cannot, yet costs %s of space and work on every write.',
						 d.schemaname, d.unneeded_index, d.covering_index, d.size) AS description,
	   d.fix_sql || ';' AS remediation
FROM (SELECT DISTINCT ON (x.schemaname, x.unneeded_index) x.*
	  FROM @extschema@.duplicate_indexes x
	  ORDER BY x.schemaname, x.unneeded_index, x.covering_index) d
UNION ALL
SELECT 'unused_index', 'performance', 'info', pg_catalog.current_database(),
	   pg_catalog.format('%s.%s', u.schemaname, u.indexname),
	   pg_catalog.jsonb_build_object('table', pg_catalog.format('%s.%s', u.schemaname, u.tablename),
									 'size_bytes', u.size_bytes, 'index_scans', u.index_scans,
									 'stats_reset', u.stats_reset, 'definition', u.definition),
	   pg_catalog.format('Index %s.%s (%s) was never scanned since the statistics were reset (%s ago): it costs space and work on every write.',
						 u.schemaname, u.indexname, u.size, coalesce(u.stats_age, 'never reset')),
	   u.fix_sql || '; (after checking the standbys, where it may be used)'
FROM @extschema@.unused_indexes u
UNION ALL
SELECT 'cache_hit_rate', 'performance', 'info', pg_catalog.current_database(), h.kind,
	   pg_catalog.jsonb_build_object('kind', h.kind, 'blocks_hit', h.blocks_hit, 'blocks_read', h.blocks_read,
									 'hit_rate', 100.0 * h.blocks_hit / (h.blocks_hit + h.blocks_read),
									 'threshold', h.threshold),
	   pg_catalog.format('Only %s%% of %s block reads are served from shared buffers (pghero.cache_hit_rate_threshold = %s): the rest is read from the operating system or disk.',
						 h.hit_rate, h.kind, h.threshold),
	   'Raise shared_buffers (restart) or add memory if the working set does not fit; look for sequential scans: SELECT * FROM pghero.missing_indexes;'
FROM @extschema@.cache_hit_rates h
WHERE NOT h.healthy
  -- a rate over fewer block reads says nothing yet
  AND h.blocks_hit + h.blocks_read >= 10000
UNION ALL
SELECT 'temp_file_spills', 'performance', 'info', d.datname, NULL,
	   pg_catalog.jsonb_build_object('temp_bytes', d.temp_bytes, 'temp_files', d.temp_files,
									 'threshold_bytes', c.temp_bytes_threshold, 'stats_reset', d.stats_reset),
	   pg_catalog.format('Queries of database %s wrote %s to %s temporary files since %s (pghero.temp_bytes_threshold = %s): sorts and hashes that do not fit in work_mem run from disk.',
						 d.datname, pg_catalog.pg_size_pretty(d.temp_bytes), d.temp_files,
						 coalesce(d.stats_reset::text, 'the statistics were reset'),
						 pg_catalog.pg_size_pretty(c.temp_bytes_threshold)),
	   'Find the statements: SELECT query, temp_blks_written FROM pghero.query_stats ORDER BY temp_blks_written DESC LIMIT 10; then add indexes or raise work_mem for them (ALTER ROLE ... SET work_mem); log_temp_files shows each spill'
FROM pg_catalog.pg_stat_database d
	 CROSS JOIN @extschema@.config() c
WHERE d.datname IS NOT NULL
  AND d.temp_bytes > c.temp_bytes_threshold
UNION ALL
SELECT 'checkpoints_requested', 'performance', 'warning', NULL, NULL,
	   pg_catalog.jsonb_build_object('checkpoints_timed', k.timed, 'checkpoints_requested', k.requested,
									 'requested_percent', 100.0 * k.requested / (k.timed + k.requested),
									 'threshold_percent', c.checkpoint_requested_percent,
									 'stats_reset', k.stats_reset),
	   pg_catalog.format('%s of %s checkpoints since %s were requested (WAL reached max_wal_size, or CHECKPOINT) rather than timed (pghero.checkpoint_requested_percent = %s): frequent checkpoints write more full pages to WAL and more buffers.',
						 k.requested, k.timed + k.requested, coalesce(k.stats_reset::text, 'the statistics were reset'),
						 c.checkpoint_requested_percent),
	   pg_catalog.format('ALTER SYSTEM SET max_wal_size = ''%s''; SELECT pg_reload_conf(); (now %s)',
						 pg_catalog.pg_size_pretty(2 * pg_catalog.pg_size_bytes(pg_catalog.current_setting('max_wal_size'))),
						 pg_catalog.current_setting('max_wal_size'))
FROM ck k CROSS JOIN @extschema@.config() c
WHERE k.timed + k.requested >= 10
  AND 100.0 * k.requested / (k.timed + k.requested) > c.checkpoint_requested_percent
UNION ALL
SELECT * FROM pghero_internal._issues_statements();

COMMENT ON VIEW pghero_internal._issues_performance IS
'Findings of pghero.issues about performance: duplicate and unused indexes, cache hit rates, temporary files, checkpoints, slow statements, pg_stat_statements evicting (internal)';

--------------------------------------------------------------------------
-- The list
--------------------------------------------------------------------------

-- Every finding of every check now, with its key
CREATE VIEW pghero_internal._issues_found AS
SELECT i.check_name || ':' || pg_catalog.concat_ws('.', i.database, i.object) AS issue_key,
	   i.check_name,
	   i.category,
	   i.severity,
	   i.database,
	   i.object,
	   i.details,
	   i.description,
	   i.remediation
FROM (SELECT * FROM pghero_internal._issues_activity
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_maintenance
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_capacity
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_replication
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_performance
	  UNION ALL
	  SELECT * FROM pghero_internal._issues_security) i;

COMMENT ON VIEW pghero_internal._issues_found IS
'Every finding of every check now, with its issue key (internal; read through pghero.issues)';

-- Every check evaluated once, as pghero.issues and the collector do it:
-- with JIT off.  The planner's estimate for the whole list over a large
-- catalog passes jit_above_cost, and compiling its hundreds of expressions
-- cost more than a second at 10,000 tables, for a query that runs once.
-- A function, so that the setting applies (a view cannot carry one); it
-- runs with the caller's rights, as the view does (pghero_reader may read
-- pghero_internal._issues_found).  PL/pgSQL keeps the plan for the session
-- (planning the list takes about 20 ms at 10,000 tables, and 100 ms in a
-- new session): the collector and a dashboard that polls over one
-- connection plan it once.
CREATE FUNCTION pghero_internal._evaluate_issues()
RETURNS SETOF pghero_internal._issues_found
LANGUAGE plpgsql VOLATILE
SET jit = off
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY SELECT * FROM pghero_internal._issues_found;
END
$$;

COMMENT ON FUNCTION pghero_internal._evaluate_issues() IS
'Every finding of every check now, evaluated with JIT off (internal)';

-- The collector's state of the issues is read, like every other read that
-- takes a relation lock, without queueing: under lock_timeout = 100ms.
-- Its tables are pghero's own, locked strongly only by DDL (an upgrade, a
-- restore); then the readers below degrade to the live evaluation, and
-- say so in a NOTICE.

-- Whether the collector evaluates the checks: its issues source succeeded
-- within the last two check intervals plus a minute (for a slow run).
-- Then the tracked state (sql/src/22_feed.sql) is current.  False when
-- the collector's state cannot be read without waiting.
CREATE FUNCTION pghero_internal._issues_tracked()
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	RETURN (SELECT coalesce(pg_catalog.bool_or(c.last_success_at >= pg_catalog.now()
							- pg_catalog.make_interval(secs => 2 * pghero_internal._setting_seconds('pghero.check_interval') + 60)),
							false)
			FROM pghero_internal.collector_sources c
			WHERE c.source = 'issues');
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._state_locked('the issues are evaluated now, without the collector''s tracking (hysteresis, first_seen)', SQLERRM);
	RETURN false;
END
$$;

COMMENT ON FUNCTION pghero_internal._issues_tracked() IS
'Whether the collector evaluates the checks now (its issues source succeeded within two pghero.check_interval plus a minute); false when its state is locked (internal)';

-- When the collector first and last saw each issue of this generation;
-- nothing (with a NOTICE) when its state cannot be read without waiting
-- (_issue_state() is below, after the view whose rows it returns)
CREATE FUNCTION pghero_internal._issue_times()
RETURNS TABLE (issue_key text, first_seen timestamptz, last_seen timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RETURN QUERY
	SELECT s.issue_key, s.first_seen, s.last_seen
	FROM pghero_internal._issue_state(false) s;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._state_locked('first_seen and last_seen are not shown', SQLERRM);
END
$$;

COMMENT ON FUNCTION pghero_internal._issue_times() IS
'When the collector first and last saw each issue; nothing when its state is locked (internal)';

CREATE VIEW @extschema@.issues AS
SELECT f.issue_key,
	   f.check_name,
	   f.category,
	   f.severity,
	   f.database,
	   f.object,
	   f.details,
	   f.description,
	   f.remediation,
	   CASE WHEN t.tracked THEN s.first_seen END AS first_seen,
	   CASE WHEN t.tracked THEN coalesce(s.last_seen, pg_catalog.now()) ELSE pg_catalog.now() END AS last_seen
FROM pghero_internal._evaluate_issues() f
	 CROSS JOIN (SELECT pghero_internal._issues_tracked() AS tracked) t
	 LEFT JOIN pghero_internal._issue_times() s ON s.issue_key = f.issue_key;

COMMENT ON VIEW @extschema@.issues IS
'Current issues: one row per problem found by a check now (PgHero''s overview and more), with its impact and the fix; no row when all is well';

-- The issues as the collector tracks them (sql/src/22_feed.sql), the open
-- ones only or the pending ones too, for readers, who do not read the state
-- table; lock_not_available when it cannot be read without waiting
CREATE FUNCTION pghero_internal._issue_state(open_only boolean)
RETURNS SETOF @extschema@.issues
LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	RETURN QUERY
	SELECT s.issue_key, s.check_name, s.category, s.severity, s.database, s.object,
		   s.details, s.description, s.remediation, s.first_seen, s.last_seen
	FROM pghero_internal.issue_state s
	WHERE (s.opened_at IS NOT NULL OR NOT open_only)
	  AND s.generation = (SELECT i.generation FROM pghero_internal.installation i);
END
$$;

COMMENT ON FUNCTION pghero_internal._issue_state(boolean) IS
'The issues the collector tracks: the open ones, or the pending ones too (internal)';

-- The issues alerts follow (health(), issue_counts, the overview): the
-- ones the collector tracks as open (with hysteresis, see the change feed)
-- while it evaluates the checks, the live list otherwise, or when its
-- state cannot be read without waiting; and which of the two they are.
-- Tracked, they cost a read of a small table instead of an evaluation of
-- every check.
CREATE FUNCTION pghero_internal._alerted_issues(OUT tracked boolean, OUT issues @extschema@.issues[])
RETURNS record
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	tracked := pghero_internal._issues_tracked();
	IF tracked THEN
		BEGIN
			issues := ARRAY(SELECT o FROM pghero_internal._issue_state(true) o);
			RETURN;
		EXCEPTION WHEN lock_not_available THEN
			PERFORM pghero_internal._state_locked('the issues are evaluated now, without the collector''s tracking (hysteresis, first_seen)', SQLERRM);
			tracked := false;
		END;
	END IF;
	issues := ARRAY(SELECT i FROM @extschema@.issues i);
END
$$;

COMMENT ON FUNCTION pghero_internal._alerted_issues() IS
'The issues alerts follow, and whether they are the collector''s tracked ones (with hysteresis) or were evaluated now (internal)';

CREATE FUNCTION pghero_internal._tracked_issues()
RETURNS SETOF @extschema@.issues
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.*
	FROM pghero_internal._alerted_issues() a
		 CROSS JOIN LATERAL pg_catalog.unnest(a.issues) i
$$;

COMMENT ON FUNCTION pghero_internal._tracked_issues() IS
'The issues alerts follow: as the collector tracks them (with hysteresis) while it evaluates the checks, live otherwise (internal)';

CREATE VIEW @extschema@.issue_counts AS
SELECT i.severity,
	   i.check_name,
	   pg_catalog.count(*) AS issues
FROM pghero_internal._tracked_issues() i
GROUP BY i.severity, i.check_name;

COMMENT ON VIEW @extschema@.issue_counts IS
'Current issues counted by severity and check, as alerts follow them: the collector''s open issues (with hysteresis) while it evaluates the checks, the live ones otherwise; no row when all is well';

-- The issues alerts follow, summed up in one pass: the most severe
-- decides (info issues leave it ok), the counts per severity, whether they
-- are the collector's tracked ones, and the top issue (the most severe,
-- then the longest open); health() and the overview read it
CREATE FUNCTION pghero_internal._issue_summary(
	OUT status text, OUT critical bigint, OUT warning bigint, OUT info bigint,
	OUT tracked boolean, OUT top_issue_key text, OUT top_issue_severity text,
	OUT top_issue_description text)
RETURNS record
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH a AS MATERIALIZED (
		SELECT * FROM pghero_internal._alerted_issues()),
	i AS MATERIALIZED (
		SELECT t.issue_key, t.severity, t.description, t.first_seen
		FROM a CROSS JOIN LATERAL pg_catalog.unnest(a.issues) t)
	SELECT CASE WHEN c.critical > 0 THEN 'critical' WHEN c.warning > 0 THEN 'warning' ELSE 'ok' END,
		   c.critical, c.warning, c.info, (SELECT a.tracked FROM a),
		   top.issue_key, top.severity, top.description
	FROM (SELECT pg_catalog.count(*) FILTER (WHERE i.severity = 'critical') AS critical,
				 pg_catalog.count(*) FILTER (WHERE i.severity = 'warning') AS warning,
				 pg_catalog.count(*) FILTER (WHERE i.severity = 'info') AS info
		  FROM i) c
		 LEFT JOIN (SELECT i.issue_key, i.severity, i.description
					FROM i
					ORDER BY pg_catalog.array_position(ARRAY['critical', 'warning', 'info'], i.severity),
							 i.first_seen NULLS LAST, i.issue_key COLLATE "C"
					LIMIT 1) top ON true
$$;

COMMENT ON FUNCTION pghero_internal._issue_summary() IS
'The issues alerts follow, summed up: status, counts per severity, whether tracked by the collector, and the top issue (internal)';

-- The most severe open issue tells: a readiness probe
CREATE FUNCTION @extschema@.health(OUT status text, OUT critical bigint, OUT warning bigint, OUT info bigint,
								   OUT tracked boolean)
RETURNS record
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.status, s.critical, s.warning, s.info, s.tracked
	FROM pghero_internal._issue_summary() s
$$;

COMMENT ON FUNCTION @extschema@.health() IS
'ok, warning or critical (the most severe current issue; info issues leave it ok), the number of current issues per severity, and whether they are the collector''s tracked open issues (cheap; with hysteresis) or were evaluated live (every check once, like reading pghero.issues): a readiness probe';

--------------------------------------------------------------------------
-- The checks
--------------------------------------------------------------------------

-- Every check pghero.issues runs, what it looks for, the severities it
-- gives and the settings that tune it.  test/sql/issues.sql checks this
-- list against the check names in the definitions, both ways.
CREATE VIEW @extschema@.checks AS
SELECT c.check_name, c.category, c.severities, c.settings, c.summary
FROM (VALUES
	-- activity
	('long_running_query', 'performance', '{warning}'::text[], '{pghero.long_running_query_sec}'::text[],
	 'A statement has run for longer than the threshold'),
	('high_connections', 'capacity', '{warning,critical}', '{pghero.total_connections_threshold}',
	 'Connections above the threshold; critical once no slot is left for ordinary roles'),
	('high_idle_in_transaction', 'capacity', '{warning}', '{pghero.idle_in_transaction_threshold}',
	 'Many sessions idle in transaction'),
	('lock_queue', 'availability', '{critical}', '{pghero.lock_wait_threshold}',
	 'An ACCESS EXCLUSIVE request has waited longer than the threshold while other sessions queue behind it'),
	('xmin_horizon', 'maintenance', '{warning}', '{pghero.xmin_horizon_age}',
	 'A transaction or session holds back the xmin horizon: VACUUM cannot remove dead rows'),
	('prepared_transaction', 'maintenance', '{warning}', '{pghero.prepared_xact_age}',
	 'A prepared transaction is older than the threshold'),
	-- maintenance
	('transaction_id_wraparound', 'availability', '{warning,critical}', '{pghero.transaction_id_danger}',
	 'A database or table nears transaction ID wraparound'),
	('multixact_wraparound', 'availability', '{warning,critical}', '{pghero.transaction_id_danger}',
	 'A database or table nears multixact ID wraparound'),
	('anti_wraparound_vacuum', 'maintenance', '{info}', '{}',
	 'A forced anti-wraparound autovacuum of a table is near'),
	('invalid_index', 'performance', '{warning}', '{}',
	 'An index is invalid (a failed CREATE INDEX CONCURRENTLY): written, never used'),
	('invalid_constraint', 'maintenance', '{warning}', '{}',
	 'A constraint is NOT VALID: old rows were never checked'),
	('autovacuum_behind', 'maintenance', '{warning}', '{}',
	 'A table''s dead rows passed its autovacuum threshold and autovacuum has not run'),
	('settings_pending_restart', 'maintenance', '{info}', '{}',
	 'A changed setting waits for a restart'),
	('collation_version_mismatch', 'maintenance', '{warning}', '{}',
	 'A database''s collation version differs from the operating system''s: indexes on text may be corrupt'),
	('collector_failing', 'maintenance', '{warning}', '{}',
	 'A capture source of the collector failed at its last run'),
	('collector_not_running', 'maintenance', '{warning}', '{pghero.enabled,pghero.database}',
	 'The collector does not run although pghero is preloaded and enabled for this database'),
	-- capacity
	('sequence_near_max', 'capacity', '{warning,critical}', '{pghero.sequence_danger_percent}',
	 'A sequence or the column it fills nears its maximum'),
	('table_bloat', 'capacity', '{warning}', '{pghero.bloat_percent_threshold,pghero.index_bloat_min_bytes}',
	 'A table wastes more than the threshold (estimate from statistics)'),
	('index_bloat', 'capacity', '{warning}', '{pghero.bloat_percent_threshold,pghero.index_bloat_min_bytes}',
	 'An index wastes more than the threshold (estimate from statistics)'),
	('disk_space_low', 'capacity', '{warning,critical}', '{pghero.disk_free_percent}',
	 'The file system of the data directory or of pg_wal has little space or few inodes left; critical below half the threshold'),
	-- replication
	('replication_lag', 'availability', '{warning}', '{}',
	 'A standby replays far behind'),
	('inactive_replication_slot', 'capacity', '{warning}', '{}',
	 'A replication slot is inactive and retains WAL'),
	('slot_wal_status', 'availability', '{warning,critical}', '{}',
	 'A replication slot''s WAL is unreserved or lost'),
	('wal_archiving_failing', 'availability', '{critical}', '{}',
	 'archive_command or archive_library fails: WAL accumulates'),
	-- performance
	('duplicate_index', 'performance', '{warning}', '{}',
	 'An index is covered by another one'),
	('unused_index', 'performance', '{info}', '{pghero.unused_index_min_bytes}',
	 'An index has not been scanned'),
	('cache_hit_rate', 'performance', '{info}', '{pghero.cache_hit_rate_threshold}',
	 'The table or index cache hit rate is below the threshold'),
	('temp_file_spills', 'performance', '{info}', '{pghero.temp_bytes_threshold}',
	 'Queries spilled more than the threshold to temporary files'),
	('checkpoints_requested', 'performance', '{warning}', '{pghero.checkpoint_requested_percent}',
	 'Most checkpoints were requested (max_wal_size reached) rather than timed'),
	('slow_query', 'performance', '{warning}', '{pghero.slow_query_ms,pghero.slow_query_calls}',
	 'A statement is slow on average and called often (last 3 hours of history, or pg_stat_statements)'),
	('statements_deallocating', 'performance', '{warning}', '{}',
	 'pg_stat_statements is full and evicts entries'),
	-- security
	('hba_trust', 'security', '{warning,critical}', '{}',
	 'A pg_hba.conf rule lets TCP connections in without a password'),
	('hba_cleartext_password', 'security', '{info,warning}', '{}',
	 'A pg_hba.conf rule has the client send its password in clear text'),
	('hba_open_to_all', 'security', '{warning}', '{}',
	 'A pg_hba.conf rule lets every role connect to every database from anywhere'),
	('hba_error', 'security', '{warning}', '{}',
	 'A pg_hba.conf line cannot be loaded'),
	('ssl_off', 'security', '{warning}', '{}',
	 'ssl is off while rules accept connections from other machines'),
	('password_encryption_md5', 'security', '{warning}', '{}',
	 'New passwords are stored as MD5'),
	('md5_password', 'security', '{warning}', '{}',
	 'A role''s password is stored as MD5'),
	('superuser_login', 'security', '{warning}', '{}',
	 'A superuser other than the bootstrap superuser can log in'),
	('login_without_password', 'security', '{info,warning}', '{}',
	 'A login role has no password under password rules'),
	('public_create', 'security', '{warning}', '{}',
	 'PUBLIC may create objects in a schema'),
	('security_definer_search_path', 'security', '{warning}', '{}',
	 'A SECURITY DEFINER function has no pinned search_path'),
	('outdated_extension', 'security', '{info}', '{}',
	 'An installed extension is older than its available default version'),
	('connection_logging_off', 'security', '{info}', '{}',
	 'log_connections or log_disconnections is off')
	) c(check_name, category, severities, settings, summary);

COMMENT ON VIEW @extschema@.checks IS
'Every check of pghero.issues: its category, the severities it gives, the settings that tune it, and what it looks for';

/* sql/src/20_collector.sql */

--------------------------------------------------------------------------
-- The collector
--
-- A background worker (src/collector.c) runs each source of the registry
-- (collector_sources) on a fixed-rate schedule, each call to _run_source()
-- in its own short transaction.  The capture logic lives here, in
-- functions the tests call directly through pghero.capture().
--
-- Deltas: each source keeps the cumulative counters it last read in an
-- UNLOGGED baseline table, so that updating it writes no WAL.  A history
-- row holds the change since the previous capture of the same identity,
-- by one rule (_delta): the difference with the baseline, or the whole
-- value when the identity is new or its counters started again (a reset,
-- an eviction, a crash); zero changes are stored as NULL (they cost a bit,
-- not eight bytes).  A clean restart keeps both the baseline and the
-- server's statistics; a crash empties both (pg_stat_statements keeps no
-- file after a crash).  After an immediate shutdown pg_stat_statements
-- keeps its counters while recovery empties the baseline: that one
-- interval is then not counted, and the capture says so (lossy, with a
-- note), rather than counting it twice; the history readers show every
-- statement of a window holding such a capture as lossy, with the reason.
--
-- Storage: history tables are partitioned by generation (the installation
-- that wrote the rows, see sql/src/01_tables.sql), then by day.  Raw rows
-- are rolled up into hourly rows; retention drops whole partitions (raw
-- after pghero.raw_retention, once rolled up; hourly after
-- pghero.history_retention).  Readers combine both tiers (the history views, 21_history.sql).
--------------------------------------------------------------------------

-- The generation this installation writes under
CREATE FUNCTION pghero_internal._generation()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT i.generation FROM pghero_internal.installation i
$$;

COMMENT ON FUNCTION pghero_internal._generation() IS
'The generation this installation of pghero writes its history under (internal)';

-- The one delta rule: the change of a cumulative counter since its
-- baseline, or its whole value when it started again; NULL for no change.
-- Unlike every other function it has no SET search_path, so that the
-- planner inlines it (a capture calls it once per counter and moved row:
-- a call that is not inlined costs ten times the capture).  It is
-- owner-only, called only by pghero's own functions, which pin their
-- search_path, and its operators are qualified.
CREATE FUNCTION pghero_internal._delta(cur anycompatible, base anycompatible, whole boolean)
RETURNS anycompatible
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT NULLIF(cur OPERATOR(pg_catalog.-) CASE WHEN whole THEN 0 ELSE base END, 0)
$$;

COMMENT ON FUNCTION pghero_internal._delta(anycompatible, anycompatible, boolean) IS
'Change of a cumulative counter: current minus baseline, or the whole current value when it started again; NULL when nothing changed (internal)';

-- The statement counters: the columns of statement_history that are not
-- keys, in table order ("extreme" for min/max_exec_time, which are not
-- cumulative)
CREATE FUNCTION pghero_internal._statement_counters(OUT name text, OUT extreme boolean)
RETURNS SETOF record
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT a.attname::text, a.attname::text ~ '^(min|max)_'
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid OPERATOR(pg_catalog.=) 'pghero_internal.statement_history'::pg_catalog.regclass
	  AND a.attnum OPERATOR(pg_catalog.>) 0
	  AND NOT a.attisdropped
	  AND a.attname::text NOT IN ('captured_at', 'since', 'dbid', 'userid', 'queryid',
								  'toplevel', 'lossy', 'generation')
	ORDER BY a.attnum
$$;

COMMENT ON FUNCTION pghero_internal._statement_counters() IS
'The statement counters, as the columns of statement_history define them; extreme for the min/max columns (internal)';

--------------------------------------------------------------------------
-- Partitions
--------------------------------------------------------------------------

-- A partition says what it holds, for whoever browses schema
-- pghero_internal: its table, generation and (a daily one) day
CREATE FUNCTION pghero_internal._comment_partition(part regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	root text;
	gen text;
	day text;
BEGIN
	SELECT pc.relname INTO root
	FROM pg_catalog.pg_partition_ancestors(part) a
		 JOIN pg_catalog.pg_class pc ON pc.oid = a.relid
	WHERE NOT pc.relispartition;
	gen := pg_catalog.substring(part::text, '_g([0-9]+)');
	day := pg_catalog.to_char(pg_catalog.to_date(pg_catalog.substring(part::text, '_p([0-9]{8})$'), 'YYYYMMDD'), 'YYYY-MM-DD');
	EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', part,
		pg_catalog.format('Partition of pghero_internal.%s: the rows of generation %s%s (internal; read history through the views of schema pghero)',
						  root, gen, coalesce(' for ' || day || ' (UTC)', '')));
END
$$;

COMMENT ON FUNCTION pghero_internal._comment_partition(regclass) IS
'Comment a history partition with its table, generation and day (internal)';

-- The daily partition of a history table that holds time ts for a
-- generation (by default this installation's), created if missing with the
-- generation's partition above it (the retention source creates them ahead
-- of time, so capture seldom does DDL): <table>_g<generation>_p<YYYYMMDD>.
CREATE FUNCTION pghero_internal._ensure_partition(parent text, ts timestamptz, generation integer DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	gen integer := coalesce(generation, pghero_internal._generation());
	day date := ts::date;
	gen_part text := pg_catalog.format('%s_g%s', parent, gen);
	part text := pg_catalog.format('%s_p%s', gen_part, pg_catalog.to_char(day, 'YYYYMMDD'));
	time_column text := CASE WHEN parent ~ '_rollup$' THEN 'bucket' ELSE 'captured_at' END;
	index_def text;
BEGIN
	IF pg_catalog.to_regclass(pg_catalog.format('pghero_internal.%I', gen_part)) IS NULL THEN
		EXECUTE pg_catalog.format(
			'CREATE TABLE pghero_internal.%I PARTITION OF pghero_internal.%I FOR VALUES IN (%s) PARTITION BY RANGE (%I)',
			gen_part, parent, gen, time_column);
		PERFORM pghero_internal._comment_partition(pg_catalog.format('pghero_internal.%I', gen_part)::pg_catalog.regclass);
	END IF;
	IF pg_catalog.to_regclass(pg_catalog.format('pghero_internal.%I', part)) IS NULL THEN
		EXECUTE pg_catalog.format(
			'CREATE TABLE pghero_internal.%I PARTITION OF pghero_internal.%I FOR VALUES FROM (%L) TO (%L)',
			part, gen_part, day::timestamptz, (day + 1)::timestamptz);
		PERFORM pghero_internal._comment_partition(pg_catalog.format('pghero_internal.%I', part)::pg_catalog.regclass);
		-- a raw interval ends in its partition, so it starts before the
		-- partition's end: this lets a reader's WHERE bucket_start >= X skip
		-- the partitions that end before X (see the history views)
		IF parent IN ('statement_history', 'database_history', 'instance_history', 'io_history') THEN
			EXECUTE pg_catalog.format('ALTER TABLE pghero_internal.%I ADD CONSTRAINT %I CHECK (coalesce(since, captured_at) < %L)',
				part, part || '_since', (day + 1)::timestamptz);
		END IF;
		-- rows arrive in time order: a BRIN index finds a time range for
		-- almost no space and no write cost (a btree would double the WAL
		-- of a capture; lookups by queryid go to the hourly rollup, which
		-- has one)
		index_def := CASE parent
			WHEN 'statement_history' THEN 'USING brin (captured_at)'
			WHEN 'statement_rollup' THEN '(queryid, bucket)'
			WHEN 'space_history' THEN '(relid, captured_at)'
		END;
		IF index_def IS NOT NULL THEN
			EXECUTE pg_catalog.format('CREATE INDEX ON pghero_internal.%I %s', part, index_def);
		END IF;
	END IF;
	RETURN part;
END
$$;

COMMENT ON FUNCTION pghero_internal._ensure_partition(text, timestamptz, integer) IS
'Create the daily partition of a history table that holds a time, for a generation (default: this one), if missing, and return its name (internal)';

--------------------------------------------------------------------------
-- Sources.  Each returns the rows it wrote and a note (or NULL).
--------------------------------------------------------------------------

-- statements, from pg_stat_statements: see the file header.
--
-- An identity is (userid, dbid, queryid, toplevel).  Its delta is the
-- difference with the baseline, except that the whole current value counts
-- when the identity is new (created since the last capture), when its
-- entry started again since the last capture (one of its counters went
-- backwards, or, from pg_stat_statements 1.11, its stats_since moved: the
-- entry was reset by queryid or evicted and made again, however often it
-- was called since), and after a full reset (stats_reset moved).  A reset
-- or evictions (dealloc grew) mean the interval lost what happened before
-- them: those rows are flagged lossy, and so is the capture.  The very
-- first capture only sets the baseline; after a crash (baseline gone,
-- pg_stat_statements reset after our last capture) everything since the
-- reset is counted.  The SQL is built from the list of counters
-- (_statement_counters), which is written nowhere else.
CREATE FUNCTION pghero_internal._capture_statements(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	info record;
	prev record;
	last_capture timestamptz;
	since_ts timestamptz;
	count_all boolean := false;
	lossy boolean := false;
	write_rows boolean := true;
	entries bigint;
	moved bigint;
	new_ids bigint;
	part text;
	counters text[];
	extremes text[];
	cols text;
BEGIN
	SELECT i.dealloc, i.stats_reset INTO info FROM pghero_internal._pgss_info() i;
	SELECT b.* INTO prev FROM pghero_internal.source_baseline b
	WHERE b.source = 'statements';

	IF prev.source IS NULL THEN
		SELECT pg_catalog.max(c.captured_at) INTO last_capture
		FROM pghero_internal.statement_captures c
		WHERE c.generation = gen;
		IF last_capture IS NOT NULL AND info.stats_reset > last_capture THEN
			-- restarted after a crash: every counter began after our last capture
			count_all := true;
			lossy := true;
			since_ts := last_capture;
			note := 'pg_stat_statements restarted empty (crash): counted everything since its reset; what ran between the last capture and the crash is lost';
		ELSIF last_capture IS NOT NULL THEN
			-- our baseline is gone but pg_stat_statements kept its counters
			-- (an immediate shutdown writes its file, while recovery empties
			-- unlogged tables): the changes since the last capture cannot be
			-- told from older counts, so this interval is not counted
			write_rows := false;
			lossy := true;
			since_ts := last_capture;
			note := 'pghero''s baseline was lost (crash recovery after an immediate shutdown) while pg_stat_statements kept its counters: what ran since the last capture is not counted';
		ELSE
			write_rows := false;
			note := 'first capture: baseline only';
		END IF;
	ELSE
		since_ts := prev.captured_at;
		IF info.stats_reset IS DISTINCT FROM prev.stats_reset THEN
			count_all := true;
			lossy := true;
			note := 'pg_stat_statements was reset: counted everything since the reset; what ran between the last capture and the reset is lost';
		ELSIF info.dealloc > prev.dealloc THEN
			lossy := true;
			note := pg_catalog.format('%s entries evicted (pg_stat_statements.max reached): counts are a lower bound',
									  info.dealloc - prev.dealloc);
		END IF;
	END IF;

	SELECT pg_catalog.array_agg(c.name) FILTER (WHERE NOT c.extreme),
		   pg_catalog.array_agg(c.name) FILTER (WHERE c.extreme)
	INTO counters, extremes
	FROM pghero_internal._statement_counters() c;
	cols := pg_catalog.array_to_string(counters, ', ');

	-- rows go straight into the day's partition (no per-row routing)
	part := pghero_internal._ensure_partition('statement_history', now_ts);

	EXECUTE pg_catalog.format($q$
		WITH cur AS MATERIALIZED (
			SELECT s.userid, s.dbid, s.queryid, s.toplevel, s.stats_since, %1$s, %2$s
			FROM pghero_internal._pgss_statements(false) s
			WHERE s.queryid IS NOT NULL),
		d AS MATERIALIZED (
			SELECT c.*,
				   b.dbid IS NULL AS is_new,
				   b.dbid IS NOT NULL
				   AND ((b.stats_since IS NOT NULL AND c.stats_since IS DISTINCT FROM b.stats_since)
						OR %3$s) AS went_back,
				   (c.calls, c.plans) IS DISTINCT FROM (b.calls, b.plans) AS moved,
				   %4$s
			FROM cur c
				 LEFT JOIN pghero_internal.statement_baseline b
					ON b.dbid = c.dbid AND b.userid = c.userid
				   AND b.queryid = c.queryid AND b.toplevel = c.toplevel
			WHERE $1
			   OR b.dbid IS NULL
			   OR c.stats_since IS DISTINCT FROM b.stats_since
			   -- every execution counts a call, every planning a plan:
			   -- no other counter moves without one of them
			   OR (c.calls, c.plans) IS DISTINCT FROM (b.calls, b.plans)),
		hist AS (
			INSERT INTO pghero_internal.%5$I
				(captured_at, since, dbid, userid, queryid, toplevel, lossy, generation, %1$s, %2$s)
			SELECT $2,
				   $3,
				   z.dbid, z.userid, z.queryid, z.toplevel,
				   NULLIF($4 OR z.went_back, false), $6,
				   %6$s, %7$s
			FROM d AS z
			WHERE $5 AND ($1 OR z.is_new OR z.went_back OR z.moved)
			RETURNING 1),
		base AS (
			-- HOT updates of the identities that moved (fillfactor 50)
			INSERT INTO pghero_internal.statement_baseline AS b
				(dbid, userid, queryid, toplevel, stats_since, %1$s)
			SELECT z.dbid, z.userid, z.queryid, z.toplevel, z.stats_since, %1$s
			FROM d AS z
			ON CONFLICT (dbid, userid, queryid, toplevel) DO UPDATE
				SET stats_since = excluded.stats_since, %8$s
			RETURNING 1)
		SELECT (SELECT pg_catalog.count(*) FROM cur),
			   (SELECT pg_catalog.count(*) FROM hist) + 0 * (SELECT pg_catalog.count(*) FROM base),
			   (SELECT pg_catalog.count(*) FROM d WHERE d.is_new)
		$q$,
		cols,
		(SELECT pg_catalog.string_agg(pg_catalog.format('%I', e), ', ') FROM pg_catalog.unnest(extremes) e),
		(SELECT pg_catalog.string_agg(pg_catalog.format('c.%1$I < b.%1$I', n), ' OR ') FROM pg_catalog.unnest(counters) n),
		(SELECT pg_catalog.string_agg(pg_catalog.format('b.%1$I AS %2$I', n, 'b_' || n), ', ') FROM pg_catalog.unnest(counters) n),
		part,
		(SELECT pg_catalog.string_agg(pg_catalog.format(
			'pghero_internal._delta(z.%1$I, z.%2$I, $1 OR z.is_new OR z.went_back)', n, 'b_' || n), ', ')
		 FROM pg_catalog.unnest(counters) n),
		(SELECT pg_catalog.string_agg(pg_catalog.format('z.%I', e), ', ') FROM pg_catalog.unnest(extremes) e),
		(SELECT pg_catalog.string_agg(pg_catalog.format('%1$I = excluded.%1$I', n), ', ') FROM pg_catalog.unnest(counters) n))
	INTO entries, moved, new_ids
	USING count_all, now_ts, since_ts, lossy, write_rows, gen;

	-- identities gone from pg_stat_statements (evicted, reset): only then
	-- is the baseline bigger than what was read
	IF (SELECT pg_catalog.count(*) FROM pghero_internal.statement_baseline) > entries THEN
		DELETE FROM pghero_internal.statement_baseline b
		WHERE NOT EXISTS (SELECT FROM pghero_internal._pgss_statements(false) c
						  WHERE c.dbid = b.dbid AND c.userid = b.userid
							AND c.queryid = b.queryid AND c.toplevel = b.toplevel);
	END IF;

	-- texts (_pgss_statements() replaced their secrets) and names of
	-- statements never seen before,
	-- read only when some appeared
	IF new_ids > 0 THEN
		INSERT INTO pghero_internal.query_texts (generation, dbid, queryid, query, first_seen)
		SELECT DISTINCT ON (s.dbid, s.queryid) gen, s.dbid, s.queryid,
			   s.query, now_ts
		FROM pghero_internal._pgss_statements(true) s
		WHERE s.queryid IS NOT NULL AND s.query IS NOT NULL
		  AND NOT EXISTS (SELECT FROM pghero_internal.query_texts t
						  WHERE t.generation = gen AND t.dbid = s.dbid AND t.queryid = s.queryid)
		ON CONFLICT DO NOTHING;

		INSERT INTO pghero_internal.object_names (generation, kind, oid, name)
		SELECT gen, 'database', d.oid, d.datname FROM pg_catalog.pg_database d
		WHERE EXISTS (SELECT FROM pghero_internal.statement_baseline b WHERE b.dbid = d.oid)
		UNION ALL
		SELECT gen, 'role', r.oid, r.rolname FROM pg_catalog.pg_roles r
		WHERE EXISTS (SELECT FROM pghero_internal.statement_baseline b WHERE b.userid = r.oid)
		ON CONFLICT DO NOTHING;
	END IF;

	written := CASE WHEN write_rows THEN moved ELSE 0 END;
	INSERT INTO pghero_internal.statement_captures
		(generation, captured_at, since, entries, max_entries, dealloc, stats_reset, moved, lossy, note)
	VALUES (gen, now_ts, since_ts, entries,
			pg_catalog.current_setting('pg_stat_statements.max', true)::bigint,
			info.dealloc, info.stats_reset, written, lossy, note)
	ON CONFLICT (generation, captured_at) DO NOTHING;

	INSERT INTO pghero_internal.source_baseline (source, captured_at, stats_reset, dealloc)
	VALUES ('statements', now_ts, info.stats_reset, info.dealloc)
	ON CONFLICT (source) DO UPDATE
		SET captured_at = excluded.captured_at, stats_reset = excluded.stats_reset,
			dealloc = excluded.dealloc;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_statements() IS
'Capture the statements source: write the change of every pg_stat_statements identity that moved (internal)';

-- database activity, from pg_stat_database (every database)
CREATE FUNCTION pghero_internal._capture_database_activity(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	prev record;
BEGIN
	SELECT b.* INTO prev FROM pghero_internal.source_baseline b
	WHERE b.source = 'database_activity';
	IF prev.source IS NOT NULL THEN
		PERFORM pghero_internal._ensure_partition('database_history', now_ts);
	ELSE
		note := 'first capture: baseline only';
	END IF;

	WITH cur AS MATERIALIZED (
		SELECT d.datid, d.datname, d.numbackends, d.stats_reset,
			   ARRAY[d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit,
					 d.tup_returned, d.tup_fetched, d.tup_inserted, d.tup_updated,
					 d.tup_deleted, d.temp_files, d.temp_bytes, d.deadlocks,
					 d.conflicts] AS counters
		FROM pg_catalog.pg_stat_database d
		WHERE d.datname IS NOT NULL),
	z AS MATERIALIZED (
		SELECT c.*, b.counters AS base,
			   b.datid IS NULL
			   OR c.stats_reset IS DISTINCT FROM b.stats_reset
			   OR EXISTS (SELECT FROM unnest(c.counters, b.counters) u(x, y)
						  WHERE u.x < u.y) AS whole
		FROM cur c
			 LEFT JOIN pghero_internal.database_baseline b ON b.datid = c.datid
		WHERE b.datid IS NULL
		   OR c.counters IS DISTINCT FROM b.counters
		   OR c.stats_reset IS DISTINCT FROM b.stats_reset),
	hist AS (
		INSERT INTO pghero_internal.database_history
			(captured_at, since, datid, datname, numbackends, xact_commit, xact_rollback,
			 blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted, tup_updated,
			 tup_deleted, temp_files, temp_bytes, deadlocks, conflicts, lossy, generation)
		SELECT now_ts,
			   prev.captured_at,
			   z.datid, z.datname, z.numbackends,
			   pghero_internal._delta(z.counters[1], z.base[1], z.whole),
			   pghero_internal._delta(z.counters[2], z.base[2], z.whole),
			   pghero_internal._delta(z.counters[3], z.base[3], z.whole),
			   pghero_internal._delta(z.counters[4], z.base[4], z.whole),
			   pghero_internal._delta(z.counters[5], z.base[5], z.whole),
			   pghero_internal._delta(z.counters[6], z.base[6], z.whole),
			   pghero_internal._delta(z.counters[7], z.base[7], z.whole),
			   pghero_internal._delta(z.counters[8], z.base[8], z.whole),
			   pghero_internal._delta(z.counters[9], z.base[9], z.whole),
			   pghero_internal._delta(z.counters[10], z.base[10], z.whole),
			   pghero_internal._delta(z.counters[11], z.base[11], z.whole),
			   pghero_internal._delta(z.counters[12], z.base[12], z.whole),
			   pghero_internal._delta(z.counters[13], z.base[13], z.whole),
			   NULLIF(z.whole AND z.base IS NOT NULL, false),
			   gen
		FROM z
		WHERE prev.source IS NOT NULL
		RETURNING 1),
	gone AS (
		DELETE FROM pghero_internal.database_baseline b
		WHERE NOT EXISTS (SELECT FROM cur c WHERE c.datid = b.datid)
		RETURNING 1),
	base AS (
		INSERT INTO pghero_internal.database_baseline
		SELECT z.datid, z.stats_reset, z.counters FROM z
		ON CONFLICT (datid) DO UPDATE
			SET stats_reset = excluded.stats_reset, counters = excluded.counters
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM hist)
		   + 0 * (SELECT pg_catalog.count(*) FROM gone)
		   + 0 * (SELECT pg_catalog.count(*) FROM base)
	INTO written;

	INSERT INTO pghero_internal.source_baseline (source, captured_at)
	VALUES ('database_activity', now_ts)
	ON CONFLICT (source) DO UPDATE SET captured_at = excluded.captured_at;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_database_activity() IS
'Capture the database activity source: the change of every database''s pg_stat_database counters (internal)';

-- instance: WAL, checkpoints and buffer writes (changes), connections (counts)
CREATE FUNCTION pghero_internal._capture_instance(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	prev record;
	lsn pg_lsn := pg_catalog.pg_current_wal_lsn();
	cur bigint[];
	reset timestamptz;
	whole boolean;
	conns record;
BEGIN
	SELECT c.counters, c.stats_reset INTO cur, reset FROM pghero_internal._checkpoint_counters() c;

	SELECT pg_catalog.count(*) AS total,
		   pg_catalog.count(*) FILTER (WHERE a.state = 'active') AS active,
		   pg_catalog.count(*) FILTER (WHERE a.state = 'idle') AS idle,
		   pg_catalog.count(*) FILTER (WHERE a.state ~~ 'idle in transaction%') AS idle_in_xact
	INTO conns
	FROM pg_catalog.pg_stat_activity a
	WHERE a.backend_type = 'client backend';

	SELECT b.* INTO prev FROM pghero_internal.source_baseline b
	WHERE b.source = 'instance';

	IF prev.source IS NOT NULL THEN
		whole := reset IS DISTINCT FROM prev.stats_reset
				 OR EXISTS (SELECT FROM unnest(cur, prev.counters) u(x, y)
							WHERE u.x < u.y);
		PERFORM pghero_internal._ensure_partition('instance_history', now_ts);
		INSERT INTO pghero_internal.instance_history
			(captured_at, since, wal_bytes, checkpoints_timed, checkpoints_req,
			 buffers_checkpoint, buffers_clean, buffers_backend, connections,
			 active_connections, idle_connections, idle_in_transaction_connections,
			 lossy, generation)
		VALUES (now_ts, prev.captured_at,
				NULLIF(pg_catalog.pg_wal_lsn_diff(lsn, prev.wal_lsn), 0),
				pghero_internal._delta(cur[1], prev.counters[1], whole),
				pghero_internal._delta(cur[2], prev.counters[2], whole),
				pghero_internal._delta(cur[3], prev.counters[3], whole),
				pghero_internal._delta(cur[4], prev.counters[4], whole),
				pghero_internal._delta(cur[5], prev.counters[5], whole),
				conns.total, conns.active, conns.idle, conns.idle_in_xact,
				NULLIF(whole, false), pghero_internal._generation());
		written := 1;
	ELSE
		written := 0;
		note := 'first capture: baseline only';
	END IF;

	INSERT INTO pghero_internal.source_baseline (source, captured_at, stats_reset, wal_lsn, counters)
	VALUES ('instance', now_ts, reset, lsn, cur)
	ON CONFLICT (source) DO UPDATE
		SET captured_at = excluded.captured_at, stats_reset = excluded.stats_reset,
			wal_lsn = excluded.wal_lsn, counters = excluded.counters;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_instance() IS
'Capture the instance source: WAL bytes, checkpoints, buffer writes and connections (internal)';

-- I/O, from pg_stat_io by backend type, object and context (PostgreSQL 16
-- and later; nothing to capture before)
CREATE FUNCTION pghero_internal._capture_io(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	prev record;
BEGIN
	IF pg_catalog.current_setting('server_version_num')::integer < 160000 THEN
		written := 0;
		note := 'pg_stat_io needs PostgreSQL 16 or later';
		RETURN;
	END IF;
	SELECT b.* INTO prev FROM pghero_internal.source_baseline b
	WHERE b.source = 'io';
	IF prev.source IS NOT NULL THEN
		PERFORM pghero_internal._ensure_partition('io_history', now_ts);
	ELSE
		note := 'first capture: baseline only';
	END IF;

	WITH cur AS MATERIALIZED (
		SELECT i.backend_type, i.object, i.context, i.stats_reset,
			   pg_catalog.array_replace(i.counters, NULL, 0::numeric) AS counters
		FROM pghero_internal._io_counters() i),
	z AS MATERIALIZED (
		SELECT c.*, b.counters AS base,
			   b.backend_type IS NULL
			   OR c.stats_reset IS DISTINCT FROM b.stats_reset
			   OR EXISTS (SELECT FROM unnest(c.counters, b.counters) u(x, y)
						  WHERE u.x < u.y) AS whole
		FROM cur c
			 LEFT JOIN pghero_internal.io_baseline b
				ON b.backend_type = c.backend_type AND b.object = c.object
			   AND b.context = c.context
		WHERE b.backend_type IS NULL
		   OR c.counters IS DISTINCT FROM b.counters
		   OR c.stats_reset IS DISTINCT FROM b.stats_reset),
	hist AS (
		INSERT INTO pghero_internal.io_history
			(captured_at, since, backend_type, object, context, reads, read_bytes, read_time,
			 writes, write_bytes, write_time, writebacks, writeback_time, extends,
			 extend_bytes, extend_time, hits, evictions, reuses, fsyncs, fsync_time,
			 lossy, generation)
		SELECT now_ts,
			   prev.captured_at,
			   z.backend_type, z.object, z.context,
			   pghero_internal._delta(z.counters[1], z.base[1], z.whole),
			   pghero_internal._delta(z.counters[2], z.base[2], z.whole),
			   pghero_internal._delta(z.counters[3], z.base[3], z.whole),
			   pghero_internal._delta(z.counters[4], z.base[4], z.whole),
			   pghero_internal._delta(z.counters[5], z.base[5], z.whole),
			   pghero_internal._delta(z.counters[6], z.base[6], z.whole),
			   pghero_internal._delta(z.counters[7], z.base[7], z.whole),
			   pghero_internal._delta(z.counters[8], z.base[8], z.whole),
			   pghero_internal._delta(z.counters[9], z.base[9], z.whole),
			   pghero_internal._delta(z.counters[10], z.base[10], z.whole),
			   pghero_internal._delta(z.counters[11], z.base[11], z.whole),
			   pghero_internal._delta(z.counters[12], z.base[12], z.whole),
			   pghero_internal._delta(z.counters[13], z.base[13], z.whole),
			   pghero_internal._delta(z.counters[14], z.base[14], z.whole),
			   pghero_internal._delta(z.counters[15], z.base[15], z.whole),
			   pghero_internal._delta(z.counters[16], z.base[16], z.whole),
			   NULLIF(z.whole AND z.base IS NOT NULL, false),
			   gen
		FROM z
		WHERE prev.source IS NOT NULL
		RETURNING 1),
	base AS (
		INSERT INTO pghero_internal.io_baseline
		SELECT z.backend_type, z.object, z.context, z.stats_reset, z.counters FROM z
		ON CONFLICT (backend_type, object, context) DO UPDATE
			SET stats_reset = excluded.stats_reset, counters = excluded.counters
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM hist) + 0 * (SELECT pg_catalog.count(*) FROM base)
	INTO written;

	INSERT INTO pghero_internal.source_baseline (source, captured_at)
	VALUES ('io', now_ts)
	ON CONFLICT (source) DO UPDATE SET captured_at = excluded.captured_at;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_io() IS
'Capture the I/O source: the change of pg_stat_io''s counters by backend type, object and context (internal)';

-- space: every database's size and every relation of this database, as
-- relation_sizes measures them (never waiting for a lock); a row only for
-- a size that changed; relations that could not be measured are skipped
-- and counted in the note.
CREATE FUNCTION pghero_internal._capture_space(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	db oid := (SELECT d.oid FROM pg_catalog.pg_database d
			   WHERE d.datname = pg_catalog.current_database());
	skipped bigint;
BEGIN
	PERFORM pghero_internal._ensure_partition('space_history', now_ts);

	-- one statement, so that the sizes read are held by no table (a
	-- temporary one would show in other tools' lists)
	WITH now_sizes AS MATERIALIZED (
		SELECT d.oid AS datid, 0::oid AS relid, NULL::name AS schemaname, d.datname AS relname,
			   'database'::text AS kind, pg_catalog.pg_database_size(d.oid) AS size_bytes, true AS measured
		FROM pg_catalog.pg_database d
		WHERE d.datallowconn AND d.datconnlimit <> -2
		UNION ALL
		SELECT db, r.relid, r.schemaname, r.relname, r.type, r.size_bytes, r.measured
		FROM @extschema@.relation_sizes r),
	moved AS (
		SELECT n.*
		FROM now_sizes n
			 LEFT JOIN pghero_internal.space_baseline b
				ON b.datid = n.datid AND b.relid = n.relid
		WHERE n.measured AND n.size_bytes IS NOT NULL
		  AND (b.size_bytes IS NULL OR b.size_bytes <> n.size_bytes)),
	hist AS (
		INSERT INTO pghero_internal.space_history
			(captured_at, datid, relid, schemaname, relname, kind, size_bytes, generation)
		SELECT now_ts, m.datid, NULLIF(m.relid, 0), m.schemaname, m.relname, m.kind, m.size_bytes, gen
		FROM moved m
		RETURNING 1),
	base AS (
		INSERT INTO pghero_internal.space_baseline
		SELECT m.datid, m.relid, m.size_bytes FROM moved m
		ON CONFLICT (datid, relid) DO UPDATE SET size_bytes = excluded.size_bytes
		RETURNING 1),
	-- forget relations and databases that are gone (none of them is in
	-- moved: the two never touch the same row)
	gone AS (
		DELETE FROM pghero_internal.space_baseline b
		WHERE NOT EXISTS (SELECT FROM now_sizes n
						  WHERE n.datid = b.datid
							AND n.relid = b.relid)
		RETURNING 1)
	SELECT (SELECT pg_catalog.count(*) FROM hist)
		   + 0 * (SELECT pg_catalog.count(*) FROM base)
		   + 0 * (SELECT pg_catalog.count(*) FROM gone),
		   (SELECT pg_catalog.count(*) FROM now_sizes n WHERE NOT n.measured)
	INTO written, skipped;

	IF skipped > 0 THEN
		note := pg_catalog.format('%s relations skipped: locked by another session', skipped);
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_space() IS
'Capture the space source: sizes of every database and of every relation of this database that changed (internal)';

-- A pghero.* duration setting in seconds (the library defines them; load it)
CREATE FUNCTION pghero_internal._setting_seconds(name text)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM @extschema@.config();
	RETURN (SELECT s.setting::bigint FROM pg_catalog.pg_settings s
			WHERE s.name = $1);
END
$$;

COMMENT ON FUNCTION pghero_internal._setting_seconds(text) IS
'Value in seconds of a pghero duration setting (internal)';

-- The hourly rollup of the raw rows of one history table in [lo, hi), for
-- one generation.  The select list comes from the rollup table's columns:
-- bucket is the hour, samples the rows, seconds the time they cover, a
-- "_max" column the largest of its raw column, min_/max_ columns the
-- smallest and largest extremes, lossy whether any row was lossy, keys and
-- names (as in the raw table, but for counters) group, every other
-- column is a sum.
CREATE FUNCTION pghero_internal._rollup(raw_table text, rollup_table text,
									gen integer, lo timestamptz, hi timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	cols text;
	exprs text;
	keys text;
	n bigint;
BEGIN
	SELECT pg_catalog.string_agg(pg_catalog.format('%I', a.attname), ', ' ORDER BY a.attnum),
		   pg_catalog.string_agg(
			   CASE
				   WHEN a.attname = 'bucket' THEN 'pg_catalog.date_trunc(''hour'', h.captured_at)'
				   WHEN a.attname = 'samples' THEN 'pg_catalog.count(*)'
				   WHEN a.attname = 'seconds' THEN
					   'coalesce(pg_catalog.sum(pg_catalog.date_part(''epoch'', h.captured_at - h.since)), 0)'
				   WHEN a.attname = 'lossy' THEN
					   'NULLIF(pg_catalog.bool_or(coalesce(h.lossy, false)), false)'
				   WHEN a.attname = 'generation' THEN '$1'
				   WHEN a.attname::text ~ '_max$' THEN
					   pg_catalog.format('pg_catalog.max(h.%I)', pg_catalog.regexp_replace(a.attname, '_max$', ''))
				   WHEN a.attname::text ~ '^min_' THEN pg_catalog.format('pg_catalog.min(h.%I)', a.attname)
				   WHEN a.attname::text ~ '^max_' THEN pg_catalog.format('pg_catalog.max(h.%I)', a.attname)
				   WHEN a.attname::text IN ('datname', 'relname', 'schemaname') THEN
					   pg_catalog.format('pg_catalog.max(h.%I)', a.attname)
				   WHEN k.key THEN pg_catalog.format('h.%I', a.attname)
				   ELSE pg_catalog.format('pg_catalog.sum(h.%I)', a.attname)
			   END, ', ' ORDER BY a.attnum),
		   pg_catalog.string_agg(pg_catalog.format('h.%I', a.attname), ', ' ORDER BY a.attnum)
			   FILTER (WHERE k.key)
	INTO cols, exprs, keys
	FROM pg_catalog.pg_attribute a,
		 LATERAL (SELECT a.attname::text IN ('dbid', 'userid', 'queryid', 'toplevel', 'datid', 'relid',
											 'backend_type', 'object', 'context')
				  AS key) k
	WHERE a.attrelid = pg_catalog.format('pghero_internal.%I', rollup_table)::pg_catalog.regclass
	  AND a.attnum > 0 AND NOT a.attisdropped;

	EXECUTE pg_catalog.format(
		'INSERT INTO pghero_internal.%I (%s) SELECT %s FROM pghero_internal.%I h'
		' WHERE h.generation = $1 AND h.captured_at >= $2 AND h.captured_at < $3'
		' GROUP BY pg_catalog.date_trunc(''hour'', h.captured_at)%s',
		rollup_table, cols, exprs, raw_table, coalesce(', ' || keys, ''))
	USING gen, lo, hi;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

COMMENT ON FUNCTION pghero_internal._rollup(text, text, integer, timestamptz, timestamptz) IS
'Roll the raw rows of one history table and generation in a time range up into hourly rows (internal)';

-- retention: partitions ahead, hourly rollups of complete hours (of every
-- generation), and dropping whole partitions past their retention (raw ones
-- only once rolled up).  Space keeps, at the start of its window, one row
-- per relation with its size then, so growth stays computable.  The tables
-- come from the registry of sources.
CREATE FUNCTION pghero_internal._capture_retention(OUT written bigint, OUT note text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
	now_ts timestamptz := pg_catalog.now();
	gen integer := pghero_internal._generation();
	hour_now timestamptz := pg_catalog.date_trunc('hour', now_ts);
	raw_keep interval := pg_catalog.make_interval(secs => pghero_internal._setting_seconds('pghero.raw_retention'));
	history_keep interval := pg_catalog.make_interval(secs => pghero_internal._setting_seconds('pghero.history_retention'));
	t text;
	s record;
	p record;
	day timestamptz;
	dropped boolean := false;
BEGIN
	written := 0;

	-- this generation's partitions for today and tomorrow
	FOR t IN
		SELECT u.t FROM pghero_internal.collector_sources c,
			 LATERAL (VALUES (c.raw_table), (c.rollup_table)) u(t)
		WHERE u.t IS NOT NULL
	LOOP
		PERFORM pghero_internal._ensure_partition(t, now_ts);
		PERFORM pghero_internal._ensure_partition(t, now_ts + interval '1 day');
	END LOOP;

	-- hourly rollups of the complete hours not rolled up yet, per generation
	FOR s IN
		SELECT c.raw_table, c.rollup_table, g.generation,
			   coalesce(r.rolled_up_until, '-infinity') AS upto
		FROM pghero_internal.collector_sources c
			 CROSS JOIN LATERAL (
				SELECT gen AS generation
				UNION
				SELECT pg_catalog.substring(pt.relname, '_g([0-9]+)$')::integer
				FROM pg_catalog.pg_inherits i
					 JOIN pg_catalog.pg_class pt ON pt.oid = i.inhrelid
				WHERE i.inhparent = pg_catalog.format('pghero_internal.%I', c.raw_table)::pg_catalog.regclass) g
			 LEFT JOIN pghero_internal.rollup_progress r
				ON r.history = c.raw_table AND r.generation = g.generation
		WHERE c.rollup_table IS NOT NULL
	LOOP
		CONTINUE WHEN s.upto >= hour_now;
		FOR p IN EXECUTE pg_catalog.format(
			'SELECT DISTINCT pg_catalog.date_trunc(''day'', h.captured_at) AS day
			 FROM pghero_internal.%I h
			 WHERE h.generation = $1 AND h.captured_at >= $2 AND h.captured_at < $3',
			s.raw_table) USING s.generation, s.upto, hour_now LOOP
			PERFORM pghero_internal._ensure_partition(s.rollup_table, p.day, s.generation);
		END LOOP;
		written := written + pghero_internal._rollup(s.raw_table, s.rollup_table, s.generation, s.upto, hour_now);
		INSERT INTO pghero_internal.rollup_progress AS r (history, generation, rolled_up_until)
		VALUES (s.raw_table, s.generation, hour_now)
		ON CONFLICT (history, generation) DO UPDATE SET rolled_up_until = excluded.rolled_up_until;
	END LOOP;

	-- space keyframes at the start of the window, before anything is dropped
	IF EXISTS (SELECT FROM pghero_internal.space_history h
			   WHERE h.generation = gen AND h.captured_at < now_ts - history_keep) THEN
		PERFORM pghero_internal._ensure_partition('space_history', now_ts - history_keep);
		INSERT INTO pghero_internal.space_history
			(captured_at, datid, relid, schemaname, relname, kind, size_bytes, generation)
		SELECT DISTINCT ON (h.datid, h.relid) now_ts - history_keep, h.datid, h.relid,
			   h.schemaname, h.relname, h.kind, h.size_bytes, gen
		FROM pghero_internal.space_history h
		WHERE h.generation = gen
		  AND h.captured_at < now_ts - history_keep
		  AND NOT EXISTS (SELECT FROM pghero_internal.space_history l
						  WHERE l.generation = gen
							AND l.datid = h.datid
							AND l.relid IS NOT DISTINCT FROM h.relid
							AND l.captured_at >= now_ts - history_keep
							AND l.captured_at <= now_ts - history_keep + interval '1 day')
		ORDER BY h.datid, h.relid, h.captured_at DESC;
	END IF;

	-- runs of the sources and statement captures past history_retention
	DELETE FROM pghero_internal.collector_runs r WHERE r.started_at < now_ts - history_keep;
	DELETE FROM pghero_internal.statement_captures c WHERE c.captured_at < now_ts - history_keep;

	-- drop whole daily partitions past their retention, of every generation
	FOR p IN
		SELECT leaf.relname, c.raw_table, c.rollup_table, parent.relname AS parent,
			   pg_catalog.substring(mid.relname, '_g([0-9]+)$')::integer AS generation,
			   (pg_catalog.to_date(pg_catalog.right(leaf.relname::text, 8), 'YYYYMMDD') + 1)::timestamptz AS upper_bound
		FROM pghero_internal.collector_sources c
			 JOIN pg_catalog.pg_class parent
				ON parent.relnamespace = 'pghero_internal'::pg_catalog.regnamespace
			   AND parent.relname IN (c.raw_table, c.rollup_table)
			 JOIN pg_catalog.pg_inherits i1 ON i1.inhparent = parent.oid
			 JOIN pg_catalog.pg_class mid ON mid.oid = i1.inhrelid
			 JOIN pg_catalog.pg_inherits i2 ON i2.inhparent = mid.oid
			 JOIN pg_catalog.pg_class leaf ON leaf.oid = i2.inhrelid
		WHERE leaf.relname::text ~ '_p[0-9]{8}$'
	LOOP
		IF (p.parent = p.raw_table AND p.rollup_table IS NOT NULL
			AND p.upper_bound <= now_ts - raw_keep
			AND p.upper_bound <= (SELECT r.rolled_up_until FROM pghero_internal.rollup_progress r
								  WHERE r.history = p.raw_table AND r.generation = p.generation))
		   OR ((p.parent = p.rollup_table OR p.rollup_table IS NULL)
			   AND p.upper_bound <= now_ts - history_keep) THEN
			EXECUTE pg_catalog.format('DROP TABLE pghero_internal.%I', p.relname);
			dropped := true;
		END IF;
	END LOOP;

	IF dropped THEN
		-- generations other than this one left with no partition
		FOR p IN
			SELECT mid.relname
			FROM pg_catalog.pg_inherits i1
				 JOIN pg_catalog.pg_class mid ON mid.oid = i1.inhrelid
			WHERE i1.inhparent IN (SELECT pg_catalog.format('pghero_internal.%I', u.t)::pg_catalog.regclass
								   FROM pghero_internal.collector_sources c,
										LATERAL (VALUES (c.raw_table), (c.rollup_table)) u(t)
								   WHERE u.t IS NOT NULL)
			  AND mid.relname::text !~ pg_catalog.format('_g%s$', gen)
			  AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits i2 WHERE i2.inhparent = mid.oid)
		LOOP
			EXECUTE pg_catalog.format('DROP TABLE pghero_internal.%I', p.relname);
		END LOOP;

		-- texts no history refers to any more
		DELETE FROM pghero_internal.query_texts t
		WHERE NOT EXISTS (SELECT FROM pghero_internal.statement_rollup r
						  WHERE r.queryid = t.queryid
							AND r.dbid = t.dbid
							AND r.generation = t.generation)
		  AND NOT EXISTS (SELECT FROM pghero_internal.statement_history h
						  WHERE h.queryid = t.queryid
							AND h.dbid = t.dbid
							AND h.generation = t.generation)
		  AND NOT (t.generation = gen
				   AND EXISTS (SELECT FROM pghero_internal.statement_baseline b
							   WHERE b.queryid = t.queryid
								 AND b.dbid = t.dbid));
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._capture_retention() IS
'Run the retention source: create partitions ahead, roll complete hours up, drop partitions past their retention (internal)';

-- One source, the way the collector runs it: serialized with any other run
-- of the same source, with a short lock_timeout, and its outcome recorded
-- in collector_sources.  A failing source is recorded, not raised.
CREATE FUNCTION pghero_internal._run_source(source text, next_run_at timestamptz)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := pg_catalog.clock_timestamp();
	fn text;
	n bigint;
	err text;
	note text;
	old_lock_timeout text := pg_catalog.current_setting('lock_timeout');
BEGIN
	SELECT c.run_function INTO fn FROM pghero_internal.collector_sources c
	WHERE c.source = $1;
	IF fn IS NULL THEN
		RAISE EXCEPTION 'unknown capture source "%"', $1
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The sources are listed in pghero.collector.';
	END IF;

	BEGIN
		PERFORM pg_catalog.set_config('lock_timeout', '1s', true);
		PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pghero'), pg_catalog.hashtext($1));
		-- the run function named by the registry: one of ours
		EXECUTE pg_catalog.format('SELECT r.written, r.note FROM pghero_internal.%I() r', fn)
		INTO n, note;
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
		err := pg_catalog.format('%s (SQLSTATE %s)', err, SQLSTATE);
		n := NULL;
	END;
	PERFORM pg_catalog.set_config('lock_timeout', old_lock_timeout, true);

	UPDATE pghero_internal.collector_sources c SET
		last_run_at = started,
		last_duration_ms = pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - started) * 1000,
		last_rows = n,
		last_success_at = CASE WHEN err IS NULL THEN started ELSE c.last_success_at END,
		last_error = CASE WHEN err IS NULL THEN c.last_error ELSE err END,
		last_error_at = CASE WHEN err IS NULL THEN c.last_error_at ELSE started END,
		last_note = CASE WHEN err IS NULL THEN note ELSE c.last_note END,
		next_run_at = coalesce($2, c.next_run_at),
		runs = c.runs + 1,
		failures = c.failures + CASE WHEN err IS NULL THEN 0 ELSE 1 END
	WHERE c.source = $1;
	INSERT INTO pghero_internal.collector_runs
		(started_at, finished_at, source, succeeded, rows_written, error, note, generation)
	VALUES (started, pg_catalog.clock_timestamp(), $1, err IS NULL, n, err,
			CASE WHEN err IS NULL THEN note END, pghero_internal._generation());
	RETURN n;
END
$$;

COMMENT ON FUNCTION pghero_internal._run_source(text, timestamptz) IS
'Run one capture source with the collector''s isolation and record its outcome (internal; called by the collector worker and pghero.capture())';

CREATE FUNCTION @extschema@.capture(sources text[] DEFAULT NULL)
RETURNS TABLE (source text, rows_written bigint, succeeded boolean, error text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	s text;
	unknown text;
BEGIN
	PERFORM pghero_internal._require_admin('capture history now');
	SELECT u.u INTO unknown FROM pg_catalog.unnest($1) u(u)
	WHERE NOT EXISTS (SELECT FROM pghero_internal.collector_sources c
					  WHERE c.source = u.u)
	LIMIT 1;
	IF unknown IS NOT NULL OR pg_catalog.array_position($1, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'unknown capture source "%"', unknown
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The sources are listed in pghero.collector.';
	END IF;

	FOR s IN SELECT c.source FROM pghero_internal.collector_sources c ORDER BY c.position LOOP
		CONTINUE WHEN $1 IS NOT NULL AND NOT s = ANY ($1);
		PERFORM pghero_internal._run_source(s, NULL);
		RETURN QUERY
		SELECT c.source, c.last_rows,
			   c.last_success_at IS NOT DISTINCT FROM c.last_run_at,
			   CASE WHEN c.last_error_at IS NOT DISTINCT FROM c.last_run_at THEN c.last_error END
		FROM pghero_internal.collector_sources c
		WHERE c.source = s;
	END LOOP;
END
$$;

COMMENT ON FUNCTION @extschema@.capture(text[]) IS
'Run every capture source now (or the ones named), as the collector would, and return what each wrote; for tests and on-demand captures';

-- Start the collector at once if it does not run (src/launcher.c)
CREATE FUNCTION pghero_internal._start_collector()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pghero_start_collector'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION pghero_internal._start_collector() IS
'Ask the launcher to start the collector (internal; called by pghero.start_collector())';

-- (SECURITY DEFINER like the actions: it checks its caller itself, and a
-- reader who calls it is told which role to ask for)
CREATE FUNCTION @extschema@.start_collector()
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM pghero_internal._require_admin('start the collector');
	RETURN pghero_internal._start_collector();
END
$$;

COMMENT ON FUNCTION @extschema@.start_collector() IS
'Start the collector now if it does not run (after pg_terminate_backend, instead of waiting for its restart); true when it was started, false when it was running; needs pghero in shared_preload_libraries';

--------------------------------------------------------------------------
-- What the collector is doing
--------------------------------------------------------------------------

CREATE VIEW @extschema@.collector AS
SELECT s.source,
	   s.last_run_at,
	   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => s.last_duration_ms / 1000))::text AS last_duration,
	   pg_catalog.round(s.last_duration_ms::numeric, 3)::float8 AS last_duration_ms,
	   s.last_rows,
	   s.last_success_at,
	   s.last_error,
	   s.last_error_at,
	   s.last_note AS note,
	   s.next_run_at,
	   s.runs,
	   s.failures,
	   c.entries AS statements_entries,
	   c.max_entries AS statements_max,
	   pg_catalog.round(100.0 * c.entries / NULLIF(c.max_entries, 0), 2) AS statements_fill_percent,
	   c.dealloc AS statements_deallocations,
	   c.stats_reset AS statements_reset_at,
	   w.pid AS worker_pid
FROM pghero_internal.collector_sources s
	 LEFT JOIN LATERAL (SELECT sc.* FROM pghero_internal.statement_captures sc
						WHERE sc.generation = pghero_internal._generation()
						ORDER BY sc.captured_at DESC LIMIT 1) c ON s.source = 'statements'
	 LEFT JOIN LATERAL (SELECT a.pid FROM pghero_internal._activity() a
						WHERE a.backend_type = 'pghero collector' LIMIT 1) w ON true;

COMMENT ON VIEW @extschema@.collector IS
'The collector, source by source: last run, duration, rows written, last error, next run; with pg_stat_statements fill and deallocations';

/* sql/src/21_history.sql */

--------------------------------------------------------------------------
-- Reading history
--
-- Every reader merges the two tiers the same way (the history views), takes
-- its locks with a short lock_timeout and says so clearly instead of
-- queueing behind another session's lock (_history_locked), checks its
-- window (_check_window), and reads pg_stat_statements only when the
-- window reaches now (the uncaptured tail), so a window wholly in the past
-- needs no pg_stat_statements.  History written by another generation (a
-- restored dump) is read alongside this installation's; the names of its
-- databases and roles come from object_names, as they were captured.
--------------------------------------------------------------------------

-- Check a window [start_at, end_at)
CREATE FUNCTION pghero_internal._check_window(start_at timestamptz, end_at timestamptz)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF start_at IS NULL OR end_at IS NULL THEN
		RAISE EXCEPTION 'the window''s start_at and end_at must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Leave them out for the default window, or pass ''-infinity'' and ''infinity'' for all history.';
	END IF;
	IF start_at > end_at THEN
		RAISE EXCEPTION 'the window starts after it ends'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('start_at is %s, end_at is %s.', start_at, end_at),
				  HINT = 'Pass start_at before end_at: the window is [start_at, end_at).';
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._check_window(timestamptz, timestamptz) IS
'Raise a clear error for a NULL or reversed history window (internal)';

-- What a history reader says when a history table is locked
CREATE FUNCTION pghero_internal._history_locked(detail text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'pghero history is locked by another session'
		USING ERRCODE = 'lock_not_available',
			  DETAIL = detail,
			  HINT = 'pghero''s history readers do not wait for locks, so as never to hold up other sessions; another session holds a lock on a history table (the collector''s retention dropping a partition, a LOCK TABLE, a DDL statement).  Try again in a moment.';
END
$$;

COMMENT ON FUNCTION pghero_internal._history_locked(text) IS
'Raise the error of a history reader that found a history table locked (internal)';

-- Where each generation's raw rows of a history start: the first day of
-- its oldest raw partition (retention drops raw history a whole day at a
-- time, once rolled up), NULL when it has none left.  Read from the
-- catalog, so that finding it scans no history.
CREATE FUNCTION pghero_internal._raw_from(raw_table text)
RETURNS TABLE (generation integer, raw_from timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.substring(g.relname, '_g([0-9]+)$')::integer,
		   pg_catalog.min(pg_catalog.to_date(pg_catalog.right(l.relname, 8), 'YYYYMMDD')::timestamp
						  AT TIME ZONE 'UTC')
	FROM pg_catalog.pg_inherits i
		 JOIN pg_catalog.pg_class g ON g.oid = i.inhrelid
		 LEFT JOIN pg_catalog.pg_inherits j ON j.inhparent = g.oid
		 LEFT JOIN pg_catalog.pg_class l ON l.oid = j.inhrelid
	WHERE i.inhparent = pg_catalog.to_regclass(pg_catalog.format('pghero_internal.%I', $1))
	GROUP BY g.relname
$$;

COMMENT ON FUNCTION pghero_internal._raw_from(text) IS
'Per generation of a raw history table, the start of its oldest raw partition (internal)';

--------------------------------------------------------------------------
-- History views.  One row per bucket and identity, the two tiers merged
-- the same way for every history: raw rows wherever they are still kept
-- (bucket_start is the previous capture, bucket_end the capture; for an
-- identity seen for the first time, counted whole, both are its capture),
-- hourly
-- rows for the hours whose raw rows retention has dropped; no interval is
-- counted twice.  A client's WHERE bucket_start >= X reaches the tables: the
-- hourly tier is partitioned by bucket_start, and every raw partition
-- carries CHECK (coalesce(since, captured_at) < its upper bound), which
-- lets the planner skip the
-- older ones (constraint_exclusion = partition, the default).
--
-- The views read pghero's own tables only, never a user's: they cannot
-- hold up a user's statement.  The collector, the only session that takes
-- strong locks on those tables (retention dropping a partition), waits at
-- most lock_timeout = 1s for them and tries again at its next run.
--------------------------------------------------------------------------

-- The statements' buckets: counters per identity and bucket, tiers merged
-- (the base of query_stats_history and of the window functions)
CREATE VIEW pghero_internal._statement_buckets AS
SELECT r.bucket AS bucket_start, r.bucket + interval '1 hour' AS bucket_end,
	   'hourly'::text AS tier, r.generation, r.dbid, r.userid, r.queryid, r.toplevel,
	   r.calls, r.total_plan_time, r.total_exec_time, r.rows, r.shared_blks_hit,
	   r.shared_blks_read, r.temp_blks_read, r.temp_blks_written, r.lossy
FROM pghero_internal.statement_rollup r
	 LEFT JOIN pghero_internal._raw_from('statement_history') k ON k.generation = r.generation
WHERE k.raw_from IS NULL OR r.bucket < k.raw_from
UNION ALL
SELECT coalesce(h.since, h.captured_at), h.captured_at, 'raw', h.generation, h.dbid, h.userid, h.queryid, h.toplevel,
	   h.calls, h.total_plan_time, h.total_exec_time, h.rows, h.shared_blks_hit,
	   h.shared_blks_read, h.temp_blks_read, h.temp_blks_written, h.lossy
FROM pghero_internal.statement_history h;

COMMENT ON VIEW pghero_internal._statement_buckets IS
'Statement counters per identity and bucket, raw and hourly tiers merged (internal)';

CREATE VIEW @extschema@.query_stats_history AS
SELECT b.bucket_start, b.bucket_end, b.tier,
	   coalesce(nd.name, db.datname) AS database, coalesce(nr.name, ro.rolname) AS username,
	   b.dbid, b.userid, b.queryid, b.toplevel, t.query,
	   coalesce(b.calls, 0) AS calls,
	   pg_catalog.round((coalesce(b.total_plan_time, 0) + coalesce(b.total_exec_time, 0))::numeric, 3)::float8
		 AS total_time_ms,
	   pg_catalog.round(((coalesce(b.total_plan_time, 0) + coalesce(b.total_exec_time, 0))
						 / NULLIF(b.calls, 0))::numeric, 3)::float8 AS mean_time_ms,
	   coalesce(b.rows, 0) AS rows,
	   coalesce(b.shared_blks_hit, 0) AS shared_blks_hit,
	   coalesce(b.shared_blks_read, 0) AS shared_blks_read,
	   pg_catalog.round(100.0 * coalesce(b.shared_blks_hit, 0)
						/ NULLIF(coalesce(b.shared_blks_hit, 0) + coalesce(b.shared_blks_read, 0), 0), 2)
		 AS cache_hit_percent,
	   coalesce(b.temp_blks_read, 0) AS temp_blks_read,
	   coalesce(b.temp_blks_written, 0) AS temp_blks_written,
	   coalesce(b.lossy, false) AS lossy,
	   b.generation
FROM pghero_internal._statement_buckets b
	 CROSS JOIN pghero_internal.installation i
	 LEFT JOIN pghero_internal.query_texts t
		ON t.generation = b.generation AND t.dbid = b.dbid AND t.queryid = b.queryid
	 -- names as captured for the generation, or (this generation's objects
	 -- not captured yet) as they are now
	 LEFT JOIN pghero_internal.object_names nd
		ON nd.generation = b.generation AND nd.kind = 'database' AND nd.oid = b.dbid
	 LEFT JOIN pghero_internal.object_names nr
		ON nr.generation = b.generation AND nr.kind = 'role' AND nr.oid = b.userid
	 LEFT JOIN pg_catalog.pg_database db
		ON b.generation = i.generation AND db.oid = b.dbid
	 LEFT JOIN pg_catalog.pg_roles ro
		ON b.generation = i.generation AND ro.oid = b.userid;

COMMENT ON VIEW @extschema@.query_stats_history IS
'Statement history: per raw capture interval or hourly bucket and statement (user, database, queryid, nesting level), calls, time, rows and blocks; filter on bucket_start';

CREATE VIEW @extschema@.database_activity_history AS
SELECT x.bucket_start, x.bucket_end, x.tier, x.datname AS database, x.datid,
	   pg_catalog.round(x.seconds::numeric, 3)::float8 AS seconds,
	   pg_catalog.round(((coalesce(x.xact_commit, 0) + coalesce(x.xact_rollback, 0))
						 / NULLIF(x.seconds, 0))::numeric, 3)::float8 AS tps,
	   coalesce(x.xact_commit, 0) AS commits, coalesce(x.xact_rollback, 0) AS rollbacks,
	   pg_catalog.round(((coalesce(x.tup_returned, 0) + coalesce(x.tup_fetched, 0))
						 / NULLIF(x.seconds, 0))::numeric, 3)::float8 AS rows_read_per_second,
	   pg_catalog.round(((coalesce(x.tup_inserted, 0) + coalesce(x.tup_updated, 0)
						  + coalesce(x.tup_deleted, 0)) / NULLIF(x.seconds, 0))::numeric, 3)::float8
		 AS rows_written_per_second,
	   pg_catalog.round(100.0 * coalesce(x.blks_hit, 0)
						/ NULLIF(coalesce(x.blks_hit, 0) + coalesce(x.blks_read, 0), 0), 2)
		 AS cache_hit_percent,
	   coalesce(x.temp_bytes, 0) AS temp_bytes, coalesce(x.deadlocks, 0) AS deadlocks,
	   x.backends, coalesce(x.lossy, false) AS lossy, x.generation
FROM (SELECT r.bucket AS bucket_start, r.bucket + interval '1 hour' AS bucket_end,
			 'hourly'::text AS tier, r.datname, r.datid, r.seconds,
			 r.xact_commit, r.xact_rollback, r.blks_read, r.blks_hit,
			 r.tup_returned, r.tup_fetched, r.tup_inserted, r.tup_updated, r.tup_deleted,
			 r.temp_bytes, r.deadlocks, r.numbackends_max AS backends, r.lossy, r.generation
	  FROM pghero_internal.database_rollup r
		   LEFT JOIN pghero_internal._raw_from('database_history') k ON k.generation = r.generation
	  WHERE k.raw_from IS NULL OR r.bucket < k.raw_from
	  UNION ALL
	  SELECT coalesce(h.since, h.captured_at), h.captured_at, 'raw', h.datname, h.datid,
			 pg_catalog.date_part('epoch', h.captured_at - h.since),
			 h.xact_commit, h.xact_rollback, h.blks_read, h.blks_hit,
			 h.tup_returned, h.tup_fetched, h.tup_inserted, h.tup_updated, h.tup_deleted,
			 h.temp_bytes, h.deadlocks, h.numbackends, h.lossy, h.generation
	  FROM pghero_internal.database_history h) x;

COMMENT ON VIEW @extschema@.database_activity_history IS
'Database activity history: per raw capture interval or hourly bucket and database, transactions and rows per second, cache hit rate, temporary bytes, deadlocks; filter on bucket_start';

CREATE VIEW @extschema@.instance_activity_history AS
SELECT x.bucket_start, x.bucket_end, x.tier,
	   pg_catalog.round(x.seconds::numeric, 3)::float8 AS seconds,
	   coalesce(x.wal_bytes, 0) AS wal_bytes,
	   pg_catalog.round((coalesce(x.wal_bytes, 0) / NULLIF(x.seconds, 0)::numeric), 3) AS wal_bytes_per_second,
	   coalesce(x.checkpoints_timed, 0) AS checkpoints_timed,
	   coalesce(x.checkpoints_req, 0) AS checkpoints_requested,
	   coalesce(x.buffers_checkpoint, 0) AS buffers_checkpoint,
	   coalesce(x.buffers_clean, 0) AS buffers_clean,
	   coalesce(x.buffers_backend, 0) AS buffers_backend,
	   x.connections, x.active_connections, x.idle_connections,
	   x.idle_in_transaction_connections,
	   coalesce(x.lossy, false) AS lossy, x.generation
FROM (SELECT r.bucket AS bucket_start, r.bucket + interval '1 hour' AS bucket_end,
			 'hourly'::text AS tier, r.seconds, r.wal_bytes, r.checkpoints_timed,
			 r.checkpoints_req, r.buffers_checkpoint, r.buffers_clean, r.buffers_backend,
			 r.connections_max AS connections, NULL::integer AS active_connections,
			 NULL::integer AS idle_connections, NULL::integer AS idle_in_transaction_connections,
			 r.lossy, r.generation
	  FROM pghero_internal.instance_rollup r
		   LEFT JOIN pghero_internal._raw_from('instance_history') k ON k.generation = r.generation
	  WHERE k.raw_from IS NULL OR r.bucket < k.raw_from
	  UNION ALL
	  SELECT coalesce(h.since, h.captured_at), h.captured_at, 'raw', pg_catalog.date_part('epoch', h.captured_at - h.since),
			 h.wal_bytes, h.checkpoints_timed, h.checkpoints_req, h.buffers_checkpoint,
			 h.buffers_clean, h.buffers_backend, h.connections, h.active_connections,
			 h.idle_connections, h.idle_in_transaction_connections, h.lossy, h.generation
	  FROM pghero_internal.instance_history h) x;

COMMENT ON VIEW @extschema@.instance_activity_history IS
'Instance activity history: per raw capture interval or hourly bucket, WAL written, checkpoints, buffers written and client connections (hourly: the most connections seen); filter on bucket_start';

CREATE VIEW @extschema@.io_activity_history AS
SELECT x.bucket_start, x.bucket_end, x.tier,
	   pg_catalog.round(x.seconds::numeric, 3)::float8 AS seconds,
	   x.backend_type, x.object, x.context,
	   coalesce(x.reads, 0) AS reads, coalesce(x.read_bytes, 0) AS read_bytes,
	   pg_catalog.round(coalesce(x.read_time, 0)::numeric, 3)::float8 AS read_time_ms,
	   coalesce(x.writes, 0) AS writes, coalesce(x.write_bytes, 0) AS write_bytes,
	   pg_catalog.round(coalesce(x.write_time, 0)::numeric, 3)::float8 AS write_time_ms,
	   coalesce(x.writebacks, 0) AS writebacks, coalesce(x.extends, 0) AS extends,
	   coalesce(x.extend_bytes, 0) AS extend_bytes, coalesce(x.hits, 0) AS hits,
	   coalesce(x.evictions, 0) AS evictions, coalesce(x.reuses, 0) AS reuses,
	   coalesce(x.fsyncs, 0) AS fsyncs,
	   pg_catalog.round(coalesce(x.fsync_time, 0)::numeric, 3)::float8 AS fsync_time_ms,
	   coalesce(x.lossy, false) AS lossy, x.generation
FROM (SELECT r.bucket AS bucket_start, r.bucket + interval '1 hour' AS bucket_end,
			 'hourly'::text AS tier, r.seconds, r.backend_type, r.object, r.context,
			 r.reads, r.read_bytes, r.read_time, r.writes, r.write_bytes, r.write_time,
			 r.writebacks, r.extends, r.extend_bytes, r.hits, r.evictions, r.reuses,
			 r.fsyncs, r.fsync_time, r.lossy, r.generation
	  FROM pghero_internal.io_rollup r
		   LEFT JOIN pghero_internal._raw_from('io_history') k ON k.generation = r.generation
	  WHERE k.raw_from IS NULL OR r.bucket < k.raw_from
	  UNION ALL
	  SELECT coalesce(h.since, h.captured_at), h.captured_at, 'raw', pg_catalog.date_part('epoch', h.captured_at - h.since),
			 h.backend_type, h.object, h.context,
			 h.reads, h.read_bytes, h.read_time, h.writes, h.write_bytes, h.write_time,
			 h.writebacks, h.extends, h.extend_bytes, h.hits, h.evictions, h.reuses,
			 h.fsyncs, h.fsync_time, h.lossy, h.generation
	  FROM pghero_internal.io_history h) x;

COMMENT ON VIEW @extschema@.io_activity_history IS
'I/O history from pg_stat_io (PostgreSQL 16 and later; empty before): per raw capture interval or hourly bucket and backend type, object and context, operations, bytes and times; filter on bucket_start';

-- Sizes are measured at an instant: bucket_start = bucket_end = when
CREATE VIEW @extschema@.relation_size_history AS
SELECT h.captured_at AS bucket_start, h.captured_at AS bucket_end,
	   h.schemaname, h.relname, h.relid, h.kind, h.size_bytes, h.generation
FROM pghero_internal.space_history h
	 JOIN pg_catalog.pg_database d ON d.datname = pg_catalog.current_database()
WHERE h.relid IS NOT NULL AND h.datid = d.oid;

COMMENT ON VIEW @extschema@.relation_size_history IS
'Size history of the relations of this database: a row for each size captured that differs from the one before (and a daily keyframe); bucket_start = bucket_end = when it was measured';

CREATE VIEW @extschema@.database_size_history AS
SELECT h.captured_at AS bucket_start, h.captured_at AS bucket_end,
	   h.relname AS database, h.datid, h.size_bytes, h.generation
FROM pghero_internal.space_history h
WHERE h.relid IS NULL;

COMMENT ON VIEW @extschema@.database_size_history IS
'Size history of every database of the cluster: a row for each size captured that differs from the one before (and a daily keyframe); bucket_start = bucket_end = when it was measured';

CREATE VIEW @extschema@.collector_runs AS
SELECT r.started_at AS bucket_start, r.finished_at AS bucket_end, r.source, r.succeeded,
	   pg_catalog.round((pg_catalog.date_part('epoch', r.finished_at - r.started_at) * 1000)::numeric, 3)::float8
		 AS duration_ms,
	   r.rows_written, r.error, r.note, r.generation
FROM pghero_internal.collector_runs r;

COMMENT ON VIEW @extschema@.collector_runs IS
'Every run of every capture source, kept for pghero.history_retention: when it started and ended, rows written, error or note; filter on bucket_start';

--------------------------------------------------------------------------
-- Window functions: conveniences over the views above, for a window
-- [start_at, end_at) of bucket_start; the statement readers add what
-- pg_stat_statements counted since the last capture when the window
-- reaches now (the uncaptured tail).  Each waits at most 100ms for a lock
-- and then says so.
--------------------------------------------------------------------------

-- Why the statements of a window are lossy: the notes of its lossy
-- captures, per generation, and whether one of them counted nothing (then
-- every statement of the window is lossy)
CREATE FUNCTION pghero_internal._statement_losses(start_at timestamptz, end_at timestamptz)
RETURNS TABLE (generation integer, all_lossy boolean, reason text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.generation,
		   pg_catalog.bool_or(c.moved = 0 AND c.since IS NOT NULL),
		   pg_catalog.string_agg(DISTINCT c.note, '; ')
	FROM pghero_internal.statement_captures c
	WHERE c.lossy AND coalesce(c.since, c.captured_at) >= $1
	  AND coalesce(c.since, c.captured_at) < $2
	GROUP BY c.generation
$$;

COMMENT ON FUNCTION pghero_internal._statement_losses(timestamptz, timestamptz) IS
'Per generation, the lossy statement captures of a window: their notes and whether one counted nothing (internal)';

-- The change of every statement identity over a window: its buckets, plus
-- the uncaptured tail when the window reaches now
CREATE FUNCTION pghero_internal._statement_window(start_at timestamptz, end_at timestamptz)
RETURNS TABLE (generation integer, dbid oid, userid oid, queryid bigint, toplevel boolean,
			   bucket_start timestamptz, bucket_end timestamptz, tier text, calls bigint,
			   total_time_ms float8, rows bigint, shared_blks_hit bigint,
			   shared_blks_read bigint, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT b.generation, b.dbid, b.userid, b.queryid, b.toplevel, b.bucket_start, b.bucket_end,
		   b.tier, b.calls, coalesce(b.total_plan_time, 0) + coalesce(b.total_exec_time, 0),
		   b.rows, b.shared_blks_hit, b.shared_blks_read, b.temp_blks_read,
		   b.temp_blks_written, b.lossy
	FROM pghero_internal._statement_buckets b
	WHERE b.bucket_start >= $1 AND b.bucket_start < $2
	  -- implied (a bucket ends after it starts), and on the raw tier's
	  -- partition key: lets the executor skip partitions for any $1
	  AND b.bucket_end >= $1
	UNION ALL
	-- the tail not captured yet
	SELECT i.generation, s.dbid, s.userid, s.queryid, s.toplevel,
		   sb.captured_at, pg_catalog.now(), 'current', s.calls - b.calls,
		   (s.total_plan_time + s.total_exec_time) - (b.total_plan_time + b.total_exec_time),
		   s.rows - b.rows,
		   s.shared_blks_hit - b.shared_blks_hit,
		   s.shared_blks_read - b.shared_blks_read,
		   s.temp_blks_read - b.temp_blks_read,
		   s.temp_blks_written - b.temp_blks_written,
		   NULL::boolean
	FROM pghero_internal._pgss_statements(false) s
		 JOIN pghero_internal.statement_baseline b
			ON b.dbid = s.dbid AND b.userid = s.userid
		   AND b.queryid = s.queryid AND b.toplevel = s.toplevel
		 CROSS JOIN pghero_internal.installation i
		 LEFT JOIN pghero_internal.source_baseline sb ON sb.source = 'statements'
	WHERE $2 >= pg_catalog.now()
	  AND s.calls > b.calls
$$;

COMMENT ON FUNCTION pghero_internal._statement_window(timestamptz, timestamptz) IS
'Per identity and bucket, the changes of the statement counters within a window of bucket_start, and the uncaptured tail when the window reaches now (internal)';

CREATE FUNCTION @extschema@.query_stats_between(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, username name, dbid oid, userid oid, queryid bigint,
			   query text, calls bigint, total_time text, total_time_ms float8,
			   mean_time text, mean_time_ms float8, rows bigint,
			   percent_of_total numeric, shared_blks_hit bigint, shared_blks_read bigint,
			   cache_hit_percent numeric, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean, lossy_reason text, generation integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	WITH s AS (
		SELECT d.generation, d.dbid, d.userid, d.queryid,
			   pg_catalog.sum(d.calls)::bigint AS calls,
			   pg_catalog.sum(d.total_time_ms) AS total_ms,
			   pg_catalog.sum(d.rows)::bigint AS rows,
			   pg_catalog.sum(d.shared_blks_hit)::bigint AS shared_blks_hit,
			   pg_catalog.sum(d.shared_blks_read)::bigint AS shared_blks_read,
			   pg_catalog.sum(d.temp_blks_read)::bigint AS temp_blks_read,
			   pg_catalog.sum(d.temp_blks_written)::bigint AS temp_blks_written,
			   pg_catalog.bool_or(coalesce(d.lossy, false)) AS lossy
		FROM pghero_internal._statement_window(start_at, end_at) d
		GROUP BY d.generation, d.dbid, d.userid, d.queryid),
	l AS (SELECT * FROM pghero_internal._statement_losses(start_at, end_at))
	SELECT coalesce(nd.name, db.datname), coalesce(nr.name, r.rolname),
		   s.dbid, s.userid, s.queryid, t.query, s.calls,
		   pg_catalog.date_trunc('milliseconds', pg_catalog.make_interval(secs => s.total_ms / 1000))::text,
		   pg_catalog.round(s.total_ms::numeric, 3)::float8,
		   pg_catalog.date_trunc('milliseconds',
			   pg_catalog.make_interval(secs => s.total_ms / NULLIF(s.calls, 0) / 1000))::text,
		   pg_catalog.round((s.total_ms / NULLIF(s.calls, 0))::numeric, 3)::float8,
		   coalesce(s.rows, 0),
		   pg_catalog.round((100 * s.total_ms / NULLIF(pg_catalog.sum(s.total_ms) OVER (), 0))::numeric, 2),
		   coalesce(s.shared_blks_hit, 0),
		   coalesce(s.shared_blks_read, 0),
		   pg_catalog.round(100.0 * coalesce(s.shared_blks_hit, 0)
							/ NULLIF(coalesce(s.shared_blks_hit, 0) + coalesce(s.shared_blks_read, 0), 0), 2),
		   coalesce(s.temp_blks_read, 0),
		   coalesce(s.temp_blks_written, 0),
		   s.lossy OR coalesce(l.all_lossy, false),
		   CASE WHEN s.lossy OR l.all_lossy
				THEN coalesce(l.reason, 'the statement''s pg_stat_statements entry was reset or evicted and made again: counts are a lower bound')
		   END,
		   s.generation
	FROM s
		 CROSS JOIN pghero_internal.installation i
		 LEFT JOIN l ON l.generation = s.generation
		 LEFT JOIN pghero_internal.query_texts t
			ON t.generation = s.generation AND t.dbid = s.dbid AND t.queryid = s.queryid
		 LEFT JOIN pghero_internal.object_names nd
			ON nd.generation = s.generation AND nd.kind = 'database' AND nd.oid = s.dbid
		 LEFT JOIN pghero_internal.object_names nr
			ON nr.generation = s.generation AND nr.kind = 'role' AND nr.oid = s.userid
		 LEFT JOIN pg_catalog.pg_database db
			ON s.generation = i.generation AND db.oid = s.dbid
		 LEFT JOIN pg_catalog.pg_roles r
			ON s.generation = i.generation AND r.oid = s.userid
	WHERE s.calls > 0;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.query_stats_between(timestamptz, timestamptz) IS
'The statements of query_stats_history summed over a window [start_at, end_at) of bucket_start (default: the last 24 hours), with the columns of the query_stats view, including what was not captured yet when the window reaches now; lossy, with the reason, when an interval in it lost data';

CREATE FUNCTION @extschema@.slow_queries_between(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (database name, username name, dbid oid, userid oid, queryid bigint,
			   query text, calls bigint, total_time text, total_time_ms float8,
			   mean_time text, mean_time_ms float8, rows bigint,
			   percent_of_total numeric, shared_blks_hit bigint, shared_blks_read bigint,
			   cache_hit_percent numeric, temp_blks_read bigint, temp_blks_written bigint,
			   lossy boolean, lossy_reason text, generation integer)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT q.*
	FROM @extschema@.query_stats_between($1, $2) q, @extschema@.config() c
	WHERE q.calls >= c.slow_query_calls
	  AND q.total_time_ms / q.calls >= c.slow_query_ms
$$;

COMMENT ON FUNCTION @extschema@.slow_queries_between(timestamptz, timestamptz) IS
'query_stats_between(start_at, end_at) for the statements called at least pghero.slow_query_calls times with a mean time of at least pghero.slow_query_ms';

-- One row per bucket of one statement (all users and nesting levels
-- summed), plus the uncaptured tail when the window reaches now
CREATE FUNCTION @extschema@.query_history(
	queryid bigint,
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (bucket_start timestamptz, bucket_end timestamptz, tier text, calls bigint,
			   total_time text, total_time_ms float8, mean_time_ms float8,
			   rows bigint, shared_blks_hit bigint, shared_blks_read bigint,
			   lossy boolean, generation integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	qid bigint := $1;
BEGIN
	IF qid IS NULL THEN
		RAISE EXCEPTION 'queryid must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass a queryid from pghero.query_stats or pghero.query_stats_history.';
	END IF;
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT x.bucket_start, x.bucket_end, x.tier, pg_catalog.sum(x.calls)::bigint,
		   pg_catalog.date_trunc('milliseconds',
			   pg_catalog.make_interval(secs => pg_catalog.sum(x.total_time_ms) / 1000))::text,
		   pg_catalog.round(pg_catalog.sum(x.total_time_ms)::numeric, 3)::float8,
		   pg_catalog.round((pg_catalog.sum(x.total_time_ms) / NULLIF(pg_catalog.sum(x.calls), 0))::numeric, 3)::float8,
		   coalesce(pg_catalog.sum(x.rows), 0)::bigint,
		   coalesce(pg_catalog.sum(x.shared_blks_hit), 0)::bigint,
		   coalesce(pg_catalog.sum(x.shared_blks_read), 0)::bigint,
		   pg_catalog.bool_or(coalesce(x.lossy, false)),
		   x.generation
	FROM pghero_internal._statement_window(start_at, end_at) x
	WHERE x.queryid = qid
	GROUP BY x.generation, x.bucket_start, x.bucket_end, x.tier
	HAVING pg_catalog.sum(x.calls) > 0
	ORDER BY x.bucket_start, x.bucket_end, x.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.query_history(bigint, timestamptz, timestamptz) IS
'One statement over time: one row per bucket of query_stats_history (users and nesting levels summed) with calls, total and mean time, rows and blocks (default: the last 24 hours)';

CREATE FUNCTION @extschema@.database_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF @extschema@.database_activity_history
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT * FROM @extschema@.database_activity_history h
	WHERE h.bucket_start >= start_at AND h.bucket_start < end_at
	  AND h.bucket_end >= start_at	-- implied; prunes raw partitions
	ORDER BY h.database, h.bucket_start, h.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.database_activity(timestamptz, timestamptz) IS
'database_activity_history over a window [start_at, end_at) of bucket_start (default: the last 24 hours)';

CREATE FUNCTION @extschema@.instance_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF @extschema@.instance_activity_history
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT * FROM @extschema@.instance_activity_history h
	WHERE h.bucket_start >= start_at AND h.bucket_start < end_at
	  AND h.bucket_end >= start_at	-- implied; prunes raw partitions
	ORDER BY h.bucket_start, h.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.instance_activity(timestamptz, timestamptz) IS
'instance_activity_history over a window [start_at, end_at) of bucket_start (default: the last 24 hours)';

CREATE FUNCTION @extschema@.io_activity(
	start_at timestamptz DEFAULT pg_catalog.now() - interval '24 hours',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS SETOF @extschema@.io_activity_history
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	SELECT * FROM @extschema@.io_activity_history h
	WHERE h.bucket_start >= start_at AND h.bucket_start < end_at
	  AND h.bucket_end >= start_at	-- implied; prunes raw partitions
	ORDER BY h.bucket_start, h.backend_type, h.object, h.context, h.generation;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.io_activity(timestamptz, timestamptz) IS
'io_activity_history over a window [start_at, end_at) of bucket_start (PostgreSQL 16 and later; default: the last 24 hours)';

-- Growth of every relation of this database over the last days: its size
-- now against its size at the start of the window (or when first seen).
-- Relations are this cluster's: only this generation's history is read.
CREATE FUNCTION @extschema@.space_growth(days integer DEFAULT 7)
RETURNS TABLE (schemaname name, relname name, relid oid, type text,
			   size_bytes bigint, size text, size_then_bytes bigint, since timestamptz,
			   growth_bytes bigint, growth text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	start_at timestamptz;
	gen integer := pghero_internal._generation();
BEGIN
	IF days IS NULL OR days < 0 OR days > 36500 THEN
		RAISE EXCEPTION 'days must be between 0 and 36500, not %', coalesce(days::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass the number of days to look back, e.g. space_growth(7); history is kept for pghero.history_retention.';
	END IF;
	start_at := pg_catalog.now() - pg_catalog.make_interval(days => days);
	RETURN QUERY
	WITH then_ AS (
		SELECT DISTINCT ON (h.relid) h.relid, h.size_bytes, h.bucket_start AS captured_at
		FROM @extschema@.relation_size_history h
		WHERE h.generation = gen AND h.bucket_start <= start_at
		ORDER BY h.relid, h.bucket_start DESC),
	first_ AS (
		SELECT DISTINCT ON (h.relid) h.relid, h.size_bytes, h.bucket_start AS captured_at
		FROM @extschema@.relation_size_history h
		WHERE h.generation = gen AND h.bucket_start > start_at
		ORDER BY h.relid, h.bucket_start)
	SELECT r.schemaname, r.relname, r.relid, r.type, r.size_bytes, r.size,
		   coalesce(t.size_bytes, f.size_bytes),
		   greatest(coalesce(t.captured_at, f.captured_at), start_at),
		   r.size_bytes - coalesce(t.size_bytes, f.size_bytes),
		   pg_catalog.pg_size_pretty(r.size_bytes - coalesce(t.size_bytes, f.size_bytes))
	FROM @extschema@.relation_sizes r
		 LEFT JOIN then_ t ON t.relid = r.relid
		 LEFT JOIN first_ f ON f.relid = r.relid;
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.space_growth(integer) IS
'Every relation of this database with its size now, its size days ago (or when first captured, if later) and the growth since';

CREATE FUNCTION @extschema@.relation_space_history(
	relation regclass,
	start_at timestamptz DEFAULT pg_catalog.now() - interval '30 days',
	end_at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (captured_at timestamptz, size_bytes bigint, size text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	gen integer := pghero_internal._generation();
BEGIN
	IF relation IS NULL THEN
		RAISE EXCEPTION 'relation must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass a table or index, e.g. relation_space_history(''public.orders'').';
	END IF;
	PERFORM pghero_internal._check_window(start_at, end_at);
	RETURN QUERY
	-- the size in force at start_at, every change in the window, and now
	(SELECT greatest(h.bucket_start, start_at), h.size_bytes, pg_catalog.pg_size_pretty(h.size_bytes)
	 FROM @extschema@.relation_size_history h
	 WHERE h.generation = gen AND h.relid = relation::oid AND h.bucket_start <= start_at
	 ORDER BY h.bucket_start DESC LIMIT 1)
	UNION ALL
	(SELECT h.bucket_start, h.size_bytes, pg_catalog.pg_size_pretty(h.size_bytes)
	 FROM @extschema@.relation_size_history h
	 WHERE h.generation = gen AND h.relid = relation::oid
	   AND h.bucket_start > start_at AND h.bucket_start < end_at
	 ORDER BY h.bucket_start)
	UNION ALL
	SELECT pg_catalog.now(), r.size_bytes, r.size
	FROM @extschema@.relation_sizes r
	WHERE r.relid = relation::oid AND end_at >= pg_catalog.now();
EXCEPTION WHEN lock_not_available THEN
	PERFORM pghero_internal._history_locked(SQLERRM);
END
$$;

COMMENT ON FUNCTION @extschema@.relation_space_history(regclass, timestamptz, timestamptz) IS
'Size of one relation over a window (default: the last 30 days): its size at the start, every change captured, and its size now';

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

/* sql/src/23_overview.sql */

--------------------------------------------------------------------------
-- The overview (1.2): one row, cheap enough to poll every few seconds --
-- the issues alerts follow (their counts and the top one), a few facts of
-- the instance, its activity over the last minute and this database's
-- size.  Its cost is that of its parts: the collector's tracked issues (a
-- small table; every check is evaluated only when the collector does not
-- track them), pghero.instance_status, the raw history of the last minute
-- and the database's size from the collector's last space capture (measured
-- now only when the collector does not capture it).
--------------------------------------------------------------------------

-- The activity of the whole instance (every database summed) over the
-- captures of the last minute, from the raw database history this
-- installation wrote; NULL numbers and a note saying why when there is
-- none, or when the history is locked (it never waits for it)
CREATE FUNCTION pghero_internal._recent_activity(
	OUT activity_from timestamptz, OUT activity_to timestamptz,
	OUT tps float8, OUT rows_read_per_second float8, OUT rows_written_per_second float8,
	OUT cache_hit_percent numeric, OUT activity_lossy boolean, OUT activity_note text)
RETURNS record
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	from_ts timestamptz := pg_catalog.now() - interval '1 minute';
	gen integer := pghero_internal._generation();
	seconds float8;
	xacts numeric;
	rows_read numeric;
	rows_written numeric;
	hits numeric;
	reads numeric;
BEGIN
	SELECT pg_catalog.min(coalesce(h.since, h.captured_at)), pg_catalog.max(h.captured_at),
		   pg_catalog.sum(coalesce(h.xact_commit, 0) + coalesce(h.xact_rollback, 0)),
		   pg_catalog.sum(coalesce(h.tup_returned, 0) + coalesce(h.tup_fetched, 0)),
		   pg_catalog.sum(coalesce(h.tup_inserted, 0) + coalesce(h.tup_updated, 0) + coalesce(h.tup_deleted, 0)),
		   pg_catalog.sum(coalesce(h.blks_hit, 0)), pg_catalog.sum(coalesce(h.blks_read, 0)),
		   pg_catalog.bool_or(coalesce(h.lossy, false))
	INTO activity_from, activity_to, xacts, rows_read, rows_written, hits, reads, activity_lossy
	FROM pghero_internal.database_history h
	WHERE h.generation = gen
	  AND h.captured_at > from_ts;

	IF activity_to IS NULL THEN
		activity_note := 'no capture of database activity in the last minute: see pghero.collector (is the collector running, and pghero.capture_interval at most 1min?)';
		RETURN;
	END IF;
	seconds := pg_catalog.date_part('epoch', activity_to - activity_from);
	IF seconds <= 0 THEN
		activity_note := 'the captures of the last minute span no time yet';
		RETURN;
	END IF;
	tps := pg_catalog.round((xacts / seconds::numeric), 3)::float8;
	rows_read_per_second := pg_catalog.round((rows_read / seconds::numeric), 3)::float8;
	rows_written_per_second := pg_catalog.round((rows_written / seconds::numeric), 3)::float8;
	cache_hit_percent := pg_catalog.round(100.0 * hits / NULLIF(hits + reads, 0), 2);
	IF activity_lossy THEN
		activity_note := 'the captures of the last minute lost data (a statistics reset or a crash): the numbers are a lower bound';
	END IF;
EXCEPTION WHEN lock_not_available THEN
	activity_from := NULL;
	activity_to := NULL;
	tps := NULL;
	rows_read_per_second := NULL;
	rows_written_per_second := NULL;
	cache_hit_percent := NULL;
	activity_lossy := NULL;
	activity_note := 'the history is locked by another session (' || SQLERRM || '): activity not read';
END
$$;

COMMENT ON FUNCTION pghero_internal._recent_activity() IS
'Transactions and rows per second and the cache hit rate of the whole instance over the captures of the last minute, from raw history, or a note saying why not; never waits for a lock (internal)';

-- The size of this database: as the collector's last space capture
-- measured it, while that source runs on time (its row is the latest
-- change before that capture), else measured now; pg_database_size() of a
-- database of many relations costs a stat() of each of their files
CREATE FUNCTION pghero_internal._database_size_now(OUT size_bytes bigint, OUT measured_at timestamptz)
RETURNS record
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '100ms'
AS $$
DECLARE
	gen integer := pghero_internal._generation();
	db oid := (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database());
BEGIN
	BEGIN
		SELECT c.last_success_at INTO measured_at
		FROM pghero_internal.collector_sources c
		WHERE c.source = 'space'
		  AND c.last_success_at >= pg_catalog.now()
			  - pg_catalog.make_interval(secs => 2 * pghero_internal._setting_seconds('pghero.space_interval') + 60);
		IF measured_at IS NOT NULL THEN
			SELECT h.size_bytes INTO size_bytes
			FROM pghero_internal.space_history h
			WHERE h.generation = gen AND h.relid IS NULL AND h.datid = db
			  AND h.captured_at <= measured_at
			ORDER BY h.captured_at DESC
			LIMIT 1;
		END IF;
	EXCEPTION WHEN lock_not_available THEN
		size_bytes := NULL;
	END;
	IF size_bytes IS NULL THEN
		size_bytes := pg_catalog.pg_database_size(db);
		measured_at := pg_catalog.clock_timestamp();
	END IF;
END
$$;

COMMENT ON FUNCTION pghero_internal._database_size_now() IS
'The size of this database and when it was measured: by the collector''s last space capture while it runs on time, else now (internal)';

CREATE VIEW @extschema@.overview AS
SELECT i.status,
	   i.critical AS critical_issues,
	   i.warning AS warning_issues,
	   i.info AS info_issues,
	   i.tracked AS issues_tracked,
	   i.top_issue_key,
	   i.top_issue_severity,
	   i.top_issue_description,
	   s.role,
	   pg_catalog.current_setting('server_version') AS server_version,
	   s.uptime,
	   s.uptime_ms,
	   s.connections_used,
	   s.max_connections,
	   s.data_available_percent,
	   s.wal_available_percent,
	   s.ready_for_reads,
	   s.ready_for_writes,
	   pg_catalog.current_database() AS database,
	   d.size_bytes AS database_size_bytes,
	   pg_catalog.pg_size_pretty(d.size_bytes) AS database_size,
	   d.measured_at AS database_size_at,
	   a.activity_from,
	   a.activity_to,
	   a.tps,
	   a.rows_read_per_second,
	   a.rows_written_per_second,
	   a.cache_hit_percent,
	   a.activity_lossy,
	   a.activity_note
FROM pghero_internal._issue_summary() i,
	 @extschema@.instance_status s,
	 pghero_internal._recent_activity() a,
	 pghero_internal._database_size_now() d;

COMMENT ON VIEW @extschema@.overview IS
'One row to poll: the status and counts of the issues alerts follow and the top one, the instance''s role, version, uptime, connections and free disk space, its transactions and rows per second and cache hit rate over the last minute (from history), and this database''s size';

/* sql/src/90_comments.sql */

--------------------------------------------------------------------------
-- Column comments
--
-- One comment per column, said once: a column takes the text given for
-- its view or table below, else the one of the view it filters (base),
-- else the one for its name.  Every column of every view and table of the
-- schema gets one; a column with none stops the installation (and the
-- upgrade), so none ships undocumented.  test/sql/install.sql checks the
-- result from the catalog.
--------------------------------------------------------------------------

DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		WITH common(col, txt) AS (VALUES
			('tps', 'Transactions (commits and rollbacks) per second over the bucket'),
			('commits', 'Transactions committed in the bucket'),
			('rollbacks', 'Transactions rolled back in the bucket'),
			('rows_read_per_second', 'Rows returned and fetched per second over the bucket'),
			('rows_written_per_second', 'Rows inserted, updated and deleted per second over the bucket'),
			('backends', 'Backends connected to the database at the capture (hourly: the most seen)'),
			('read_time_ms', 'Time spent reading, in milliseconds (track_io_timing)'),
			('write_time_ms', 'Time spent writing, in milliseconds (track_io_timing)'),
			('fsync_time_ms', 'Time spent in fsync, in milliseconds (track_io_timing)'),
			('bucket_start', 'Start of the bucket (filter on it): the capture before for a raw row (its own capture for an identity counted whole, seen for the first time), the hour for an hourly row, the measurement for a size, the start of a collector run'),
			('bucket_end', 'End of the bucket: the capture for a raw row, the end of the hour for an hourly row, the measurement for a size, the end of a collector run'),
			('tier', 'raw: one capture interval; hourly: an hour rolled up, for the hours whose raw rows retention has dropped'),
			('rows_written', 'Rows the run wrote'),
			('finished_at', 'When it finished'),
			('wal_bytes_per_second', 'WAL written per second over the bucket'),
			('checkpoints_requested', 'Checkpoints requested (not timed) in the bucket'),
			('access_method', 'Index access method (btree, hash, gin, gist, ...)'),
			('action', 'cancel, terminate or reset_query_stats; kill_all or kill_long_running_queries when such a call signalled no session'),
			('active', 'Whether a consumer is connected'),
			('active_connections', 'Client connections running a query'),
			('active_pid', 'Process of the connected consumer'),
			('analyze_count', 'Manual ANALYZEs since the statistics were last reset'),
			('ancestor', 'OID of a partitioned table or index'),
			('application_name', 'application_name the client set'),
			('autoanalyze_count', 'Autoanalyzes since the statistics were last reset'),
			('autovacuum_count', 'Autovacuums since the statistics were last reset'),
			('available_connections', 'Connection slots open to ordinary roles'),
			('backend_start', 'When the backend''s session started; with pid, identifies the session'),
			('backend_type', 'Kind of process: client backend, autovacuum worker, walsender, ...'),
			('being_built', 'Whether a CREATE INDEX or REINDEX is building it right now'),
			('shared_blk_read_time', 'Time reading shared blocks in milliseconds (track_io_timing)'),
			('shared_blk_write_time', 'Time writing shared blocks in milliseconds (track_io_timing)'),
			('local_blk_read_time', 'Time reading local blocks in milliseconds (track_io_timing; pg_stat_statements 1.11, PostgreSQL 17)'),
			('local_blk_write_time', 'Time writing local blocks in milliseconds (track_io_timing; pg_stat_statements 1.11, PostgreSQL 17)'),
			('temp_blk_read_time', 'Time reading temporary file blocks in milliseconds (track_io_timing; pg_stat_statements 1.10, PostgreSQL 15)'),
			('temp_blk_write_time', 'Time writing temporary file blocks in milliseconds (track_io_timing; pg_stat_statements 1.10, PostgreSQL 15)'),
			('jit_functions', 'Functions JIT-compiled (pg_stat_statements 1.10)'),
			('jit_generation_time', 'Time generating JIT code, in milliseconds (pg_stat_statements 1.10)'),
			('jit_inlining_count', 'Times functions were JIT-inlined (pg_stat_statements 1.10)'),
			('jit_inlining_time', 'Time JIT-inlining functions, in milliseconds (pg_stat_statements 1.10)'),
			('jit_optimization_count', 'Times JIT code was optimized (pg_stat_statements 1.10)'),
			('jit_optimization_time', 'Time optimizing JIT code, in milliseconds (pg_stat_statements 1.10)'),
			('jit_emission_count', 'Times JIT code was emitted (pg_stat_statements 1.10)'),
			('jit_emission_time', 'Time emitting JIT code, in milliseconds (pg_stat_statements 1.10)'),
			('jit_deform_count', 'Tuple deform functions JIT-compiled (pg_stat_statements 1.11, PostgreSQL 17)'),
			('jit_deform_time', 'Time JIT-compiling tuple deform functions, in milliseconds (pg_stat_statements 1.11, PostgreSQL 17)'),
			('wal_buffers_full', 'Times WAL buffers were full (pg_stat_statements 1.12, PostgreSQL 18)'),
			('parallel_workers_to_launch', 'Parallel workers planned (pg_stat_statements 1.12, PostgreSQL 18)'),
			('parallel_workers_launched', 'Parallel workers launched (pg_stat_statements 1.12, PostgreSQL 18)'),
			('generic_plan_calls', 'Executions with a generic plan (when pg_stat_statements has it; NULL otherwise)'),
			('custom_plan_calls', 'Executions with a custom plan (when pg_stat_statements has it; NULL otherwise)'),
			('stats_since', 'When pg_stat_statements started this entry''s statistics (pg_stat_statements 1.11, PostgreSQL 17)'),
			('generation', 'Installation of pghero that wrote the row: this one''s is in pghero.installation; another comes from a restored dump'),
			('installed_at', 'When this installation of pghero was created (or updated to 1.2)'),
			('lossy_reason', 'Why the numbers are a lower bound, when lossy: what the collector noted (reset, evictions, crash)'),
			('position', 'Order in which the collector runs the source'),
			('object', 'Target object of the I/O: relation or temp relation'),
			('reads', 'Read operations'),
			('read_bytes', 'Bytes read'),
			('read_time', 'Time reading, in milliseconds (track_io_timing)'),
			('writes', 'Write operations'),
			('write_bytes', 'Bytes written'),
			('write_time', 'Time writing, in milliseconds (track_io_timing)'),
			('writebacks', 'Writeback requests to the kernel'),
			('writeback_time', 'Time in writeback requests, in milliseconds (track_io_timing)'),
			('extends', 'Relation extend operations'),
			('extend_bytes', 'Bytes added by extends'),
			('extend_time', 'Time extending, in milliseconds (track_io_timing)'),
			('hits', 'Buffer hits'),
			('evictions', 'Buffers evicted to make room'),
			('reuses', 'Ring buffers reused (bulk reads, bulk writes, vacuum)'),
			('fsyncs', 'fsync calls'),
			('fsync_time', 'Time in fsync, in milliseconds (track_io_timing)'),
			('interval_setting', 'Setting that gives how often the source runs'),
			('run_function', 'pghero function that captures the source (internal)'),
			('raw_table', 'History table the source writes, NULL for none'),
			('rollup_table', 'Hourly rollup of raw_table, NULL for none'),
			('blks_hit', 'Buffer hits'),
			('blks_read', 'Blocks read'),
			('bloat_bytes', 'Estimated wasted space in bytes'),
			('bloat_percent', 'bloat_bytes as a percent of index_bytes, rounded to 0.01'),
			('bloat_size', 'bloat_bytes, human-readable'),
			('blocked_by', 'PIDs of the sessions this one waits for (pg_blocking_pids); empty when it waits for no lock'),
			('blocked_duration', 'How long the waiting query has run (text, truncated to milliseconds; never negative)'),
			('blocked_duration_ms', 'blocked_duration in milliseconds (to the microsecond)'),
			('blocked_pid', 'Process ID of the waiting session'),
			('blocked_query', 'Query of the waiting session, passwords redacted'),
			('blocked_username', 'Role of the waiting session'),
			('blocking_duration', 'How long the blocking sessions current or last query has run (text, truncated to milliseconds; never negative)'),
			('blocking_duration_ms', 'blocking_duration in milliseconds (to the microsecond)'),
			('blocking_pid', 'Process ID of a session holding or queued ahead for a conflicting lock'),
			('blocking_query', 'Current or last query of the blocking session, passwords redacted'),
			('blocking_state', 'State of the blocking session (idle in transaction means it holds locks while doing nothing)'),
			('blocking_transaction_duration', 'How long the blocking session''s transaction has been open (text, truncated to milliseconds; never negative)'),
			('blocking_transaction_duration_ms', 'blocking_transaction_duration in milliseconds (to the microsecond)'),
			('blocking_username', 'Role of the blocking session'),
			('blocks_hit', 'Blocks found in shared buffers'),
			('blocks_read', 'Blocks read from disk or the OS cache'),
			('bucket', 'Start of the hour'),
			('buffers_backend', 'Buffers written by backends themselves'),
			('buffers_checkpoint', 'Buffers written by checkpoints'),
			('buffers_clean', 'Buffers written by the background writer'),
			('cache_hit_percent', 'Share of shared block accesses served from shared buffers, in percent'),
			('calls', 'Executions'),
			('captured_at', 'When the capture ran (end of the interval)'),
			('catalog_xmin_age', 'Age of the oldest transaction the slot keeps catalog rows for'),
			('category', 'tuning, autovacuum or vacuum'),
			('checkpoints_req', 'Requested checkpoints'),
			('checkpoints_timed', 'Scheduled checkpoints'),
			('client_addr', 'Client IP address as text (host(client_addr)); NULL for a Unix-socket connection or a server process'),
			('client_hostname', 'Client host name, when log_hostname is on'),
			('client_port', 'Client TCP port; -1 for a Unix socket'),
			('column_name', 'Column filled from the sequence'),
			('column_type', 'Type of the column'),
			('columns', 'Key columns or expressions, in order (operator classes, collations and ordering are in definition); NULL when the table is locked by another session'),
			('conflicts', 'Queries canceled by recovery conflicts'),
			('connected_for', 'How long the session has been connected (text, truncated to milliseconds; never negative)'),
			('connected_for_ms', 'connected_for in milliseconds (to the microsecond)'),
			('connections', 'Client connections at the capture'),
			('connections_max', 'Most client connections at a capture of the hour'),
			('constraint_name', 'Name of the constraint'),
			('context', 'What it takes to change it (postmaster: restart, sighup: reload, user: SET)'),
			('counters', 'Cumulative counters at the last capture'),
			('covering_definition', 'Definition of the covering index'),
			('covering_index', 'Index that covers it'),
			('covering_indexrelid', 'OID of the covering index'),
			('database', 'Database name'),
			('datid', 'Database OID'),
			('datname', 'Database name'),
			('dbid', 'Database OID'),
			('dead_rows', 'Estimated dead rows'),
			('dead_rows_percent', 'dead_rows as a percent of live_rows, rounded to 0.01 (may exceed 100)'),
			('deadlocks', 'Deadlocks'),
			('dealloc', 'pg_stat_statements deallocations (evictions) so far'),
			('default_value', 'Built-in default, in the base unit'),
			('definition', 'Definition as CREATE statement or constraint clause; NULL when it could not be read without waiting for a lock held by another session'),
			('description', 'What the setting does'),
			('detail', 'Why, in words: signal sent, no such backend, backend_start did not match, refused: and the reason, the scope of a reset and how many entries it reset, ...'),
			('duration', 'How long it has been running (text, truncated to milliseconds; never negative)'),
			('duration_ms', 'duration in milliseconds (to the microsecond)'),
			('entries', 'Entries in pg_stat_statements'),
			('estimated_rows', 'Estimated live rows'),
			('failures', 'Failed runs since the extension was created'),
			('first_seen', 'When the text was first captured'),
			('fix_sql', 'SQL that fixes the problem; review it before running it'),
			('flush_lag', 'Time until the standby flushed recent WAL (text, truncated to milliseconds)'),
			('flush_lag_ms', 'flush_lag in milliseconds'),
			('flush_lsn', 'Last WAL location flushed by the standby, as text'),
			('flush_lsn_bytes', 'flush_lsn as a byte position (flush_lsn - ''0/0'')'),
			('freeze_max_age', 'Effective autovacuum_freeze_max_age of the table'),
			('healthy', 'Whether the unrounded hit rate reaches the threshold'),
			('heap_blks_scanned', 'Blocks scanned so far'),
			('heap_blks_total', 'Blocks of the table'),
			('heap_blks_vacuumed', 'Blocks vacuumed so far'),
			('high_connections', 'Whether total_connections reaches pghero.total_connections_threshold'),
			('high_idle_in_transaction', 'Whether idle_in_transaction_connections reaches pghero.idle_in_transaction_threshold'),
			('history', 'Raw history table rolled up'),
			('hit_rate', 'blocks_hit as a percent of all block accesses, rounded to 0.01; NULL without any access'),
			('id', 'Entry number'),
			('idle_connections', 'Idle client connections'),
			('idle_in_transaction_connections', 'Client connections idle in a transaction'),
			('include_columns', 'Non-key (INCLUDE) columns; NULL when the table is locked by another session'),
			('increment', 'Increment of the sequence'),
			('index_bytes', 'Size of its indexes in bytes'),
			('index_scans', 'Index scans of the table since the statistics were last reset (0 for a table without indexes)'),
			('index_size', 'index_bytes, human-readable'),
			('index_vacuum_count', 'Index vacuum cycles completed'),
			('indexname', 'Name of the index'),
			('indexrelid', 'OID of the index'),
			('is_partition', 'Whether it is a partition of a partitioned table'),
			('is_primary', 'Whether the index backs the primary key'),
			('is_unique', 'Whether the index is unique'),
			('is_valid', 'Whether the index is valid (usable by queries)'),
			('kind', 'database, table, index, materialized view, partitioned table or partitioned index'),
			('lag', 'Replay lag (text, truncated to milliseconds; 0 when a standby has replayed all it received; never negative)'),
			('lag_bytes', 'WAL bytes not yet replayed'),
			('lag_ms', 'lag in milliseconds'),
			('last_analyze', 'Last manual ANALYZE'),
			('last_autoanalyze', 'Last autoanalyze'),
			('last_autovacuum', 'Last autovacuum'),
			('last_duration', 'How long its last run took (text, truncated to milliseconds)'),
			('last_duration_ms', 'How long its last run took, in milliseconds, rounded to 0.001'),
			('last_error', 'Its last error, with SQLSTATE'),
			('last_error_at', 'When it last failed'),
			('last_note', 'What its last successful run had to say (resets, evictions, skipped relations)'),
			('last_rows', 'Rows its last run wrote; NULL if it failed'),
			('last_run_at', 'When the source last ran'),
			('last_success_at', 'When it last ran without error'),
			('last_vacuum', 'Last manual VACUUM'),
			('last_value', 'Last value the sequence returned (the value it will return first if nextval() was not called since it was created or restarted); NULL when unreadable'),
			('live_rows', 'Estimated live rows'),
			('local_blks_dirtied', 'Local blocks dirtied'),
			('local_blks_hit', 'Local buffer hits'),
			('local_blks_read', 'Local blocks read'),
			('local_blks_written', 'Local blocks written'),
			('lock_mode', 'Mode of the lock waited for'),
			('lock_type', 'Type of the lock waited for (relation, transactionid, tuple, ...)'),
			('logged_at', 'When the action was taken'),
			('lossy', 'True when the interval lost data (a statistics reset, evictions, a crash): the numbers are a lower bound'),
			('max_connections', 'max_connections setting'),
			('max_dead_tuples', 'Dead tuples that fit in maintenance memory before an index vacuum cycle (NULL from PostgreSQL 17, which counts bytes: max_dead_tuple_bytes)'),
			('max_dead_tuple_bytes', 'Memory for dead tuples before an index vacuum cycle, in bytes (PostgreSQL 17 and later; NULL before)'),
			('dead_tuple_bytes', 'Memory used by the dead tuples collected since the last index vacuum cycle, in bytes (PostgreSQL 17 and later; NULL before)'),
			('max_entries', 'pg_stat_statements.max'),
			('max_exec_time', 'Longest execution in milliseconds since the entry was made or reset (not per interval)'),
			('max_value', 'Last value the column can take from the sequence: the smaller of the type''s and the sequence''s limits (the larger for a descending sequence)'),
			('mean_time', 'Mean planning and execution time per call (text, truncated to milliseconds)'),
			('mean_time_ms', 'mean_time in milliseconds'),
			('measured', 'Whether every part could be measured; false when a relation was locked by another session and its size was left out'),
			('min_exec_time', 'Shortest execution in milliseconds since the entry was made or reset (not per interval)'),
			('moved', 'Identities whose counters moved'),
			('multixact_freeze_max_age', 'Effective autovacuum_multixact_freeze_max_age of the table'),
			('multixacts_left', 'Multixact IDs left before the server stops accepting commands to prevent wraparound'),
			('mxid_age', 'Age of the oldest multixact ID (table and its TOAST table)'),
			('name', 'Setting name'),
			('next_run_at', 'When the collector runs it next'),
			('note', 'What happened to pg_stat_statements in the interval (reset, evictions, crash, first capture)'),
			('num_dead_tuples', 'Dead tuples collected since the last index vacuum cycle (from PostgreSQL 17: dead item identifiers)'),
			('numbackends', 'Backends connected to the database at the capture'),
			('numbackends_max', 'Most backends connected at a capture of the hour'),
			('partitions', 'For a partitioned table or index, the number of partitions whose sizes are summed; NULL otherwise'),
			('pending_restart', 'Whether a changed value waits for a restart'),
			('percent_of_times_index_used', 'Index scans as a percent of all scans, truncated to 0.01 (100.00 only when every scan used an index); NULL when the table was never scanned'),
			('percent_of_total', 'Share of the total time of all statements, in percent'),
			('percent_scanned', 'heap_blks_scanned as a percent of heap_blks_total, rounded to 0.01'),
			('percent_used', 'last_value as a percent of max_value, rounded to 0.01 (sequence_danger compares the unrounded value)'),
			('phase', 'Current phase of the vacuum'),
			('pid', 'Process ID of the backend'),
			('plans', 'Plannings'),
			('plugin', 'Output plugin of a logical slot'),
			('predicate', 'WHERE clause of a partial index, NULL otherwise (and when the table is locked)'),
			('query', 'Full text of the query, passwords redacted (the current or last one for a backend; the normalized text for a statement)'),
			('queryid', 'pg_stat_statements query identifier'),
			('readable', 'Whether the sequence could be read: false when another session locks it, or for an unlogged sequence on a standby'),
			('referenced_schema', 'Schema of the referenced table of a foreign key, NULL otherwise'),
			('referenced_table', 'Referenced table of a foreign key, NULL otherwise'),
			('relid', 'OID of the table or relation'),
			('relname', 'Name of the table or relation'),
			('replay_lsn', 'Last WAL location replayed, as text'),
			('replay_lsn_bytes', 'replay_lsn as a byte position (replay_lsn - ''0/0'')'),
			('reply_time', 'Last reply from the standby'),
			('reserved_connections', 'Connection slots reserved for superusers (and, from PostgreSQL 16, reserved_connections)'),
			('retained_wal', 'retained_wal_bytes, human-readable'),
			('retained_wal_bytes', 'WAL kept for the slot, in bytes'),
			('role', 'primary: a standby this server streams to; standby: this server''s own replay'),
			('role_name', 'Role that took the action (current role of the caller)'),
			('rolled_up_until', 'Every raw row captured before this time is in the hourly rollup'),
			('rows', 'Rows retrieved or affected'),
			('rows_modified_since_analyze', 'Rows modified since the last ANALYZE'),
			('runs', 'Runs since the extension was created'),
			('safe_wal_bytes', 'WAL bytes that can still be written before the slot is lost (max_slot_wal_keep_size), NULL if unlimited'),
			('samples', 'Raw samples summed in the hour'),
			('schemaname', 'Schema of the table'),
			('seconds', 'Seconds covered by the samples'),
			('sent_lsn', 'Last WAL location sent, as text'),
			('sent_lsn_bytes', 'sent_lsn as a byte position (sent_lsn - ''0/0'')'),
			('seq_scan', 'Sequential scans since the statistics were last reset'),
			('seqid', 'OID of the sequence'),
			('sequence_name', 'Name of the sequence'),
			('sequence_schema', 'Schema of the sequence'),
			('session_user_name', 'Session user of the caller'),
			('setting', 'Current value in the setting''s base unit'),
			('shared_blks_dirtied', 'Shared blocks dirtied'),
			('shared_blks_hit', 'Shared buffer hits'),
			('shared_blks_read', 'Shared blocks read'),
			('shared_blks_written', 'Shared blocks written'),
			('since', 'Start of the interval: the previous capture (a new or restarted entry, counted whole, began after it); NULL in rows written by 1.1 for such an entry'),
			('size', 'size_bytes, human-readable'),
			('size_bytes', 'Size on disk in bytes; NULL when it could not be measured without waiting for a lock held by another session'),
			('slot_name', 'Name of the slot'),
			('slot_type', 'physical or logical'),
			('source', 'Capture source: statements, database_activity, instance, space or retention'),
			('ssl', 'Whether the connection uses SSL'),
			('started_at', 'When the current query started (the transaction start for a backend idle in transaction)'),
			('state', 'Backend state: active, idle, idle in transaction, ...'),
			('statements_deallocations', 'pg_stat_statements deallocations so far: evictions of entries when it is full (statements row only)'),
			('statements_entries', 'Entries in pg_stat_statements at the last capture (statements row only)'),
			('statements_fill_percent', 'statements_entries as a percent of statements_max, rounded to 0.01 (statements row only)'),
			('statements_max', 'pg_stat_statements.max (statements row only)'),
			('statements_reset_at', 'When pg_stat_statements was last reset (statements row only)'),
			('stats_age', 'Time since the statistics were last reset: the window in which the index was not used (text, truncated to milliseconds; NULL if never reset)'),
			('stats_age_ms', 'stats_age in milliseconds'),
			('stats_reset', 'When the statistics were last reset'),
			('succeeded', 'Whether the action was carried out: a signal sent, a reset done; false when it was refused or found nothing to act on (detail says why)'),
			('sync_state', 'Synchronous state of the standby (async, potential, sync, quorum)'),
			('table_bytes', 'Size of the table and its TOAST data in bytes'),
			('table_relid', 'OID of the table'),
			('tablename', 'Name of the table'),
			('target_backend_start', 'Start of the session aimed at (as the caller gave it, when it did not match)'),
			('target_database', 'Database of the session aimed at, or of a bulk action'),
			('target_pid', 'Process ID aimed at'),
			('target_query', 'Query the session was running, passwords redacted'),
			('target_user', 'Role of the session aimed at; NULL when no such session was found'),
			('target_username', 'Role of the session aimed at; NULL when no such session was found'),
			('temp_blks_read', 'Temporary blocks read'),
			('temp_blks_written', 'Temporary blocks written'),
			('temp_bytes', 'Bytes written to temporary files'),
			('temp_files', 'Temporary files created'),
			('temporary', 'Whether the slot is temporary'),
			('threshold', 'pghero.cache_hit_rate_threshold, in percent'),
			('toplevel', 'Whether executed at top level (false: nested in a function)'),
			('total_connections', 'Client connections from this source'),
			('total_exec_time', 'Execution time in milliseconds'),
			('total_plan_time', 'Planning time in milliseconds'),
			('total_time', 'Total planning and execution time (text, truncated to milliseconds)'),
			('total_time_ms', 'total_time in milliseconds'),
			('transactions_left', 'Transaction IDs left before the server stops accepting commands to prevent wraparound'),
			('tup_deleted', 'Rows deleted'),
			('tup_fetched', 'Rows fetched by index scans'),
			('tup_inserted', 'Rows inserted'),
			('tup_returned', 'Rows returned by sequential scans and index entries returned'),
			('tup_updated', 'Rows updated'),
			('type', 'Kind of object'),
			('unit', 'Base unit of setting'),
			('unneeded_definition', 'Definition of the unneeded index'),
			('unneeded_index', 'Index that the covering index makes unnecessary'),
			('unneeded_indexrelid', 'OID of the unneeded index'),
			('userid', 'Role OID'),
			('username', 'Role name of the session or statement'),
			('vacuum_count', 'Manual VACUUMs since the statistics were last reset'),
			('value', 'Current value, with its unit'),
			('values_left', 'Values left before the limit'),
			('wait_event', 'Event the backend is waiting for, NULL if it is not waiting'),
			('wait_event_type', 'Type of event the backend is waiting for, NULL if it is not waiting'),
			('wal_bytes', 'WAL bytes generated'),
			('wal_fpi', 'WAL full-page images generated'),
			('wal_lsn', 'WAL insert location at the last capture'),
			('wal_records', 'WAL records generated'),
			('wal_status', 'Whether the WAL the slot needs is still available (reserved, extended, unreserved, lost)'),
			('worker_pid', 'Process ID of the collector worker, NULL when it is not running'),
			('write_lag', 'Time until the standby wrote recent WAL (text, truncated to milliseconds)'),
			('write_lag_ms', 'write_lag in milliseconds'),
			('write_lsn', 'Last WAL location written by the standby, as text'),
			('write_lsn_bytes', 'write_lsn as a byte position (write_lsn - ''0/0'')'),
			('xact_commit', 'Transactions committed'),
			('xact_rollback', 'Transactions rolled back'),
			('xact_start', 'When the backend''s current transaction started'),
			('xid_age', 'Age of the oldest unfrozen transaction ID (table and its TOAST table)'),
			('xmin_age', 'Age of the oldest transaction the slot keeps rows for')),
		per_object(rel, col, txt) AS (VALUES
			('instance_status', 'system_identifier', 'Unique identifier of the cluster (pg_control), the same on its standbys'),
			('instance_status', 'version', 'PostgreSQL version string'),
			('instance_status', 'server_version_num', 'PostgreSQL version as a number (e.g. 170004)'),
			('instance_status', 'role', 'primary, or standby while in recovery'),
			('instance_status', 'timeline', 'Timeline of the last checkpoint'),
			('instance_status', 'postmaster_start', 'When the server started'),
			('instance_status', 'uptime', 'Time since the server started (text, truncated to milliseconds)'),
			('instance_status', 'uptime_ms', 'uptime in milliseconds'),
			('instance_status', 'config_loaded_at', 'When the configuration files were last loaded'),
			('instance_status', 'connections_used', 'Client connections now'),
			('instance_status', 'data_total_bytes', 'Size of the file system that holds the data directory, in bytes'),
			('instance_status', 'data_available_bytes', 'Bytes the server may still write on the file system of the data directory'),
			('instance_status', 'data_available_percent', 'data_available_bytes as a percent of data_total_bytes, rounded to 0.01'),
			('instance_status', 'data_inodes_free', 'Free inodes on the file system of the data directory'),
			('instance_status', 'wal_total_bytes', 'Size of the file system that holds pg_wal, in bytes'),
			('instance_status', 'wal_available_bytes', 'Bytes the server may still write on the file system of pg_wal'),
			('instance_status', 'wal_available_percent', 'wal_available_bytes as a percent of wal_total_bytes, rounded to 0.01'),
			('instance_status', 'wal_on_data_filesystem', 'Whether pg_wal is on the file system of the data directory'),
			('instance_status', 'standbys', 'Standbys (and other WAL receivers) connected to this server'),
			('instance_status', 'ready_for_reads', 'Whether an ordinary role can connect now (a connection slot is free)'),
			('instance_status', 'ready_for_writes', 'Whether an ordinary role can connect and write now: a slot is free, not in recovery, not read-only by default'),
			('instance_status', 'all_standbys_streaming', 'Whether every connected standby is streaming; NULL without standbys'),
			('_issues_security', 'check_name', 'Name of the check that found the issue (hba_trust, md5_password, public_create, ...)'),
			('_issues_security', 'category', 'Area of the check: security'),
			('_issues_security', 'severity', 'critical (the cluster or its data are open now), warning or info'),
			('_issues_security', 'database', 'Database the finding is in (schemas, functions, extensions: this database only); NULL for a cluster-wide one (pg_hba.conf, settings, roles)'),
			('_issues_security', 'object', 'What the finding is about: a pg_hba.conf file:line, a role, a setting, a schema, a function with its argument types, an extension'),
			('_issues_security', 'details', 'The facts of the finding as jsonb (file and line, rule without options, role, versions); never a password, hash or option'),
			('_issues_security', 'description', 'What an attacker could do, in words'),
			('_issues_security', 'remediation', 'The statement to run or the pg_hba.conf line to write that fixes it'),
			('collector_runs', 'error', 'The error of a failed run, with its SQLSTATE'),
			('collector_runs', 'note', 'What a successful run had to say (resets, evictions, skipped relations)'),
			('collector_runs', 'succeeded', 'Whether the run succeeded'),
			('collector_runs', 'source', 'Capture source (see pghero.collector)'),
			('io_history', 'backend_type', 'Type of backend (client backend, checkpointer, autovacuum worker, ...)'),
			('io_history', 'context', 'Context of the I/O: normal, vacuum, bulkread or bulkwrite'),
			('object_names', 'kind', 'database or role'),
			('object_names', 'oid', 'OID of the database or role in the cluster that wrote the history'),
			('object_names', 'name', 'Its name when first captured'),
			('_partition_tree', 'relid', 'OID of one of its partitions, at any depth'),
			('autovacuum_danger', 'transactions_left', 'Transactions left before autovacuum forces an anti-wraparound vacuum'),
			('autovacuum_danger', 'multixacts_left', 'Multixacts left before autovacuum forces an anti-wraparound vacuum'),
			('blocked_queries', 'relid', 'OID of the relation whose lock is waited for, if it is a relation lock'),
			('blocked_queries', 'schemaname', 'Schema of that relation (this database only)'),
			('blocked_queries', 'relname', 'Name of that relation (this database only)'),
			('cache_hit_rates', 'kind', 'table or index'),
			('collector', 'note', 'What its last successful run had to say (resets, evictions, skipped relations)'),
			('connection_states', 'total_connections', 'Client connections in this state'),
			('connection_summary', 'total_connections', 'Client connections of the cluster'),
			('connection_summary', 'percent_used', 'total_connections as a percent of available_connections, rounded to 0.01'),
			('database_sizes', 'size_bytes', 'Size of the database in bytes'),
			('duplicate_indexes', 'size_bytes', 'Size of the unneeded index in bytes; NULL when it could not be measured without waiting'),
			('duplicate_indexes', 'size', 'Size of the unneeded index, human-readable'),
			('index_bloat', 'index_bytes', 'Size of the index from its page count at the last VACUUM or ANALYZE, in bytes'),
			('indexes', 'index_scans', 'Index scans since the statistics were last reset'),
			('query_stats', 'calls', 'Number of executions'),
			('query_stats', 'total_time_ms', 'total_time in milliseconds, rounded to 0.001'),
			('query_stats', 'mean_time_ms', 'mean_time in milliseconds, rounded to 0.001 (slow_queries compares the unrounded mean)'),
			('query_stats', 'percent_of_total', 'Share of the total time of all statements, in percent, rounded to 0.01'),
			('query_stats', 'cache_hit_percent', 'Share of shared block accesses served from shared buffers, in percent, rounded to 0.01'),
			('query_stats', 'rows', 'Rows retrieved or affected, in total'),
			('query_stats', 'shared_blks_read', 'Shared blocks read from disk or the OS cache'),
			('query_stats', 'temp_blks_read', 'Temporary file blocks read'),
			('query_stats', 'temp_blks_written', 'Temporary file blocks written'),
			('query_texts', 'query', 'Normalized query text'),
			('relation_sizes', 'size_bytes', 'Size in bytes (a table with its TOAST data, without indexes); NULL when it could not be measured without waiting'),
			('replication', 'state', 'WAL sender state on a primary; WAL receiver status on a standby'),
			('replication_slots', 'database', 'Database of a logical slot'),
			('settings', 'source', 'Where the current value comes from (default, configuration file, ...)'),
			('space_baseline', 'relid', 'Relation OID; NULL for a database'),
			('space_baseline', 'size_bytes', 'Size in bytes'),
			('space_history', 'relid', 'Relation OID; NULL for a database'),
			('space_history', 'schemaname', 'Schema of the relation'),
			('space_history', 'relname', 'Name of the relation, or of the database'),
			('space_history', 'size_bytes', 'Size in bytes'),
			('statement_captures', 'lossy', 'True when the interval lost data: reset, evictions or crash'),
			('table_sizes', 'size_bytes', 'Total size in bytes: table, TOAST and indexes; NULL when it could not be measured without waiting'),
			('transaction_id_danger', 'kind', 'table or database'),
			('transaction_id_danger', 'schemaname', 'Schema of the table, NULL for a database'),
			('transaction_id_danger', 'relname', 'Name of the table, NULL for a database'),
			('transaction_id_danger', 'relid', 'OID of the table, NULL for a database'),
			('unused_indexes', 'index_scans', 'Index scans since the statistics were last reset'),
			('unused_indexes', 'stats_reset', 'When the statistics of this database were last reset; NULL if never'),
			('vacuum_progress', 'schemaname', 'Schema of the table (tables of this database only)'),
			('vacuum_progress', 'relname', 'Table being vacuumed (tables of this database only)'),
			('vacuum_progress', 'started_at', 'When the vacuum started'),
			('table_bloat', 'table_bytes', 'Size of the table''s main fork (without TOAST data) from its page count at the last VACUUM or ANALYZE, in bytes'),
			('table_bloat', 'table_size', 'table_bytes, human-readable'),
			('table_bloat', 'bloat_percent', 'bloat_bytes as a percent of table_bytes, rounded to 1 decimal'),
			('table_bloat', 'fillfactor', 'The table''s fillfactor: the space it keeps free on purpose is not counted as bloat'),
			('storage', 'tier', 'raw (history as captured), hourly (rollups), state (baselines, registry, collector runs), texts (statement texts, names) or audit (the audit log)'),
			('storage', 'schemaname', 'Schema of the table (pghero_internal)'),
			('storage', 'relname', 'Name of pghero''s table'),
			('storage', 'relid', 'OID of pghero''s table'),
			('storage', 'size_bytes', 'Size in bytes of the table with its indexes and TOAST data, its partitions summed; a part locked by another session counts as 0 (see measured)'),
			('storage', 'estimated_rows', 'Estimated rows (pg_class.reltuples of the table or its partitions, as of their last VACUUM or ANALYZE; 0 before the first)'),
			('storage', 'partitions', 'For a history table, the number of its daily partitions; NULL for a plain table'),
			('storage', 'retention_setting', 'Setting whose retention bounds the table: pghero.raw_retention, pghero.history_retention, or none (kept until removed by hand)'),
			('storage', 'retention', 'Current value of retention_setting; NULL for none'),
			('issues', 'issue_key', 'Stable identity of the issue for as long as the problem lasts: check_name:database.object (e.g. invalid_index:app.public.users_email_idx)'),
			('issues', 'check_name', 'The check that found the issue (see README, Current issues)'),
			('issues', 'category', 'availability, performance, maintenance, capacity or security'),
			('issues', 'severity', 'critical (availability or data at risk), warning or info'),
			('issues', 'database', 'Database the issue is in; NULL for a cluster-wide issue'),
			('issues', 'object', 'The object at fault: schema-qualified relation, index, constraint or column, session pid, role, slot, setting, statement queryid or prepared transaction; NULL for an instance-wide issue'),
			('issues', 'details', 'The numbers behind the finding, unrounded, with the threshold in force (jsonb)'),
			('issues', 'description', 'What the issue is and its impact, in words and numbers'),
			('issues', 'remediation', 'The statement or action that fixes it'),
			('issues', 'first_seen', 'When the collector first found the problem (it has been found at every evaluation since); NULL when the collector does not evaluate the checks or has not found it yet'),
			('issues', 'last_seen', 'When the collector last found it (now for a problem it has not evaluated yet); now when the collector does not evaluate the checks'),
			('issue_state', 'first_seen', 'When the collector first found the problem (it has been found at every evaluation since)'),
			('issue_state', 'last_seen', 'The last evaluation that found it'),
			('issue_state', 'opened_at', 'When the feed opened it (found for pghero.issue_open_after); NULL while pending'),
			('issue_state', 'reported_severity', 'Severity of the last event of the issue'),
			('issue_state', 'reported_details', 'Details of the last event of the issue'),
			('issue_state', 'last_event_at', 'When its last event was written'),
			('issue_events', 'event_id', 'Number of the event, increasing in commit order: resume with event_id > the last one handled'),
			('issue_events', 'at', 'When the collector''s evaluation found the change'),
			('issue_events', 'op', 'opened, changed (severity, or details at most once per pghero.issue_resolve_after) or resolved'),
			('issue_events', 'issue_key', 'The issue (see pghero.issues.issue_key)'),
			('issue_events', 'check_name', 'The check that found the issue'),
			('issue_events', 'category', 'availability, performance, maintenance, capacity or security'),
			('issue_events', 'severity', 'Severity of the issue at the event (for resolved: its last one)'),
			('issue_events', 'database', 'Database the issue is in; NULL for a cluster-wide issue'),
			('issue_events', 'object', 'The object at fault; NULL for an instance-wide issue'),
			('issue_events', 'details', 'The numbers behind the finding at the event (jsonb)'),
			('issue_events', 'description', 'What the issue is and its impact at the event'),
			('issue_feed', 'removed_through', 'Highest event id retention has removed (of the events this generation wrote)'),
			('checks', 'check_name', 'Name of the check (pghero.issues.check_name)'),
			('checks', 'category', 'availability, performance, maintenance, capacity or security'),
			('checks', 'severities', 'The severities the check gives, least severe first'),
			('checks', 'settings', 'The pghero settings that tune it (thresholds); empty when none'),
			('checks', 'summary', 'What the check looks for'),
			('issue_counts', 'issues', 'Number of current issues of this severity found by this check'),
			('overview', 'status', 'ok, warning or critical: the most severe issue alerts follow (as pghero.health())'),
			('overview', 'critical_issues', 'Number of critical issues'),
			('overview', 'warning_issues', 'Number of warning issues'),
			('overview', 'info_issues', 'Number of info issues'),
			('overview', 'issues_tracked', 'Whether the counts are the collector''s tracked open issues (with hysteresis) rather than evaluated live'),
			('overview', 'top_issue_key', 'issue_key of the top issue: the most severe, then the longest open; NULL when there is none'),
			('overview', 'top_issue_severity', 'Severity of the top issue'),
			('overview', 'top_issue_description', 'Description of the top issue: what it is and its impact'),
			('overview', 'server_version', 'PostgreSQL version (server_version)'),
			('overview', 'database', 'The current database'),
			('overview', 'database_size_bytes', 'Size of the current database, in bytes, at database_size_at'),
			('overview', 'database_size', 'Size of the current database, human-readable'),
			('overview', 'database_size_at', 'When the size was measured: the collector''s last space capture while it runs on time, else now'),
			('overview', 'activity_from', 'Start of the captures of the last minute the activity columns sum (NULL: none)'),
			('overview', 'activity_to', 'End of the captures of the last minute the activity columns sum'),
			('overview', 'tps', 'Transactions (commits and rollbacks) per second of every database over the captures of the last minute'),
			('overview', 'rows_read_per_second', 'Rows returned and fetched per second of every database over the captures of the last minute'),
			('overview', 'rows_written_per_second', 'Rows inserted, updated and deleted per second of every database over the captures of the last minute'),
			('overview', 'cache_hit_percent', 'Share of block reads of every database found in shared buffers over the captures of the last minute, in percent'),
			('overview', 'activity_lossy', 'True when a capture of the last minute lost data (a statistics reset, a crash): the rates are a lower bound'),
			('overview', 'activity_note', 'Why the activity columns are NULL or a lower bound; NULL when they are complete')),
		-- a view that filters another one (slow_queries, ...) shares its comments
		base(rel, base) AS (VALUES
			('security_issues', '_issues_security'),
			('long_running_queries', 'running_queries'),
			('slow_queries', 'query_stats'),
			('missing_indexes', 'index_usage'),
			('sequence_danger', 'sequences'),
			('io_rollup', 'io_history'),
			('issue_counts', 'issues'),
			('overview', 'instance_status'),
			('_issues_activity', 'issues'),
			('_issues_maintenance', 'issues'),
			('_issues_capacity', 'issues'),
			('_issues_replication', 'issues'),
			('_issues_performance', 'issues'),
			('_issues_security', 'issues'),
			('_issues_found', 'issues'),
			('issue_state', 'issues'))
		SELECT n.nspname AS nsp, cl.relname AS rel, a.attname AS col,
			   coalesce(po.txt, pb.txt, cm.txt) AS txt,
			   pg_catalog.count(*) OVER (PARTITION BY n.nspname, cl.relname, a.attname) AS texts
		FROM pg_catalog.pg_class cl
			 JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) cl.oid
			 LEFT JOIN base b ON b.rel OPERATOR(pg_catalog.=) cl.relname
			 LEFT JOIN per_object po ON po.rel OPERATOR(pg_catalog.=) cl.relname
				AND po.col OPERATOR(pg_catalog.=) a.attname
			 LEFT JOIN per_object pb ON pb.rel OPERATOR(pg_catalog.=) b.base
				AND pb.col OPERATOR(pg_catalog.=) a.attname
			 LEFT JOIN common cm ON cm.col OPERATOR(pg_catalog.=) a.attname
			 JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) cl.relnamespace
		WHERE n.nspname IN ('pghero', 'pghero_internal')
		  AND cl.relkind IN ('r', 'p', 'v')
		  AND NOT cl.relispartition
		  AND a.attnum OPERATOR(pg_catalog.>) 0
		  AND NOT a.attisdropped
		ORDER BY cl.relname, a.attnum
	LOOP
		IF c.txt IS NULL THEN
			RAISE EXCEPTION 'no comment for column %.%', c.rel, c.col;
		END IF;
		IF c.texts > 1 THEN
			RAISE EXCEPTION 'more than one comment for column %.%', c.rel, c.col;
		END IF;
		EXECUTE pg_catalog.format('COMMENT ON COLUMN %I.%I.%I IS %L', c.nsp, c.rel, c.col, c.txt);
	END LOOP;
END
$$;

--------------------------------------------------------------------------
-- Table comments (here rather than beside each CREATE TABLE, so that an
-- upgrade sets them as a fresh installation does)
--------------------------------------------------------------------------

COMMENT ON SCHEMA pghero_internal IS 'pghero''s internals: history tables and their partitions, collector state and helper functions; read the dashboard from schema pghero';

COMMENT ON TABLE pghero_internal.issue_state IS
'The issues the collector tracks: pending (found, not yet for pghero.issue_open_after) or open (until absent for pghero.issue_resolve_after); dumped';

COMMENT ON TABLE pghero_internal.issue_events IS
'The change feed: every issue opened, changed or resolved (read through pghero.issue_events; kept for pghero.history_retention; dumped)';

COMMENT ON SEQUENCE pghero_internal.issue_event_id_seq IS
'Numbers the events of the change feed (dumped: a restored database goes on from where it was)';

COMMENT ON TABLE pghero_internal.issue_feed IS
'The highest event id retention has removed, per generation (no row until it has removed one; dumped)';

COMMENT ON TABLE pghero_internal.collector_runs IS
'Every run of every capture source: start, end, outcome, rows, error or note (read through pghero.collector_runs; kept for pghero.history_retention)';

COMMENT ON TABLE pghero_internal.audit_log IS
'Every action taken through pghero: who, when, what, on which session';

COMMENT ON TABLE pghero_internal.installation IS
'This installation of pghero: the generation its collector writes history under (internal; not dumped)';

COMMENT ON TABLE pghero_internal.collector_sources IS
'The capture sources: in which order and how often each runs, what it writes, and its last run, duration, rows, error and next run';

COMMENT ON TABLE pghero_internal.rollup_progress IS
'For each history table and generation, the time before which every raw row is already in the hourly rollup';

COMMENT ON TABLE pghero_internal.statement_history IS
'Raw statement history: per capture, the change of every pg_stat_statements counter of each identity (userid, dbid, queryid, toplevel) that moved; NULL means no change';

COMMENT ON TABLE pghero_internal.statement_rollup IS
'Hourly statement history: the sums of the raw rows captured in each hour (the smallest and largest extremes), kept for pghero.history_retention';

COMMENT ON TABLE pghero_internal.query_texts IS
'Normalized text of every statement in the history, stored once per generation, database and query identifier, secrets replaced';

COMMENT ON TABLE pghero_internal.statement_captures IS
'One row per statements capture: pg_stat_statements fill, deallocations, resets, and whether the interval lost data';

COMMENT ON TABLE pghero_internal.object_names IS
'Name of every database and role the statement history refers to, per generation, as first captured';

COMMENT ON TABLE pghero_internal.database_history IS
'Raw database activity: per capture and database, the change of the pg_stat_database counters (NULL: no change) and the number of backends';

COMMENT ON TABLE pghero_internal.database_rollup IS
'Hourly database activity: sums of the raw rows of each hour';

COMMENT ON TABLE pghero_internal.instance_history IS
'Raw instance activity: per capture, WAL generated, checkpoints and buffer writes (changes), and client connections by state (counts)';

COMMENT ON TABLE pghero_internal.instance_rollup IS
'Hourly instance activity: sums of the raw rows of each hour';

COMMENT ON TABLE pghero_internal.space_history IS
'Size history of every database and of every relation of the home database: a row when the size changed';

COMMENT ON TABLE pghero_internal.statement_baseline IS
'The pg_stat_statements counters read at the last capture (internal; unlogged: emptied by a crash, like pg_stat_statements itself)';

COMMENT ON TABLE pghero_internal.source_baseline IS
'Per source, when it last captured and the reset markers and instance counters it read (internal; unlogged)';

COMMENT ON TABLE pghero_internal.database_baseline IS
'The pg_stat_database counters read at the last capture (internal; unlogged)';

COMMENT ON TABLE pghero_internal.space_baseline IS
'The sizes last stored in space_history (internal; unlogged; relid 0 for a database)';

COMMENT ON TABLE pghero_internal.io_history IS
'Raw I/O history from pg_stat_io (PostgreSQL 16 and later): per capture and backend type, object and context, the change of its counters (NULL: no change)';

COMMENT ON TABLE pghero_internal.io_rollup IS
'Hourly I/O history: sums of the raw rows of each hour';

COMMENT ON TABLE pghero_internal.io_baseline IS
'The pg_stat_io counters read at the last capture (internal; unlogged)';

/* sql/src/99_grants.sql */

--------------------------------------------------------------------------
-- Privileges: nothing for PUBLIC; pghero_reader reads; pghero_admin acts
--------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA @extschema@ FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pghero_internal FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA pghero_internal FROM PUBLIC;

GRANT USAGE ON SCHEMA @extschema@ TO pghero_reader;
-- the invoker code of the readers (SQL functions) looks its helpers up by name
GRANT USAGE ON SCHEMA pghero_internal TO pghero_reader;

DO $$
DECLARE
	v record;
BEGIN
	FOR v IN
		SELECT c.relname FROM pg_catalog.pg_class c
		WHERE c.relnamespace = 'pghero'::regnamespace AND c.relkind = 'v'
	LOOP
		EXECUTE pg_catalog.format('GRANT SELECT ON pghero.%I TO pghero_reader', v.relname);
	END LOOP;
END
$$;

GRANT EXECUTE ON FUNCTION
	@extschema@.config(),
	pghero_internal._redact_query(text),
	pghero_internal._relation_namespace(oid),
	pghero_internal._is_own_schema(oid),
	pghero_internal._is_own(oid),
	pghero_internal._relation_size(regclass),
	pghero_internal._relation_sizes(regclass),
	pghero_internal._index_definition(regclass),
	pghero_internal._index_description(regclass),
	pghero_internal._constraint_definition(oid),
	pghero_internal._activity(),
	pghero_internal._vacuum_progress(),
	pghero_internal._indexes_being_built(),
	pghero_internal._replication(),
	pghero_internal._database_sizes(),
	pghero_internal._sequence_values(),
	pghero_internal._pgss_statements(boolean),
	pghero_internal._filesystems(),
	pghero_internal._control(),
	pghero_internal._hba_rules(),
	pghero_internal._role_passwords(),
	pghero_internal._new_session_setting(text)
TO pghero_reader;

GRANT SELECT ON pghero_internal.audit_log TO pghero_admin;

-- the actions check for themselves that the caller has the privileges of
-- pghero_admin (pghero_internal._require_admin), so that a reader who
-- calls one is told which role to ask for
GRANT EXECUTE ON FUNCTION
	@extschema@.cancel(integer, timestamptz),
	@extschema@.terminate(integer, timestamptz),
	@extschema@.kill_long_running_queries(),
	@extschema@.kill_all(name),
	@extschema@.reset_query_stats(oid, oid, bigint, boolean)
TO pghero_reader;

-- history is read through the views of schema pghero (which read the
-- tables with their owner's rights), never from the tables themselves
REVOKE ALL ON ALL TABLES IN SCHEMA pghero_internal FROM pghero_reader;

-- but for the list of findings, which pghero.issues reads through a
-- function with the reader's rights (it shows no more than pghero.issues)
GRANT SELECT ON pghero_internal._issues_found TO pghero_reader;
GRANT EXECUTE ON FUNCTION pghero_internal._evaluate_issues() TO pghero_reader;

GRANT EXECUTE ON FUNCTION
	pghero_internal._generation(),
	pghero_internal._raw_from(text),
	pghero_internal._check_window(timestamptz, timestamptz),
	pghero_internal._history_locked(text),
	pghero_internal._statement_window(timestamptz, timestamptz),
	pghero_internal._statement_losses(timestamptz, timestamptz),
	@extschema@.query_stats_between(timestamptz, timestamptz),
	@extschema@.slow_queries_between(timestamptz, timestamptz),
	@extschema@.query_history(bigint, timestamptz, timestamptz),
	@extschema@.database_activity(timestamptz, timestamptz),
	@extschema@.instance_activity(timestamptz, timestamptz),
	@extschema@.io_activity(timestamptz, timestamptz),
	@extschema@.space_growth(integer),
	@extschema@.relation_space_history(regclass, timestamptz, timestamptz)
TO pghero_reader;

-- pghero.issues and what its checks call with the reader's rights
GRANT EXECUTE ON FUNCTION
	@extschema@.health(),
	pghero_internal._setting_seconds(text),
	pghero_internal._pgss_info(),
	pghero_internal._checkpoint_counters(),
	pghero_internal._collation_versions(),
	pghero_internal._preloaded(),
	pghero_internal._issues_collector(),
	pghero_internal._issues_slow(boolean),
	pghero_internal._issues_statements(),
	pghero_internal._issues_tracked(),
	pghero_internal._state_locked(text, text),
	pghero_internal._issue_times(),
	pghero_internal._issue_state(boolean),
	pghero_internal._alerted_issues(),
	pghero_internal._tracked_issues(),
	pghero_internal._issue_summary(),
	pghero_internal._recent_activity(),
	pghero_internal._database_size_now(),
	@extschema@.issue_events_since(bigint, text[])
TO pghero_reader;

-- readers may call them, to be told that they need pghero_admin
GRANT EXECUTE ON FUNCTION
	@extschema@.capture(text[]),
	@extschema@.start_collector()
TO pghero_reader;

/* sql/updates/1.1--1.2.post.sql */

--------------------------------------------------------------------------
-- pghero 1.1 -> 1.2, once the definitions of 1.2 exist: texts stored by
-- 1.1 lose the passwords they carried, as 1.2 stores them.
--------------------------------------------------------------------------

UPDATE pghero_internal.query_texts
SET query = pghero_internal._redact_query(query)
WHERE query IS DISTINCT FROM pghero_internal._redact_query(query);

UPDATE pghero_internal.audit_log
SET target_query = pghero_internal._redact_query(target_query)
WHERE target_query IS DISTINCT FROM pghero_internal._redact_query(target_query);

-- the partitions brought over from 1.1 say what they hold, like those made
-- since (pghero_internal._ensure_partition)
SELECT pghero_internal._comment_partition(c.oid)
FROM pg_catalog.pg_class c
WHERE c.relnamespace = 'pghero_internal'::pg_catalog.regnamespace AND c.relispartition;
