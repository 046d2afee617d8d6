/* sql/src/15_maintenance.sql */

CREATE FUNCTION pghero_internal._sequence_last_value(regclass)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pghero_sequence_last_value'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pghero_internal._sequence_last_value(regclass) IS
'Last value of a sequence (its start value if never used), NULL when it cannot be read without waiting or without privilege (internal)';

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
FROM pg_catalog.pg_stat_user_tables s;

COMMENT ON VIEW @extschema@.maintenance IS
'When every table of this database was last vacuumed and analyzed, with its live and dead rows';

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
	WHERE c.relkind IN ('r', 'm'))
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
	-- serial and identity columns own their sequence
	SELECT d.objid AS seqid, d.refobjid AS relid, d.refobjsubid AS attnum
	FROM pg_catalog.pg_depend d
	WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
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
	WHERE tc.relpersistence <> 't')
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
	   pg_catalog.round(100.0 * s.last_value / s.max_value, 2) AS percent_used,
	   pg_catalog.abs(s.max_value::numeric - s.last_value) AS values_left,
	   s.last_value IS NOT NULL AS readable
FROM s;

COMMENT ON VIEW @extschema@.sequences IS
'Every column of this database filled from a sequence (serial, identity or a nextval() default), with how much of its range is used';

-- the unrounded share of the range against the threshold
CREATE VIEW @extschema@.sequence_danger AS
SELECT s.*
FROM @extschema@.sequences s
	 CROSS JOIN @extschema@.config() c
WHERE s.readable
  AND 100.0 * s.last_value / s.max_value > c.sequence_danger_percent::numeric;

COMMENT ON VIEW @extschema@.sequence_danger IS
'Columns whose sequence has used more than pghero.sequence_danger_percent of the range of the column type or of the sequence';
