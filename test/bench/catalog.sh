#!/usr/bin/env bash
# test/bench/catalog.sh -- cost of every pghero view on a large catalog.
#
# Builds a throwaway cluster in a temporary directory with BENCH_TABLES
# tables (default 10,000), each "(id serial primary key, a int, b text)"
# with two more indexes: 3 indexes, a sequence and a TOAST table per table.
# Then it runs "SELECT * FROM pghero.<view>" for every view of schema
# pghero (enumerated from pg_class, so new views are covered) and
# "SELECT * FROM pghero.health()" RUNS times,
# interleaved, in one session, with the rows sent to /dev/null, and prints
# per view the wall time of each run (psql \timing: from sending the query
# to having received every row, so every column is evaluated), the median
# and its ratio to two baselines measured the same way in the same session:
# "SELECT * FROM pg_class" and "SELECT * FROM pg_stat_user_tables".
# It also prints a "cold" time: one SELECT * of the view as the first
# statement of a new session (empty relation and catalog caches), which is
# what a dashboard opening a new connection per page pays.
# The server is configured as in production (fsync, full_page_writes and
# autovacuum on) and its collector runs in the benchmark's database, so
# that health(), issue_counts and overview read the issues it tracks, as
# they do where pghero is set up (pghero.issues always evaluates every
# check).  Views whose median exceeds 1 s are flagged SLOW.  The goal is every view
# under 1 s at 10,000 tables.  Nothing is asserted: this is not part of the
# test suite (see STYLE.md: benchmarks print ratios, never assert on time).
#
# The views run with the default max_locks_per_transaction: they must never
# need more.  Only the creation step may, with BENCH_CREATE_MAX_LOCKS set
# (the server is then restarted with the default before measuring).
#
# Usage (as root, the server runs as OS user postgres; or as any other
# user, who then runs the server):
#   test/bench/catalog.sh
# Environment:
#   BENCH_TABLES=10000          tables to create
#   BENCH_BATCH=500             tables created per transaction
#   BENCH_RUNS=3                runs of every view
#   BENCH_CREATE_MAX_LOCKS=     max_locks_per_transaction for the creation
#                               step only (empty: server default)
#   BENCH_COLD=0                skip the cold (new session) measurement
#   BENCH_EXPLAIN=1             also print EXPLAIN (ANALYZE, BUFFERS) of the
#                               views over 1 s
#   BENCH_KEEP=1                keep the cluster's directory (stopped)
#   PG_CONFIG=...               default /usr/lib/postgresql/15/bin/pg_config
#
# The extension must be installed (make install) in that PostgreSQL.
set -euo pipefail

TABLES="${BENCH_TABLES:-10000}"
BATCH="${BENCH_BATCH:-500}"
RUNS="${BENCH_RUNS:-3}"
CREATE_MAX_LOCKS="${BENCH_CREATE_MAX_LOCKS:-}"
# The throwaway cluster, its directory, port and helpers.
# shellcheck source=test/bench/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

server_start() {
	"${RUN[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -l "$WORK/server.log" -w \
		-o "$*" start >/dev/null
	STARTED=1
}

server_stop() {
	"${RUN[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -w stop >/dev/null
	STARTED=0
}

log "initdb in $WORK (port $PORT)"
"${RUN[@]}" "$BINDIR/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
cat >>"$PGDATA/postgresql.conf" <<EOF
shared_preload_libraries = 'pg_stat_statements,pghero'
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
shared_buffers = 256MB
max_wal_size = 4GB
pghero.database = 'pghero_bench'
pghero.check_interval = '10s'
EOF

if [ -n "$CREATE_MAX_LOCKS" ]; then
	server_start "-c max_locks_per_transaction=$CREATE_MAX_LOCKS"
else
	server_start
fi
CREATE_LOCKS="$(psql_ -d postgres -Atc 'SHOW max_locks_per_transaction')"

psql_ -d postgres -c 'CREATE DATABASE pghero_bench'
psql_ -d pghero_bench -c 'CREATE EXTENSION pg_stat_statements' -c 'CREATE EXTENSION pghero'

log "creating $TABLES tables with 3 indexes each, $BATCH per transaction"
t0=$(date +%s)
for ((first = 1; first <= TABLES; first += BATCH)); do
	last=$((first + BATCH - 1))
	[ "$last" -gt "$TABLES" ] && last="$TABLES"
	psql_ -d pghero_bench <<EOF
DO \$\$
BEGIN
	FOR i IN $first..$last LOOP
		EXECUTE format('CREATE TABLE bench_%s (id serial PRIMARY KEY, a int, b text)', i);
		EXECUTE format('CREATE INDEX bench_%s_a_idx ON bench_%s (a)', i, i);
		EXECUTE format('CREATE INDEX bench_%s_b_idx ON bench_%s (b)', i, i);
	END LOOP;
END
\$\$;
EOF
done
log "created in $(( $(date +%s) - t0 )) s; ANALYZE"
psql_ -d pghero_bench -c 'ANALYZE'

# Measure with the default max_locks_per_transaction.
if [ -n "$CREATE_MAX_LOCKS" ]; then
	server_stop
	server_start
fi

mapfile -t VIEWS < <(psql_ -d pghero_bench -Atc "
	SELECT c.relname FROM pg_catalog.pg_class c
	WHERE c.relnamespace = 'pghero'::regnamespace AND c.relkind IN ('v', 'm')
	ORDER BY c.relname COLLATE \"C\"")
BASELINES=("pg_catalog.pg_class" "pg_catalog.pg_stat_user_tables")
# What is timed: every view, and the probe function; name => FROM item
NAMES=()
declare -A REL
for v in "${VIEWS[@]}"; do
	NAMES+=("pghero.$v")
	REL["pghero.$v"]="pghero.\"$v\""
done
NAMES+=("pghero.health()")
REL["pghero.health()"]="pghero.health()"

# The collector evaluates the checks of the database (pghero.database):
# health(), issue_counts and the overview then read its tracked issues.
# Wait for its first evaluation (pghero.check_interval = 10s).
log "waiting for the collector's first evaluation of the checks"
for ((i = 0; i < 120; i++)); do
	[ "$(psql_ -d pghero_bench -Atc 'SELECT tracked FROM pghero.health()')" = "t" ] && break
	sleep 1
done
TRACKED="$(psql_ -d pghero_bench -Atc 'SELECT tracked FROM pghero.health()')"

# Row counts, in their own session.
declare -A ROWS
{
	for v in "${BASELINES[@]}"; do
		echo "SELECT '$v', count(*) FROM $v;"
	done
	for v in "${NAMES[@]}"; do
		echo "SELECT '$v', count(*) FROM (SELECT * FROM ${REL[$v]} OFFSET 0) s;"
	done
} >"$WORK/count.sql"
chmod 644 "$WORK/count.sql"
while IFS='|' read -r name n; do
	ROWS["$name"]="$n"
done < <(psql_ -d pghero_bench -At -v ON_ERROR_STOP=0 -f "$WORK/count.sql" 2>/dev/null)

# Timed runs: one session, runs interleaved, rows to /dev/null.
{
	printf '%s\n' '\o /dev/null' '\timing on'
	for ((run = 1; run <= RUNS; run++)); do
		for v in "${BASELINES[@]}"; do
			printf '\\echo @@ %s\n' "$v"
			echo "SELECT * FROM $v;"
		done
		for v in "${NAMES[@]}"; do
			printf '\\echo @@ %s\n' "$v"
			echo "SELECT * FROM ${REL[$v]};"
		done
	done
} >"$WORK/bench.sql"
chmod 644 "$WORK/bench.sql"
log "running ${#VIEWS[@]} views, health() and 2 baselines $RUNS times"
psql_ -d pghero_bench -v ON_ERROR_STOP=0 -f "$WORK/bench.sql" >"$WORK/bench.out" 2>&1 || true

# Collect "Time: N ms" per name; an error leaves no time for that run.
declare -A TIMES ERRORS COLD
current=""
while IFS= read -r line; do
	case "$line" in
	"@@ "*) current="${line#@@ }" ;;
	Time:*)
		ms="${line#Time: }"
		ms="${ms%% ms*}"
		TIMES["$current"]+="$ms "
		;;
	*ERROR*) ERRORS["$current"]="${line#*ERROR:  }" ;;
	esac
done <"$WORK/bench.out"

# Cold: every view first thing in a new session.
if [ "${BENCH_COLD:-1}" = "1" ]; then
	log "running every view once in a new session"
	for v in "${BASELINES[@]}" "${NAMES[@]}"; do
		name="$v"
		rel="${REL[$v]:-$v}"
		out="$(printf '\\o /dev/null\n\\timing on\nSELECT * FROM %s;\n' "$rel" |
			psql_ -d pghero_bench -v ON_ERROR_STOP=0 2>&1 || true)"
		ms="$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' <<<"$out")"
		COLD["$name"]="${ms:-}"
	done
fi

median() {
	tr -s ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

BASE_CLASS="$(median "${TIMES[pg_catalog.pg_class]:-}")"
BASE_STAT="$(median "${TIMES[pg_catalog.pg_stat_user_tables]:-}")"

read -r NREL NIDX NSEQ < <(psql_ -d pghero_bench -Atc "
	SELECT count(*), count(*) FILTER (WHERE relkind = 'i'),
		   count(*) FILTER (WHERE relkind = 'S')
	FROM pg_class" | tr '|' ' ')

echo
echo "pghero catalog benchmark: $TABLES tables x 3 indexes, $RUNS runs per view"
echo "  $("$BINDIR/postgres" --version), $(nproc) CPUs"
echo "  pg_class: $NREL relations, $NIDX indexes, $NSEQ sequences"
echo "  max_locks_per_transaction: $CREATE_LOCKS while creating the tables," \
	"$(psql_ -d pghero_bench -Atc 'SHOW max_locks_per_transaction') while running the views"
printf '%s\n' "  time = wall time of SELECT * with every row received (psql \\timing, rows to /dev/null)"
echo "  cold = first statement of a new session; run 1..$RUNS = one session, runs interleaved"
echo "  server as in production: fsync, full_page_writes and autovacuum on"
echo "  the collector evaluates the checks in this database (health(), issue_counts, overview read its tracked issues): $TRACKED"
echo "  x pg_class / x stat = median / median of SELECT * FROM pg_class / pg_stat_user_tables"
echo "  SLOW = median over 1 s"
echo
printf '%-34s %8s %10s %s %10s %10s %10s %s\n' "relation" "rows" "cold ms" \
	"$(for ((r = 1; r <= RUNS; r++)); do printf '%10s ' "run $r ms"; done)" \
	"median ms" "x pg_class" "x stat" ""
line() {
	local name="$1" label="$2"
	local times="${TIMES[$name]:-}" med flag=""
	med="$(median "$times")"
	if [ -z "$med" ]; then
		printf '%-34s %8s %10s ERROR: %s\n' "$label" "${ROWS[$name]:-?}" "${COLD[$name]:--}" "${ERRORS[$name]:-no time}"
		return
	fi
	awk -v m="$med" 'BEGIN { exit !(m > 1000) }' && flag="SLOW (> 1 s)"
	printf '%-34s %8s %10s %s %10.1f %10.1f %10.1f %s\n' "$label" "${ROWS[$name]:-?}" \
		"$(if [ -n "${COLD[$name]:-}" ]; then printf '%.1f' "${COLD[$name]}"; else echo -; fi)" \
		"$(for t in $times; do printf '%10.1f ' "$t"; done)" "$med" \
		"$(awk -v m="$med" -v b="$BASE_CLASS" 'BEGIN { print (b > 0 ? m / b : 0) }')" \
		"$(awk -v m="$med" -v b="$BASE_STAT" 'BEGIN { print (b > 0 ? m / b : 0) }')" \
		"$flag"
}
for v in "${BASELINES[@]}"; do
	line "$v" "(baseline) ${v#pg_catalog.}"
done
for v in "${NAMES[@]}"; do
	line "$v" "${v#pghero.}"
done

SLOW=()
for v in "${NAMES[@]}"; do
	med="$(median "${TIMES[$v]:-}")"
	[ -n "$med" ] && awk -v m="$med" 'BEGIN { exit !(m > 1000) }' && SLOW+=("${v#pghero.}")
done
echo
if [ "${#SLOW[@]}" -eq 0 ]; then
	echo "every view under 1 s"
else
	echo "views over 1 s: ${SLOW[*]}"
	if [ "${BENCH_EXPLAIN:-0}" = "1" ]; then
		for v in "${SLOW[@]}"; do
			echo
			echo "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ${REL[pghero.$v]}"
			psql_ -d pghero_bench -Atc "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ${REL[pghero.$v]}"
		done
	fi
fi
