--
-- Live query statistics from pg_stat_statements (installed in schema pgss
-- by the security test: pghero finds it wherever it is)
--
SET client_min_messages = warning;
SELECT count(*) AS reset FROM (SELECT pgss.pg_stat_statements_reset()) r;

-- a statement run 3 times at top level and 2 times nested in a function:
-- pg_stat_statements keeps two rows, pghero shows one with 5 calls
CREATE FUNCTION regress_nested() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	SELECT count(*) INTO n FROM pg_class WHERE relname = 'regress_qs_marker';
	RETURN n;
END
$$;
SELECT count(*) FROM pg_class WHERE relname = 'regress_qs_marker';
SELECT count(*) FROM pg_class WHERE relname = 'regress_qs_marker';
SELECT count(*) FROM pg_class WHERE relname = 'regress_qs_marker';
SELECT regress_nested();
SELECT regress_nested();

SELECT toplevel, calls
FROM pgss.pg_stat_statements
WHERE query LIKE '%relname = $1%' AND query LIKE 'SELECT count(*)%'
ORDER BY toplevel;
SELECT database = current_database() AS own_database,
	   username = current_user AS own_user,
	   calls, rows,
	   total_time_ms > 0 AS timed,
	   abs(mean_time_ms - total_time_ms / calls) < 0.001 AS mean_is_total_over_calls,
	   abs(extract(epoch FROM total_time::interval) * 1000 - total_time_ms) < 1 AS interval_matches,
	   total_time_ms = round(total_time_ms::numeric, 3)::float8 AS ms_rounded,
	   shared_blks_hit + shared_blks_read > 0 AS read_blocks
FROM pghero.query_stats
WHERE query LIKE 'SELECT count(*)%' AND query LIKE '%relname = $1%';

-- percents add up to 100
SELECT round(sum(percent_of_total)) AS total_percent FROM pghero.query_stats;

-- slow queries: at least pghero.slow_query_calls calls and a mean time of
-- at least pghero.slow_query_ms
SELECT pg_sleep(0.03) AS regress_slow_marker;
SELECT pg_sleep(0.03) AS regress_slow_marker;
SET pghero.slow_query_calls = 2;
SET pghero.slow_query_ms = 25;
SELECT calls, mean_time_ms >= 25 AS slow
FROM pghero.slow_queries WHERE query LIKE 'SELECT pg_sleep($1) AS regress_slow_marker%';
SELECT count(*) AS fast_ones_listed
FROM pghero.slow_queries WHERE query LIKE 'SELECT count(*)%' AND query LIKE '%relname = $1%';
SET pghero.slow_query_calls = 3;
SELECT count(*) AS listed_with_3_calls
FROM pghero.slow_queries WHERE query LIKE 'SELECT pg_sleep($1) AS regress_slow_marker%';
RESET pghero.slow_query_calls;
RESET pghero.slow_query_ms;
SELECT count(*) AS listed_by_default
FROM pghero.slow_queries WHERE query LIKE 'SELECT pg_sleep($1) AS regress_slow_marker%';

DROP FUNCTION regress_nested();
