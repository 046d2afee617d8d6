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

-- pghero's own relations: everything in its two schemas (the dashboard's
-- and the internals': history tables, their partitions, state, indexes,
-- sequences).  The findings views leave them out; pghero.storage shows them.
-- No SET search_path, so that the planner inlines it (an anti-join in the
-- views that call it); its operators are qualified.
CREATE FUNCTION pghero_internal._is_own(relid oid)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT EXISTS (SELECT FROM pg_catalog.pg_class c
				   WHERE c.oid OPERATOR(pg_catalog.=) $1
					 AND c.relnamespace OPERATOR(pg_catalog.=) ANY
						 (ARRAY['@extschema@'::pg_catalog.regnamespace,
								'pghero_internal'::pg_catalog.regnamespace]::pg_catalog.oid[]))
$$;

COMMENT ON FUNCTION pghero_internal._is_own(oid) IS
'Whether a relation is one of pghero''s own (in schema pghero or pghero_internal): findings leave them out, pghero.storage shows them (internal)';
