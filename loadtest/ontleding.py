#!/usr/bin/env python3
"""The breakdown of one message's cost from a run of loadtest/run-ontleding.sh, as Markdown:
   python3 loadtest/ontleding.py loadtest/results/ontleding-<label>
Per message: CPU of engine, PostgreSQL and generator; write-ahead log by record type and by
table or index; beside it PostgreSQL alone writing the same rows (the Limiet inserts)."""
import json, os, re, sys

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

def onderhoud(pad):
    """Autovacuum and autoanalyze in the window, from the server log's lines (log_autovacuum_min_duration
    is 0 during it): per table, how many and their CPU (user + system)."""
    per, huidig = {}, None
    for regel in open(pad, errors="replace"):
        m = re.search(r'automatic (?:aggressive )?(vacuum|analyze)(?: to prevent wraparound)? of table "([^"]+)"', regel)
        if m:
            huidig = per.setdefault((m.group(1), m.group(2).split(".")[-1]), [0, 0.0])
            huidig[0] += 1
            continue
        m = re.search(r"system usage: CPU: user: ([0-9.]+) s, system: ([0-9.]+) s", regel)
        if m and huidig is not None:
            huidig[1] += float(m.group(1)) + float(m.group(2))
            huidig = None
    return per

log = os.path.join(d, "pg-log-engine.txt")
if os.path.exists(log):
    per = onderhoud(log)
    cpu_av = sum(v[1] for v in per.values())
    print(f"\nAutovacuum and autoanalyze finished in the engine's window (the server's log; one still running at its end is not in it): {sum(v[0] for v in per.values())} runs, "
          f"{cpu_av:.2f} s of CPU = {us(cpu_av, n):,.1f} µs per message of the PostgreSQL CPU above"
          + (":\n" if per else "."))
    if wal.get("vacuumBezig"):
        print(f"Still running at the window's end, so not in it: {wal['vacuumBezig']}.\n")
    if per:
        print("| table | runs | CPU s | µs per message |")
        print("|---|---|---|---|")
        for (soort, t), (k, c) in sorted(per.items(), key=lambda kv: -kv[1][1]):
            print(f"| {soort} {t} | {k} | {c:.2f} | {us(c, n):,.1f} |")

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
