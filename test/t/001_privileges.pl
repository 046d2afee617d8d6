# Copyright (c) pghero contributors
#
# 001_privileges.pl
#	The security model of pghero, checked with real sessions of real roles.
#
# What this test proves:
#   - pghero_reader sees what it could not see by itself (other users' full
#     query texts in running_queries and query_stats, every sequence's last
#     value) and the audit log through pghero.audit_log, yet gains no
#     access to other users' data or to the audit table; an action it
#     calls fails with a message naming pghero_admin and the GRANT to ask
#     for;
#   - a role without a grant can use no pghero object at all (enumerated
#     from the catalog, so a new view or function cannot slip through), and
#     nothing in schema pghero is granted to PUBLIC;
#   - pghero_admin can cancel and terminate other users' sessions, honours
#     backend_start, refuses its own session, server processes and
#     superusers' sessions (which a superuser may still signal), and its
#     bulk actions (kill_long_running_queries, kill_all) spare the caller,
#     superusers and other databases;
#   - every action asked of a session is written to the audit log with
#     the calling role and its real outcome: signalled, or not (no such
#     process, a wrong backend_start, a refusal: a warning with the
#     refusal's SQLSTATE, false, and succeeded = false); a cancel that
#     reaches an idle session says it cancelled nothing;
#   - reset_query_stats() without a scope is refused with a hint;
#     reset_query_stats(all_statements => true) resets everything, and a
#     scoped reset only its scope, each audited.
#
# Sessions that must keep running while others act on them are psql
# processes driven through IPC::Run; every wait is bounded (poll_query_until
# or an IPC::Run timeout).

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('privileges');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = all
});
$node->start;

# Background sessions still open, by application_name, killed at the end.
my %sessions;

# Run SQL as the given role; returns ($ret, $stdout, $stderr).  Errors are
# reported with their SQLSTATE (VERBOSITY=verbose).
sub psql_as
{
	my ($role, $sql, $dbname) = @_;
	return $node->psql(
		$dbname // 'postgres', $sql,
		on_error_stop => 1,
		extra_params => [ '-U', $role, '-v', 'VERBOSITY=verbose' ]);
}

# Run SQL as the given role that must succeed; returns its output.
sub safe_psql_as
{
	my ($role, $sql) = @_;
	return $node->safe_psql('postgres', $sql, extra_params => [ '-U', $role ]);
}

# Start a psql session as $role, identified by application_name $appname,
# that runs $sql and then keeps its connection open (stdin stays open).
# Returns the session's backend pid, once the backend is in $state.
sub start_session
{
	my ($role, $appname, $sql, $state, $dbname) = @_;
	$dbname //= 'postgres';
	my $s = { in => "$sql\n", out => '', err => '' };
	my $connstr = $node->connstr($dbname) . " user=$role application_name=$appname";
	$s->{h} = IPC::Run::start(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $connstr, '-f', '-' ],
		'<', \$s->{in}, '>', \$s->{out}, '2>', \$s->{err},
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	$s->{h}->pump_nb;
	$sessions{$appname} = $s;

	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity
		 WHERE application_name = '$appname' AND state = '$state'")
	  or die "session $appname did not reach state \"$state\"";
	$s->{pid} = $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE application_name = '$appname'");
	return $s->{pid};
}

# Wait (bounded by the session's timeout) for a session's psql to exit;
# returns what it printed on stderr.
sub finish_session
{
	my ($appname) = @_;
	my $s = delete $sessions{$appname};
	eval { $s->{h}->finish; };
	if ($@)
	{
		diag("psql of session $appname did not exit: $@");
		$s->{h}->kill_kill;
	}
	return $s->{err};
}

sub session_alive
{
	my ($pid) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE pid = $pid") eq '1';
}

sub wait_session_gone
{
	my ($pid) = @_;
	return $node->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid");
}

# The audit log rows written since the last call, one line each.
my $audit_seen = 0;
sub new_audit_rows
{
	my $rows = $node->safe_psql(
		'postgres', qq{
		SELECT id, role_name, session_user_name, action,
			   coalesce(target_pid::text, '-'), coalesce(target_username, '-'),
			   succeeded
		FROM pghero.audit_log WHERE id > $audit_seen ORDER BY id});
	my @lines;
	foreach my $line (split /\n/, $rows)
	{
		my ($id, @rest) = split /\|/, $line;
		$audit_seen = $id;
		push @lines, join('|', @rest);
	}
	return \@lines;
}

#
# Setup
#
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE ROLE regress_pghero_app LOGIN;
CREATE ROLE regress_pghero_reader LOGIN;
CREATE ROLE regress_pghero_admin LOGIN;
CREATE ROLE regress_pghero_nobody LOGIN;
CREATE ROLE regress_pghero_super LOGIN SUPERUSER;
GRANT pghero_reader TO regress_pghero_reader;
GRANT pghero_admin TO regress_pghero_admin;
GRANT CREATE ON SCHEMA public TO regress_pghero_app;
});

safe_psql_as(
	'regress_pghero_app', q{
CREATE TABLE app_secret (id serial PRIMARY KEY, secret text NOT NULL);
INSERT INTO app_secret (secret) VALUES ('only the app may read this');
SELECT setval('app_secret_id_seq', 42);
SELECT count(*) AS marker_stats_abc FROM app_secret WHERE secret <> 'nothing';
});

#
# pghero_reader: sees everything it needs, touches nothing
#
my $pid_a = start_session('regress_pghero_app', 'regress_app_a',
	'SELECT pg_sleep(300) /* marker-xyz */;', 'active');

is( safe_psql_as(
		'regress_pghero_reader',
		"SELECT query FROM pg_stat_activity WHERE pid = $pid_a"),
	'<insufficient privilege>',
	'control: reader cannot see app query text in pg_stat_activity');

is( safe_psql_as(
		'regress_pghero_reader', qq{
		SELECT username, state, query FROM pghero.running_queries
		WHERE pid = $pid_a}),
	'regress_pghero_app|active|SELECT pg_sleep(300) /* marker-xyz */;',
	'reader sees app query with its full text in pghero.running_queries');

like(
	safe_psql_as(
		'regress_pghero_reader', q{
		SELECT count(*) FILTER (WHERE query LIKE '%marker_stats_abc%'),
			   count(*) FILTER (WHERE query = '<insufficient privilege>')
		FROM pg_stat_statements
		WHERE userid = 'regress_pghero_app'::regrole}),
	qr/^0\|[1-9]\d*$/,
	'control: reader cannot see app statement texts in pg_stat_statements');

like(
	safe_psql_as(
		'regress_pghero_reader', q{
		SELECT username || '|' || calls || '|' || query FROM pghero.query_stats
		WHERE query LIKE '%marker_stats_abc%'
		  AND username = 'regress_pghero_app'}),
	qr/^regress_pghero_app\|1\|SELECT count\(\*\) AS marker_stats_abc FROM app_secret WHERE secret <> \$1$/,
	'reader sees app statement with its full text in pghero.query_stats');

is( safe_psql_as(
		'regress_pghero_reader', q{
		SELECT last_value IS NULL FROM pg_sequences
		WHERE sequencename = 'app_secret_id_seq'}),
	't',
	'control: reader cannot read app sequence through pg_sequences');

is( safe_psql_as(
		'regress_pghero_reader', q{
		SELECT relname, column_name, last_value, readable FROM pghero.sequences
		WHERE sequence_name = 'app_secret_id_seq'}),
	'app_secret|id|42|t',
	'reader sees last_value of app sequence in pghero.sequences');

my %reader_denied = (
	'SELECT * FROM app_secret' => qr/permission denied for table app_secret/,
	'SELECT * FROM pghero_internal.audit_log' =>
	  qr/permission denied for table audit_log/,
	'SELECT pghero_internal._signal(\'cancel\', 0, NULL, true)' =>
	  qr/permission denied for function _signal/);
foreach my $sql (sort keys %reader_denied)
{
	my ($ret, $out, $err) = psql_as('regress_pghero_reader', $sql);
	isnt($ret, 0, "reader: \"$sql\" fails");
	like($err, qr/ERROR:\s+42501: /, "reader: \"$sql\" fails with 42501");
	like($err, $reader_denied{$sql},
		"reader: \"$sql\" fails with permission denied");
}

# An action called by a reader: refused before it does anything, with a
# message that names the role to grant.
my %reader_actions = (
	"SELECT pghero.cancel($pid_a)" => 'cancel a query',
	"SELECT pghero.cancel(2147483647)" => 'cancel a query',
	"SELECT pghero.terminate($pid_a, NULL)" => 'terminate a session',
	'SELECT * FROM pghero.kill_all(\'postgres\')' => 'terminate sessions',
	'SET pghero.long_running_query_sec = 0; SELECT * FROM pghero.kill_long_running_queries()'
	  => 'terminate sessions',
	'SELECT pghero.reset_query_stats()' => 'reset query statistics',
	'SELECT pghero.reset_query_stats(all_statements => true)' =>
	  'reset query statistics');
foreach my $sql (sort keys %reader_actions)
{
	my ($ret, $out, $err) = psql_as('regress_pghero_reader', $sql);
	isnt($ret, 0, "reader: \"$sql\" fails");
	like(
		$err,
		qr/ERROR:\s+42501: must be a member of pghero_admin to $reader_actions{$sql}\n/,
		"reader: \"$sql\" names the role it needs");
	like(
		$err,
		qr/HINT:\s+.*GRANT pghero_admin TO regress_pghero_reader;/,
		"reader: \"$sql\" hints at the GRANT");
}
is_deeply(new_audit_rows(), [], 'audit_log: nothing written for a reader');
is( safe_psql_as('regress_pghero_reader', 'SELECT count(*) FROM pghero.audit_log'),
	'0', 'reader: reads the audit log through pghero.audit_log');
like(
	$node->safe_psql('postgres',
		'SELECT count(*) FROM pg_stat_statements WHERE calls > 0'),
	qr/^[1-9]\d*$/,
	'a reader\'s reset_query_stats(all_statements => true) reset nothing');

ok(session_alive($pid_a), 'app session survived the reader');

#
# A role without grant: nothing in schema pghero is usable
#
is( $node->safe_psql(
		'postgres',
		"SELECT has_schema_privilege('regress_pghero_nobody', 'pghero', 'USAGE')"),
	'f',
	'nobody has no USAGE on schema pghero');

is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(x.obj, ', ' ORDER BY x.obj) FROM (
			SELECT 'schema pghero' AS obj, a.grantee
			FROM pg_namespace n,
				 aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
			WHERE n.nspname = 'pghero'
			UNION ALL
			SELECT c.oid::regclass::text, a.grantee
			FROM pg_class c,
				 aclexplode(coalesce(c.relacl, acldefault(
					 CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
			WHERE c.relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
			UNION ALL
			SELECT p.oid::regprocedure::text, a.grantee
			FROM pg_proc p,
				 aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
			WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)) x
		WHERE x.grantee = 0}),
	'',
	'nothing in schema pghero is granted to PUBLIC');

is( $node->safe_psql(
		'postgres', q{
		SELECT string_agg(x.obj, ', ' ORDER BY x.obj) FROM (
			SELECT c.oid::regclass::text AS obj
			FROM pg_class c
			WHERE c.relnamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
			  AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')
			  AND has_table_privilege('regress_pghero_nobody', c.oid, 'SELECT')
			UNION ALL
			SELECT p.oid::regprocedure::text
			FROM pg_proc p
			WHERE p.pronamespace IN ('pghero'::regnamespace, 'pghero_internal'::regnamespace)
			  AND has_function_privilege('regress_pghero_nobody', p.oid, 'EXECUTE')) x}),
	'',
	'nobody has no privilege on any relation or function of schema pghero');

# One statement per relation and per function of the schema, functions
# called with NULL arguments of their declared types.
my @nobody_sql = split /\n/, $node->safe_psql(
	'postgres', q{
	SELECT format('SELECT * FROM %I.%I', n.nspname, c.relname)
	FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = 'pghero' AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')
	UNION ALL
	SELECT format('SELECT %I.%I(%s)', n.nspname, p.proname,
				  (SELECT string_agg('NULL::' || format_type(t.typ, NULL), ', ' ORDER BY t.ord)
				   FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS t(typ, ord)))
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	WHERE n.nspname = 'pghero'
	ORDER BY 1});
cmp_ok(scalar(@nobody_sql), '>', 30,
	'more than 30 pghero relations and functions enumerated');
foreach my $sql (@nobody_sql)
{
	my ($ret, $out, $err) = psql_as('regress_pghero_nobody', $sql);
	like(
		$err,
		qr/ERROR:\s+42501: permission denied for (schema pghero|table|view|sequence|function)/,
		"nobody: \"$sql\" is denied");
}

#
# pghero_admin: cancel
#
ok(safe_psql_as('regress_pghero_admin', "SELECT pghero.cancel($pid_a)") eq 't',
	'admin: cancel of app query returns true');
like(
	finish_session('regress_app_a'),
	qr/ERROR:  canceling statement due to user request/,
	'admin: app query was canceled');
is_deeply(
	new_audit_rows(),
	[
		"regress_pghero_admin|regress_pghero_admin|cancel|$pid_a|regress_pghero_app|t"
	],
	'audit_log: one row for the cancel');
is( safe_psql_as(
		'regress_pghero_admin',
		"SELECT target_query FROM pghero_internal.audit_log WHERE target_pid = $pid_a"),
	'SELECT pg_sleep(300) /* marker-xyz */;',
	'audit_log: the canceled query text is logged');

#
# pghero_admin: terminate with backend_start
#
my $pid_b = start_session('regress_pghero_app', 'regress_app_b',
	'SELECT pg_sleep(300);', 'active');

my ($ret, $out, $err) = psql_as('regress_pghero_admin',
	"SELECT pghero.terminate($pid_b, '2000-01-01 00:00:00+00')");
is($ret, 0, 'admin: terminate with a wrong backend_start does not fail');
is($out, 'f', 'admin: terminate with a wrong backend_start returns false');
like(
	$err,
	qr/WARNING:\s+01000: nothing was signalled: backend_start does not match\n(?:.*\n)*?DETAIL:\s+Process $pid_b started at .*, not at 2000-01-01/,
	'admin: terminate with a wrong backend_start warns');
ok(session_alive($pid_b),
	'app session is alive after terminate with a wrong backend_start');
is_deeply(
	new_audit_rows(),
	[ "regress_pghero_admin|regress_pghero_admin|terminate|$pid_b|-|f" ],
	'audit_log: a wrong backend_start is logged as not succeeded');
like(
	safe_psql_as(
		'regress_pghero_admin', qq{
		SELECT detail FROM pghero_internal.audit_log
		WHERE target_pid = $pid_b ORDER BY id DESC LIMIT 1}),
	qr/^backend_start did not match \(process started at .*\)$/,
	'audit_log: the detail says backend_start did not match');

is( safe_psql_as(
		'regress_pghero_admin', qq{
		SELECT pghero.terminate(pid, backend_start) FROM pghero.running_queries
		WHERE pid = $pid_b}),
	't',
	'admin: terminate with the right backend_start returns true');
like(
	finish_session('regress_app_b'),
	qr/FATAL:  terminating connection due to administrator command/,
	'admin: app session was terminated');
ok(wait_session_gone($pid_b), 'terminated app session is gone');
is_deeply(
	new_audit_rows(),
	[
		"regress_pghero_admin|regress_pghero_admin|terminate|$pid_b|regress_pghero_app|t"
	],
	'audit_log: one row for the terminate');

#
# pghero_admin: refusals
#
my $checkpointer = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'");
like($checkpointer, qr/^\d+$/, 'found the checkpointer');
my $pid_s = start_session('regress_pghero_super', 'regress_super_s',
	'SELECT pg_sleep(300);', 'active');

my @refusals = (
	[
		'SELECT pghero.cancel(pg_backend_pid())',
		qr/WARNING:\s+22023: .*cancel your own session/,
		'own session (cancel)'
	],
	[
		'SELECT pghero.terminate(pg_backend_pid())',
		qr/WARNING:\s+22023: .*terminate your own session/,
		'own session (terminate)'
	],
	[
		"SELECT pghero.terminate($checkpointer)",
		qr/WARNING:\s+22023: (?s:.*)not a client backend/,
		'checkpointer (terminate)'
	],
	[
		"SELECT pghero.cancel($checkpointer)",
		qr/WARNING:\s+22023: (?s:.*)not a client backend/,
		'checkpointer (cancel)'
	],
	[
		"SELECT pghero.cancel($pid_s)",
		qr/WARNING:\s+42501: .*superuser/,
		'superuser session (cancel)'
	],
	[
		"SELECT pghero.terminate($pid_s)",
		qr/WARNING:\s+42501: .*superuser/,
		'superuser session (terminate)'
	]);
foreach my $r (@refusals)
{
	my ($sql, $expected, $what) = @$r;
	($ret, $out, $err) = psql_as('regress_pghero_admin', $sql);
	is($ret, 0, "admin: a refusal for $what is no error");
	is($out, 'f', "admin: refused for $what");
	like($err, $expected, "admin: refusal warning for $what");
}
ok(session_alive($pid_s), 'superuser session survived the refusals');
ok($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'checkpointer' AND pid = $checkpointer"
	) eq '1',
	'checkpointer survived the refusals');
my @refusal_rows = @{ new_audit_rows() };
is(scalar(@refusal_rows), 6, 'audit_log: one row per refusal');
like(
	join("\n", @refusal_rows),
	qr/^regress_pghero_admin\|regress_pghero_admin\|cancel\|\d+\|regress_pghero_admin\|f
regress_pghero_admin\|regress_pghero_admin\|terminate\|\d+\|regress_pghero_admin\|f
regress_pghero_admin\|regress_pghero_admin\|terminate\|$checkpointer\|-\|f
regress_pghero_admin\|regress_pghero_admin\|cancel\|$checkpointer\|-\|f
regress_pghero_admin\|regress_pghero_admin\|cancel\|$pid_s\|regress_pghero_super\|f
regress_pghero_admin\|regress_pghero_admin\|terminate\|$pid_s\|regress_pghero_super\|f$/,
	'audit_log: each refusal logged as not succeeded, with its target');
is( safe_psql_as(
		'regress_pghero_admin', qq{
		SELECT string_agg(detail, E'\n' ORDER BY id) FROM (
			SELECT id, detail FROM pghero.audit_log ORDER BY id DESC LIMIT 6) d}),
	join("\n",
		'refused: cannot cancel your own session',
		'refused: cannot terminate your own session',
		'refused: cannot terminate a checkpointer process',
		'refused: cannot cancel a checkpointer process',
		'refused: permission denied to cancel a superuser\'s session',
		'refused: permission denied to terminate a superuser\'s session'),
	'audit_log: the detail says why each was refused');

#
# pghero_admin: a process that does not exist
#
($ret, $out, $err) =
  psql_as('regress_pghero_admin', 'SELECT pghero.cancel(2147483647)');
is($ret, 0, 'admin: cancel of a pid that does not exist is no error');
is($out, 'f', 'admin: cancel of a pid that does not exist returns false');
like(
	$err,
	qr/WARNING:\s+01000: PID 2147483647 is not a PostgreSQL server process/,
	'admin: cancel of a pid that does not exist warns');
($ret, $out, $err) = psql_as('regress_pghero_admin',
	"SELECT pghero.terminate(2147483647, '2000-01-01 00:00:00+00')");
is($ret, 0, 'admin: terminate of a pid that does not exist is no error');
is($out, 'f', 'admin: terminate of a pid that does not exist returns false');
is_deeply(
	new_audit_rows(),
	[
		'regress_pghero_admin|regress_pghero_admin|cancel|2147483647|-|f',
		'regress_pghero_admin|regress_pghero_admin|terminate|2147483647|-|f'
	],
	'audit_log: a pid that does not exist is logged as not succeeded');
is( safe_psql_as(
		'regress_pghero_admin', q{
		SELECT string_agg(detail, ',' ORDER BY id) FROM pghero.audit_log
		WHERE target_pid = 2147483647}),
	'no such backend,no such backend',
	'audit_log: the detail says there is no such backend');
# in a transaction that is rolled back, the row goes, the server log keeps it
my $log_offset = -s $node->logfile;
($ret, $out, $err) = psql_as('regress_pghero_admin',
	'BEGIN; SELECT pghero.cancel(2147483646); ROLLBACK;');
is_deeply(new_audit_rows(), [], 'audit_log: a rolled-back action leaves no row');
like(
	slurp_file($node->logfile, $log_offset),
	qr/LOG:  pghero audit: cancel by role "regress_pghero_admin" \(session user "regress_pghero_admin"\) on process 2147483646: not done, no such backend/,
	'the server log keeps the audit line of a rolled-back action');

is( safe_psql_as('regress_pghero_super', "SELECT pghero.cancel($pid_s)"),
	't', 'superuser: cancel of a superuser session returns true');
like(
	finish_session('regress_super_s'),
	qr/ERROR:  canceling statement due to user request/,
	'superuser: superuser query was canceled');
is_deeply(
	new_audit_rows(),
	[
		"regress_pghero_super|regress_pghero_super|cancel|$pid_s|regress_pghero_super|t"
	],
	'audit_log: the superuser cancel is logged with the superuser role');

#
# pghero_admin: kill_long_running_queries
#
my $pid_c = start_session('regress_pghero_app', 'regress_app_c',
	'SELECT pg_sleep(300) /* marker-long */;', 'active');
my $pid_s2 = start_session('regress_pghero_super', 'regress_super_s2',
	'SELECT pg_sleep(300);', 'active');
my $pid_g = start_session('regress_pghero_app', 'regress_app_g',
	'SELECT pg_sleep(300);', 'active', 'template1');
ok( $node->poll_query_until(
		'postgres', qq{
		SELECT count(*) = 3 FROM pg_stat_activity
		WHERE pid IN ($pid_c, $pid_s2, $pid_g)
		  AND now() - query_start > interval '1.5 seconds'}),
	'long queries have run for more than a second');

is( safe_psql_as(
		'regress_pghero_admin', q{
		SET pghero.long_running_query_sec = 1;
		SELECT pid, username, action, signalled
		FROM pghero.kill_long_running_queries()}),
	"$pid_c|regress_pghero_app|terminate|t",
	'admin: kill_long_running_queries terminates only the app long query');
like(
	finish_session('regress_app_c'),
	qr/FATAL:  terminating connection due to administrator command/,
	'admin: long app query was terminated');
ok(wait_session_gone($pid_c), 'terminated long app session is gone');
ok(session_alive($pid_s2),
	'long superuser query survived kill_long_running_queries');
ok(session_alive($pid_g),
	'long query in another database survived kill_long_running_queries');
is_deeply(
	new_audit_rows(),
	[
		"regress_pghero_admin|regress_pghero_admin|terminate|$pid_c|regress_pghero_app|t"
	],
	'audit_log: one row for kill_long_running_queries');

#
# pghero_admin: kill_all
#
my $pid_e = start_session('regress_pghero_app', 'regress_app_e',
	'SELECT pg_sleep(300);', 'active');
my $pid_f = start_session('regress_pghero_app', 'regress_app_f',
	'SELECT 1;', 'idle');

# A cancel that reaches an idle session sends the signal, which the session
# ignores: it says so, and the audit row says so.
($ret, $out, $err) =
  psql_as('regress_pghero_admin', "SELECT pghero.cancel($pid_f)");
is($out, 't', 'admin: cancel of an idle session returns true (signal sent)');
like(
	$err,
	qr/WARNING:\s+01000: process $pid_f was idle when cancelled: there was no query to cancel/,
	'admin: cancel of an idle session warns that there was nothing to cancel');
ok(session_alive($pid_f), 'idle app session is alive after the cancel');
is_deeply(
	new_audit_rows(),
	[
		"regress_pghero_admin|regress_pghero_admin|cancel|$pid_f|regress_pghero_app|t"
	],
	'audit_log: one row for the cancel of an idle session');
is( safe_psql_as(
		'regress_pghero_admin', qq{
		SELECT detail FROM pghero_internal.audit_log
		WHERE target_pid = $pid_f ORDER BY id DESC LIMIT 1}),
	'signal sent, but the session was idle: no query to cancel',
	'audit_log: the detail says there was no query to cancel');

# Wait until the client backends of database postgres are exactly E, F, S2
# and the poller itself, so that no exiting backend of an earlier psql call
# is caught by kill_all.
ok( $node->poll_query_until(
		'postgres', qq{
		SELECT array_agg(pid ORDER BY pid) = (SELECT array_agg(p ORDER BY p)
			FROM unnest(ARRAY[$pid_e, $pid_f, $pid_s2]) p)
		FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND datname = 'postgres'
		  AND pid <> pg_backend_pid()}),
	'only the expected sessions are connected to postgres');

($ret, $out, $err) = psql_as(
	'regress_pghero_admin', q{
	SELECT pid, username, action, signalled
	FROM pghero.kill_all('postgres') ORDER BY pid});
is($ret, 0, 'admin: kill_all(\'postgres\') succeeds')
  or diag("kill_all failed: $err");
is( $out,
	join("\n",
		map { "$_|regress_pghero_app|terminate|t" }
		sort { $a <=> $b } ($pid_e, $pid_f)),
	'admin: kill_all terminates the app sessions only');
if ($ret == 0)
{
	like(
		finish_session('regress_app_e'),
		qr/FATAL:  terminating connection due to administrator command/,
		'admin: active app session was terminated by kill_all');
	ok(wait_session_gone($pid_e), 'active app session is gone');
	ok(wait_session_gone($pid_f), 'idle app session is gone');
}
else
{
	# kill_all failed: do not wait for sessions that nothing signalled
	fail('admin: active app session was terminated by kill_all');
	fail('active app session is gone');
	fail('idle app session is gone');
}
is_deeply(
	[ sort @{ new_audit_rows() } ],
	[
		sort map {
			"regress_pghero_admin|regress_pghero_admin|terminate|$_|regress_pghero_app|t"
		} ($pid_e, $pid_f)
	],
	'audit_log: one row per session terminated by kill_all');

($ret, $out, $err) = psql_as('regress_pghero_admin',
	"SELECT * FROM pghero.kill_all('no_such_db')");
like(
	$err,
	qr/ERROR:\s+3D000: database "no_such_db" does not exist/,
	'admin: kill_all of an unknown database fails');
ok(session_alive($pid_s2), 'superuser session survived kill_all');
ok(session_alive($pid_g), 'session in another database survived kill_all');
is_deeply(new_audit_rows(), [],
	'audit_log: nothing logged for an unknown database');

#
# pghero_admin: reset_query_stats
#
my $before = $node->safe_psql('postgres',
	'SELECT count(*) FROM pg_stat_statements');
cmp_ok($before, '>', 10, 'pg_stat_statements has entries before the reset');
# without a scope: refused, with the forms to use instead
($ret, $out, $err) =
  psql_as('regress_pghero_admin', 'SELECT pghero.reset_query_stats()');
isnt($ret, 0, 'admin: reset_query_stats() without a scope fails');
like(
	$err,
	qr/ERROR:\s+22023: reset_query_stats\(\) needs a scope or all_statements => true/,
	'admin: reset_query_stats() without a scope says what it needs');
like(
	$err,
	qr/HINT:\s+.*reset_query_stats\(userid => .*reset_query_stats\(all_statements => true\)/,
	'admin: the hint shows the scoped forms and all_statements => true');
cmp_ok($node->safe_psql('postgres', 'SELECT count(*) FROM pg_stat_statements'),
	'>=', $before, 'pg_stat_statements kept its entries after the refusal');
is_deeply(new_audit_rows(), [], 'audit_log: nothing logged for the refusal (an error)');

# scoped by role: only that role's entries go
is( safe_psql_as(
		'regress_pghero_admin',
		q{SELECT pghero.reset_query_stats(userid => 'regress_pghero_app'::regrole)}),
	't', 'admin: reset_query_stats(userid => ...) returns true');
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FILTER (WHERE userid = 'regress_pghero_app'::regrole) || '|'
			   || (count(*) FILTER (WHERE userid <> 'regress_pghero_app'::regrole) > 0)
		FROM pg_stat_statements}),
	'0|true',
	'a reset scoped by role resets that role\'s entries only');
is_deeply(
	new_audit_rows(),
	[ 'regress_pghero_admin|regress_pghero_admin|reset_query_stats|-|-|t' ],
	'audit_log: one row for the scoped reset');
like(
	safe_psql_as(
		'regress_pghero_admin',
		"SELECT detail FROM pghero.audit_log WHERE action = 'reset_query_stats' ORDER BY id DESC LIMIT 1"),
	qr/^userid \d+, dbid 0, queryid 0: [1-9]\d* entries reset$/,
	'audit_log: the scope of the reset and what it reset are logged');

# everything, when asked explicitly
$before = $node->safe_psql('postgres',
	'SELECT count(*) FROM pg_stat_statements');
cmp_ok($before, '>', 5, 'pg_stat_statements has entries before the full reset');
is( safe_psql_as(
		'regress_pghero_admin',
		'SELECT pghero.reset_query_stats(all_statements => true)'),
	't', 'admin: reset_query_stats(all_statements => true) returns true');
my $after = $node->safe_psql('postgres',
	'SELECT count(*) FROM pg_stat_statements');
cmp_ok($after, '<', $before, 'pg_stat_statements count dropped');
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FROM pg_stat_statements
		WHERE query LIKE '%marker_stats_abc%'}),
	'0',
	'the app statement is gone from pg_stat_statements');
is_deeply(
	new_audit_rows(),
	[ 'regress_pghero_admin|regress_pghero_admin|reset_query_stats|-|-|t' ],
	'audit_log: one row for the full reset');
like(
	safe_psql_as(
		'regress_pghero_admin',
		"SELECT detail FROM pghero.audit_log WHERE action = 'reset_query_stats' ORDER BY id DESC LIMIT 1"),
	qr/^all statements: [1-9]\d* entries reset$/,
	'audit_log: the full reset is logged as such');

# Stop what is still running.
foreach my $appname (sort keys %sessions)
{
	$sessions{$appname}{h}->kill_kill;
}
$node->stop;

done_testing();
