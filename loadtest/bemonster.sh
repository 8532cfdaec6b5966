# Sourced by run-gebeurtenissen.sh and run-presentatie-kort.sh: each second, the machine (vmstat: run
# queue, CPU with steal) into $1/vmstat.log and what PostgreSQL's active sessions on port $2 wait on
# (CPU when on none) into $1/pg-wachten.log, the format seconden.py reads; the samplers' pids are
# appended to the array samplers, for the caller's trap to kill.
bemonster() {
  vmstat -t -n 1 > "$1/vmstat.log" &
  samplers+=($!)
  while sleep 1; do
    psql -h 127.0.0.1 -p "$2" -U postgres -d postgres -AtF ' ' -c "select to_char(now(), 'HH24:MI:SS'),
      coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-'), count(*) from pg_stat_activity
      where state = 'active' and backend_type = 'client backend' and pid <> pg_backend_pid()
      group by 2, 3" 2>/dev/null || true
  done > "$1/pg-wachten.log" &
  samplers+=($!)
}
