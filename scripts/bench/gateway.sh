#!/usr/bin/env bash
# gateway figures (issue 5), one run: wrk -c10 on (a) embedd direct, (b) gateway -> embedd,
# the same warm-cache 768-dim request, and (c) gateway /health; -t1 (headline) and -t2.
#   scripts/bench/gateway.sh [duration=15s]   (LOG_LEVEL=WARN turns access logs off; default INFO)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-15s}
[ -f "$root/gateway/target/gateway.jar" ] && [ -f "$root/embedd/target/embedd.jar" ] || "$root/mvnw" -B -q -DskipTests package
ecp="$root/embedd/target/embedd.jar:$root/embedd/target/libs/*"
fake=$(free_port) embedd=$(free_port) gateway=$(free_port)
eflags=$(daemon_flags embedd)
gflags="${GATEWAY_JAVA_FLAGS:-$(daemon_flags gateway)}"
level="${LOG_LEVEL:-INFO}"

java -Xmx128m -XX:+UseSerialGC -cp "$ecp" "$root/scripts/bench/EmbedBench.java" fake-ollama "$fake" 768 > "$work/fake.log" 2>&1 &
pids+=($!)
LAKEHOUSE_EMBEDD_PORT=$embedd LAKEHOUSE_DATA_DIR="$work" EMBEDD_OLLAMA_URL="http://127.0.0.1:$fake" EMBEDD_LOCAL_MODEL=false \
  LAKEHOUSE_LOG_LEVEL=$level java $eflags -cp "$ecp" dev.lakehouse.embedd.EmbeddMain > "$work/embedd.log" 2>&1 &
pids+=($!)
LAKEHOUSE_GATEWAY_PORT=$gateway LAKEHOUSE_EMBEDD_URL="http://127.0.0.1:$embedd" LAKEHOUSE_DATA_DIR="$work" \
  LAKEHOUSE_LOG_LEVEL=$level java $gflags -cp "$root/gateway/target/gateway.jar" dev.lakehouse.gateway.GatewayMain > "$work/gateway.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$embedd/ready" "http://127.0.0.1:$gateway/ready" "http://127.0.0.1:$fake/health"
body=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$root/scripts/bench/embed.lua")
curl -sf "http://127.0.0.1:$gateway/v1/embed" -H 'Content-Type: application/json' -d "$body" -o "$work/sample.json"
echo "sample through the gateway: $(head -c 90 "$work/sample.json") …"
echo "machine: $(nproc) cores; $(java -version 2>&1 | head -1); embedd: $eflags; gateway: $gflags; log level $level"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, in clock ticks
tick=$(getconf CLK_TCK)
run() {  # label, threads, url, [script]
  local out g0 e0 g1 e1 n
  g0=$(cpu_ticks "${pids[2]}"); e0=$(cpu_ticks "${pids[1]}")
  out=$(wrk -t"$2" -c10 -d"$duration" --latency ${4:+-s "$4"} "$3")
  g1=$(cpu_ticks "${pids[2]}"); e1=$(cpu_ticks "${pids[1]}")
  if echo "$out" | grep -q "Non-2xx"; then echo "$1: NON-2xx answers:"; echo "$out" | grep Non-2xx; fi
  n=$(echo "$out" | awk '/requests in/{print $1}')
  # CPU time per request of each process: steadier than RPS on a shared machine
  echo "$out" | awk -v l="$1" -v n="$n" -v g=$((g1 - g0)) -v e=$((e1 - e0)) -v t="$tick" \
    '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2}
     END{printf "%-30s %9s RPS  p50 %-8s p99 %-8s CPU/request: gateway %5.1f us, embedd %5.1f us\n", l, rps, p50, p99, g/t/n*1e6, e/t/n*1e6}'
}
for t in 1 2; do
  wrk -t$t -c10 -d10s -s "$root/scripts/bench/embed.lua" "http://127.0.0.1:$gateway/v1/embed" >/dev/null   # warm-up (JIT)
  run "(a) embedd direct -t$t" $t "http://127.0.0.1:$embedd/v1/embed" "$root/scripts/bench/embed.lua"
  run "(b) gateway -> embedd -t$t" $t "http://127.0.0.1:$gateway/v1/embed" "$root/scripts/bench/embed.lua"
  run "(c) gateway /health -t$t" $t "http://127.0.0.1:$gateway/health"
done
echo "RSS after load: gateway $(rss_mib "${pids[2]}") MiB, embedd $(rss_mib "${pids[1]}") MiB"
