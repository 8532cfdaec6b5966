#!/usr/bin/env bash
# quick experiment: one engine, N streams, heap histogram and GC log
set -u
cd /work/main
ulimit -n 20000
N=${N:-8000}
jwt="load-jwt-secret-0123456789abcdef0123456789"
out=/tmp/exp/$1; mkdir -p $out; rm -f $out/*
BERICHTENBOX_JAVA_OPTS="${OPTS:--Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseParallelGC} -Xlog:gc*,gc+phases=debug:file=$out/gc.log" \
BERICHTENBOX_DATA_DIR=/tmp/gx BERICHTENBOX_HTTP_PORT=18082 BERICHTENBOX_PORTAL_JWT_SECRET="$jwt" bin/berichtenbox serve > $out/engine.log 2>&1 &
ep=$!
for i in $(seq 1 120); do curl -sf localhost:18082/health/ready >/dev/null && break; sleep 1; done
lt() { java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.PresentatieLoad --url=http://localhost:18082 --jwt="$jwt" --burgers=20000 "$@"; }
lt --rate=2000 --seconds=30 > /dev/null
jpid=$(pgrep -f "berichtenbox.jar serve" | head -1)
[ -n "${HISTO:-}" ] && jmap -histo:live $jpid > $out/histo-0.txt
java -Xmx1g -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.GebeurtenissenLoad --url=http://localhost:18082 --jwt="$jwt" --burgers=20000 --stromen=$N --vanaf=0 --rate=500 --seconds=3600 --tot=$out/stop --gereed=$out/gereed --out=$out/stromen.json > $out/stromen.log 2>&1 &
hp=$!
for i in $(seq 1 300); do [ -f $out/gereed ] && break; sleep 1; done
sleep 20
[ -n "${HISTO:-}" ] && jmap -histo:live $jpid > $out/histo-1.txt
lt --rate=2000 --seconds=40 --out=$out/met.json > /dev/null
lt --rate=2000 --seconds=40 --out=$out/met2.json > /dev/null
touch $out/stop; wait $hp
sleep 10
lt --rate=2000 --seconds=40 --out=$out/zonder.json > /dev/null
kill -TERM $ep; wait $ep
