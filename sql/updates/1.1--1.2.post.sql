/* sql/updates/1.1--1.2.post.sql */

--------------------------------------------------------------------------
-- pghero 1.1 -> 1.2, once the definitions of 1.2 exist: texts stored by
-- 1.1 lose the passwords they carried, as 1.2 stores them.
--------------------------------------------------------------------------

UPDATE pghero_internal.query_texts
SET query = pghero_internal._redact_query(query)
WHERE query IS DISTINCT FROM pghero_internal._redact_query(query);

UPDATE pghero_internal.audit_log
SET target_query = pghero_internal._redact_query(target_query)
WHERE target_query IS DISTINCT FROM pghero_internal._redact_query(target_query);

-- the partitions brought over from 1.1 say what they hold, like those made
-- since (pghero_internal._ensure_partition)
SELECT pghero_internal._comment_partition(c.oid)
FROM pg_catalog.pg_class c
WHERE c.relnamespace = 'pghero_internal'::pg_catalog.regnamespace AND c.relispartition;
