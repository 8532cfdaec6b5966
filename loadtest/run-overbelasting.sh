#!/usr/bin/env bash
# Overload at three times the sustainable rate, measured (issue 9): starts the engine on a fresh
# embedded store, pinned to ENGINE_CPUS (PostgreSQL, started by it, inherits them), and the
# generator (OverbelastingLoad: open model over a bounded number of keep-alive connections) on
# GENERATOR_CPUS, so that the generator can offer three times what the engine takes. It finds the
# sustainable rate in steps, offers 3x that for a minute, lets the load stop, then offers the
# target rate in 30 s windows until one is back to normal.
#   loadtest/run-overbelasting.sh                          # engine on core 0, generator on core 1
#   ENGINE_CPUS=0-1 GENERATOR_CPUS=0-1 loadtest/run-overbelasting.sh   # unpinned (shared cores)
#   ARGS="--connections=256 --factor=3" loadtest/run-overbelasting.sh  # passed to the generator
#   ARGS=--maat=intake loadtest/run-overbelasting.sh   # three times what intake takes (processing may lag)
#   loadtest/run-overbelasting.sh --smoke                  # seconds, low rates, no pinning (CI: the tool
#                                                          # runs end to end; its judgement is not expected to pass)
# Writes loadtest/results/overbelasting/{overbelasting.json,run.log,engine.log,engine-gc.log};
# exit status 1 when the overload was not handled as judged (see OverbelastingLoad).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
smoke=false
[ "${1:-}" = --smoke ] && smoke=true
alle="0-$(( $(nproc) - 1 ))"
if $smoke; then
  engine_cpus="${ENGINE_CPUS:-$alle}"; generator_cpus="${GENERATOR_CPUS:-$alle}"
  ARGS="--start=100 --stap=2 --max=200 --warmup=2 --seconds=3 --herstel=20 --beoordeeld=2 --connections=16 ${ARGS:-}"
else
  engine_cpus="${ENGINE_CPUS:-0}"; generator_cpus="${GENERATOR_CPUS:-1}"
  if [ "$(nproc)" -lt 2 ] && [ -z "${ENGINE_CPUS:-}${GENERATOR_CPUS:-}" ]; then
    echo "one core here: the engine and the generator cannot have one each; set ENGINE_CPUS and GENERATOR_CPUS" >&2
    exit 2
  fi
fi
./mvnw -q -B -DskipTests -pl api,loadtest -am package
data="$(mktemp -d)"
port="${PORT:-18095}"
admin="load-admin-token-0123456789"
jwt="load-jwt-secret-0123456789abcdef0123456789"
out="$root/loadtest/results/overbelasting"
rm -rf "$out"; mkdir -p "$out"
engine=
trap '[ -n "$engine" ] && { kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; }; rm -rf "$data"' EXIT
export BERICHTENBOX_JAVA_OPTS="${ENGINE_JAVA_OPTS:--Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseParallelGC} -Xlog:gc:file=$out/engine-gc.log"
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_ADMIN_TOKEN="$admin" \
  BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" taskset -c "$engine_cpus" bin/berichtenbox serve > "$out/engine.log" 2>&1 &
engine=$!
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
curl -sf "localhost:$port/health/ready" >/dev/null || { echo "engine did not start: see $out/engine.log" >&2; exit 1; }
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%FT%TZ): ENGINE_CPUS=$engine_cpus GENERATOR_CPUS=$generator_cpus ${ARGS:-}" | tee "$out/run.log"
status=0
( ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  exec taskset -c "$generator_cpus" java -Xms1g -Xmx1g -XX:+UseParallelGC -Xlog:gc:file="$out/generator-gc.log" \
    -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.OverbelastingLoad --url="http://localhost:$port" \
    --admin="$admin" --jwt="$jwt" --out="$out/overbelasting.json" ${ARGS:-} ) 2>&1 | tee -a "$out/run.log" || status=$?
if $smoke; then
  # the tool must have run to its end and written its judgement, whatever that is
  grep -q '"gehaald"' "$out/overbelasting.json" || { echo "overload smoke: no result written" >&2; exit 1; }
  exit 0
fi
exit $status
