#!/usr/bin/env bash
# gateway figures (issues 5 and 35), one run: wrk -c10 on (a) embedd direct, (b) gateway -> embedd,
# (d) Debian's nginx -> the same embedd (the reference proxy: one worker, keep-alive upstream, a buffered access log
# as the gateway writes one), the same warm-cache 768-dim request, and (c) gateway /health; -t1 (headline) and -t2;
# then one connection (c=1) on (a), (d), (b) for the latency a proxy adds; and the ratios of (b) to (d) and to (a).
#   scripts/bench/gateway.sh [duration=15s]   (LOG_LEVEL=WARN turns access logs off; default INFO; IDLE=30: seconds
#   of the gateway's RSS measured idle after the load)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-15s}
[ -f "$root/gateway/target/gateway.jar" ] && [ -f "$root/embedd/target/embedd.jar" ] || "$root/mvnw" -B -q -DskipTests package
ecp="$root/embedd/target/embedd.jar:$root/embedd/target/libs/*"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
fake=$(free_port) embedd=$(free_port) gateway=$(free_port) nginx=$(free_port)
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
mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/nginx/access.log combined buffer=64k flush=1s;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  upstream embedd { server 127.0.0.1:$embedd; keepalive 32; }
  server {
    listen 127.0.0.1:$nginx;
    location / { proxy_pass http://embedd; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx.conf" > "$work/nginx.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$embedd/ready" "http://127.0.0.1:$gateway/ready" "http://127.0.0.1:$fake/health" "http://127.0.0.1:$nginx/ready"
body=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$root/scripts/bench/embed.lua")
curl -sf "http://127.0.0.1:$gateway/v1/embed" -H 'Content-Type: application/json' -d "$body" -o "$work/sample.json"
echo "sample through the gateway: $(head -c 90 "$work/sample.json") …"
echo "machine: $(nproc) cores; $(java -version 2>&1 | head -1); $(/usr/sbin/nginx -v 2>&1); embedd: $eflags; gateway: $gflags; log level $level"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, in clock ticks
tick=$(getconf CLK_TCK)
declare -A rps p50
run() {  # label, threads, url, [script], [connections]
  local out g0 e0 g1 e1 n
  g0=$(cpu_ticks "${pids[2]}"); e0=$(cpu_ticks "${pids[1]}")
  out=$(wrk -t"$2" -c"${5:-10}" -d"$duration" --latency ${4:+-s "$4"} "$3")
  rps[$1]=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p50[$1]=$(echo "$out" | awk '/^ +50%/{v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else {sub(/s/,"",v); v*=1000}; print v}')
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
  run "(d) nginx -> embedd -t$t" $t "http://127.0.0.1:$nginx/v1/embed" "$root/scripts/bench/embed.lua"
  run "(c) gateway /health -t$t" $t "http://127.0.0.1:$gateway/health"
done
run "(a) embedd direct c=1" 1 "http://127.0.0.1:$embedd/v1/embed" "$root/scripts/bench/embed.lua" 1
run "(d) nginx -> embedd c=1" 1 "http://127.0.0.1:$nginx/v1/embed" "$root/scripts/bench/embed.lua" 1
run "(b) gateway -> embedd c=1" 1 "http://127.0.0.1:$gateway/v1/embed" "$root/scripts/bench/embed.lua" 1
awk -v b="${rps[(b) gateway -> embedd -t1]}" -v d="${rps[(d) nginx -> embedd -t1]}" -v a="${rps[(a) embedd direct -t1]}" \
    -v pa="${p50[(a) embedd direct c=1]}" -v pd="${p50[(d) nginx -> embedd c=1]}" -v pb="${p50[(b) gateway -> embedd c=1]}" 'BEGIN{
  printf "-t1 -c10: gateway / nginx %.2f (goal >= 0.9), gateway / direct %.2f, nginx / direct %.2f\n", b/d, b/a, d/a
  printf "c=1 p50 added: gateway +%.3f ms, nginx +%.3f ms (goal: gateway <= nginx + 0.05 ms)\n", pb-pa, pd-pa }'

echo "RSS after load: gateway $(rss_mib "${pids[2]}") MiB, embedd $(rss_mib "${pids[1]}") MiB"
# idle: what the gateway holds once the load is over (the issue's "idle RSS after load"), every 10 s for IDLE s
for ((i = 10; i <= ${IDLE:-30}; i += 10)); do
  sleep 10
  echo "RSS after ${i} s idle: gateway $(rss_mib "${pids[2]}") MiB ($(awk '/^Rss(Anon|File)/{printf "%s%s %d MiB", n++ ? ", " : "", tolower(substr($1, 4, 4)), $2 / 1024}' "/proc/${pids[2]}/status"))"
done
# with -XX:NativeMemoryTracking=summary in GATEWAY_JAVA_FLAGS: where the idle gateway's memory is
if [[ $gflags == *NativeMemoryTracking* ]]; then
  jcmd "${pids[2]}" VM.native_memory summary | grep -E '^(Total|-  )' | sed 's/^-  */  /'
fi
