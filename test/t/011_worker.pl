# Copyright (c) pghero contributors
#
# 011_worker.pl
#	The launcher of the collector: a missing home database,
#	pghero.start_collector(), a reload of pghero.database, the schedule
#	written at once after a reload of the intervals, and the schedule
#	following the registry of sources.
#
# What this test proves (pghero.capture_interval and check_interval = 1s):
#   - with pghero.database naming a database that does not exist, the
#     launcher logs one line (with a hint) over more than four check
#     intervals, nothing is FATAL, nothing restarts and no collector runs;
#     after CREATE DATABASE, without a reload, the collector starts there
#     and captures once the extension is created;
#   - pghero.start_collector(): false while the collector runs; after the
#     collector was terminated it starts one at once (well within the 10 s
#     restart delay) and returns true, and a second call returns false;
#     after the launcher itself was terminated it starts a launcher and a
#     collector, and the launcher the postmaster restarts later steps aside,
#     leaving one of each; a pghero_admin may call it, a pghero_reader gets
#     permission denied;
#   - after ALTER SYSTEM SET pghero.capture_interval / space_interval and a
#     reload, pghero.collector shows the new next runs at once, before any
#     source runs again;
#   - the schedule is the registry's (pghero_internal.collector_sources), read again
#     at a reload: a source given interval_setting pghero.space_interval
#     (1h) stops running every second while the others go on, a source
#     naming no interval setting of pghero is skipped with one LOG line
#     (not one per interval or reload) and a next run of NULL, a new source
#     runs, and the "capturing" line lists them; restored, they run again;
#   - pghero.database is reloadable: set to a missing database, the
#     collector stops, one line is logged and start_collector() says which
#     database is missing; set back, the collector starts at once;
#   - DROP DATABASE ... WITH (FORCE) of the home database: one line, no
#     restart loop;
#   - without preloading, start_collector() fails with a hint naming
#     shared_preload_libraries.

use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;

use PgheroSession;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep time);

my $home = 'regress_pghero_home';
my $launcher_sql = q{
	SELECT pid FROM pg_stat_activity WHERE backend_type = 'pghero launcher'};
my $collector_sql = q{
	SELECT pid FROM pg_stat_activity WHERE backend_type = 'pghero collector'};
my $missing_re =
  qr/pghero collector: idle: database "$home" does not exist/;
my $capturing_re =
  qr/pghero collector: capturing every 1 s in database "$home"/;

my $node = PostgreSQL::Test::Cluster->new('worker');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
pghero.capture_interval = '1s'
pghero.check_interval = '1s'
pghero.database = '$home'
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

# Poll $sql on database $db of $node until it returns $expected, for at
# most $seconds.
sub poll_sql
{
	my ($db, $sql, $expected, $seconds, $what) = @_;
	return PgheroSession->poll_until(sub { $node->safe_psql($db, $sql) },
		$expected, $seconds, $what);
}

#
# A missing home database: one line, no restart, no collector
#
ok(poll_sql('postgres', "SELECT count(*) FROM ($launcher_sql) l", '1', 30,
		'the launcher runs'),
	'missing database: the launcher runs');
$node->wait_for_log($missing_re, 0);
my $launcher = $node->safe_psql('postgres', $launcher_sql);
sleep(4.5);
is(log_count($node, $missing_re, 0),
	1, 'missing database: one line over more than four check intervals');
is(log_count($node, qr/FATAL|exited with exit code/, 0),
	0, 'missing database: nothing is FATAL, no worker exits');
is($node->safe_psql('postgres', $launcher_sql),
	$launcher, 'missing database: the same launcher keeps running');
is($node->safe_psql('postgres', "SELECT count(*) FROM ($collector_sql) c"),
	'0', 'missing database: no collector runs');
like(
	slurp_file($node->logfile),
	qr/$missing_re\n.*\n.*HINT:  Create database "$home", or set pghero\.database/,
	'missing database: the line says how to fix it');

#
# CREATE DATABASE: the collector starts there, without a reload
#
my $offset = -s $node->logfile;
my $t_create = time;
$node->safe_psql('postgres', "CREATE DATABASE $home");
ok( poll_sql(
		'postgres', qq{
		SELECT datname FROM pg_stat_activity
		WHERE backend_type = 'pghero collector'}, $home, 15,
		'a collector in the new database'),
	'after CREATE DATABASE: the collector starts in it');
my $start_s = time - $t_create;
ok($start_s < 5, "after CREATE DATABASE: started ${start_s}s later");
$node->wait_for_log(
	qr/pghero collector: idle: extension pghero 1\.1 or later is not installed in database "$home"/,
	$offset);

$node->safe_psql(
	$home, q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
});
$node->wait_for_log($capturing_re, $offset);
ok( poll_sql(
		$home, q{
		SELECT count(*) = (SELECT count(*) FROM pghero_internal.collector_sources)
		FROM pghero_internal.collector_sources
		WHERE runs > 1 OR (source = 'space' AND runs = 1)}, 't', 30,
		'every source runs'),
	'after CREATE EXTENSION: every source runs');

#
# pghero.start_collector()
#
$node->safe_psql(
	'postgres', q{
CREATE ROLE regress_pghero_reader_user LOGIN IN ROLE pghero_reader;
CREATE ROLE regress_pghero_admin_user LOGIN IN ROLE pghero_admin;
});

# start_collector() as $role; returns [stdout, stderr].
sub start_collector_as
{
	my ($role) = @_;
	my ($ret, $out, $err) = $node->psql(
		$home,
		'SELECT pghero.start_collector()',
		extra_params => [ '-U', $role ]);
	return [ $out, $err ];
}

is(start_collector_as('regress_pghero_admin_user')->[0],
	'f', 'start_collector: false while the collector runs (pghero_admin)');
like(
	start_collector_as('regress_pghero_reader_user')->[1],
	qr/must be a member of pghero_admin to start the collector.*GRANT pghero_admin TO regress_pghero_reader_user/s,
	'start_collector: a pghero_reader is told which role to ask for');

my $collector = $node->safe_psql('postgres', $collector_sql);
my $runs = $node->safe_psql($home,
	"SELECT runs FROM pghero_internal.collector_sources WHERE source = 'instance'");
my $t_term = time;
is($node->safe_psql('postgres', "SELECT pg_terminate_backend($collector, 10000)"),
	't', 'the collector is terminated');
is(start_collector_as('regress_pghero_admin_user')->[0],
	't', 'start_collector: true after the collector was terminated');
ok( poll_sql(
		'postgres',
		"SELECT count(*) FROM ($collector_sql) c WHERE pid <> $collector",
		'1', 15, 'a new collector'),
	'start_collector: a new collector runs');
my $restart_s = time - $t_term;
ok($restart_s < 5,
	"start_collector: the collector is back ${restart_s}s after it was terminated, before the 10 s restart delay"
);
is($node->safe_psql('postgres', "SELECT count(*) FROM ($collector_sql) c"),
	'1', 'start_collector: one collector');
is($node->safe_psql($home, 'SELECT pghero.start_collector()'),
	'f', 'start_collector: a second call returns false');
ok( poll_sql(
		$home, qq{
		SELECT runs > $runs + 1 FROM pghero_internal.collector_sources
		WHERE source = 'instance'}, 't', 15, 'instance runs again'),
	'start_collector: the new collector captures');

# The launcher itself gone: start_collector() starts one, and the one the
# postmaster restarts 10 s later steps aside.
$offset = -s $node->logfile;
$launcher = $node->safe_psql('postgres', $launcher_sql);
is($node->safe_psql('postgres', "SELECT pg_terminate_backend($launcher, 10000)"),
	't', 'the launcher is terminated');
ok( poll_sql(
		'postgres', qq{
		SELECT count(*) FROM pg_stat_activity
		WHERE backend_type IN ('pghero launcher', 'pghero collector')},
		'0', 15, 'no launcher and no collector'),
	'the launcher stops its collector as it exits');
is($node->safe_psql($home, 'SELECT pghero.start_collector()'),
	't', 'start_collector: true after the launcher was terminated');
ok( poll_sql(
		'postgres', "SELECT count(*) FROM ($collector_sql) c",
		'1', 15, 'a collector'),
	'start_collector: a collector runs again');
$node->wait_for_log(qr/pghero launcher: another launcher is running/,
	$offset);
is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(backend_type, ',' ORDER BY backend_type)
		FROM pg_stat_activity
		WHERE backend_type IN ('pghero launcher', 'pghero collector')}),
	'pghero collector,pghero launcher',
	'the restarted launcher steps aside: one launcher, one collector');

#
# The schedule follows a reload at once
#
$offset = -s $node->logfile;
$node->safe_psql(
	'postgres', q{
ALTER SYSTEM SET pghero.capture_interval = '1h';
ALTER SYSTEM SET pghero.space_interval = '2h';
ALTER SYSTEM SET pghero.check_interval = '1h';
SELECT pg_reload_conf();
});
ok( poll_sql(
		$home, q{
		SELECT bool_and(CASE source
			WHEN 'space' THEN next_run_at > now() + interval '90 minutes'
			ELSE next_run_at > now() + interval '30 minutes' END)
		FROM pghero.collector}, 't', 10, 'next_run_at follows the new intervals'),
	'reload: pghero.collector shows the new next runs at once');
$node->wait_for_log(
	qr/pghero collector: capturing every 3600 s in database "$home"/,
	$offset);
$node->safe_psql(
	'postgres', q{
ALTER SYSTEM RESET pghero.capture_interval;
ALTER SYSTEM RESET pghero.space_interval;
ALTER SYSTEM RESET pghero.check_interval;
SELECT pg_reload_conf();
});
$node->wait_for_log($capturing_re, $offset);

#
# The schedule follows the registry
#
# runs of one source in the home database.
sub source_runs
{
	my ($source) = @_;
	return $node->safe_psql($home,
		"SELECT runs FROM pghero_internal.collector_sources WHERE source = '$source'");
}

# The registry changed, then read again at the reload: instance takes
# pghero.space_interval (1h), database_activity names no interval setting
# of pghero, and a source the worker never heard of runs every capture
# interval.
$offset = -s $node->logfile;
my $skipped_re =
  qr/pghero collector: source "database_activity" is skipped: "pghero\.no_such_interval" is not an interval setting of pghero/;
$node->safe_psql(
	$home, q{
UPDATE pghero_internal.collector_sources SET interval_setting = 'pghero.space_interval'
WHERE source = 'instance';
UPDATE pghero_internal.collector_sources SET interval_setting = 'pghero.no_such_interval'
WHERE source = 'database_activity';
INSERT INTO pghero_internal.collector_sources (source, position, interval_setting, run_function)
VALUES ('regress_pghero_extra', 100, 'pghero.capture_interval', '_capture_retention');
SELECT pg_reload_conf();
});
ok( poll_sql(
		$home, q{
		SELECT string_agg(source || ':' || CASE
				WHEN next_run_at IS NULL THEN 'none'
				WHEN next_run_at > now() + interval '30 minutes' THEN 'later'
				ELSE 'soon' END, ',' ORDER BY source COLLATE "C")
		FROM pghero.collector
		WHERE source IN ('database_activity', 'instance', 'statements')},
		'database_activity:none,instance:later,statements:soon', 10,
		'the next runs of the new registry'),
	'registry: pghero.collector shows the next runs of the new registry at once');
ok( poll_sql(
		$home, q{
		SELECT runs > 1 FROM pghero_internal.collector_sources
		WHERE source = 'regress_pghero_extra'}, 't', 10,
		'the new source runs'),
	'registry: a new source runs at its interval');
my %runs_before = map { $_ => source_runs($_) }
  qw(statements instance database_activity);
sleep(3.5);
is(source_runs('instance'), $runs_before{instance},
	'registry: instance, now on pghero.space_interval, runs no more every second');
is(source_runs('database_activity'), $runs_before{database_activity},
	'registry: a source naming no interval setting does not run');
ok(source_runs('statements') >= $runs_before{statements} + 2,
	'registry: statements go on every second');
like(
	slurp_file($node->logfile, $offset),
	qr/capturing every 1 s in database "$home"\n.*DETAIL:  Sources: statements every 1 s, database_activity skipped, instance every 3600 s, space every 3600 s, io every 1 s, retention every 1 s, issues every 1 s, host every 1 s, activity every 1 s, regress_pghero_extra every 1 s\./,
	'registry: the "capturing" line lists the sources of the registry');
$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
sleep(1.5);
is(log_count($node, $skipped_re, $offset),
	1, 'registry: the skipped source is logged once, not again at a reload');

$node->safe_psql(
	$home, q{
UPDATE pghero_internal.collector_sources SET interval_setting = 'pghero.capture_interval'
WHERE source IN ('instance', 'database_activity');
DELETE FROM pghero_internal.collector_sources WHERE source = 'regress_pghero_extra';
SELECT pg_reload_conf();
});
ok( poll_sql(
		$home, qq{
		SELECT bool_and(runs > CASE source
				WHEN 'instance' THEN $runs_before{instance}
				ELSE $runs_before{database_activity} END + 1)
		FROM pghero_internal.collector_sources
		WHERE source IN ('instance', 'database_activity')}, 't', 10,
		'instance and database_activity run again'),
	'registry restored: instance and database_activity run every second again');

#
# pghero.database is reloadable
#
$offset = -s $node->logfile;
$collector = $node->safe_psql('postgres', $collector_sql);
$node->safe_psql(
	'postgres', q{
ALTER SYSTEM SET pghero.database = 'regress_pghero_nowhere';
SELECT pg_reload_conf();
});
my $nowhere_re =
  qr/pghero collector: idle: database "regress_pghero_nowhere" does not exist/;
$node->wait_for_log($nowhere_re, $offset);
ok( poll_sql(
		'postgres', "SELECT count(*) FROM ($collector_sql) c",
		'0', 15, 'no collector'),
	'pghero.database changed: the collector stops');
my ($ret, $out, $err) = $node->psql($home, 'SELECT pghero.start_collector()');
like(
	$err,
	qr/could not start the pghero collector: database "regress_pghero_nowhere" does not exist/,
	'pghero.database missing: start_collector says which database is missing'
);
sleep(2.5);
is(log_count($node, $nowhere_re, $offset),
	1, 'pghero.database missing: one line');

$node->safe_psql(
	'postgres', q{
ALTER SYSTEM RESET pghero.database;
ALTER SYSTEM SET pghero.database = 'regress_pghero_home';
SELECT pg_reload_conf();
});
ok( poll_sql(
		'postgres', qq{
		SELECT datname FROM pg_stat_activity
		WHERE backend_type = 'pghero collector'}, $home, 5,
		'a collector in the home database'),
	'pghero.database set back: the collector starts at once');

#
# DROP DATABASE ... WITH (FORCE): one line, no restart loop
#
$offset = -s $node->logfile;
$node->safe_psql('postgres', "DROP DATABASE $home WITH (FORCE)");
$node->wait_for_log($missing_re, $offset);
sleep(3.5);
is(log_count($node, $missing_re, $offset),
	1, 'home database dropped: one line over more than three intervals');
is(log_count($node, qr/exited with exit code/, $offset),
	1, 'home database dropped: the collector exited once, no restart loop');
$node->stop;

#
# Without preloading
#
my $plain = PostgreSQL::Test::Cluster->new('worker_no_preload');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION pghero');
($ret, $out, $err) = $plain->psql(
	'postgres', 'SELECT pghero.start_collector()',
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like(
	$err,
	qr/ERROR:  55000: pghero must be loaded via "shared_preload_libraries".*\nHINT:  Add pghero to shared_preload_libraries/s,
	'not preloaded: start_collector fails with a hint');
$plain->stop;

done_testing();
