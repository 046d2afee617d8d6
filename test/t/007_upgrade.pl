# Copyright (c) pghero contributors
#
# 007_upgrade.pl
#	Every released version of pghero, updated along every path that
#	pg_extension_update_paths() lists to the default version, against a
#	fresh installation of the default version.
#
# What this test proves, for each released version V and its path:
#   - V installs, keeps audit rows and (from 1.1, which has the collector)
#     history written before the update, and updates in place: extversion
#     becomes the default version and every audit row, history row, query
#     capture survives unchanged, and every text but for its passwords;
#   - the updated extension is the same as one created directly at the
#     default version in another database: pg_dump of schema pghero is
#     identical, objects, comments, extension membership and grants
#     included;
#   - after the update pghero.capture() works: every source succeeds, the
#     next capture writes history, and pghero_admin may capture.
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
# random \restrict key of the header.  The partitions that captures create
# (per generation, then per day) are not members of the extension and hold
# history, not definitions: they are left out of the dumps (their rows are
# compared instead).  Every database gets the same number
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
$node->safe_psql('postgres', 'CREATE ROLE regress_pghero_admin LOGIN');

my $fresh_db = 'regress_pghero_fresh';
my $default = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'pghero'");

# The schema of the tables of pghero in a database: pghero_internal since
# 1.2, pghero before.
sub internal
{
	my ($db) = @_;
	return $node->safe_psql($db,
		q{SELECT coalesce(to_regnamespace('pghero_internal')::text, 'pghero')});
}

# The audit rows of a database, one line each, every column.
sub audit_rows
{
	my ($db) = @_;
	my $nsp = internal($db);
	return $node->safe_psql($db,
		"SELECT a.* FROM $nsp.audit_log a ORDER BY a.id");
}

# Write two audit rows, with the columns every version has.
sub write_audit_rows
{
	my ($db) = @_;
	my $nsp = internal($db);
	return $node->safe_psql(
		$db, qq{
INSERT INTO $nsp.audit_log (role_name, session_user_name, action, succeeded, detail)
VALUES ('regress_pghero_admin', 'regress_pghero_admin', 'reset_query_stats', true, 'written before the update'),
	   ('regress_pghero_admin', 'regress_pghero_admin', 'cancel', false, 'written before the update');
});
}

# Every row of the given history and state tables, as text, with the
# columns each had before the update (%$columns: table => column list); a
# column renamed since is read under its new name.  Options: skip => a
# table left out; only => the one table read; texts_copy => a copy of
# query_texts made before the update, read instead with its texts as the
# update redacts them (1.2 stores no password: the update from 1.1 to 1.2
# redacts them).
my @kept_tables = qw(statement_history statement_rollup query_texts
  statement_captures database_history database_rollup instance_history
  instance_rollup space_history io_history io_rollup object_names
  collector_runs issue_state issue_events issue_feed);
my %renamed = (
	blk_read_time => 'shared_blk_read_time',
	blk_write_time => 'shared_blk_write_time');

sub history_rows
{
	my ($db, $columns, $after, %opt) = @_;
	my $nsp = internal($db);
	my $out = '';
	foreach my $t (sort keys %$columns)
	{
		next if defined $opt{skip} && $t eq $opt{skip};
		next if defined $opt{only} && $t ne $opt{only};
		my @cols = split /,/, $columns->{$t};
		@cols = map { $renamed{$_} // $_ } @cols if $after;
		my $from = "$nsp.$t";
		my @exprs = map { qq{t."$_"} } @cols;
		if (defined $opt{texts_copy})
		{
			$from = $opt{texts_copy};
			@exprs = map {
				$_ eq 'query' ? q{pghero_internal._redact_query(t."query")} : qq{t."$_"}
			} @cols;
		}
		my $list = join(', ', @exprs);
		$out .= "$t:\n"
		  . $node->safe_psql($db,
			"SELECT ROW($list)::text FROM $from t ORDER BY ROW($list)::text COLLATE \"C\"")
		  . "\n";
	}
	return $out;
}

# pg_dump of schema pghero in $db, with extra options; dies on failure.
sub dump_schema
{
	my ($db, @opts) = @_;
	my ($stdout, $stderr);
	my @cmd = (
		$node->installed_command('pg_dump'), '--schema-only',
		'--schema=pghero', '--schema=pghero_internal', '--exclude-table=pghero_internal.*_g[0-9]*', @opts, '--dbname', $node->connstr($db));
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
	diag("--- updated, +++ created fresh:\n$diff");
	return 0;
}

#
# A fresh installation of the default version, with the same audit rows
#
$node->safe_psql('postgres', "CREATE DATABASE $fresh_db");
my ($ret, $out, $err) = $node->psql(
	$fresh_db, q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
GRANT pghero_admin TO regress_pghero_admin;
}, on_error_stop => 1);
is($ret, 0, "CREATE EXTENSION pghero ($default) in $fresh_db") or diag($err);
write_audit_rows($fresh_db);

my @members = ('--binary-upgrade', '--extension=pghero');
my $plain_fresh = normalize_dump(dump_schema($fresh_db));
my $fresh = normalize_dump(dump_schema($fresh_db, @members));
like($fresh, qr/^CREATE FUNCTION pghero\.capture\(sources text\[\] DEFAULT NULL::text\[\]\)/m,
	'control: the member dump has the definitions of the members');
like($fresh, qr/^ALTER EXTENSION pghero ADD TABLE pghero_internal\.statement_history;$/m,
	'control: the member dump has the extension membership');
like($fresh, qr/^GRANT SELECT ON TABLE pghero\.query_stats_history TO pghero_reader;$/m,
	'control: the member dump has the grants');
like($fresh, qr/^COMMENT ON COLUMN pghero_internal\.statement_history\.lossy IS /m,
	'control: the member dump has the comments');

my $config_sql = q{
	SELECT string_agg(u.c::regclass::text || ' ' || u.cond, ', ' ORDER BY u.c::regclass::text)
	FROM pg_extension e, unnest(e.extconfig, e.extcondition) u(c, cond)
	WHERE e.extname = 'pghero'};

my $capture_sql = q{
	SELECT string_agg(source || ':' || succeeded || ':' || coalesce(error, '-'),
					  ', ' ORDER BY source COLLATE "C")
	FROM pghero.capture()};
my $sources = $node->safe_psql($fresh_db,
	q{SELECT string_agg(source || ':true:-', ', ' ORDER BY source COLLATE "C")
	  FROM pghero.collector});
my $nsources = () = $sources =~ /:true:-/g;
ok($nsources >= 5, "control: the default version has $nsources capture sources");

#
# Every released version, along every path to the default version
#
my @paths = split /\n/, $node->safe_psql(
	$fresh_db, qq{
	SELECT source || ' ' || path FROM pg_extension_update_paths('pghero')
	WHERE target = '$default' AND path IS NOT NULL
	ORDER BY source});
ok(scalar(@paths) >= 2, 'control: there are released versions to update from')
  or diag(join("\n", @paths));

my $n = 0;
foreach my $line (@paths)
{
	my ($from, $path) = split / /, $line;
	my $db = 'regress_pghero_from_' . $n++;
	note("updating from $from along $path");
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql(
		$db, qq{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero VERSION '$from';
GRANT pghero_admin TO regress_pghero_admin;
});
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pghero'"),
		$from, "$from installed");
	write_audit_rows($db);

	# history, where the version has a collector
	my $has_capture = $node->safe_psql($db,
		"SELECT to_regprocedure('pghero.capture(text[])') IS NOT NULL") eq 't';
	if ($has_capture)
	{
		$node->safe_psql($db, 'SELECT count(*) FROM pghero.capture()');
		$node->safe_psql($db, 'SELECT count(*) AS regress_before_update FROM pg_namespace');
		$node->safe_psql($db, 'SELECT count(*) FROM pghero.capture()');
		# (1.1 reads pg_stat_statements' columns by their names before 1.11:
		# on PostgreSQL 17 and later its statements source fails, the
		# others capture)
		my $nsp = internal($db);
		isnt( $node->safe_psql(
				$db, qq{
				SELECT (SELECT count(*) FROM $nsp.statement_history)
					   + (SELECT count(*) FROM $nsp.database_history)}),
			'0', "$from: history written before the update");
	}
	my $audit_before = audit_rows($db);
	# the tables that are kept (not the baselines) that this version has,
	# with their columns
	my %columns;
	my $nsp_tables = internal($db);
	foreach my $t (@kept_tables)
	{
		next
		  unless $node->safe_psql($db, "SELECT to_regclass('$nsp_tables.$t') IS NOT NULL") eq 't';
		$columns{$t} = $node->safe_psql(
			$db, qq{
			SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
			WHERE attrelid = '$nsp_tables.$t'::regclass AND attnum > 0 AND NOT attisdropped});
	}
	my $history_before = history_rows($db, \%columns, 0, skip => 'query_texts');
	my $nsp_before = internal($db);
	$node->safe_psql($db,
		"CREATE TABLE public.regress_query_texts_before AS SELECT * FROM $nsp_before.query_texts")
	  if exists $columns{query_texts};
	my $rolled_up_before = $has_capture
	  ? $node->safe_psql($db,
		"SELECT string_agg(rolled_up_until::text, ',' ORDER BY rolled_up_until) FROM $nsp_before.rollup_progress")
	  : '';

	($ret, $out, $err) = $node->psql($db,
		"ALTER EXTENSION pghero UPDATE TO '$default'", on_error_stop => 1);
	is($ret, 0, "$from: ALTER EXTENSION pghero UPDATE TO '$default' ($path)") or diag($err);
	is($node->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'pghero'"),
		$default, "$from: extversion is $default after the update");
	is(audit_rows($db), $audit_before, "$from: the audit rows are unchanged");
	is(history_rows($db, \%columns, 1, skip => 'query_texts'), $history_before,
		"$from: every history row and capture is unchanged");
	is( history_rows($db, \%columns, 1, only => 'query_texts'),
		history_rows(
			$db, \%columns, 0,
			only => 'query_texts',
			texts_copy => 'public.regress_query_texts_before'),
		"$from: every text is unchanged, but for its passwords")
	  if exists $columns{query_texts};
	is( $node->safe_psql($db,
			'SELECT string_agg(rolled_up_until::text, \',\' ORDER BY rolled_up_until) FROM pghero_internal.rollup_progress'),
		$rolled_up_before,
		"$from: how far history was rolled up is unchanged")
	  if $has_capture;

	dumps_identical(normalize_dump(dump_schema($db)), $plain_fresh,
		"$from: pg_dump --schema-only --schema=pghero: updated and fresh are identical");
	dumps_identical(normalize_dump(dump_schema($db, @members)), $fresh,
		"$from: pg_dump --binary-upgrade --extension=pghero: updated and fresh are identical");
	is($node->safe_psql($db, $config_sql), $node->safe_psql($fresh_db, $config_sql),
		"$from: the configuration tables (pg_extension_config_dump) are the same");

	# the updated extension captures
	is($node->safe_psql($db, $capture_sql), $sources,
		"$from: after the update, pghero.capture() runs every source");
	$node->safe_psql($db, 'SELECT count(*) AS regress_upgrade_marker FROM pg_class');
	is($node->safe_psql($db, $capture_sql), $sources,
		"$from: after the update, a second pghero.capture() runs every source");
	is( $node->safe_psql(
			$db, q{
			SELECT sum(h.calls) FROM pghero_internal.statement_history h
				 JOIN pghero_internal.query_texts t USING (dbid, queryid)
			WHERE t.query LIKE 'SELECT count(*) AS regress_upgrade_marker%'}),
		'1',
		"$from: after the update, history holds the statement run between the captures");
	is( $node->safe_psql(
			$db, q{
			SET ROLE regress_pghero_admin;
			SELECT count(*) FILTER (WHERE succeeded) FROM pghero.capture()}),
		$nsources,
		"$from: after the update, pghero_admin can capture");
	is(audit_rows($db), $audit_before,
		"$from: after the captures, the audit rows are still unchanged");
}

$node->stop;

done_testing();
