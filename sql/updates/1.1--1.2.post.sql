/* sql/updates/1.1--1.2.post.sql */

--------------------------------------------------------------------------
-- pghero 1.1 -> 1.2, once the definitions of 1.2 exist: texts stored by
-- 1.1 lose the passwords they carried, as 1.2 stores them.
--------------------------------------------------------------------------

UPDATE @extschema@.query_texts
SET query = @extschema@._redact_query(query)
WHERE query IS DISTINCT FROM @extschema@._redact_query(query);

UPDATE @extschema@.audit_log
SET target_query = @extschema@._redact_query(target_query)
WHERE target_query IS DISTINCT FROM @extschema@._redact_query(target_query);
