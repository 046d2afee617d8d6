# Copyright (c) pghero contributors
#
# 009_dump_restore.pl
#	pg_dump and pg_restore of a database with pghero and its history into a
#	fresh cluster whose collector is running.
#
# What this test proves:
#   - a dump of a database with history (raw and hourly rows of every
#     history table, query texts, captures, names, rollup progress, audit
#     rows, sampled activity and the session log), in the custom format restored with pg_restore and in the plain
#     format restored with psql, into a database of another cluster where
#     pghero is installed and capturing already (its own partitions exist
#     for today and tomorrow, the collector runs every second during the
#     restore), restores without an error: every history row, text,
#     capture, name and audit row arrives unchanged, under the generation
#     that wrote it;
#   - the restored database keeps its own generation: the restored history
#     is read by query_stats() alongside the new one, with the names of the
#     source, and is not counted again;
#   - the collector goes on capturing in the restored database, and the
#     next retention run keeps the restored partitions within retention;
#   - the baselines (unlogged, not dumped) are not restored: the first
#     capture after the restore is a first capture of this generation.

use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PgheroSession;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $wait_seconds = 60;

# The target's collector rolls up every complete hour, the restored
# generation's too: the test, whose figures are the source's, runs within
# one hour (it takes under a minute)
PgheroSession->clear_of_hour_end(300);

#
# The source: history captured by hand
#
my $src = PostgreSQL::Test::Cluster->new('source');
$src->init;
$src->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = top
pghero.enabled = off
});
$src->start;
$src->safe_psql('postgres', 'CREATE DATABASE regress_pghero_app');
my $db = 'regress_pghero_app';
$src->safe_psql(
	$db, q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE TABLE regress_marker_dump (x int);
CREATE ROLE regress_pghero_dump_admin;
GRANT pghero_admin TO regress_pghero_dump_admin;
});

sub capture_ok
{
	my ($node, $dbname, $what) = @_;
	is( $node->safe_psql(
			$dbname, q{
			SELECT coalesce(string_agg(source || ': ' || coalesce(error, '?'), '; '), '')
			FROM pghero.capture() WHERE NOT succeeded}),
		'',
		"$what: every source captures");
}

# hourly rows: raw rows of an hour long past (of statements, databases and
# the instance), rolled up by the first retention run
$src->safe_psql(
	$db, q{
SELECT pghero_internal._ensure_partition('statement_history', now() - interval '5 hours');
INSERT INTO pghero_internal.statement_history
	(generation, captured_at, since, dbid, userid, queryid, toplevel, calls, total_exec_time)
SELECT pghero_internal._generation(), date_trunc('hour', now() - interval '5 hours') + m * interval '1 minute',
	   NULL, (SELECT oid FROM pg_database WHERE datname = current_database()),
	   (SELECT oid FROM pg_roles WHERE rolname = current_user), 4242, true, 1, 0.5
FROM generate_series(1, 30) m;
SELECT pghero_internal._ensure_partition('database_history', now() - interval '5 hours');
INSERT INTO pghero_internal.database_history
	(captured_at, since, datid, datname, numbackends, xact_commit, generation)
SELECT date_trunc('hour', now() - interval '5 hours') + m * interval '1 minute',
	   date_trunc('hour', now() - interval '5 hours') + (m - 1) * interval '1 minute',
	   (SELECT oid FROM pg_database WHERE datname = current_database()), current_database(),
	   m % 4, 10 * m, pghero_internal._generation()
FROM generate_series(1, 30) m;
SELECT pghero_internal._ensure_partition('instance_history', now() - interval '5 hours');
INSERT INTO pghero_internal.instance_history
	(captured_at, since, wal_bytes, checkpoints_timed, connections, generation)
SELECT date_trunc('hour', now() - interval '5 hours') + m * interval '1 minute',
	   date_trunc('hour', now() - interval '5 hours') + (m - 1) * interval '1 minute',
	   1000 * m, m % 2, m % 7, pghero_internal._generation()
FROM generate_series(1, 30) m;
SET ROLE regress_pghero_dump_admin;
SELECT pghero.reset_query_stats(0, 0, 4242);
RESET ROLE;
});
capture_ok($src, $db, 'source, first capture');
$src->safe_psql($db, "SELECT count(*) FROM regress_marker_dump;\n" x 4);
capture_ok($src, $db, 'source, after 4 calls');
$src->safe_psql($db, "SELECT count(*) FROM regress_marker_dump;\n" x 6);
capture_ok($src, $db, 'source, after 6 more calls');
# database activity reaches pg_stat_database when the backends report it
# (on 14 through the statistics collector, a while later): capture it
# until a capture has seen it move
ok( PgheroSession->poll_until(
		sub {
			$src->safe_psql($db,
				q{SELECT count(*) FROM pghero.capture(ARRAY['database_activity'])});
			return $src->safe_psql($db,
				q{SELECT count(*) > 0 FROM pghero_internal.database_history
				  WHERE captured_at > now() - interval '1 hour'});
		},
		't', 60, 'database activity captured'),
	'source: database activity captured');

# sampled activity (1.3): a bucket of two samples captured, with a row of
# it and a logged session written by hand (no other session runs here)
$src->safe_psql(
	$db, q{
SELECT pghero_internal._activity_sample(), pghero_internal._activity_sample();
SELECT count(*) FROM pghero.capture(ARRAY['activity']);
INSERT INTO pghero_internal.activity_history
	(captured_at, since, dbid, datname, userid, username, application_name, state,
	 wait_event_type, wait_event, queryid, samples, generation)
SELECT b.captured_at, b.since, NULL, NULL, NULL, NULL, 'regress_dump', 'active',
	   'Timeout', 'PgSleep', 4242, 2, b.generation
FROM pghero_internal.activity_buckets b ORDER BY b.captured_at DESC LIMIT 1;
INSERT INTO pghero_internal.session_log
	(pid, backend_start, query_start, application_name, query, first_seen, last_seen,
	 longest_duration, long_running, blocked, blocked_by, generation)
VALUES (4242, now() - interval '1 hour', now() - interval '1 minute', 'regress_dump',
		'SELECT pg_sleep(60)', now() - interval '50 seconds', now(), '50 seconds', true,
		true, '{4343}', pghero_internal._generation());
});

my @tables = qw(statement_history statement_rollup query_texts statement_captures
  object_names rollup_progress database_history database_rollup instance_history
  instance_rollup space_history audit_log activity_buckets activity_history
  session_log);

# Every row of every kept table, as text, of one generation (all rows for
# the audit log, which has none)
sub rows_of
{
	my ($node, $dbname, $gen) = @_;
	my %rows;
	foreach my $t (@tables)
	{
		my $where = $t eq 'audit_log' ? '' : "WHERE t.generation = $gen";
		$rows{$t} = $node->safe_psql($dbname,
			"SELECT t::text FROM pghero_internal.$t t $where ORDER BY t::text COLLATE \"C\"");
	}
	return \%rows;
}

my $src_gen = $src->safe_psql($db, 'SELECT pghero_internal._generation()');
my $src_rows = rows_of($src, $db, $src_gen);
foreach my $t (@tables)
{
	isnt($src_rows->{$t}, '', "control: the source has rows in $t");
}
my $marker_sql = q{
	SELECT q.calls || '|' || q.database || '|' || q.generation
	FROM pghero.query_stats_between('-infinity', 'infinity') q
	WHERE q.query LIKE 'SELECT count(*) FROM regress_marker_dump%'};
my $src_marker = $src->safe_psql($db, $marker_sql);
is($src_marker, "10|$db|$src_gen", 'control: the source counted the marker 10 times');

my $dumpdir = PostgreSQL::Test::Utils::tempdir;
$src->command_ok(
	[ 'pg_dump', '-Fc', '-f', "$dumpdir/app.dump", '-d', $src->connstr($db) ],
	'pg_dump, custom format');
$src->command_ok(
	[ 'pg_dump', '-Fp', '-f', "$dumpdir/app.sql", '-d', $src->connstr($db) ],
	'pg_dump, plain format');

#
# The target: a fresh cluster whose collector runs every second
#
my $dst = PostgreSQL::Test::Cluster->new('target');
$dst->init;
$dst->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = top
pghero.database = '$db'
pghero.capture_interval = '1s'
});
$dst->start;
$dst->safe_psql('postgres', "CREATE DATABASE $db");
$dst->safe_psql('postgres', 'CREATE DATABASE regress_pghero_plain');

# The restore runs in two steps, so that the collector surely captures in
# the middle of it: first the extensions (the restore's CREATE EXTENSION
# makes the database the collector's, which then captures and creates
# partitions of its own), then, once the collector has captured, all the
# rest: the restored partitions must not collide with the collector's.
my $dumpfile = "$dumpdir/app.dump";
my ($stdout, $stderr);
IPC::Run::run([ 'pg_restore', '-l', $dumpfile ], '>', \$stdout, '2>', \$stderr)
  or die "pg_restore -l: $stderr";
my @toc = grep { !/^;/ && /\S/ } split /\n/, $stdout;
my @first = grep { / (SCHEMA|EXTENSION|COMMENT) - (pghero|pg_stat_statements|EXTENSION pghero|EXTENSION pg_stat_statements|SCHEMA pghero)\b/ } @toc;
my %first = map { $_ => 1 } @first;
my @rest = grep { !$first{$_} } @toc;
ok(scalar(grep { /EXTENSION - pghero/ } @first) == 1, 'control: the first step creates extension pghero');
append_to_file("$dumpdir/first.list", join("\n", @first) . "\n");
append_to_file("$dumpdir/rest.list", join("\n", @rest) . "\n");

my $ok = IPC::Run::run(
	[ 'pg_restore', '--exit-on-error', '-L', "$dumpdir/first.list", '-d', $dst->connstr($db), $dumpfile ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pg_restore, first step: the extensions') or diag($stderr);
ok( $dst->poll_query_until(
		$db, q{SELECT runs >= 2 FROM pghero_internal.collector_sources WHERE source = 'retention'}),
	'target: the collector captures in the database in the middle of the restore');
my $dst_gen = $dst->safe_psql($db, 'SELECT pghero_internal._generation()');
isnt($dst_gen, $src_gen, 'target: the installation has a generation of its own');
isnt(
	$dst->safe_psql(
		$db, q{SELECT count(*) FROM pg_class WHERE relname ~ '^statement_history_g[0-9]+_p'}),
	'0',
	'control: the collector made partitions of its own before the rest of the restore');
$ok = IPC::Run::run(
	[ 'pg_restore', '--exit-on-error', '-L', "$dumpdir/rest.list", '-d', $dst->connstr($db), $dumpfile ],
	'>', \$stdout, '2>', \$stderr);
ok($ok, 'pg_restore, second step: the rest, with the collector running') or diag($stderr);
is($stderr, '', 'pg_restore prints no error or warning');

# The plain format, restored by psql in the same two steps, with a capture
# in between (the collector runs in the other database)
my $plain = slurp_file("$dumpdir/app.sql");
# (the first step ends after both extensions, in whichever order pg_dump
# wrote them)
my $cut_pghero = index($plain, "CREATE EXTENSION IF NOT EXISTS pghero ");
my $cut_pgss = index($plain, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements ");
ok($cut_pghero > 0 && $cut_pgss > 0,
	'control: the plain dump creates extensions pghero and pg_stat_statements');
my $cut = $cut_pghero > $cut_pgss ? $cut_pghero : $cut_pgss;
my $eol = index($plain, "\n", $cut) + 1;
append_to_file("$dumpdir/plain1.sql", substr($plain, 0, $eol));
# pg_dump 17.6 and later open a plain dump with \restrict and close it with
# \unrestrict: the second part opens it again
my ($restrict) = $plain =~ /^(\\restrict \S+)$/m;
append_to_file("$dumpdir/plain2.sql", ($restrict ? "$restrict\n" : '') . substr($plain, $eol));
foreach my $part ('plain1', 'plain2')
{
	$ok = IPC::Run::run(
		[
			'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
			$dst->connstr('regress_pghero_plain'), '-f', "$dumpdir/$part.sql"
		],
		'>', \$stdout, '2>', \$stderr);
	ok($ok, "psql restores the plain-format dump ($part) without an error") or diag($stderr);
	unlike($stderr, qr/ERROR|WARNING/, "psql ($part) prints no error or warning");
	capture_ok($dst, 'regress_pghero_plain', "plain target, after $part") if $part eq 'plain1';
}

foreach my $d ($db, 'regress_pghero_plain')
{
	my $rows = rows_of($dst, $d, $src_gen);
	foreach my $t (@tables)
	{
		is($rows->{$t}, $src_rows->{$t}, "$d: every row of $t arrived unchanged");
	}
	is($dst->safe_psql($d, 'SELECT pghero_internal._generation()'),
		$d eq $db ? $dst_gen : $dst->safe_psql($d, 'SELECT generation FROM pghero_internal.installation'),
		"$d: the installation kept its own generation");
	isnt($dst->safe_psql($d, 'SELECT pghero_internal._generation()'),
		$src_gen, "$d: its generation is not the source's");
	is($dst->safe_psql($d, $marker_sql), $src_marker,
		"$d: query_stats() reads the restored history, with the source's names, counted once");
}

# the collector goes on: it captures, nothing of the restored history is
# counted again, and the first statements capture was a first capture.
# (pg_dump may write CREATE EXTENSION pghero before CREATE EXTENSION
# pg_stat_statements: a statements capture that falls between them fails,
# saying pg_stat_statements is not installed, as it should; what matters is
# that every source's last run succeeded.)
my $runs = $dst->safe_psql($db,
	q{SELECT runs FROM pghero_internal.collector_sources WHERE source = 'statements'});
ok( $dst->poll_query_until(
		$db, qq{
		SELECT runs >= $runs + 2 AND last_success_at = last_run_at
		FROM pghero_internal.collector_sources WHERE source = 'statements'}),
	'target: the collector goes on capturing after the restore');
is( $dst->safe_psql(
		$db, q{
		SELECT count(*) FROM pghero.collector
		WHERE last_success_at IS NULL OR last_error_at >= last_success_at}),
	'0',
	'target: every source of the collector succeeded at its last run');
is( $dst->safe_psql(
		$db, qq{
		SELECT note FROM pghero_internal.statement_captures
		WHERE generation = $dst_gen ORDER BY captured_at LIMIT 1}),
	'first capture: baseline only',
	'target: its first capture set a baseline of its own (baselines are not restored)');
is($dst->safe_psql($db, $marker_sql), $src_marker,
	'target: the restored statement is still counted once');
my $after = rows_of($dst, $db, $src_gen);
is($after->{statement_history}, $src_rows->{statement_history},
	'target: the collector left the restored history as it was');

$src->stop;
$dst->stop;

done_testing();
