#!/usr/bin/env bash
# Performance as users get it (issue 21): the stack exactly as `bin/lakehouse up` starts it (all eleven daemons,
# etc/jvm.env's flags, the local embedding model, the 500k-worker demo roster), on ports of its own
# (scripts/cutover/stack.sh --name suite), measured in one run, each figure printed with its goal:
#   cold start   up to all ready (goal <= 5 s); each daemon alone to ready (goal <= 1 s)
#   warm-up      gateway -> embedd in the first DURATION after up, against the same DURATION warm (goal >= 0.5x RPS, p99 <= 10x)
#   proxy cost   gateway -> embedd / embedd direct, warm (goal >= 0.5); the proxied p99 against gateway /health's (goal <= 2x)
#   memory       idle RSS of every daemon (goals: <= 100 MiB data-less ones, embedd <= 250, validatord <= 200, all <= 1.5 GiB),
#                each split into heap, metaspace, JIT code, AOT cache and other native (scripts/bench/memory.py)
#   scripts/bench/suite.sh [duration=10s]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-10s}
bench_stack suite 20000
echo "LAKEHOUSE_LOG_LEVEL=WARN" > "$LAKEHOUSE_STACKS/suite/extra.env"
"$root/bin/lakehouse" roster generate --out "$LAKEHOUSE_STACKS/suite/data/workers.parquet" >/dev/null 2>&1   # the demo roster, made once
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); wrk -t1 -c10 $duration"

gw="http://127.0.0.1:$(port 4200)"; embedd="http://127.0.0.1:$(port 4216)"
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[{"input":["a forklift operator in Columbus","night shift picker"]}]]\n' > "$work/embed.lua"

# the first `up` after a build is the training run: it serves a few seconds of traffic, and the `down` after it
# makes each daemon's AOT cache (JDK 25+; AppCDS on 21-24) — what a user's first session leaves for the next `up`
stack up
wrk -t1 -c10 -d3s -s "$work/embed.lua" "$gw/v1/embed" >/dev/null; wrk -t1 -c10 -d2s "$gw/health" >/dev/null
t0=$(date +%s%N); stack down; printf 'first down (makes the AOT caches, once per build): %d ms\n' $(( ($(date +%s%N) - t0) / 1000000 ))
t0=$(date +%s%N); "$root/bin/lakehouse" --help >/dev/null; printf 'the CLI alone (bin/lakehouse --help):       %6d ms\n' $(( ($(date +%s%N) - t0) / 1000000 ))
t0=$(date +%s%N); stack up; up_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf 'cold start, all eleven to ready:            %6d ms   (goal <= 5000)\n' "$up_ms"
token=$(stack_token suite)
roster_ms=$(curl -s -H "X-Lakehouse-Internal-Token: $token" "http://127.0.0.1:$(port 4220)/v1/roster/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("load_ms", d.get("loadMs")))')
printf "validatord's roster load during that up:    %6s ms   (goal <= 3000)\n" "$roster_ms"
wrk_c "warm-up: gateway -> embedd, first $duration" 10 "$gw/v1/embed" "$work/embed.lua" | tee "$work/first"
wrk_c "gateway -> embedd, warm" 10 "$gw/v1/embed" "$work/embed.lua" | tee "$work/warm"
{ cat "$work/embed.lua"; printf 'wrk.headers["X-Lakehouse-Internal-Token"] = "%s"\n' "$token"; } > "$work/embed-direct.lua"
wrk_c "embedd direct, warm" 10 "$embedd/v1/embed" "$work/embed-direct.lua" | tee "$work/direct"
wrk_c "gateway /health" 10 "$gw/health" | tee "$work/health"
rps() { awk '{for (i=1;i<=NF;i++) if ($i=="RPS") print $(i-1)}' "$1"; }
p99() { awk '{for (i=1;i<=NF;i++) if ($i=="p99") {v=$(i+1); if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else {sub(/s/,"",v); print v*1000}}}' "$1"; }
awk -v f="$(rps "$work/first")" -v w="$(rps "$work/warm")" -v fp="$(p99 "$work/first")" -v wp="$(p99 "$work/warm")" \
  'BEGIN{printf "warm-up: first / warm RPS %.2fx (goal >= 0.5), p99 %.1fx (goal <= 10)\n", f/w, fp/wp}'
awk -v g="$(rps "$work/warm")" -v d="$(rps "$work/direct")" -v gp="$(p99 "$work/warm")" -v hp="$(p99 "$work/health")" \
  'BEGIN{printf "proxy cost: gateway / direct RPS %.2f (goal >= 0.5); proxied p99 / gateway /health p99 %.1fx (goal <= 2)\n", g/d, gp/hp}'

sleep 5
total=0
echo "idle RSS (after the runs above and 5 s):"
for f in "$LAKEHOUSE_STACKS"/suite/run/*.pid; do
  d=$(basename "$f" .pid); pid=$(cat "$f")
  [ -r "/proc/$pid/status" ] || continue
  r=$(rss_mib "$pid"); total=$((total + r))
  goal=100; [ "$d" = embedd ] && goal=250; [ "$d" = validatord ] && goal=200; [ "$d" = vectord ] && goal=-
  printf '  %-11s %5d MiB   (goal <= %s)   %s\n' "$d" "$r" "$goal" "$("$root/scripts/bench/memory.py" "$pid" 2>/dev/null | sed 's/^rss *[0-9]* MiB = //')"
done
printf '  all         %5d MiB   (goal <= 1536)\n' "$total"

stack down
echo "each daemon alone, up to ready:"
for d in gateway embedd vectord chatd matrixd validatord truthd pathwayd observerd journald distilld; do
  t0=$(date +%s%N); stack up "$d"; ms=$(( ($(date +%s%N) - t0) / 1000000 )); stack down "$d"
  printf '  %-11s %6d ms   (goal <= 1000; the CLI'"'"'s own start included)\n' "$d" "$ms"
done
