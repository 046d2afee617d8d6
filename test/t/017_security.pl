
# Copyright (c) pghero contributors

# 017_security.pl -- the security checks of pg_hba.conf and ssl, against a
# real pg_hba.conf.
#
# What this proves:
#  * With lines added to pg_hba.conf and the configuration reloaded -- trust
#    from 0.0.0.0/0, clear-text password over TCP, every role to every
#    database from ::/0, a RADIUS rule with a secret in its options, and a
#    line the server cannot parse -- pghero.security_issues, read by a
#    pghero_reader, names each finding by its file:line (hba_trust critical,
#    hba_cleartext_password, hba_open_to_all, hba_error), with the
#    pg_hba.conf line that fixes it; ssl being off while host rules accept
#    other machines is a finding (ssl_off) naming those lines; a login role
#    without a password under those rules is one (login_without_password,
#    warning since trust rules let it in).
#  * No row shows a rule's options (the RADIUS secret), a password or hash.
#  * The loopback trust lines initdb writes are warnings, not critical.
#  * Once pg_hba.conf is restored and reloaded, every one of those findings
#    is gone.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('security');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pg_stat_statements,pghero'
ssl = off
});
$node->start;

$node->safe_psql('postgres', q{
CREATE EXTENSION pghero;
CREATE ROLE regress_security_reader LOGIN;
GRANT pghero_reader TO regress_security_reader;
CREATE ROLE regress_security_nopw LOGIN;
});

my $hba = $node->data_dir . '/pg_hba.conf';
my $original = slurp_file($hba);

# Read the security findings as the reader: "check|severity|object|..."
sub findings
{
	my ($columns, $where) = @_;
	$where //= 'true';
	return $node->safe_psql('postgres', qq{
SET ROLE regress_security_reader;
SELECT $columns
FROM (SELECT * FROM pghero.security_issues
	  WHERE check_name IN ('hba_trust', 'hba_cleartext_password', 'hba_open_to_all',
						   'hba_error', 'ssl_off', 'login_without_password')
	  ORDER BY check_name, (details->>'line_number')::integer, object) security_issues
WHERE $where;
});
}

# Before: initdb's trust lines are for loopback addresses only
is( findings("count(*)",
		"severity = 'critical' OR check_name <> 'hba_trust'"),
	'0', 'no finding but loopback trust before');
like(findings("string_agg(DISTINCT severity, ',')", "check_name = 'hba_trust'"),
	qr/^warning$/, 'loopback trust lines are warnings');

# The lines to add, and where they land
my @added = (
	'host all all 0.0.0.0/0 trust',
	'host all all 10.0.0.0/8 password',
	'host all all ::/0 scram-sha-256',
	'host all all 192.168.0.0/16 radius radiusservers=127.0.0.1 radiussecrets=regress_hba_secret',
	'host all all 172.16.0.0/12 no_such_method',
);
open(my $fh, '>>', $hba) or die "could not open $hba: $!";
print $fh "$_\n" for @added;
close $fh;
my %line;
{
	my $n = 0;
	for (split /\n/, slurp_file($hba))
	{
		$n++;
		for my $a (@added) { $line{$a} = $n if $_ eq $a; }
	}
}
is(scalar(keys %line), scalar(@added), 'every line appended');
$node->reload;

my $trust = $line{ $added[0] };
my $password = $line{ $added[1] };
my $anywhere6 = $line{ $added[2] };
my $radius = $line{ $added[3] };
my $bad = $line{ $added[4] };

is( findings("severity || ' ' || remediation",
		"check_name = 'hba_trust' AND object = 'pg_hba.conf:$trust'"),
	"critical In $hba, line $trust, replace trust by scram-sha-256: host all all 0.0.0.0/0 scram-sha-256 (give the roles a password first: \\password in psql), then SELECT pg_reload_conf();",
	'trust from 0.0.0.0/0: critical, with the line that fixes it');
like(findings("description", "check_name = 'hba_trust' AND object = 'pg_hba.conf:$trust'"),
	qr/^pg_hba\.conf:$trust \(host all all 0\.0\.0\.0\/0 trust\) lets anyone on any network .*without a password/,
	'trust from anywhere: what an attacker could do');
is( findings("severity || ' ' || (details->>'line_number') || ' ' || (details->>'file')",
		"check_name = 'hba_cleartext_password'"),
	"warning $password $hba\nwarning $radius $hba",
	'clear-text password over TCP (password, radius), by file and line');
like(findings("remediation", "check_name = 'hba_cleartext_password' AND object = 'pg_hba.conf:$radius'"),
	qr/line $radius, accept SSL connections only \(ssl = on\): hostssl all all 192\.168\.0\.0\/16 radius \(options unchanged\)/,
	'radius without SSL: hostssl');
is( findings("object", "check_name = 'hba_open_to_all'"),
	"pg_hba.conf:$trust\npg_hba.conf:$anywhere6",
	'all databases and roles from 0.0.0.0/0 and ::/0');
is( findings("object || ' ' || severity", "check_name = 'hba_error'"),
	"pg_hba.conf:$bad warning", 'a line the server cannot parse');
is( findings("details->>'lines'", "check_name = 'ssl_off'"),
	qq{["pg_hba.conf:$trust", "pg_hba.conf:$password", "pg_hba.conf:$anywhere6", "pg_hba.conf:$radius"]},
	'ssl off while host rules accept other machines');
like(findings("remediation", "check_name = 'ssl_off'"),
	qr/ALTER SYSTEM SET ssl = on; SELECT pg_reload_conf\(\); and change host to hostssl on pg_hba\.conf:$trust/,
	'ssl_off says how to fix it');
is( findings("severity", "check_name = 'login_without_password' AND object = 'regress_security_nopw'"),
	'warning', 'a login role without a password, let in by trust rules');
is( findings("count(*)",
		"to_jsonb(security_issues)::text LIKE '%regress_hba_secret%' OR to_jsonb(security_issues)::text LIKE '%radiusservers%'"),
	'0', 'no rule option (secret) shown');
is( $node->safe_psql('postgres', q{
SET ROLE regress_security_reader;
SELECT count(*) FROM pghero.security_issues x
WHERE to_jsonb(x)::text ~ 'md5[0-9a-f]{32}' OR to_jsonb(x)::text LIKE '%SCRAM-SHA-256$%'}),
	'0', 'no password hash shown');

# Fixed: the file as initdb wrote it, reloaded
open($fh, '>', $hba) or die "could not open $hba: $!";
print $fh $original;
close $fh;
$node->reload;
is( findings("count(*)",
		"severity = 'critical' OR check_name <> 'hba_trust'"),
	'0', 'every finding gone once pg_hba.conf is fixed and reloaded');

# A hostssl line while ssl is off can never match: the server refuses the
# whole file on reload (hba_error), and it is no ssl_off finding
open($fh, '>>', $hba) or die "could not open $hba: $!";
print $fh "hostssl all all 10.0.0.0/8 scram-sha-256\n";
close $fh;
$node->reload;
is(findings("check_name || ' ' || severity", "check_name IN ('hba_error', 'ssl_off')"),
	'hba_error warning', 'a hostssl line with ssl off is an error, not ssl_off');

$node->stop;
done_testing();
