
# Copyright (c) pghero contributors

# 009_redact.pl -- no view shows the password of another session's statement.
#
# What this proves:
#  * While one session holds an ALTER ROLE ... PASSWORD in an open
#    transaction and a second one waits behind it with another ALTER ROLE
#    ... PASSWORD, pg_stat_activity shows both passwords (so the test means
#    something), but for a pghero_reader running_queries and
#    long_running_queries show both statements with '<redacted>' instead,
#    blocked_queries shows the waiter and the locker that way, and no row of
#    any view of schema pghero (enumerated from pg_class, so views added
#    later are covered) contains a password.
#  * Cancelling the waiter with pghero.cancel() writes its statement to
#    pghero_internal.audit_log redacted.
#  * pg_stat_statements texts: query_stats (live) shows none of the
#    passwords, nor does the history: query_texts, filled by the
#    collector's statements source, stores none, and query_stats(start_at,
#    end_at) shows none.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;
use lib $FindBin::RealBin;
use PgheroSession;

# Upper bound, in seconds, of every wait in this test.
my $wait_secs = 30;

my $node = PostgreSQL::Test::Cluster->new('redact');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = all
autovacuum = off
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
CREATE ROLE regress_pghero_pw LOGIN;
CREATE ROLE regress_pghero_redact_reader LOGIN;
GRANT pghero_reader TO regress_pghero_redact_reader;
});

# Run SQL as the reader, in a new connection.
sub as_reader
{
	my ($sql) = @_;
	return $node->safe_psql('postgres',
		"SET ROLE regress_pghero_redact_reader;\n$sql");
}

#--------------------------------------------------------------------------
# Live views: two sessions with passwords in their statements
#--------------------------------------------------------------------------

my $locker = PgheroSession->new($node,
	application_name => 'regress_pghero_locker', timeout => $wait_secs);
my $locker_pid = $locker->query('SELECT pg_backend_pid()')->[0];
$locker->query('BEGIN;');
$locker->send(q{ALTER ROLE regress_pghero_pw PASSWORD 'regress_secret_a';});
ok( PgheroSession->poll_until(
		sub {
			$node->safe_psql('postgres', qq{
				SELECT state FROM pg_stat_activity
				WHERE pid = $locker_pid AND query LIKE 'ALTER ROLE%'});
		},
		'idle in transaction', $wait_secs, 'locker altered the role'),
	'the locker holds the role row');

my $waiter = PgheroSession->new($node,
	application_name => 'regress_pghero_waiter', timeout => $wait_secs);
my $waiter_pid = $waiter->query('SELECT pg_backend_pid()')->[0];
like($waiter_pid, qr/^\d+$/, 'waiter session started');
$waiter->send(q{ALTER ROLE regress_pghero_pw WITH ENCRYPTED PASSWORD 'regress_secret_b';});

ok( PgheroSession->poll_until(
		sub {
			as_reader(
				"SELECT count(*) FROM pghero.blocked_queries WHERE blocked_pid = $waiter_pid"
			);
		},
		'1', $wait_secs, 'waiter blocked behind locker'),
	'the waiter waits for the locker');

is( $node->safe_psql('postgres', qq{
	SELECT count(*) FROM pg_stat_activity
	WHERE pid IN ($locker_pid, $waiter_pid) AND query LIKE '%regress\\_secret%'}),
	'2', 'pg_stat_activity shows both passwords to a superuser');

is( as_reader(qq{
	SELECT pid = $locker_pid, query
	FROM pghero.running_queries
	WHERE pid IN ($locker_pid, $waiter_pid)
	ORDER BY pid = $locker_pid}),
	"f|ALTER ROLE regress_pghero_pw WITH ENCRYPTED PASSWORD '<redacted>';\n"
	  . "t|ALTER ROLE regress_pghero_pw PASSWORD '<redacted>';",
	'running_queries: both statements, passwords redacted');
is( as_reader(qq{
	SET pghero.long_running_query_sec = 0;
	SELECT count(*) FILTER (WHERE query LIKE '%<redacted>%'),
		   count(*) FILTER (WHERE query LIKE '%regress\\_secret%')
	FROM pghero.long_running_queries
	WHERE pid IN ($locker_pid, $waiter_pid)}),
	'2|0', 'long_running_queries: passwords redacted');
is( as_reader(qq{
	SELECT blocking_pid = $locker_pid, blocked_query, blocking_query
	FROM pghero.blocked_queries WHERE blocked_pid = $waiter_pid}),
	"t|ALTER ROLE regress_pghero_pw WITH ENCRYPTED PASSWORD '<redacted>';"
	  . "|ALTER ROLE regress_pghero_pw PASSWORD '<redacted>';",
	'blocked_queries: blocked and blocking statements, passwords redacted');

# every view, every row, every column
my ($ret, $out, $err) = $node->psql('postgres', q{
	SET ROLE regress_pghero_redact_reader;
	DO $$
	DECLARE
		v record;
		n bigint;
		total bigint := 0;
	BEGIN
		FOR v IN
			SELECT c.relname FROM pg_class c
			WHERE c.relnamespace = 'pghero'::regnamespace AND c.relkind = 'v'
		LOOP
			EXECUTE format('SELECT count(*) FROM pghero.%I t WHERE t::text LIKE %L',
						   v.relname, '%regress\_secret%') INTO n;
			total := total + n;
		END LOOP;
		RAISE NOTICE 'rows with a password: %', total;
	END
	$$;});
is($ret, 0, 'sweep of every view succeeds');
like($err, qr/rows with a password: 0$/m, 'no view shows a password');

# the audit log keeps the cancelled statement, redacted
is( $node->safe_psql('postgres', "SELECT pghero.cancel($waiter_pid)"),
	't', 'waiter cancelled');
ok($waiter->wait_for('err', qr/canceling statement due to user request/),
	'waiter saw the cancel');
is( $node->safe_psql('postgres', qq{
	SELECT target_query FROM pghero_internal.audit_log
	WHERE action = 'cancel' AND target_pid = $waiter_pid}),
	"ALTER ROLE regress_pghero_pw WITH ENCRYPTED PASSWORD '<redacted>';",
	'audit_log: the cancelled statement, password redacted');

$locker->query('ROLLBACK;');
is($locker->quit, 0, 'locker exits cleanly');
is($waiter->quit, 0, 'waiter exits cleanly');

#--------------------------------------------------------------------------
# Statement texts: live and stored
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
ALTER ROLE regress_pghero_pw PASSWORD 'regress_secret_c';
DO $$BEGIN EXECUTE 'ALTER ROLE regress_pghero_pw PASSWORD ''regress_secret_d'''; END$$;
});
is( as_reader(q{
	SELECT count(*) > 0, count(*) FILTER (WHERE query LIKE '%regress\_secret%')
	FROM pghero.query_stats WHERE query LIKE '%regress\_pghero\_pw%'}),
	't|0', 'query_stats: the statements, no password');

$node->safe_psql('postgres', q{SELECT pghero.capture(ARRAY['statements'])});
$node->safe_psql('postgres', q{
ALTER ROLE regress_pghero_pw PASSWORD 'regress_secret_e';
});
$node->safe_psql('postgres', q{SELECT pghero.capture(ARRAY['statements'])});
is( $node->safe_psql('postgres', q{
	SELECT count(*) > 0 FROM pghero_internal.query_texts
	WHERE query LIKE '%regress\_pghero\_pw%'}),
	't', 'query_texts has the statements');
is( $node->safe_psql('postgres', q{
	SELECT count(*) FROM pghero_internal.query_texts
	WHERE query LIKE '%regress\_secret%'}),
	'0', 'query_texts: no password stored');
is( as_reader(q{
	SELECT count(*) > 0 FROM pghero.query_stats_history
	WHERE query LIKE '%regress\_pghero\_pw%'}),
	't', 'query_stats_history: the reader sees the statements');
is( as_reader(q{
	SELECT count(*) FROM pghero.query_stats_history
	WHERE query LIKE '%regress\_secret%'}),
	'0', 'query_stats_history: no password shown');
is( as_reader(q{
	SELECT count(*) FROM pghero.query_stats_between(now() - interval '1 hour', now())
	WHERE query LIKE '%regress\_secret%'}),
	'0', 'query_stats(start_at, end_at): no password shown');

$node->safe_psql('postgres', q{
DROP ROLE regress_pghero_pw;
DROP OWNED BY regress_pghero_redact_reader;
DROP ROLE regress_pghero_redact_reader;
});
$node->stop;

done_testing();
