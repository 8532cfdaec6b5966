#!/usr/bin/env bash
set -euo pipefail
cd /tmp/exp
data=$(mktemp -d)
BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten=200000 --burgers=20000 --afnemers=400 > /dev/null 2>&1
jwt="load-jwt-secret-0123456789abcdef0123456789"
hz=$(getconf CLK_TCK)
for naam in logback simple logback2 simple2; do
  rm -rf api/target/lib && cp -r /tmp/exp-lib-logback api/target/lib
  if [[ $naam == simple* ]]; then
    cp ~/.m2/repository/org/slf4j/slf4j-simple/2.0.17/slf4j-simple-2.0.17.jar api/target/lib/logback-classic-1.5.38.jar
  fi
  BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT=18098 BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" bin/berichtenbox serve > /tmp/exp-$naam.log 2>&1 &
  e=$!
  for i in $(seq 1 60); do curl -sf localhost:18098/health/ready >/dev/null && break; sleep 1; done
  pid=$(pgrep -f "berichtenbox.jar serve" | head -1)
  lt() { java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad --url=http://localhost:18098 --jwt="$jwt" --burgers=20000 "$@"; }
  lt --rate=2000 --seconds=30 > /dev/null
  t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  lt --rate=3000 --seconds=60 --out=/tmp/exp-$naam.json > /dev/null
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  echo "$naam: $(awk -v t=$((t1-t0)) -v hz=$hz 'BEGIN{printf "%.4f", t/hz*1000/(3000*70+4000)}') ms/request"
  kill -TERM $e; wait $e || true
done
rm -rf api/target/lib && cp -r /tmp/exp-lib-logback api/target/lib
rm -rf "$data"
