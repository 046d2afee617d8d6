/* sql/updates/1.1--1.2.sql */

--------------------------------------------------------------------------
-- pghero 1.1 -> 1.2: what cannot be re-created.  Every function and view
-- has been dropped above and is created again below from sql/src/; this
-- part changes the tables (and their data) the way sql/src/01_tables.sql
-- creates them, so that an upgraded extension is the same as a fresh one
-- (test/t/007_upgrade.pl compares them).
--------------------------------------------------------------------------
