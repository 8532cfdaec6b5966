#!/usr/bin/env python3
import sys, datetime
rows=[l.split() for l in open('/work/bisect-results/cpu.txt')]
start=None; prev=None
for r in rows:
    m=r[1]=='1'
    if m and start is None: start=r
    if not m and start is not None:
        e=prev; dur=int(e[0])-int(start[0])
        t=datetime.datetime.utcfromtimestamp(int(start[0])).strftime('%H:%M')
        print(f"{t} {dur}s engine {(float(e[2])-float(start[2]))/dur:.3f} pg {(float(e[3])-float(start[3]))/dur:.3f} gen {(float(e[4])-float(start[4]))/dur:.3f} cores")
        start=None
    prev=r
