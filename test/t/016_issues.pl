
# Copyright (c) pghero contributors

# 016_issues.pl -- the checks of pghero.issues that need a server state.
#
# What this proves:
#  * A fresh server with the collector running (evaluating the checks every
#    second, opening and resolving issues at once) has no issue, and
#    health() says ok from the collector's tracked issues.
#  * A lock queue (an ALTER TABLE waiting for ACCESS EXCLUSIVE behind an
#    open transaction, with a reader queued behind the ALTER) is a critical
#    lock_queue issue on the table, and health() says critical; the open
#    transaction holding back the xmin horizon is an xmin_horizon issue on
#    its pid, and the idle-in-transaction count a high_idle_in_transaction
#    issue; a pghero_reader sees them.  Once the transaction ends, they are
#    gone.
#  * A prepared transaction older than pghero.prepared_xact_age is a
#    prepared_transaction issue until it is rolled back.
#  * A failing archive_command is a critical wal_archiving_failing issue,
#    gone once archiving succeeds again.
#  * A setting changed to a value that needs a restart is an info
#    settings_pending_restart issue, gone once the change is reverted.
#  * A collector that was terminated is a collector_not_running issue until
#    pghero.start_collector() starts it again.
#  * Then health() says ok again.
#  * pg_stat_statements full and evicting entries is a
#    statements_deallocating issue, gone after pg_stat_statements_reset().

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use PgheroSession;

my $wait_secs = 90;

my $node = PostgreSQL::Test::Cluster->new('issues');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
max_prepared_transactions = 2
pg_stat_statements.max = 100
wal_level = replica
archive_mode = on
archive_command = 'true'
pghero.check_interval = '1s'
pghero.issue_open_after = 0
pghero.issue_resolve_after = 0
pghero.lock_wait_threshold = 0
});
# a clean server: no issue by itself (pg_hba.conf, disk)
PgheroSession->clean_node($node);
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE ROLE regress_pghero_issues_reader LOGIN;
GRANT pghero_reader TO regress_pghero_issues_reader;
CREATE TABLE regress_queue (id integer);
INSERT INTO regress_queue SELECT generate_series(1, 10);
-- before PostgreSQL 15 every role may create in schema public
-- (public_create): not a clean server
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
});

sub query
{
	my ($sql, %opt) = @_;
	my ($out, $err);
	my @extra = $opt{user} ? (extra_params => [ '-U', $opt{user} ]) : ();
	$node->psql('postgres', "SET statement_timeout = '10s';\n$sql",
		stdout => \$out, stderr => \$err, @extra);
	return $err ? "ERROR: $err" : $out;
}

sub poll_until
{
	my ($sql, $expected, %opt) = @_;
	return PgheroSession->poll_until(sub { query($sql, %opt) },
		$expected, $wait_secs, $sql);
}

# the thresholds the checks below use, set in each checking session
my $low = q{SET pghero.lock_wait_threshold = 0;
SET pghero.xmin_horizon_age = 1;
SET pghero.idle_in_transaction_threshold = 1;
SET pghero.prepared_xact_age = 0;};

#--------------------------------------------------------------------------
# A fresh server
#--------------------------------------------------------------------------

ok(poll_until(q{SELECT worker_pid IS NOT NULL FROM pghero.collector LIMIT 1}, 't'),
	'the collector runs');
ok(poll_until(q{SELECT count(*) FROM pghero.issues}, '0'),
	'no issue on a fresh server');
ok(poll_until(q{SELECT pghero.health()}, '(ok,0,0,0,t)'),
	'health() is ok, from the issues the collector tracks');

#--------------------------------------------------------------------------
# Lock queue, xmin horizon, idle in transaction
#--------------------------------------------------------------------------

my $holder = PgheroSession->new($node, application_name => 'regress_holder');
my $holder_pid = $holder->query('SELECT pg_backend_pid()')->[0];
$holder->query('BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM regress_queue;');
my $alter = PgheroSession->new($node, application_name => 'regress_alter');
my $alter_pid = $alter->query('SELECT pg_backend_pid()')->[0];
$alter->send('ALTER TABLE regress_queue ADD COLUMN v integer;');
my $reader = PgheroSession->new($node, application_name => 'regress_reader');
$reader->send('SELECT count(*) FROM regress_queue;');
# new transaction IDs age the holder's snapshot
$node->safe_psql('postgres', 'SELECT txid_current()') for 1 .. 3;

ok( poll_until(
		qq{$low SELECT severity || ' ' || (details->>'pid') FROM pghero.issues
		   WHERE issue_key = 'lock_queue:postgres.public.regress_queue'},
		"critical $alter_pid"),
	'the queued ALTER TABLE is a critical lock queue');
like(query(qq{$low SELECT description FROM pghero.issues WHERE check_name = 'lock_queue'}),
	qr/^Session $alter_pid has waited .* for an ACCESS EXCLUSIVE lock on public\.regress_queue, behind session\(s\) $holder_pid, and 1 other session\(s\) now queue behind it/,
	'its description says who waits behind whom');
like(query(qq{$low SELECT remediation FROM pghero.issues WHERE check_name = 'lock_queue'}),
	qr/SELECT pghero\.cancel\($alter_pid\)/, 'its remediation cancels the waiting statement');
# health() follows the collector's evaluation, with the server's
# thresholds (pghero.lock_wait_threshold = 0 here), not this session's
ok(poll_until(q{SELECT status FROM pghero.health()}, 'critical'), 'health() is critical');
is( query(
		qq{$low SELECT severity FROM pghero.issues WHERE issue_key = 'xmin_horizon:postgres.$holder_pid'}),
	'warning',
	'the open transaction holds back the xmin horizon');
is( query(
		qq{$low SELECT count(*) FROM pghero.issues WHERE issue_key = 'high_idle_in_transaction:'}),
	'1',
	'sessions idle in transaction are counted');
is( query(
		qq{$low SELECT string_agg(check_name, ',' ORDER BY check_name) FROM pghero.issues
		   WHERE (check_name = 'lock_queue' AND (details->>'pid')::integer = $alter_pid)
		      OR (check_name = 'xmin_horizon' AND object = '$holder_pid')},
		user => 'regress_pghero_issues_reader'),
	'lock_queue,xmin_horizon',
	'a reader sees them');

$holder->query('ROLLBACK');
ok($reader->wait_for('out', qr/^10$/m), 'the queued reader finishes');
ok( poll_until(
		qq{$low SELECT count(*) FROM pghero.issues
		   WHERE check_name IN ('lock_queue', 'xmin_horizon', 'high_idle_in_transaction')},
		'0'),
	'the lock queue, the old snapshot and the idle transaction are gone');
$_->quit for ($holder, $alter, $reader);

#--------------------------------------------------------------------------
# Prepared transactions
#--------------------------------------------------------------------------

$node->safe_psql('postgres',
	q{BEGIN; CREATE TABLE regress_prepared (); PREPARE TRANSACTION 'regress_gid';});
is( query(
		qq{$low SELECT severity || ' ' || category FROM pghero.issues
		   WHERE issue_key = 'prepared_transaction:postgres.regress_gid'}),
	'warning maintenance',
	'an old prepared transaction is an issue');
like(query(qq{$low SELECT remediation FROM pghero.issues WHERE check_name = 'prepared_transaction'}),
	qr/ROLLBACK PREPARED 'regress_gid'/, 'its remediation names it');
is(query(q{SELECT count(*) FROM pghero.issues WHERE check_name = 'prepared_transaction'}),
	'0', 'not with the default pghero.prepared_xact_age');
$node->safe_psql('postgres', q{ROLLBACK PREPARED 'regress_gid'});
is(query(qq{$low SELECT count(*) FROM pghero.issues WHERE check_name = 'prepared_transaction'}),
	'0', 'gone once rolled back');

#--------------------------------------------------------------------------
# WAL archiving failing
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
ALTER SYSTEM SET archive_command = 'false';
SELECT pg_reload_conf();
});
$node->safe_psql('postgres', q{CREATE TABLE regress_wal (); SELECT pg_switch_wal();});
ok( poll_until(
		q{SELECT severity FROM pghero.issues WHERE issue_key = 'wal_archiving_failing:'},
		'critical'),
	'failing archiving is critical');
ok(poll_until(q{SELECT status FROM pghero.health()}, 'critical'), 'health() is critical');
$node->safe_psql('postgres', q{
ALTER SYSTEM RESET archive_command;
SELECT pg_reload_conf();
});
ok( poll_until(
		q{SELECT count(*) FROM pghero.issues WHERE check_name = 'wal_archiving_failing'}, '0'),
	'gone once archiving succeeds');

#--------------------------------------------------------------------------
# Settings pending restart
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
ALTER SYSTEM SET max_prepared_transactions = 3;
SELECT pg_reload_conf();
});
ok( poll_until(
		q{SELECT severity FROM pghero.issues
		  WHERE issue_key = 'settings_pending_restart:max_prepared_transactions'},
		'info'),
	'a setting pending restart is an info issue');
$node->safe_psql('postgres', q{
ALTER SYSTEM RESET max_prepared_transactions;
SELECT pg_reload_conf();
});
ok( poll_until(
		q{SELECT count(*) FROM pghero.issues WHERE check_name = 'settings_pending_restart'}, '0'),
	'gone once reverted');

#--------------------------------------------------------------------------
# The collector not running (it is started again 10 s after it exited)
#--------------------------------------------------------------------------

$node->safe_psql('postgres',
	q{SELECT pg_terminate_backend(worker_pid) FROM pghero.collector WHERE worker_pid IS NOT NULL LIMIT 1});
ok( poll_until(
		q{SELECT severity FROM pghero.issues WHERE issue_key = 'collector_not_running:postgres'},
		'warning'),
	'a collector that does not run is an issue');
$node->safe_psql('postgres', q{SELECT pghero.start_collector()});
ok( poll_until(
		q{SELECT count(*) FROM pghero.issues WHERE check_name = 'collector_not_running'}, '0'),
	'gone once it runs again');

ok(poll_until(q{SELECT status FROM pghero.health()}, 'ok'), 'health() is ok again');

#--------------------------------------------------------------------------
# pg_stat_statements full and evicting (pg_stat_statements.max = 100 here)
#--------------------------------------------------------------------------

$node->safe_psql('postgres',
	join('', map { "CREATE TEMP TABLE regress_pgss_$_ (a integer);\n" } 1 .. 150));
ok( poll_until(
		q{SELECT severity || ' ' || (details->>'max') FROM pghero.issues
		  WHERE issue_key = 'statements_deallocating:pg_stat_statements.max'},
		'warning 100'),
	'pg_stat_statements evicting entries is an issue');
$node->safe_psql('postgres', q{SELECT pg_stat_statements_reset()});
is(query(q{SELECT count(*) FROM pghero.issues WHERE check_name = 'statements_deallocating'}),
	'0', 'gone once pg_stat_statements is reset');

$node->stop;
done_testing();
