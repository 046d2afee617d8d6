
# Copyright (c) pghero contributors

# 019_checks.pl -- more checks of pghero.issues that need a server state:
# sessions, connections, a standby, a replication slot, the collation
# version, the buffer cache and connection logging.
#
# What this proves:
#  * A fresh server (with a streaming set-up, connection logging on and,
#    as from PostgreSQL 15, no CREATE on schema public for PUBLIC) has no
#    issue, none of the checks below among them, and each of them is listed
#    in pghero.checks with the category and a severity it gives.
#  * A session running one query for longer than
#    pghero.long_running_query_sec is a long_running_query warning on its
#    pid (not with the default of 60 s); the pghero.cancel() call its
#    remediation gives cancels it, and the issue is gone.
#  * Client connections at pghero.total_connections_threshold are a
#    high_connections warning, critical once they take every slot ordinary
#    roles may use; gone once the sessions quit.
#  * A streaming standby whose replay is paused while the primary writes is
#    a replication_lag warning once it is more than 5 s behind, on the
#    standby (its own replay lag) and on the primary (the standby by its
#    application_name); gone once replay resumes.
#  * A physical slot nobody consumes, with max_slot_wal_keep_size below a
#    WAL segment: once its WAL is unreserved (a segment switch) it is a
#    slot_wal_status warning and an inactive_replication_slot warning; once
#    a checkpoint removed its WAL (lost) a critical slot_wal_status, no
#    longer an inactive slot; the pg_drop_replication_slot() call its
#    remediation gives makes both go.
#  * (PostgreSQL 15 and later) A database whose recorded collation version
#    (pg_database.datcollversion) differs from the one the library reports
#    is a collation_version_mismatch warning, gone after ALTER DATABASE ...
#    REFRESH COLLATION VERSION.
#  * 10,000 and more table block reads with shared_buffers far smaller than
#    the table are a cache_hit_rate info issue under the default threshold
#    (99 %), and with pghero.cache_hit_rate_threshold = 100; gone with
#    pghero.cache_hit_rate_threshold = 0, and after pg_stat_reset().
#  * log_disconnections turned off (ALTER SYSTEM, reload) is a
#    connection_logging_off info issue of the security category, read as
#    new sessions get the setting; the ALTER SYSTEM its remediation gives
#    makes it go.
#  * A pghero_reader login role sees each of these issues.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use PgheroSession;

my $wait_secs = 90;

my $node = PostgreSQL::Test::Cluster->new('checks');
# the server's major version (PostgreSQL 14's Cluster.pm has no pg_version)
my $pg_config = $node->installed_command('pg_config');
my ($pg_major) = qx{$pg_config --version} =~ /PostgreSQL (\d+)/
  or die "could not read the version of $pg_config";
# allows_streaming: wal_level replica, max_connections = 10,
# shared_buffers = 1MB.  From PostgreSQL 15 the databases get a collation
# provider that records a version (ICU), for collation_version_mismatch:
# the "C" locales of libc record none.
$node->init(
	allows_streaming => 1,
	extra => $pg_major >= 15
	? [ '--encoding=UTF8', '--locale=C.UTF-8', '--locale-provider=icu', '--icu-locale=en' ]
	: []);
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
pghero.check_interval = '1s'
});
# a clean server: no issue by itself (pg_hba.conf, connection logging, disk)
PgheroSession->clean_node($node);
$node->start;

# without pg_stat_statements the collector's statements capture fails;
# before PostgreSQL 15 PUBLIC may create in schema public (public_create)
$node->safe_psql('postgres', q{
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE ROLE regress_pghero_checks_reader LOGIN;
GRANT pghero_reader TO regress_pghero_checks_reader;
});

my $reader = 'regress_pghero_checks_reader';
my $collation_checked = $pg_major >= 15;

# Run SQL in a new session of $opt{node} (default the primary), as
# $opt{user}: its output, or "ERROR: ..." when it failed.  The warning every
# new session gets while the recorded collation version differs is no
# failure.
sub query
{
	my ($sql, %opt) = @_;
	my ($out, $err);
	my @extra = $opt{user} ? (extra_params => [ '-U', $opt{user} ]) : ();
	my $n = $opt{node} // $node;
	$n->psql('postgres', "SET statement_timeout = '10s';\n$sql",
		stdout => \$out, stderr => \$err, @extra);
	$err =~ s/^(?:WARNING|DETAIL|HINT):.*collation version.*\n?//mgi;
	return $err ? "ERROR: $err" : $out;
}

sub poll_until
{
	my ($sql, $expected, %opt) = @_;
	return PgheroSession->poll_until(sub { query($sql, %opt) },
		$expected, $wait_secs, $sql);
}

# The issue $key as "severity|category|listed" ("not listed" when
# pghero.checks does not give that severity and category for its check),
# or nothing; $opt{set} is run first
sub issue_sql
{
	my ($key, %opt) = @_;
	my $set = $opt{set} // '';
	return qq{$set
SELECT i.severity || '|' || i.category || '|'
	   || CASE WHEN i.severity = ANY (c.severities) AND i.category = c.category
			   THEN 'listed' ELSE 'not listed' END
FROM pghero.issues i LEFT JOIN pghero.checks c ON c.check_name = i.check_name
WHERE i.issue_key = '$key'};
}

# One column of the issue $key
sub issue_column
{
	my ($key, $column, %opt) = @_;
	my $set = $opt{set} // '';
	return query(qq{$set SELECT $column FROM pghero.issues WHERE issue_key = '$key'}, %opt);
}

# How many issues of check $check there are
sub count_sql
{
	my ($check, %opt) = @_;
	my $set = $opt{set} // '';
	return qq{$set SELECT count(*) FROM pghero.issues WHERE check_name = '$check'};
}

my @checks = qw(long_running_query high_connections replication_lag slot_wal_status
  inactive_replication_slot collation_version_mismatch cache_hit_rate
  connection_logging_off);
my $check_list = join(', ', map { "'$_'" } @checks);

#--------------------------------------------------------------------------
# A fresh server
#--------------------------------------------------------------------------

is(query(qq{SELECT count(*) FROM pghero.checks WHERE check_name IN ($check_list)}),
	scalar(@checks), 'pghero.checks lists the checks this test makes fire');
is(query(qq{SELECT count(*) FROM pghero.issues WHERE check_name IN ($check_list)}),
	'0', 'none of them fires on a fresh server');
ok(poll_until(q{SELECT worker_pid IS NOT NULL FROM pghero.collector LIMIT 1}, 't'),
	'the collector runs');
ok(poll_until(q{SELECT count(*) FROM pghero.issues}, '0'),
	'no issue at all on a fresh server')
  or diag(query(q{SELECT issue_key, description FROM pghero.issues}));

#--------------------------------------------------------------------------
# long_running_query
#--------------------------------------------------------------------------

my $lrq = q{SET pghero.long_running_query_sec = 1;};
my $sleeper = PgheroSession->new($node, application_name => 'regress_sleeper');
my $sleeper_pid = $sleeper->query('SELECT pg_backend_pid()')->[0];
$sleeper->send('SELECT pg_sleep(60);');
my $lrq_key = "long_running_query:postgres.$sleeper_pid";

ok(poll_until(issue_sql($lrq_key, set => $lrq), 'warning|performance|listed'),
	'a query running for more than 1 s is a long_running_query warning on its pid');
like(issue_column($lrq_key, 'description', set => $lrq),
	qr/^Session $sleeper_pid \(postgres\) has been running one query for .* \(pghero\.long_running_query_sec = 1\): .*Query: SELECT pg_sleep\(60\);/,
	'its description names the session, the threshold and the query');
my $lrq_fix = issue_column($lrq_key, 'remediation', set => $lrq);
like($lrq_fix,
	qr/^SELECT pghero\.cancel\($sleeper_pid, '[^']+'\); \(as pghero_admin\), and set a limit: ALTER ROLE postgres SET statement_timeout = '1s';$/,
	'its remediation cancels it and sets a statement_timeout');
is(query(issue_sql($lrq_key, set => $lrq), user => $reader),
	'warning|performance|listed', 'a reader sees it');
is(query(count_sql('long_running_query')), '0',
	'not with the default pghero.long_running_query_sec');

my ($cancel) = $lrq_fix =~ /^(SELECT pghero\.cancel\([^)]*\);)/;
is(query($cancel), 't', 'the cancel() of its remediation signals the session');
ok($sleeper->wait_for('err', qr/canceling statement due to user request/),
	'the query was cancelled');
ok(poll_until(count_sql('long_running_query', set => $lrq), '0'),
	'gone once cancelled');
is($sleeper->quit, 0, 'the cancelled session quits');

#--------------------------------------------------------------------------
# high_connections (max_connections = 10, 3 reserved for superusers: 7 for
# ordinary roles)
#--------------------------------------------------------------------------

my $hc = q{SET pghero.total_connections_threshold = 2;};
my @sessions;
for my $i (1 .. 3)
{
	push @sessions, PgheroSession->new($node, application_name => "regress_conn_$i");
	$sessions[-1]->query('SELECT 1');
}
# 3 sessions and the reading one
ok(poll_until(issue_sql('high_connections:', set => $hc), 'warning|capacity|listed'),
	'4 connections with pghero.total_connections_threshold = 2 are a high_connections warning');
like(issue_column('high_connections:', 'description', set => $hc),
	qr/^\d+ client connections are open \(pghero\.total_connections_threshold = 2\), of 7 that ordinary roles may open/,
	'its description gives the count, the threshold and the slots');
like(issue_column('high_connections:', 'remediation', set => $hc),
	qr/connection pooler \(PgBouncer\).*pghero\.connection_sources/,
	'its remediation suggests a pooler');
is(query(issue_sql('high_connections:', set => $hc), user => $reader),
	'warning|capacity|listed', 'a reader sees it');
is(query(count_sql('high_connections')), '0',
	'not with the default pghero.total_connections_threshold');
for my $i (4 .. 6)
{
	push @sessions, PgheroSession->new($node, application_name => "regress_conn_$i");
	$sessions[-1]->query('SELECT 1');
}
# 6 sessions and the reading one take the 7 slots of ordinary roles
ok(poll_until(issue_sql('high_connections:', set => $hc), 'critical|capacity|listed'),
	'critical once no slot is left for ordinary roles');
is($_->quit, 0, 'a connected session quits') for @sessions;
ok(poll_until(count_sql('high_connections', set => $hc), '0'),
	'gone once the sessions quit');

#--------------------------------------------------------------------------
# replication_lag: a streaming standby, its replay paused
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
CREATE TABLE regress_lag (id integer);
INSERT INTO regress_lag VALUES (1);
});
$node->backup('regress_backup');
my $standby = PostgreSQL::Test::Cluster->new('checks_standby');
$standby->init_from_backup($node, 'regress_backup', has_streaming => 1);
# report the replay position every second: the primary's replay_lag of a
# stuck standby grows at each report
$standby->append_conf('postgresql.conf', "wal_receiver_status_interval = 1\n");
$standby->start;
$node->safe_psql('postgres', q{INSERT INTO regress_lag VALUES (2);});
$node->wait_for_catchup($standby, 'replay', $node->lsn('insert'));
my $app = query(q{SELECT application_name FROM pghero.replication WHERE role = 'primary'});
isnt($app, '', "the primary streams to standby $app");
is(query(count_sql('replication_lag'), node => $standby), '0',
	'no replication_lag on the standby that caught up');

$standby->safe_psql('postgres', q{SELECT pg_wal_replay_pause();});
$node->safe_psql('postgres', q{INSERT INTO regress_lag VALUES (3);});
$node->wait_for_catchup($standby, 'write', $node->lsn('insert'));
ok(poll_until(q{SELECT pg_get_wal_replay_pause_state()}, 'paused', node => $standby),
	'the standby received the write and does not replay it');

ok(poll_until(issue_sql('replication_lag:'), 'warning|availability|listed', node => $standby),
	'more than 5 s behind, the standby has a replication_lag warning');
like(issue_column('replication_lag:', 'description', node => $standby),
	qr/^This standby replays .* behind its primary \(\d+ bytes; more than 5 seconds\): reads here see old data\.$/,
	'its description says the standby reads old data');
like(issue_column('replication_lag:', 'remediation', node => $standby),
	qr/max_standby_streaming_delay.*SELECT \* FROM pghero\.replication;/,
	'its remediation says where to look');
is(query(issue_sql('replication_lag:'), node => $standby, user => $reader),
	'warning|availability|listed', 'a reader sees it on the standby');
ok(poll_until(issue_sql("replication_lag:$app"), 'warning|availability|listed'),
	'the primary has a replication_lag warning on the standby');
like(issue_column("replication_lag:$app", 'description'),
	qr/^Standby \Q$app\E replays .* behind \(\d+ bytes; more than 5 seconds\): a failover to it would lose or wait for that much\.$/,
	'its description names the standby');
is(query(issue_sql("replication_lag:$app"), user => $reader),
	'warning|availability|listed', 'a reader sees it on the primary');

$standby->safe_psql('postgres', q{SELECT pg_wal_replay_resume();});
ok(poll_until(count_sql('replication_lag'), '0', node => $standby),
	'gone from the standby once replay resumes');
ok(poll_until(count_sql('replication_lag'), '0'), 'gone from the primary');
$standby->stop;

#--------------------------------------------------------------------------
# slot_wal_status and inactive_replication_slot: a physical slot nobody
# consumes, max_slot_wal_keep_size below one WAL segment
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
ALTER SYSTEM SET max_slot_wal_keep_size = '1MB';
SELECT pg_reload_conf();
});
ok(poll_until(q{SHOW max_slot_wal_keep_size}, '1MB'), 'max_slot_wal_keep_size is 1MB');
$node->safe_psql('postgres', q{
SELECT pg_create_physical_replication_slot('regress_checks_slot', true);
CREATE TABLE regress_wal (id integer);
INSERT INTO regress_wal SELECT generate_series(1, 1000);
SELECT pg_switch_wal();
});
# its segment is no longer kept, but no checkpoint removed it yet
ok(poll_until(
		q{SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'regress_checks_slot'},
		'unreserved'),
	'the slot\'s WAL is unreserved');
ok(poll_until(issue_sql('slot_wal_status:regress_checks_slot'), 'warning|availability|listed'),
	'an unreserved slot is a slot_wal_status warning');
like(issue_column('slot_wal_status:regress_checks_slot', 'description'),
	qr/^Replication slot regress_checks_slot retains more WAL than max_wal_size and the next checkpoint may remove WAL its consumer needs \(wal_status unreserved\)\.$/,
	'its description says the next checkpoint may remove its WAL');
like(issue_column('slot_wal_status:regress_checks_slot', 'remediation'),
	qr/raise max_slot_wal_keep_size/, 'its remediation raises max_slot_wal_keep_size');
is(query(issue_sql('inactive_replication_slot:regress_checks_slot')),
	'warning|capacity|listed', 'the slot is an inactive_replication_slot warning too');
like(issue_column('inactive_replication_slot:regress_checks_slot', 'remediation'),
	qr/^If no consumer will use it again: SELECT pg_drop_replication_slot\('regress_checks_slot'\);$/,
	'whose remediation drops it');
is(query(issue_sql('slot_wal_status:regress_checks_slot'), user => $reader),
	'warning|availability|listed', 'a reader sees it');

$node->safe_psql('postgres', q{
INSERT INTO regress_wal SELECT generate_series(1, 1000);
SELECT pg_switch_wal();
CHECKPOINT;
});
ok(poll_until(
		q{SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'regress_checks_slot'},
		'lost'),
	'the checkpoint removed the slot\'s WAL');
ok(poll_until(issue_sql('slot_wal_status:regress_checks_slot'), 'critical|availability|listed'),
	'a lost slot is a critical slot_wal_status');
like(issue_column('slot_wal_status:regress_checks_slot', 'description'),
	qr/^Replication slot regress_checks_slot has lost WAL its consumer still needed \(max_slot_wal_keep_size\)/,
	'its description says the slot lost WAL');
my $slot_fix = issue_column('slot_wal_status:regress_checks_slot', 'remediation');
like($slot_fix,
	qr/^SELECT pg_drop_replication_slot\('regress_checks_slot'\); then rebuild the standby/,
	'its remediation drops the slot and rebuilds the standby');
is(query(count_sql('inactive_replication_slot')), '0',
	'a lost slot is no inactive_replication_slot');
is(query(issue_sql('slot_wal_status:regress_checks_slot'), user => $reader),
	'critical|availability|listed', 'a reader sees it');

my ($drop) = $slot_fix =~ /^(SELECT pg_drop_replication_slot\([^)]*\);)/;
is(query($drop), '', 'the slot is dropped as its remediation says');
is(query(qq{SELECT count(*) FROM pghero.issues
		  WHERE check_name IN ('slot_wal_status', 'inactive_replication_slot')}),
	'0', 'gone once the slot is dropped');
$node->safe_psql('postgres', q{
ALTER SYSTEM RESET max_slot_wal_keep_size;
SELECT pg_reload_conf();
DROP TABLE regress_wal, regress_lag;
});

#--------------------------------------------------------------------------
# collation_version_mismatch (pg_database records versions from
# PostgreSQL 15)
#--------------------------------------------------------------------------

SKIP:
{
	skip 'pg_database records no collation version before PostgreSQL 15', 7
	  unless $collation_checked;

	my $version = query(q{SELECT datcollversion FROM pg_database WHERE datname = current_database()});
	isnt($version, '', "the database records collation version $version");
	is(query(q{SELECT datcollversion = pg_database_collation_actual_version(oid)
			   FROM pg_database WHERE datname = current_database()}),
		't', 'the library reports that version');
	$node->safe_psql('postgres',
		q{UPDATE pg_database SET datcollversion = 'bogus' WHERE datname = current_database()});
	is(query(issue_sql('collation_version_mismatch:postgres')), 'warning|maintenance|listed',
		'a recorded version the library does not report is a collation_version_mismatch warning');
	like(issue_column('collation_version_mismatch:postgres', 'description'),
		qr/^Database postgres was created with collation version bogus but the operating system now provides \Q$version\E: indexes on text columns may be corrupt/,
		'its description gives both versions');
	like(issue_column('collation_version_mismatch:postgres', 'remediation'),
		qr/REINDEX DATABASE postgres; then ALTER DATABASE postgres REFRESH COLLATION VERSION;$/,
		'its remediation reindexes and refreshes the version');
	is(query(issue_sql('collation_version_mismatch:postgres'), user => $reader),
		'warning|maintenance|listed', 'a reader sees it');
	$node->safe_psql('postgres', q{ALTER DATABASE postgres REFRESH COLLATION VERSION});
	is(query(count_sql('collation_version_mismatch')), '0',
		'gone after ALTER DATABASE ... REFRESH COLLATION VERSION');
}

#--------------------------------------------------------------------------
# cache_hit_rate: a table of 1,000 pages, 8 times shared_buffers (1MB),
# scanned 11 times (sequential scans of it go through a small ring)
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
CREATE TABLE regress_cache (id integer, pad text);
INSERT INTO regress_cache SELECT g, repeat('x', 1500) FROM generate_series(1, 5000) g;
});
my $pages = query(q{SELECT pg_relation_size('regress_cache') / current_setting('block_size')::integer});
cmp_ok($pages, '>=', 1000, "the table has $pages pages");
$node->safe_psql('postgres', 'SELECT count(*) FROM regress_cache;' x 11);
ok(poll_until(issue_sql('cache_hit_rate:postgres.table'), 'info|performance|listed'),
	'more than 10,000 table block reads, mostly not from shared buffers, are a cache_hit_rate info issue');
is(query(q{SELECT (details->>'blocks_hit')::bigint + (details->>'blocks_read')::bigint >= 10000
				  AND (details->>'hit_rate')::numeric < 99 AND (details->>'threshold')::numeric = 99
		   FROM pghero.issues WHERE issue_key = 'cache_hit_rate:postgres.table'}),
	't', 'its details give the block reads, the rate and the default threshold');
like(issue_column('cache_hit_rate:postgres.table', 'description'),
	qr/^Only [\d.]+% of table block reads are served from shared buffers \(pghero\.cache_hit_rate_threshold = 99\)/,
	'its description gives the rate and the threshold');
like(issue_column('cache_hit_rate:postgres.table', 'remediation'),
	qr/^Raise shared_buffers/, 'its remediation raises shared_buffers');
is(query(issue_sql('cache_hit_rate:postgres.table'), user => $reader),
	'info|performance|listed', 'a reader sees it');
is(query(issue_sql('cache_hit_rate:postgres.table', set => q{SET pghero.cache_hit_rate_threshold = 100;})),
	'info|performance|listed', 'and with pghero.cache_hit_rate_threshold = 100');
is(query(count_sql('cache_hit_rate', set => q{SET pghero.cache_hit_rate_threshold = 0;})),
	'0', 'not with pghero.cache_hit_rate_threshold = 0');
$node->safe_psql('postgres', q{SELECT pg_stat_reset()});
ok(poll_until(count_sql('cache_hit_rate'), '0'), 'gone after pg_stat_reset()');
$node->safe_psql('postgres', q{DROP TABLE regress_cache});

#--------------------------------------------------------------------------
# connection_logging_off
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
ALTER SYSTEM SET log_disconnections = off;
SELECT pg_reload_conf();
});
ok(poll_until(issue_sql('connection_logging_off:log_disconnections'), 'info|security|listed'),
	'log_disconnections off is a connection_logging_off info issue');
like(issue_column('connection_logging_off:log_disconnections', 'description'),
	qr/^log_disconnections is off: after an intrusion, the server log cannot tell who disconnected/,
	'its description says what the log misses');
my $log_fix = issue_column('connection_logging_off:log_disconnections', 'remediation');
like($log_fix,
	qr/^ALTER SYSTEM SET log_disconnections = on; SELECT pg_reload_conf\(\);/,
	'its remediation turns it on again');
is(query(issue_sql('connection_logging_off:log_disconnections'), user => $reader),
	'info|security|listed', 'a reader sees it');
is(query(count_sql('connection_logging_off')), '1', 'log_connections is still on');
my ($log_on) = $log_fix =~ /^(ALTER SYSTEM SET [^;]*;)/;
$node->safe_psql('postgres', "$log_on\nSELECT pg_reload_conf();");
ok(poll_until(count_sql('connection_logging_off'), '0'), 'gone once back on');
$node->safe_psql('postgres', q{
ALTER SYSTEM RESET log_disconnections;
SELECT pg_reload_conf();
});

ok(poll_until(q{SELECT count(*) FROM pghero.issues}, '0'), 'no issue left')
  or diag(query(q{SELECT issue_key, description FROM pghero.issues}));

$node->stop;
done_testing();
