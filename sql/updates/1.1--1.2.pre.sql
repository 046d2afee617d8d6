/* sql/updates/1.1--1.2.pre.sql */

--------------------------------------------------------------------------
-- pghero 1.1 -> 1.2, first step: 1.2 keeps its internals in a schema of
-- their own, pghero_internal, so that schema pghero lists the dashboard
-- and nothing else.  With every function and view dropped, what is left in
-- schema pghero is tables (history, their partitions, state) and their
-- sequences: move them all, data and privileges included, before the rest
-- of the upgrade changes them where a fresh installation creates them.
--------------------------------------------------------------------------

CREATE SCHEMA pghero_internal;

DO $$
DECLARE
	r record;
BEGIN
	-- tables only: ALTER TABLE moves a table's indexes and owned sequences
	FOR r IN
		SELECT c.relname FROM pg_catalog.pg_class c
		WHERE c.relnamespace OPERATOR(pg_catalog.=) 'pghero'::pg_catalog.regnamespace
		  AND c.relkind IN ('r', 'p')
		ORDER BY c.relname
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE pghero.%I SET SCHEMA pghero_internal', r.relname);
	END LOOP;
END
$$;
