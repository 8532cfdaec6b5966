#!/usr/bin/env bash
# A short look at the presentation mix second by second (issue 21): one engine on a seeded store
# (1 000 000 messages, 100 000 citizens), 20 s of warm-up at 2 000/s, then RATE for 20 s with
# vmstat, what PostgreSQL's sessions wait on, the engine's collections and pg_stat_statements (with
# planning) recorded beside it. Writes loadtest/results/presentatie-kort-<label>/.
#   LABEL=x RATE=3000 loadtest/run-presentatie-kort.sh
#   DATA=/tmp/pp loadtest/run-presentatie-kort.sh    # a store seeded before (kept; seeded if absent)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
label="${LABEL:-$(git rev-parse --short HEAD)}"
out="$root/loadtest/results/presentatie-kort-$label"
mkdir -p "$out"
data="${DATA:-$(mktemp -d)}"
port="${PORT:-18095}"
jwt="load-jwt-secret-0123456789abcdef0123456789"
rate="${RATE:-3000}"
echo "$(git rev-parse --short HEAD) $(date -u +%Y-%m-%dT%H:%MZ)" > "$out/commit"
if [ ! -d "$data/pg" ]; then
  BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten="${BERICHTEN:-1000000}" \
    --burgers=100000 --afnemers=400 > "$out/seed.log" 2>&1
fi
BERICHTENBOX_JAVA_OPTS="-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseParallelGC -Xlog:gc:file=$out/engine-gc.log:uptime,time" \
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" \
  BERICHTENBOX_ADMIN_TOKEN=load-admin-token-0123456789 bin/berichtenbox serve > "$out/engine.log" 2>&1 &
engine=$!
trap 'kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; [ -n "${DATA:-}" ] || rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
psql=(psql -h 127.0.0.1 -p "$(sed -n 4p "$data/pg/postmaster.pid")" -U postgres -d postgres -At)
load() { java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad \
  --url="http://localhost:$port" --jwt="$jwt" "$@"; }
load --rate=2000 --seconds=20 > /dev/null
"${psql[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
  -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" -c "SELECT pg_reload_conf()" \
  -c "SELECT pg_stat_statements_reset()" > /dev/null
samplers=()
. "$root/loadtest/bemonster.sh"
bemonster "$out" "$(sed -n 4p "$data/pg/postmaster.pid")"
load --rate="$rate" --seconds=20 --out="$out/presentatie.json" > /dev/null
kill "${samplers[@]}" 2>/dev/null || true
"${psql[@]}" -F ' | ' -c "SELECT calls, plans, round(total_exec_time::numeric, 1) AS exec_ms,
  round(max_exec_time::numeric, 1) AS max_ms, round(total_plan_time::numeric, 1) AS plan_ms,
  left(regexp_replace(query, '\s+', ' ', 'g'), 120)
  FROM pg_stat_statements ORDER BY max_exec_time DESC LIMIT 15" > "$out/statements.txt"
"${psql[@]}" -c "ALTER SYSTEM RESET pg_stat_statements.track_planning" -c "SELECT pg_reload_conf()" > /dev/null
python3 -c "
import json, sys
d = json.load(open('$out/presentatie.json'))
print('p99.9 %s ms, p99 %s ms; p99 per second: %s' % (d['latencyMs']['p99.9'], d['latencyMs']['p99'],
      ' '.join(str(round(s['p99Ms'])) for s in d['perSecond'])))" | tee "$out/samenvatting.txt"
