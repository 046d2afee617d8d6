
# Copyright (c) pghero contributors

# 005_activity.pl -- the activity and connection views see other sessions.
#
# What this proves:
#  * durations (running_queries, connections) are measured against the
#    clock after pg_stat_activity is read: a session that connected and
#    started its query after the reader's transaction began has durations
#    of 0 or more (against now() they were negative).
#  * long_running_queries lists a background "SELECT pg_sleep(30)" once it
#    has run longer than pghero.long_running_query_sec (SET to 1 in the
#    session), and does not list it with the default of 60 s although
#    running_queries does.
#  * vacuum_progress shows a running (deliberately slowed) VACUUM of a
#    table with its name, phase and block counts, and stops showing it once
#    the VACUUM is cancelled.
#  * connections, connection_sources, connection_states and
#    connection_summary count the client sessions exactly (3 idle sessions
#    with application_name regress_pghero_pool, 1 idle in transaction,
#    1 active, plus the querying session), and connection_summary's
#    high_connections / high_idle_in_transaction follow
#    pghero.total_connections_threshold / pghero.idle_in_transaction_threshold.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use PgheroSession;

# Upper bound, in seconds, of every wait in this test.
my $wait_secs = 30;

my $node = PostgreSQL::Test::Cluster->new('activity');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
autovacuum = off
});
$node->start;

#--------------------------------------------------------------------------
# Polling (background psql sessions are PgheroSession objects, see
# PgheroSession.pm)
#--------------------------------------------------------------------------

# Poll a query in a new connection until it returns $expected, bounded.
sub poll_until
{
	my ($sql, $expected) = @_;
	return PgheroSession->poll_until(sub { $node->safe_psql('postgres', $sql) },
		$expected, $wait_secs, $sql);
}

$node->safe_psql('postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
});

# Wait until this is the only client session left.
sub wait_alone
{
	return poll_until(q{
		SELECT count(*) FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()},
		'0');
}

#--------------------------------------------------------------------------
# long_running_queries
#--------------------------------------------------------------------------

my $sleeper = PgheroSession->new($node,
	application_name => 'regress_pghero_sleeper', timeout => $wait_secs);
my $sleeper_pid = $sleeper->query('SELECT pg_backend_pid()')->[0];
like($sleeper_pid, qr/^\d+$/, 'sleeper session started');
$sleeper->send('SELECT pg_sleep(30) /* regress_pghero_marker */;');

ok( poll_until(qq{
	SET pghero.long_running_query_sec = 1;
	SELECT count(*) FROM pghero.long_running_queries
	WHERE pid = $sleeper_pid AND query LIKE '%regress_pghero_marker%'}, '1'),
	'long_running_queries lists the sleeper with long_running_query_sec = 1');
is( $node->safe_psql('postgres', qq{
	SET pghero.long_running_query_sec = 1;
	SELECT state, wait_event, application_name, blocked_by,
		   query = 'SELECT pg_sleep(30) /* regress_pghero_marker */;',
		   duration::interval >= '1 s'::interval, duration_ms >= 1000,
		   started_at <= now() - '1 s'::interval
	FROM pghero.long_running_queries WHERE pid = $sleeper_pid}),
	'active|PgSleep|regress_pghero_sleeper|{}|t|t|t|t',
	'long_running_queries: the sleeper\'s row');
is( $node->safe_psql('postgres', qq{
	SELECT (SELECT long_running_query_sec FROM pghero.config()),
		   (SELECT count(*) FROM pghero.long_running_queries WHERE pid = $sleeper_pid),
		   (SELECT count(*) FROM pghero.running_queries WHERE pid = $sleeper_pid)}),
	'60|0|1',
	'with the default 60 s the sleeper is running but not long running');
is( $node->safe_psql('postgres', q{
	SET pghero.long_running_query_sec = 0;
	SELECT count(*) FROM pghero.running_queries WHERE pid = pg_backend_pid()}),
	'0', 'running_queries never lists the session asking');

$node->safe_psql('postgres', "SELECT pg_cancel_backend($sleeper_pid)");
ok($sleeper->wait_for('err', qr/canceling statement due to user request/),
	'sleeper cancelled');
ok( poll_until(qq{
	SET pghero.long_running_query_sec = 1;
	SELECT count(*) FROM pghero.long_running_queries WHERE pid = $sleeper_pid},
	'0'),
	'long_running_queries forgets the cancelled query');
is($sleeper->quit, 0, 'sleeper exits cleanly');

# Live durations are measured against clock_timestamp() read after
# pg_stat_activity, not against now() (the start of the reader's
# transaction): a session that connected and started its query after the
# reader's transaction began has positive durations, never negative ones.
my $reader = PgheroSession->new($node, timeout => $wait_secs);
$reader->query('BEGIN; SELECT now();');
my $late = PgheroSession->new($node,
	application_name => 'regress_pghero_late', timeout => $wait_secs);
my $late_pid = $late->query('SELECT pg_backend_pid()')->[0];
$late->send('SELECT pg_sleep(30) /* regress_pghero_late */;');
ok( poll_until(qq{
	SELECT count(*) FROM pg_stat_activity
	WHERE pid = $late_pid AND wait_event = 'PgSleep'}, '1'),
	'a session connected after the reader\'s transaction began is sleeping');
is( $reader->query(qq{
	SELECT c.backend_start > now(), q.started_at > now(),
		   q.duration_ms >= 0, q.duration::interval >= '0',
		   c.connected_for_ms >= 0, c.connected_for::interval >= '0'
	FROM pghero.running_queries q JOIN pghero.connections c USING (pid)
	WHERE q.pid = $late_pid;
	COMMIT;})->[0],
	't|t|t|t|t|t',
	'durations of a query that started after the reader\'s transaction are not negative');
$node->safe_psql('postgres', "SELECT pg_cancel_backend($late_pid)");
ok($late->wait_for('err', qr/canceling statement due to user request/),
	'late session cancelled');
is($late->quit, 0, 'late session exits cleanly');
is($reader->quit, 0, 'reader exits cleanly');

#--------------------------------------------------------------------------
# vacuum_progress
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
CREATE TABLE vac_tbl (id int, pad text) WITH (autovacuum_enabled = off);
INSERT INTO vac_tbl SELECT g, 'pad ' || g FROM generate_series(1, 200000) g;
CREATE INDEX vac_tbl_id_idx ON vac_tbl (id);
DELETE FROM vac_tbl WHERE id % 2 = 0;
});
is( $node->safe_psql('postgres', q{SELECT count(*) FROM pghero.vacuum_progress}),
	'0', 'vacuum_progress is empty when nothing vacuums');

my $vacuumer = PgheroSession->new($node,
	application_name => 'regress_pghero_vacuum', timeout => $wait_secs);
my $vacuum_pid = $vacuumer->query('SELECT pg_backend_pid()')->[0];
# About one page per 50-200 ms: the VACUUM of ~1000 pages lasts minutes.
$vacuumer->query(
	q{SET vacuum_cost_delay = '50ms'; SET vacuum_cost_limit = 1});
$vacuumer->send('VACUUM vac_tbl;');

ok( poll_until(qq{
	SELECT count(*) FROM pghero.vacuum_progress
	WHERE pid = $vacuum_pid AND relname = 'vac_tbl' AND phase IS NOT NULL},
	'1'),
	'vacuum_progress shows the running VACUUM');
is( $node->safe_psql('postgres', qq{
	SELECT database, schemaname, relname, relid = 'vac_tbl'::regclass,
		   phase IN ('initializing', 'scanning heap', 'vacuuming indexes',
					 'vacuuming heap', 'cleaning up indexes'),
		   heap_blks_total = pg_relation_size('vac_tbl') / current_setting('block_size')::int,
		   heap_blks_scanned BETWEEN 0 AND heap_blks_total,
		   percent_scanned BETWEEN 0 AND 100,
		   CASE WHEN current_setting('server_version_num')::int >= 170000
				THEN max_dead_tuples IS NULL AND max_dead_tuple_bytes > 0
				ELSE max_dead_tuples > 0 AND max_dead_tuple_bytes IS NULL END,
		   query = 'VACUUM vac_tbl;',
		   started_at <= now(), duration_ms >= 0
	FROM pghero.vacuum_progress WHERE pid = $vacuum_pid}),
	'postgres|public|vac_tbl|t|t|t|t|t|t|t|t|t',
	'vacuum_progress: table, phase and progress of the VACUUM');

$node->safe_psql('postgres', "SELECT pg_cancel_backend($vacuum_pid)");
ok($vacuumer->wait_for('err', qr/canceling statement due to user request/),
	'VACUUM cancelled');
ok( poll_until(q{SELECT count(*) FROM pghero.vacuum_progress}, '0'),
	'vacuum_progress is empty again');
is($vacuumer->quit, 0, 'vacuum session exits cleanly');

#--------------------------------------------------------------------------
# Connections: 3 idle pool sessions, 1 idle in transaction, 1 active, and
# the session asking.
#--------------------------------------------------------------------------

ok(wait_alone(), 'no other client session is left');

# Exact counts are read from one long-lived session: a connection made by
# safe_psql may still be visible for a moment after it is closed.
my $observer = PgheroSession->new($node,
	application_name => 'regress_pghero_observer', timeout => $wait_secs);

# Run SQL in the observer session; its output, or a diag of its errors.
sub observe
{
	my ($sql) = @_;
	my $r = $observer->query($sql);
	diag("observer: $r->[1]") if $r->[1] ne '';
	return $r->[0];
}

# Poll in the observer session until $sql returns $expected, bounded.
sub observe_until
{
	my ($sql, $expected) = @_;
	return PgheroSession->poll_until(sub { observe($sql) },
		$expected, $wait_secs, $sql);
}

my @pool = map {
	PgheroSession->new($node,
		application_name => 'regress_pghero_pool', timeout => $wait_secs)
} 1 .. 3;
my @pool_pids = map { $_->query('SELECT pg_backend_pid()')->[0] } @pool;
my $iit = PgheroSession->new($node,
	application_name => 'regress_pghero_iit', timeout => $wait_secs);
$iit->query('BEGIN; SELECT 1');
my $busy = PgheroSession->new($node,
	application_name => 'regress_pghero_busy', timeout => $wait_secs);
my $busy_pid = $busy->query('SELECT pg_backend_pid()')->[0];
$busy->send('SELECT pg_sleep(60);');
ok( observe_until(qq{
	SELECT count(*) FILTER (WHERE pid = $busy_pid AND wait_event = 'PgSleep')
		   || '/' || count(*) FILTER (WHERE backend_type = 'client backend')
	FROM pg_stat_activity}, '1/6'),
	'busy session is running; 6 client sessions in all');

is( observe(q{
	SELECT database, username = current_user, client_addr IS NULL, total_connections
	FROM pghero.connection_sources
	WHERE application_name = 'regress_pghero_pool'}),
	'postgres|t|t|3',
	'connection_sources: one row for the pool with total_connections = 3');
is( observe(q{
	SELECT sum(total_connections), count(*) FROM pghero.connection_sources}),
	'6|4', 'connection_sources: 6 client connections from 4 sources');

is( observe(q{
	SELECT string_agg(pid::text, ',' ORDER BY pid),
		   bool_and(backend_type = 'client backend'),
		   bool_and(state = 'idle'), bool_and(database = 'postgres'),
		   bool_and(connected_for_ms >= 0)
	FROM pghero.connections
	WHERE application_name = 'regress_pghero_pool'}),
	join(',', sort { $a <=> $b } @pool_pids) . '|t|t|t|t',
	'connections: the three pool sessions, idle');
is( observe(q{
	SELECT (SELECT count(*) FROM pghero.connections)
		   = (SELECT count(*) FROM pg_stat_activity),
		   (SELECT count(*) FROM pghero.connections
			WHERE backend_type = 'client backend'),
		   (SELECT count(*) FROM pghero.connections
			WHERE backend_type = 'checkpointer')}),
	't|6|1', 'connections: every backend, server processes included');

is( observe(q{
	SELECT state, total_connections FROM pghero.connection_states
	ORDER BY state COLLATE "C"}),
	"active|2\nidle|3\nidle in transaction|1",
	'connection_states: 2 active, 3 idle, 1 idle in transaction');

is( observe(q{
	SELECT total_connections, active_connections,
		   idle_in_transaction_connections,
		   max_connections = current_setting('max_connections')::int,
		   reserved_connections = current_setting('superuser_reserved_connections')::int,
		   available_connections = max_connections - reserved_connections,
		   percent_used = round(100.0 * 6 / available_connections, 2),
		   high_connections, high_idle_in_transaction
	FROM pghero.connection_summary}),
	'6|2|1|t|t|t|t|f|f',
	'connection_summary: counts, and no alarm with the default thresholds');
is( observe(q{
	SET pghero.total_connections_threshold = 2;
	SET pghero.idle_in_transaction_threshold = 1;
	SELECT high_connections, high_idle_in_transaction
	FROM pghero.connection_summary;
	RESET pghero.total_connections_threshold;
	RESET pghero.idle_in_transaction_threshold}),
	't|t', 'connection_summary: alarms with low thresholds');
is( observe(q{
	SET pghero.total_connections_threshold = 6;
	SELECT high_connections FROM pghero.connection_summary;
	SET pghero.total_connections_threshold = 7;
	SELECT high_connections FROM pghero.connection_summary;
	RESET pghero.total_connections_threshold}),
	"t\nf", 'connection_summary: high_connections from the threshold on');

is( observe(q{
	SELECT application_name, state FROM pghero.running_queries
	WHERE application_name LIKE 'regress_pghero_%'
	ORDER BY application_name COLLATE "C"}),
	"regress_pghero_busy|active\nregress_pghero_iit|idle in transaction",
	'running_queries: active and idle-in-transaction sessions, not idle ones');

#--------------------------------------------------------------------------
# End the background sessions
#--------------------------------------------------------------------------

$node->safe_psql('postgres', "SELECT pg_cancel_backend($busy_pid)");
ok($busy->wait_for('err', qr/canceling statement due to user request/),
	'busy session cancelled');
$iit->query('COMMIT');
is($_->quit, 0, 'background psql exits cleanly')
  foreach (@pool, $iit, $busy, $observer);
ok(wait_alone(), 'every background session is gone');
is( $node->safe_psql('postgres', q{
	SELECT count(*) FROM pghero.connection_sources
	WHERE application_name = 'regress_pghero_pool'}),
	'0', 'connection_sources: the pool is gone');

$node->stop;
done_testing();
