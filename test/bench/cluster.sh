# test/bench/cluster.sh -- sourced by the benchmarks: a throwaway cluster.
#
# Sets PG_CONFIG, BINDIR, RUN (runuser -u postgres when root: servers
# refuse to run as root), WORK (a temporary directory removed on exit
# unless BENCH_KEEP=1), PGDATA, SOCK, a free PORT (from BENCH_PORT_LOWER to
# BENCH_PORT_UPPER, default 20000 to 60000), log() and psql_(); the EXIT
# trap stops the server if server_start-style code set STARTED=1.

PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
BINDIR="$("$PG_CONFIG" --bindir)"
export LC_ALL=C.UTF-8

log() { printf '==> %s\n' "$*" >&2; }

# Servers refuse to run as root: root runs everything as postgres.
if [ "$(id -u)" -eq 0 ]; then
	RUN=(runuser -u postgres --)
else
	RUN=()
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pghero-bench.XXXXXX")"
[ "$(id -u)" -eq 0 ] && chown postgres: "$WORK"
chmod 755 "$WORK"
PGDATA="$WORK/data"
SOCK="$WORK"
STARTED=0

cleanup() {
	if [ "$STARTED" -eq 1 ]; then
		"${RUN[@]}" "$BINDIR/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [ "${BENCH_KEEP:-0}" = "1" ]; then
		log "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port nobody listens on (the server listens on its Unix socket only,
# in $WORK, but the port also names that socket).
PORT=""
for p in $(shuf -i "${BENCH_PORT_LOWER:-20000}-${BENCH_PORT_UPPER:-60000}" -n 200); do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		PORT="$p"
		break
	fi
done
[ -n "$PORT" ] || { echo "no free port found" >&2; exit 1; }

psql_() {
	"${RUN[@]}" "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" "$@"
}
