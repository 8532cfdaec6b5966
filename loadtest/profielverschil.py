#!/usr/bin/env python3
"""Where two CPU profiles of the engine differ, per request.

  loadtest/profielverschil.py VOOR_DIR NA_DIR [--top N] [--filter TEXT]
  loadtest/profielverschil.py --ab AB_DIR [A B] [--top N] [--filter TEXT]

The second form reads a run-kosten-ab.sh result made with PROFIEL=1 (profiel-A.txt and so on,
stacks by thread): only the event loops' stacks, scaled to each engine's event-loop CPU per
request as the run measured it (summary.json).

Each directory is a run-kosten.sh result made with PROFIEL=1: presentatie-profiel.txt (collapsed
stacks) and presentatie-cpu.json (the requests made and the engine's CPU seconds, measured apart).
The samples are scaled to that CPU: the interval timer fires at the kernel's tick, coarser than the
1 ms asked (about one sample per 4.6 ms of CPU here), so a sample's worth is read from the run.
Prints the frames whose time per request changed most, as self time (the frame at the top of the
stack) and as total time (anywhere in the stack), in microseconds of engine CPU per request.
"""
import argparse
import collections
import json
import os
import re

# a lambda's class is numbered per run: the same code under another name in the other profile
LAMBDA = re.compile(r"\$\$Lambda\$?[0-9]*(\.0x[0-9a-f]+|/0x[0-9a-f]+)?")


def tel(pad, us_per_request, alleen_draad=None):
    """Self and total time per frame, in µs per request: the samples scaled so that all of them
    (those of threads named alleen_draad..., when given: the stacks then start with the thread)
    come to us_per_request."""
    zelf, totaal = collections.Counter(), collections.Counter()
    samples = 0
    with open(pad) as f:
        for regel in f:
            stapel, _, n = regel.rstrip("\n").rpartition(" ")
            if not stapel or (alleen_draad and not stapel.startswith("[" + alleen_draad)):
                continue
            n = int(n)
            samples += n
            frames = LAMBDA.sub("$$Lambda", stapel).split(";")[1 if alleen_draad else 0:]
            zelf[frames[-1]] += n
            for frame in set(frames):
                totaal[frame] += n
    per = us_per_request / samples
    return ({k: v * per for k, v in zelf.items()}, {k: v * per for k, v in totaal.items()},
            us_per_request, samples)


def lees_ab(d, k):
    with open(os.path.join(d, "summary.json")) as f:
        us = json.load(f)["eventLoopMsPerRequest"][k] * 1000
    return tel(os.path.join(d, f"profiel-{k}.txt"), us, "vert.x-eventloop")


def lees(d):
    with open(os.path.join(d, "presentatie-cpu.json")) as f:
        cpu = json.load(f)
    return tel(os.path.join(d, "presentatie-profiel.txt"), cpu["engineCpuSeconds"] * 1e6 / cpu["requests"])


def toon(titel, voor, na, top, filt):
    verschil = {k: na.get(k, 0.0) - voor.get(k, 0.0) for k in set(voor) | set(na)}
    if filt:
        verschil = {k: v for k, v in verschil.items() if filt in k}
    print(f"\n{titel}: µs per request, before → after (difference)")
    for k, v in sorted(verschil.items(), key=lambda kv: -abs(kv[1]))[:top]:
        print(f"  {voor.get(k, 0.0):8.2f} → {na.get(k, 0.0):8.2f} ({v:+7.2f})  {k[:150]}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ab")
    p.add_argument("voor", nargs="?", default="A")
    p.add_argument("na", nargs="?", default="B")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--filter", default="")
    a = p.parse_args()
    if a.ab:
        zv, tv, sv, nv = lees_ab(a.ab, a.voor)
        zn, tn, sn, nn = lees_ab(a.ab, a.na)
    else:
        zv, tv, sv, nv = lees(a.voor)
        zn, tn, sn, nn = lees(a.na)
    print(f"engine CPU per request: {sv:.1f} µs before ({nv} samples), {sn:.1f} µs after "
          f"({nn} samples): {sn - sv:+.1f}")
    toon("self time", zv, zn, a.top, a.filter)
    toon("total time", tv, tn, a.top, a.filter)


if __name__ == "__main__":
    main()
