# Copyright (c) pghero contributors
#
# 006_collector.pl
#	The collector background worker: its states, schedule, signals and
#	restarts, on a primary and on a standby that is promoted.
#
# What this test proves (pghero.capture_interval = 1s):
#   - the worker runs as backend_type "pghero collector" and, while the
#     extension is absent, logs one idle line, not one per interval;
#   - after CREATE EXTENSION pghero it captures: every
#     source's last_run_at advances, without errors;
#   - the schedule is fixed-rate: about one run of a source per interval,
#     and after the worker was stopped for three intervals one late run,
#     not a burst catching up;
#   - after DROP EXTENSION it logs one idle line and keeps running; after a
#     new CREATE EXTENSION it resumes;
#   - ALTER EXTENSION UPDATE (1.1, whose registry names the sources only,
#     to the default version) while capturing: without a reload the same
#     worker follows the new registry, where instance was given
#     pghero.space_interval (1h) in the same transaction;
#   - pghero.enabled = off on reload: one "disabled" line, no more runs;
#     back on: it resumes;
#   - SIGTERM of the worker: the launcher starts it again after its
#     restart delay (10 s) and a few seconds, and it resumes; SIGKILL:
#     the server restarts, and the worker with it, and it resumes;
#   - on a streaming standby the worker runs, logs the recovery line once
#     and runs no transaction; once promoted it captures within two
#     intervals.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep time);
use Time::Local qw(timegm);

my $worker_sql = q{
	SELECT pid FROM pg_stat_activity
	WHERE backend_type = 'pghero collector'};
my $idle_re =
  qr/pghero collector: idle: extension pghero 1\.1 or later is not installed in database "postgres"/;
my $capturing_re =
  qr/pghero collector: capturing every 1 s in database "postgres"/;
my $disabled_re = qr/pghero collector: disabled by pghero\.enabled/;
my $recovery_re =
  qr/pghero collector: idle: server is in recovery; capture starts after promotion/;

my $node = PostgreSQL::Test::Cluster->new('collector');
$node->init(allows_streaming => 1);
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = all
pghero.capture_interval = '1s'
restart_after_crash = on
});
$node->start;

# Number of matches of $re in the server log from byte $offset on.
sub log_count
{
	my ($n, $re, $offset) = @_;
	my $log = slurp_file($n->logfile, $offset);
	my @matches = $log =~ /$re/g;
	return scalar @matches;
}

# The pid of the worker, which must be running.
sub worker_pid
{
	my ($n) = @_;
	my $pid = $n->safe_psql('postgres', $worker_sql);
	die "no collector worker is running" unless $pid =~ /^\d+$/;
	return $pid;
}

# runs of one source, from pghero_internal.collector_sources.
sub runs
{
	my ($n, $source) = @_;
	return $n->safe_psql('postgres',
		"SELECT runs FROM pghero_internal.collector_sources WHERE source = '$source'");
}

# Wait until every source has run after $since (a timestamptz literal),
# and the capture-interval sources more than once.
sub wait_for_every_source
{
	my ($n, $since, $what) = @_;
	ok( $n->poll_query_until(
			'postgres', qq{
			SELECT count(*) = (SELECT count(*) FROM pghero_internal.collector_sources)
			FROM pghero_internal.collector_sources
			WHERE last_run_at > $since
			  AND (runs > 1 OR source = 'space')}),
		"$what: every source runs");
}

# The time of a log line, in seconds, read as UTC whatever log_timezone
# is: only differences between two lines are used.
sub log_time
{
	my ($line) = @_;
	$line =~ /^(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)(\.\d+)? /
	  or die "no time in log line: $line";
	return timegm($6, $5, $4, $3, $2 - 1, $1) + ($7 // 0);
}

#
# Absent extension: idle, one line
#
ok($node->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($worker_sql) w"),
	'the worker runs');
is( $node->safe_psql(
		'postgres', q{
		SELECT application_name, datname FROM pg_stat_activity
		WHERE backend_type = 'pghero collector'}),
	'pghero collector|postgres',
	'the worker is connected to pghero.database with its application_name');

$node->wait_for_log($idle_re, 0);
my $query_start = $node->safe_psql('postgres',
	"SELECT query_start FROM pg_stat_activity WHERE backend_type = 'pghero collector'"
);
sleep(3.5);
is(log_count($node, $idle_re, 0),
	1, 'extension absent: one idle line over more than three intervals');
ok( $node->safe_psql(
		'postgres', qq{
		SELECT query_start > '$query_start' FROM pg_stat_activity
		WHERE backend_type = 'pghero collector'}) eq 't',
	'extension absent: the worker still looks every interval');
like(
	slurp_file($node->logfile),
	qr/$idle_re\n.*HINT:  Run CREATE EXTENSION pghero in database "postgres"/,
	'extension absent: the idle line says how to install');

#
# CREATE EXTENSION: capture starts
#
my $offset = -s $node->logfile;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
});
$node->wait_for_log($capturing_re, $offset);
wait_for_every_source($node, "'-infinity'", 'after CREATE EXTENSION');
is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(source || ': ' || last_error, '; ')
		FROM pghero_internal.collector_sources
		WHERE failures > 0 OR last_error IS NOT NULL}),
	'',
	'after CREATE EXTENSION: no source failed');
is(log_count($node, $capturing_re, $offset),
	1, 'after CREATE EXTENSION: one "capturing" line');

# The collector's own statements stay out of pg_stat_statements (they would
# move at every capture), while those of a capture() by a user are counted.
$node->safe_psql('postgres', q{SELECT * FROM pghero.capture(ARRAY['instance'])});
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FILTER (WHERE query LIKE '%_run_source($1, $2)%') || '|'
			   || (count(*) FILTER (WHERE query LIKE '%pghero.capture(%') > 0)
		FROM pg_stat_statements}),
	'0|true',
	'the worker\'s own statements are not tracked by pg_stat_statements');

#
# Fixed rate
#
my $runs0 = runs($node, 'statements');
my $t0 = time;
sleep(5);
my $runs1 = runs($node, 'statements');
my $elapsed = time - $t0;
my $rate_runs = $runs1 - $runs0;
ok( $rate_runs >= 4 && $rate_runs <= 6,
	"fixed rate: $rate_runs runs of statements in ${elapsed}s at a 1s interval"
);

# Stop the worker for three intervals: when it continues, it finishes the
# run it was in (if any) and runs the late slot once, then waits for the
# next slot, at least 0.8 s later; it does not run the missed slots.
my $pid = worker_pid($node);
$runs0 = runs($node, 'statements');
kill 'STOP', $pid;
sleep(3.2);
kill 'CONT', $pid;
my $t_cont = time;
sleep(0.3);
$runs1 = runs($node, 'statements');
my $since_cont = time - $t_cont;
my $allowed = 2 + ($since_cont > 0.8 ? int($since_cont - 0.8) + 1 : 0);
ok( $runs1 - $runs0 <= $allowed,
	'fixed rate: after three missed intervals, no burst catching up ('
	  . ($runs1 - $runs0)
	  . " runs in ${since_cont}s, at most $allowed)");
ok($node->poll_query_until('postgres', "SELECT runs > $runs1 + 1 FROM pghero_internal.collector_sources WHERE source = 'statements'"),
	'fixed rate: the schedule goes on after the stop');

#
# DROP EXTENSION: idle, one line; a new CREATE EXTENSION: resumes
#
$offset = -s $node->logfile;
$node->safe_psql('postgres', 'DROP EXTENSION pghero');
$node->wait_for_log($idle_re, $offset);
sleep(3.5);
is(log_count($node, $idle_re, $offset),
	1, 'after DROP EXTENSION: one idle line over more than three intervals');
is(worker_pid($node), $pid, 'after DROP EXTENSION: the worker keeps running');

$offset = -s $node->logfile;
$node->safe_psql('postgres', q{CREATE EXTENSION pghero});
$node->wait_for_log($capturing_re, $offset);
wait_for_every_source($node, "'-infinity'", 'after a new CREATE EXTENSION');
is( $node->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) > 0 FROM pghero.relation_size_history)
			   AND (SELECT count(*) > 0 FROM pghero.database_size_history)}),
	't',
	'after a new CREATE EXTENSION: space history has its first reading at once, not after pghero.space_interval (1h)');
is(worker_pid($node), $pid,
	'after a new CREATE EXTENSION: the same worker captures');

#
# ALTER EXTENSION UPDATE while capturing: the worker reads the registry of
# the new version without a reload.  The registry is locked first, so that
# the update never waits for a capture holding it (the worker takes it
# first in every unit).
#
$node->safe_psql('postgres', q{DROP EXTENSION pghero; CREATE EXTENSION pghero VERSION '1.1'});
ok( $node->poll_query_until(
		'postgres', q{SELECT runs > 1 FROM pghero.collector_sources WHERE source = 'statements'}),
	'1.1: the worker runs its sources');
$pid = worker_pid($node);
$offset = -s $node->logfile;
$node->safe_psql(
	'postgres', q{
BEGIN;
LOCK TABLE pghero.collector_sources IN ACCESS EXCLUSIVE MODE;
ALTER EXTENSION pghero UPDATE;
UPDATE pghero_internal.collector_sources SET interval_setting = 'pghero.space_interval'
WHERE source = 'instance';
COMMIT;
});
ok( $node->poll_query_until(
		'postgres', q{
		SELECT next_run_at > now() + interval '30 minutes'
		FROM pghero_internal.collector_sources WHERE source = 'instance'}),
	'after ALTER EXTENSION UPDATE: the worker follows the new registry at once');
$node->wait_for_log($capturing_re, $offset);
$runs0 = runs($node, 'instance');
my $statements0 = runs($node, 'statements');
sleep(3);
is(runs($node, 'instance'), $runs0,
	'after ALTER EXTENSION UPDATE: instance, on pghero.space_interval, runs no more every second'
);
ok(runs($node, 'statements') >= $statements0 + 2,
	'after ALTER EXTENSION UPDATE: statements go on every second');
is(worker_pid($node), $pid,
	'after ALTER EXTENSION UPDATE: the same worker captures');
$node->safe_psql(
	'postgres', q{
UPDATE pghero_internal.collector_sources SET interval_setting = 'pghero.capture_interval'
WHERE source = 'instance';
SELECT pg_reload_conf();
});
ok( $node->poll_query_until(
		'postgres', qq{
		SELECT runs > $runs0 + 1 FROM pghero_internal.collector_sources
		WHERE source = 'instance'}),
	'registry restored, at a reload: instance runs every second again');

#
# Reload: pghero.enabled
#
$offset = -s $node->logfile;
$node->safe_psql('postgres', 'ALTER SYSTEM SET pghero.enabled = off');
$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
$node->wait_for_log($disabled_re, $offset);
$runs0 = runs($node, 'statements');
sleep(3);
is(runs($node, 'statements'), $runs0, 'disabled: no run for three intervals');
is(log_count($node, $disabled_re, $offset), 1, 'disabled: one line');

$offset = -s $node->logfile;
my $now = $node->safe_psql('postgres', 'SELECT now()');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET pghero.enabled');
$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
$node->wait_for_log($capturing_re, $offset);
wait_for_every_source($node, "'$now'", 'enabled again');

#
# SIGTERM: the launcher starts the worker again
#
$offset = -s $node->logfile;
$now = $node->safe_psql('postgres', 'SELECT now()');
my $t_term = time;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM ($worker_sql) w WHERE pid <> $pid"),
	'SIGTERM: the worker comes back');
my $restart_s = time - $t_term;
ok($restart_s < 15, "SIGTERM: back after ${restart_s}s (restart delay 10s)");
like(
	slurp_file($node->logfile, $offset),
	qr/background worker "pghero collector" \(PID $pid\) exited with exit code 1/,
	'SIGTERM: the worker exited with code 1, so it is restarted');
wait_for_every_source($node, "'$now'", 'after SIGTERM');
$pid = worker_pid($node);

#
# SIGKILL: crash restart of the server, then the worker resumes
#
$offset = -s $node->logfile;
$now = $node->safe_psql('postgres', 'SELECT now()');
kill 'KILL', $pid;
$node->wait_for_log(qr/database system is ready to accept connections/,
	$offset);
like(
	slurp_file($node->logfile, $offset),
	qr/background worker "pghero collector" \(PID $pid\) was terminated by signal 9/,
	'SIGKILL: the postmaster saw the worker crash');
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM ($worker_sql) w WHERE pid <> $pid"),
	'SIGKILL: the worker comes back after the crash restart');
wait_for_every_source($node, "'$now'", 'after SIGKILL');

#
# Standby: idle in recovery, captures once promoted
#
$node->backup('regress_backup');
my $standby = PostgreSQL::Test::Cluster->new('collector_standby');
$standby->init_from_backup($node, 'regress_backup', has_streaming => 1);
$standby->start;
ok($standby->poll_query_until('postgres', "SELECT count(*) = 1 FROM ($worker_sql) w"),
	'standby: the worker runs');
$standby->wait_for_log($recovery_re, 0);
sleep(3.5);
is(log_count($standby, $recovery_re, 0),
	1, 'standby: one recovery line over more than three intervals');
is( $standby->safe_psql(
		'postgres', q{
		SELECT xact_start IS NULL AND query_start IS NULL
		FROM pg_stat_activity WHERE backend_type = 'pghero collector'}),
	't',
	'standby: the worker has run no transaction');
is(log_count($standby, qr/ERROR|$capturing_re/, 0),
	0, 'standby: no error and no capture');

# Stop the primary first, so that no capture of its own replays on the
# standby after $now.
$node->stop;
my $standby_pid = worker_pid($standby);
$offset = -s $standby->logfile;
$now = $standby->safe_psql('postgres', 'SELECT now()');
$standby->promote;
$standby->wait_for_log(
	qr/database system is ready to accept connections/, $offset);
$standby->wait_for_log($capturing_re, $offset);
my $log = slurp_file($standby->logfile, $offset);
my ($ready) = $log =~ /^(.*database system is ready to accept connections.*)$/m;
my ($capturing) = $log =~ /^(.*$capturing_re.*)$/m;
my $delay = log_time($capturing) - log_time($ready);
ok($delay <= 2, "promoted: capture starts ${delay}s after promotion");
is(worker_pid($standby), $standby_pid,
	'promoted: the worker that idled in recovery captures');
wait_for_every_source($standby, "'$now'", 'promoted');

$standby->stop;

done_testing();
