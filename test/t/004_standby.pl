# Copyright (c) pghero contributors
#
# 004_standby.pl
#	pghero on a streaming-replication pair.
#
# What this test proves:
#   - on a primary, pghero.replication shows the streaming standby (role
#     primary, its application_name, a lag in bytes) and
#     pghero.replication_slots shows a physical slot with the WAL it retains;
#   - on a hot standby every view of the extension (enumerated from the
#     catalog, query_stats included) can be selected, and
#     pghero.replication shows the standby's own replay as one row;
#   - once the standby is promoted, pghero.replication on it is empty.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf(
	'postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,pghero'
pg_stat_statements.track = all
});
$primary->start;

$primary->safe_psql(
	'postgres', q{
CREATE EXTENSION pg_stat_statements;
CREATE EXTENSION pghero;
SELECT pg_create_physical_replication_slot('regress_slot', true);
});

my $backup_name = 'regress_backup';
$primary->backup($backup_name);

my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, $backup_name, has_streaming => 1);
$standby->start;

# Write WAL after the slot was created, with a commit the standby replays.
$primary->safe_psql(
	'postgres', q{
CREATE TABLE regress_t (id serial PRIMARY KEY, v text);
INSERT INTO regress_t (v) SELECT 'row ' || g FROM generate_series(1, 1000) g;
});
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));

#
# Primary
#
ok( $primary->poll_query_until(
		'postgres', q{
		SELECT count(*) = 1 FROM pghero.replication
		WHERE role = 'primary' AND state = 'streaming'
		  AND application_name = 'standby'}),
	'primary: pghero.replication shows the streaming standby');

is( $primary->safe_psql(
		'postgres', q{
		SELECT role, state, application_name, sync_state,
			   pid IS NOT NULL, lag_bytes >= 0,
			   replay_lsn::pg_lsn <= pg_current_wal_lsn()
			   AND replay_lsn_bytes = replay_lsn::pg_lsn - '0/0'
		FROM pghero.replication}),
	'primary|streaming|standby|async|t|t|t',
	'primary: exactly one replication row, with its lag in bytes');

is( $primary->safe_psql(
		'postgres', q{
		SELECT slot_name, slot_type, temporary, active,
			   retained_wal_bytes > 0, retained_wal IS NOT NULL
		FROM pghero.replication_slots}),
	'regress_slot|physical|f|f|t|t',
	'primary: pghero.replication_slots shows the physical slot and the WAL it retains');

#
# Hot standby
#
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'),
	't', 'standby is in recovery');

my @views = split /\n/, $standby->safe_psql(
	'postgres', q{
	SELECT c.relname FROM pg_class c
	WHERE c.relnamespace = 'pghero'::regnamespace AND c.relkind = 'v'
	ORDER BY c.relname COLLATE "C"});
cmp_ok(scalar(@views), '>', 20, 'standby: more than 20 views enumerated');
ok((grep { $_ eq 'query_stats' } @views),
	'standby: query_stats is among the views');

foreach my $view (@views)
{
	my ($ret, $out, $err) = $standby->psql('postgres',
		"SELECT count(*) >= 0 FROM pghero.\"$view\"",
		on_error_stop => 1);
	ok($ret == 0 && $out eq 't', "standby: pghero.$view can be selected")
	  or diag("ret $ret, stderr: $err");
}

$standby->safe_psql('postgres',
	'SELECT count(*) AS regress_standby_marker FROM regress_t');
is( $standby->safe_psql(
		'postgres', q{
		SELECT calls FROM pghero.query_stats
		WHERE query LIKE '%regress_standby_marker%'
		  AND query NOT LIKE '%query_stats%'}),
	'1',
	'standby: pghero.query_stats shows a statement run on the standby');

is( $standby->safe_psql(
		'postgres', q{
		SELECT role, state, lag IS NOT NULL, lag_ms IS NOT NULL,
			   lag_bytes >= 0, replay_lsn IS NOT NULL
		FROM pghero.replication}),
	'standby|streaming|t|t|t|t',
	'standby: pghero.replication shows exactly one row with its lag');

# instance_status on both ends: one system, two roles
is( $primary->safe_psql(
		'postgres', q{
		SELECT role, standbys, all_standbys_streaming, ready_for_writes FROM pghero.instance_status}),
	'primary|1|t|t',
	'primary: instance_status counts one streaming standby and is ready for writes');
is( $standby->safe_psql(
		'postgres', q{
		SELECT role, ready_for_reads, ready_for_writes, timeline >= 1 FROM pghero.instance_status}),
	'standby|t|f|t',
	'standby: instance_status says standby, ready for reads, not for writes');
is( $standby->safe_psql('postgres', 'SELECT system_identifier FROM pghero.instance_status'),
	$primary->safe_psql('postgres', 'SELECT system_identifier FROM pghero.instance_status'),
	'standby: the same system identifier as its primary');

# the data directory's file system as df(1) sees it: the same size, and the
# space available within 1 % of it (other writes go on meanwhile)
my $df = `df -B1 --output=size,avail '${\ $primary->data_dir}' | tail -1`;
my ($df_size, $df_avail) = $df =~ /(\d+)\s+(\d+)/;
my ($size, $avail) = split /\|/, $primary->safe_psql('postgres',
	'SELECT data_total_bytes, data_available_bytes FROM pghero.instance_status');
is($size, $df_size, 'primary: data_total_bytes is the size df reports');
ok(abs($avail - $df_avail) <= $df_size / 100,
	"primary: data_available_bytes ($avail) is within 1 % of what df reports ($df_avail)");

# A standby reads a sequence as its last WAL record left it, which may be
# up to 32 values ahead of the primary (SEQ_LOG_VALS): compare with
# pg_sequences there rather than with the primary.
is( $standby->safe_psql(
		'postgres', q{
		SELECT s.last_value >= 1000, s.last_value = q.last_value, s.readable
		FROM pghero.sequences s
			 JOIN pg_sequences q
			   ON q.schemaname = s.sequence_schema
			  AND q.sequencename = s.sequence_name
		WHERE s.sequence_name = 'regress_t_id_seq'}),
	't|t|t',
	'standby: pghero.sequences reads a replicated sequence as pg_sequences does');

#
# Promotion
#
$standby->promote;
ok( $standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()'),
	'standby was promoted');
is($standby->safe_psql('postgres', 'SELECT count(*) FROM pghero.replication'),
	'0', 'promoted standby: pghero.replication is empty');

$standby->stop;
$primary->stop;

done_testing();
