#!/usr/bin/env bash
# Notifications into SMTP (issue 6): the load tool runs an SMTP server; the engine, on a fresh
# embedded database, sends to it.
#   1. doorvoer: 30 000 e-mails with the limits raised: e-mails per second into SMTP.
#   SCENARIOS="doorvoer" (or "throttle") runs one; CITIZENS, VERBINDINGEN, THROTTLE_SECONDS tune them.
#   2. throttle: 20 000 queued at the norm (125 000 an hour) for 300 s: the measured pace
#      against 34.72 a second, and the first second (the bucket's minute, 2 083).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
port="${PORT:-18084}"
smtp="${SMTP_PORT:-2525}"
admin="load-admin-token-0123456789"
jwt="load-jwt-secret-0123456789abcdef0123456789"
out="$root/loadtest/results"
mkdir -p "$out"
run() { # scenario, extra engine environment..., then -- and load tool flags
  local scenario="$1"; shift
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  local data; data="$(mktemp -d)"
  java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.NotificatieLoad --url="http://localhost:$port" \
    --admin="$admin" --jwt="$jwt" --smtp-port="$smtp" --scenario="$scenario" "$@" --out="$out/notificaties-$scenario.json" &
  local tool=$!
  sleep 2
  env "${envs[@]}" BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_ADMIN_TOKEN="$admin" \
    BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" BERICHTENBOX_SMTP_URL="smtp://127.0.0.1:$smtp" \
    bin/berichtenbox serve > "$out/engine-notificaties-$scenario.log" 2>&1 &
  local engine=$!
  wait $tool || { kill -TERM $engine; wait $engine 2>/dev/null; rm -rf "$data"; return 1; }
  kill -TERM $engine; wait $engine 2>/dev/null || true
  rm -rf "$data"
}
scenarios="${SCENARIOS:-doorvoer throttle}"
if [[ " $scenarios " == *" doorvoer "* ]]; then
echo "== doorvoer: ${CITIZENS:-30000} e-mails, limits raised"
run doorvoer BERICHTENBOX_NOTIFICATIES_PER_UUR=100000000 BERICHTENBOX_NOTIFICATIES_PER_DAG=1000000000 \
  BERICHTENBOX_SMTP_CONNECTIONS="${VERBINDINGEN:-8}" -- --citizens="${CITIZENS:-30000}"
fi
if [[ " $scenarios " == *" throttle "* ]]; then
echo "== throttle: 125 000 an hour for ${THROTTLE_SECONDS:-300} s"
run throttle BERICHTENBOX_NOTIFICATIES_PER_UUR=125000 -- --citizens=20000 --per-uur=125000 --seconds="${THROTTLE_SECONDS:-300}"
fi
