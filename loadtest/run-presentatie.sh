#!/usr/bin/env bash
# Presentation load (issue 3): seeds a fresh embedded store (1 000 000 messages, 100 000
# citizens, 400 afnemers), starts the engine on it, offers portal traffic at each rate, stops.
#   loadtest/run-presentatie.sh                   # rates 2000 4000 6000
#   RATES="2000" SECONDS_PER_RATE=60 loadtest/run-presentatie.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
data="${DATA_DIR:-$(mktemp -d)}"
port="${PORT:-18081}"
jwt="load-jwt-secret-0123456789abcdef0123456789"
out="$root/loadtest/results"
mkdir -p "$out"
if [ ! -d "$data/pg" ]; then
  BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten="${BERICHTEN:-1000000}" \
    --burgers="${BURGERS:-100000}" --afnemers=400 2>&1 | grep -v '^\[' | tee "$out/seed.log"
fi
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" \
  bin/berichtenbox serve > "$out/engine-presentatie.log" 2>&1 &
engine=$!
trap 'kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; [ -z "${DATA_DIR:-}" ] && rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
lt() { java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad \
  --url="http://localhost:$port" --jwt="$jwt" --burgers="${BURGERS:-100000}" "$@"; }
echo "== warm-up at 2000/s for ${WARMUP_SECONDS:-30}s (not recorded)"
lt --rate=2000 --seconds="${WARMUP_SECONDS:-30}" > "$out/presentatie-warmup.json"
for rate in ${RATES:-2000 4000 6000}; do
  echo "== presentation at $rate/s for ${SECONDS_PER_RATE:-60}s"
  lt --rate="$rate" --seconds="${SECONDS_PER_RATE:-60}" --out="$out/presentatie-$rate.json" | grep -A7 '"latencyMs"'
done
