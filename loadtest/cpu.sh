# Sourced by run-presentatie.sh and run-kosten.sh: the CPU ticks (hz a second) used so far by the
# engine (pid $engine) and by its PostgreSQL (the postmaster of $data/pg, the backends it reaped,
# and those alive). Tail latency on a shared machine varies from run to run far more than the work
# per request does, so a run also says what it cost.
hz=$(getconf CLK_TCK)
ticks() { awk -v c="$2" '{ t = $14 + $15; if (c) t += $16 + $17; print t }' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu() {
  local e pg=0 pm c
  e=$(ticks "$engine" 0)
  pm=$(head -1 "$data/pg/postmaster.pid" 2>/dev/null || true)
  if [ -n "$pm" ]; then
    pg=$(ticks "$pm" 1)
    for c in $(pgrep -P "$pm"); do pg=$((pg + $(ticks "$c" 0))); done
  fi
  echo "$e $pg"
}
