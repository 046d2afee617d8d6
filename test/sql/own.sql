--
-- pghero's own relations are no findings: after captures its history
-- tables have sequential scans, unused indexes, sequences, partitions; the
-- findings views leave them all out, the space views show each history
-- table once, and pghero.storage says what pghero occupies
--
SET client_min_messages = warning;

-- the rows of a findings view that are pghero's own
CREATE FUNCTION regress_own_rows(view text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM pghero.%I x
					WHERE to_jsonb(x) ->> ''schemaname'' IN (''pghero'', ''pghero_internal'')
					   OR to_jsonb(x) ->> ''sequence_schema'' IN (''pghero'', ''pghero_internal'')', view)
	INTO n;
	RETURN n;
END
$$;

-- and a table of the user's, read the same way, for comparison
CREATE TABLE regress_own_other (id integer PRIMARY KEY);
INSERT INTO regress_own_other SELECT generate_series(1, 100);
CREATE INDEX regress_own_other_unused ON regress_own_other (id);
SELECT count(*) AS other_rows FROM regress_own_other;

SELECT count(*) > 0 AS captured FROM pghero.capture();
SELECT count(*) > 0 AS captured FROM pghero.capture();
-- read the history tables by sequential scans, never by an index
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SELECT count(*) >= 0 AS read FROM pghero_internal.space_history;
SELECT count(*) >= 0 AS read FROM pghero_internal.statement_history;
RESET enable_indexscan;
RESET enable_bitmapscan;
ANALYZE pghero_internal.space_history, pghero_internal.audit_log;
SELECT regress_flush_stats();

-- they would qualify: the catalogs show them
SELECT count(*) > 0 AS own_seq_scanned
FROM pg_stat_user_tables WHERE schemaname = 'pghero_internal' AND seq_scan > 0;
SELECT count(*) > 0 AS own_unused_indexes
FROM pg_stat_user_indexes WHERE schemaname = 'pghero_internal' AND idx_scan = 0;
SELECT count(*) > 0 AS own_partitions
FROM pg_class WHERE relnamespace = 'pghero_internal'::regnamespace AND relispartition;
SELECT count(*) > 0 AS own_sequences
FROM pg_class WHERE relnamespace = 'pghero_internal'::regnamespace AND relkind = 'S';

-- thresholds at their lowest, so that anything at all qualifies
SET pghero.unused_index_min_bytes = 0;
SET pghero.index_bloat_min_bytes = 0;
SET pghero.sequence_danger_percent = 0;
SET pghero.transaction_id_danger = 2147483647;

SELECT v.view, regress_own_rows(v.view) AS own_rows
FROM (VALUES ('indexes'), ('invalid_indexes'), ('duplicate_indexes'),
			 ('unused_indexes'), ('index_usage'), ('missing_indexes'),
			 ('index_bloat'), ('table_bloat'), ('maintenance'),
			 ('transaction_id_danger'), ('autovacuum_danger'),
			 ('sequences'), ('sequence_danger')) AS v(view)
ORDER BY v.view COLLATE "C";

-- the user's table is listed at these thresholds (so that the zeros
-- above are not an empty view's)
SELECT v.view, (SELECT count(*) FROM pghero.indexes WHERE tablename = 'regress_own_other') AS rows
FROM (VALUES ('indexes')) v(view)
UNION ALL
SELECT 'unused_indexes', count(*) FROM pghero.unused_indexes WHERE tablename = 'regress_own_other'
UNION ALL
SELECT 'index_usage', count(*) FROM pghero.index_usage WHERE relname = 'regress_own_other'
UNION ALL
SELECT 'maintenance', count(*) FROM pghero.maintenance WHERE relname = 'regress_own_other'
UNION ALL
SELECT 'transaction_id_danger', count(*) FROM pghero.transaction_id_danger WHERE relname = 'regress_own_other';

-- cache hit rates count no block of pghero's
SELECT s.kind,
	   s.blocks_hit = (SELECT sum(t.heap_blks_hit) FROM pg_statio_user_tables t
					   WHERE t.schemaname NOT IN ('pghero', 'pghero_internal')) AS tables_only_theirs
FROM pghero.cache_hit_rates s WHERE s.kind = 'table';
-- and they are pg_statio_user_tables' and pg_statio_user_indexes' sums
-- without pghero's relations, blocks hit and blocks read
SELECT s.kind,
	   s.blocks_hit = coalesce(x.hit, 0) AS hit_is_the_sum,
	   s.blocks_read = coalesce(x.read, 0) AS read_is_the_sum
FROM pghero.cache_hit_rates s
	 JOIN (SELECT 'table' AS kind, sum(t.heap_blks_hit) AS hit, sum(t.heap_blks_read) AS read
		   FROM pg_statio_user_tables t
		   WHERE t.schemaname NOT IN ('pghero', 'pghero_internal')
		   UNION ALL
		   SELECT 'index', sum(i.idx_blks_hit), sum(i.idx_blks_read)
		   FROM pg_statio_user_indexes i
		   WHERE i.schemaname NOT IN ('pghero', 'pghero_internal')) x ON x.kind = s.kind
ORDER BY s.kind COLLATE "C";

-- _is_own() and _is_own_schema() are inlined into the views that call
-- them: a subquery in the body of a SQL function prevents that, and over a
-- catalog of 10,000 tables its call per row cost more than the rest of
-- the views that made it
CREATE FUNCTION regress_plan(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	line text;
	plan text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF, VERBOSE) ' || query LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END
$$;
SELECT p.plan LIKE '%_relation_namespace(%' AS reads_the_namespace,
	   p.plan NOT LIKE '%_is_own%' AS is_own_inlined
FROM (SELECT regress_plan('SELECT count(*) FROM pg_class c WHERE NOT pghero_internal._is_own(c.oid)') AS plan) p;
SELECT p.plan NOT LIKE '%_is_own%' AS is_own_schema_inlined
FROM (SELECT regress_plan('SELECT count(*) FROM pg_class c WHERE NOT pghero_internal._is_own_schema(c.relnamespace)') AS plan) p;
DROP FUNCTION regress_plan(text);

RESET pghero.unused_index_min_bytes;
RESET pghero.index_bloat_min_bytes;
RESET pghero.sequence_danger_percent;
RESET pghero.transaction_id_danger;

-- space: each history table once, its partitions summed; no partition,
-- index, baseline or other table of pghero's
SELECT relname, type, is_partition, partitions > 0 AS has_partitions,
	   size_bytes = (SELECT sum(pg_table_size(t.relid))
					 FROM pg_partition_tree(r.relid) t WHERE t.isleaf) AS sum_of_partitions
FROM pghero.relation_sizes r
WHERE schemaname IN ('pghero', 'pghero_internal')
ORDER BY relname COLLATE "C";
SELECT relname, type, partitions > 0 AS has_partitions,
	   size_bytes = (SELECT sum(pg_total_relation_size(t.relid))
					 FROM pg_partition_tree(s.relid) t WHERE t.isleaf) AS sum_of_partitions
FROM pghero.table_sizes s
WHERE schemaname IN ('pghero', 'pghero_internal')
ORDER BY relname COLLATE "C";
-- no temporary table of the collector's either
SELECT count(*) AS temp_tables FROM pg_class WHERE relpersistence = 't' AND relname LIKE 'pghero%';

-- storage: every table of pghero's once, with its tier and retention
SELECT tier, relname, partitions > 0 AS has_partitions, retention_setting,
	   retention = current_setting(retention_setting, true) AS retention_shown
FROM pghero.storage
ORDER BY tier COLLATE "C", relname COLLATE "C";
SELECT count(*) = (SELECT count(*) FROM pg_class
				   WHERE relnamespace = 'pghero_internal'::regnamespace
					 AND relkind IN ('r', 'p') AND NOT relispartition) AS every_table
FROM pghero.storage;
-- sizes: a history table's partitions summed, with indexes and TOAST data
SELECT bool_and(s.size_bytes = CASE WHEN s.partitions IS NULL THEN pg_total_relation_size(s.relid)
									ELSE coalesce((SELECT sum(pg_total_relation_size(t.relid))
												   FROM pg_partition_tree(s.relid) t WHERE t.isleaf), 0) END) AS sizes_add_up,
	   bool_and(s.measured) AS measured
FROM pghero.storage s;
-- a reader may read it
SET ROLE pghero_reader;
SELECT count(*) > 0 AS readable FROM pghero.storage;
RESET ROLE;
DROP FUNCTION regress_own_rows(text);
DROP TABLE regress_own_other;
