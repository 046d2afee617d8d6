#!/usr/bin/env bash
# test/bench/capture.sh -- cost of the statements capture and of reading
# history back.
#
# Builds a throwaway cluster in a temporary directory (pg_stat_statements
# and pghero preloaded, pg_stat_statements.max = BENCH_PGSS_MAX, the
# collector switched off with pghero.enabled = off so that nothing but this
# script runs), installs pghero (1.2) and measures, in one run on one server:
#
# 1. The floor: one server-side read of the capture's source,
#    "SELECT count(*) FROM pg_stat_statements(false)", with each of
#    BENCH_SIZES distinct statements in pg_stat_statements; the goals are
#    judged against it.  Also printed, for comparison with the figures of
#    1.1 and 1.2: the client-side read "SELECT * FROM
#    pg_stat_statements(false)" (every row sent to psql and dropped).
# 2. One statements capture ("SELECT * FROM pghero.capture(ARRAY[
#    'statements'])", after a first baseline capture) when every statement
#    moved (each run once more since the previous capture), when 1 % moved,
#    and when nothing moved (only this script's own few statements), each
#    BENCH_ROUNDS times, with its ratio to the floor of the same size, and
#    how many new texts it fetched (a new identity makes the capture read
#    every text).  Goal: at most 3x the floor.  Over it (or with
#    BENCH_EXPLAIN=1), the plans of the statements run by one more capture
#    of everything at the largest size are printed (auto_explain).
# 3. WAL written by each capture (pg_current_wal_insert_lsn() before and
#    after; nothing else runs), per moved statement, and the fixed cost of a
#    capture where nothing moved; with full_page_writes on and no checkpoint
#    in between, and once right after a CHECKPOINT (full-page images).  The
#    WAL of the last capture of each kind is broken down by record type
#    (pg_walinspect).  Then the on-disk bytes per stored statement_history
#    row.  Goal: at most 200 WAL bytes per moved statement, ~0 for unmoved.
# 4. "SELECT * FROM pghero.query_stats_between(now() - '24h', now())" over
#    BENCH_HIST_DAYS days of history at a 1-minute interval with
#    BENCH_HIST_STATEMENTS statements moving every minute, generated with SQL
#    straight into the partitioned tables under this installation's
#    generation (pghero_internal._generation(); its texts, its rollup_progress
#    row and the statement_captures row of each raw minute too): raw rows for the last
#    BENCH_RAW_DAYS days (pghero.raw_retention), hourly rollups (the sums of
#    the same synthetic rows) for all the days, rolled up until the current
#    hour.  The statements are real ones (their identities are in
#    pg_stat_statements and in the capture baseline, and each ran once more
#    since, so the not-yet-captured tail has work to do too).  Run
#    BENCH_QUERY_RUNS times in one session; the median is printed.  Goal:
#    under 100 ms.  Also measured, for comparison: the whole history
#    (BENCH_HIST_DAYS days), a window ending just before now (no tail), and
#    the 24 hours again once the largest of BENCH_SIZES other statements
#    have run (the tail reads all of pg_stat_statements).  Over 100 ms (or
#    with BENCH_EXPLAIN=1), the plans of the statements inside the functions
#    are printed (auto_explain, nested statements, ANALYZE and BUFFERS).
#
# The distinct statements are "SELECT NULL::t1, ..., NULL::t6" with each
# t one of ten types: the types of constants are part of the query
# identifier, their values and the column aliases are not.  They run from
# psql scripts in the measuring session, between the captures.
#
# Like the collector, every measured capture runs in one long session.  The
# server is configured as in production: fsync on, full_page_writes on,
# autovacuum on with its default settings, and nothing is vacuumed or
# analyzed by hand (neither the baseline nor the partitions): what
# autovacuum does between and during the captures is part of what is
# measured, and the WAL it writes while a capture runs is counted in that
# capture's WAL (the breakdown by record type shows it).  Sizes are summed
# over the leaf partitions (pg_partition_tree()).
#
# Nothing is asserted: this is not part of the test suite (see STYLE.md:
# benchmarks print ratios, never assert on time).
#
# Usage (as root, the server runs as OS user postgres; or as any other
# user, who then runs the server):
#   test/bench/capture.sh
# Environment:
#   BENCH_SIZES="5000 20000"    distinct statements, ascending
#   BENCH_PGSS_MAX=25000        pg_stat_statements.max
#   BENCH_ROUNDS=3              captures of each kind and size
#   BENCH_HIST_STATEMENTS=1000  statements moving every minute (step 4)
#   BENCH_HIST_DAYS=14          days of hourly rollups
#   BENCH_RAW_DAYS=2            days of raw 1-minute rows (the last ones)
#   BENCH_QUERY_RUNS=3          runs of query_stats
#   BENCH_ANALYZE_WAIT=300      seconds to wait for autovacuum to analyze the
#                               generated history (as it does a partition that
#                               fills over a day) before timing query_stats
#   BENCH_EXPLAIN=1             print the plans of a capture and of
#                               query_stats even when their goals are met
#                               (0: never)
#   BENCH_KEEP=1                keep the cluster's directory (stopped in
#                               immediate mode: a restart empties the
#                               unlogged baselines)
#
# About a minute with the defaults on 2 CPUs (most of it generating the
# 2.88 million raw rows of step 4).
#   PG_CONFIG=...               default /usr/lib/postgresql/15/bin/pg_config
#   BENCH_PORT_LOWER=20000      the cluster's port is a free one in this
#   BENCH_PORT_UPPER=60000      range (test/bench/cluster.sh)
#
# The extension must be installed (make install) in that PostgreSQL.
set -euo pipefail

read -r -a SIZES <<<"${BENCH_SIZES:-5000 20000}"
PGSS_MAX="${BENCH_PGSS_MAX:-25000}"
ROUNDS="${BENCH_ROUNDS:-3}"
HIST_N="${BENCH_HIST_STATEMENTS:-1000}"
HIST_DAYS="${BENCH_HIST_DAYS:-14}"
RAW_DAYS="${BENCH_RAW_DAYS:-2}"
QUERY_RUNS="${BENCH_QUERY_RUNS:-3}"
ANALYZE_WAIT="${BENCH_ANALYZE_WAIT:-300}"
EXPLAIN="${BENCH_EXPLAIN:-}"
# The throwaway cluster, its directory, port and helpers.
# shellcheck source=test/bench/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

# A file the server's OS user can read.
publish() {
	chmod 644 "$1"
}

MAX_SIZE="${SIZES[-1]}"
prev=0
for s in "${SIZES[@]}"; do
	if ! [ "$s" -gt "$prev" ] 2>/dev/null; then
		echo "BENCH_SIZES must be ascending positive integers" >&2
		exit 1
	fi
	prev="$s"
done
if [ "$HIST_N" -gt "$MAX_SIZE" ]; then
	echo "BENCH_HIST_STATEMENTS must not exceed the largest of BENCH_SIZES" >&2
	exit 1
fi
if [ "$((MAX_SIZE + 200))" -gt "$PGSS_MAX" ]; then
	echo "BENCH_PGSS_MAX must leave room above the largest of BENCH_SIZES" >&2
	exit 1
fi

log "initdb in $WORK (port $PORT)"
"${RUN[@]}" "$BINDIR/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
cat >>"$PGDATA/postgresql.conf" <<EOF
shared_preload_libraries = 'pg_stat_statements,pghero'
pghero.enabled = off
pg_stat_statements.max = $PGSS_MAX
pg_stat_statements.track = top
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
fsync = on
full_page_writes = on
autovacuum = on
shared_buffers = 256MB
work_mem = 4MB
max_wal_size = 16GB
checkpoint_timeout = 1h
EOF

"${RUN[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -l "$WORK/server.log" -w start >/dev/null
STARTED=1

DB=pghero_bench
psql_ -d postgres -c "CREATE DATABASE $DB"
psql_ -d "$DB" -c 'CREATE EXTENSION pg_stat_statements' \
	-c "CREATE EXTENSION pghero" \
	-c 'CREATE EXTENSION pg_walinspect'
PGSS="$(psql_ -d "$DB" -Atc "
	SELECT format('%I.pg_stat_statements', n.nspname)
	FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
	WHERE e.extname = 'pg_stat_statements'")"

# Statement i of the pool: "SELECT NULL::t1, ..., NULL::t6", the t's the
# base-10 digits of i mapped to ten types: a million distinct identities.
gen_statements() { # from (inclusive) to (exclusive) step
	awk -v from="$1" -v to="$2" -v step="${3:-1}" 'BEGIN {
		split("int2 int4 int8 float4 float8 numeric text bool date timestamptz", t, " ")
		for (i = from; i < to; i += step) {
			s = "SELECT"
			x = i
			for (j = 0; j < 6; j++) {
				s = s (j ? ", " : " ") "NULL::" t[x % 10 + 1]
				x = int(x / 10)
			}
			print s ";"
		}
	}'
}
prev=0
for s in "${SIZES[@]}"; do
	gen_statements "$prev" "$s" >"$WORK/new_$s.sql"
	gen_statements 0 "$s" >"$WORK/all_$s.sql"
	gen_statements 0 "$s" 100 >"$WORK/pct_$s.sql"
	publish "$WORK/new_$s.sql"
	publish "$WORK/all_$s.sql"
	publish "$WORK/pct_$s.sql"
	prev="$s"
done
gen_statements 0 "$HIST_N" >"$WORK/hist.sql"
publish "$WORK/hist.sql"

#
# Steps 1 to 3: one session, like the collector's.
#
B="$WORK/bench.sql"
{
	printf '%s\n' '\o /dev/null' '\set VERBOSITY terse' \
		"SELECT ${PGSS%.pg_stat_statements}.pg_stat_statements_reset();"
} >"$B"

# A statement whose wall time is measured (psql \timing), under a label.
emit_timed() { # label sql
	printf '\\echo @@ time %s\n\\timing on\n%s\n\\timing off\n' "$1" "$2" >>"$B"
}

# One statements capture: wall time, rows written, WAL, time inside.
emit_capture() { # label [walinspect]
	cat >>"$B" <<EOF
SELECT pg_current_wal_insert_lsn() AS lsn0 \\gset
\\echo @@ time $1
\\timing on
SELECT c.rows_written AS moved, c.succeeded AS ok, coalesce(c.error, '') AS err
FROM pghero.capture(ARRAY['statements']) c \\gset
\\timing off
SELECT pg_current_wal_insert_lsn() AS lsn1 \\gset
SELECT pg_wal_lsn_diff(:'lsn1', :'lsn0')::bigint AS wal,
	   round(s.last_duration_ms::numeric, 3) AS inside,
	   (SELECT count(*) FROM $PGSS(false)) AS entries,
	   (SELECT count(*) FROM pghero_internal.query_texts t
		WHERE t.generation = pghero_internal._generation()
		  AND t.first_seen = (SELECT max(c.captured_at) FROM pghero_internal.statement_captures c
							  WHERE c.generation = pghero_internal._generation())) AS texts
FROM pghero_internal.collector_sources s WHERE s.source = 'statements' \\gset
\\echo @@ val $1 :moved :wal :inside :entries :texts :ok :err
EOF
	if [ "${2:-}" = "walinspect" ]; then
		cat >>"$B" <<EOF
SELECT string_agg(format('%s=%s/%s/%s', w."resource_manager/record_type", w.count, w.record_size, w.fpi_size),
				  ' ' ORDER BY w.combined_size DESC) AS rm
FROM pg_get_wal_stats(:'lsn0', :'lsn1', true) w WHERE w.count > 0 \\gset
\\echo @@ wal $1 :rm
EOF
	fi
}

emit_workload() { # file
	printf '\\i %s\n' "$1" >>"$B"
}

for s in "${SIZES[@]}"; do
	emit_workload "$WORK/new_$s.sql"
	for ((r = 1; r <= 3; r++)); do
		emit_timed "floor_$s" "SELECT count(*) FROM $PGSS(false);"
		emit_timed "client_$s" "SELECT * FROM $PGSS(false);"
	done
	# the first capture of a size: baseline only, or new identities
	emit_capture "new_$s"
	for kind in all pct none; do
		for ((r = 1; r <= ROUNDS; r++)); do
			case "$kind" in
			all) emit_workload "$WORK/all_$s.sql" ;;
			pct) emit_workload "$WORK/pct_$s.sql" ;;
			esac
			if [ "$r" -eq "$ROUNDS" ]; then
				emit_capture "${kind}_$s" walinspect
			else
				emit_capture "${kind}_$s"
			fi
		done
	done
	echo 'CHECKPOINT;' >>"$B"
	emit_workload "$WORK/all_$s.sql"
	emit_capture "ckpt_$s" walinspect
done
# on-disk size of what the captures stored
cat >>"$B" <<'EOF'
SELECT count(*) AS st_rows,
	   (SELECT sum(pg_total_relation_size(p.relid)) FROM pg_partition_tree('pghero_internal.statement_history') p
		WHERE p.isleaf) AS st_total,
	   (SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree('pghero_internal.statement_history') p
		WHERE p.isleaf) AS st_heap,
	   round(avg(pg_column_size(h.*)), 1) AS st_tuple
FROM pghero_internal.statement_history h \gset
\echo @@ disk captured :st_rows :st_total :st_heap :st_tuple
EOF
publish "$B"

log "steps 1-3: statements ${SIZES[*]}, $ROUNDS captures of each kind"
t0=$(date +%s)
psql_ -d "$DB" -f "$B" >"$WORK/bench.out" 2>"$WORK/bench.err" || {
	cat "$WORK/bench.err" >&2
	exit 1
}
T_CAPTURE=$(($(date +%s) - t0))

declare -A TIMES VALS WALRM QROWS
DISK=""
HDISK=""
QENTRIES=""
IDS=""
# Read the "@@ tag ..." marks and psql's "Time:" lines of the given files
# (steps 1-3 and step 4 print different tags; one parser reads both).
parse_marks() { # file...
	local line current="" ms label n rest
	while IFS= read -r line; do
		case "$line" in
		"@@ time "*) current="${line#@@ time }" ;;
		Time:*)
			ms="${line#Time: }"
			TIMES["$current"]+="${ms%% ms*} "
			;;
		"@@ val "*)
			read -r _ _ label rest <<<"$line"
			VALS["$label"]+="$rest;"
			;;
		"@@ wal "*)
			read -r _ _ label rest <<<"$line"
			WALRM["$label"]="$rest"
			;;
		"@@ disk captured "*) DISK="${line#@@ disk captured }" ;;
		"@@ rows "*)
			read -r _ _ label n <<<"$line"
			QROWS["$label"]="$n"
			;;
		"@@ disk hist "*) HDISK="${line#@@ disk hist }" ;;
		"@@ ids "*) IDS="${line#@@ ids }" ;;
		"@@ entries "*) QENTRIES+="${line#@@ entries } " ;;
		esac
	done < <(cat "$@")
}
parse_marks "$WORK/bench.out"

median() {
	tr -s ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# field n (1: moved, 2: wal, 3: inside ms, 4: entries, 5: new texts, 6: ok,
# 7: error) of
# every capture under a label, space-separated
field() { # label n
	tr ';' '\n' <<<"${VALS[$1]:-}" | sed '/^$/d' | awk -v n="$2" '{ printf "%s ", $n }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }

ratio_over() { # median floor: true when over 3x
	awk -v m="$1" -v f="$2" 'BEGIN { exit !(f > 0 && m > 3 * f) }'
}
# Plans of the statements run by a capture of everything, at the largest
# size, when a capture missed its goal (auto_explain, nested statements;
# its instrumentation makes the capture slower than measured above).
# Query texts are cut to their first lines.
cut_texts() {
	awk '/^Query Text:/ { intext = 1; n = 0; print; next }
		 intext && (/^\t/ || /^$/) {
			 if ($0 ~ /^[\t ]*$/) next
			 n++
			 if (n <= 2) print
			 else if (n == 3) print "\t..."
			 next
		 }
		 { intext = 0; print }'
}
CAPTURE_PLANS=""
over=0
for s in "${SIZES[@]}"; do
	for kind in all pct; do
		ratio_over "$(median "${TIMES[${kind}_$s]:-}")" "$(median "${TIMES[floor_$s]:-}")" && over=1
	done
done
if [ "$EXPLAIN" = "1" ] || { [ "$EXPLAIN" != "0" ] && [ "$over" = 1 ]; }; then
	log "plans of a capture of $MAX_SIZE moved statements (auto_explain)"
	CAPTURE_PLANS="$(psql_ -d "$DB" 2>&1 <<EOF | cut_texts || true
\\o /dev/null
\\i $WORK/all_$MAX_SIZE.sql
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 5;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
SELECT * FROM pghero.capture(ARRAY['statements']);
EOF
)"
fi

#
# Step 4: history.
#
log "step 4: generating $HIST_DAYS days of history ($RAW_DAYS days raw), $HIST_N statements a minute"
H="$WORK/hist_gen.sql"
cat >"$H" <<EOF
\\set VERBOSITY terse
\\o /dev/null
-- start from an empty history, pg_stat_statements holding the statements
-- of the history only, and their baseline (a first capture: baseline only)
TRUNCATE pghero_internal.statement_history, pghero_internal.statement_rollup, pghero_internal.statement_captures,
		 pghero_internal.query_texts, pghero_internal.statement_baseline;
DELETE FROM pghero_internal.source_baseline WHERE source = 'statements';
SELECT ${PGSS%.pg_stat_statements}.pg_stat_statements_reset();
\\i $WORK/hist.sql
SELECT * FROM pghero.capture(ARRAY['statements']);
SELECT pghero_internal._generation() AS gen \\gset
-- the statements of the history: the real identities just captured
CREATE TABLE public.bench_ids AS
SELECT row_number() OVER (ORDER BY b.queryid)::int AS n, b.dbid, b.userid, b.queryid
FROM pghero_internal.statement_baseline b
	 JOIN $PGSS(true) s USING (dbid, userid, queryid, toplevel)
WHERE s.query ~ '^SELECT (NULL|\\\$[0-9]+)::[a-z0-9]+, ' AND b.toplevel;
SELECT count(*) AS ids FROM public.bench_ids \\gset
\\echo @@ ids :ids
INSERT INTO pghero_internal.query_texts (generation, dbid, queryid, query, first_seen)
SELECT :gen, i.dbid, i.queryid, 'statement ' || i.n, now() FROM public.bench_ids i
ON CONFLICT DO NOTHING;
SELECT date_trunc('minute', now()) AS t_now, date_trunc('hour', now()) AS h_now \\gset
-- rolled up until the current hour (no row until the retention source
-- first ran: insert it)
INSERT INTO pghero_internal.rollup_progress (history, generation, rolled_up_until)
VALUES ('statement_history', :gen, :'h_now')
ON CONFLICT (history, generation) DO UPDATE SET rolled_up_until = excluded.rolled_up_until;
SELECT pghero_internal._ensure_partition('statement_rollup', d)
FROM generate_series(:'h_now'::timestamptz - interval '$HIST_DAYS days', :'h_now', interval '1 day') d;
SELECT pghero_internal._ensure_partition('statement_rollup', :'h_now');
SELECT pghero_internal._ensure_partition('statement_history', d)
FROM generate_series(:'t_now'::timestamptz - interval '$RAW_DAYS days', :'t_now', interval '1 day') d;
SELECT pghero_internal._ensure_partition('statement_history', :'t_now');
\\timing on
\\echo @@ time gen_raw
-- one row per statement and minute, in time order: the minutes of the
-- last $RAW_DAYS days before the current one
INSERT INTO pghero_internal.statement_history
	(captured_at, since, generation, dbid, userid, queryid, toplevel, calls, total_exec_time,
	 min_exec_time, max_exec_time, rows, shared_blks_hit)
SELECT :'t_now'::timestamptz - k * interval '1 minute',
	   :'t_now'::timestamptz - (k + 1) * interval '1 minute',
	   :gen, i.dbid, i.userid, i.queryid, true,
	   1 + i.n % 10, (1 + i.n % 10) * (0.05 + i.n % 7),
	   0.05, 0.05 + i.n % 7 * 2, 1 + i.n % 10, 3 * (1 + i.n % 10)
FROM generate_series($RAW_DAYS * 1440, 1, -1) k, public.bench_ids i;
-- and the row of each of those captures, as the collector writes it
INSERT INTO pghero_internal.statement_captures
	(generation, captured_at, since, entries, moved, lossy)
SELECT :gen, :'t_now'::timestamptz - k * interval '1 minute',
	   :'t_now'::timestamptz - (k + 1) * interval '1 minute', :ids, :ids, false
FROM generate_series($RAW_DAYS * 1440, 1, -1) k;
\\echo @@ time gen_rollup
-- the hourly sums of the same rows, for every hour of the last $HIST_DAYS
-- days before the current one
INSERT INTO pghero_internal.statement_rollup
	(bucket, generation, dbid, userid, queryid, toplevel, samples, calls, total_exec_time,
	 min_exec_time, max_exec_time, rows, shared_blks_hit)
SELECT :'h_now'::timestamptz - k * interval '1 hour',
	   :gen, i.dbid, i.userid, i.queryid, true, 60,
	   60 * (1 + i.n % 10), 60 * (1 + i.n % 10) * (0.05 + i.n % 7),
	   0.05, 0.05 + i.n % 7 * 2, 60 * (1 + i.n % 10), 60 * 3 * (1 + i.n % 10)
FROM generate_series($HIST_DAYS * 24, 1, -1) k, public.bench_ids i;
\\timing off
SELECT count(*) AS raw_rows,
	   (SELECT sum(pg_total_relation_size(p.relid)) FROM pg_partition_tree('pghero_internal.statement_history') p
		WHERE p.isleaf) AS raw_total,
	   (SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree('pghero_internal.statement_history') p
		WHERE p.isleaf) AS raw_heap,
	   (SELECT count(*) FROM pghero_internal.statement_rollup) AS hourly_rows,
	   (SELECT sum(pg_total_relation_size(p.relid)) FROM pg_partition_tree('pghero_internal.statement_rollup') p
		WHERE p.isleaf) AS hourly_total,
	   (SELECT sum(pg_relation_size(p.relid)) FROM pg_partition_tree('pghero_internal.statement_rollup') p
		WHERE p.isleaf) AS hourly_heap
FROM pghero_internal.statement_history \\gset
\\echo @@ disk hist :raw_rows :raw_total :raw_heap :hourly_rows :hourly_total :hourly_heap
-- the history's statements ran once more since the capture: the tail
\\i $WORK/hist.sql
EOF
publish "$H"
t0=$(date +%s)
psql_ -d "$DB" -f "$H" >"$WORK/hist.out" 2>"$WORK/hist.err" || {
	cat "$WORK/hist.err" >&2
	exit 1
}
T_GEN=$(($(date +%s) - t0))

# In production the partitions fill over the day and autovacuum analyzes
# them as they grow; these were filled at once: wait (at most
# BENCH_ANALYZE_WAIT seconds) until autovacuum has analyzed every generated
# partition, so that the planner knows them as it would.  Nothing is
# analyzed by hand.
t0=$(date +%s)
AUTOANALYZED=no
while (($(date +%s) - t0 < ANALYZE_WAIT)); do
	left="$(psql_ -d "$DB" -Atc "
		SELECT count(*)
		FROM unnest('{pghero_internal.statement_history,pghero_internal.statement_rollup}'::regclass[]) t,
			 pg_partition_tree(t) p
			 JOIN pg_stat_user_tables s ON s.relid = p.relid
		WHERE p.isleaf AND pg_relation_size(p.relid) > 0 AND s.last_autoanalyze IS NULL")"
	if [ "$left" = 0 ]; then
		AUTOANALYZED=yes
		break
	fi
	sleep 5
done
T_ANALYZE=$(($(date +%s) - t0))

emit_timed_q() { printf '\\echo @@ time %s\n\\timing on\n%s\n\\timing off\n' "$1" "$2"; }
Q="$WORK/query.sql"
{
	printf '%s\n' '\o /dev/null'
	for ((r = 1; r <= QUERY_RUNS; r++)); do
		emit_timed_q q24 "SELECT * FROM pghero.query_stats_between(now() - interval '24 hours', now());"
		emit_timed_q q14d "SELECT * FROM pghero.query_stats_between(now() - interval '$HIST_DAYS days', now());"
		emit_timed_q qnotail "SELECT * FROM pghero.query_stats_between(now() - interval '24 hours', now() - interval '1 second');"
	done
	printf '%s\n' '\o' "SELECT count(*) AS n FROM $PGSS(false) \\gset" '\echo @@ entries :n' \
		"SELECT count(*) AS n FROM pghero.query_stats_between(now() - interval '24 hours', now()) \\gset" \
		'\echo @@ rows q24 :n' \
		"SELECT count(*) AS n FROM pghero.query_stats_between(now() - interval '$HIST_DAYS days', now()) \\gset" \
		'\echo @@ rows q14d :n' \
		"SELECT count(*) AS n FROM pghero.query_stats_between(now() - interval '24 hours', now() - interval '1 second') \\gset" \
		'\echo @@ rows qnotail :n'
} >"$Q"
publish "$Q"
log "step 4: query_stats, $QUERY_RUNS runs"
psql_ -d "$DB" -f "$Q" >"$WORK/query.out" 2>"$WORK/query.err" || {
	cat "$WORK/query.err" >&2
	exit 1
}

parse_marks "$WORK/hist.out" "$WORK/query.out"

Q24="$(median "${TIMES[q24]:-}")"
PLANS=""
if [ "$EXPLAIN" = "1" ] || { [ "$EXPLAIN" != "0" ] && awk -v m="${Q24:-0}" 'BEGIN { exit !(m >= 100) }'; }; then
	log "step 4: plans of query_stats (auto_explain)"
	PLANS="$(psql_ -d "$DB" 2>&1 <<'EOF' || true
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 5;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
\o /dev/null
SELECT * FROM pghero.query_stats_between(now() - interval '24 hours', now());
EOF
)"
fi

# The same with pg_stat_statements full: the tail reads all of it
QF="$WORK/query_full.sql"
{
	printf '%s\n' '\o /dev/null' "\\i $WORK/all_$MAX_SIZE.sql"
	for ((r = 1; r <= QUERY_RUNS; r++)); do
		emit_timed_q q24full "SELECT * FROM pghero.query_stats_between(now() - interval '24 hours', now());"
	done
	printf '%s\n' '\o' "SELECT count(*) AS n FROM $PGSS(false) \\gset" '\echo @@ entries :n' \
		"SELECT count(*) AS n FROM pghero.query_stats_between(now() - interval '24 hours', now()) \\gset" \
		'\echo @@ rows q24full :n'
} >"$QF"
publish "$QF"
log "step 4: query_stats with $MAX_SIZE statements in pg_stat_statements, $QUERY_RUNS runs"
psql_ -d "$DB" -f "$QF" >"$WORK/query_full.out" 2>"$WORK/query_full.err" || {
	cat "$WORK/query_full.err" >&2
	exit 1
}
parse_marks "$WORK/query_full.out"
read -r Q_ENTRIES QF_ENTRIES <<<"$QENTRIES"

#
# Report
#
echo
echo "pghero capture benchmark"
echo "  $("$BINDIR/postgres" --version), $(nproc) CPUs, fsync on, full_page_writes on, autovacuum on, nothing vacuumed by hand"
echo "  pg_stat_statements.max = $PGSS_MAX, track = top; $ROUNDS captures of each kind; steps 1-3 took ${T_CAPTURE} s"
printf '%s\n' "  ms = wall time seen by psql (\\timing); inside = the capture's own duration (collector_sources)"
echo "  floor = SELECT count(*) FROM pg_stat_statements(false) (server side only; the goals' floor);"
echo "  client = SELECT * FROM pg_stat_statements(false), every row sent to psql (the floor of 1.1, 1.2)"
echo
echo "1. floor (median of 3)"
printf '%-10s %8s %10s %10s\n' "statements" "entries" "floor ms" "client ms"
declare -A FLOOR
for s in "${SIZES[@]}"; do
	FLOOR[$s]="$(median "${TIMES[floor_$s]:-}")"
	ent="$(median "$(field "new_$s" 4)")"
	printf '%-10s %8s %10.2f %10.2f\n' "$s" "$ent" "${FLOOR[$s]:-0}" "$(median "${TIMES[client_$s]:-}")"
done

echo
echo "2-3. one statements capture (median of $ROUNDS; ckpt: one capture of all right after a CHECKPOINT)"
echo "  moved = rows written; WAL = bytes between pg_current_wal_insert_lsn() before and after"
echo "  WAL/moved = WAL / moved; marginal = (WAL - WAL of 'none') / (moved - moved of 'none')"
echo "  texts = texts of new identities fetched, per run (any new identity makes the capture read"
echo "  pg_stat_statements(true), every text)"
printf '%-10s %-6s %7s %s %10s %10s %-8s %8s %8s %10s %10s %10s %s\n' "statements" "moved" "rows" \
	"$(for ((r = 1; r <= ROUNDS; r++)); do printf '%9s ' "run $r ms"; done)" \
	"median ms" "inside ms" "texts" "x floor" "x client" "WAL bytes" "WAL/moved" "marginal" ""
declare -A NONE_WAL NONE_MOVED
for s in "${SIZES[@]}"; do
	client_ms="$(median "${TIMES[client_$s]:-}")"
	NONE_WAL[$s]="$(median "$(field "none_$s" 2)")"
	NONE_MOVED[$s]="$(median "$(field "none_$s" 1)")"
	for kind in new all pct none ckpt; do
		label="${kind}_$s"
		times="${TIMES[$label]:-}"
		med="$(median "$times")"
		moved="$(median "$(field "$label" 1)")"
		wal="$(median "$(field "$label" 2)")"
		inside="$(median "$(field "$label" 3)")"
		errs="$(field "$label" 7 | tr -s ' ')"
		texts="$(field "$label" 5)"
		case "$kind" in
		new) name="$( [ "$s" = "${SIZES[0]}" ] && echo "first" || echo "new")" ;;
		all) name="all" ;;
		pct) name="1 %" ;;
		none) name="none" ;;
		ckpt) name="ckpt" ;;
		esac
		flag=""
		if [ "$kind" = all ] || [ "$kind" = pct ]; then
			awk -v m="$med" -v f="${FLOOR[$s]}" 'BEGIN { exit !(f > 0 && m > 3 * f) }' && flag="over 3x floor"
		fi
		[ -n "${errs// /}" ] && flag="ERROR: $errs"
		marg="-"
		if [ "$kind" != none ] && [ "$kind" != new ]; then
			marg="$(awk -v w="$wal" -v m="$moved" -v w0="${NONE_WAL[$s]}" -v m0="${NONE_MOVED[$s]}" \
				'BEGIN { if (m - m0 > 0) printf "%.1f", (w - w0) / (m - m0); else print "-" }')"
		fi
		printf '%-10s %-6s %7s %s %10.2f %10s %-8s %8s %8s %10s %10s %10s %s\n' "$s" "$name" "$moved" \
			"$(for t in $times; do printf '%9.2f ' "$t"; done)" "${med:-0}" "$inside" \
			"$(tr -s ' ' ',' <<<"${texts% }")" \
			"$(ratio "$med" "${FLOOR[$s]}")" "$(ratio "$med" "$client_ms")" "$wal" \
			"$(awk -v w="$wal" -v m="$moved" 'BEGIN { if (m > 0) printf "%.1f", w / m; else print "-" }')" \
			"$marg" "$flag"
	done
done
echo "  (first: the baseline-only first capture; new: the capture right after new statements"
echo "   appeared, texts fetched; none: only this script's own statements moved)"

echo
echo "  WAL of the last capture of each kind by record type: type=records/record bytes/full-page-image bytes"
for s in "${SIZES[@]}"; do
	for kind in all pct none ckpt; do
		printf '  %-6s %-5s %s\n' "$s" "$kind" "${WALRM[${kind}_$s]:-}" | fold -s -w 150 | sed '2,$s/^/               /'
	done
done

echo
echo "  on-disk bytes per stored row (heap + index, all partitions)"
read -r st_rows st_total st_heap st_tuple <<<"$DISK"
read -r raw_rows raw_total raw_heap h_rows h_total h_heap <<<"$HDISK"
printf '  %-44s %10s rows %12s bytes %8s bytes/row (heap %s, avg tuple %s)\n' \
	"statement_history, rows of the captures above" "$st_rows" "$st_total" \
	"$(ratio "$st_total" "$st_rows")" "$(ratio "$st_heap" "$st_rows")" "$st_tuple"
printf '  %-44s %10s rows %12s bytes %8s bytes/row (heap %s)\n' \
	"statement_history, generated (step 4)" "$raw_rows" "$raw_total" \
	"$(ratio "$raw_total" "$raw_rows")" "$(ratio "$raw_heap" "$raw_rows")"
printf '  %-44s %10s rows %12s bytes %8s bytes/row (heap %s)\n' \
	"statement_rollup, generated (step 4)" "$h_rows" "$h_total" \
	"$(ratio "$h_total" "$h_rows")" "$(ratio "$h_heap" "$h_rows")"

echo
echo "4. query_stats over generated history: $HIST_DAYS days hourly + last $RAW_DAYS days raw at 1 minute,"
echo "   $IDS statements moving every minute; pg_stat_statements holds those ($Q_ENTRIES entries), each"
echo "   moved once since the last capture (the tail); last row: the same once $MAX_SIZE more statements ran"
echo "   ($QF_ENTRIES entries, not in the history: the tail reads them all); generated in ${T_GEN} s (raw $(median "${TIMES[gen_raw]:-}") ms," \
	"hourly $(median "${TIMES[gen_rollup]:-}") ms; nothing vacuumed or analyzed by hand;" \
	"$(if [ "$AUTOANALYZED" = yes ]; then echo "autovacuum had analyzed every partition ${T_ANALYZE} s later"; else echo "autovacuum had not analyzed every partition after ${T_ANALYZE} s"; fi))"
printf '%-58s %6s %s %10s %s\n' "query" "rows" \
	"$(for ((r = 1; r <= QUERY_RUNS; r++)); do printf '%9s ' "run $r ms"; done)" "median ms" ""
for q in q24 q14d qnotail q24full; do
	case "$q" in
	q24) name="query_stats(now() - '24h', now())" ;;
	q24full) name="query_stats(now() - '24h', now()), $QF_ENTRIES entries" ;;
	q14d) name="query_stats(now() - '$HIST_DAYS days', now())" ;;
	qnotail) name="query_stats(now() - '24h', now() - '1s') (no tail)" ;;
	esac
	times="${TIMES[$q]:-}"
	med="$(median "$times")"
	flag=""
	[ "$q" = q24 ] && awk -v m="${med:-0}" 'BEGIN { exit !(m >= 100) }' && flag="over 100 ms"
	printf '%-58s %6s %s %10.2f %s\n' "$name" "${QROWS[$q]:-?}" \
		"$(for t in $times; do printf '%9.2f ' "$t"; done)" "${med:-0}" "$flag"
done

echo
echo "goals:"
for s in "${SIZES[@]}"; do
	for kind in all pct; do
		med="$(median "${TIMES[${kind}_$s]:-}")"
		printf '  capture %-5s %-3s moved: %6.2f x floor %s\n' "$s" "$( [ "$kind" = all ] && echo all || echo '1 %')" \
			"$(ratio "$med" "${FLOOR[$s]}")" \
			"$(awk -v m="$med" -v f="${FLOOR[$s]}" 'BEGIN { print (f > 0 && m <= 3 * f) ? "(<= 3x: met)" : "(> 3x: MISSED)" }')"
	done
done
for s in "${SIZES[@]}"; do
	wal="$(median "$(field "all_$s" 2)")"
	moved="$(median "$(field "all_$s" 1)")"
	printf '  WAL %-5s all moved: %6.1f bytes per moved statement %s\n' "$s" \
		"$(awk -v w="$wal" -v m="$moved" 'BEGIN { if (m > 0) printf "%.1f", w / m; else print 0 }')" \
		"$(awk -v w="$wal" -v m="$moved" 'BEGIN { print (m > 0 && w / m <= 200) ? "(<= 200: met)" : "(> 200: MISSED)" }')"
	printf '  WAL %-5s nothing moved: %s bytes for %s rows of our own statements; fixed cost per capture %s bytes\n' "$s" \
		"${NONE_WAL[$s]}" "${NONE_MOVED[$s]}" \
		"$(awk -v w="$wal" -v m="$moved" -v w0="${NONE_WAL[$s]}" -v m0="${NONE_MOVED[$s]}" \
			'BEGIN { if (m - m0 > 0) printf "%.0f", w0 - m0 * (w - w0) / (m - m0); else print "-" }')"
done
echo "  (unmoved statements write nothing: the baseline is UNLOGGED and only moved identities are touched)"
printf '  query_stats 24 h: %.2f ms %s\n' "${Q24:-0}" \
	"$(awk -v m="${Q24:-0}" 'BEGIN { print (m < 100) ? "(< 100 ms: met)" : "(>= 100 ms: MISSED)" }')"

if [ -n "$CAPTURE_PLANS" ]; then
	echo
	echo "plans of the statements (over 5 ms) run by a capture of $MAX_SIZE moved statements"
	echo "(auto_explain, ANALYZE, BUFFERS; instrumented, so slower than measured above):"
	printf '%s\n' "$CAPTURE_PLANS"
fi
if [ -n "$PLANS" ]; then
	echo
	echo "plans of the statements (over 5 ms) run by query_stats(now() - '24h', now())"
	echo "(auto_explain, ANALYZE, BUFFERS; instrumented, so slower than measured above):"
	printf '%s\n' "$PLANS"
fi
