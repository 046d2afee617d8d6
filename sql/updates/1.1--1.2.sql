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
