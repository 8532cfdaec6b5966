#!/usr/bin/env bash
# The presentation mix with and without open event streams (issue 23, contract §7.2), one engine,
# one run: seeds a store (1 000 000 messages, 100 000 citizens, 400 afnemers), starts the engine,
# warms it up, then offers the mix at RATE for MIX_SECONDS three times: without streams (A), with
# STROMEN streams held open by the load tool (B), and without again after they closed (A'), so a
# drift of the machine shows. The descriptor limit is raised for the engine and the load tool.
#   loadtest/run-gebeurtenissen.sh                       # 20 000 streams, 5 000 req/s, 60 s each
#   STROMEN=2000 RATE=2000 MIX_SECONDS=20 BERICHTEN=200000 BURGERS=20000 loadtest/run-gebeurtenissen.sh
# Results: loadtest/results/gebeurtenissen-<label>/ (zonder.json, met.json, zonder-na.json,
# stromen.json, summary.json).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
stromen="${STROMEN:-20000}"
rate="${RATE:-5000}"
secs="${MIX_SECONDS:-60}"
burgers="${BURGERS:-100000}"
label="${LABEL:-$(date -u +%Y%m%d-%H%M)}"
out="$root/loadtest/results/gebeurtenissen-$label"
mkdir -p "$out"
# every stream is a socket at both ends
ulimit -n "$(( stromen * 2 + 10000 ))"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
data="${DATA_DIR:-$(mktemp -d)}"
port="${PORT:-18082}"
jwt="load-jwt-secret-0123456789abcdef0123456789"
if [ ! -d "$data/pg" ]; then
  BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten="${BERICHTEN:-1000000}" \
    --burgers="$burgers" --afnemers=400 2>&1 | grep -v '^\[\|^{' > "$out/seed.log"
fi
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" \
  bin/berichtenbox serve > "$out/engine.log" 2>&1 &
engine=$!
stromer=
trap '[ -n "$stromer" ] && kill $stromer 2>/dev/null; kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; [ -z "${DATA_DIR:-}" ] && rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
lt() { java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad \
  --url="http://localhost:$port" --jwt="$jwt" --burgers="$burgers" "$@"; }
date -u +%Y-%m-%dT%H:%MZ > "$out/tijd"
git rev-parse --short HEAD > "$out/commit"
echo "== warm-up at 2000/s for ${WARMUP_SECONDS:-30}s (not recorded)"
lt --rate=2000 --seconds="${WARMUP_SECONDS:-30}" > /dev/null
echo "== A: the mix at $rate/s for ${secs}s, no streams"
lt --rate="$rate" --seconds="$secs" --out="$out/zonder.json" > /dev/null
echo "== opening $stromen streams"
rm -f "$out/stop" "$out/gereed"
java -Xmx2g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.GebeurtenissenLoad \
  --url="http://localhost:$port" --jwt="$jwt" --burgers="$burgers" --stromen="$stromen" \
  --rate="${OPEN_RATE:-1000}" --seconds=3600 --tot="$out/stop" --gereed="$out/gereed" \
  --out="$out/stromen.json" > "$out/stromen.log" 2>&1 &
stromer=$!
for i in $(seq 1 300); do [ -f "$out/gereed" ] && break; sleep 1; done
echo "   $(cat "$out/gereed" 2>/dev/null || echo '?') streams open"
echo "== B: the mix at $rate/s for ${secs}s, with the streams open"
lt --rate="$rate" --seconds="$secs" --out="$out/met.json" > /dev/null
touch "$out/stop"; wait $stromer || true; stromer=
echo "== A': the mix at $rate/s for ${secs}s, the streams closed"
lt --rate="$rate" --seconds="$secs" --out="$out/zonder-na.json" > /dev/null
python3 - "$out" "$stromen" "$rate" <<'PY'
import json, sys
out, stromen, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fase = {k: json.load(open(f"{out}/{k}.json")) for k in ("zonder", "met", "zonder-na")}
s = json.load(open(f"{out}/stromen.json"))
summary = {"streams": stromen, "open": s["open"], "answers": s["answers"], "rate": rate,
           "p99.9": {k: v["latencyMs"]["p99.9"] for k, v in fase.items()},
           "p99": {k: v["latencyMs"]["p99"] for k, v in fase.items()},
           "statuses": {k: v["statuses"] for k, v in fase.items()}}
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
print(json.dumps(summary, indent=1))
PY
echo "== results in $out"
