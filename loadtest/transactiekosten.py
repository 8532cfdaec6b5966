#!/usr/bin/env python3
"""The table of a run-transactiekosten.sh run: PostgreSQL's CPU per row and per transaction for
each number of rows a transaction, the idle window's CPU taken off, and a line through the points:
CPU per row = a + b / N, b being what one transaction costs apart from its rows."""
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
runs = [json.loads(l) for l in (out / "runs.jsonl").read_text().splitlines() if l.strip()]
idle = next(r for r in runs if r["rowsPerTransaction"] == 0)
idle_per_s = idle["postgresCpuSeconds"] / idle["seconds"]
commit = (out / "commit").read_text().split()
rows = [r for r in runs if r["rowsPerTransaction"] > 0]
print(f"Run {out.name} (commit {commit[0]}, {commit[1]}): the engine's 2 KB message rows into a copy of "
      f"the bericht table (its indexes), {rows[0]['rate']} rows/s from {rows[0]['connections']} connections, "
      f"N rows a transaction (BEGIN, one INSERT of N rows, "
      f"{'synchronous COMMIT' if rows[0].get('flush', True) else 'COMMIT without waiting for the flush (synchronous_commit off)'}); PostgreSQL's CPU less "
      f"its idle {idle_per_s * 1000:.1f} ms a second.\n")
print("| rows a transaction | rows | transactions a second | late | PostgreSQL CPU µs a row | µs a transaction |")
print("|---|---|---|---|---|---|")
pts = []
for r in rows:
    cpu = r["postgresCpuSeconds"] - idle_per_s * r["seconds"]
    per_row = cpu / r["rows"] * 1e6
    per_tx = cpu / r["transactions"] * 1e6
    pts.append((1 / r["rowsPerTransaction"], per_row))
    print(f"| {r['rowsPerTransaction']} | {r['rows']} | {r['transactions'] / r['seconds']:.0f} | "
          f"{r['lateTransactions']} | {per_row:.1f} | {per_tx:.1f} |")
if len(pts) >= 2:
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    b = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
    a = my - b * mx
    print(f"\nA least-squares line through the points (an inference, not a measurement of its own): "
          f"about {a:.0f} µs a row and {b:.0f} µs a transaction.")
