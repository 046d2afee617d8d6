# Copyright (c) pghero contributors
#
# 021_sampling.pl
#	Activity sampling by the collector (src/sampler.c), with real sessions.
#
# What this test proves:
#   - the collector samples every pghero.activity_sample_interval on its
#     own: the activity source writes buckets whose ticks match the time
#     they cover, and rows whose averages are samples over ticks;
#   - a session sleeping in pg_sleep shows its wait event (Timeout,
#     PgSleep) in activity_history and in wait_events(), as an active
#     session;
#   - a session blocked on a lock is recorded once in session_log, however
#     many samples and captures saw it, as blocked, with the pid of the
#     session holding the lock and its query text; a statement running for
#     pghero.long_running_query_sec is recorded as long-running, with a
#     longest duration that grows between captures;
#   - a reader (pghero_reader) reads all of it;
#   - the first bucket after a restart is lossy, and no other is;
#   - the collector samples the host too (host_status's interval figures);
#   - while it sleeps, the collector waits on its own wait event
#     (PgHeroCollector) from PostgreSQL 17 on, "Extension" before.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use PgheroSession;

my $node = PostgreSQL::Test::Cluster->new('sampling');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
pghero.activity_sample_interval = '200ms'
pghero.capture_interval = '1h'
pghero.long_running_query_sec = 1
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE ROLE regress_pghero_sampling_reader LOGIN;
GRANT pghero_reader TO regress_pghero_sampling_reader;
CREATE TABLE regress_locked (id integer);
});
my $major = $node->safe_psql('postgres', 'SHOW server_version_num') / 10000;

# the collector is ready and sampling (its first captures have run)
ok( PgheroSession->poll_until(
		sub {
			$node->safe_psql('postgres',
				q{SELECT count(*) = count(last_run_at) FROM pghero.collector});
		},
		't', 60, 'the collector ran every source'),
	'the collector ran every source once');

is( $node->safe_psql('postgres',
		q{SELECT wait_event FROM pg_stat_activity WHERE backend_type = 'pghero collector'}),
	$major >= 17 ? 'PgHeroCollector' : 'Extension',
	'the collector sleeps on its own wait event (17 and later) or on Extension');

# the collector samples the host with the sessions: host_status has its
# figures over the last interval, the sample interval
ok( PgheroSession->poll_until(
		sub {
			$node->safe_psql('postgres',
				q{SELECT coalesce(cpu_busy_percent BETWEEN 0 AND 100
								  AND interval_seconds BETWEEN 0.05 AND 5, false)
				  FROM pghero.host_status});
		},
		't', 30, 'host_status has its interval figures'),
	'host_status has CPU figures over the interval between two of the collector\'s samples');

# a session sleeping, a session holding a lock and one blocked by it
my $sleeper = PgheroSession->new($node, application_name => 'regress_sleeper', timeout => 60);
my $holder = PgheroSession->new($node, application_name => 'regress_holder', timeout => 60);
my $blocked = PgheroSession->new($node, application_name => 'regress_blocked', timeout => 60);
my $holder_pid = $holder->query('SELECT pg_backend_pid()')->[0];
chomp $holder_pid;
$holder->query('BEGIN; LOCK TABLE regress_locked;');
$blocked->send("SELECT count(*) AS regress_blocked_query FROM regress_locked;\n");
$sleeper->send("SELECT pg_sleep(30) AS regress_sleep;\n");
ok( PgheroSession->poll_until(
		sub {
			$node->safe_psql('postgres',
				q{SELECT count(*) FROM pg_stat_activity
				  WHERE (application_name = 'regress_blocked' AND wait_event_type = 'Lock')
					 OR (application_name = 'regress_sleeper' AND wait_event = 'PgSleep')});
		},
		'2', 30, 'both sessions wait'),
	'the sleeper sleeps and the blocked session waits');

# let the sampler see them for 2 seconds (about 10 samples), then capture
sleep 2;
my $capture = q{SELECT succeeded || coalesce(error, '') FROM pghero.capture(ARRAY['activity'])};
is($node->safe_psql('postgres', $capture), 'true', 'the activity source writes');

is( $node->safe_psql('postgres',
		q{SELECT ticks >= 5 AND dropped = 0 FROM pghero_internal.activity_buckets
		  ORDER BY captured_at DESC LIMIT 1}),
	't', 'the collector took samples on its own (at least 5 in 2 seconds)');
is( $node->safe_psql('postgres',
		q{SELECT bool_and(samples <= ticks AND samples > 0
						  AND average_sessions = samples::float8 / ticks)
		  FROM pghero.activity_history WHERE application_name = 'regress_sleeper'}),
	't', 'averages are samples over ticks, and one session is at most one per tick');
is( $node->safe_psql('postgres',
		q{SELECT state || ' ' || wait_event_type || ' ' || wait_event || ' ' || (samples >= 5)::text
		  FROM pghero.activity_history
		  WHERE application_name = 'regress_sleeper'
		  ORDER BY samples DESC LIMIT 1}),
	'active Timeout PgSleep true',
	'the sleeping session shows its wait event, PgSleep');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pghero.wait_events('-infinity', 'infinity')
		  WHERE wait_event_type = 'Timeout' AND wait_event = 'PgSleep'
			AND average_active_sessions > 0 AND share_percent > 0}),
	'1', 'wait_events() lists PgSleep');
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pghero.activity_history
		  WHERE application_name = 'regress_blocked' AND wait_event_type = 'Lock'
			AND wait_event = 'relation'}),
	'1', 'the blocked session shows its lock wait');

my $log_sql = q{
	SELECT blocked, blocked_by::text, query LIKE '%regress_blocked_query%',
		   long_running, longest_duration_ms
	FROM pghero.session_log WHERE application_name = 'regress_blocked'};
my ($b1, $by1, $q1, $l1, $d1) = split /\|/, $node->safe_psql('postgres', $log_sql);
is($b1, 't', 'the blocked session is in session_log, blocked');
is($by1, "{$holder_pid}", 'with the pid of the session holding the lock');
is($q1, 't', 'and its statement');
is($l1, 't', 'blocked for more than a second, it is long-running too');

# two more seconds and another capture: still one row, a longer duration
sleep 2;
is($node->safe_psql('postgres', $capture), 'true', 'the activity source writes again');
my ($b2, $by2, $q2, $l2, $d2) = split /\|/, $node->safe_psql('postgres', $log_sql);
is( $node->safe_psql('postgres',
		q{SELECT count(*) FROM pghero.session_log WHERE application_name = 'regress_blocked'}),
	'1', 'the blocked session is recorded once, however many captures saw it');
cmp_ok($d2, '>', $d1, 'its longest duration grew between the captures');
is( $node->safe_psql('postgres',
		q{SELECT long_running AND NOT blocked FROM pghero.session_log
		  WHERE application_name = 'regress_sleeper'}),
	't', 'the sleeping session is recorded as long-running, not blocked');

# the holder lets go: the blocked session ends; its row stays
$holder->query('COMMIT;');
ok($blocked->wait_for('out', qr/^\s*0\s*$/m), 'the blocked session got its lock');

# a reader reads everything
is( $node->safe_psql('postgres',
		q{SET ROLE regress_pghero_sampling_reader;
		  SELECT (SELECT count(*) > 0 FROM pghero.activity_history)
			 AND (SELECT count(*) > 0 FROM pghero.session_log)
			 AND (SELECT count(*) > 0 FROM pghero.wait_events('-infinity', 'infinity'))
			 AND (SELECT count(*) > 0 FROM pghero.active_sessions('-infinity', 'infinity'))}),
	't', 'pghero_reader reads the samples and the sessions');

$node->safe_psql('postgres',
	q{SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'regress_sleeper'});
$sleeper->quit;
$holder->quit;
$blocked->quit;

# a restart loses the samples since the last capture: the first bucket
# after it says so, the very first bucket of the installation does not
is( $node->safe_psql('postgres',
		q{SELECT string_agg(lossy::text, ',' ORDER BY captured_at) FROM pghero_internal.activity_buckets}),
	'false,false', 'the buckets before the restart are not lossy, the very first included');
$node->restart;
sleep 1;
is($node->safe_psql('postgres', $capture), 'true', 'the activity source writes after the restart');
is( $node->safe_psql('postgres',
		q{SELECT lossy FROM pghero_internal.activity_buckets ORDER BY captured_at DESC LIMIT 1}),
	't', 'the first bucket after the restart is lossy');
$node->stop;

done_testing();
