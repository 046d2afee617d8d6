# Copyright (c) pghero contributors
#
# 018_feed.pl
#	The change feed of pghero.issues with the collector running: LISTEN
#	clients, clients that reconnect and resume, a clean restart, a crash of
#	the worker, and pg_dump/pg_restore into a server whose collector runs.
#
# What this test proves (the collector evaluates the checks every second,
# opening and resolving at once; the fixture is a CHECK constraint added
# NOT VALID, fixed by VALIDATE CONSTRAINT and created again by dropping and
# adding it NOT VALID in one ALTER TABLE: issue
# invalid_constraint:postgres.public.regress_feed_t.regress_feed_c, whose
# details stay the same from one evaluation to the next whatever locks
# the changes take (a "changed" event may still come between opened and
# resolved, see transitions() below); the dump has an invalid index, left
# by a failed CREATE UNIQUE INDEX CONCURRENTLY):
#   - a client that LISTENs on pghero_issues is told, by the collector's
#     backend, that the issue opened, then that it was resolved, with
#     increasing event ids; every notification it got is a row of
#     pghero.issue_events with the same id, op, issue_key and severity;
#     a second client, disconnected in between, catches up with
#     issue_events_since(the last id it saw) and gets exactly the events
#     the listener was told of meanwhile, in order;
#   - a client that reconnects 100 times (LISTEN, issue_events_since(the
#     last id it got), disconnect) while the fixture is created and fixed
#     every 5 connections (each time with a pghero.capture() of the issues
#     source racing the collector's own evaluation), misses no event and
#     gets none twice: the ids it collected increase, and are exactly those
#     of pghero.issue_events, with one opened or resolved event per change
#     of the fixture, alternately; what it was notified of while connected
#     is among them;
#   - a clean restart, then a SIGKILL of the 'pghero collector' backend
#     (crash recovery), keep the event log and the tracked state as they
#     were: an issue open before stays open (no second "opened"), its
#     "resolved" after comes with an id larger than every earlier one, a
#     listener connected after the crash is told of it, and a client that
#     resumes from the last id before the crash gets just that;
#   - pg_dump -Fc of the database, restored with pg_restore (in two steps,
#     the extensions first) into a fresh cluster whose collector runs and
#     writes events of its own in between: every event arrives unchanged;
#     the restored open issue (its invalid index is not dumped) is resolved
#     by the new collector and a new one opened there, both with ids larger
#     than every restored one, and announced to a listener; a client
#     resuming from the last id before the dump gets exactly these two
#     events of the issue; the restored state is adopted; the events the
#     target wrote before the rest was restored are numbered again after
#     the restored ones (no id twice), and a client resuming from the last
#     id before the dump gets them too.
#
# Every wait is bounded: polls by $wait_seconds, background sessions by
# their own timer, the reconnecting loop by $loop_seconds.

use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use JSON::PP;
use PgheroSession;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep time);

my $wait_seconds = 60;
my $loop_seconds = 120;
my $key = 'invalid_constraint:postgres.public.regress_feed_t.regress_feed_c';
my $index_key = 'invalid_index:postgres.public.regress_feed_idx';

my $conf = q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pghero.capture_interval = '1s'
pghero.check_interval = '1s'
pghero.issue_open_after = 0
pghero.issue_resolve_after = 0
restart_after_crash = on
};

# A node whose collector runs in database postgres, and on which
# pghero.issues finds nothing by itself
sub new_node
{
	my ($name) = @_;
	my $n = PostgreSQL::Test::Cluster->new($name);
	$n->init;
	$n->append_conf('postgresql.conf', $conf);
	PgheroSession->clean_node($n);
	$n->start;
	return $n;
}

#
# Helpers
#

# Poll $sql on $n until it returns $expected, for at most $wait_seconds.
sub wait_until
{
	my ($n, $sql, $expected) = @_;
	return PgheroSession->poll_until(
		sub {
			my ($ret, $out, $err) = $n->psql('postgres', $sql);
			return $ret == 0 ? $out : "error: $err";
		},
		$expected // 't',
		$wait_seconds, $sql);
}

# The fixture (SQL, to run in a session): a CHECK constraint added NOT
# VALID, and validated
my $create_sql = 'ALTER TABLE regress_feed_t DROP CONSTRAINT IF EXISTS regress_feed_c,'
  . ' ADD CONSTRAINT regress_feed_c CHECK (x > 0) NOT VALID;';
my $fix_sql = 'ALTER TABLE regress_feed_t VALIDATE CONSTRAINT regress_feed_c;';

sub make_problem
{
	my ($n) = @_;
	$n->safe_psql('postgres', $create_sql);
	return;
}

sub fix_problem
{
	my ($n) = @_;
	$n->safe_psql('postgres', $fix_sql);
	return;
}

# A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index
sub make_invalid_index
{
	my ($n, $index, $table) = @_;
	my ($ret, $out, $err) = $n->psql('postgres',
		"CREATE UNIQUE INDEX CONCURRENTLY $index ON $table (x)");
	like($err, qr/could not create unique index "$index"/,
		"control: CREATE UNIQUE INDEX CONCURRENTLY $index fails");
	is( $n->safe_psql(
			'postgres',
			"SELECT indisvalid FROM pg_index WHERE indexrelid = '$index'::regclass"),
		'f',
		"control: it leaves $index invalid");
	return;
}

# The fixture's events (or the issue $k's) after $after: "id op,id op,..."
# ($but: leaving out the events of that operation)
sub key_events
{
	my ($n, $after, $k, $but) = @_;
	$k //= $key;
	my $only = defined $but ? "AND op <> '$but'" : '';
	return $n->safe_psql(
		'postgres', qq{
		SELECT coalesce(string_agg(event_id || ' ' || op, ',' ORDER BY event_id), '')
		FROM pghero.issue_events WHERE issue_key = '$k' AND event_id > $after $only});
}

# The same, opened and resolved only.  An evaluation that runs while the
# fix commits may see the problem in its snapshot and the fixed catalog in
# the details it reads (the definition without NOT VALID): a "changed"
# event before the "resolved" one.  Whether there is one is not what this
# test is about; the ids of all events are.
sub transitions
{
	my ($n, $after, $k) = @_;
	return key_events($n, $after, $k, 'changed');
}

# Wait for an event $op of the fixture after $after; its id (0 if none)
# (or of the issue $k)
sub wait_event
{
	my ($n, $op, $after, $k) = @_;
	$k //= $key;
	my $sql = qq{SELECT count(*) > 0 FROM pghero.issue_events
		WHERE issue_key = '$k' AND op = '$op' AND event_id > $after};
	wait_until($n, $sql) or return 0;
	return $n->safe_psql(
		'postgres', qq{
		SELECT min(event_id) FROM pghero.issue_events
		WHERE issue_key = '$k' AND op = '$op' AND event_id > $after});
}

sub max_event_id
{
	my ($n) = @_;
	return $n->safe_psql('postgres',
		'SELECT coalesce(max(event_id), 0) FROM pghero.issue_events');
}

# Every event kept, every column, in order, up to $through
sub all_events
{
	my ($n, $through) = @_;
	return $n->safe_psql(
		'postgres', qq{
		SELECT e::text FROM pghero_internal.issue_events e
		WHERE e.event_id <= $through ORDER BY e.event_id, e.generation});
}

# The pid of the collector worker, '' if none runs
sub worker_pid
{
	my ($n) = @_;
	return $n->safe_psql('postgres',
		q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pghero collector'});
}

# The pghero_issues notifications in a psql output: a list of
# { event_id, op, issue_key, severity, pid }
sub notifications
{
	my ($text) = @_;
	my @n;
	while ($text =~
		/^Asynchronous notification "pghero_issues" with payload "(.*)" received from server process with PID (\d+)\.$/mg
	  )
	{
		my ($payload, $pid) = ($1, $2);
		my $h = decode_json($payload);
		$h->{pid} = $pid;
		push @n, $h;
	}
	return @n;
}

# Whether every notification is a row of pghero.issue_events with the same
# id, op, issue_key and severity: the mismatches, '' if none
sub notifications_mismatch
{
	my ($n, @notes) = @_;
	return 'no notification' unless @notes;
	my $values = join(
		', ',
		map {
			sprintf('(%d, %s, %s, %s)',
				$_->{event_id}, map { "'" . ($_ =~ s/'/''/gr) . "'" } @$_{qw(op issue_key severity)})
		} @notes);
	return $n->safe_psql(
		'postgres', qq{
		SELECT coalesce(string_agg(v.id || ' ' || v.op || ' ' || v.k, ', '), '')
		FROM (VALUES $values) v(id, op, k, sev)
		WHERE NOT EXISTS (SELECT FROM pghero.issue_events e
						  WHERE e.event_id = v.id AND e.op = v.op
							AND e.issue_key = v.k AND e.severity = v.sev)});
}

#
# The server
#
my $node = new_node('feed');
# (on PostgreSQL 14 anyone may create in schema public, a public_create
# issue: revoked as 15 and later have it)
$node->safe_psql(
	'postgres', q{
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE TABLE regress_feed_t (x integer);
INSERT INTO regress_feed_t VALUES (1), (1);
});
ok( wait_until(
		$node, q{SELECT runs >= 2 AND last_error IS NULL FROM pghero.collector WHERE source = 'issues'}),
	'the collector evaluates the checks');
is($node->safe_psql('postgres', q{SELECT coalesce(string_agg(issue_key, ', '), '') FROM pghero.issues}),
	'', 'control: no issue on a fresh server');

#--------------------------------------------------------------------------
# 1. A listener is told of opened, then resolved; a client that was away
#    catches up with issue_events_since()
#--------------------------------------------------------------------------

my $listener = PgheroSession->new($node, application_name => 'regress_pghero_listener');
$listener->query('LISTEN pghero_issues');
my $start = $listener->query('SELECT coalesce(max(event_id), 0) FROM pghero.issue_events')->[0];
my $heard = '';

# Run a statement in the listener (psql prints the notifications after
# a statement) and keep what it printed
sub listen_pump
{
	my ($s) = @_;
	my $r = $s->query('SELECT 1');
	$heard .= "$r->[0]\n$r->[1]\n";
	return;
}

# Pump $s until it was told of $op of the fixture (or of the issue $k)
# after $after; true if so
sub heard
{
	my ($s, $op, $after, $k) = @_;
	$k //= $key;
	return PgheroSession->poll_until(
		sub {
			listen_pump($s);
			return (grep { $_->{issue_key} eq $k && $_->{op} eq $op && $_->{event_id} > $after }
				  notifications($heard)) ? 't' : 'f';
		},
		't', $wait_seconds, "a notification of $op");
}

# the second client: listens, reads where the feed is, and goes away
my $away = PgheroSession->new($node, application_name => 'regress_pghero_away');
$away->query('LISTEN pghero_issues');
my $away_last = $away->query('SELECT coalesce(max(event_id), 0) FROM pghero.issue_events')->[0];
is($away->quit, 0, 'the second client disconnects');

my $collector_pid = worker_pid($node);
make_problem($node);
ok(heard($listener, 'opened', $start), 'the listener is told the issue opened');
fix_problem($node);
ok(heard($listener, 'resolved', $start), 'the listener is told it was resolved');
my @notes = notifications($heard);
my @key_notes = grep { $_->{issue_key} eq $key } @notes;
my @key_transitions = grep { $_->{op} ne 'changed' } @key_notes;
is(join(',', map { $_->{op} } @key_transitions), 'opened,resolved',
	'the listener is told of opened, then resolved, once each');
my ($opened_id, $resolved_id) = map { $_->{event_id} } @key_transitions;
ok($opened_id > $start && $resolved_id > $opened_id,
	"their event ids increase ($start < $opened_id < $resolved_id)");
is( join(',', map { $_->{event_id} } @notes),
	join(',', sort { $a <=> $b } map { $_->{event_id} } @notes),
	'every notification comes in event id order');
is(key_events($node, $start), join(',', map { "$_->{event_id} $_->{op}" } @key_notes),
	'they are the events of pghero.issue_events');
is(notifications_mismatch($node, @notes), '',
	'every notification is a row of pghero.issue_events, with the same op, key and severity');
is($key_notes[0]{severity}, 'warning', 'the notification gives the severity');
is(join(',', map { $_->{pid} } @key_notes), join(',', map { $collector_pid } @key_notes),
	'the collector worker sent them');

# the client that was away resumes
$away = PgheroSession->new($node, application_name => 'regress_pghero_away');
my $caught = $away->query(qq{
	SELECT event_id || ' ' || op || ' ' || issue_key
	FROM pghero.issue_events_since($away_last) WHERE event_id <= $resolved_id})->[0];
is($caught,
	join("\n", map { "$_->{event_id} $_->{op} $_->{issue_key}" } grep { $_->{event_id} > $away_last && $_->{event_id} <= $resolved_id } @notes),
	'the client that was away catches up with exactly the events it missed, in order');
is( join(',', grep { /^(\d+) (opened|resolved) \Q$key\E$/ } split /\n/, $caught),
	"$opened_id opened $key,$resolved_id resolved $key",
	'among them the opened and resolved events of the issue');
is( $away->query(qq{
	SELECT string_agg(event_id || ' ' || op, ',' ORDER BY event_id)
	FROM pghero.issue_events_since($away_last, ARRAY['invalid_constraint'])
	WHERE event_id <= $resolved_id})->[0],
	join(',', map { "$_->{event_id} $_->{op}" } @key_notes),
	'or just those of the issue, asking for the invalid_constraint check');
is($away->quit, 0, 'the second client disconnects again');
is($listener->quit, 0, 'the listener disconnects');

#--------------------------------------------------------------------------
# 2. A client reconnecting 100 times while the issue opens and resolves
#--------------------------------------------------------------------------

my $loop_start = max_event_id($node);
my $toggler = PgheroSession->new($node, application_name => 'regress_pghero_toggler');
my $toggles = 0;
my $problem = 0;

# The fixture's opened and resolved events since the loop started, counted
sub loop_key_events
{
	return $node->safe_psql(
		'postgres', qq{
		SELECT count(*) FROM pghero.issue_events
		WHERE issue_key = '$key' AND event_id > $loop_start AND op <> 'changed'});
}

# Wait for the toggler's last change and for its event
sub toggled
{
	return 1 unless $toggles;
	$toggler->wait_for('out', qr/^regress_pghero_toggled_$toggles\n/m)
	  or return 0;
	return PgheroSession->poll_until(\&loop_key_events, $toggles, $wait_seconds,
		"the event of change $toggles of the fixture");
}

my $last = $loop_start;
my (@collected, @told);
my ($twice, $backwards, $failed, $connections) = (0, 0, 0, 0);

# Connect, (LISTEN and) read the events after the last one read, keep
# them, disconnect
sub read_feed
{
	my ($name, $listen) = @_;
	my $client = PgheroSession->new($node, application_name => $name);
	my $r = $client->query(($listen ? "LISTEN pghero_issues;\n" : '')
		  . "SELECT event_id || '|' || op || '|' || issue_key FROM pghero.issue_events_since($last);");
	# what it was told of while connected
	push @told, map { $_->{event_id} } notifications("$r->[0]\n$r->[1]");
	foreach my $row (grep { /^\d+\|/ } split /\n/, $r->[0])
	{
		my ($id, $op, $k) = split /\|/, $row, 3;
		$twice++ if grep { $_->[0] == $id } @collected;
		$backwards++ if $id <= $last;
		$last = $id if $id > $last;
		push @collected, [ $id, $op, $k ];
	}
	$failed++ if $r->[1] =~ /ERROR/;
	$failed++ if $client->quit != 0;
	return;
}

my $loop_started = time;
my $loop_ok = 1;
for my $i (1 .. 100)
{
	if (time - $loop_started > $loop_seconds)
	{
		$loop_ok = 0;
		last;
	}
	# create or fix the fixture every 5 connections, once the previous
	# change made its event; the background session then runs the issues
	# source at once, as the collector may too
	if ($i % 5 == 1)
	{
		unless (toggled())
		{
			$loop_ok = 0;
			last;
		}
		$problem = !$problem;
		$toggles++;
		$toggler->send(($problem ? $create_sql : $fix_sql)
			  . "\nSELECT 'capture ' || succeeded FROM pghero.capture(ARRAY['issues']);\n"
			  . "\\echo regress_pghero_toggled_$toggles\n");
	}
	read_feed("regress_pghero_client_$i", 1);
	$connections++;
}
ok($loop_ok, sprintf('the loop ends in time (%d connections, %d changes, %.0f s)',
		$connections, $toggles, time - $loop_started));
is($connections, 100, 'the client connected 100 times');
ok(toggled(), 'the last change of the fixture made its event');
# one last connection, once every change made its event
read_feed('regress_pghero_client_last', 0);
is($failed, 0, 'every connection read the feed without an error');
is($twice, 0, 'no event was read twice');
is($backwards, 0, 'every event read has an id larger than the one before');
is( join(',', map { $_->[0] } @collected),
	$node->safe_psql(
		'postgres', qq{
		SELECT coalesce(string_agg(event_id::text, ',' ORDER BY event_id), '')
		FROM pghero.issue_events WHERE event_id > $loop_start AND event_id <= $last}),
	'the ids read are exactly those of pghero.issue_events: none missed');
my $key_ops = join(',', map { $_->[1] } grep { $_->[2] eq $key && $_->[1] ne 'changed' } @collected);
is($key_ops, join(',', map { $_ % 2 ? 'opened' : 'resolved' } 1 .. $toggles),
	sprintf('one opened or resolved event per change of the fixture (%d), alternately (and %d changed)',
		$toggles, scalar grep { $_->[2] eq $key && $_->[1] eq 'changed' } @collected));
is( join(',', map { "$_->[0] $_->[1]" } grep { $_->[2] eq $key } @collected),
	key_events($node, $loop_start),
	'the fixture\'s events read are all of its events');
is($toggles, 20, 'control: the fixture changed 20 times');
my %collected = map { $_->[0] => 1 } @collected;
is(join(',', grep { !$collected{$_} } @told), '',
	sprintf('what the client was told while connected (%d notifications) is among what it read',
		scalar @told));
is($toggler->quit, 0, 'the toggling session ends');

#--------------------------------------------------------------------------
# 3. A clean restart, then a crash of the worker
#--------------------------------------------------------------------------

my $state_sql = qq{
	SELECT opened_at || ' ' || first_seen || ' ' || reported_severity
	FROM pghero_internal.issue_state WHERE issue_key = '$key'};

# clean restart, the issue open
my $before = max_event_id($node);
make_problem($node);
my $open1 = wait_event($node, 'opened', $before);
ok($open1, 'before the restart: the issue opens');
my $events_before = all_events($node, $open1);
my $state_before = $node->safe_psql('postgres', $state_sql);
isnt($state_before, '', 'control: the collector tracks it');
my $last_before_restart = max_event_id($node);
$node->restart;
is(all_events($node, $open1), $events_before, 'clean restart: the event log is kept');
is($node->safe_psql('postgres', $state_sql), $state_before,
	'clean restart: the open issue is still tracked, as it was');
ok(wait_until($node, q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pghero collector'}),
	'clean restart: the collector runs again');
fix_problem($node);
my $resolved1 = wait_event($node, 'resolved', $open1);
ok($resolved1 > $last_before_restart,
	"clean restart: the resolved event has a larger id than every earlier one ($resolved1 > $last_before_restart)");
is(transitions($node, $open1 - 1), "$open1 opened,$resolved1 resolved",
	'clean restart: the issue opened once and was resolved once');

# crash: SIGKILL of the worker
$before = max_event_id($node);
make_problem($node);
my $open2 = wait_event($node, 'opened', $before);
ok($open2, 'before the crash: the issue opens');
$events_before = all_events($node, $open2);
$state_before = $node->safe_psql('postgres', $state_sql);
my $pid = worker_pid($node);
like($pid, qr/^\d+$/, 'control: the collector worker runs');
my $last_before_crash = max_event_id($node);
my $offset = -s $node->logfile;
ok(kill('KILL', $pid), "SIGKILL sent to the collector (pid $pid)");
ok( PgheroSession->poll_until(
		sub {
			slurp_file($node->logfile, $offset) =~
			  /all server processes terminated; reinitializing(?s:.*)database system is ready to accept connections/
			  ? 't' : 'f';
		},
		't', $wait_seconds, 'crash recovery in the server log'),
	'crash: the server restarts after crash recovery');
ok(wait_until($node, 'SELECT true'), 'crash: the server is back');
is(all_events($node, $open2), $events_before, 'crash: the event log is kept');
is($node->safe_psql('postgres', $state_sql), $state_before,
	'crash: the open issue is still tracked, as it was');
ok( wait_until(
		$node, qq{
		SELECT count(*) = 1 FROM pg_stat_activity
		WHERE backend_type = 'pghero collector' AND pid <> $pid}),
	'crash: a new collector runs');
$listener = PgheroSession->new($node, application_name => 'regress_pghero_listener');
$listener->query('LISTEN pghero_issues');
$heard = '';
fix_problem($node);
my $resolved2 = wait_event($node, 'resolved', $open2);
ok($resolved2 > $last_before_crash,
	"crash: the resolved event has a larger id than every earlier one ($resolved2 > $last_before_crash)");
is(transitions($node, $open2 - 1), "$open2 opened,$resolved2 resolved",
	'crash: the issue opened once and was resolved once');
ok(heard($listener, 'resolved', $last_before_crash), 'crash: a new listener is told of it');
is( join(',', map { $_->{event_id} } grep { $_->{issue_key} eq $key && $_->{op} eq 'resolved' } notifications($heard)),
	$resolved2, 'crash: with its id');
is($listener->quit, 0, 'the listener disconnects');
is( $node->safe_psql(
		'postgres', qq{
		SELECT string_agg(op, ',' ORDER BY event_id) || ' ' || bool_and(event_id > $last_before_crash)
		FROM pghero.issue_events_since($last_before_crash)
		WHERE issue_key = '$key' AND op <> 'changed'}),
	'resolved true',
	'crash: a client resuming from the last id before the crash gets just that');
is( $node->safe_psql(
		'postgres', 'SELECT count(*) = count(DISTINCT event_id) FROM pghero_internal.issue_events'),
	't', 'no event id twice');

#--------------------------------------------------------------------------
# 4. pg_dump and pg_restore into a cluster whose collector runs
#--------------------------------------------------------------------------

# an invalid index, open in the dump (pg_dump leaves the index out)
$before = max_event_id($node);
make_invalid_index($node, 'regress_feed_idx', 'regress_feed_t');
my $open3 = wait_event($node, 'opened', $before, $index_key);
ok($open3, 'before the dump: the issue opens');
my $dumpdir = PostgreSQL::Test::Utils::tempdir;
my $dumpfile = "$dumpdir/feed.dump";
# (the collector may write events while pg_dump runs: the dump's snapshot
# has those committed before it started, at least those up to $open3)
$node->command_ok(
	[
		$node->installed_command('pg_dump'), '-Fc', '-f', $dumpfile,
		'-d', $node->connstr('postgres')
	],
	'pg_dump, custom format');
my $src_gen = $node->safe_psql('postgres', 'SELECT pghero_internal._generation()');
# what the dump holds: the events kept before it
my ($stdout, $stderr);
IPC::Run::run(
	[
		$node->installed_command('pg_restore'), '-f', '-', '-a',
		'-t', 'issue_events', $dumpfile
	],
	'>', \$stdout, '2>', \$stderr)
  or die "pg_restore -f -: $stderr";
my @dumped = map { (split /\t/)[0] } grep { /^\d+\t/ } split /\n/, $stdout;
my $pre_dump = (sort { $b <=> $a } @dumped)[0] // 0;
ok($pre_dump >= $open3, "control: the dump holds the events up to $pre_dump");
my $src_events = all_events($node, $pre_dump);
$node->stop;
my $dst = new_node('feed_restored');

# the collector of the target runs, and waits for the extension
ok( wait_until(
		$dst, q{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'pghero collector'}),
	'target: the collector runs');

# The restore runs in two steps (as in 010_dump_restore.pl), so that the
# target's collector surely writes events of its own in the middle of it:
# first the extensions (the collector then evaluates the checks, and opens
# an issue of the target's own, another invalid index), then the rest.
IPC::Run::run([ $dst->installed_command('pg_restore'), '-l', $dumpfile ],
	'>', \$stdout, '2>', \$stderr)
  or die "pg_restore -l: $stderr";
my @toc = grep { !/^;/ && /\S/ } split /\n/, $stdout;
my @first = grep {
	/ (SCHEMA|EXTENSION|COMMENT) - (pghero|pg_stat_statements|EXTENSION pghero|EXTENSION pg_stat_statements|SCHEMA pghero)\b/
} @toc;
my %first = map { $_ => 1 } @first;
ok(scalar(grep { /EXTENSION - pghero/ } @first) == 1,
	'control: the first step creates extension pghero');
append_to_file("$dumpdir/first.list", join("\n", @first) . "\n");
append_to_file("$dumpdir/rest.list", join("\n", grep { !$first{$_} } @toc) . "\n");
my $ok = IPC::Run::run(
	[
		$dst->installed_command('pg_restore'), '--exit-on-error',
		'-L', "$dumpdir/first.list", '-d', $dst->connstr('postgres'), $dumpfile
	],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pg_restore, first step: the extensions') or diag($stderr);
my $mid_key = 'invalid_index:postgres.public.regress_feed_mid_idx';
$dst->safe_psql(
	'postgres', q{
CREATE TABLE regress_feed_mid (x integer);
INSERT INTO regress_feed_mid VALUES (1), (1);
});
make_invalid_index($dst, 'regress_feed_mid_idx', 'regress_feed_mid');
my $mid = wait_event($dst, 'opened', 0, $mid_key);
ok($mid, "target: its collector opens an issue of its own before the rest is restored (event $mid)");
$ok = IPC::Run::run(
	[
		$dst->installed_command('pg_restore'), '--exit-on-error',
		'-L', "$dumpdir/rest.list", '-d', $dst->connstr('postgres'), $dumpfile
	],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pg_restore, second step: the rest, with the collector running') or diag($stderr);
is($stderr, '', 'pg_restore prints no error or warning');
my $dst_gen = $dst->safe_psql('postgres', 'SELECT pghero_internal._generation()');
isnt($dst_gen, $src_gen, 'control: the target has a generation of its own');
is( $dst->safe_psql(
		'postgres', q{SELECT count(*) FROM pg_class WHERE relname = 'regress_feed_idx'}),
	'0',
	'control: the invalid index was not dumped');
is( $dst->safe_psql(
		'postgres', qq{
		SELECT e::text FROM pghero_internal.issue_events e
		WHERE e.generation = $src_gen ORDER BY e.event_id}),
	$src_events,
	'target: every event arrived unchanged');

# the restored open issue is gone in the target: resolved
$listener = PgheroSession->new($dst, application_name => 'regress_pghero_listener');
$listener->query('LISTEN pghero_issues');
$heard = '';
my $resolved3 = wait_event($dst, 'resolved', $pre_dump, $index_key);
ok($resolved3 > $pre_dump,
	"target: the restored issue is resolved with a larger id than every restored one ($resolved3 > $pre_dump)");
make_invalid_index($dst, 'regress_feed_idx', 'regress_feed_t');
my $open4 = wait_event($dst, 'opened', $resolved3, $index_key);
ok($open4 > $resolved3, "target: a new issue opens, with a larger id still ($open4 > $resolved3)");
ok(heard($listener, 'opened', $resolved3, $index_key), 'target: a listener is told of it');
is( $dst->safe_psql(
		'postgres', qq{
		SELECT string_agg(event_id || ' ' || op, ',' ORDER BY event_id)
		FROM pghero.issue_events_since($pre_dump)
		WHERE issue_key = '$index_key' AND op <> 'changed'}),
	"$resolved3 resolved,$open4 opened",
	'target: a client resuming from the last id before the dump gets the events of the issue after it');
is( $dst->safe_psql(
		'postgres', qq{
		SELECT count(*) FROM pghero_internal.issue_state WHERE generation <> $dst_gen}),
	'0', 'target: the restored state was adopted');

# The events the target's collector wrote before the rest was restored
# were numbered from 1, while the restored ones keep their ids: the next
# evaluation numbers them again after the restored ones, so that no id is
# used twice and a client resuming from the last id before the dump gets
# them too
is( $dst->safe_psql(
		'postgres', qq{
		SELECT count(*) = count(DISTINCT event_id)
			   AND coalesce(min(event_id) FILTER (WHERE generation = $dst_gen)
							> max(event_id) FILTER (WHERE generation <> $dst_gen), false)
		FROM pghero_internal.issue_events}),
	't',
	'target: every event of its own has a larger id than every restored one, none twice');
is( $dst->safe_psql(
		'postgres', qq{
		SELECT string_agg(op, ',' ORDER BY event_id)
		FROM pghero.issue_events_since($pre_dump) WHERE issue_key = '$mid_key'}),
	'opened',
	'target: a client resuming from the last id before the dump gets the event written during the restore');
is($listener->quit, 0, 'the listener disconnects');

$dst->stop;

done_testing();
