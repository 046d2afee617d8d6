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
