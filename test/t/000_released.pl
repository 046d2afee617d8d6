# Copyright (c) pghero contributors
#
# 000_released.pl
#	Released scripts never change.
#
# What this test proves:
#   - every script listed in sql/SHA256SUMS (the released base and upgrade
#     scripts, exactly as released) exists and has its recorded checksum;
#   - every pghero--*.sql kept in sql/ is listed there, so that a script is
#     frozen the day it is released (the current version's scripts are
#     built from sql/src/ and sql/updates/ and are not kept in sql/);
#   - the default version's scripts are not among them, and the released
#     versions are the ones the installed extension offers.

use strict;
use warnings;

use Digest::SHA;
use File::Basename;
use PostgreSQL::Test::Utils;
use Test::More;

my $sqldir = 'sql';
open(my $fh, '<', "$sqldir/SHA256SUMS") or die "cannot open $sqldir/SHA256SUMS: $!";
my %sums;
while (my $line = <$fh>)
{
	chomp $line;
	next if $line eq '';
	my ($sum, $file) = $line =~ /^([0-9a-f]{64})  (\S+)$/
	  or die "malformed line in SHA256SUMS: $line";
	$sums{$file} = $sum;
}
close $fh;

ok(scalar(keys %sums) >= 2, 'SHA256SUMS lists the released scripts');

foreach my $file (sort keys %sums)
{
	my $path = "$sqldir/$file";
	ok(-f $path, "$file exists") or next;
	is(Digest::SHA->new(256)->addfile($path)->hexdigest,
		$sums{$file}, "$file is byte for byte as released");
}

foreach my $path (sort glob("$sqldir/pghero--*.sql"))
{
	my $file = basename($path);
	ok(exists $sums{$file}, "$file is a released script listed in SHA256SUMS");
}

open(my $ctl, '<', 'pghero.control') or die "cannot open pghero.control: $!";
my ($default) = join('', <$ctl>) =~ /^default_version = '([^']+)'/m;
close $ctl;
ok(!exists $sums{"pghero--$default.sql"},
	"the default version $default is not released yet (built from sql/src/)");

# the versions the released scripts reach, and the default one
my %versions = ($default => 1);
foreach my $file (keys %sums)
{
	$versions{$_} = 1 foreach ($file =~ /--([0-9.]+)(?=--|\.sql$)/g);
}
is(join(' ', sort keys %versions), '1.0 1.1 1.2 ' . $default,
	'released versions: 1.0, 1.1 and 1.2, then the default');

done_testing();
