#!/usr/bin/env bash
# TLS cost (issue 4): the engine with the OpenSSL engine, then with the JDK engine, each measured
# with new connections per request (a handshake each) and with kept-alive connections.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
work="$(mktemp -d)"
out="$root/loadtest/results"
mkdir -p "$out"
port="${PORT:-18443}"
(cd "$work" && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=bench CA" \
  && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" \
  && printf "subjectAltName=DNS:localhost,IP:127.0.0.1\n" > server.ext \
  && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 \
       -extfile server.ext) > /dev/null 2>&1
trap 'pkill -f "berichtenbox.jar serve" || true; rm -rf "$work"' EXIT
for engine in openssl jdk; do
  BERICHTENBOX_DATA_DIR="$work/data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_TLS_CERT="$work/server.crt" \
    BERICHTENBOX_TLS_KEY="$work/server.key" BERICHTENBOX_TLS_ENGINE="$engine" \
    bin/berichtenbox serve > "$out/engine-tls-$engine.log" 2>&1 &
  pid=$!
  for i in $(seq 1 120); do curl -sfk "https://localhost:$port/health/ready" >/dev/null && break; sleep 1; done
  grep "TLS " "$out/engine-tls-$engine.log" || true
  for mode in handshake keepalive; do
    echo "== $engine, $mode"
    java -Xmx512m -cp loadtest/target/loadtest.jar nl.berichtenbox.loadtest.TlsLoad --url="https://localhost:$port" \
      --ca="$work/ca.crt" --mode="$mode" --seconds="${SECONDS_PER_RUN:-20}" --concurrency=16 \
      --out="$out/tls-$engine-$mode.json" | grep -E '"perSecond"|"p99"|"failed"'
  done
  kill -TERM "$pid"; wait "$pid" || true
done
