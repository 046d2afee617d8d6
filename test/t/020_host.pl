
# Copyright (c) pghero contributors

# 020_host.pl -- the resources of the host: the parsers of src/host.c on
# fixture files, and pghero.host_status on the real host.
#
# What this test proves:
#  * Every parser of src/host.c (/proc/stat, /proc/loadavg, /proc/meminfo,
#    /proc/vmstat, /proc/diskstats, /proc/self/cgroup and the cgroup v2
#    files cpu.max, cpu.stat, memory.max, memory.current, memory.stat)
#    finds in a realistic copy of its file (test/fixtures/host/) exactly
#    the figures written below, worked out from the fixture by hand.
#  * A truncated copy (cut within a line) gives unknown (NULL) for the
#    fields of the cut line and keeps those of the complete lines before
#    it; a malformed copy gives unknown for the malformed fields only; none
#    of them raises an error or crashes the server.
#  * On the real host, pghero.host_status returns one row without error;
#    with pghero preloaded and two samples taken (_host_sample()), the CPU
#    percentages are within 0..100 over an interval of the time between
#    them, and a reader (pghero_reader) sees the view; without preloading
#    the interval figures are NULL and unavailable says pghero is not
#    preloaded.
#  * The host source writes one row per capture into host_history: the
#    first without rates, the next with rates over the interval; after the
#    host restarted (a new boot time) the rates are NULL and the row lossy,
#    and a counter that went down makes its own rate NULL and the row
#    lossy; a reader reads pghero.host_activity().
#  * cpu_saturated is an issue when every capture of host history of the
#    last pghero.cpu_saturated_minutes (at least two) is at least
#    pghero.cpu_busy_percent busy, and not when one is below it or has no
#    figure, or when the window holds a single capture; swapping runs
#    without error and is not found below its threshold (a host cannot be
#    made to swap here); pghero.checks lists both.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use FindBin;

my $fixtures = "$FindBin::RealBin/../fixtures/host";

my $node = PostgreSQL::Test::Cluster->new('host');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pghero'
pghero.enabled = off
});
$node->start;
$node->safe_psql('postgres', q{
CREATE EXTENSION pghero;
CREATE ROLE regress_pghero_host_reader LOGIN;
GRANT pghero_reader TO regress_pghero_host_reader;
});

sub fixture
{
	my ($name) = @_;
	open(my $fh, '<', "$fixtures/$name") or die "cannot open $fixtures/$name: $!";
	local $/;
	my $text = <$fh>;
	close $fh;
	die "fixture $name holds the quote used to pass it" if $text =~ /\$fixture\$/;
	return $text;
}

# the parser of kind on fixture $name gives exactly the JSON $want
sub parses
{
	my ($kind, $name, $want, $device) = @_;
	my $text = fixture($name);
	my $dev = defined $device ? "'$device'" : 'NULL';
	my $got = $node->safe_psql('postgres',
		"SELECT pghero_internal._host_parse('$kind', \$fixture\$$text\$fixture\$, $dev)::text");
	my $expected = $node->safe_psql('postgres', "SELECT '$want'::jsonb::text");
	is($got, $expected, "$kind: $name" . (defined $device ? " ($device)" : ''));
}

#--------------------------------------------------------------------------
# /proc/stat
#--------------------------------------------------------------------------

parses('stat', 'stat',
	'{"user": 759721, "nice": 120, "system": 529801, "idle": 5282069, "iowait": 12120, "irq": 0, "softirq": 13339, "steal": 42, "cpu_count": 2, "btime": 1765089000}');
# cut within the idle field of the cpu line: nothing is complete
parses('stat', 'stat.truncated',
	'{"user": null, "nice": null, "system": null, "idle": null, "iowait": null, "irq": null, "softirq": null, "steal": null, "cpu_count": null, "btime": null}');
# cut within cpu1: the cpu line is whole, the count of CPUs is not known
parses('stat', 'stat.truncated2',
	'{"user": 759721, "nice": 120, "system": 529801, "idle": 5282069, "iowait": 12120, "irq": 0, "softirq": 13339, "steal": 42, "cpu_count": null, "btime": null}');
# x12, -5, 4.2 and "soon" are not counters; cpu0 is followed by a whole line
parses('stat', 'stat.malformed',
	'{"user": 759721, "nice": null, "system": 529801, "idle": null, "iowait": 12120, "irq": 0, "softirq": 13339, "steal": null, "cpu_count": 1, "btime": null}');

#--------------------------------------------------------------------------
# /proc/loadavg
#--------------------------------------------------------------------------

parses('loadavg', 'loadavg', '{"load_1": 0.09, "load_5": 0.21, "load_15": 1.10}');
parses('loadavg', 'loadavg.truncated', '{"load_1": null, "load_5": null, "load_15": null}');
parses('loadavg', 'loadavg.malformed', '{"load_1": null, "load_5": 0.21, "load_15": null}');

#--------------------------------------------------------------------------
# /proc/meminfo (kB times 1024)
#--------------------------------------------------------------------------

# 8141860, 6123456, 2097148 and 1572860 kB
parses('meminfo', 'meminfo',
	'{"mem_total_bytes": 8337264640, "mem_available_bytes": 6270418944, "swap_total_bytes": 2147479552, "swap_free_bytes": 1610608640}');
parses('meminfo', 'meminfo.truncated',
	'{"mem_total_bytes": 8337264640, "mem_available_bytes": null, "swap_total_bytes": null, "swap_free_bytes": null}');
# a unit other than kB, a word, no colon, a trailing token
parses('meminfo', 'meminfo.malformed',
	'{"mem_total_bytes": null, "mem_available_bytes": null, "swap_total_bytes": null, "swap_free_bytes": null}');

#--------------------------------------------------------------------------
# /proc/vmstat
#--------------------------------------------------------------------------

# (pswpin_extra is another key)
parses('vmstat', 'vmstat', '{"pswpin": 3177, "pswpout": 12094}');
parses('vmstat', 'vmstat.truncated', '{"pswpin": 3177, "pswpout": null}');
parses('vmstat', 'vmstat.malformed', '{"pswpin": null, "pswpout": null}');

#--------------------------------------------------------------------------
# /proc/diskstats: the line of one device
#--------------------------------------------------------------------------

parses('diskstats', 'diskstats',
	'{"found": true, "device": "sda1", "reads": 210774, "sectors_read": 17200402, "writes": 3890121, "sectors_written": 149276436, "io_ms": 2270308}',
	'8:1');
parses('diskstats', 'diskstats',
	'{"found": true, "device": "dm-0", "reads": 244381, "sectors_read": 17199066, "writes": 6207133, "sectors_written": 149276436, "io_ms": 2277876}',
	'254:0');
parses('diskstats', 'diskstats',
	'{"found": false, "device": null, "reads": null, "sectors_read": null, "writes": null, "sectors_written": null, "io_ms": null}',
	'8:16');
# the line of sda1 is cut: not found; the one of sda before it is whole
parses('diskstats', 'diskstats.truncated',
	'{"found": false, "device": null, "reads": null, "sectors_read": null, "writes": null, "sectors_written": null, "io_ms": null}',
	'8:1');
parses('diskstats', 'diskstats.truncated',
	'{"found": true, "device": "sda", "reads": 211031, "sectors_read": 17216514, "writes": 3890121, "sectors_written": 149276436, "io_ms": 2270412}',
	'8:0');
# "many" sectors, and the line ends before io_ticks
parses('diskstats', 'diskstats.malformed',
	'{"found": true, "device": "sda1", "reads": 210774, "sectors_read": null, "writes": 3890121, "sectors_written": 149276436, "io_ms": null}',
	'8:1');

#--------------------------------------------------------------------------
# cgroup v2
#--------------------------------------------------------------------------

parses('cgroup', 'cgroup', '{"path": "/system.slice/postgresql@15-main.service"}');
parses('cgroup', 'cgroup.v1', '{"path": null}');
parses('cgroup', 'cgroup.truncated', '{"path": null}');
# a path that climbs out of /sys/fs/cgroup is refused
parses('cgroup', 'cgroup.malformed', '{"path": null}');

parses('cpu.max', 'cpu.max', '{"unlimited": false, "quota_usec": 200000, "period_usec": 100000}');
parses('cpu.max', 'cpu.max.unlimited', '{"unlimited": true, "quota_usec": null, "period_usec": 100000}');
parses('cpu.max', 'cpu.max.truncated', '{"unlimited": false, "quota_usec": null, "period_usec": null}');
parses('cpu.max', 'cpu.max.malformed', '{"unlimited": false, "quota_usec": null, "period_usec": 100000}');

parses('cpu.stat', 'cpu.stat',
	'{"usage_usec": 2813741929, "user_usec": 2004117355, "system_usec": 809624574, "nr_throttled": 3100, "throttled_usec": 95123000}');
parses('cpu.stat', 'cpu.stat.truncated',
	'{"usage_usec": 2813741929, "user_usec": 2004117355, "system_usec": null, "nr_throttled": null, "throttled_usec": null}');
parses('cpu.stat', 'cpu.stat.malformed',
	'{"usage_usec": null, "user_usec": null, "system_usec": null, "nr_throttled": 3100, "throttled_usec": null}');

parses('memory.max', 'memory.max', '{"unlimited": false, "max_bytes": 4294967296}');
parses('memory.max', 'memory.max.unlimited', '{"unlimited": true, "max_bytes": null}');
parses('memory.max', 'memory.max.truncated', '{"unlimited": false, "max_bytes": null}');
parses('memory.max', 'memory.max.malformed', '{"unlimited": false, "max_bytes": null}');

parses('memory.current', 'memory.current', '{"current_bytes": 1610612736}');
parses('memory.current', 'memory.current.truncated', '{"current_bytes": null}');
parses('memory.current', 'memory.current.malformed', '{"current_bytes": null}');

parses('memory.stat', 'memory.stat', '{"anon_bytes": 805306368, "file_bytes": 671088640}');
parses('memory.stat', 'memory.stat.truncated', '{"anon_bytes": 805306368, "file_bytes": null}');
parses('memory.stat', 'memory.stat.malformed', '{"anon_bytes": null, "file_bytes": null}');

# empty input and a binary-looking one: all unknown, no error
parses('stat', 'loadavg',
	'{"user": null, "nice": null, "system": null, "idle": null, "iowait": null, "irq": null, "softirq": null, "steal": null, "cpu_count": null, "btime": null}');
is($node->safe_psql('postgres',
		q{SELECT pghero_internal._host_parse('meminfo', '')::text}),
	$node->safe_psql('postgres',
		q{SELECT '{"mem_total_bytes": null, "mem_available_bytes": null, "swap_total_bytes": null, "swap_free_bytes": null}'::jsonb::text}),
	'meminfo: empty');

my ($ret, $out, $err) = $node->psql('postgres',
	q{SELECT pghero_internal._host_parse('passwd', 'root:x:0:0')});
like($err, qr/unknown kind of host file "passwd"/, 'an unknown kind is refused');
($ret, $out, $err) = $node->psql('postgres',
	q{SELECT pghero_internal._host_parse('stat', 'cpu 1 2 3', NULL)}, extra_params => ['-U', 'regress_pghero_host_reader']);
like($err, qr/permission denied/, 'a reader may not call the parser');

#--------------------------------------------------------------------------
# The real host
#--------------------------------------------------------------------------

is($node->safe_psql('postgres', q{SELECT count(*) FROM pghero.host_status}),
	'1', 'host_status: one row');
is($node->safe_psql('postgres', q{SELECT interval_seconds IS NULL AND unavailable LIKE '%fewer than two samples%' FROM pghero.host_status}),
	't', 'host_status before two samples: no interval, and it says why');

$node->safe_psql('postgres', q{SELECT pghero_internal._host_sample()});
$node->safe_psql('postgres', q{SELECT pg_sleep(1.2)});
# some CPU time between the samples
$node->safe_psql('postgres', q{SELECT count(*) FROM generate_series(1, 300000)});
is($node->safe_psql('postgres', q{SELECT pghero_internal._host_sample()}),
	't', '_host_sample(): shared memory is there');

my $row = $node->safe_psql('postgres', q{
SELECT figures_from IN ('host', 'container'),
	   cpu_count > 0,
	   load_1 >= 0,
	   interval_seconds BETWEEN 1.2 AND 60,
	   sampled_at <= now(),
	   cpu_busy_percent BETWEEN 0 AND 100,
	   cpu_user_percent BETWEEN 0 AND 100,
	   cpu_system_percent BETWEEN 0 AND 100,
	   memory_total_bytes > 0,
	   memory_available_bytes BETWEEN 0 AND memory_total_bytes,
	   swap_used_bytes <= swap_total_bytes OR swap_total_bytes IS NULL,
	   swap_in_per_second >= 0 OR figures_from = 'container',
	   data_total_bytes > 0 AND data_available_bytes <= data_total_bytes,
	   wal_total_bytes > 0,
	   booted_at < now(),
	   (disk_device IS NOT NULL AND disk_utilisation_percent BETWEEN 0 AND 100)
	   OR unavailable LIKE '%disk%',
	   unavailable IS NULL OR unavailable NOT LIKE '%interval figures%'
FROM pghero.host_status});
is($row, join('|', ('t') x 17), 'host_status after two samples: figures within their bounds');

is($node->safe_psql('postgres', q{SELECT count(*) FROM pghero.host_status},
		extra_params => ['-U', 'regress_pghero_host_reader']),
	'1', 'a reader sees host_status');
($ret, $out, $err) = $node->psql('postgres', q{SELECT pghero_internal._host_sample()},
	extra_params => ['-U', 'regress_pghero_host_reader']);
like($err, qr/permission denied/, 'a reader may not take samples');

#--------------------------------------------------------------------------
# History: rates against the previous row; a restarted host or a counter
# that went down gives NULL rates and a lossy row
#--------------------------------------------------------------------------

sub capture_host
{
	return $node->safe_psql('postgres',
		q{SELECT rows_written, succeeded FROM pghero.capture(ARRAY['host'])});
}

is(capture_host(), '1|t', 'host capture: a first row');
$node->safe_psql('postgres', q{SELECT pg_sleep(1.1)});
is(capture_host(), '1|t', 'host capture: a second row');
is($node->safe_psql('postgres', q{
SELECT string_agg(concat_ws(',', seconds IS NOT NULL, lossy,
							coalesce(cpu_busy_percent BETWEEN 0 AND 100, false),
							CASE WHEN disk_device IS NULL THEN seconds IS NOT NULL
								 ELSE coalesce(disk_reads_per_second >= 0, false) END,
							coalesce(swap_in_per_second >= 0, false)),
				  ' ' ORDER BY bucket_end)
FROM pghero.host_activity(now() - interval '1 hour', now() + interval '1 hour')}),
	'f,f,f,f,f t,f,t,t,t', 'host_history: no rates in the first row, rates in the second');

# the host "restarted": the last row's boot time differs from the host's
$node->safe_psql('postgres', q{
UPDATE pghero_internal.host_history SET booted_at = booted_at - interval '1 day'
WHERE captured_at = (SELECT max(captured_at) FROM pghero_internal.host_history)});
is(capture_host(), '1|t', 'host capture after a restart of the host');
is($node->safe_psql('postgres', q{
SELECT lossy, seconds IS NOT NULL, cpu_busy_percent IS NULL, swap_in_per_second IS NULL,
	   disk_reads_per_second IS NULL, load_1 IS NOT NULL
FROM pghero.host_history ORDER BY bucket_end DESC LIMIT 1}),
	't|t|t|t|t|t', 'after a restart of the host: NULL rates, lossy, gauges kept');
is($node->safe_psql('postgres', q{
SELECT last_note FROM pghero_internal.collector_sources WHERE source = 'host'}),
	'the host restarted since the previous capture: no rates', 'and the capture says why');

# a counter went down (swap pages read after the last capture were more)
$node->safe_psql('postgres', q{
UPDATE pghero_internal.host_history SET swap_in_pages = swap_in_pages + 1000000
WHERE captured_at = (SELECT max(captured_at) FROM pghero_internal.host_history)});
$node->safe_psql('postgres', q{SELECT pg_sleep(0.2)});
is(capture_host(), '1|t', 'host capture after a counter went down');
is($node->safe_psql('postgres', q{
SELECT lossy, swap_in_per_second IS NULL, swap_out_per_second IS NOT NULL,
	   cpu_busy_percent IS NULL OR cpu_busy_percent BETWEEN 0 AND 100
FROM pghero.host_history ORDER BY bucket_end DESC LIMIT 1}),
	't|t|t|t', 'a counter that went down: its rate NULL, the others kept, lossy');

is($node->safe_psql('postgres', q{SELECT count(*) > 0 FROM pghero.host_activity(now() - interval '1 hour', now() + interval '1 hour')},
		extra_params => ['-U', 'regress_pghero_host_reader']),
	't', 'a reader reads host_activity()');

#--------------------------------------------------------------------------
# Issues: cpu_saturated from host history, swapping from host_status
#--------------------------------------------------------------------------

$node->safe_psql('postgres', q{
DELETE FROM pghero_internal.host_history;
INSERT INTO pghero_internal.host_history (captured_at, since, figures_from, cpu_busy_percent, generation)
SELECT now() - m * interval '1 minute', now() - (m + 3) * interval '1 minute', 'host', b,
	   pghero_internal._generation()
FROM (VALUES (8, 95.0), (5, 91.5), (2, 99.0)) v(m, b);
});
my $saturated = q{SELECT string_agg(concat_ws(',', object, severity, category, database IS NULL,
							 details->>'captures', details->>'min_busy_percent'), ' ')
FROM pghero.issues WHERE check_name = 'cpu_saturated'};
is($node->safe_psql('postgres', $saturated), 'host,warning,capacity,t,3,91.5',
	'cpu_saturated: busy beyond pghero.cpu_busy_percent in every capture of the last 10 minutes');
is($node->safe_psql('postgres', "SET pghero.cpu_busy_percent = 92; $saturated"), '',
	'cpu_saturated: not when one capture is below the threshold');
is($node->safe_psql('postgres', "SET pghero.cpu_saturated_minutes = 3; $saturated"), '',
	'cpu_saturated: not with a single capture in the window');
$node->safe_psql('postgres', q{
UPDATE pghero_internal.host_history SET cpu_busy_percent = NULL WHERE cpu_busy_percent = 99.0});
is($node->safe_psql('postgres', $saturated), '',
	'cpu_saturated: not when a capture of the window has no figure (lossy)');
is($node->safe_psql('postgres', q{
SELECT check_name, category, severities, settings FROM pghero.checks
WHERE check_name IN ('swapping', 'cpu_saturated') ORDER BY 1}),
	"cpu_saturated|capacity|{warning}|{pghero.cpu_busy_percent,pghero.cpu_saturated_minutes}\n"
	. "swapping|capacity|{warning}|{pghero.swap_pages_per_second}",
	'pghero.checks lists both');
# swapping cannot be caused on purpose here: with a threshold no host
# reaches it is never found, and the check runs without error
is($node->safe_psql('postgres', q{SET pghero.swap_pages_per_second = 2147483647;
SELECT count(*) FROM pghero.issues WHERE check_name = 'swapping'}),
	'0', 'swapping: not below pghero.swap_pages_per_second');
is($node->safe_psql('postgres', q{SELECT swap_pages_per_second, cpu_busy_percent, cpu_saturated_minutes FROM pghero.config()}),
	'100|90|10', 'the defaults of the host thresholds');

#--------------------------------------------------------------------------
# Not preloaded
#--------------------------------------------------------------------------

my $plain = PostgreSQL::Test::Cluster->new('host_plain');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', q{CREATE EXTENSION pghero});
is($plain->safe_psql('postgres', q{SELECT pghero_internal._host_sample()}),
	'f', 'not preloaded: _host_sample() says there is no shared memory');
is($plain->safe_psql('postgres', q{
SELECT count(*) = 1,
	   bool_and(cpu_busy_percent IS NULL AND interval_seconds IS NULL
				AND swap_in_per_second IS NULL AND disk_reads_per_second IS NULL),
	   bool_and(unavailable LIKE '%not loaded via shared_preload_libraries%'),
	   bool_and(cpu_count > 0 AND memory_total_bytes > 0 AND data_total_bytes > 0)
FROM pghero.host_status}),
	't|t|t|t', 'not preloaded: instantaneous figures, no interval ones, and why');

$plain->stop;
$node->stop;
done_testing();
