#!/usr/bin/env bash
# Kafka intake (issue 5): the engine with its embedded KRaft broker on a fresh store; messages
# produced at 2 000/s (production-to-delivery lag), then 200 000 as fast as the producer goes
# (messages stored per second).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
data="$(mktemp -d)"
port="${PORT:-18083}"
admin="load-admin-token-0123456789"
jwt="load-jwt-secret-0123456789abcdef0123456789"
out="$root/loadtest/results"
mkdir -p "$out"
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_ADMIN_TOKEN="$admin" \
  BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" bin/berichtenbox serve --kafka-bootstrap=embedded > "$out/engine-kafka.log" 2>&1 &
engine=$!
trap 'kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
bootstrap=$(grep -oE 'Kafka +127\.0\.0\.1:[0-9]+' "$out/engine-kafka.log" | awk '{print $2}')
lt() { java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.KafkaLoad --url="http://localhost:$port" \
  --admin="$admin" --jwt="$jwt" --bootstrap="$bootstrap" "$@"; }
echo "== warm-up (not recorded)"; lt --count=40000 --rate=2000 > /dev/null
echo "== 2000/s for 30 s"; lt --count=60000 --rate=2000 --out="$out/kafka-2000.json"
echo "== 200 000 as fast as possible"; lt --count=200000 --rate=0 --out="$out/kafka-burst.json"
