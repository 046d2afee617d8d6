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
		   ('activity_buckets', 'state', 'pghero.history_retention'),
		   ('session_log', 'state', 'pghero.history_retention'),
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
