# Copyright (c) pghero contributors
#
# 015_grafana.pl
#	The Grafana dashboard contrib/grafana/pghero-dashboard.json, as
#	installed by make install, against a server with some history.
#
# What this test proves:
#   - the dashboard is installed into the extension's share directory, is
#     valid JSON for import (schemaVersion, a PostgreSQL data source input
#     DS_POSTGRESQL that every panel and query uses);
#   - every panel's SQL, with Grafana's macros expanded as Grafana's
#     PostgreSQL data source expands them ($__timeFilter(x) -> x BETWEEN
#     '<from>' AND '<to>', $__timeFrom(), $__timeTo(), $__interval,
#     $__interval_ms, $__timeGroup...), runs as a login role that is only a
#     member of pghero_reader, and returns rows once the collector has
#     captured (pghero.capture() by hand);
#   - every time series reads a history view of schema pghero filtered with
#     $__timeFilter(bucket_start) and returns bucket_start AS "time".

use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use IPC::Run;
use JSON::PP;
use PgheroSession;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

# The dashboard as make install put it (pg_config of the binaries under
# test is first on PATH)
my ($sharedir, $pg_config_err);
IPC::Run::run([ 'pg_config', '--sharedir' ],
	'>', \$sharedir, '2>', \$pg_config_err)
  or die "pg_config --sharedir failed: $pg_config_err";
chomp $sharedir;
my $file = "$sharedir/extension/pghero-dashboard.json";
ok(-f $file, "make install put the dashboard into $sharedir/extension");
my $dashboard = decode_json(slurp_file($file));

cmp_ok($dashboard->{schemaVersion}, '>=', 36, 'schemaVersion');
is_deeply(
	[ map { "$_->{name}:$_->{type}:$_->{pluginId}" } @{ $dashboard->{__inputs} } ],
	['DS_POSTGRESQL:datasource:grafana-postgresql-datasource'],
	'one input: the PostgreSQL data source DS_POSTGRESQL');

# Every panel, rows' panels included
my @panels;
for my $p (@{ $dashboard->{panels} })
{
	push @panels, $p, @{ $p->{panels} // [] };
}
my @queried = grep { $_->{targets} } @panels;
cmp_ok(scalar @queried, '>=', 10, 'the dashboard has its panels');

my $node = PostgreSQL::Test::Cluster->new('grafana');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = top
pghero.enabled = off
});
$node->start;
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE ROLE grafana LOGIN;
GRANT pghero_reader TO grafana;
CREATE TABLE t AS SELECT g AS x FROM generate_series(1, 1000) g;
});

# History of every kind: capture until database activity shows (it reaches
# pg_stat_database when a session's statistics are flushed)
ok( PgheroSession->poll_until(
		sub {
			$node->safe_psql('postgres', 'SELECT count(*) FROM pghero.capture()');
			$node->safe_psql('postgres', 'SELECT count(*) FROM t');
			sleep(0.5);
			return $node->safe_psql(
				'postgres', q{
				SELECT (SELECT count(*) > 0 FROM pghero.database_activity_history)
				   AND (SELECT count(*) > 0 FROM pghero.query_stats_history)
				   AND (SELECT count(*) > 0 FROM pghero.instance_activity_history)});
		},
		't', 60, 'history captured'),
	'history is captured by hand');

# The range of the dashboard: the last hour, as Grafana sends it
my ($from, $to) = split /\|/,
  $node->safe_psql('postgres',
	q{SELECT to_char((now() - interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
			 to_char((now() + interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')});

# Grafana's macros of the PostgreSQL data source
sub expand
{
	my ($sql) = @_;
	$sql =~ s/\$__timeFilter\(([^)]+)\)/$1 BETWEEN '$from' AND '$to'/g;
	$sql =~ s/\$__timeFrom\(\)/'$from'/g;
	$sql =~ s/\$__timeTo\(\)/'$to'/g;
	$sql =~ s/\$__timeGroupAlias\(([^,]+),[^)]*\)/floor(extract(epoch from $1)\/60)*60 AS "time"/g;
	$sql =~ s/\$__timeGroup\(([^,]+),[^)]*\)/floor(extract(epoch from $1)\/60)*60/g;
	$sql =~ s/\$__interval_ms\b/60000/g;
	$sql =~ s/\$__interval\b/1m/g;
	return $sql;
}

for my $p (@queried)
{
	my $title = $p->{title};
	is($p->{datasource}{uid}, '${DS_POSTGRESQL}', "$title: data source DS_POSTGRESQL");
	for my $t (@{ $p->{targets} })
	{
		is($t->{datasource}{uid}, '${DS_POSTGRESQL}', "$title/$t->{refId}: data source DS_POSTGRESQL");
		ok($t->{rawQuery}, "$title/$t->{refId}: raw SQL");
		my $raw = $t->{rawSql};
		if ($t->{format} eq 'time_series')
		{
			like($raw, qr/\$__timeFilter\((?:\w+\.)?bucket_start\)/,
				"$title: filtered with \$__timeFilter(bucket_start)");
			like($raw, qr/bucket_start AS "time"/, "$title: bucket_start AS \"time\"");
		}
		like($raw,
			qr/\bpghero\.(?:query_stats_history|database_activity_history|instance_activity_history|relation_size_history|database_size_history|collector_runs)\b/,
			"$title: reads a history view");
		my $sql = expand($raw);
		unlike($sql, qr/\$/, "$title: every macro is expanded");
		my ($ret, $out, $err) = $node->psql(
			'postgres', $sql,
			on_error_stop => 1,
			extra_params => [ '-U', 'grafana' ]);
		is($ret, 0, "$title: runs as a pghero_reader") or diag("$err\n$sql");
		is($err, '', "$title: without a message");
		isnt($out, '', "$title: returns rows");
	}
}

done_testing();
