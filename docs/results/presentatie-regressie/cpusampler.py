#!/usr/bin/env python3
# Every second: CPU ticks (utime+stime) of the engine JVM, its PostgreSQL, and the generator,
# accumulated per class; lines "epoch measuring engine pg gen" (cumulative seconds), so a run's
# measured phase (a PresentatieLoad with --out alive) can be cut out afterwards.
import os, time, sys
hz = os.sysconf('SC_CLK_TCK')
last = {}; acc = {'engine':0,'pg':0,'gen':0,'other':0}
out = open(sys.argv[1], 'a', buffering=1)
while True:
    measuring = 0
    seen = set()
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            with open(f'/proc/{p}/stat') as f: st = f.read()
            with open(f'/proc/{p}/cmdline','rb') as f: cmd = f.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError: continue
        comm = st[st.index('(')+1:st.rindex(')')]
        fields = st[st.rindex(')')+2:].split()
        ticks = int(fields[11]) + int(fields[12])
        if 'PresentatieLoad' in cmd:
            cls = 'gen'
            if '--out' in cmd: measuring = 1
        elif comm == 'java' and ' serve' in cmd: cls = 'engine'
        elif comm == 'postgres' or cmd.startswith('postgres'): cls = 'pg'
        else: continue
        seen.add(p)
        d = ticks - last.get(p, 0) if p in last else ticks
        last[p] = ticks
        acc[cls] += d
    for p in list(last):
        if p not in seen: del last[p]
    out.write(f"{time.time():.0f} {measuring} {acc['engine']/hz:.2f} {acc['pg']/hz:.2f} {acc['gen']/hz:.2f}\n")
    time.sleep(1)
