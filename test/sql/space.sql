--
-- Space: relation, table and database sizes, with partitions rolled up
--
SET client_min_messages = warning;

CREATE TABLE regress_space (id integer PRIMARY KEY, payload text);
INSERT INTO regress_space
SELECT g, repeat('x', 100) FROM generate_series(1, 2000) g;
-- a value big enough to go to TOAST
INSERT INTO regress_space VALUES (0, (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 1000) g));

CREATE TABLE regress_parted (id integer, created date, note text) PARTITION BY RANGE (created);
CREATE TABLE regress_parted_2025 PARTITION OF regress_parted
	FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE regress_parted_2026 PARTITION OF regress_parted
	FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY LIST (id);
CREATE TABLE regress_parted_2026_a PARTITION OF regress_parted_2026 DEFAULT;
CREATE INDEX regress_parted_id ON regress_parted (id);
INSERT INTO regress_parted
SELECT g, date '2025-06-01' + (g % 400), 'note ' || g FROM generate_series(1, 3000) g;

-- a table is measured as pg_table_size() does (with TOAST, without indexes)
SELECT relname, type, is_partition, measured, partitions,
	   size_bytes = pg_table_size(relid) AS same_as_pg_table_size,
	   size = pg_size_pretty(size_bytes) AS pretty
FROM pghero.relation_sizes
WHERE relname IN ('regress_space', 'regress_space_pkey')
ORDER BY relname COLLATE "C";

-- a partitioned table is the sum of its leaf partitions, at any depth
SELECT r.relname, r.type, r.is_partition, r.measured, r.partitions,
	   r.size_bytes = (SELECT sum(pg_table_size(t.relid))
					   FROM pg_partition_tree(r.relid) t WHERE t.isleaf) AS sum_of_leaves,
	   r.size_bytes > 0 AS nonzero
FROM pghero.relation_sizes r
WHERE r.relname LIKE 'regress_parted%'
ORDER BY r.relname COLLATE "C";

-- table_sizes: total (with indexes) and its parts
SELECT relname, type, measured, partitions,
	   size_bytes = pg_total_relation_size(relid) AS same_as_pg_total_relation_size,
	   table_bytes = pg_table_size(relid) AS table_part,
	   index_bytes = pg_indexes_size(relid) AS index_part
FROM pghero.table_sizes
WHERE relname = 'regress_space';
SELECT relname, type, measured, partitions,
	   size_bytes = (SELECT sum(pg_total_relation_size(t.relid))
					 FROM pg_partition_tree(relid) t WHERE t.isleaf) AS sum_of_leaves,
	   table_bytes + index_bytes = size_bytes AS parts_add_up
FROM pghero.table_sizes
WHERE relname = 'regress_parted';

-- system schemas are not listed
SELECT count(*) AS system_relations
FROM pghero.relation_sizes WHERE schemaname IN ('pg_catalog', 'information_schema', 'pg_toast');

-- every database of the cluster, measured as pg_database_size() does
SELECT count(*) = (SELECT count(*) FROM pg_database) AS every_database,
	   bool_and(size_bytes > 0) AS all_sized
FROM pghero.database_sizes;
SELECT size_bytes = pg_database_size(current_database()) AS same_as_pg_database_size
FROM pghero.database_sizes WHERE database = current_database();
