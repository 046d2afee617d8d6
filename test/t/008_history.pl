# Copyright (c) pghero contributors
#
# 008_history.pl
#	Statement history with real servers and real workloads: exact counts,
#	and numbers that stay right across evictions, a clean restart, a crash,
#	signals to the collector, a missing pg_stat_statements, a re-created
#	extension and a table locked during a space capture.
#
# What this test proves (captures are taken with pghero.capture(), the
# worker being disabled with pghero.enabled = off, except where it is
# signalled):
#   - a marker statement run exactly 7, 5 and 3 times between captures is
#     in history as exactly 7, 5 and 3 calls, which sum to
#     pg_stat_statements' own total, and query_stats(start_at, end_at)
#     shows 15;
#   - with pg_stat_statements.max = 100, 500 distinct statements evict
#     entries: the capture is flagged lossy with a note about evictions, so
#     is every row it wrote, no delta is negative, and pghero.collector
#     shows the deallocations and the fill;
#   - a clean restart keeps both pg_stat_statements' counters and pghero's
#     baseline: nothing is counted twice;
#   - an immediate shutdown (crash recovery empties pghero's unlogged
#     baseline, yet PostgreSQL 15 keeps pg_stat_statements' file): the
#     capture after it counts nothing, is flagged lossy and says why,
#     nothing is counted twice, earlier history is intact, the next
#     interval is counted exactly, and query_stats() over a window holding
#     the lost interval shows the statement lossy with the reason;
#   - SIGKILL of the worker (a crash restart: pg_stat_statements starts
#     empty too): history then holds exactly what ran before and after it,
#     the capture after it is flagged lossy and says the server restarted,
#     and the history written before the crash is intact;
#   - SIGTERM of the worker while it captures every second: the postmaster
#     starts it again, it captures again, and history holds exactly what
#     ran, nothing lossy, nothing twice;
#   - without pg_stat_statements in the database, the statements source
#     fails with a clear error, shown by pghero.collector, and the other
#     sources still succeed;
#   - after DROP EXTENSION and a new CREATE EXTENSION history starts fresh
#     and capture works;
#   - a space capture while another session holds ACCESS EXCLUSIVE on a
#     table finishes at once, skips that table, says so, and measures the
#     others.
#
# Every wait is bounded: poll loops by $wait_seconds, background sessions
# by their own timer, the space capture by statement_timeout.

use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PgheroSession;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep time);

my $wait_seconds = 30;

my $conf = q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = all
pghero.enabled = off
pghero.capture_interval = '1s'
restart_after_crash = on
};

my $node = PostgreSQL::Test::Cluster->new('history');
$node->init;
$node->append_conf('postgresql.conf', $conf);
$node->start;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
});

# One table per marker statement: "SELECT count(*) FROM <marker>".  The
# markers differ by the table they read, since pg_stat_statements ignores
# constants and column aliases when it tells statements apart.
my @markers = map { "regress_marker_$_" } qw(exact restart crash kill term recreate);
$node->safe_psql('postgres', join('', map { "CREATE TABLE $_ (x int);\n" } @markers));

#
# Helpers
#

# Poll $sql on $n until it returns 't', for at most $seconds.
sub wait_until
{
	my ($n, $sql, $seconds, $db) = @_;
	return PgheroSession->poll_until(
		sub {
			my ($ret, $out, $err) = $n->psql($db // 'postgres', $sql);
			return $ret == 0 ? $out : "error: $err";
		},
		't',
		$seconds // $wait_seconds,
		$sql);
}

# Wait for $re in the server log from byte $offset on, for at most
# $seconds.
sub log_matches
{
	my ($n, $re, $offset, $seconds) = @_;
	my $deadline = time + ($seconds // $wait_seconds);
	while (time < $deadline)
	{
		return 1 if slurp_file($n->logfile, $offset) =~ $re;
		sleep(0.2);
	}
	diag("timed out waiting for $re in the server log");
	return 0;
}

# Run pghero.capture() (all sources, or those named) and check that every
# source succeeded.
sub capture_ok
{
	my ($n, $what, $sources, $db) = @_;
	my $arg = defined $sources ? "ARRAY[$sources]" : '';
	my $failed = $n->safe_psql(
		$db // 'postgres', qq{
		SELECT coalesce(string_agg(source || ': ' || coalesce(error, '?'), '; '), '')
		FROM pghero.capture($arg) WHERE NOT succeeded});
	return is($failed, '', "$what: capture succeeds");
}

# Run a marker statement exactly $times times, each as its own statement.
sub run_marker
{
	my ($n, $marker, $times) = @_;
	$n->safe_psql('postgres',
		"SELECT count(*) FROM $marker;\n" x $times);
	return;
}

# The queryid of a marker statement, from pg_stat_statements.
sub marker_queryid
{
	my ($n, $marker) = @_;
	my $qid = $n->safe_psql(
		'postgres', qq{
		SELECT DISTINCT queryid FROM pg_stat_statements
		WHERE query = 'SELECT count(*) FROM $marker'});
	die "no single queryid for $marker: '$qid'" unless $qid =~ /^-?\d+$/;
	return $qid;
}

# A marker's calls in history, one per capture, in order ("7,5,3").
sub history_calls
{
	my ($n, $qid, $db) = @_;
	return $n->safe_psql(
		$db // 'postgres', qq{
		SELECT coalesce(string_agg(coalesce(calls, 0)::text, ',' ORDER BY captured_at), '')
		FROM pghero_internal.statement_history WHERE queryid = $qid});
}

# pg_stat_statements' own calls of a queryid (0 when it has none).
sub pgss_calls
{
	my ($n, $qid) = @_;
	return $n->safe_psql('postgres',
		"SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE queryid = $qid"
	);
}

# History rows with a negative delta in any counter, all tables' worth.
# History rows with a negative delta in any statement counter (every
# counter of pghero's list, min/max extremes aside).
my $negative_sql = q{
	SELECT count(*) FROM pghero_internal.statement_history h
	WHERE EXISTS (SELECT FROM jsonb_each_text(to_jsonb(h)) j
				  WHERE CASE WHEN j.key = ANY (ARRAY(SELECT c.name FROM pghero_internal._statement_counters() c
													 WHERE NOT c.extreme))
							 THEN j.value::numeric < 0 END)};

# The pid of the collector worker, '' if it does not run.
sub worker_pid
{
	my ($n) = @_;
	return $n->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'pghero collector'"
	);
}

# What history holds before $ts, as one string, to compare later.
sub history_before
{
	my ($n, $ts) = @_;
	return $n->safe_psql(
		'postgres', qq{
		SELECT count(*) || ' rows, ' || coalesce(sum(calls), 0) || ' calls, '
			   || count(DISTINCT captured_at) || ' captures'
		FROM pghero_internal.statement_history WHERE captured_at <= '$ts'});
}

# After a crash and 2 calls of a marker called 3 times before it: history
# holds 3 then 2, the capture after the crash is flagged lossy or says the
# server restarted, what was written before is intact, nothing negative.
sub check_after_crash
{
	my ($what, $qid, $last_before, $history_before) = @_;
	is(history_calls($node, $qid), '3,2',
		"$what: history holds 3 then 2 calls, only what happened");
	like(
		$node->safe_psql(
			'postgres', qq{
			SELECT coalesce(h.lossy, false) || '|' || c.lossy || '|' || coalesce(c.note, '')
			FROM (SELECT * FROM pghero_internal.statement_captures
				  ORDER BY captured_at DESC LIMIT 1) c
				 LEFT JOIN pghero_internal.statement_history h
					ON h.captured_at = c.captured_at AND h.queryid = $qid}),
		qr/^true\|true\||\|.*(crash|restart)/,
		"$what: the row after it is flagged lossy, or the capture says the server restarted"
	);
	is(history_before($node, $last_before),
		$history_before, "$what: history written before it is intact");
	is($node->safe_psql('postgres', $negative_sql),
		'0', "$what: no negative delta");
	return;
}

#
# Exact counts: 7, 5, 3
#
capture_ok($node, 'first capture (baseline)');
is( $node->safe_psql(
		'postgres', 'SELECT count(*) FROM pghero_internal.statement_history'),
	'0',
	'the first capture only sets the baseline');

run_marker($node, 'regress_marker_exact', 7);
my $qid_exact = marker_queryid($node, 'regress_marker_exact');
capture_ok($node, 'after 7 calls');
run_marker($node, 'regress_marker_exact', 5);
capture_ok($node, 'after 5 calls');
run_marker($node, 'regress_marker_exact', 3);
capture_ok($node, 'after 3 calls');

is(history_calls($node, $qid_exact), '7,5,3',
	'exact counts: history holds 7, 5 and 3 calls, one row per capture');
is( $node->safe_psql(
		'postgres', qq{
		SELECT sum(calls) FROM pghero_internal.statement_history WHERE queryid = $qid_exact}),
	pgss_calls($node, $qid_exact),
	'exact counts: the rows sum to pg_stat_statements\' own calls');
is( $node->safe_psql(
		'postgres', qq{
		SELECT calls FROM pghero.query_stats_between(now() - interval '1 hour', now())
		WHERE queryid = $qid_exact}),
	'15',
	'exact counts: query_stats(now() - 1 hour, now()) shows 15 calls');
is( $node->safe_psql(
		'postgres', qq{
		SELECT string_agg((h.since = c.since)::text || '/' || coalesce(h.lossy, false)::text,
						  ',' ORDER BY h.captured_at)
		FROM pghero_internal.statement_history h
			 JOIN pghero_internal.statement_captures c USING (generation, captured_at)
		WHERE h.queryid = $qid_exact}),
	'true/false,true/false,true/false',
	'exact counts: every interval (the new identity\'s first) starts at the capture before, none lossy');

#
# Clean restart: pg_stat_statements and the baseline both survive it
#
capture_ok($node, 'before the clean restart');
run_marker($node, 'regress_marker_restart', 4);
my $qid_restart = marker_queryid($node, 'regress_marker_restart');
capture_ok($node, 'after 4 calls');
$node->restart;
is(pgss_calls($node, $qid_restart),
	'4', 'control: pg_stat_statements keeps its counters across a clean restart');
run_marker($node, 'regress_marker_restart', 2);
capture_ok($node, 'after the clean restart and 2 calls');
is(history_calls($node, $qid_restart), '4,2',
	'clean restart: history holds 4 then 2 calls, 6 in all, nothing twice');
is( $node->safe_psql(
		'postgres', q{
		SELECT lossy::text || '|' || coalesce(note, '')
		FROM pghero_internal.statement_captures ORDER BY captured_at DESC LIMIT 1}),
	'false|',
	'clean restart: the capture after it is neither lossy nor annotated');
is(history_calls($node, $qid_exact), '7,5,3',
	'clean restart: earlier history is intact');

#
# Crash: immediate shutdown
#
capture_ok($node, 'before the crash');
run_marker($node, 'regress_marker_crash', 3);
my $qid_crash = marker_queryid($node, 'regress_marker_crash');
capture_ok($node, 'after 3 calls');
my $last_before_crash = $node->safe_psql('postgres',
	'SELECT max(captured_at) FROM pghero_internal.statement_captures');
my $history_before_crash = history_before($node, $last_before_crash);
$node->stop('immediate');
$node->start;

# An immediate shutdown is a crash for the data directory (recovery runs,
# unlogged tables are emptied), but PostgreSQL 15's postmaster still exits
# normally and so writes pg_stat_statements' file: its counters survive.
is(pgss_calls($node, $qid_crash), '3',
	'control: pg_stat_statements kept its counters through the immediate shutdown'
);
run_marker($node, 'regress_marker_crash', 2);
capture_ok($node, 'after the immediate shutdown and 2 calls');

# pghero's baseline is UNLOGGED (no WAL per capture), so recovery emptied it
# while pg_stat_statements kept its counters: the changes since the last
# capture cannot be told from older counts.  That interval is not counted,
# and the capture says so; nothing is counted twice.
is( $node->safe_psql(
		'postgres', q{
		SELECT c.lossy || '|' || c.moved || '|' || (c.note LIKE '%baseline was lost%')
		FROM pghero_internal.statement_captures c ORDER BY c.captured_at DESC LIMIT 1}),
	'true|0|true',
	'immediate shutdown: the capture after it is flagged lossy, writes nothing and says why');
is(history_calls($node, $qid_crash), '3',
	'immediate shutdown: nothing of the lost interval is counted (no double counting)');
is(history_before($node, $last_before_crash),
	$history_before_crash, 'immediate shutdown: history written before it is intact');
is($node->safe_psql('postgres', $negative_sql),
	'0', 'immediate shutdown: no negative delta');

# and counting resumes exactly at the next interval
run_marker($node, 'regress_marker_crash', 4);
capture_ok($node, 'after 4 more calls');
is(history_calls($node, $qid_crash), '3,4',
	'immediate shutdown: the next interval is counted exactly');

# every reader of the affected numbers says so: a window holding the lost
# interval shows the statement lossy, with the reason; one that ends before
# it does not
is( $node->safe_psql(
		'postgres', qq{
		SELECT q.calls || '|' || q.lossy || '|' || (q.lossy_reason LIKE '%baseline was lost%')
		FROM pghero.query_stats_between('$last_before_crash'::timestamptz - interval '1 hour', now()) q
		WHERE q.queryid = $qid_crash}),
	'7|true|true',
	'immediate shutdown: query_stats() over the lost interval says the statement is lossy, and why');
is( $node->safe_psql(
		'postgres', qq{
		SELECT q.calls || '|' || q.lossy || '|' || coalesce(q.lossy_reason, '-')
		FROM pghero.query_stats_between('$last_before_crash'::timestamptz - interval '1 hour',
								'$last_before_crash'::timestamptz) q
		WHERE q.queryid = $qid_crash}),
	'3|false|-',
	'immediate shutdown: a window that ends before the lost interval is not lossy');
like(
	$node->safe_psql(
		'postgres', q{
		SELECT c.lossy FROM pghero_internal.statement_captures c ORDER BY c.captured_at DESC LIMIT 1}),
	qr/^f/,
	'immediate shutdown: the next capture is not lossy');
is(history_calls($node, $qid_exact) . ' ' . history_calls($node, $qid_restart),
	'7,5,3 4,2', 'immediate shutdown: earlier markers\' history is intact');

#
# Crash: SIGKILL of the worker (or of an idle backend)
#
my $victim = worker_pid($node);
my $session;
my $victim_kind = 'the collector worker';
if ($victim eq '')
{
	$victim_kind = 'an idle backend';
	$session = PgheroSession->new($node,
		application_name => 'regress_pghero_victim');
	$victim = $session->query('SELECT pg_backend_pid()')->[0];
}
capture_ok($node, 'before SIGKILL');
run_marker($node, 'regress_marker_kill', 3);
my $qid_kill = marker_queryid($node, 'regress_marker_kill');
capture_ok($node, 'after 3 calls');
my $last_before_kill = $node->safe_psql('postgres',
	'SELECT max(captured_at) FROM pghero_internal.statement_captures');
my $history_before_kill = history_before($node, $last_before_kill);
my $offset = -s $node->logfile;
ok(kill('KILL', $victim), "SIGKILL sent to $victim_kind (pid $victim)");
ok( log_matches(
		$node,
		qr/all server processes terminated; reinitializing(?s:.*)database system is ready to accept connections/,
		$offset),
	'SIGKILL: the server restarts after the crash');
ok(wait_until($node, 'SELECT true'), 'SIGKILL: the server is back');
$session->quit if $session;
is(pgss_calls($node, $qid_kill),
	'0', 'control: the crash restart emptied pg_stat_statements');
run_marker($node, 'regress_marker_kill', 2);
capture_ok($node, 'after SIGKILL and 2 calls');
check_after_crash('SIGKILL', $qid_kill, $last_before_kill,
	$history_before_kill);

#
# SIGTERM of the worker while it captures
#
SKIP:
{
	my $pid = worker_pid($node);
	skip 'the collector worker does not run', 12 if $pid eq '';

	capture_ok($node, 'before SIGTERM');
	run_marker($node, 'regress_marker_term', 1);
	my $qid_term = marker_queryid($node, 'regress_marker_term');
	capture_ok($node, 'after 1 call');

	# let the worker capture every second
	my $runs = $node->safe_psql('postgres',
		"SELECT runs FROM pghero_internal.collector_sources WHERE source = 'statements'");
	$node->safe_psql('postgres', 'ALTER SYSTEM SET pghero.enabled = on');
	$node->reload;
	ok( wait_until(
			$node, qq{
			SELECT runs >= $runs + 2 FROM pghero_internal.collector_sources
			WHERE source = 'statements'}),
		'SIGTERM: the enabled worker captures');

	run_marker($node, 'regress_marker_term', 4);
	$runs = $node->safe_psql('postgres',
		"SELECT runs FROM pghero_internal.collector_sources WHERE source = 'statements'");
	ok( wait_until(
			$node, qq{
			SELECT runs >= $runs + 2 FROM pghero_internal.collector_sources
			WHERE source = 'statements'}),
		'SIGTERM: the worker captured the 4 calls');
	my $t_term = $node->safe_psql('postgres', 'SELECT now()');
	my $history_before_term = history_before($node, $t_term);

	ok(kill('TERM', $pid), "SIGTERM sent to the worker (pid $pid)");
	ok( wait_until(
			$node, qq{
			SELECT count(*) = 1 FROM pg_stat_activity
			WHERE backend_type = 'pghero collector' AND pid <> $pid}, 30),
		'SIGTERM: the launcher starts the worker again');
	run_marker($node, 'regress_marker_term', 3);
	$runs = $node->safe_psql('postgres',
		"SELECT runs FROM pghero_internal.collector_sources WHERE source = 'statements'");
	ok( wait_until(
			$node, qq{
			SELECT runs >= $runs + 2 AND last_error_at IS NULL
			FROM pghero_internal.collector_sources WHERE source = 'statements'}),
		'SIGTERM: capture resumes, without error');
	ok( wait_until(
			$node, qq{
			SELECT sum(calls) = 8 FROM pghero_internal.statement_history
			WHERE queryid = $qid_term}),
		'SIGTERM: the restarted worker captured the 3 calls made after it');

	# disable the worker again and wait until it is quiet
	$node->safe_psql('postgres', 'ALTER SYSTEM RESET pghero.enabled');
	$node->reload;
	my $quiet = 0;
	my $deadline = time + $wait_seconds;
	my $prev = '';
	while (!$quiet && time < $deadline)
	{
		my $now = $node->safe_psql('postgres',
			"SELECT runs FROM pghero_internal.collector_sources WHERE source = 'statements'");
		$quiet = 1 if $now eq $prev;
		$prev = $now;
		sleep(2.5) unless $quiet;
	}
	ok($quiet, 'SIGTERM: the worker stops capturing once disabled');
	capture_ok($node, 'after SIGTERM');

	is( $node->safe_psql(
			'postgres', qq{
			SELECT sum(calls) || '|' || bool_or(coalesce(lossy, false))
			FROM pghero_internal.statement_history WHERE queryid = $qid_term}),
		'8|false',
		'SIGTERM: history holds 1 + 4 + 3 calls, none lossy, nothing twice');
	is(history_before($node, $t_term),
		$history_before_term, 'SIGTERM: history written before it is intact');
}

#
# A space capture while a table is locked ACCESS EXCLUSIVE
#
$node->safe_psql(
	'postgres', q{
CREATE TABLE regress_locked (x int);
CREATE TABLE regress_free (x int);
INSERT INTO regress_locked SELECT g FROM generate_series(1, 1000) g;
INSERT INTO regress_free SELECT g FROM generate_series(1, 1000) g;
});
capture_ok($node, 'space baseline', q{'space'});
$node->safe_psql(
	'postgres', q{
INSERT INTO regress_locked SELECT g FROM generate_series(1, 10000) g;
INSERT INTO regress_free SELECT g FROM generate_series(1, 10000) g;
});
my $locker = PgheroSession->new($node,
	application_name => 'regress_pghero_locker');
$locker->query('BEGIN; LOCK TABLE regress_locked IN ACCESS EXCLUSIVE MODE');
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FROM pg_locks
		WHERE relation = 'regress_locked'::regclass::oid
		  AND mode = 'AccessExclusiveLock' AND granted}),
	'1',
	'control: another session holds ACCESS EXCLUSIVE on regress_locked');
my $t0 = $node->safe_psql('postgres', 'SELECT now()');
my $started = time;
my ($ret, $out, $err) = $node->psql(
	'postgres', q{
	SET statement_timeout = '10s';
	SELECT source || '|' || succeeded || '|' || coalesce(error, '-')
	FROM pghero.capture(ARRAY['space'])});
my $took = time - $started;
is($ret, 0, 'locked table: the space capture finishes (no timeout)')
  or diag($err);
is($out, 'space|true|-', 'locked table: the space capture succeeds');
ok($took < 10, sprintf('locked table: the capture took %.1fs', $took));
like(
	$node->safe_psql(
		'postgres', "SELECT note FROM pghero.collector WHERE source = 'space'"),
	qr/^[1-9]\d* relations? skipped/,
	'locked table: pghero.collector says relations were skipped');
is( $node->safe_psql(
		'postgres', qq{
		SELECT string_agg(relname || '=' || n, ',' ORDER BY relname) FROM (
			SELECT r.relname, count(h.relid) AS n
			FROM (VALUES ('regress_free'), ('regress_locked')) r(relname)
				 LEFT JOIN pghero_internal.space_history h
					ON h.relname = r.relname AND h.captured_at > '$t0'
			GROUP BY r.relname) x}),
	'regress_free=1,regress_locked=0',
	'locked table: no new size for the locked table, one for the other');
$locker->query('COMMIT');
is($locker->quit, 0, 'the locking session ends');
capture_ok($node, 'space once unlocked', q{'space'});
is( $node->safe_psql(
		'postgres', qq{
		SELECT count(*) FROM pghero_internal.space_history
		WHERE relname = 'regress_locked' AND captured_at > '$t0'}),
	'1',
	'once unlocked, the next space capture measures the table');

#
# pg_stat_statements not installed in the database
#
$node->safe_psql('postgres', 'CREATE DATABASE regress_nopgss');
$node->safe_psql('regress_nopgss', q{CREATE EXTENSION pghero});
my $result = $node->safe_psql(
	'regress_nopgss', q{
	SELECT string_agg(source || '|' || succeeded || '|' || coalesce(error, '-'),
					  E'\n' ORDER BY source COLLATE "C")
	FROM pghero.capture()});
my %by_source = map { (split /\|/, $_, 2) } split /\n/, $result;
like(
	$by_source{statements},
	qr/^false\|pg_stat_statements is not installed in database "regress_nopgss"/,
	'no pg_stat_statements: the statements source fails and says why');
is( join(',', map { "$_=$by_source{$_}" } qw(database_activity instance retention space)),
	'database_activity=true|-,instance=true|-,retention=true|-,space=true|-',
	'no pg_stat_statements: the other sources succeed');
like(
	$node->safe_psql(
		'regress_nopgss', q{
		SELECT last_error FROM pghero.collector WHERE source = 'statements'}),
	qr/pg_stat_statements is not installed in database "regress_nopgss"/,
	'no pg_stat_statements: pghero.collector shows the error');
is( $node->safe_psql(
		'regress_nopgss', q{
		SELECT count(*) = (SELECT count(*) - 1 FROM pghero_internal.collector_sources)
		FROM pghero.collector
		WHERE source <> 'statements' AND last_error IS NULL AND runs = 1}),
	't',
	'no pg_stat_statements: pghero.collector shows the others ran cleanly');

#
# DROP EXTENSION and a new CREATE EXTENSION
#
capture_ok($node, 'before DROP EXTENSION');
($ret, $out, $err) = $node->psql(
	'postgres', q{
	DROP EXTENSION pghero;
	CREATE EXTENSION pghero;}, on_error_stop => 1);
is($ret, 0, 'DROP EXTENSION and CREATE EXTENSION again') or diag($err);
is( $node->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) FROM pghero_internal.statement_history) || ','
			   || (SELECT count(*) FROM pghero_internal.statement_captures) || ','
			   || (SELECT count(*) FROM pghero_internal.space_history)}),
	'0,0,0',
	're-created: history starts empty');
capture_ok($node, 're-created, first capture');
run_marker($node, 'regress_marker_recreate', 6);
my $qid_recreate = marker_queryid($node, 'regress_marker_recreate');
capture_ok($node, 're-created, after 6 calls');
is(history_calls($node, $qid_recreate),
	'6', 're-created: history holds exactly the 6 calls');
is( $node->safe_psql(
		'postgres', qq{
		SELECT count(*) FROM pghero_internal.statement_history
		WHERE queryid IN ($qid_exact, $qid_restart, $qid_crash, $qid_kill)}),
	'0',
	're-created: nothing of the old history came back');
is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(source || ':' || runs || ':' || failures, ',' ORDER BY source COLLATE "C")
		FROM pghero.collector WHERE last_error IS NULL}),
	'database_activity:2:0,host:2:0,instance:2:0,io:2:0,issues:2:0,retention:2:0,space:2:0,statements:2:0',
	're-created: two clean runs of every source');

$node->stop;

#
# Evictions: pg_stat_statements.max = 100, 500 distinct statements
#
my $evict = PostgreSQL::Test::Cluster->new('evictions');
$evict->init;
$evict->append_conf('postgresql.conf', $conf . "pg_stat_statements.max = 100\n");
$evict->start;
$evict->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
});
capture_ok($evict, 'evictions: baseline');
my $dealloc0 = $evict->safe_psql('postgres',
	'SELECT dealloc FROM pg_stat_statements_info');

# Constants are normalized away: statements differ by their shape, here
# their number of output columns.
$evict->safe_psql('postgres',
	join('', map { 'SELECT ' . join(', ', (1) x $_) . ";\n" } 1 .. 500));
cmp_ok(
	$evict->safe_psql('postgres', 'SELECT dealloc FROM pg_stat_statements_info'),
	'>', $dealloc0, 'control: the 500 statements evicted entries');
capture_ok($evict, 'evictions: after 500 distinct statements');

like(
	$evict->safe_psql(
		'postgres', q{
		SELECT lossy::text || '|' || note
		FROM pghero_internal.statement_captures ORDER BY captured_at DESC LIMIT 1}),
	qr/^true\|.*evict/,
	'evictions: the capture is flagged lossy with a note about evictions');
is( $evict->safe_psql(
		'postgres', q{
		SELECT count(*) > 0 AND bool_and(coalesce(lossy, false))
		FROM pghero_internal.statement_history
		WHERE captured_at = (SELECT max(captured_at) FROM pghero_internal.statement_captures)}),
	't',
	'evictions: every row written in that interval is flagged lossy');
is($evict->safe_psql('postgres', $negative_sql),
	'0', 'evictions: no negative delta');
like(
	$evict->safe_psql(
		'postgres', q{
		SELECT count(*) || '|' || count(*) FILTER (WHERE calls IS DISTINCT FROM 1)
		FROM pghero_internal.statement_history
		WHERE queryid IN (SELECT queryid FROM pghero_internal.query_texts
						  WHERE query ~ '^SELECT \$1(, \$\d+)*$')}),
	qr/^[1-9]\d*\|0$/,
	'evictions: each of the statements run once that history holds has 1 call');
like(
	$evict->safe_psql(
		'postgres', q{
		SELECT statements_deallocations || '|' || statements_fill_percent || '|'
			   || statements_max || '|' || note
		FROM pghero.collector WHERE source = 'statements'}),
	qr/^[1-9]\d*\|(\d{1,2}\.\d\d|100\.00)\|100\|.*evict/,
	'evictions: pghero.collector shows deallocations, fill percent and the note'
);

$evict->stop;

done_testing();
