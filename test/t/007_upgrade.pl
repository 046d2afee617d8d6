# Copyright (c) pghero contributors
#
# 007_upgrade.pl
#	ALTER EXTENSION pghero UPDATE TO '1.1' against a fresh 1.1 install.
#
# What this test proves:
#   - 1.0 installs, keeps audit rows written by a pghero_admin, and updates
#     to 1.1 in place: extversion becomes 1.1 and every audit row survives
#     unchanged;
#   - the updated extension is the same as one created directly at 1.1 in
#     another database: pg_dump of schema pghero is identical, objects,
#     comments, extension membership and grants included;
#   - after the update pghero.capture() works: every source succeeds, the
#     second capture writes history, and pghero_admin may capture.
#
# The dumps.  A plain "pg_dump --schema-only --schema=pghero" leaves out
# every member of an extension (it prints the schema and its comment
# only), so it is compared, but it proves little.  The comparison that
# matters is the dump pg_upgrade itself uses, "--binary-upgrade
# --extension=pghero": it prints each member's definition, its
# "ALTER EXTENSION pghero ADD", and its grants as recorded in
# pg_init_privs.  What it prints that cannot match between two databases
# is replaced by a placeholder and nothing else: object OIDs, the
# relfrozenxid/relminmxid of tables, the LSNs of column versions, the OIDs
# of the configuration tables (compared by name below instead), and the
# random \restrict key of the header.  Both databases get the same number
# of audit rows, so the audit log's identity sequence (dumped with setval)
# needs no normalizing.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = all
pghero.enabled = off
});
$node->start;

my $fresh_db = 'regress_pghero_fresh';

# The audit rows of a database, one line each, every column.
sub audit_rows
{
	my ($db) = @_;
	return $node->safe_psql($db,
		'SELECT a.* FROM pghero.audit_log a ORDER BY a.id');
}

# Write two audit rows as a role granted pghero_admin.
sub write_audit_rows
{
	my ($db) = @_;
	return $node->safe_psql(
		$db, q{
SET ROLE regress_pghero_admin;
SELECT pghero.reset_query_stats();
SELECT pghero.reset_query_stats(0, 0, 42);
RESET ROLE;
});
}

# pg_dump of schema pghero in $db, with extra options; dies on failure.
sub dump_schema
{
	my ($db, @opts) = @_;
	my ($stdout, $stderr);
	my @cmd = (
		$node->installed_command('pg_dump'), '--schema-only',
		'--schema=pghero', @opts, '--dbname', $node->connstr($db));
	IPC::Run::run(\@cmd, '>', \$stdout, '2>', \$stderr)
	  or die "pg_dump of $db failed: $stderr";
	return $stdout;
}

# Replace what cannot match between two databases (see the header).
sub normalize_dump
{
	my ($dump) = @_;
	$dump =~ s/^\\(un)?restrict \S+$/\\$1restrict KEY/mg;
	$dump =~ s/'\d+'::pg_catalog\.oid\b/'OID'::pg_catalog.oid/g;
	$dump =~
	  s/relfrozenxid = '\d+', relminmxid = '\d+'/relfrozenxid = 'XID', relminmxid = 'MXID'/g;
	$dump =~ s/^WHERE oid = '\d+';$/WHERE oid = 'OID';/mg;
	$dump =~
	  s#(binary_upgrade_set_next_attribute_versions\(')\{([^\}]*)\}#$1 . '{' . join(',', map { 'LSN' } split(/,/, $2)) . '}'#ge;
	$dump =~
	  s/(binary_upgrade_create_empty_extension\('pghero', 'pghero', (?:true|false), '[^']*', )'\{[\d,]*\}'/$1'{CONFIG_OIDS}'/g;
	return $dump;
}

# Compare two dumps; on a difference show it with diff -u.
sub dumps_identical
{
	my ($updated, $fresh, $what) = @_;
	return pass($what) if $updated eq $fresh;
	my $dir = PostgreSQL::Test::Utils::tempdir;
	append_to_file("$dir/updated.sql", $updated);
	append_to_file("$dir/fresh.sql", $fresh);
	my ($diff) =
	  run_command([ 'diff', '-u', "$dir/updated.sql", "$dir/fresh.sql" ]);
	fail($what);
	diag("--- updated from 1.0, +++ created at 1.1:\n$diff");
	return 0;
}

#
# 1.0, with audit rows
#
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero VERSION '1.0';
CREATE ROLE regress_pghero_admin LOGIN;
GRANT pghero_admin TO regress_pghero_admin;
});
is( $node->safe_psql(
		'postgres', "SELECT extversion FROM pg_extension WHERE extname = 'pghero'"),
	'1.0',
	'1.0 installed');
is( $node->safe_psql(
		'postgres', "SELECT to_regprocedure('pghero.capture(text[])') IS NULL"),
	't',
	'control: 1.0 has no pghero.capture()');

write_audit_rows('postgres');
my $audit_before = audit_rows('postgres');
is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(role_name || '|' || action || '|' || detail, ',' ORDER BY id)
		FROM pghero.audit_log}),
	'regress_pghero_admin|reset_query_stats|userid 0, dbid 0, queryid 0,'
	  . 'regress_pghero_admin|reset_query_stats|userid 0, dbid 0, queryid 42',
	'1.0: pghero_admin wrote two audit rows');

#
# Update to 1.1
#
my ($ret, $out, $err) = $node->psql('postgres',
	q{ALTER EXTENSION pghero UPDATE TO '1.1'}, on_error_stop => 1);
is($ret, 0, "ALTER EXTENSION pghero UPDATE TO '1.1' succeeds") or diag($err);
is( $node->safe_psql(
		'postgres', "SELECT extversion FROM pg_extension WHERE extname = 'pghero'"),
	'1.1',
	'after the update, extversion is 1.1');
is(audit_rows('postgres'), $audit_before,
	'after the update, the audit rows are unchanged');

#
# A fresh 1.1 in another database, with the same history of actions
#
$node->safe_psql('postgres', "CREATE DATABASE $fresh_db");
($ret, $out, $err) = $node->psql(
	$fresh_db, q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero VERSION '1.1';
}, on_error_stop => 1);
is($ret, 0, "CREATE EXTENSION pghero VERSION '1.1' in $fresh_db") or diag($err);
write_audit_rows($fresh_db);

#
# The two are the same
#
my $plain_updated = dump_schema('postgres');
my $plain_fresh = dump_schema($fresh_db);
dumps_identical(
	normalize_dump($plain_updated),
	normalize_dump($plain_fresh),
	'pg_dump --schema-only --schema=pghero: updated and fresh are identical');

my @members = ('--binary-upgrade', '--extension=pghero');
my $updated = normalize_dump(dump_schema('postgres', @members));
my $fresh = normalize_dump(dump_schema($fresh_db, @members));
like($fresh, qr/^CREATE FUNCTION pghero\.capture\(sources text\[\] DEFAULT NULL::text\[\]\)/m,
	'control: the member dump has the definitions of the members');
like($fresh, qr/^ALTER EXTENSION pghero ADD TABLE pghero\.statement_history;$/m,
	'control: the member dump has the extension membership');
like($fresh, qr/^GRANT SELECT ON TABLE pghero\.statement_history TO pghero_reader;$/m,
	'control: the member dump has the grants');
like($fresh, qr/^COMMENT ON COLUMN pghero\.statement_history\.lossy IS /m,
	'control: the member dump has the comments');
dumps_identical($updated, $fresh,
	'pg_dump --schema-only --schema=pghero --binary-upgrade --extension=pghero: '
	  . 'updated and fresh are identical');

my $config_sql = q{
	SELECT extconfig::regclass[]::text, extcondition::text
	FROM pg_extension WHERE extname = 'pghero'};
is( $node->safe_psql('postgres', $config_sql),
	$node->safe_psql($fresh_db, $config_sql),
	'the configuration tables (pg_extension_config_dump) are the same');

#
# The updated extension captures
#
my $capture_sql = q{
	SELECT string_agg(source || ':' || succeeded || ':' || coalesce(error, '-'),
					  ', ' ORDER BY source COLLATE "C")
	FROM pghero.capture()};
my $all_ok =
  'database_activity:true:-, instance:true:-, retention:true:-, space:true:-, statements:true:-';
is($node->safe_psql('postgres', $capture_sql),
	$all_ok, 'after the update, pghero.capture() runs every source');
$node->safe_psql('postgres',
	'SELECT count(*) AS regress_upgrade_marker FROM pg_class');
is($node->safe_psql('postgres', $capture_sql),
	$all_ok, 'after the update, a second pghero.capture() runs every source');
is( $node->safe_psql(
		'postgres', q{
		SELECT h.calls FROM pghero.statement_history h
			 JOIN pghero.query_texts t USING (dbid, queryid)
		WHERE t.query LIKE 'SELECT count(*) AS regress_upgrade_marker%'}),
	'1',
	'after the update, history holds the statement run between the captures');
is( $node->safe_psql(
		'postgres', q{
		SET ROLE regress_pghero_admin;
		SELECT count(*) FILTER (WHERE succeeded) FROM pghero.capture()}),
	'5',
	'after the update, pghero_admin can capture');
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FROM pghero.collector
		WHERE runs = 3 AND failures = 0 AND last_error IS NULL}),
	'5',
	'after the update, pghero.collector shows three runs of every source');
is(audit_rows('postgres'), $audit_before,
	'after the captures, the audit rows are still unchanged');

$node->stop;

done_testing();
