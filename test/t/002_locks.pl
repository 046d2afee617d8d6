
# Copyright (c) pghero contributors

# 002_locks.pl -- pghero never queues behind a lock held by another session.
#
# What this proves:
#  * While another session holds ACCESS EXCLUSIVE on user tables (an open
#    LOCK TABLE transaction), SELECT * from EVERY view of schema pghero
#    (enumerated from pg_class now, so views added later are covered)
#    returns within statement_timeout = 5s instead of waiting.
#  * The answers degrade instead of blocking: relation_sizes/table_sizes
#    give size_bytes NULL and measured = false for the locked table (and
#    measured = false for a partitioned table with a locked partition),
#    while the other tables are measured; indexes (a partial index's
#    predicate included), duplicate_indexes and invalid_constraints give
#    NULL definitions for objects of the locked table (and for a foreign key
#    referencing it), real ones for the others; sequences still reads the
#    locked table's sequence (LOCK TABLE does not lock it), but not a
#    sequence that is itself locked (ALTER SEQUENCE ... RENAME), which
#    sequence_danger then leaves out.
#  * With a second session queued behind the lock, blocked_queries shows
#    exactly that waiter, the lock it waits for and the idle-in-transaction
#    locker; running_queries shows blocked_by = {locker}.  A third session
#    that is busy (pg_sleep) but waits for no lock is not reported.
#  * Likewise when an ALTER TABLE is queued for ACCESS EXCLUSIVE behind an
#    ordinary reader: the views must not queue behind the queued ALTER.
#  * A row-lock wait (UPDATE of a row another open transaction updated) is
#    reported as waiting for that transaction (transactionid, ShareLock).
#  * The views release the locks they take on user tables as they go.
#  * The history readers (query_stats(), slow_queries(), query_history(),
#    database_activity(), space_growth(), relation_space_history()) give a
#    clear error at once, instead of waiting, while another session holds
#    ACCESS EXCLUSIVE on the history tables; pghero.overview then answers
#    at once, its activity columns NULL with a note saying why.
#  * With the collector's state of the issues (issue_state, or
#    collector_sources) locked, health(), issue_counts, the overview and
#    pghero.issues answer at once from a live evaluation, with a NOTICE
#    saying why (pghero.issues without first_seen).
#
# Background sessions are psql processes fed through a pipe (IPC::Run), as
# PG15's Cluster.pm has no background_psql; every wait is bounded.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

use FindBin;
use lib $FindBin::RealBin;
use PgheroSession;

# Upper bound, in seconds, of every wait in this test.
my $wait_secs = 30;

my $node = PostgreSQL::Test::Cluster->new('locks');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
autovacuum = off
});
$node->start;

#--------------------------------------------------------------------------
# Polling and one-off queries (background psql sessions are PgheroSession
# objects, see PgheroSession.pm)
#--------------------------------------------------------------------------

# Poll a query in a new connection until it returns $expected, bounded.
sub poll_until
{
	my ($sql, $expected) = @_;
	return PgheroSession->poll_until(sub { query($sql) },
		$expected, $wait_secs, $sql);
}

# Run SQL with a 10 s statement_timeout: its output, or its error, so a
# view that waits for a lock fails one test instead of hanging the run.
sub query
{
	my ($sql) = @_;
	my ($out, $err);
	$node->psql('postgres', "SET statement_timeout = '10s';\n$sql",
		stdout => \$out, stderr => \$err);
	return $err eq '' ? $out : "ERROR: $err";
}

#--------------------------------------------------------------------------
# Schema
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;

CREATE TABLE locked_tbl (id serial PRIMARY KEY, payload text);
CREATE INDEX locked_tbl_payload_idx ON locked_tbl (payload);
-- makes locked_tbl_payload_idx a duplicate
CREATE INDEX locked_tbl_payload_id_idx ON locked_tbl (payload, id);
CREATE INDEX locked_tbl_partial_idx ON locked_tbl (id) WHERE payload IS NOT NULL;
INSERT INTO locked_tbl (payload)
	SELECT 'row ' || g FROM generate_series(1, 1000) g;
ALTER TABLE locked_tbl ADD CONSTRAINT locked_tbl_payload_check
	CHECK (payload <> '') NOT VALID;

-- a sequence used through a nextval() default; the locker renames it
CREATE SEQUENCE free_seq START 100 MAXVALUE 1000;
CREATE TABLE free_tbl (id serial PRIMARY KEY, payload text, ref_id int,
	seq_col bigint DEFAULT nextval('free_seq'));
CREATE INDEX free_tbl_payload_idx ON free_tbl (payload);
CREATE INDEX free_tbl_payload_id_idx ON free_tbl (payload, id);
INSERT INTO free_tbl (payload) SELECT 'row ' || g FROM generate_series(1, 500) g;
ALTER TABLE free_tbl ADD CONSTRAINT free_tbl_payload_check
	CHECK (payload <> '') NOT VALID;
ALTER TABLE free_tbl ADD CONSTRAINT free_tbl_ref_fkey
	FOREIGN KEY (ref_id) REFERENCES locked_tbl (id) NOT VALID;

CREATE TABLE part_tbl (id int, payload text) PARTITION BY RANGE (id);
CREATE TABLE part_locked PARTITION OF part_tbl FOR VALUES FROM (0) TO (1000);
CREATE TABLE part_free PARTITION OF part_tbl FOR VALUES FROM (1000) TO (2000);
CREATE INDEX part_tbl_payload_idx ON part_tbl (payload);
INSERT INTO part_tbl SELECT g, 'row ' || g FROM generate_series(0, 1999) g;

ANALYZE;
});

my @views = split /\n/, $node->safe_psql('postgres', q{
	SELECT c.relname FROM pg_catalog.pg_class c
	WHERE c.relnamespace = 'pghero'::regnamespace AND c.relkind IN ('v', 'm')
	ORDER BY c.relname COLLATE "C"});
cmp_ok(scalar(@views), '>=', 25, 'schema pghero has its views (' . scalar(@views) . ')');

# SELECT * from every view with a 5 s statement_timeout.
sub check_every_view
{
	my ($when) = @_;
	my @failed;
	foreach my $v (@views)
	{
		my ($out, $err);
		my $ret = $node->psql('postgres',
			qq{SET statement_timeout = '5s'; SELECT * FROM pghero."$v"},
			stdout => \$out, stderr => \$err);
		push @failed, "$v: $err" if $ret != 0 || $err =~ /ERROR/;
	}
	is(join("\n", @failed), '', "every view answers $when");
	return;
}

check_every_view('with no lock held');

is( query(q{
	SELECT sequence_name, relname, column_name, last_value, readable
	FROM pghero.sequences WHERE relname IN ('locked_tbl', 'free_tbl')
	ORDER BY sequence_name COLLATE "C"}),
	"free_seq|free_tbl|seq_col|599|t\nfree_tbl_id_seq|free_tbl|id|500|t\n"
	  . "locked_tbl_id_seq|locked_tbl|id|1000|t",
	'sequences: every sequence is read when nothing is locked');
is( query(q{
	SET pghero.sequence_danger_percent = 50;
	SELECT sequence_name, percent_used FROM pghero.sequence_danger}),
	'free_seq|59.90', 'sequence_danger: a sequence 59.9 % used');

#--------------------------------------------------------------------------
# A session holding ACCESS EXCLUSIVE, idle in transaction
#--------------------------------------------------------------------------

my $locker = PgheroSession->new($node,
	application_name => 'regress_pghero_locker', timeout => $wait_secs);
my $locker_pid = $locker->query('SELECT pg_backend_pid()')->[0];
like($locker_pid, qr/^\d+$/, 'locker session started');
my $r = $locker->query(
	'BEGIN; LOCK TABLE locked_tbl, part_locked IN ACCESS EXCLUSIVE MODE; '
	  . 'ALTER SEQUENCE free_seq RENAME TO free_seq_renamed');
is($r->[1], '', 'locker holds ACCESS EXCLUSIVE');
is( query(qq{
	SELECT count(*) FROM pg_locks
	WHERE pid = $locker_pid AND granted AND mode = 'AccessExclusiveLock'
	  AND relation IN ('locked_tbl'::regclass, 'part_locked'::regclass,
					   'free_seq'::regclass)}),
	'3', 'the three locks are granted to the locker');

check_every_view('while a table is locked');

# Sizes: NULL and not measured for the locked table, measured elsewhere.
is( query(q{
	SELECT relname, type, size_bytes IS NULL, measured, partitions
	FROM pghero.relation_sizes
	WHERE relname IN ('locked_tbl', 'free_tbl', 'part_tbl', 'part_locked', 'part_free')
	ORDER BY relname COLLATE "C"}),
	join("\n",
		'free_tbl|table|f|t|',
		'locked_tbl|table|t|f|',
		'part_free|table|f|t|',
		'part_locked|table|t|f|',
		'part_tbl|partitioned table|f|f|2'),
	'relation_sizes: locked tables unmeasured, others measured');
is( query(q{
	SELECT bool_and(size_bytes > 0) FROM pghero.relation_sizes
	WHERE relname IN ('free_tbl', 'part_free', 'free_tbl_pkey')}),
	't', 'relation_sizes: other relations have sizes');
is( query(q{
	SELECT relname, size_bytes IS NULL, measured
	FROM pghero.table_sizes
	WHERE relname IN ('locked_tbl', 'free_tbl', 'part_tbl')
	ORDER BY relname COLLATE "C"}),
	"free_tbl|f|t\nlocked_tbl|t|f\npart_tbl|f|f",
	'table_sizes: locked tables unmeasured, others measured');

# Definitions: NULL for the locked table's indexes, real for the others.
is( query(q{
	SELECT indexname, definition IS NULL, columns IS NULL
	FROM pghero.indexes
	WHERE tablename IN ('locked_tbl', 'part_locked')
	ORDER BY indexname COLLATE "C"}),
	join("\n",
		'locked_tbl_partial_idx|t|t',
		'locked_tbl_payload_id_idx|t|t',
		'locked_tbl_payload_idx|t|t',
		'locked_tbl_pkey|t|t',
		'part_locked_payload_idx|t|t'),
	'indexes: definitions of the locked tables\' indexes are NULL');
is( query(q{
	SELECT definition, columns FROM pghero.indexes
	WHERE indexname = 'free_tbl_payload_id_idx'}),
	'CREATE INDEX free_tbl_payload_id_idx ON public.free_tbl USING btree (payload, id)|{payload,id}',
	'indexes: definition of an unlocked table\'s index');
is( query(q{
	SELECT indexname, predicate IS NULL OR predicate = 'payload IS NOT NULL'
	FROM pghero.indexes WHERE indexname = 'locked_tbl_partial_idx'}),
	'locked_tbl_partial_idx|t',
	'indexes: the predicate of the locked table\'s partial index, without waiting');
is( query(q{
	SELECT tablename, unneeded_index, covering_index,
		   unneeded_definition IS NULL, covering_definition IS NULL
	FROM pghero.duplicate_indexes
	WHERE tablename IN ('locked_tbl', 'free_tbl')
	ORDER BY tablename COLLATE "C"}),
	"free_tbl|free_tbl_payload_idx|free_tbl_payload_id_idx|f|f\n"
	  . "locked_tbl|locked_tbl_payload_idx|locked_tbl_payload_id_idx|t|t",
	'duplicate_indexes: still found on the locked table, without definitions');

# Sequences are not locked by LOCK TABLE: still readable.  The renamed
# one is locked: unreadable, not reported in danger.
is( query(q{
	SELECT sequence_name, relname, column_name,
		   coalesce(last_value::text, '<null>'), readable
	FROM pghero.sequences WHERE relname IN ('locked_tbl', 'free_tbl')
	ORDER BY sequence_name COLLATE "C"}),
	"free_seq|free_tbl|seq_col|<null>|f\nfree_tbl_id_seq|free_tbl|id|500|t\n"
	  . "locked_tbl_id_seq|locked_tbl|id|1000|t",
	'sequences: the locked table\'s sequence is read, a locked sequence is not');
is( query(q{
	SET pghero.sequence_danger_percent = 50;
	SELECT count(*) FROM pghero.sequence_danger}),
	'0', 'sequence_danger: an unreadable sequence is not reported');

# Constraints are listed; definitions touching the locked table are NULL.
is( query(q{
	SELECT tablename, constraint_name, type, referenced_table,
		   coalesce(definition, '<null>')
	FROM pghero.invalid_constraints
	WHERE tablename IN ('locked_tbl', 'free_tbl')
	ORDER BY constraint_name COLLATE "C"}),
	join("\n",
		q{free_tbl|free_tbl_payload_check|check||CHECK (payload <> ''::text) NOT VALID},
		'free_tbl|free_tbl_ref_fkey|foreign key|locked_tbl|<null>',
		'locked_tbl|locked_tbl_payload_check|check||<null>'),
	'invalid_constraints: listed, NULL definition when a table is locked');

# Nothing is left locked by the views within a transaction.
is( query(q{
	BEGIN;
	SELECT count(*) >= 0 FROM pghero.relation_sizes;
	SELECT count(*) >= 0 FROM pghero.table_sizes;
	SELECT count(*) >= 0 FROM pghero.indexes;
	SELECT count(*) >= 0 FROM pghero.duplicate_indexes;
	SELECT count(*) >= 0 FROM pghero.invalid_constraints;
	SELECT count(*) >= 0 FROM pghero.sequences;
	SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_locks l
		JOIN pg_class c ON c.oid = l.relation
	WHERE l.pid = pg_backend_pid()
	  AND c.relnamespace = 'public'::regnamespace;
	COMMIT}),
	"t\nt\nt\nt\nt\nt\n",
	'views hold no lock on user relations once they return');

#--------------------------------------------------------------------------
# A session queued behind the lock, and one busy without waiting for a lock
#--------------------------------------------------------------------------

my $waiter = PgheroSession->new($node,
	application_name => 'regress_pghero_waiter', timeout => $wait_secs);
my $waiter_pid = $waiter->query('SELECT pg_backend_pid()')->[0];
my $sleeper = PgheroSession->new($node,
	application_name => 'regress_pghero_sleeper', timeout => $wait_secs);
my $sleeper_pid = $sleeper->query('SELECT pg_backend_pid()')->[0];

$waiter->send('SELECT count(*) FROM locked_tbl /* regress_pghero_waiter */;');
$sleeper->send('SELECT pg_sleep(120) /* regress_pghero_sleeper */;');
ok( poll_until(qq{
	SELECT count(*) FILTER (WHERE pid = $waiter_pid AND wait_event_type = 'Lock')
		 + count(*) FILTER (WHERE pid = $sleeper_pid AND wait_event = 'PgSleep')
	FROM pg_stat_activity}, '2'),
	'waiter is queued behind the lock, sleeper sleeps');

check_every_view('while a session is queued behind the lock');

is( query(q{SELECT count(*) FROM pghero.blocked_queries}),
	'1', 'blocked_queries: exactly one row');
is( query(qq{
	SELECT blocked_pid = $waiter_pid,
		   blocked_query LIKE '%SELECT count(*) FROM locked_tbl%',
		   database, lock_type, lock_mode, schemaname, relname,
		   relid = 'locked_tbl'::regclass,
		   blocking_pid = $locker_pid, blocking_state,
		   blocking_query LIKE '%ALTER SEQUENCE free_seq RENAME TO free_seq_renamed%',
		   blocked_duration_ms >= 0 AND blocked_duration::interval >= '0',
		   blocking_transaction_duration_ms >= blocked_duration_ms
	FROM pghero.blocked_queries}),
	't|t|postgres|relation|AccessShareLock|public|locked_tbl|t|t|idle in transaction|t|t|t',
	'blocked_queries: the waiter, the lock awaited and the locker');
is( query(qq{
	SELECT count(*) FROM pghero.blocked_queries
	WHERE blocked_pid IN ($sleeper_pid, $locker_pid)}),
	'0', 'blocked_queries: the sleeper and the locker are not blocked');

is( query(qq{
	SELECT pid, state, wait_event_type, blocked_by
	FROM pghero.running_queries
	WHERE pid IN ($waiter_pid, $sleeper_pid, $locker_pid)
	ORDER BY pid = $waiter_pid DESC, pid = $sleeper_pid DESC}),
	join("\n",
		"$waiter_pid|active|Lock|{$locker_pid}",
		"$sleeper_pid|active|Timeout|{}",
		"$locker_pid|idle in transaction|Client|{}"),
	'running_queries: waiter blocked by the locker, nobody else blocked');

#--------------------------------------------------------------------------
# End the lock: the waiter completes
#--------------------------------------------------------------------------

$locker->query('ROLLBACK');
ok($waiter->wait_for('out', qr/^1000$/m),
	'waiter completes once the lock is released');
ok( poll_until(q{SELECT count(*) FROM pghero.blocked_queries}, '0'),
	'blocked_queries is empty again');

#--------------------------------------------------------------------------
# An ALTER TABLE queued for ACCESS EXCLUSIVE behind an ordinary reader:
# anything asking for a lock on free_tbl now queues behind the ALTER.
#--------------------------------------------------------------------------

$locker->query('BEGIN; SELECT count(*) FROM free_tbl');
my $alter = PgheroSession->new($node,
	application_name => 'regress_pghero_alter', timeout => $wait_secs);
my $alter_pid = $alter->query('SELECT pg_backend_pid()')->[0];
$alter->send('ALTER TABLE free_tbl ADD COLUMN extra int;');
ok( poll_until(qq{
	SELECT count(*) FROM pg_stat_activity
	WHERE pid = $alter_pid AND wait_event_type = 'Lock'}, '1'),
	'ALTER TABLE is queued behind the reader');

check_every_view('while an ALTER TABLE is queued');

is( query(q{
	SELECT size_bytes IS NULL, measured FROM pghero.relation_sizes
	WHERE relname = 'free_tbl'}),
	't|f', 'relation_sizes: a table with a queued ACCESS EXCLUSIVE is not measured');
is( query(qq{
	SELECT lock_mode, relname, blocking_pid = $locker_pid, blocking_state
	FROM pghero.blocked_queries WHERE blocked_pid = $alter_pid}),
	'AccessExclusiveLock|free_tbl|t|idle in transaction',
	'blocked_queries: the queued ALTER TABLE and its blocker');

$locker->query('COMMIT');
ok( poll_until(qq{
	SELECT count(*) FROM pg_attribute
	WHERE attrelid = 'free_tbl'::regclass AND attname = 'extra'}, '1'),
	'ALTER TABLE completes once the reader commits');

#--------------------------------------------------------------------------
# A row lock: an UPDATE waits for the transaction that updated the row
#--------------------------------------------------------------------------

$locker->query(
	q{BEGIN; UPDATE free_tbl SET payload = 'regress_pghero_first' WHERE id = 1});
$alter->send(
	q{UPDATE free_tbl SET payload = 'regress_pghero_second' WHERE id = 1;});
ok( poll_until(qq{
	SELECT count(*) FROM pg_stat_activity
	WHERE pid = $alter_pid AND wait_event_type = 'Lock'}, '1'),
	'second UPDATE waits for the first');
is( query(qq{
	SELECT blocked_pid = $alter_pid, lock_type, lock_mode,
		   relid IS NULL AND relname IS NULL,
		   blocking_pid = $locker_pid, blocking_state,
		   blocking_query LIKE '%regress_pghero_first%'
	FROM pghero.blocked_queries}),
	't|transactionid|ShareLock|t|t|idle in transaction|t',
	'blocked_queries: a row lock wait, on the other transaction');
is( query(qq{
	SELECT blocked_by = ARRAY[$locker_pid] FROM pghero.running_queries
	WHERE pid = $alter_pid}),
	't', 'running_queries: the second UPDATE is blocked by the first');
$locker->query('COMMIT');
ok( poll_until(qq{
	SELECT state FROM pg_stat_activity WHERE pid = $alter_pid}, 'idle'),
	'second UPDATE completes once the first commits');

#--------------------------------------------------------------------------
# History readers with a history table locked
#--------------------------------------------------------------------------

query('SELECT count(*) FROM pghero.capture()');
query('SELECT count(*) FROM pghero.capture()');
isnt(query('SELECT count(*) FROM pghero.query_stats_between()'), '0',
	'control: query_stats() reads history when nothing is locked');
$locker->query('BEGIN; LOCK TABLE pghero_internal.statement_history IN ACCESS EXCLUSIVE MODE');
my @readers = (
	'pghero.query_stats_between()', 'pghero.slow_queries_between()',
	'pghero.query_history(1)', 'pghero.database_activity()',
	'pghero.space_growth(7)',
	'pghero.relation_space_history(\'pghero_internal.statement_history\')');
$locker->query('LOCK TABLE pghero_internal.database_history, pghero_internal.space_history IN ACCESS EXCLUSIVE MODE');
foreach my $reader (@readers)
{
	my $t0 = time;
	my $r = query("SELECT count(*) FROM $reader");
	my $elapsed = time - $t0;
	like($r, qr/ERROR:.*pghero history is locked by another session/,
		"$reader: a locked history table gives a clear error");
	ok($elapsed < 5, "$reader: without waiting for the lock (${elapsed}s)");
}
# the overview degrades: its activity columns are NULL and say why
{
	my $t0 = time;
	my $r = query(q{SELECT count(*) || ' ' || coalesce(tps::text, 'NULL') || ' ' || activity_note
					FROM pghero.overview GROUP BY tps, activity_note});
	my $elapsed = time - $t0;
	like($r, qr/^1 NULL the history is locked by another session/,
		'pghero.overview: a locked history table leaves its activity NULL, saying why');
	ok($elapsed < 5, "pghero.overview: without waiting for the lock (${elapsed}s)");
}
$locker->query('COMMIT');
like(query(q{SELECT coalesce(activity_note, 'no note') FROM pghero.overview}),
	qr/^(?!the history is locked)/,
	'pghero.overview reads its activity again once the lock is gone');
isnt(query('SELECT count(*) FROM pghero.query_stats_between()'), '0',
	'history readers read again once the lock is gone');

#--------------------------------------------------------------------------
# The collector's state of the issues locked
#--------------------------------------------------------------------------

# Run SQL as query() does, returning its output and its messages apart.
sub query_with_notices
{
	my ($sql) = @_;
	my ($out, $err);
	my $t0 = time;
	$node->psql('postgres', "SET statement_timeout = '10s';\n$sql",
		stdout => \$out, stderr => \$err);
	return ($out, $err, time - $t0);
}

# An evaluation by the collector's source makes the issues tracked: the
# readers then follow its state (the NOT VALID constraints are issues).
like(query(q{SELECT succeeded FROM pghero.capture(ARRAY['issues'])}), qr/^t$/,
	'the issues source evaluates the checks');
is(query(q{SELECT tracked FROM pghero.health()}), 't',
	'control: health() follows the tracked issues');
is(query(q{SELECT count(first_seen) > 0 FROM pghero.issues}), 't',
	'control: pghero.issues shows when the collector first saw its issues');

foreach my $table ('issue_state', 'collector_sources')
{
	$locker->query("BEGIN; LOCK TABLE pghero_internal.$table IN ACCESS EXCLUSIVE MODE");
	my ($out, $err, $elapsed) = query_with_notices(
		q{SELECT status, tracked FROM pghero.health()});
	like($out, qr/^(ok|warning|critical)\|f$/,
		"$table locked: health() answers from a live evaluation");
	like($err, qr/NOTICE:  pghero: the collector's state is locked by another session; the issues are evaluated now, without the collector's tracking/,
		"$table locked: health() says why");
	ok($elapsed < 5, "$table locked: health() without waiting for the lock (${elapsed}s)");

	($out, $err, $elapsed) = query_with_notices(
		q{SELECT count(*) > 0 FROM pghero.issue_counts});
	is($out, 't', "$table locked: issue_counts counts the live issues");
	ok($elapsed < 5, "$table locked: issue_counts without waiting for the lock (${elapsed}s)");

	($out, $err, $elapsed) = query_with_notices(
		q{SELECT issues_tracked FROM pghero.overview});
	is($out, 'f', "$table locked: the overview answers from a live evaluation");
	ok($elapsed < 5, "$table locked: the overview without waiting for the lock (${elapsed}s)");

	($out, $err, $elapsed) = query_with_notices(
		q{SELECT count(*) > 0, count(first_seen) FROM pghero.issues});
	is($out, 't|0', "$table locked: pghero.issues lists the issues, without first_seen");
	ok($elapsed < 5, "$table locked: pghero.issues without waiting for the lock (${elapsed}s)");
	like($err, qr/NOTICE:  pghero: the collector's state is locked by another session; (first_seen and last_seen are not shown|the issues are evaluated now, without the collector's tracking \(hysteresis, first_seen\))/,
		"$table locked: pghero.issues says why first_seen is missing");
	$locker->query('COMMIT');
}
is(query(q{SELECT tracked FROM pghero.health()}), 't',
	'health() follows the tracked issues again once the lock is gone');

#--------------------------------------------------------------------------
# End the background sessions
#--------------------------------------------------------------------------

query("SELECT pg_cancel_backend($sleeper_pid)");
ok($sleeper->wait_for('err', qr/canceling statement due to user request/),
	'sleeper cancelled');

is($_->quit, 0, 'background psql exits cleanly')
  foreach ($locker, $waiter, $sleeper, $alter);

$node->stop;
done_testing();
