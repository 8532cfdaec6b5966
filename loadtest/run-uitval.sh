#!/usr/bin/env bash
# The fault drills at length (issue 19): the same tests CI runs, with longer phases and more
# senders, their measurements kept in docs/results/uitval-<date>/.
#   - PostgresFailoverIT: a primary and a synchronous standby (Debian's PostgreSQL), intake
#     without and with the synchronous standby (ROUND_S seconds each, twice), the primary
#     SIGKILLed, the standby promoted OUTAGE_S later, AFTER_S more of load
#   - SynchroneStandbyIT: the synchronous standby away for STANDBY_AWAY_S under load
#   - KafkaClusterIT: three Kafka nodes, one lost, the controller lost, two lost
#   - MeerdereEnginesIT: three engines, the rate limit shared, a rolling restart
# Needs Debian's postgresql (apt-get install postgresql) or BERICHTENBOX_PG_BIN.
#   loadtest/run-uitval.sh                          # ROUND_S=30 OUTAGE_S=10 AFTER_S=30 SENDERS=48
#   TESTS=PostgresFailoverIT loadtest/run-uitval.sh   # one drill
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
round_ms=$(( ${ROUND_S:-30} * 1000 ))
outage_ms=$(( ${OUTAGE_S:-10} * 1000 ))
after_ms=$(( ${AFTER_S:-30} * 1000 ))
away_ms=$(( ${STANDBY_AWAY_S:-30} * 1000 ))
out="$root/docs/results/uitval-$(date -u +%Y%m%d-%H%M)"
mkdir -p "$out"
BERICHTENBOX_EXTERN_TEST=verplicht ./mvnw -B -q install -DskipTests
BERICHTENBOX_EXTERN_TEST=verplicht ./mvnw -B verify -pl api \
  -Dit.test="${TESTS:-PostgresFailoverIT,SynchroneStandbyIT,KafkaClusterIT,MeerdereEnginesIT}" \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dberichtenbox.drill.rondeMs="$round_ms" -Dberichtenbox.drill.uitvalMs="$outage_ms" \
  -Dberichtenbox.drill.naMs="$after_ms" -Dberichtenbox.drill.zenders="${SENDERS:-48}" \
  -Dberichtenbox.drill.standbyWegMs="$away_ms" | tee "$out/mvn.log" | grep -E 'Tests run|FAIL|ERROR' || true
for f in failover-meting standby-weg-meting kafka-cluster-meting rollende-herstart-meting; do
  cp "api/target/$f.json" "$out/" 2>/dev/null || echo "no $f.json (its test failed: see $out/mvn.log)" >&2
done
{
  echo "commit $(git rev-parse --short HEAD) ($(git status --porcelain | wc -l) files changed in the working tree), $(date -u +%FT%TZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "TESTS=${TESTS:-all four}"
  echo "ROUND_S=${ROUND_S:-30} OUTAGE_S=${OUTAGE_S:-10} AFTER_S=${AFTER_S:-30} STANDBY_AWAY_S=${STANDBY_AWAY_S:-30} SENDERS=${SENDERS:-48}"
} > "$out/run.txt"
grep -q 'BUILD SUCCESS' "$out/mvn.log" && echo "drills passed; results in $out" || { echo "a drill failed: $out/mvn.log" >&2; exit 1; }
