#!/usr/bin/env bash
# test/bench/sampler.sh -- what the activity sampler costs the server.
#
# Builds a throwaway cluster (test/bench/cluster.sh) configured as in
# production (fsync on, autovacuum on, the collector running with its
# default capture interval of one minute), creates pghero in the
# collector's database, and opens BENCH_CONNECTIONS connections with
# pgbench: half of them active (each runs "SELECT pg_sleep(0.05)" over and
# over, so an active session is always there to be sampled, with a
# statement that changes twenty times a second), half idle (connected,
# running nothing).  After a warm-up of BENCH_WARMUP seconds (the first
# captures set baselines, create partitions and measure every relation:
# costs of a first capture, not of sampling), for BENCH_SECONDS each, in
# this order on the same server:
#
# 1. the baseline: the collector with pghero.activity_sample_interval =
#    60s, i.e. one sample per capture, so that its every other cost (the
#    statements, database, instance, I/O, activity, retention and issues
#    sources) is the same;
# 2. the collector sampling every BENCH_SAMPLE_INTERVAL (default 1s);
# 3. the baseline again (the mean of 1 and 3 is the baseline, so that a
#    drift over time, such as the growth of the tables, counts for neither).
#
# For each it measures the CPU time of the collector process (utime +
# stime from /proc/<pid>/stat) and the WAL written by the whole server
# (pg_current_wal_insert_lsn(); the pgbench sessions write none, so this is
# the collector's, autovacuum's and checkpoints'), both scaled to an hour,
# and prints the sampler's share: run 2 minus the mean of runs 1 and 3.
# Last, the WAL of one capture of the activity source after a minute of
# samples (rows and bytes), scaled to an hour of captures.  Goal: near nothing
# (the issue asks for the figures; no threshold is asserted).
#
#   BENCH_CONNECTIONS=200  BENCH_SECONDS=180  BENCH_SAMPLE_INTERVAL=1s
#   BENCH_WARMUP=75
#   PG_CONFIG=...          default /usr/lib/postgresql/15/bin/pg_config
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

CONNECTIONS="${BENCH_CONNECTIONS:-200}"
SECONDS_EACH="${BENCH_SECONDS:-180}"
SAMPLE_INTERVAL="${BENCH_SAMPLE_INTERVAL:-1s}"
ACTIVE=$((CONNECTIONS / 2))
IDLE=$((CONNECTIONS - ACTIVE))

log "initdb in $WORK (port $PORT)"
"${RUN[@]}" "$BINDIR/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
cat >>"$PGDATA/postgresql.conf" <<EOF
shared_preload_libraries = 'pg_stat_statements,pghero'
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
max_connections = $((CONNECTIONS + 20))
pghero.activity_sample_interval = '60s'
EOF
"${RUN[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -l "$WORK/server.log" -w start >/dev/null
STARTED=1
psql_ -d postgres -c 'CREATE EXTENSION pg_stat_statements' -c 'CREATE EXTENSION pghero'

cat >"$WORK/active.sql" <<'EOF'
SELECT pg_sleep(0.05);
EOF
cat >"$WORK/idle.sql" <<'EOF'
\sleep 1 s
EOF
chown postgres: "$WORK"/*.sql 2>/dev/null || true

WARMUP="${BENCH_WARMUP:-75}"
TOTAL=$((3 * SECONDS_EACH + WARMUP + 120))
log "$ACTIVE active and $IDLE idle connections for ${TOTAL}s"
"${RUN[@]}" "$BINDIR/pgbench" -n -h "$SOCK" -p "$PORT" -c "$ACTIVE" -j 2 -T "$TOTAL" \
	-f "$WORK/active.sql" postgres >"$WORK/active.log" 2>&1 &
ACTIVE_PID=$!
"${RUN[@]}" "$BINDIR/pgbench" -n -h "$SOCK" -p "$PORT" -c "$IDLE" -j 2 -T "$TOTAL" \
	-f "$WORK/idle.sql" postgres >"$WORK/idle.log" 2>&1 &
IDLE_PID=$!
log "warming up for ${WARMUP}s"
sleep "$WARMUP"

collector_pid() {
	psql_ -d postgres -At -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pghero collector'"
}
cpu_ticks() {
	# fields 14 and 15 of /proc/<pid>/stat, after the command in parentheses
	sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
wal_lsn() {
	psql_ -d postgres -At -c "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"
}
HZ="$(getconf CLK_TCK)"

# measure NAME INTERVAL: one run of SECONDS_EACH, printing CPU s/h, WAL B/h
measure() {
	local name="$1" interval="$2" pid t0 t1 w0 w1 s0 s1 cpu wal samples
	psql_ -d postgres -c "ALTER SYSTEM SET pghero.activity_sample_interval = '$interval'" \
		-c 'SELECT pg_reload_conf()' >/dev/null
	sleep 2
	pid="$(collector_pid)"
	[ -n "$pid" ] || { echo "no collector running" >&2; exit 1; }
	s0="$(psql_ -d postgres -At -c 'SELECT coalesce(sum(ticks), 0) FROM pghero_internal.activity_buckets')"
	t0="$(cpu_ticks "$pid")"
	w0="$(wal_lsn)"
	sleep "$SECONDS_EACH"
	t1="$(cpu_ticks "$pid")"
	w1="$(wal_lsn)"
	s1="$(psql_ -d postgres -At -c 'SELECT coalesce(sum(ticks), 0) FROM pghero_internal.activity_buckets')"
	[ "$pid" = "$(collector_pid)" ] || { echo "the collector restarted during the run" >&2; exit 1; }
	cpu="$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v s="$SECONDS_EACH" 'BEGIN { printf "%.2f", t / hz * 3600 / s }')"
	wal="$(awk -v w=$((w1 - w0)) -v s="$SECONDS_EACH" 'BEGIN { printf "%.0f", w * 3600 / s }')"
	samples=$((s1 - s0))
	printf '%-34s %12s %16s %10s\n' "$name" "$cpu" "$wal" "$samples"
	eval "${name%% *}_CPU=$cpu; ${name%% *}_WAL=$wal"
}

printf '\n%s connections (%s active, %s idle), %ss per run, %s\n' \
	"$CONNECTIONS" "$ACTIVE" "$IDLE" "$SECONDS_EACH" "$("$PG_CONFIG" --version)"
printf '%-34s %12s %16s %10s\n' run 'CPU s/hour' 'WAL bytes/hour' 'samples*'
measure "baseline (sampling every 60s)" 60s
measure "sampling every $SAMPLE_INTERVAL" "$SAMPLE_INTERVAL"
measure "baseline2 (sampling every 60s)" 60s
baseline_CPU="$(awk -v a="$baseline_CPU" -v b="$baseline2_CPU" 'BEGIN { printf "%.2f", (a + b) / 2 }')"
baseline_WAL="$(awk -v a="$baseline_WAL" -v b="$baseline2_WAL" 'BEGIN { printf "%.0f", (a + b) / 2 }')"
printf '%-34s %12s %16s\n' "the sampler's share" \
	"$(awk -v a="$sampling_CPU" -v b="$baseline_CPU" 'BEGIN { printf "%.2f", a - b }')" \
	"$(awk -v a="$sampling_WAL" -v b="$baseline_WAL" 'BEGIN { printf "%.0f", a - b }')"
printf '(* samples written by the captures of the run: a capture writes the samples\n   taken since the one before, so the first run'"'"'s include a few from the start)\n'
printf 'CPU as a share of one core: %s %%\n' \
	"$(awk -v a="$sampling_CPU" -v b="$baseline_CPU" 'BEGIN { printf "%.3f", (a - b) / 36 }')"

# The WAL of the server above is everything's (autovacuum, checkpoints'
# full-page images): the activity source's own is measured apart, one
# capture of a minute of samples, its WAL and rows, scaled to an hour of
# captures at pghero.capture_interval (nothing else runs in this session's
# statement but autovacuum, which may add to it).
psql_ -d postgres -c "ALTER SYSTEM SET pghero.activity_sample_interval = '$SAMPLE_INTERVAL'" \
	-c 'SELECT pg_reload_conf()' >/dev/null
psql_ -d postgres -At -c "SELECT pghero.capture(ARRAY['activity'])" >/dev/null
sleep 60
psql_ -d postgres -At -F ' ' >"$WORK/one_capture" <<'SQL'
SELECT pg_current_wal_insert_lsn() AS before \gset
SELECT r.rows_written, pg_current_wal_insert_lsn() - :'before'::pg_lsn
FROM pghero.capture(ARRAY['activity']) r;
SQL
read -r ROWS BYTES <"$WORK/one_capture"
INTERVAL_S="$(psql_ -d postgres -At -c "SELECT setting FROM pg_settings WHERE name = 'pghero.capture_interval'")"
printf 'one activity capture of 60 s of samples: %s rows, %s WAL bytes (%s per row); %s WAL bytes/hour at pghero.capture_interval = %ss\n' \
	"$ROWS" "$BYTES" "$(awk -v b="$BYTES" -v r="$ROWS" 'BEGIN { printf "%.0f", r ? b / r : 0 }')" \
	"$(awk -v b="$BYTES" -v i="$INTERVAL_S" 'BEGIN { printf "%.0f", b * 3600 / i }')" "$INTERVAL_S"

kill "$ACTIVE_PID" "$IDLE_PID" 2>/dev/null || true
wait 2>/dev/null || true
