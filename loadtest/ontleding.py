#!/usr/bin/env python3
"""The breakdown of one message's cost from a run of loadtest/run-ontleding.sh, as Markdown:
   python3 loadtest/ontleding.py loadtest/results/ontleding-<label>
Per message: CPU of engine, PostgreSQL and generator; write-ahead log by record type and by
table or index; beside it PostgreSQL alone writing the same rows (the Limiet inserts)."""
import json, os, sys

d = sys.argv[1]
lees = lambda f: json.load(open(os.path.join(d, f)))
intake, cpu, wal = lees("intake.json"), lees("cpu-engine.json"), lees("wal-engine.json")
lim, lcpu, lwal = lees("limiet.json"), lees("cpu-limiet.json"), lees("wal-limiet.json")
commit, tijd = open(os.path.join(d, "commit")).read().split()
n, ln = wal["rijen"], lwal["rijen"]
us = lambda s, k: s * 1e6 / k if k else 0

print(f"Run {os.path.basename(d)} (commit {commit}, {tijd}): REST intake of single messages of {intake['bodyBytes']} bytes "
      f"offered at {intake['offeredRate']}/s for {intake['seconds']} s ({intake['accepted202']} accepted in the measured part, "
      f"p99 {intake['latencyMs']['p99']} ms), {n} messages stored and processed; PostgreSQL alone: {ln} rows "
      f"({lim['insertRowsPerSecond']} rows/s).\n")
print("| per message | engine intake (stored, processed, receipted) | PostgreSQL alone (row inserted) | ratio |")
print("|---|---|---|---|")
rows = [
    ("engine CPU µs", us(cpu["engineCpuSeconds"], n), None),
    ("PostgreSQL CPU µs", us(cpu["postgresCpuSeconds"], n), us(lcpu["postgresCpuSeconds"], ln)),
    ("generator CPU µs", us(cpu["generatorCpuSeconds"], n), None),
    ("WAL bytes", wal["walBytesPerRij"], lwal["walBytesPerRij"]),
    ("WAL records", wal["recordsPerRij"], lwal["recordsPerRij"]),
    ("of which full-page images, bytes", wal["fpiBytesPerRij"], lwal["fpiBytesPerRij"]),
]
for naam, e, l in rows:
    print(f"| {naam} | {e:,.1f} | {'' if l is None else f'{l:,.1f}'} | {'' if not l else f'{e / l:.1f}×'} |")

def tabel(titel, items, sleutel, top=12):
    print(f"\n{titel}\n")
    print("| | bytes per message | records or blocks per message |")
    print("|---|---|---|")
    for it in items[:top]:
        aantal = it.get("recordsPerRij", round(it.get("blokken", 0) / n, 2) if n else 0)
        print(f"| {it[sleutel]} | {it['perRij']:,.1f} | {aantal} |")

tabel("WAL of the engine's intake by record type (pg_get_wal_stats; the largest first):", wal["soorten"], "soort")
tabel("WAL of the engine's intake by table or index (pg_get_wal_block_info: data and page images of each; "
      "commit records and other records without a block are not in it):", wal["relaties"], "relatie", 16)

if wal.get("statements"):
    print("\nPostgreSQL time by statement during the engine's run (pg_stat_statements, execution and planning time; "
          "the largest first; the statement's first characters; planning is recorded since 2026-12-07, empty before):\n")
    print("| statement | execution µs per message | planning µs per message | calls per message | WAL bytes per message |")
    print("|---|---|---|---|---|")
    for st in wal["statements"][:10]:
        q = st["statement"].replace("|", "\\|")
        print(f"| `{q[:110]}` | {st['execUsPerRij']} | {st.get('planUsPerRij', '')} | {st['callsPerRij']} | "
              f"{st['walBytesPerRij']} |")
