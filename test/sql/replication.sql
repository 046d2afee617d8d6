--
-- Replication on a primary without standbys (standbys: test/t/)
--
SET client_min_messages = warning;

SELECT count(*) AS standbys FROM pghero.replication;

SELECT 1 FROM pg_create_physical_replication_slot('regress_pghero_slot', true);
SELECT slot_name, slot_type, temporary, active, active_pid, wal_status,
	   retained_wal_bytes >= 0 AS retains_wal,
	   retained_wal = pg_size_pretty(retained_wal_bytes) AS pretty,
	   xmin_age, catalog_xmin_age
FROM pghero.replication_slots;
SELECT pg_drop_replication_slot('regress_pghero_slot');
SELECT count(*) AS slots FROM pghero.replication_slots;
