/* sql/src/18_security.sql */

--------------------------------------------------------------------------
-- Configuration security findings of pghero.issues (category security).
-- Stub until the security checks land: no rows.
--------------------------------------------------------------------------

CREATE VIEW pghero_internal._issues_security AS
SELECT NULL::text AS check_name,
	   NULL::text AS category,
	   NULL::text AS severity,
	   NULL::name AS database,
	   NULL::text AS object,
	   NULL::jsonb AS details,
	   NULL::text AS description,
	   NULL::text AS remediation
WHERE false;

COMMENT ON VIEW pghero_internal._issues_security IS
'Configuration security findings of pghero.issues (internal)';
