#!/usr/bin/env bash
# The script as run for the repeated runs of 2026-11-29 21:40-22:33 (docs/performance.md, "The
# regression withdrawn"), kept as a record: its paths are that machine's (/work/run2 a clone,
# /work/seed a store seeded once by `bin/berichtenbox seed` and stopped). cpusampler.py ran beside
# it; cpuwin.py cuts the measured windows out of its output (herhaald-cpu.txt).
# usage: bisect.sh LABEL COMMIT [patchfile]   (extra env passes through to the engine)
set -uo pipefail
label=$1; commit=$2; patch=${3:-}
res=/work/bisect-results/$label; mkdir -p "$res"
cd /work/run2 && git checkout -q -f "$commit" && git clean -qfd -e loadtest/results
[ -n "$patch" ] && git apply "$patch"
rm -rf /work/data-run && cp -a /work/seed /work/data-run && sync
ps aux | grep "[j]ava" | awk '{print $2}' | xargs -r kill -9
BERICHTENBOX_JAVA_OPTS="-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseParallelGC -Xlog:gc:file=$res/engine-gc.log" \
  DATA_DIR=/work/data-run RATES=2000 SECONDS_PER_RATE=60 WARMUP_SECONDS=120 loadtest/run-presentatie.sh > "$res/out.txt" 2>&1
cp loadtest/results/presentatie-2000.json loadtest/results/engine-presentatie.log "$res/" 2>/dev/null
echo "$label $commit $(date -u +%H:%M) $(python3 -c "import json;d=json.load(open('$res/presentatie-2000.json'));l=d['latencyMs'];print('p99',l.get('p99'),'p99.9',l.get('p999',l.get('p99.9')))" 2>&1)" >> /work/bisect-results/summary.txt
