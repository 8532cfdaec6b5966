# Sourced by the load scripts (run-suite.sh, run-ontleding.sh, run-gebeurtenissen.sh, ...): the CPU
# ticks (hz a second) used so far by the engine (pid $engine) and by its PostgreSQL (the postmaster of $data/pg, the backends it reaped,
# and those alive). Tail latency on a shared machine varies from run to run far more than the work
# per request does, so a run also says what it cost.
hz=$(getconf CLK_TCK)
# Shell builtins only, no fork: the per-second sampler below must not cost what it measures (with
# pgrep and an awk a process it took 50 ms of CPU a second).
_ticks() { # pid, 1 to add its reaped children's: utime + stime (+ cutime + cstime) into _t
  local with=${2:-0} s
  _t=0
  read -r s < "/proc/$1/stat" 2>/dev/null || return 0
  s=${s##*) }
  set -- $s
  _t=$((${12} + ${13}))
  [ "$with" = 1 ] && _t=$((_t + ${14} + ${15}))
  return 0
}
_pg() { # the ticks of the PostgreSQL of $data (postmaster, reaped and live backends) into _p
  local pm kids c
  _p=0
  if read -r pm < "$data/pg/postmaster.pid" 2>/dev/null; then
    _ticks "$pm" 1; _p=$_t
    kids=
    read -r kids < "/proc/$pm/task/$pm/children" 2>/dev/null || true
    for c in $kids; do _ticks "$c" 0; _p=$((_p + _t)); done
  fi
  return 0
}
_cpu() { # the engine's ticks into _e, its PostgreSQL's into _p
  _ticks "$engine" 0; _e=$_t
  _pg
}
cpu() { _cpu; echo "$_e $_p"; }
# A JVM's ticks by kind of thread, its process total, and its read-class and write-class system
# calls so far (read, readv, write, writev: /proc/PID/io counts send and recv in neither):
# "eventloop gc jit total calls". The JIT compiler's share swings from run to run (10 to 30 % of a
# 60-second run after a 30-second warm-up) and dwindles with uptime; the event loops (every
# request's work) and the garbage collector (what they allocate) are the steady cost the cost runs
# judge. Threads that ended are in the total but in none of the kinds.
draden() {
  local io t
  io=$(awk '/^sysc[rw]:/ { s += $2 } END { print s + 0 }' "/proc/$1/io" 2>/dev/null || echo 0)
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null)"
  done | awk -F'\t' -v io="$io" -v tot="$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null)" '
    $1 ~ /^vert\.x-eventloo/ { l += $2 } $1 ~ /^GC Thread/ { g += $2 } $1 ~ /^C[12] CompilerThre/ { j += $2 }
    END { print l + 0, g + 0, j + 0, tot + 0, io }'
}
# Every second until process $1 ends, a line "epoch-ms engine postgresql generator" of CPU ticks so
# far (hz a second; the generator is $1) into $2, for cutting a run's CPU by its phases. Run it in
# the background.
cpu_reeks() {
  local gen=$1 t
  {
    echo "# hz $hz"
    while [ -d "/proc/$gen" ]; do
      _cpu
      _ticks "$gen" 0
      t=${EPOCHREALTIME/./}
      echo "${t:0:13} $_e $_p $_t"
      sleep 1
    done
  } > "$2"
}
