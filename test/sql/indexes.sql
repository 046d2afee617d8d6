--
-- Indexes: definitions, invalid, duplicate, unused, usage, missing, bloat,
-- cache hit rates; and invalid constraints
--
SET client_min_messages = warning;

CREATE TABLE regress_idx (a integer, b integer, c text, d integer);
INSERT INTO regress_idx SELECT g, g % 100, 'text ' || g, g % 7 FROM generate_series(1, 1000) g;

-- a is covered by (a, b); a DESC is not (other ordering), nor a partial
-- index, nor one with another collation, operator class or access method
CREATE INDEX regress_idx_a ON regress_idx (a);
CREATE INDEX regress_idx_ab ON regress_idx (a, b);
CREATE INDEX regress_idx_a_desc ON regress_idx (a DESC);
CREATE INDEX regress_idx_a_partial ON regress_idx (a) WHERE b > 10;
CREATE INDEX regress_idx_c ON regress_idx (c);
CREATE INDEX regress_idx_c_collate ON regress_idx (c COLLATE "C");
CREATE INDEX regress_idx_c_pattern ON regress_idx (c text_pattern_ops);
CREATE INDEX regress_idx_a_hash ON regress_idx USING hash (a);
-- exact twins: only the one whose name sorts last is reported
CREATE INDEX regress_idx_b1 ON regress_idx (b);
CREATE INDEX regress_idx_b2 ON regress_idx (b);
-- the same expression written differently is the same index
CREATE INDEX regress_idx_lower1 ON regress_idx (lower(c));
CREATE INDEX regress_idx_lower2 ON regress_idx (  lower( c ));
-- INCLUDE: (d) is covered by (d) INCLUDE (a); not the other way round
CREATE INDEX regress_idx_d ON regress_idx (d);
CREATE INDEX regress_idx_d_incl ON regress_idx (d) INCLUDE (a);
-- a unique index covers a plain one on the same column, and a unique one
-- is never reported
CREATE TABLE regress_idx_u (id integer, x integer);
CREATE INDEX regress_idx_u_plain ON regress_idx_u (id);
CREATE UNIQUE INDEX regress_idx_u_unique ON regress_idx_u (id);
CREATE UNIQUE INDEX regress_idx_u_unique_ix ON regress_idx_u (id, x);

SELECT tablename, unneeded_index, covering_index, fix_sql,
	   unneeded_definition IS NOT NULL AS has_definition,
	   size_bytes > 0 AS sized
FROM pghero.duplicate_indexes
WHERE tablename LIKE 'regress_idx%'
ORDER BY unneeded_index COLLATE "C", covering_index COLLATE "C";

-- the indexes view
SELECT indexname, access_method, columns, include_columns, predicate,
	   is_unique, is_primary, is_valid, being_built,
	   definition = pg_get_indexdef(indexrelid) AS definition_ok,
	   size_bytes = pg_relation_size(indexrelid) AS size_ok
FROM pghero.indexes
WHERE tablename = 'regress_idx'
ORDER BY indexname COLLATE "C";

-- an index left invalid by a failed CREATE INDEX CONCURRENTLY
CREATE TABLE regress_idx_dup (v integer);
INSERT INTO regress_idx_dup VALUES (1), (1);
CREATE UNIQUE INDEX CONCURRENTLY regress_idx_dup_v ON regress_idx_dup (v);
SELECT tablename, indexname, fix_sql, definition
FROM pghero.invalid_indexes WHERE tablename = 'regress_idx_dup';
DROP TABLE regress_idx_dup;

-- unused indexes: never scanned, not unique, not backing a constraint
CREATE TABLE regress_idx_used (id integer PRIMARY KEY, v integer, w integer,
	EXCLUDE USING btree (w WITH =));
CREATE INDEX regress_idx_used_v ON regress_idx_used (v);
INSERT INTO regress_idx_used SELECT g, g, g FROM generate_series(1, 1000) g;
ANALYZE regress_idx_used;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT count(*) FROM regress_idx_used WHERE v = 42;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT regress_flush_stats();
SET pghero.unused_index_min_bytes = 0;
SELECT tablename, indexname, index_scans, fix_sql,
	   stats_age IS NULL OR stats_age_ms >= 0 AS window_shown
FROM pghero.unused_indexes
WHERE tablename IN ('regress_idx_used', 'regress_idx_u')
ORDER BY indexname COLLATE "C";
RESET pghero.unused_index_min_bytes;
-- small indexes are not reported by default (10MB)
SELECT count(*) AS small_ones FROM pghero.unused_indexes WHERE tablename LIKE 'regress_idx%';

-- index usage and missing indexes: a table of 10,000 rows read only by
-- sequential scans
CREATE TABLE regress_idx_big (id integer, v integer);
INSERT INTO regress_idx_big SELECT g, g FROM generate_series(1, 10000) g;
SELECT count(*) FROM regress_idx_big WHERE v = 1;
SELECT count(*) FROM regress_idx_big WHERE v = 2;
SELECT regress_flush_stats();
SELECT relname, seq_scan, index_scans, percent_of_times_index_used, estimated_rows
FROM pghero.index_usage WHERE relname IN ('regress_idx_big', 'regress_idx_used')
ORDER BY relname COLLATE "C";
SELECT relname, seq_scan, estimated_rows
FROM pghero.missing_indexes WHERE relname LIKE 'regress_idx%';

-- the thresholds use the scan counts, not the percent shown: 95 % of scans
-- by index exactly is not a missing index, 94.995 % is (the percent
-- shown is truncated: 94.99); 99.995 % shows as 99.99, never as 100.00
CREATE FUNCTION pg_temp.regress_scans(rel regclass, index_scans integer, seq_scans integer)
RETURNS void LANGUAGE plpgsql
SET enable_bitmapscan = off SET enable_indexonlyscan = off
AS $$
BEGIN
	SET LOCAL enable_seqscan = off;
	FOR i IN 1..index_scans LOOP
		EXECUTE format('SELECT FROM %s WHERE id = $1', rel) USING i;
	END LOOP;
	SET LOCAL enable_seqscan = on;
	SET LOCAL enable_indexscan = off;
	FOR i IN 1..seq_scans LOOP
		EXECUTE format('SELECT FROM %s LIMIT 1', rel);
	END LOOP;
END
$$;
CREATE TABLE regress_idx_edge (id integer PRIMARY KEY);
CREATE TABLE regress_idx_edge2 (id integer PRIMARY KEY);
-- (building the primary keys scanned the tables: start from zero)
SELECT regress_flush_stats();
SELECT pg_stat_reset_single_table_counters('regress_idx_edge'::regclass),
	   pg_stat_reset_single_table_counters('regress_idx_edge2'::regclass);
INSERT INTO regress_idx_edge SELECT g FROM generate_series(1, 10000) g;
INSERT INTO regress_idx_edge2 SELECT g FROM generate_series(1, 100) g;
SELECT pg_temp.regress_scans('regress_idx_edge', 19, 1);
SELECT regress_flush_stats();
SELECT relname, seq_scan, index_scans, percent_of_times_index_used
FROM pghero.index_usage WHERE relname = 'regress_idx_edge';
SELECT count(*) AS missing_at_95 FROM pghero.missing_indexes WHERE relname = 'regress_idx_edge';
SELECT pg_temp.regress_scans('regress_idx_edge', 18980, 1000);
SELECT pg_temp.regress_scans('regress_idx_edge2', 19999, 1);
SELECT regress_flush_stats();
SELECT relname, seq_scan, index_scans, percent_of_times_index_used
FROM pghero.index_usage WHERE relname LIKE 'regress_idx_edge%'
ORDER BY relname COLLATE "C";
SELECT relname, seq_scan, index_scans, percent_of_times_index_used
FROM pghero.missing_indexes WHERE relname LIKE 'regress_idx_edge%';
DROP TABLE regress_idx_edge, regress_idx_edge2;

-- cache hit rates: one row for tables, one for indexes
SELECT kind, blocks_hit + blocks_read > 0 AS has_io,
	   hit_rate BETWEEN 0 AND 100 AS is_percent,
	   threshold,
	   -- healthy compares the unrounded rate; hit_rate is rounded to 0.01
	   healthy = (100.0 * blocks_hit / (blocks_hit + blocks_read) >= threshold) AS healthy_matches,
	   hit_rate = round(100.0 * blocks_hit / (blocks_hit + blocks_read), 2) AS hit_rate_rounded
FROM pghero.cache_hit_rates ORDER BY kind COLLATE "C";

-- index bloat: an index that kept its pages after 90 % of its rows went
CREATE TABLE regress_bloat (id integer, pad text);
INSERT INTO regress_bloat SELECT g, 'pad' FROM generate_series(1, 50000) g;
CREATE INDEX regress_bloat_id ON regress_bloat (id);
CREATE INDEX regress_bloat_pad ON regress_bloat (pad);
DELETE FROM regress_bloat WHERE id % 10 <> 0;
VACUUM ANALYZE regress_bloat;
CREATE TABLE regress_nobloat (id integer);
INSERT INTO regress_nobloat SELECT g FROM generate_series(1, 50000) g;
CREATE INDEX regress_nobloat_id ON regress_nobloat (id);
ANALYZE regress_nobloat;
SET pghero.index_bloat_min_bytes = 0;
SELECT tablename, indexname, is_primary,
	   bloat_bytes > 0 AS bloated,
	   bloat_percent > 50 AS mostly_waste,
	   index_bytes = pg_relation_size(indexrelid) AS size_from_pages,
	   fix_sql
FROM pghero.index_bloat
WHERE tablename IN ('regress_bloat', 'regress_nobloat')
  AND bloat_percent > 20
ORDER BY indexname COLLATE "C";
RESET pghero.index_bloat_min_bytes;
SELECT count(*) AS over_100mb FROM pghero.index_bloat WHERE tablename LIKE 'regress%';

-- constraints added NOT VALID
CREATE TABLE regress_parent (id integer PRIMARY KEY);
CREATE TABLE regress_child (id integer, parent_id integer);
INSERT INTO regress_parent VALUES (1);
INSERT INTO regress_child VALUES (1, 1);
ALTER TABLE regress_child ADD CONSTRAINT regress_child_parent_fk
	FOREIGN KEY (parent_id) REFERENCES regress_parent NOT VALID;
ALTER TABLE regress_child ADD CONSTRAINT regress_child_positive
	CHECK (id > 0) NOT VALID;
SELECT tablename, constraint_name, type, referenced_schema, referenced_table, definition, fix_sql
FROM pghero.invalid_constraints
WHERE tablename = 'regress_child'
ORDER BY constraint_name COLLATE "C";
ALTER TABLE regress_child VALIDATE CONSTRAINT regress_child_positive;
SELECT constraint_name FROM pghero.invalid_constraints WHERE tablename = 'regress_child';
