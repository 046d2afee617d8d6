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
