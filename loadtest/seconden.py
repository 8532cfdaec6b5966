#!/usr/bin/env python3
"""Lays each mix phase of a run-gebeurtenissen.sh result, second by second, beside what the machine
did in that second (vmstat.log: CPU stolen by the hypervisor, idle, run queue) and what PostgreSQL's
sessions waited on (pg-wachten.log), so a slow second can be told apart: the host's, the machine's
own load, or the database's. Writes seconden.md (every second) and seconden.json (per phase) into
the result directory and prints the summary; run-gebeurtenissen.sh runs it at its end.

  python3 loadtest/seconden.py loadtest/results/gebeurtenissen-<label>
"""
import datetime
import json
import os
import sys

FASEN = [("zonder", "A, no streams"), ("met", "B, streams open"),
         ("met-2", "B2, streams still open"), ("zonder-na", "A', streams closed")]
# a second in which the hypervisor took at least this share of the machine's CPU
STEAL = 5


def vmstat(path):
    """Per wall-clock second (epoch): steal %, idle %, run queue."""
    uit = {}
    for regel in open(path):
        v = regel.split()
        if len(v) < 19 or not v[0].isdigit():
            continue
        t = datetime.datetime.strptime(v[17] + " " + v[18], "%Y-%m-%d %H:%M:%S")
        uit[int(t.replace(tzinfo=datetime.timezone.utc).timestamp())] = {
            "st": int(v[16]), "id": int(v[14]), "r": int(v[0])}
    return uit


def wachten(path, dag):
    """Per wall-clock second: the active sessions' waits other than on the CPU ("type/event n")."""
    uit = {}
    if not os.path.exists(path):
        return uit
    for regel in open(path):
        v = regel.split()
        if len(v) != 4 or v[1] == "CPU":
            continue
        t = datetime.datetime.strptime(dag + " " + v[0], "%Y-%m-%d %H:%M:%S")
        s = int(t.replace(tzinfo=datetime.timezone.utc).timestamp())
        uit.setdefault(s, []).append(f"{v[1]}/{v[2]} {v[3]}")
    return uit


def begin(fase_json, cpu_json):
    """The wall-clock second the measured window began: written by PresentatieLoad since this script;
    for earlier results, the generator's end less the measured seconds (it ends a moment after the
    last request was due)."""
    if "measuredFromEpochMs" in fase_json:
        return fase_json["measuredFromEpochMs"] // 1000
    return int(cpu_json["to"]) - fase_json["seconds"] - 1


def main(out):
    vm = vmstat(os.path.join(out, "vmstat.log"))
    regels = [f"# Second by second: {os.path.basename(out)}", "",
              "Each mix phase's p99 per second beside the machine in that second (vmstat: % CPU stolen "
              "by the hypervisor, % idle, run queue) and PostgreSQL's non-CPU waits "
              f"(`loadtest/seconden.py`). A stolen second: st ≥ {STEAL} %.", ""]
    kort = {}
    samen = ["| phase | seconds | p99 over the seconds, median | seconds stolen | their p99, median "
             "| slowest second's p99 (st, idle) |", "|---|---|---|---|---|---|"]
    for fase, naam in FASEN:
        p = os.path.join(out, fase + ".json")
        if not os.path.exists(p):
            continue
        f = json.load(open(p))
        c = json.load(open(os.path.join(out, f"cpu-{fase}.json")))
        b = begin(f, c)
        dag = datetime.datetime.fromtimestamp(b, datetime.timezone.utc).strftime("%Y-%m-%d")
        wt = wachten(os.path.join(out, "pg-wachten.log"), dag)
        rijen = []
        for i, s in enumerate(f.get("perSecond", [])):
            m = vm.get(b + i, {})
            rijen.append((i, s["p99Ms"], s["maxMs"], m.get("st"), m.get("id"), m.get("r"),
                          ", ".join(wt.get(b + i, []))))
        if not rijen:
            continue
        med = lambda rs: sorted(r[1] for r in rs)[len(rs) // 2] if rs else None
        gestolen = [r for r in rijen if r[3] is not None and r[3] >= STEAL]
        traagste = max(rijen, key=lambda r: r[1])
        k = kort[fase] = {"seconds": len(rijen), "medianP99Ms": med(rijen),
                          "stolenSeconds": len(gestolen), "stolenMedianP99Ms": med(gestolen),
                          "otherMedianP99Ms": med([r for r in rijen if r not in gestolen]),
                          "slowestSecond": traagste[0], "slowestP99Ms": traagste[1],
                          "slowestSteal": traagste[3]}
        samen.append(f"| {naam} | {k['seconds']} | {k['medianP99Ms']} | {k['stolenSeconds']} | "
                     f"{k['stolenMedianP99Ms'] if gestolen else '–'} | "
                     f"{traagste[1]} ms at second {traagste[0]} ({traagste[3]} %, {traagste[4]} %) |")
        regels += [f"## {naam}", "",
                   f"Measured from {datetime.datetime.fromtimestamp(b, datetime.timezone.utc):%H:%M:%S} UTC.",
                   "", "| second | p99 ms | max ms | st % | idle % | run queue | PostgreSQL waits |",
                   "|---|---|---|---|---|---|---|"]
        regels += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} |" for r in rijen]
        regels.append("")
    tekst = "\n".join(regels[:4] + samen + [""] + regels[4:])
    open(os.path.join(out, "seconden.md"), "w").write(tekst + "\n")
    json.dump(kort, open(os.path.join(out, "seconden.json"), "w"), indent=1)
    print("\n".join(samen))


if __name__ == "__main__":
    main(sys.argv[1])
