
# Copyright (c) pghero contributors

# PgheroSession -- a background psql session for the TAP tests.
#
# A psql process fed through a pipe (IPC::Run), as PG15's Cluster.pm has no
# background_psql.  Every wait is bounded by the session's timer.
#
#   my $s = PgheroSession->new($node, application_name => 'x', timeout => 30);
#   my $r = $s->query('SELECT 1');     # [stdout, stderr], waits until done
#   $s->send('SELECT pg_sleep(60);');  # does not wait
#   $s->wait_for('err', qr/canceling statement/) or ...;
#   is($s->quit, 0, 'psql exits cleanly');
#   PgheroSession->poll_until(sub { ... }, 't', 30, 'what');  # bounded poll
#   PgheroSession->clean_node($node);  # before start: no issue by itself
#   PgheroSession->clear_of_hour_end(120);  # at least 120 s before an hour ends

package PgheroSession;

use strict;
use warnings;

use IPC::Run;
use Test::More;

# Start psql on database postgres of $node.  Options: application_name,
# timeout (seconds, default 30) bounding every wait of the session.
sub new
{
	my ($class, $node, %opt) = @_;
	my $connstr = $node->connstr('postgres');
	$connstr .= " application_name=$opt{application_name}"
	  if defined $opt{application_name};
	my $self = bless {
		in      => '',
		out     => '',
		err     => '',
		n       => 0,
		timeout => $opt{timeout} // 30,
	}, $class;
	$self->{timer} = IPC::Run::timer($self->{timeout});
	$self->{h} = IPC::Run::start(
		[ $node->installed_command('psql'), '-XAtq', '-d', $connstr ],
		'<', \$self->{in}, '>', \$self->{out}, '2>', \$self->{err},
		$self->{timer});
	return $self;
}

# Pump until $re matches the given stream ('out' or 'err'); false on
# timeout or exit.
sub wait_for
{
	my ($self, $stream, $re) = @_;
	$self->{timer}->start($self->{timeout});
	$self->{h}->pump_nb;
	until ($self->{$stream} =~ $re)
	{
		if ($self->{timer}->is_expired)
		{
			diag("timed out waiting for $re; stdout: $self->{out}; stderr: $self->{err}");
			return 0;
		}
		if (!$self->{h}->pumpable)
		{
			diag("psql exited waiting for $re; stdout: $self->{out}; stderr: $self->{err}");
			return 0;
		}
		$self->{h}->pump;
	}
	return 1;
}

# Run SQL and wait until it is done; returns [stdout, stderr] of it.
sub query
{
	my ($self, $sql) = @_;
	my $banner = "regress_pghero_done_" . $self->{n}++;
	$self->{out} = '';
	$self->{err} = '';
	$self->{in} .= "$sql\n;\n\\echo '$banner'\n\\warn '$banner'\n";
	# the whole banner line, newline included: a banner read without its
	# newline would leave that newline to the next query's output
	$self->wait_for('out', qr/^$banner\n/m)
	  && $self->wait_for('err', qr/^$banner\n/m)
	  or die "background query did not finish: $sql";
	(my $out = $self->{out}) =~ s/^$banner\n//m;
	(my $err = $self->{err}) =~ s/^$banner\n//m;
	chomp $out;
	return [ $out, $err ];
}

# Send SQL without waiting for it (it is expected to block).
sub send
{
	my ($self, $sql) = @_;
	$self->{out} = '';
	$self->{err} = '';
	$self->{in} .= "$sql\n";
	$self->{h}->pump_nb;
	return;
}

# Quit psql and wait for it to exit; returns its exit status.
sub quit
{
	my ($self) = @_;
	$self->{in} .= "\\q\n";
	$self->{timer}->start($self->{timeout});
	$self->{h}->pump_nb;
	while ($self->{h}->pumpable && !$self->{timer}->is_expired)
	{
		$self->{h}->pump;
	}
	if ($self->{timer}->is_expired)
	{
		diag("psql did not exit; killing it");
		$self->{h}->kill_kill;
		return -1;
	}
	$self->{h}->finish;
	return $self->{h}->result(0);
}

# Call $get until it returns $expected, for at most $seconds; true when it
# did, false (with a diag of the last value) when time ran out.  The one
# bounded polling loop of the TAP tests.
sub poll_until
{
	my ($class, $get, $expected, $seconds, $what) = @_;
	my $deadline = time + $seconds;
	my $got;
	while (time < $deadline)
	{
		$got = $get->();
		return 1 if defined $got && $got eq $expected;
		select(undef, undef, undef, 0.1);
	}
	diag("gave up waiting for: $what\nexpected: $expected\nlast: "
		  . ($got // 'undef'));
	return 0;
}

# Return once at least $seconds remain before the current hour (UTC, the
# collector's) ends, sleeping into the next hour if fewer do; for a test
# whose expected figures change when the collector rolls a complete hour
# up, which must then run within one hour.  Says so when it sleeps.
sub clear_of_hour_end
{
	my ($class, $seconds) = @_;
	my $left = 3600 - time % 3600;
	return if $left >= $seconds;
	diag("waiting ${left} s for the hour to end");
	sleep($left + 1);
	return;
}

# Make an initialised, not yet started $node a server on which pghero.issues
# finds nothing by itself: initdb -A trust lets anyone in over TCP
# (hba_trust), while the tests connect through the Unix socket only;
# connection logging is on; and the free space of the machine's disk, which
# is not the test's, is never low (pghero.disk_free_percent = 0).  Call
# before $node->start.
sub clean_node
{
	my ($class, $node) = @_;
	my $hba = $node->data_dir . '/pg_hba.conf';
	open(my $fh, '>', $hba) or die "could not write $hba: $!";
	print $fh "local all all trust\nlocal replication all trust\n";
	close($fh);
	$node->append_conf('postgresql.conf',
		"log_connections = on\nlog_disconnections = on\n"
		  . "pghero.disk_free_percent = 0\n");
	return;
}

1;
