#!/usr/bin/env bash
# Processing alone (issue 21): BERICHTEN messages parked straight into the store, as intake leaves
# them (status 0, 2 KB, to citizens who accept the afnemer, in batches of 1 000), in one transaction;
# then how fast the engine's rounds deliver them, with receipts and counters, and what that costs:
# the CPU of the engine and of its PostgreSQL per message, PostgreSQL's time per statement, and the
# machine second by second (vmstat) and what PostgreSQL's sessions wait on. No generator runs meanwhile: this is the rate at which a
# backlog drains (the norm suite's Dag scenario stores 2.5 million messages at about 28 000/s, and
# processing is what it waits for). Writes loadtest/results/verwerking-<label>/ (summary.json).
#   LABEL=x BERICHTEN=300000 loadtest/run-verwerking.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./mvnw -q -B -DskipTests -pl api,loadtest -am package
label="${LABEL:-$(git rev-parse --short HEAD)}"
out="$root/loadtest/results/verwerking-$label"
rm -rf "$out"; mkdir -p "$out"
data="$(mktemp -d)"
port="${PORT:-18097}"
n="${BERICHTEN:-300000}"
burgers="${BURGERS:-20000}"
echo "$(git rev-parse --short HEAD) $(date -u +%Y-%m-%dT%H:%MZ)" > "$out/commit"
BERICHTENBOX_DATA_DIR="$data" bin/berichtenbox seed --berichten=0 --burgers="$burgers" --afnemers=400 \
  > "$out/seed.log" 2>&1
# an engine left on the port would answer for this one
if curl -sf "localhost:$port/health/ready" > /dev/null; then echo "port $port is taken: another engine runs" >&2; exit 1; fi
BERICHTENBOX_DATA_DIR="$data" BERICHTENBOX_HTTP_PORT="$port" BERICHTENBOX_ADMIN_TOKEN=load-admin-token-0123456789 \
  bin/berichtenbox serve > "$out/engine.log" 2>&1 &
engine=$!
samplers=()
trap '[ ${#samplers[@]} -eq 0 ] || kill "${samplers[@]}" 2>/dev/null; kill -TERM $engine 2>/dev/null; wait $engine 2>/dev/null; rm -rf "$data"' EXIT
for i in $(seq 1 120); do curl -sf "localhost:$port/health/ready" >/dev/null && break; sleep 1; done
[ -f "$data/pg/postmaster.pid" ] || { echo "the engine did not start: see $out/engine.log" >&2; exit 1; }
pgport=$(sed -n 4p "$data/pg/postmaster.pid")
psql=(psql -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -At -v ON_ERROR_STOP=1)
"${psql[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" > /dev/null
# the citizens numbered; each message to one of the three afnemers its citizen accepts (Seeder)
"${psql[@]}" > /dev/null <<SQL
CREATE TABLE verwerking_burger AS SELECT row_number() OVER (ORDER BY bsn) - 1 AS n, bsn FROM berichtenbox;
INSERT INTO bericht (oin, bericht_id, batch_id, bsn, bericht_type, onderwerp, bericht_tekst, aantal_bijlagen, digest)
SELECT lpad((900000000000 + 2 + (b.n + g % 3) % 399)::text, 20, '0'), gen_random_uuid(),
       md5('verwerking' || (g / 1000))::uuid, b.bsn, 'ALG', 'Uw aanslag inkomstenbelasting',
       substr(repeat('Geachte heer/mevrouw, ', 90), 1, 1880), 0, sha256(convert_to(g::text, 'UTF8'))
FROM generate_series(0, $n - 1) g JOIN verwerking_burger b ON b.n = g % $burgers;
DROP TABLE verwerking_burger;
SQL
# the clock starts at the commit: the rounds had nothing to see before it
. "$root/loadtest/cpu.sh"
"${psql[@]}" -c "SELECT pg_stat_statements_reset()" > /dev/null
. "$root/loadtest/bemonster.sh"
bemonster "$out" "$pgport"
voor=$(cpu)
begin=$(date +%s.%N)
while [ "$("${psql[@]}" -c "SELECT EXISTS (SELECT 1 FROM bericht WHERE status = 0)")" = t ]; do sleep 0.5; done
eind=$(date +%s.%N)
na=$(cpu)
kill "${samplers[@]}" 2>/dev/null || true
samplers=()
"${psql[@]}" -F ' | ' -c "SELECT calls, round(total_exec_time::numeric / $n * 1000, 1) AS exec_us_per_msg,
  round(mean_exec_time::numeric, 2) AS mean_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 100)
  FROM pg_stat_statements WHERE total_exec_time > 100 ORDER BY total_exec_time DESC LIMIT 10" > "$out/statements.txt"
"${psql[@]}" -c "SELECT json_build_object('ontvangstbewijzen', count(*),
  'rondeSeconden', extract(epoch FROM max(tijdstip) - min(tijdstip)),
  'codes', (SELECT json_object_agg(verwerkings_code, c) FROM (SELECT verwerkings_code, count(*) c FROM bericht GROUP BY 1) x))
  FROM verwerkingsbericht" > "$out/database.json"
python3 - "$out" "$n" "$begin" "$eind" "$voor" "$na" "$hz" <<'PY'
import json, sys
out, n, begin, eind = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
voor, na, hz = [int(x) for x in sys.argv[5].split()], [int(x) for x in sys.argv[6].split()], int(sys.argv[7])
db = json.load(open(out + '/database.json'))
s = eind - begin
r = {
    'berichten': n,
    'seconden': round(s, 1),
    'perSeconde': round(n / s),
    'engineCpuUsPerBericht': round((na[0] - voor[0]) / hz / n * 1e6, 1),
    'postgresCpuUsPerBericht': round((na[1] - voor[1]) / hz / n * 1e6, 1),
    'coresBusy': round((na[0] - voor[0] + na[1] - voor[1]) / hz / s, 2),
    'database': db,
    'commit': open(out + '/commit').read().strip(),
}
json.dump(r, open(out + '/summary.json', 'w'), indent=2)
print(json.dumps(r))
PY
