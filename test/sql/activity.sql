--
-- Activity and connections, as far as one session can see them (sessions
-- of other users, blocking and long queries are tested in test/t/)
--
SET client_min_messages = warning;

-- our own backend is a connection, never a running query
SELECT database = current_database() AS own_database,
	   username = current_user AS own_user,
	   backend_type, state, connected_for_ms >= 0 AS connected,
	   connected_for::interval = date_trunc('milliseconds', connected_for::interval) AS text_in_ms,
	   abs(extract(epoch FROM connected_for::interval) * 1000 - connected_for_ms) < 1 AS ms_agree
FROM pghero.connections WHERE pid = pg_backend_pid();
-- durations are measured after pg_stat_activity is read: never negative,
-- even for a session whose transaction started after this statement
SELECT count(*) FILTER (WHERE connected_for_ms < 0) AS negative,
	   count(*) FILTER (WHERE connected_for::interval < '0') AS negative_text
FROM pghero.connections;
SELECT count(*) AS own_backend_running FROM pghero.running_queries WHERE pid = pg_backend_pid();
SELECT count(*) > 0 AS sees_server_processes
FROM pghero.connections WHERE backend_type IN ('checkpointer', 'background writer', 'walwriter');

-- states and sources count client backends only
SELECT state, total_connections >= 1 AS counted
FROM pghero.connection_states WHERE state = 'active';
SELECT count(*) AS non_client_states FROM pghero.connection_states WHERE state IS NULL;
SELECT database = current_database() AS own_database, total_connections >= 1 AS counted
FROM pghero.connection_sources WHERE database = current_database() AND username = current_user;

-- the summary agrees with the details and the settings
SELECT s.total_connections = (SELECT count(*) FROM pghero.connections WHERE backend_type = 'client backend') AS total_agrees,
	   s.max_connections = current_setting('max_connections')::integer AS max_agrees,
	   s.reserved_connections >= current_setting('superuser_reserved_connections')::integer AS reserved_counted,
	   s.available_connections = s.max_connections - s.reserved_connections AS available_agrees,
	   s.percent_used > 0 AS some_used,
	   s.high_connections,
	   s.high_idle_in_transaction
FROM pghero.connection_summary s;
SET pghero.total_connections_threshold = 1;
SELECT high_connections FROM pghero.connection_summary;
RESET pghero.total_connections_threshold;
-- high_connections from exactly the threshold on (at least, not more than)
SELECT total_connections AS regress_total FROM pghero.connection_summary \gset
SELECT set_config('pghero.total_connections_threshold', :'regress_total', false) IS NOT NULL AS set;
SELECT high_connections AS at_threshold FROM pghero.connection_summary;
SELECT set_config('pghero.total_connections_threshold', (:regress_total + 1)::text, false) IS NOT NULL AS set;
SELECT high_connections AS below_threshold FROM pghero.connection_summary;
RESET pghero.total_connections_threshold;

-- views with nothing to say in a quiet cluster are empty, not broken
SELECT count(*) AS blocked FROM pghero.blocked_queries;
SELECT count(*) AS long_running FROM pghero.long_running_queries;
SELECT count(*) AS vacuums FROM pghero.vacuum_progress;
