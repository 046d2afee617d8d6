# Copyright (c) pghero contributors

# 013_jdbc.pl -- a BI tool's view of schema pghero, over JDBC.
#
# What this proves, for a bare login role that is only a member of
# pghero_reader, through Debian's PostgreSQL JDBC driver
# (libpostgresql-jdbc-java) and test/jdbc/PgheroCatalog.java:
#  * DatabaseMetaData.getTables lists pghero's views, each with remarks;
#  * getColumns gives every column remarks and a standard java.sql.Types
#    DATA_TYPE other than OTHER (jsonb excepted);
#  * SELECT * FROM pghero.<view> works for every view listed, and the
#    ResultSetMetaData names and types agree with getColumns;
#  * getFunctions lists pghero's functions, each with remarks;
#  * the result columns of the functions have standard types.
# Skipped, with the reason, when javac or the driver's jar is missing.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use File::Spec;
use IPC::Run;
use FindBin;

my $jar = $ENV{PGHERO_JDBC_JAR} // '/usr/share/java/postgresql.jar';
my $source = "$FindBin::RealBin/../jdbc/PgheroCatalog.java";

sub which
{
	my ($cmd) = @_;
	for my $dir (split /:/, $ENV{PATH} // '')
	{
		my $path = File::Spec->catfile($dir, $cmd);
		return $path if -x $path && !-d $path;
	}
	return undef;
}

my $javac = which('javac');
my $java  = which('java');
plan skip_all => 'javac not found (install a JDK, e.g. Debian\'s default-jdk-headless)'
  unless defined $javac && defined $java;
plan skip_all => "JDBC driver $jar not found (install Debian's libpostgresql-jdbc-java)"
  unless -r $jar;

# Compile the client into a temporary directory.
my $classes = PostgreSQL::Test::Utils::tempdir;
my ($stdout, $stderr);
my $compiled = IPC::Run::run [ $javac, '-d', $classes, $source ],
  '>', \$stdout, '2>', \$stderr;
ok($compiled, 'PgheroCatalog.java compiles') or diag($stderr);

my $node = PostgreSQL::Test::Cluster->new('jdbc');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
listen_addresses = '127.0.0.1'
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE ROLE regress_pghero_bi LOGIN;
GRANT pghero_reader TO regress_pghero_bi;
CREATE TABLE jdbc_tbl (id serial PRIMARY KEY, v text);
INSERT INTO jdbc_tbl (v) SELECT 'row ' || g FROM generate_series(1, 100) g;
ANALYZE jdbc_tbl;
SELECT pghero.capture();
});
is( $node->safe_psql('postgres', q{
	SELECT string_agg(b.rolname, ',' ORDER BY b.rolname)
	FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid
	WHERE m.member = 'regress_pghero_bi'::regrole}),
	'pghero_reader', 'the JDBC role is a member of pghero_reader only');

# Run the client as the bare reader, over TCP (trust authentication).
my $url = 'jdbc:postgresql://127.0.0.1:' . $node->port . '/postgres';
my $ran = IPC::Run::run [ $java, '-cp', "$classes:$jar", 'PgheroCatalog',
	$url, 'regress_pghero_bi', '' ],
  '>', \$stdout, '2>', \$stderr;
ok($ran, 'PgheroCatalog runs') or diag("stdout: $stdout\nstderr: $stderr");

my @lines = split /\n/, $stdout;
my ($checked) = grep { /^checked: / } @lines;
like($checked // '', qr/^checked: [1-9]\d* relations, [1-9]\d* columns, [1-9]\d* functions$/,
	'PgheroCatalog lists relations, columns and functions');
note($_) for @lines;

my @problems = grep { /^problem: / } @lines;
diag($_) for @problems;
is(scalar @problems, 0,
	'every relation, column and function has remarks and a standard JDBC type, and every view is readable');

my @result_problems = grep { /^result-problem: / } @lines;
is(scalar @result_problems, 0,
	'every result column of a function has a standard JDBC type')
  or diag(join("\n", @result_problems));

$node->stop;
done_testing();
