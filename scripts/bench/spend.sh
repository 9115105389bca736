#!/usr/bin/env bash
# The cost of budgets (docs/chatd.md, "Budgets and the spend ledger"): /v1/chat through the gateway to chatd to a fake
# Ollama, with budgets on (a budget for the caller: every call reserved and checked against it) and off (no budgets
# file), in one run; both write the fsynced ledger, which every call pays either way. wrk -t1 at -c1 (latency) and
# -c10 (throughput), the two setups alternated three times (after 20 s of warm-up each) so that drift on a shared machine shows.
#   scripts/bench/spend.sh [duration=10s]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-10s}
[ -f "$root/chatd/target/chatd.jar" ] || "$root/mvnw" -B -q -DskipTests package
cp="$root/chatd/target/chatd.jar:$root/chatd/target/libs/*"
fake=$(free_port) observerd=$(free_port)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # user + system time of a process, in clock ticks
java -Xmx128m -XX:+UseSerialGC -cp "$cp" "$root/scripts/bench/ChatBench.java" fake-ollama "$fake" 20 > "$work/fake.log" 2>&1 &
pids+=($!)
LAKEHOUSE_OBSERVERD_PORT=$observerd LAKEHOUSE_DATA_DIR="$work/obs" LAKEHOUSE_LOG_LEVEL=WARN \
  java $(daemon_flags observerd) -cp "$root/distillation/target/distillation.jar" dev.lakehouse.observerd.ObserverdMain \
  > "$work/observerd.log" 2>&1 &
pids+=($!)
# an open gateway's caller is "anonymous": the budget is its, large enough never to refuse
printf 'anonymous day tokens=1000000000000 cost=1000000\n' > "$work/budgets.txt"
declare -A gw cpid
for mode in off on; do
  chatd=$(free_port); gw[$mode]=$(free_port)
  budgets=(); [ "$mode" = on ] && budgets=(LAKEHOUSE_BUDGETS_FILE="$work/budgets.txt")
  env "${budgets[@]}" LAKEHOUSE_CHATD_PORT=$chatd LAKEHOUSE_DATA_DIR="$work/$mode" CHATD_OLLAMA_URL="http://127.0.0.1:$fake" \
    CHATD_DEFAULT_MODEL=bench LAKEHOUSE_OBSERVERD_URL="http://127.0.0.1:$observerd" LAKEHOUSE_LOG_LEVEL=WARN \
    java $(daemon_flags chatd) -cp "$cp" dev.lakehouse.chatd.ChatdMain > "$work/chatd-$mode.log" 2>&1 &
  pids+=($!); cpid[$mode]=$!
  env "${budgets[@]}" LAKEHOUSE_GATEWAY_PORT=${gw[$mode]} LAKEHOUSE_DATA_DIR="$work/gw-$mode" LAKEHOUSE_CHATD_URL="http://127.0.0.1:$chatd" \
    LAKEHOUSE_OBSERVERD_URL="http://127.0.0.1:$observerd" LAKEHOUSE_LOG_LEVEL=WARN \
    java $(daemon_flags gateway) -cp "$root/gateway/target/gateway.jar:$root/gateway/target/libs/*" dev.lakehouse.gateway.GatewayMain \
    > "$work/gateway-$mode.log" 2>&1 &
  pids+=($!)
  wait_up "http://127.0.0.1:$chatd/ready" "http://127.0.0.1:${gw[$mode]}/health"
done
wait_up "http://127.0.0.1:$fake/health" "http://127.0.0.1:$observerd/ready"
msgs='"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Confirm the Monday shift for order O-1"}]'
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[{%s,"max_tokens":64}]]\n' "$msgs" > "$work/chat.lua"
echo "machine: $(nproc) cores; $(java -version 2>&1 | head -1); $(df -T "$work" | awk 'NR==2{print "ledger on " $2}')"
for mode in off on; do   # warm-up (JIT) of both
  wrk -t1 -c10 -d20s -s "$work/chat.lua" "http://127.0.0.1:${gw[$mode]}/v1/chat" >/dev/null
done
for round in 1 2 3; do
  for mode in off on; do
    wrk_c "budgets $mode, -c1 (round $round)" 1 "http://127.0.0.1:${gw[$mode]}/v1/chat" "$work/chat.lua" | tee "$work/c1-$mode-$round"
    t0=$(cpu_ticks "${cpid[$mode]}")
    wrk_c "budgets $mode, -c10 (round $round)" 10 "http://127.0.0.1:${gw[$mode]}/v1/chat" "$work/chat.lua" | tee "$work/c10-$mode-$round"
    t1=$(cpu_ticks "${cpid[$mode]}")
    # chatd's CPU per call in the -c10 run: budgets are CPU only, so on − off bounds what they add to a call
    awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v d="${duration%s}" '{for (i=1;i<=NF;i++) if ($i=="RPS") rps=$(i-1)}
      END{printf "  chatd CPU per call: %.1f µs\n", t / hz * 1e6 / (rps * d)}' "$work/c10-$mode-$round" | tee "$work/cpu-$mode-$round"
  done
done
for round in 1 2 3; do
  awk -v off="$(awk '{print $5}' "$work/cpu-off-$round")" -v on="$(awk '{print $5}' "$work/cpu-on-$round")" -v r=$round \
    'BEGIN{printf "round %d: chatd CPU per call %.1f µs off, %.1f µs on: budgets add %+.1f µs\n", r, off, on, on-off}'
  awk -v off="$(p50_ms "$work/c1-off-$round")" -v on="$(p50_ms "$work/c1-on-$round")" -v r=$round \
    'BEGIN{printf "round %d: budgets add %+.0f µs to the p50 at -c1 (%.3f ms -> %.3f ms)\n", r, (on-off)*1000, off, on}'
done
for mode in off on; do
  echo "ledger ($mode): $(cat "$work/$mode/chatd/ledger/"ledger-*.jsonl | wc -l) calls; $(curl -sf "http://127.0.0.1:${gw[$mode]}/v1/spend?group_by=key" | head -c 200)"
done
