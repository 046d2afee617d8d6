/* sql/src/00_preconditions.sql */

--------------------------------------------------------------------------
-- Preconditions
--------------------------------------------------------------------------

-- PgHero's permissions guide has people create a schema named "pghero" by
-- hand, full of look-alike functions and views.  CREATE EXTENSION would
-- silently install into it and mix our objects with theirs.  Accept the
-- schema only if this CREATE EXTENSION just made it (its row is then ours:
-- age(xmin) <= 0), or if it is an empty one owned by a superuser, as DROP
-- EXTENSION pghero leaves behind.
DO $$
DECLARE
	nsp oid;
	created_now boolean;
	owner_is_superuser boolean;
BEGIN
	SELECT n.oid, pg_catalog.age(n.xmin) OPERATOR(pg_catalog.<=) 0, r.rolsuper
	  INTO nsp, created_now, owner_is_superuser
	FROM pg_catalog.pg_namespace n
		 JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
	WHERE n.nspname OPERATOR(pg_catalog.=) 'pghero';

	IF NOT created_now
	   AND (NOT owner_is_superuser
			OR EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp)
			OR EXISTS (SELECT FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp)
			OR EXISTS (SELECT FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp)
			OR EXISTS (SELECT FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp)) THEN
		RAISE EXCEPTION 'schema "pghero" already exists'
			USING ERRCODE = 'duplicate_schema',
				  DETAIL = 'The pghero extension installs into the schema "pghero", which must be new or empty and owned by a superuser; this one was created before, for example by following PgHero''s permissions guide.',
				  HINT = 'Rename the existing schema (ALTER SCHEMA pghero RENAME TO pghero_old) or drop it, then run CREATE EXTENSION pghero again.';
	END IF;
END
$$;

-- The two roles of the security model.  They are cluster-wide and outlive
-- the extension; a role of the same name that can log in or is a superuser
-- is someone else's, and granting it our rights would be wrong.
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['pghero_reader', 'pghero_admin'] LOOP
		IF EXISTS (SELECT FROM pg_catalog.pg_roles a
				   WHERE a.rolname OPERATOR(pg_catalog.=) r
					 AND (a.rolcanlogin OR a.rolsuper)) THEN
			RAISE EXCEPTION 'role "%" already exists and can log in or is a superuser', r
				USING ERRCODE = 'duplicate_object',
					  DETAIL = 'pghero grants its privileges to a NOLOGIN role of that name.',
					  HINT = pg_catalog.format('Rename the existing role (ALTER ROLE %I RENAME TO ...) or make it NOLOGIN NOSUPERUSER, then run CREATE EXTENSION pghero again.', r);
		END IF;
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles a
					   WHERE a.rolname OPERATOR(pg_catalog.=) r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
	IF NOT pg_catalog.pg_has_role('pghero_admin', 'pghero_reader', 'MEMBER') THEN
		GRANT pghero_reader TO pghero_admin;
	END IF;
END
$$;

-- pghero's internals (history tables, their partitions, state, helper
-- functions) live in a schema of their own, so that the pghero schema holds
-- the dashboard and nothing else.  It must not exist yet.
DO $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_namespace n
			   WHERE n.nspname OPERATOR(pg_catalog.=) 'pghero_internal') THEN
		RAISE EXCEPTION 'schema "pghero_internal" already exists'
			USING ERRCODE = 'duplicate_schema',
				  DETAIL = 'The pghero extension keeps its internal tables and functions in the schema "pghero_internal", which it creates.',
				  HINT = 'Rename the existing schema (ALTER SCHEMA pghero_internal RENAME TO ...) or drop it, then run CREATE EXTENSION pghero again.';
	END IF;
END
$$;

CREATE SCHEMA pghero_internal;

COMMENT ON SCHEMA pghero IS 'pghero: PgHero''s performance dashboard as views and functions';
