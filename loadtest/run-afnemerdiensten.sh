#!/usr/bin/env bash
# Afnemer services (issue 4): seeds 1 000 000 citizens (unless DATA_DIR holds a seeded store),
# starts the engine with a 512 MB heap, runs the Validatieservice at an open rate and an ALLES
# export of 1 000 000 citizens while sampling the engine's heap, then stops.
#   loadtest/run-afnemerdiensten.sh
#   DATA_DIR=/tmp/seed-1m RATE=20 SECONDS_VALIDATIE=60 loadtest/run-afnemerdiensten.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
data="${DATA_DIR:-$(mktemp -d)}"
port="${PORT:-18082}"
out="$root/loadtest/results"
mkdir -p "$out"
if [ ! -d "$data/pg" ]; then
  BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --burgers=1000000 --berichten=100000 2>&1 | grep -v '^\[\|^{' \
    | tee "$out/seed-afnemerdiensten.log"
fi
BERICHTENBOX_JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC" BERICHTENBOX_DATA_DIR="$data" \
  BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_VALIDATIE_QUOTUM_PER_UUR=100000000 \
  BERICHTENBOX_ABONNEMENTEN_VENSTER=altijd BERICHTENBOX_ABONNEMENTEN_QUOTA="ALLES=100000,BSN_LIJST=100000,MUTATIES=100000" \
  bin/berichtenbox serve > "$out/engine-afnemerdiensten.log" 2>&1 &
engine=$!
trap 'kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; [ -z "${DATA_DIR:-}" ] && rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
jpid=$(pgrep -f "berichtenbox.jar serve" | head -1)
# heap used (KB) of the engine every 500 ms: old + eden + survivors, from jstat
jstat -gc "$jpid" 500 > "$out/heap-afnemerdiensten.txt" &
sampler=$!
java -Xmx2g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.AfnemerDienstenLoad --url="http://localhost:$port" \
  --burgers=1000000 --rate="${RATE:-20}" --seconds="${SECONDS_VALIDATIE:-60}" --out="$out/afnemerdiensten.json"
kill $sampler 2>/dev/null || true
awk 'NR>1 {u=$3+$4+$6+$8; if (u>m) m=u} END {printf "engine heap used, max sample: %.0f MB (heap capped at 512 MB)\n", m/1024}' \
  "$out/heap-afnemerdiensten.txt" | tee -a "$out/afnemerdiensten-heap.txt"
