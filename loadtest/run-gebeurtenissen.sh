#!/usr/bin/env bash
# The presentation mix with and without open event streams (issue 23, contract §7.2), one run:
# seeds a store (1 000 000 messages, 100 000 citizens, 400 afnemers), starts ENGINES engine
# processes on it (the first on its embedded PostgreSQL, the others on that PostgreSQL over TCP),
# warms up, then offers the mix at RATE for MIX_SECONDS to the first engine four times: without
# streams (A), with STROMEN streams held open across the engines by one load process per engine
# (B, then B2 with them still open), and without again after they closed (A'), so a drift of the
# machine shows. Each process gets
# the hard descriptor limit as its soft one; a stream is a socket at both ends, so on a machine whose
# hard limit is 20 000 (this one) 20 000 streams need two engines and two stream holders.
#   loadtest/run-gebeurtenissen.sh                       # 20 000 streams, 5 000 req/s, 60 s each
#   STROMEN=2000 RATE=2000 MIX_SECONDS=20 BERICHTEN=200000 BURGERS=20000 loadtest/run-gebeurtenissen.sh
#   STROMEN_APART=1 loadtest/run-gebeurtenissen.sh       # the streams on engines 2 and 3, the mix on 1
# Each phase also records the CPU the processes used (cpu-<phase>.json: the engines, their
# PostgreSQL, the stream holders, and the rest of the machine, the generator's share, in CPU
# seconds per second; also at rest, and with the streams alone), so a slower B shows whose work it
# was. ENGINE_CPUS / GENERATOR_CPUS pin the
# engines with PostgreSQL, and the generator with the stream holders, apart (taskset lists);
# STROMEN_CPUS pins engines 2..ENGINES (with STROMEN_APART=1: those that hold the streams).
# Each mix result has its latency per second (perSecond), each cpu-<phase>.json its wall-clock from/to
# and every engine's collections; vmstat.log (the machine each second) and pg-wachten.log (what
# PostgreSQL's active sessions waited on each second; a second without a line had none active) cover
# the whole run, so a stall can be placed.
# Results: loadtest/results/gebeurtenissen-<label>/ (zonder.json, met.json, zonder-na.json,
# stromen-<engine>.json, cpu-*.json, vmstat.log, pg-wachten.log, summary.json).
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
# STROMEN_APART=1: the streams are held by engines 2..ENGINES only, so the engine that answers the
# mix holds none (a balancer sending /gebeurtenissen to processes of their own; docs/operations.md)
apart="${STROMEN_APART:-0}"
eerste=1
[ "$apart" = 1 ] && eerste=2
engines="${ENGINES:-$(( eerste + 1 ))}"
ulimit -n "$(ulimit -Hn)"
per=$(( stromen / (engines - eerste + 1) ))
if [ $(( per + 2000 )) -gt "$(ulimit -n)" ]; then
  echo "$per streams per engine need more than the descriptor limit $(ulimit -n): raise ENGINES" >&2
  exit 2
fi
./mvnw -q -B -DskipTests -pl api,loadtest -am package
engine_cpus=()
generator_cpus=()
[ -n "${ENGINE_CPUS:-}" ] && engine_cpus=(taskset -c "$ENGINE_CPUS")
[ -n "${GENERATOR_CPUS:-}" ] && generator_cpus=(taskset -c "$GENERATOR_CPUS")
. "$root/loadtest/cpu.sh" # hz, _ticks, _pg
# "engines postgresql holders machine": CPU ticks so far of each group and of the whole machine
# (busy: all but idle and iowait)
snapshot() {
  local e=0 h=0 p
  for p in "${pids[@]}"; do _ticks "$p" 1; e=$((e + _t)); done
  _pg
  for p in ${stromers[@]+"${stromers[@]}"}; do _ticks "$p" 1; h=$((h + _t)); done
  echo "$e $_p $h $(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)"
}
# a metric without labels summed over the engines' /metrics
over_engines() {
  local e t=0
  for e in $(seq 1 "$engines"); do
    t=$((t + $(curl -s "localhost:$((port + e - 1))/metrics" | awk -v m="$1" '$1 == m { printf "%d", $2 }')))
  done
  echo "$t"
}
# runs "$@" (one phase's generator) and writes to $1's file the CPU each group used meanwhile and,
# from the engines' /metrics before and after, how late the first one's event loops ran (the 100 ms
# tick: a loop busy or blocked delays every request on it) and each one's collections' pauses
phase() {
  local file="$1" t0 t1 van tot e
  shift
  for e in $(seq 1 "$engines"); do
    curl -s "localhost:$((port + e - 1))/metrics" > "$file.voor-$e.prom" || true
  done
  van=$(snapshot)
  t0=$(date +%s.%N)
  "$@"
  tot=$(snapshot)
  t1=$(date +%s.%N)
  for e in $(seq 1 "$engines"); do
    curl -s "localhost:$((port + e - 1))/metrics" > "$file.na-$e.prom" || true
  done
  python3 - "$file" "$hz" "$t0" "$t1" "$engines" $van $tot <<'PY'
import json, re, sys
f, hz, t0, t1 = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
engines = int(sys.argv[5])
a = [int(x) for x in sys.argv[6:10]]
b = [int(x) for x in sys.argv[10:14]]
s = t1 - t0
d = [(y - x) / hz / s for x, y in zip(a, b)]
def lees(p):
    m = {}
    for l in open(p):
        r = re.match(r'^(\w+)(\{[^}]*\})? ([-+0-9.eEInf]+)$', l.strip())
        if r:
            m[(r.group(1), r.group(2) or "")] = m.get((r.group(1), r.group(2) or ""), 0) + float(r.group(3))
    return m
uit = {"from": round(t0, 1), "to": round(t1, 1), "seconds": round(s, 1), "enginesCpu": round(d[0], 3), "postgresqlCpu": round(d[1], 3),
       "holdersCpu": round(d[2], 3), "machineCpu": round(d[3], 3),
       "restCpu": round(d[3] - d[0] - d[1] - d[2], 3)}
try:
    v, n = lees(f + ".voor-1.prom"), lees(f + ".na-1.prom")
    # the loop-delay histogram over the phase: cumulative bucket counts by their upper bound
    emmers = {}
    for (naam, lab), x in n.items():
        if naam == "berichtenbox_event_loop_vertraging_seconds_bucket":
            le = re.search(r'le="([^"]+)"', lab).group(1)
            emmers[float(le)] = emmers.get(float(le), 0) + x - v.get((naam, lab), 0)
    tot = max(emmers.values()) if emmers else 0
    def q(p):
        for le in sorted(emmers):
            if emmers[le] >= p * tot:
                return le
    uit["engine1LoopTicks"] = int(tot)
    uit["engine1LoopDelayP99Ms"] = round(1000 * q(0.99), 2) if tot else None
    uit["engine1LoopDelayP999Ms"] = round(1000 * q(0.999), 2) if tot else None
    gc = lambda m, k: sum(x for (naam, _), x in m.items() if naam == "jvm_gc_pause_seconds_" + k)
    # every engine's collections, so a stall on the portal engine can be told from one elsewhere
    per = {}
    for e in range(1, engines + 1):
        ve, ne = (v, n) if e == 1 else (lees(f"{f}.voor-{e}.prom"), lees(f"{f}.na-{e}.prom"))
        per[str(e)] = {"pauses": int(gc(ne, "count") - gc(ve, "count")),
                       "pauseSeconds": round(gc(ne, "sum") - gc(ve, "sum"), 3)}
    uit["gcPerEngine"] = per
    # the portal engine's under the names the results before gcPerEngine have (voorpagina reads them)
    uit["engine1GcPauses"] = per["1"]["pauses"]
    uit["engine1GcPauseSeconds"] = per["1"]["pauseSeconds"]
except Exception as e:
    uit["metricsError"] = str(e)
json.dump(uit, open(f, "w"), indent=1)
PY
}
data="${DATA_DIR:-$(mktemp -d)}"
port="${PORT:-18082}"
jwt="load-jwt-secret-0123456789abcdef0123456789"
if [ ! -d "$data/pg" ]; then
  BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten="${BERICHTEN:-1000000}" \
    --burgers="$burgers" --afnemers=400 2>&1 | grep -v '^\[\|^{' > "$out/seed.log"
fi
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" \
  ${engine_cpus[@]+"${engine_cpus[@]}"} bin/berichtenbox serve > "$out/engine-1.log" 2>&1 &
pids=($!)
stromers=()
samplers=()
trap 'for p in ${samplers[@]+"${samplers[@]}"} ${stromers[@]+"${stromers[@]}"}; do kill $p 2>/dev/null; done; for p in "${pids[@]}"; do kill -TERM $p 2>/dev/null; done; wait 2>/dev/null; [ -z "${DATA_DIR:-}" ] && rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
pgport=$(sed -n 4p "$data/pg/postmaster.pid")
# the machine each second (run queue, CPU with steal) and what PostgreSQL's active sessions wait on
# (CPU when on none): a stall in a phase's per-second series (perSecond, by the phase's from/to) can
# be laid beside both
. "$root/loadtest/bemonster.sh"
bemonster "$out" "$pgport"
for e in $(seq 2 "$engines"); do
  mkdir -p "$data/engine-$e"
  cpus=(${engine_cpus[@]+"${engine_cpus[@]}"})
  [ "$e" -ge "$eerste" ] && [ -n "${STROMEN_CPUS:-}" ] && cpus=(taskset -c "$STROMEN_CPUS")
  BERICHTENBOX_DATA_DIR="$data/engine-$e" BERICHTENBOX_HTTP_PORT=$((port + e - 1)) \
    BERICHTENBOX_DB_URL="postgresql://postgres@127.0.0.1:$pgport/postgres" \
    BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" ${cpus[@]+"${cpus[@]}"} bin/berichtenbox serve \
    > "$out/engine-$e.log" 2>&1 &
  pids+=($!)
  for i in $(seq 1 120); do curl -sf "localhost:$((port + e - 1))/health/ready" >/dev/null && break; sleep 1; done
done
lt() { ${generator_cpus[@]+"${generator_cpus[@]}"} java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad \
  --url="http://localhost:$port" --jwt="$jwt" --burgers="$burgers" "$@"; }
date -u +%Y-%m-%dT%H:%MZ > "$out/tijd"
echo "${ENGINE_CPUS:-} ${GENERATOR_CPUS:-} ${STROMEN_CPUS:-}" > "$out/pinning"
echo "${BERICHTENBOX_JAVA_OPTS:-(the bin/berichtenbox default)}" > "$out/jvm"
git rev-parse --short HEAD > "$out/commit"
echo "== warm-up at 2000/s for ${WARMUP_SECONDS:-30}s (not recorded)"
lt --rate=2000 --seconds="${WARMUP_SECONDS:-30}" > /dev/null
echo "== A: the mix at $rate/s for ${secs}s, no streams"
phase "$out/cpu-zonder.json" lt --rate="$rate" --seconds="$secs" --out="$out/zonder.json" > /dev/null
# the engines at rest, no streams, no mix: their background work, the baseline of the streams' cost
phase "$out/cpu-rust.json" sleep 30
echo "== opening $stromen streams, $per on each of engines $eerste to $engines"
rm -f "$out/stop" "$out"/gereed-*
echo "$eerste $engines" > "$out/houders"
for e in $(seq "$eerste" "$engines"); do
  # each holder its own citizens: the e-th block of the seeded BSNs
  ${generator_cpus[@]+"${generator_cpus[@]}"} java -Xmx1g -cp loadtest/target/loadtest.jar \
    nl.berichtenbox.loadtest.GebeurtenissenLoad \
    --url="http://localhost:$((port + e - 1))" --jwt="$jwt" --burgers="$burgers" --stromen="$per" \
    --vanaf=$(( (e - eerste) * per )) --rate="${OPEN_RATE:-500}" --seconds=3600 --tot="$out/stop" \
    --gereed="$out/gereed-$e" --out="$out/stromen-$e.json" > "$out/stromen-$e.log" 2>&1 &
  stromers+=($!)
done
for e in $(seq "$eerste" "$engines"); do
  for i in $(seq 1 300); do [ -f "$out/gereed-$e" ] && break; sleep 1; done
done
echo "   $(cat "$out"/gereed-* | awk "{ s += \$1 } END { print s }") streams open"
# each stream's first read (its unread count) waits its turn, two at a time per engine: until the
# engines' events written stop rising, the openings are still under way
vorige=-1
for i in $(seq 1 300); do
  nu=$(over_engines berichtenbox_gebeurtenissen_verstuurd_total)
  [ "$nu" = "$vorige" ] && break
  vorige=$nu
  sleep 3
done
echo "   every stream's first events written ($nu)"
# the streams alone, no mix: what holding them costs each side
phase "$out/cpu-stromen.json" sleep 30
echo "== B: the mix at $rate/s for ${secs}s, with the streams open"
phase "$out/cpu-met.json" lt --rate="$rate" --seconds="$secs" --out="$out/met.json" > /dev/null
# B again, the streams still open: the first young collections after the openings promote the
# streams' objects once (a pause each); this one shows holding them once they are old
echo "== B2: the mix at $rate/s for ${secs}s, the streams still open"
phase "$out/cpu-met-2.json" lt --rate="$rate" --seconds="$secs" --out="$out/met-2.json" > /dev/null
touch "$out/stop"; for p in "${stromers[@]}"; do wait $p || true; done; stromers=()
# the engines record each closed stream (a statement each): A' starts once they are done
for i in $(seq 1 120); do
  [ "$(over_engines berichtenbox_gebeurtenisstromen_open)" -eq 0 ] && break
  sleep 1
done
sleep 5
echo "== A': the mix at $rate/s for ${secs}s, the streams closed"
phase "$out/cpu-zonder-na.json" lt --rate="$rate" --seconds="$secs" --out="$out/zonder-na.json" \
  > /dev/null
python3 - "$out" "$stromen" "$rate" <<'PY'
import glob, json, sys
out, stromen, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fase = {k: json.load(open(f"{out}/{k}.json")) for k in ("zonder", "met", "met-2", "zonder-na")}
houders = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/stromen-*.json"))]
answers = {}
for h in houders:
    for k, v in h["answers"].items():
        answers[k] = answers.get(k, 0) + v
eerste, laatste = map(int, open(f"{out}/houders").read().split())
summary = {"streams": stromen, "engines": laatste, "streamEngines": len(houders),
           "mixEngineHoldsStreams": eerste == 1, "open": sum(h["open"] for h in houders),
           "answers": answers, "endedWhileHeld": sum(h["endedWhileHeld"] for h in houders),
           "comments": sum(h["comments"] for h in houders), "rate": rate,
           "p99.9": {k: v["latencyMs"]["p99.9"] for k, v in fase.items()},
           "p99": {k: v["latencyMs"]["p99"] for k, v in fase.items()},
           "statuses": {k: v["statuses"] for k, v in fase.items()},
           "cpu": {k: json.load(open(f"{out}/cpu-{k}.json"))
                   for k in ("zonder", "rust", "stromen", "met", "met-2", "zonder-na")}}
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
print(json.dumps(summary, indent=1))
PY
kill ${samplers[@]+"${samplers[@]}"} 2>/dev/null || true
samplers=()
# each phase second by second beside the machine's (seconden.md, seconden.json)
python3 "$root/loadtest/seconden.py" "$out"
echo "== results in $out"
