# Copyright (c) pghero contributors
#
# 022_capture_memory.pl
#	The statements capture's pinned baseline pages and its session memory.
#
# What this test proves, on a server with shared_buffers = 1MB (128
# buffers, so a capture pins at most 16 baseline pages and copies the rows
# of the others, src/capture.c):
#   - the baseline of 3,000 statements takes more pages than a capture may
#     pin, so both ways of reading it (pinned and copied) are used;
#   - three captures in one session (the first with no kept memory, the
#     next ones reusing and growing it) count every statement exactly:
#     each of the 3,000 is written with calls = 1 after it ran once, and
#     with calls = 2 after it ran twice, and nothing else is written for
#     them;
#   - a capture in another session, after the first session's, counts the
#     same way (the kept memory is the session's own).

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use PgheroSession;

my $n = 3000;
my $node = PostgreSQL::Test::Cluster->new('capture_memory');
$node->init;
PgheroSession->clean_node($node);
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
pghero.enabled = off
pg_stat_statements.max = 5000
pg_stat_statements.track = top
shared_buffers = 1MB
});
$node->start;
$node->safe_psql('postgres',
	'CREATE EXTENSION pg_stat_statements; CREATE EXTENSION pghero');

# Statement i: "SELECT NULL::t1, ..., NULL::t4", the t's the digits of i
# mapped to ten types (the types are part of the query identifier).
my @types =
  qw(int2 int4 int8 float4 float8 numeric text bool date timestamptz);
my $statements = '';
for my $i (0 .. $n - 1)
{
	my $x = $i;
	my @cols;
	for (1 .. 4)
	{
		push @cols, "NULL::$types[$x % 10]";
		$x = int($x / 10);
	}
	$statements .= 'SELECT ' . join(', ', @cols) . ";\n";
}
# their output is not wanted
$statements = "\\o /dev/null\n$statements\\o\n";
my $capture = q{SELECT c.succeeded, coalesce(c.error, '')
  FROM pghero.capture(ARRAY['statements']) c;
};

# Written for our statements, by calls: "calls|rows" lines.
my $written = q{
SELECT h.calls, count(*)
FROM pghero_internal.statement_history h
WHERE h.queryid IN (SELECT s.queryid FROM pg_stat_statements s
					WHERE s.query LIKE 'SELECT $1::% $4::%')
GROUP BY h.calls ORDER BY h.calls;
};

# One session: the baseline, once more, twice more.
my $out = $node->safe_psql('postgres',
		$statements
	  . $capture
	  . $statements
	  . $capture
	  . $statements
	  . $statements
	  . $capture
	  . $written);
is( $out,
	"t|\nt|\nt|\n1|$n\n2|$n",
	"three captures in one session write each of the $n statements once per capture, with its calls"
);

my ($pages, $pin_limit) = split /\|/, $node->safe_psql(
	'postgres', q{
SELECT pg_relation_size('pghero_internal.statement_baseline')
	   / current_setting('block_size')::int,
	   (SELECT s.setting::int / 8 FROM pg_settings s
		WHERE s.name = 'shared_buffers')});
cmp_ok($pages, '>', $pin_limit,
	"the baseline ($pages pages) is larger than what a capture pins ($pin_limit pages)"
);

# Another session, after the first: three times more.
$out = $node->safe_psql('postgres',
	$statements . $statements . $statements . $capture . $written);
is( $out,
	"t|\n1|$n\n2|$n\n3|$n",
	'a capture in another session counts every statement too');

$node->stop;
done_testing();
