# Copyright (c) pghero contributors
#
# 012_postgres_exporter.pl
#	Prometheus' postgres_exporter (Debian's prometheus-postgres-exporter)
#	serving pghero's queries file, as installed by make install.
#
# What this test proves:
#   - contrib/postgres_exporter/pghero_queries.yaml is installed into the
#     extension's share directory and the exporter loads it without error
#     (pg_exporter_user_queries_load_error 0);
#   - every query of it runs as a login role that is only a member of
#     pghero_reader: the scrape does not error (pg_up 1,
#     pg_exporter_last_scrape_error 0, no error line in the exporter's
#     log), and every namespace of the file yields its metrics;
#   - the values served are the views' values for the same things, read as
#     the same role once the exporter is stopped: seeded findings (an
#     invalid index, a NOT VALID constraint, a smallserial past 90 % of its
#     range, a session idle in transaction holding a lock, a session
#     blocked by it, both long running for that role), connections,
#     wraparound, replication, a seeded statement's counters among the top
#     10, the latest database activity captured by hand, every database's
#     size, the sizes of the 20 largest relations, and the collector's
#     health per source and pg_stat_statements' fill, the current issues
#     per check and severity (a series for every pair pghero.checks lists,
#     0 when none) and health(); values that move
#     between the scrape and the check (cache hit rates, seconds since a
#     source's success) within bounds;
#   - the labels are bounded: 10 statements, 20 relations, no query text.
#
# Skipped only when the exporter's binary is missing (scripts/test installs
# the package; PGHERO_POSTGRES_EXPORTER names another binary).

use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use HTTP::Tiny;
use IPC::Run;
use PgheroSession;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

# The exporter: PGHERO_POSTGRES_EXPORTER, else Debian's binary on PATH or
# in /usr/bin
my $exporter = $ENV{PGHERO_POSTGRES_EXPORTER};
if (!defined $exporter)
{
	for my $dir (split(/:/, $ENV{PATH} // ''), '/usr/bin')
	{
		if (-x "$dir/prometheus-postgres-exporter")
		{
			$exporter = "$dir/prometheus-postgres-exporter";
			last;
		}
	}
}
plan skip_all =>
  'prometheus-postgres-exporter is not installed (apt-get install prometheus-postgres-exporter)'
  unless defined $exporter && -x $exporter;

# The queries file as make install put it (pg_config of the binaries under
# test is first on PATH)
my ($sharedir, $pg_config_err);
IPC::Run::run([ 'pg_config', '--sharedir' ],
	'>', \$sharedir, '2>', \$pg_config_err)
  or die "pg_config --sharedir failed: $pg_config_err";
chomp $sharedir;
my $queries = "$sharedir/extension/pghero_queries.yaml";
ok(-f $queries, "make install put the queries file into $sharedir/extension");

my $node = PostgreSQL::Test::Cluster->new('exporter');
$node->init;
# No collector and no autovacuum: the history and the sizes change only
# when the test says so
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = top
pghero.enabled = off
autovacuum = off
});
$node->start;

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
-- the exporter's role: a login role that is only a member of pghero_reader
CREATE ROLE exporter LOGIN;
GRANT pghero_reader TO exporter;
ALTER ROLE exporter SET pghero.long_running_query_sec = 1;
CREATE ROLE app LOGIN;
-- findings: a NOT VALID constraint, a smallserial at 30000 of 32767
-- (91.6 %), an invalid index (below)
CREATE TABLE findings (id smallserial PRIMARY KEY, x integer);
INSERT INTO findings (x) VALUES (1), (1);
SELECT setval('findings_id_seq', 30000);
ALTER TABLE findings ADD CONSTRAINT findings_x_positive CHECK (x > 0) NOT VALID;
-- a table to hold a lock on
CREATE TABLE lockme (x integer);
GRANT INSERT ON lockme TO app;
-- more relations than the 20 largest served, of different sizes
SELECT format('CREATE TABLE sized_%s AS SELECT g FROM generate_series(1, %s) g', n, n * 500)
FROM generate_series(1, 25) n \gexec
});
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	'CREATE UNIQUE INDEX CONCURRENTLY findings_x_unique ON findings (x)');
isnt($ret, 0, 'a failed CREATE INDEX CONCURRENTLY leaves an invalid index');
is( $node->safe_psql(
		'postgres', q{
		SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls,
			   (SELECT string_agg(roleid::regrole::text, ',') FROM pg_auth_members
				WHERE member = 'exporter'::regrole)
		FROM pg_roles WHERE rolname = 'exporter'}),
	'f|pghero_reader',
	'the exporter role is a plain role, member of pghero_reader only');

# Run SQL as the exporter's role
sub as_exporter
{
	my ($sql) = @_;
	return $node->safe_psql('postgres', $sql,
		extra_params => [ '-U', 'exporter' ]);
}

# A statement with a known count and a large total time, among the top 10
$node->safe_psql('postgres', 'SELECT pg_sleep(0.3)', extra_params => [ '-U', 'app' ])
  for 1 .. 3;

# History of database activity, captured by hand: the source records a
# database once it has seen its counters move (they reach pg_stat_database
# when a session's statistics are flushed)
ok( PgheroSession->poll_until(
		sub {
			$node->safe_psql('postgres', 'SELECT count(*) FROM pghero.capture()');
			sleep(0.5);
			return $node->safe_psql(
				'postgres', q{
				SELECT count(*) > 0 FROM pghero.database_activity_history
				WHERE tier = 'raw' AND database = 'postgres'});
		},
		't', 60, 'database activity captured'),
	'database activity is captured by hand');

# A session idle in transaction holding a lock, a session waiting for it;
# both long running for the exporter's role (1 s)
my $holder = PgheroSession->new($node, application_name => 'holder');
$holder->query('BEGIN; LOCK TABLE lockme IN SHARE MODE;');
my $waiter = PgheroSession->new($node, application_name => 'waiter');
$waiter->query('SET ROLE app');
$waiter->send('INSERT INTO lockme VALUES (1);');
ok( PgheroSession->poll_until(
		sub {
			as_exporter(
				q{SELECT (SELECT count(*) FROM pghero.long_running_queries)
						 || ',' || (SELECT count(*) FROM pghero.blocked_queries)});
		},
		'2,1', 30, 'the holder and the waiter are long running, the waiter blocked'),
	'a session holds a lock, another waits for it, both long running');

#
# The exporter, on a free loopback port, with pghero's queries only
#
my $http_port = PostgreSQL::Test::Cluster::get_free_port();
my $url = "http://127.0.0.1:$http_port/metrics";
my ($exp_out, $exp_err) = ('', '');
my $exporter_h;
{
	local $ENV{DATA_SOURCE_NAME} =
		'host=' . $node->host . ' port=' . $node->port
	  . ' user=exporter dbname=postgres sslmode=disable';
	$exporter_h = IPC::Run::start(
		[
			$exporter, "--web.listen-address=127.0.0.1:$http_port",
			"--extend.query-path=$queries", '--disable-default-metrics',
			'--disable-settings-metrics', '--no-collector.database',
			'--no-collector.bgwriter', '--log.level=info'
		],
		'<', \undef, '>', \$exp_out, '2>', \$exp_err);
}

# Fetch /metrics, waiting for the exporter to listen
my $http = HTTP::Tiny->new(timeout => 30);
my $response;
my $deadline = time + 30;
while (time < $deadline)
{
	$exporter_h->pump_nb;
	$response = $http->get($url);
	last if $response->{success};
	die "the exporter exited: $exp_err" unless $exporter_h->pumpable;
	sleep(0.2);
}
ok($response->{success}, "GET $url")
  or diag("status $response->{status}: $response->{content}\nexporter log:\n$exp_err");
my $body = $response->{content} // '';

# Stop the exporter and wait until its connection is gone, so that the
# views read below see the same sessions as the scrape
$exporter_h->signal('TERM');
$exporter_h->finish;
ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE usename = 'exporter'"),
	'the exporter disconnected');
note("exporter log:\n$exp_err");

# The metrics: name => { labels (without server, sorted) => value }
my %metric;
for my $line (split /\n/, $body)
{
	next if $line =~ /^#/ || $line !~ /\S/;
	$line =~ /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
	  or die "unparsable metric line: $line";
	my ($name, $labels, $value) = ($1, $2 // '', $3);
	my %l = $labels =~ /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
	delete $l{server};
	my $key = join(',', map { "$_=$l{$_}" } sort keys %l);
	$metric{$name}{$key} = $value;
}

#
# The scrape did not error
#
is($metric{pg_up}{''}, '1', 'pg_up 1');
is($metric{pg_exporter_last_scrape_error}{''}, '0', 'pg_exporter_last_scrape_error 0');
my @load = grep { /filename=\Q$queries\E,/ } keys %{ $metric{pg_exporter_user_queries_load_error} // {} };
is(scalar @load, 1, 'the exporter reports loading the queries file');
is($metric{pg_exporter_user_queries_load_error}{ $load[0] // '' }, '0',
	'pg_exporter_user_queries_load_error 0');
my @bad = grep { /level=(?:error|warn)|\berr=/ } split /\n/, $exp_err;
is(join("\n", @bad), '', 'no error in the exporter\'s log');

# Every namespace of the queries file yields metrics
open(my $fh, '<', $queries) or die "cannot read $queries: $!";
my @namespaces = map { /^(pghero_\w+):\s*$/ ? $1 : () } <$fh>;
close $fh;
cmp_ok(scalar @namespaces, '>=', 10, 'the queries file has its namespaces');
for my $ns (@namespaces)
{
	ok((grep { /^\Q$ns\E_/ } keys %metric), "namespace $ns yields metrics");
}

# One metric without labels
sub value
{
	my ($name, $labels) = @_;
	my $v = $metric{$name}{ $labels // '' };
	ok(defined $v, "$name {" . ($labels // '') . '} is served') unless defined $v;
	return $v;
}

# Compare served values with what the views show (numerically: the
# exporter prints shortest round-trip floats, psql too)
sub compare
{
	my ($name, $labels, $expected) = @_;
	my $got = value($name, $labels);
	my $what = "$name" . ($labels ? "{$labels}" : '');
	if (!defined $got)
	{
		return;
	}
	elsif (!defined $expected || $expected eq '')
	{
		is($got, 'NaN', "$what is NaN, as the view has NULL");
	}
	else
	{
		ok($got == $expected, "$what = $expected as the view shows")
		  or diag("served: $got");
	}
}

# Rows of a query as the exporter's role, as lists of fields
sub rows
{
	my ($sql) = @_;
	return map { [ split /\|/, $_, -1 ] } split /\n/, as_exporter($sql);
}

#
# The overview, against the views
#
my ($row) = rows(
	q{SELECT total_connections, active_connections, idle_in_transaction_connections,
			 max_connections, available_connections, percent_used
	  FROM pghero.connection_summary});
# this session is counted here, as the exporter's own was in the scrape
my $i = 0;
compare("pghero_connections_$_", '', $row->[ $i++ ])
  for qw(clients active idle_in_transaction max available used_percent);
is($metric{pghero_connections_idle_in_transaction}{''}, '1', 'the holder is idle in transaction');

($row) = rows(
	q{SELECT (SELECT count(*) FROM pghero.long_running_queries),
			 (SELECT count(DISTINCT blocked_pid) FROM pghero.blocked_queries),
			 (SELECT count(*) FROM pghero.invalid_indexes),
			 (SELECT count(*) FROM pghero.invalid_constraints),
			 (SELECT count(*) FROM pghero.sequence_danger),
			 (SELECT max(percent_used) FROM pghero.sequences WHERE readable),
			 (SELECT count(*) FROM pghero.transaction_id_danger)});
is_deeply([ @$row[ 0 .. 4 ] ], [ 2, 1, 1, 1, 1 ], 'the seeded findings are in the views');
$i = 0;
compare("pghero_overview_$_", '', $row->[ $i++ ])
  for qw(long_running_queries blocked_queries invalid_indexes invalid_constraints
  sequences_in_danger sequence_max_used_percent transaction_id_danger);

# Wraparound: the least left of any database, by the rule of
# transaction_id_danger (which shows every database when the threshold is
# the whole range)
($row) = rows(
	q{SET pghero.transaction_id_danger = 2147483647;
	  SELECT min(transactions_left), min(multixacts_left)
	  FROM pghero.transaction_id_danger WHERE kind = 'database'});
compare('pghero_wraparound_transaction_ids_left', '', $row->[0]);
compare('pghero_wraparound_multixact_ids_left', '', $row->[1]);

($row) = rows(
	q{SELECT count(*) FILTER (WHERE role = 'primary'), pg_is_in_recovery()::integer,
			 coalesce(max(lag_bytes), 0), coalesce(max(lag_ms), 0)
	  FROM pghero.replication});
$i = 0;
compare("pghero_replication_$_", '', $row->[ $i++ ])
  for qw(standbys is_standby lag_bytes lag_ms);

# Cache hit rates move with every read of a table (the scrape's included):
# served, and close to the view's
for my $r (rows(q{SELECT kind, hit_rate, blocks_hit FROM pghero.cache_hit_rates}))
{
	my ($kind, $rate, $hit) = @$r;
	my $got = value('pghero_cache_hit_rate_percent', "kind=$kind");
	next unless defined $got;
	ok($got eq 'NaN' ? $rate eq '' : abs($got - $rate) < 1,
		"pghero_cache_hit_rate_percent{kind=$kind} $got is close to the view's $rate");
	cmp_ok(value('pghero_cache_hit_blocks_hit', "kind=$kind"), '<=', $hit,
		"pghero_cache_hit_blocks_hit{kind=$kind} at most the view's, read later");
}

#
# Query statistics: the top 10 by total time, labelled by identity only
#
my @statements = keys %{ $metric{pghero_query_stats_calls} // {} };
is(scalar @statements, 10, 'the top 10 statements are served');
is_deeply(
	[ sort map { join(',', map { s/=.*//r } split /,/) } @statements ],
	[ ('database,queryid,username') x 10 ],
	'statements are labelled by database, queryid and username only');
($row) = rows(
	q{SELECT 'database=' || q.database || ',queryid=' || q.queryid || ',username=' || r.rolname,
			 q.calls, q.total_time_ms, q.mean_time_ms, q.rows
	  FROM pghero.query_stats q JOIN pg_roles r ON r.oid = q.userid
	  WHERE q.query = 'SELECT pg_sleep($1)' AND r.rolname = 'app'});
is($row->[1], 3, 'the seeded statement is in query_stats');
my $key = $row->[0];
$i = 1;
compare("pghero_query_stats_$_", $key, $row->[ $i++ ]) for qw(calls total_time_ms mean_time_ms rows);

#
# Database activity: the latest raw bucket per database
#
my @activity = rows(
	q{SELECT DISTINCT ON (database) database, tps, rows_read_per_second,
			 rows_written_per_second, cache_hit_percent, commits, rollbacks,
			 deadlocks, temp_bytes, backends, seconds, extract(epoch FROM bucket_end)
	  FROM pghero.database_activity_history
	  WHERE tier = 'raw'
	  ORDER BY database, bucket_end DESC, generation DESC});
is( join(',', sort map { s/^database=//r } keys %{ $metric{pghero_database_activity_tps} // {} }),
	join(',', map { $_->[0] } @activity),
	'database activity is served for every database captured');
for my $r (@activity)
{
	$i = 1;
	compare("pghero_database_activity_$_", "database=$r->[0]", $r->[ $i++ ])
	  for qw(tps rows_read_per_second rows_written_per_second cache_hit_percent
	  commits rollbacks deadlocks temp_bytes backends seconds bucket_end_seconds);
}

#
# Space
#
my @databases = rows(q{SELECT database, size_bytes FROM pghero.database_sizes});
is(scalar keys %{ $metric{pghero_database_size_bytes} // {} },
	scalar @databases, 'every database\'s size is served');
compare('pghero_database_size_bytes', "database=$_->[0]", $_->[1]) for @databases;

my %relation = map { ("kind=$_->[0],relname=$_->[1],schemaname=$_->[2]" => $_->[3]) } rows(
	q{SELECT type, relname, schemaname, size_bytes FROM pghero.relation_sizes});
my @largest = keys %{ $metric{pghero_relation_size_bytes} // {} };
is(scalar @largest, 20, 'the 20 largest relations are served');
compare('pghero_relation_size_bytes', $_, $relation{$_}) for sort @largest;
my ($twentieth) = rows(
	q{SELECT size_bytes FROM pghero.relation_sizes
	  ORDER BY size_bytes DESC NULLS LAST OFFSET 19 LIMIT 1});
cmp_ok((sort { $a <=> $b } values %{ $metric{pghero_relation_size_bytes} })[0],
	'==', $twentieth->[0], 'they are the largest');

#
# The collector's health
#
my @sources = rows(
	q{SELECT source, extract(epoch FROM last_success_at), runs, failures,
			 last_duration_ms, last_rows,
			 extract(epoch FROM clock_timestamp() - last_success_at)
	  FROM pghero.collector ORDER BY source});
is( join(',', sort map { s/^source=//r } keys %{ $metric{pghero_collector_runs} // {} }),
	join(',', map { $_->[0] } @sources),
	'the collector\'s health is served for every source');
for my $r (@sources)
{
	my $l = "source=$r->[0]";
	$i = 1;
	compare("pghero_collector_$_", $l, $r->[ $i++ ])
	  for qw(last_success_seconds runs failures last_duration_ms last_rows);
	compare('pghero_collector_last_run_failed', $l, 0);
	my $since = value('pghero_collector_seconds_since_success', $l);
	ok( defined $since && $since >= 0 && $since <= $r->[6],
		"pghero_collector_seconds_since_success{$l} $since is at most the view's later $r->[6]");
}
($row) = rows(
	q{SELECT statements_fill_percent, statements_entries, statements_max,
			 statements_deallocations
	  FROM pghero.collector WHERE source = 'statements'});
$i = 0;
compare("pghero_statements_$_", '', $row->[ $i++ ]) for qw(fill_percent entries max deallocations);
($row) = rows(q{SELECT bool_or(worker_pid IS NOT NULL)::integer FROM pghero.collector});
compare('pghero_overview_collector_running', '', $row->[0]);

#
# Current issues: one series per check and severity it can give, with the
# count of pghero.issue_counts (0 when none), and health()
#
my %counts = map { ("check_name=$_->[0],severity=$_->[1]" => $_->[2]) } rows(
	q{SELECT c.check_name, s.severity, coalesce(n.issues, 0)
	  FROM pghero.checks c CROSS JOIN LATERAL unnest(c.severities) s(severity)
		   LEFT JOIN pghero.issue_counts n ON n.check_name = c.check_name AND n.severity = s.severity});
is( join(' ', sort keys %{ $metric{pghero_issue_counts_issues} // {} }),
	join(' ', sort keys %counts),
	'pghero_issue_counts_issues: one series per check and severity of pghero.checks');
compare('pghero_issue_counts_issues', $_, $counts{$_}) for sort keys %counts;
($row) = rows(
	q{SELECT CASE status WHEN 'ok' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
			 critical, warning, info, tracked::integer
	  FROM pghero.health()});
$i = 0;
compare("pghero_health_$_", '', $row->[ $i++ ]) for qw(status critical warning info tracked);
my $served_issues = 0;
$served_issues += $_ for values %{ $metric{pghero_issue_counts_issues} // {} };
is($served_issues,
	value('pghero_health_critical') + value('pghero_health_warning') + value('pghero_health_info'),
	'the issue counts add up to health()\'s');

# No query text anywhere in the labels
unlike($body, qr/pg_sleep/, 'no statement text is served');

is($holder->quit, 0, 'the holder quits');
is($waiter->quit, 0, 'the waiter quits');

done_testing();
