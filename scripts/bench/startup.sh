#!/usr/bin/env bash
# Start-up as users get it (issue 35): all eleven daemons as `bin/lakehouse up` starts them (etc/jvm.env's flags, the
# local embedding model, the 500k-worker demo roster, log level INFO), on ports of their own, measured in one run:
#   first up     the first start after a build (each daemon runs as its AOT training run; goal <= 15 s)
#   warm up      the next starts, from the AOT caches (goal <= 6 s), with the CPU the eleven used by the time `up`
#                returned, and when each daemon's JVM started, listened and was first ready (from its log)
#   first 10 s   POST /v1/validate through the gateway (a fill of 5 workers, wrk -t1 -c10) for the DURATION right after
#                the last warm `up` returned, against the same DURATION once warm (goals >= 0.5x RPS, p99 <= 50 ms), and
#                the daemons' CPU in each by kind of thread (JIT compilers, collectors, the rest)
#   [TRAIN=3s: validate traffic in the training run] scripts/bench/startup.sh [warm starts=3] [duration=10s]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
starts=${1:-3}
duration=${2:-10s}
bench_stack startup 10000
"$root/bin/lakehouse" roster generate --out "$LAKEHOUSE_STACKS/startup/data/workers.parquet" >/dev/null 2>&1   # made once, not timed
gw="http://127.0.0.1:$(port 4200)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"

# daemons_cpu: the CPU (s) the eleven daemons have used, from /proc (the sum of cpu_by_daemon below)
daemons_cpu() {
  cpu_by_daemon | awk -v hz="$(getconf CLK_TCK)" '{for (i = 1; i <= NF; i++) {split($i, kv, "="); t += kv[2]}} END {printf "%.1f", t / hz}'
}
# cpu_by_kind: the CPU ticks of the eleven daemons' threads by kind — "jit gc app" (the JIT compiler threads; the
# collector's and the VM's own; every other thread, the daemons' work and Helidon's)
cpu_by_kind() {
  local f stats=()
  for f in "$LAKEHOUSE_STACKS"/startup/run/*.pid; do stats+=(/proc/"$(cat "$f")"/task/*/stat); done
  awk '{c = substr($0, index($0, "(") + 1); c = substr(c, 1, match(c, /\) [A-Z] /) - 1); sub(/^.*\) /, "")
        s[c ~ /^C[12] Compiler/ ? 1 : c ~ /^(GC |G1 |VM Thread|VM Periodic)/ ? 2 : 3] += $12 + $13}
       END {printf "%d %d %d", s[1], s[2], s[3]}' "${stats[@]}" 2>/dev/null
}
# cpu_by_daemon: "daemon=ticks …", the CPU ticks each daemon has used
cpu_by_daemon() {
  local f
  for f in "$LAKEHOUSE_STACKS"/startup/run/*.pid; do
    printf '%s=%s ' "$(basename "$f" .pid)" "$(awk '{print $14 + $15}' /proc/"$(cat "$f")"/stat 2>/dev/null || echo 0)"
  done
}
# cpu_top "BEFORE" "AFTER": the five daemons that used the most CPU between two cpu_by_daemon readings
cpu_top() {
  awk -v b="$1" -v a="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {n = split(b, x, " "); for (i = 1; i <= n; i++) {split(x[i], kv, "="); t0[kv[1]] = kv[2]}
    n = split(a, y, " "); for (i = 1; i <= n; i++) {split(y[i], kv, "="); d[kv[1]] = (kv[2] - t0[kv[1]]) / hz}
    printf "  by daemon:"; for (k = 0; k < 5; k++) {m = ""; for (x1 in d) if (m == "" || d[x1] > d[m]) m = x1; if (m == "") break; printf " %s %.1f s", m, d[m]; delete d[m]}; print ""}'
}
# cpu_split LABEL "BEFORE" "AFTER": the CPU the daemons used between two cpu_by_kind readings, by kind
cpu_split() {
  awk -v l="$1" -v b="$2" -v a="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {split(b, x, " "); split(a, y, " ");
    j = (y[1] - x[1]) / hz; g = (y[2] - x[2]) / hz; o = (y[3] - x[3]) / hz;
    printf "  daemons'"'"' CPU during %s: %.1f s — JIT compilers %.1f s (%.0f %%), collectors and VM %.1f s, the rest %.1f s\n", l, j + g + o, j, 100 * j / (j + g + o), g, o}'
}
timed_up() {   # timed_up LABEL GOAL_MS
  local t0 ms
  t0=$(date +%s%N); stack up; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  printf '%-38s %6d ms   daemons'"'"' CPU by then %5s s   (goal <= %s ms)\n' "$1" "$ms" "$(daemons_cpu)" "$2"
}

timed_up "first up (the AOT training run)" 15000
w=$(curl -sf "$gw/v1/roster/workers/W000001")
body=$(python3 -c 'import json,sys; w=json.loads(sys.argv[1]); print(json.dumps({"kind":"fill","fill":{"order":{"order_id":"O-1",
  "role":w["role"],"city":w["city"],"state":w["state"],"lat":w["lat"],"lon":w["lon"],"radius_miles":25,"headcount":5,
  "pay_rate":19.5},"worker_ids":["W000001","W000002","W000003","W000004","W000005"]}}))' "$w")
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body" > "$work/validate.lua"
wrk -t1 -c10 -d"${TRAIN:-3s}" -s "$work/validate.lua" "$gw/v1/validate" >/dev/null   # what a first session serves before its down
t0=$(date +%s%N); stack down; printf '%-38s %6d ms\n' "first down (makes the AOT caches)" $(( ($(date +%s%N) - t0) / 1000000 ))
for i in $(seq "$starts"); do
  sleep 3
  timed_up "warm up $i" 6000
  [ "$i" = "$starts" ] && break
  stack down
done
k0=$(cpu_by_kind); d0=$(cpu_by_daemon)
wrk_c "validate via gateway, first $duration after up" 10 "$gw/v1/validate" "$work/validate.lua" | tee "$work/first"
cpu_split "the first $duration" "$k0" "$(cpu_by_kind)"; cpu_top "$d0" "$(cpu_by_daemon)"
echo "when each daemon's JVM started, listened and first answered /ready 200 (ms after the first JVM started; last warm up):"
python3 - "$LAKEHOUSE_STACKS/startup/logs" <<'EOF'
import datetime, glob, json, os, sys
def ts(s): return datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
rows = []
for f in glob.glob(os.path.join(sys.argv[1], '*.log')):
    lines = open(f, errors='replace').read().splitlines()
    starts = [i for i, l in enumerate(lines) if 'Started all channels' in l]
    if not starts:
        continue
    j = json.loads(lines[starts[-1]])
    since = int(j['msg'].split(' milliseconds since')[0].split('. ')[-1])
    listen = ts(j['ts'])
    ready = next((ts(json.loads(l)['ts']) for l in lines[starts[-1]:] if '"path":"/ready","status":200' in l), None)
    rows.append((listen - since / 1000, os.path.basename(f)[:-4], listen, ready))
t0 = min(r[0] for r in rows)
for start, d, listen, ready in sorted(rows, key=lambda r: r[3] or 1e18):
    print(f"  {d:11s} jvm {1000 * (start - t0):6.0f}   listening {1000 * (listen - t0):6.0f}   ready "
          + (f"{1000 * (ready - t0):6.0f}" if ready else "     -"))
EOF
wrk -t1 -c10 -d"$duration" -s "$work/validate.lua" "$gw/v1/validate" >/dev/null   # warm-up
k0=$(cpu_by_kind); d0=$(cpu_by_daemon)
wrk_c "validate via gateway, warm" 10 "$gw/v1/validate" "$work/validate.lua" | tee "$work/warm"
cpu_split "the warm $duration" "$k0" "$(cpu_by_kind)"; cpu_top "$d0" "$(cpu_by_daemon)"
rps() { awk '{for (i=1;i<=NF;i++) if ($i=="RPS") print $(i-1)}' "$1"; }
p99() { awk '{for (i=1;i<=NF;i++) if ($i=="p99") {v=$(i+1); if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else {sub(/s/,"",v); print v*1000}}}' "$1"; }
awk -v f="$(rps "$work/first")" -v w="$(rps "$work/warm")" -v fp="$(p99 "$work/first")" \
  'BEGIN{printf "first %s / warm: %.2fx RPS (goal >= 0.5); p99 in the first %s: %.1f ms (goal <= 50)\n", "'"$duration"'", f/w, "'"$duration"'", fp}'
