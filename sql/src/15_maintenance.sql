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
