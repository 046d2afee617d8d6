# Copyright (c) pghero contributors
#
# 003_no_preload.pl
#	pghero on a server that preloads nothing.
#
# What this test proves:
#   - CREATE EXTENSION pghero works without shared_preload_libraries;
#   - every view (enumerated from the catalog) except the two built on
#     pg_stat_statements can be selected;
#   - the library, and so the pghero.* settings, are loaded on demand by
#     the views, and a value SET before the load is kept;
#   - query_stats and slow_queries fail with a clear message and a hint
#     naming shared_preload_libraries, both while pg_stat_statements is not
#     installed and once it is installed but not loaded, and
#     reset_query_stats fails without writing the audit log;
#   - pghero.issues says nothing about the collector or pg_stat_statements,
#     and health() is ok (on a server without security findings).

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use PgheroSession;

my $node = PostgreSQL::Test::Cluster->new('no_preload');
$node->init;
# no issue by itself (pg_hba.conf, disk): health() below is about the rest
PgheroSession->clean_node($node);
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'),
	'', 'no library is preloaded');

# Run SQL in a new session; returns ($ret, $stdout, $stderr).  Errors are
# reported with SQLSTATE, DETAIL and HINT (VERBOSITY=verbose).
sub run_sql
{
	my ($sql) = @_;
	return $node->psql(
		'postgres', $sql,
		on_error_stop => 1,
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
}

my ($ret, $out, $err) = run_sql('CREATE EXTENSION pghero');
is($ret, 0, 'CREATE EXTENSION pghero works without preloading')
  or diag($err);

#
# Every view but the pg_stat_statements ones works
#
my @views = split /\n/, $node->safe_psql(
	'postgres', q{
	SELECT c.relname FROM pg_class c
	WHERE c.relnamespace = 'pghero'::regnamespace AND c.relkind = 'v'
	  AND c.relname NOT IN ('query_stats', 'slow_queries')
	ORDER BY c.relname COLLATE "C"});
cmp_ok(scalar(@views), '>', 20, 'more than 20 views enumerated');

sub check_views
{
	my ($when) = @_;
	foreach my $view (@views)
	{
		($ret, $out, $err) =
		  run_sql("SELECT count(*) >= 0 FROM pghero.\"$view\"");
		ok($ret == 0 && $out eq 't', "$when: pghero.$view can be selected")
		  or diag("ret $ret, stderr: $err");
	}
}
check_views('without pg_stat_statements');

#
# The library is loaded on demand
#
($ret, $out, $err) = run_sql('SHOW pghero.slow_query_ms');
like(
	$err,
	qr/unrecognized configuration parameter "pghero.slow_query_ms"/,
	'control: a new session has not loaded the library');

($ret, $out, $err) = run_sql(
	'SELECT count(*) >= 0 FROM pghero.long_running_queries; SHOW pghero.slow_query_ms;');
is($ret, 0, 'SHOW pghero.slow_query_ms works after selecting a view')
  or diag($err);
is($out, "t\n20ms", 'pghero.slow_query_ms has its default once loaded');

is( $node->safe_psql(
		'postgres', q{
		SET pghero.long_running_query_sec = 7;
		SELECT long_running_query_sec FROM pghero.config();
		SHOW pghero.long_running_query_sec;}),
	"7\n7s",
	'a pghero setting SET before the library is loaded is kept');

#
# query_stats without pg_stat_statements
#
foreach my $view ('query_stats', 'slow_queries')
{
	($ret, $out, $err) = run_sql("SELECT * FROM pghero.$view");
	isnt($ret, 0, "$view fails without pg_stat_statements");
	like(
		$err,
		qr/ERROR:\s+55000: pg_stat_statements is not installed in database "postgres"/,
		"$view: error says pg_stat_statements is not installed");
	like(
		$err,
		qr/HINT:\s+.*shared_preload_libraries/,
		"$view: hint mentions shared_preload_libraries");
}

($ret, $out, $err) = run_sql('SELECT pghero.reset_query_stats(all_statements => true)');
like(
	$err,
	qr/ERROR:\s+55000: pg_stat_statements is not installed in database "postgres"/,
	'reset_query_stats fails without pg_stat_statements');

#
# pg_stat_statements installed but not loaded
#
($ret, $out, $err) = run_sql('CREATE EXTENSION pg_stat_statements');
is($ret, 0, 'CREATE EXTENSION pg_stat_statements works without preloading')
  or diag($err);

foreach my $view ('query_stats', 'slow_queries')
{
	($ret, $out, $err) = run_sql("SELECT * FROM pghero.$view");
	isnt($ret, 0, "$view fails with pg_stat_statements not loaded");
	like(
		$err,
		qr/ERROR:\s+55000: pg_stat_statements is installed but not loaded/,
		"$view: error says pg_stat_statements is installed but not loaded");
	like(
		$err,
		qr/DETAIL:\s+pg_stat_statements must be loaded via "?shared_preload_libraries"?/,
		"$view: detail carries pg_stat_statements' own message");
	like(
		$err,
		qr/HINT:\s+.*shared_preload_libraries/,
		"$view: hint mentions shared_preload_libraries");
}

($ret, $out, $err) = run_sql('SELECT pghero.reset_query_stats(all_statements => true)');
isnt($ret, 0, 'reset_query_stats fails with pg_stat_statements not loaded');
like($err, qr/ERROR:\s+55000: .*shared_preload_libraries/,
	'reset_query_stats: error mentions shared_preload_libraries');

is($node->safe_psql('postgres', 'SELECT count(*) FROM pghero_internal.audit_log'),
	'0', 'failed resets wrote nothing to the audit log');

check_views('with pg_stat_statements not loaded');

# pghero.issues says nothing about a worker that cannot run, nor about the
# statements it cannot read
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FROM pghero.issues
		WHERE check_name IN ('collector_not_running', 'collector_failing',
							 'slow_query', 'statements_deallocating')}),
	'0',
	'issues: nothing about the collector or pg_stat_statements without preloading');
# (before PostgreSQL 15 every role may create in schema public: a
# public_create warning, the database's and not this test's)
$node->safe_psql('postgres', 'REVOKE CREATE ON SCHEMA public FROM PUBLIC');
is($node->safe_psql('postgres', 'SELECT status FROM pghero.health()'),
	'ok', 'health() works without preloading');

# activity sampling says that it needs the preload, and fails nothing
is( $node->safe_psql(
		'postgres', q{
		SELECT w.written || ' ' || w.note || ' ' || pghero_internal._activity_sample()::text
		FROM pghero_internal._capture_activity() w}),
	'0 pghero is not loaded via "shared_preload_libraries": no activity is sampled false',
	'the activity source writes nothing and says pghero is not preloaded');
is( $node->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) FROM pghero.activity_history)
			 + (SELECT count(*) FROM pghero.session_log)
			 + (SELECT count(*) FROM pghero.wait_events())
			 + (SELECT count(*) FROM pghero.active_sessions())}),
	'0', 'the sampling readers show no rows without preloading');

$node->stop;

done_testing();
