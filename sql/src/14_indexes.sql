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
