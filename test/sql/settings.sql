--
-- Settings: PgHero's tuning list plus autovacuum and vacuum settings
--
SET client_min_messages = warning;

SELECT category, count(*) >= 5 AS several
FROM pghero.settings GROUP BY category ORDER BY category COLLATE "C";
SELECT name, category FROM pghero.settings
WHERE name IN ('shared_buffers', 'work_mem', 'random_page_cost', 'autovacuum',
			   'autovacuum_vacuum_cost_limit', 'vacuum_cost_limit')
ORDER BY name COLLATE "C";
-- values are what SHOW says, with where they come from
SELECT bool_and(value = current_setting(name)) AS values_match,
	   bool_and(source IS NOT NULL) AS sources_known
FROM pghero.settings;
SET work_mem = '12MB';
SELECT name, value, setting, unit, source FROM pghero.settings WHERE name = 'work_mem';
RESET work_mem;
SELECT name, value, source FROM pghero.settings WHERE name = 'work_mem';
