#!/usr/bin/env bash
# embedd figures (issue 4), all in one run on this machine:
#  1. wrk on POST /v1/embed with a warm-cache 768-dim vector (a fake Ollama gives fixed vectors),
#     and on GET /health as the ceiling, -t1 (headline) and -t2, c=10;
#  2. the local model's sentences/s, single and batch-of-32, over HTTP vs in-process (ratio).
#   scripts/bench/embed.sh [duration=15s]    (LOG_LEVEL=WARN to turn the per-request access log off; default INFO)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-15s}
[ -f "$root/embedd/target/embedd.jar" ] || "$root/mvnw" -B -q -DskipTests package
cp="$root/embedd/target/embedd.jar:$root/embedd/target/libs/*"
fake=$(free_port) port=$(free_port)
flags="${EMBEDD_JAVA_FLAGS:-$(daemon_flags embedd)}"

java -Xmx128m -XX:+UseSerialGC -cp "$cp" "$root/scripts/bench/EmbedBench.java" fake-ollama "$fake" 768 > "$work/fake.log" 2>&1 &
pids+=($!)
LAKEHOUSE_EMBEDD_PORT=$port LAKEHOUSE_DATA_DIR="$work" EMBEDD_OLLAMA_URL="http://127.0.0.1:$fake" LAKEHOUSE_LOG_LEVEL="${LOG_LEVEL:-INFO}" \
  java $flags -cp "$cp" dev.lakehouse.embedd.EmbeddMain > "$work/embedd.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$port/ready" "http://127.0.0.1:$fake/health"
body=$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$root/scripts/bench/embed.lua")
curl -sf "http://127.0.0.1:$port/v1/embed" -H 'Content-Type: application/json' -d "$body" -o "$work/sample.json"   # warms the cache
echo "sample: $(head -c 100 "$work/sample.json") …"

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); embedd flags: $flags; log level ${LOG_LEVEL:-INFO}"
run() { wrk_line 34 "$@"; }
for t in 1 2; do
  wrk -t$t -c10 -d3s -s "$root/scripts/bench/embed.lua" "http://127.0.0.1:$port/v1/embed" >/dev/null   # warm-up
  run "embed (cached, 768 dims) -t$t" $t "http://127.0.0.1:$port/v1/embed" "$root/scripts/bench/embed.lua"
  run "health -t$t" $t "http://127.0.0.1:$port/health"
done
echo "embedd RSS after load: $(rss_mib "${pids[1]}") MiB"

# the local model: unique sentences (no cache hits), 2 connections, over HTTP, then in-process
for batch in 1 32; do
  BATCH=$batch wrk -t1 -c2 -d5s -s "$root/scripts/bench/local.lua" "http://127.0.0.1:$port/v1/embed" >/dev/null   # warm-up
  BATCH=$batch wrk -t1 -c2 -d"$duration" --latency -s "$root/scripts/bench/local.lua" "http://127.0.0.1:$port/v1/embed" \
    | awk -v b=$batch '/Requests\/sec/{printf "local model over HTTP, batch %d, 2 connections: %.0f sentences/s\n", b, $2*b}'
done
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
for batch in 1 32; do
  java $flags -cp "$cp" "$root/scripts/bench/EmbedBench.java" local-inproc "${duration%s}" $batch 2>/dev/null
done
