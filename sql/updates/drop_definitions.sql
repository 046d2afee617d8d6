/* sql/updates/drop_definitions.sql */

--------------------------------------------------------------------------
-- Every upgrade starts here: drop every function and view of the
-- extension, so that the topic sources that follow the hand-written part
-- of the upgrade create each one exactly as a fresh installation does.
-- Tables (and the data in them) stay; the hand-written part changes them.
--
-- Objects are dropped newest first (an object can only depend on older
-- ones), without CASCADE: if an object of someone else's depends on one of
-- ours (a user's view over a pghero view), the upgrade stops and says so
-- rather than dropping it.
--------------------------------------------------------------------------

DO $$
DECLARE
	obj record;
BEGIN
	FOR obj IN
		SELECT d.classid, d.objid,
			   pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS descr
		FROM pg_catalog.pg_depend d
		WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
		  AND d.refobjid OPERATOR(pg_catalog.=)
			  (SELECT e.oid FROM pg_catalog.pg_extension e
			   WHERE e.extname OPERATOR(pg_catalog.=) 'pghero')
		  AND d.deptype OPERATOR(pg_catalog.=) 'e'
		  AND (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
			   OR (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
				   AND (SELECT c.relkind FROM pg_catalog.pg_class c
						WHERE c.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) 'v'))
		ORDER BY d.objid DESC
	LOOP
		IF obj.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass THEN
			EXECUTE pg_catalog.format('DROP FUNCTION %s', obj.objid::pg_catalog.regprocedure);
		ELSE
			EXECUTE pg_catalog.format('DROP VIEW %s', obj.objid::pg_catalog.regclass);
		END IF;
	END LOOP;
END
$$;
