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
    --burgers="${BURGERS:-100000}" --afnemers=400 2>&1 | grep -v '^\[\|^{' | tee "$out/seed.log"
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
# the engine's and its PostgreSQL's CPU so far: cpu, hz
. "$root/loadtest/cpu.sh"
for rate in ${RATES:-2000 4000 6000}; do
  secs="${SECONDS_PER_RATE:-60}"
  echo "== presentation at $rate/s for ${secs}s"
  read -r e0 p0 < <(cpu); t0=$(date +%s.%N)
  lt --rate="$rate" --seconds="$secs" --out="$out/presentatie-$rate.json" | grep -A7 '"latencyMs"'
  read -r e1 p1 < <(cpu); t1=$(date +%s.%N)
  # the call also samples 2 000 citizens (4 000 requests) and offers 10 s unrecorded at the rate
  n=$((rate * (secs + 10) + 4000))
  awk -v e=$((e1 - e0)) -v p=$((p1 - p0)) -v hz="$hz" -v n="$n" -v t0="$t0" -v t1="$t1" -v r="$rate" 'BEGIN { w = t1 - t0
    printf "   CPU during the call (%.0f s, about %d requests): engine %.1f s (%.2f cores, %.3f ms per request), PostgreSQL %.1f s (%.2f cores, %.3f ms per request)\n",
      w, n, e / hz, e / hz / w, e / hz * 1000 / n, p / hz, p / hz / w, p / hz * 1000 / n
    printf "{\"rate\": %d, \"seconds\": %.1f, \"requests\": %d, \"engineCpuSeconds\": %.2f, \"postgresCpuSeconds\": %.2f}\n", r, w, n, e / hz, p / hz > "/dev/stderr"
  }' 2> "$out/presentatie-$rate-cpu.json"
done
