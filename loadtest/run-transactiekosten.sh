#!/usr/bin/env bash
# What a transaction costs PostgreSQL apart from its rows (issue 21): the engine's 2 KB message rows
# inserted at one fixed rate, N a transaction for each N in turn (Transactiekosten.java), PostgreSQL's
# CPU read for each, with an idle window first for what the engine's PostgreSQL does anyway. At one
# rate the rows' cost is the same for every N, so what falls with N is the transactions' part.
#   loadtest/run-transactiekosten.sh                   # writes loadtest/results/transactiekosten-<label>/
#   LABEL=x RATE=1500 SIZES="1 2 4 16 64" SECONDS_AT_RATE=20 CONNECTIONS=4 loadtest/run-transactiekosten.sh
#   ZONDER_FLUSH=1 ...: the sessions commit without waiting for the WAL's flush (synchronous_commit
#   off), to tell the flush's part of a transaction from the rest; never what the engine does
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
label="${LABEL:-$(git rev-parse --short HEAD)}"
data="$(mktemp -d)"
port="${PORT:-18083}"
rate="${RATE:-1500}"
secs="${SECONDS_AT_RATE:-20}"
conns="${CONNECTIONS:-4}"
out="$root/loadtest/results/transactiekosten-$label"
mkdir -p "$out"
echo "$(git rev-parse --short HEAD) $(date -u +%Y-%m-%dT%H:%MZ)" > "$out/commit"
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" \
  bin/berichtenbox serve > "$out/engine.log" 2>&1 &
engine=$!
trap 'kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
pgurl="jdbc:postgresql://127.0.0.1:$(sed -n 4p "$data/pg/postmaster.pid")/postgres"
. "$root/loadtest/cpu.sh"
cp=loadtest/target/loadtest.jar
run() { java -Xmx512m -cp "$cp" nl.berichtenbox.loadtest.Transactiekosten "$pgurl" "$@"; }

echo "== warm-up: 16 a transaction for 10 s (not recorded)"
run 16 "$rate" 10 "$conns" > /dev/null
: > "$out/runs.jsonl"
_pg; p0=$_p; t0=${EPOCHREALTIME/./}
sleep "$secs"
_pg; t1=${EPOCHREALTIME/./}
echo "{\"rowsPerTransaction\": 0, \"rows\": 0, \"transactions\": 0, \"seconds\": $(( (t1 - t0) / 1000 ))e-3, \"postgresCpuSeconds\": $(awk -v p=$((_p - p0)) -v hz="$hz" 'BEGIN { printf "%.2f", p / hz }')}" >> "$out/runs.jsonl"
for n in ${SIZES:-1 2 4 16 64}; do
  echo "== $n a transaction at $rate rows/s for $secs s"
  _pg; p0=$_p
  line=$(run "$n" "$rate" "$secs" "$conns" ${ZONDER_FLUSH:+--zonder-flush})
  _pg
  echo "${line%\}}, \"postgresCpuSeconds\": $(awk -v p=$((_p - p0)) -v hz="$hz" 'BEGIN { printf "%.2f", p / hz }')}" >> "$out/runs.jsonl"
done
python3 "$root/loadtest/transactiekosten.py" "$out" | tee "$out/transactiekosten.md"
