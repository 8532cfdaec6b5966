#!/usr/bin/env bash
# Intake load scenarios (issue 2): starts the engine on a fresh embedded database, runs each
# scenario with the open-model generator, writes JSON results to loadtest/results/, stops.
#   loadtest/run-intake.sh                 # all scenarios
#   SCENARIOS="2000:0 5000:0" loadtest/run-intake.sh   # rate:attachmentKb pairs
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
data="$(mktemp -d)"
port="${PORT:-18080}"
admin="load-admin-token-0123456789"
jwt="load-jwt-secret-0123456789abcdef0123456789"
out="$root/loadtest/results"
mkdir -p "$out"
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_ADMIN_TOKEN="$admin" \
  BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" bin/berichtenbox serve > "$out/engine.log" 2>&1 &
engine=$!
trap 'kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
seconds="${SECONDS_PER_SCENARIO:-30}"
# JIT warm-up: the first half minute of a fresh JVM is compiling, not serving; not recorded.
warm="${WARMUP_SECONDS:-30}"
if [ "$warm" -gt 0 ]; then
  echo "== warm-up at 2000/s for ${warm}s (not recorded)"
  java -Xmx1g -jar loadtest/target/loadtest.jar --url="http://localhost:$port" --admin="$admin" --jwt="$jwt" \
    --rate=2000 --seconds="$warm" --citizens=20 > "$out/warmup.json"
fi
for s in ${SCENARIOS:-2000:0 5000:0 6000:0 500:100}; do
  rate="${s%%:*}"; kb="${s##*:}"
  echo "== intake at $rate/s, attachment ${kb} kB, ${seconds}s"
  java -Xmx1g -jar loadtest/target/loadtest.jar --url="http://localhost:$port" --admin="$admin" --jwt="$jwt" \
    --rate="$rate" --seconds="$seconds" --attachment-kb="$kb" --out="$out/intake-$rate-$kb.json"
done
