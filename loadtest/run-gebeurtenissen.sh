#!/usr/bin/env bash
# The presentation mix with and without open event streams (issue 23, contract §7.2), one run:
# seeds a store (1 000 000 messages, 100 000 citizens, 400 afnemers), starts ENGINES engine
# processes on it (the first on its embedded PostgreSQL, the others on that PostgreSQL over TCP),
# warms up, then offers the mix at RATE for MIX_SECONDS to the first engine three times: without
# streams (A), with STROMEN streams held open across the engines by one load process per engine
# (B), and without again after they closed (A'), so a drift of the machine shows. Each process gets
# the hard descriptor limit as its soft one; a stream is a socket at both ends, so on a machine whose
# hard limit is 20 000 (this one) 20 000 streams need two engines and two stream holders.
#   loadtest/run-gebeurtenissen.sh                       # 20 000 streams, 5 000 req/s, 60 s each
#   STROMEN=2000 RATE=2000 MIX_SECONDS=20 BERICHTEN=200000 BURGERS=20000 loadtest/run-gebeurtenissen.sh
# Results: loadtest/results/gebeurtenissen-<label>/ (zonder.json, met.json, zonder-na.json,
# stromen-<engine>.json, summary.json).
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
engines="${ENGINES:-2}"
ulimit -n "$(ulimit -Hn)"
per=$(( stromen / engines ))
if [ $(( per + 2000 )) -gt "$(ulimit -n)" ]; then
  echo "$per streams per engine need more than the descriptor limit $(ulimit -n): raise ENGINES" >&2
  exit 2
fi
./mvnw -q -B -DskipTests -pl api,loadtest -am package
data="${DATA_DIR:-$(mktemp -d)}"
port="${PORT:-18082}"
jwt="load-jwt-secret-0123456789abcdef0123456789"
if [ ! -d "$data/pg" ]; then
  BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten="${BERICHTEN:-1000000}" \
    --burgers="$burgers" --afnemers=400 2>&1 | grep -v '^\[\|^{' > "$out/seed.log"
fi
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" \
  bin/berichtenbox serve > "$out/engine-1.log" 2>&1 &
pids=($!)
stromers=()
trap 'for p in ${stromers[@]+"${stromers[@]}"}; do kill $p 2>/dev/null; done; for p in "${pids[@]}"; do kill -TERM $p 2>/dev/null; done; wait 2>/dev/null; [ -z "${DATA_DIR:-}" ] && rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
pgport=$(sed -n 4p "$data/pg/postmaster.pid")
for e in $(seq 2 "$engines"); do
  mkdir -p "$data/engine-$e"
  BERICHTENBOX_DATA_DIR="$data/engine-$e" BERICHTENBOX_HTTP_PORT=$((port + e - 1)) \
    BERICHTENBOX_DB_URL="postgresql://postgres@127.0.0.1:$pgport/postgres" \
    BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" bin/berichtenbox serve > "$out/engine-$e.log" 2>&1 &
  pids+=($!)
  for i in $(seq 1 120); do curl -sf "localhost:$((port + e - 1))/health/ready" >/dev/null && break; sleep 1; done
done
lt() { java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad \
  --url="http://localhost:$port" --jwt="$jwt" --burgers="$burgers" "$@"; }
date -u +%Y-%m-%dT%H:%MZ > "$out/tijd"
git rev-parse --short HEAD > "$out/commit"
echo "== warm-up at 2000/s for ${WARMUP_SECONDS:-30}s (not recorded)"
lt --rate=2000 --seconds="${WARMUP_SECONDS:-30}" > /dev/null
echo "== A: the mix at $rate/s for ${secs}s, no streams"
lt --rate="$rate" --seconds="$secs" --out="$out/zonder.json" > /dev/null
echo "== opening $stromen streams, $per on each of $engines engines"
rm -f "$out/stop" "$out"/gereed-*
for e in $(seq 1 "$engines"); do
  # each holder its own citizens: the e-th block of the seeded BSNs
  java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.GebeurtenissenLoad \
    --url="http://localhost:$((port + e - 1))" --jwt="$jwt" --burgers="$burgers" --stromen="$per" \
    --vanaf=$(( (e - 1) * per )) --rate="${OPEN_RATE:-500}" --seconds=3600 --tot="$out/stop" \
    --gereed="$out/gereed-$e" --out="$out/stromen-$e.json" > "$out/stromen-$e.log" 2>&1 &
  stromers+=($!)
done
for e in $(seq 1 "$engines"); do
  for i in $(seq 1 300); do [ -f "$out/gereed-$e" ] && break; sleep 1; done
done
echo "   $(cat "$out"/gereed-* | awk "{ s += \$1 } END { print s }") streams open"
echo "== B: the mix at $rate/s for ${secs}s, with the streams open"
lt --rate="$rate" --seconds="$secs" --out="$out/met.json" > /dev/null
touch "$out/stop"; for p in "${stromers[@]}"; do wait $p || true; done; stromers=()
echo "== A': the mix at $rate/s for ${secs}s, the streams closed"
lt --rate="$rate" --seconds="$secs" --out="$out/zonder-na.json" > /dev/null
python3 - "$out" "$stromen" "$rate" <<'PY'
import glob, json, sys
out, stromen, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fase = {k: json.load(open(f"{out}/{k}.json")) for k in ("zonder", "met", "zonder-na")}
houders = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/stromen-*.json"))]
answers = {}
for h in houders:
    for k, v in h["answers"].items():
        answers[k] = answers.get(k, 0) + v
summary = {"streams": stromen, "engines": len(houders), "open": sum(h["open"] for h in houders),
           "answers": answers, "endedWhileHeld": sum(h["endedWhileHeld"] for h in houders),
           "comments": sum(h["comments"] for h in houders), "rate": rate,
           "p99.9": {k: v["latencyMs"]["p99.9"] for k, v in fase.items()},
           "p99": {k: v["latencyMs"]["p99"] for k, v in fase.items()},
           "statuses": {k: v["statuses"] for k, v in fase.items()}}
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
print(json.dumps(summary, indent=1))
PY
echo "== results in $out"
