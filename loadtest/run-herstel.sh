#!/usr/bin/env bash
# The restore drill at size (issue 8, RTO): seeds a fresh embedded store (1 000 000 messages by
# default), backs it up, destroys the database, restores it, and reports the times and counts.
#   loadtest/run-herstel.sh            BERICHTEN=100000 loadtest/run-herstel.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api -am package
data="$(mktemp -d)"
backups="$(mktemp -d)"
trap 'rm -rf "$data" "$backups"' EXIT
out="$root/loadtest/results"
mkdir -p "$out"
echo "== seeding ${BERICHTEN:-1000000} messages"
BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten="${BERICHTEN:-1000000}" --burgers="${BURGERS:-100000}" \
  --afnemers=400 2>&1 | grep -v '^\[\|^{' | tail -1
echo "== backup"
t0=$(date +%s.%N)
BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox backup --naar="$backups" 2>&1 | grep -v '^\[\|INFO' | tee "$out/herstel-backup.log"
t1=$(date +%s.%N)
echo "== the database destroyed"
rm -rf "$data/pg"
echo "== restore"
BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox restore "$backups"/berichtenbox-* 2>&1 | grep -v '^\[\|INFO' \
  | tee "$out/herstel-restore.log"
t2=$(date +%s.%N)
printf '{"berichten": %s, "backupSeconden": %.1f, "herstelSeconden": %.1f, "backupMB": %s}\n' "${BERICHTEN:-1000000}" \
  "$(awk "BEGIN{print $t1 - $t0}")" "$(awk "BEGIN{print $t2 - $t1}")" "$(du -sm "$backups" | cut -f1)" | tee "$out/herstel.json"
