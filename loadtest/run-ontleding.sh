#!/usr/bin/env bash
# Where one message's cost goes (issue 21): REST intake of single 2 KB messages at a fixed rate on a
# seeded store, until every one is processed (receipt written); per message the CPU of the engine,
# its PostgreSQL and the load generator, and the write-ahead log by record type and by table or
# index (pg_walinspect). Then the same for PostgreSQL alone inserting the same rows (the Limiet
# scenario's inserts: 1 000 per statement, 2 connections, the bericht table's indexes).
#   loadtest/run-ontleding.sh                         # writes loadtest/results/ontleding-<label>/
#   LABEL=voor RATE=4000 SECONDS_AT_RATE=20 loadtest/run-ontleding.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
label="${LABEL:-$(git rev-parse --short HEAD)}"
data="$(mktemp -d)"
port="${PORT:-18083}"
admin="load-admin-token-0123456789"
jwt="load-jwt-secret-0123456789abcdef0123456789"
burgers="${BURGERS:-20000}"
rate="${RATE:-4000}"
secs="${SECONDS_AT_RATE:-20}"
out="$root/loadtest/results/ontleding-$label"
mkdir -p "$out"
echo "$(git rev-parse --short HEAD) $(date -u +%Y-%m-%dT%H:%MZ)" > "$out/commit"
BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten="${BERICHTEN:-200000}" \
  --burgers="$burgers" --afnemers=400 > "$out/seed.log" 2>&1
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" \
  BERICHTENBOX_ADMIN_TOKEN="$admin" bin/berichtenbox serve > "$out/engine.log" 2>&1 &
engine=$!
trap 'kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
pgurl="jdbc:postgresql://127.0.0.1:$(sed -n 4p "$data/pg/postmaster.pid")/postgres"
. "$root/loadtest/cpu.sh"
cp=loadtest/target/loadtest.jar
ontleding() { java -cp "$cp" nl.berichtenbox.loadtest.Ontleding "$@"; }
# runs a command and writes the CPU seconds it used to $out/generator-cpu (a shell's `times`, second
# line: its children's user and system time, e.g. "0m12.340s 0m1.200s")
gemeten() {
  # not `times | tail`: a pipeline runs `times` in a subshell of its own, which has no children
  bash -c '"$@" > /dev/null; s=$?; times > "'"$out"'/generator-cpu"; exit $s' _ "$@"
  tail -1 "$out/generator-cpu" | awk '{ split($1, u, "m"); split($2, s, "m"); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' \
    > "$out/generator-cpu.tmp" && mv "$out/generator-cpu.tmp" "$out/generator-cpu"
}

echo "== warm-up: intake at 2000/s for ${WARMUP_SECONDS:-30} s (not recorded)"
java -Xmx1g -jar "$cp" --url="http://localhost:$port" --admin="$admin" --jwt="$jwt" \
  --rate=2000 --seconds="${WARMUP_SECONDS:-30}" --citizens="${CITIZENS:-200}" > "$out/warmup.json"

# the server log's files and their sizes now: what is written after is the window's
logstand() { for f in "$data"/pg/log/postgresql-*.log; do if [ -f "$f" ]; then echo "$f $(stat -c %s "$f")"; fi; done; }
# the window's lines of the server log (a file begun since is read whole)
logsinds() {
  for f in "$data"/pg/log/postgresql-*.log; do
    [ -f "$f" ] || continue
    n=$(awk -v f="$f" '$1 == f { print $2 }' <<< "$1")
    tail -c +"$(( ${n:-0} + 1 ))" "$f"
  done
}

echo "== intake at $rate/s for ${secs} s, then until all is processed"
ontleding begin "$pgurl" bericht "$out/staat.json"
log0="$(logstand)"
read -r e0 p0 < <(cpu)
gemeten java -Xmx1g -jar "$cp" --url="http://localhost:$port" --admin="$admin" --jwt="$jwt" \
  --rate="$rate" --seconds="$secs" --citizens="${CITIZENS:-200}" --out="$out/intake.json"
ontleding eind "$pgurl" "$out/staat.json" "$out/wal-engine.json"
read -r e1 p1 < <(cpu)
logsinds "$log0" > "$out/pg-log-engine.txt"
awk -v e=$((e1 - e0)) -v p=$((p1 - p0)) -v g="$(cat "$out/generator-cpu")" -v hz="$hz" 'BEGIN {
  printf "{\"engineCpuSeconds\": %.2f, \"postgresCpuSeconds\": %.2f, \"generatorCpuSeconds\": %.2f}\n", e / hz, p / hz, g }' \
  > "$out/cpu-engine.json"
rm -f "$out/generator-cpu"

echo "== PostgreSQL alone: the same rows, 1 000 per statement, for ${secs} s"
ontleding begin "$pgurl" limiet_bericht "$out/staat.json"
read -r e0 p0 < <(cpu)
java -Xmx1g -cp "$cp" nl.berichtenbox.loadtest.gatling.Limiet "$pgurl" "$secs" "$burgers" "$out" --alleen-invoegen \
  > "$out/limiet.log" 2>&1
ontleding eind "$pgurl" "$out/staat.json" "$out/wal-limiet.json"
read -r e1 p1 < <(cpu)
awk -v p=$((p1 - p0)) -v hz="$hz" 'BEGIN { printf "{\"postgresCpuSeconds\": %.2f}\n", p / hz }' > "$out/cpu-limiet.json"
rm -f "$out/staat.json"
python3 "$root/loadtest/ontleding.py" "$out" | tee "$out/ontleding.md"
