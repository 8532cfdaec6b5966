#!/usr/bin/env bash
# presentation-only A/B of the engine in /tmp/exp with JVM flags per variant; one seeded store
set -euo pipefail
cd /tmp/exp
./mvnw -q -B -o -DskipTests -pl api,loadtest -am package
data=$(mktemp -d)
BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten=200000 --burgers=20000 --afnemers=400 > /dev/null 2>&1
jwt="load-jwt-secret-0123456789abcdef0123456789"
hz=$(getconf CLK_TCK)
for v in "$@"; do
  naam="${v%%=*}"; flags="${v#*=}"
  BERICHTENBOX_JAVA_OPTS="-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseParallelGC $flags" BERICHTENBOX_DATA_DIR="$data" \
    BERICHTENBOX_HTTP_PORT=18098 BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" bin/berichtenbox serve > /tmp/exp-$naam.log 2>&1 &
  e=$!
  for i in $(seq 1 60); do curl -sf localhost:18098/health/ready >/dev/null && break; sleep 1; done
  pid=$(pgrep -f "berichtenbox.jar serve" | head -1)
  lt() { java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad --url=http://localhost:18098 --jwt="$jwt" --burgers=20000 "$@"; }
  lt --rate=2000 --seconds=30 > /dev/null
  t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  lt --rate=3000 --seconds=60 --out=/tmp/exp-$naam.json > /dev/null
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  echo "$naam: engine CPU $(( (t1 - t0) )) ticks = $(awk -v t=$((t1-t0)) -v hz=$hz 'BEGIN{printf "%.4f", t/hz*1000/(3000*70+4000)}') ms/request"
  kill -TERM $e; wait $e || true
done
rm -rf "$data"
