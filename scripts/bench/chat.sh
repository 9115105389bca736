#!/usr/bin/env bash
# chatd figures: the cost chatd adds on the hot path. wrk -c10 on (a) a fake Ollama's /api/chat directly,
# (b) chatd /v1/chat and (c) /v1/chat/completions in front of it (whole answers), (d) chatd /v1/chat streamed
# (SSE, <tokens> deltas), (e) chatd /health — one run, -t1 (headline) and -t2.
#   scripts/bench/chat.sh [duration=15s] [tokens=20]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-15s}
tokens=${2:-20}
[ -f "$root/chatd/target/chatd.jar" ] || "$root/mvnw" -B -q -DskipTests package
cp="$root/chatd/target/chatd.jar:$root/chatd/target/libs/*"
fake=$(free_port) chatd=$(free_port) observerd=$(free_port)
cflags=$(daemon_flags chatd)

java -Xmx128m -XX:+UseSerialGC -cp "$cp" "$root/scripts/bench/ChatBench.java" fake-ollama "$fake" "$tokens" > "$work/fake.log" 2>&1 &
pids+=($!)
# every call is observed, as in production
LAKEHOUSE_OBSERVERD_PORT=$observerd LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_LOG_LEVEL=WARN \
  java $(daemon_flags observerd) -cp "$root/distillation/target/distillation.jar" dev.lakehouse.observerd.ObserverdMain \
  > "$work/observerd.log" 2>&1 &
pids+=($!)
LAKEHOUSE_CHATD_PORT=$chatd LAKEHOUSE_DATA_DIR="$work" CHATD_OLLAMA_URL="http://127.0.0.1:$fake" CHATD_DEFAULT_MODEL=bench \
  LAKEHOUSE_OBSERVERD_URL="http://127.0.0.1:$observerd" LAKEHOUSE_LOG_LEVEL=WARN \
  java $cflags -cp "$cp" dev.lakehouse.chatd.ChatdMain > "$work/chatd.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$chatd/ready" "http://127.0.0.1:$fake/health" "http://127.0.0.1:$observerd/ready"
msgs='"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Confirm the Monday shift for order O-1"}]'
lua() { printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$1" > "$work/$2.lua"; }
lua "{\"model\":\"bench\",$msgs,\"stream\":false}" direct
lua "{$msgs}" chat
lua "{\"model\":\"ollama/bench\",$msgs}" completions
lua "{$msgs,\"stream\":true}" stream
echo "sample: $(curl -sf "http://127.0.0.1:$chatd/v1/chat" -H 'Content-Type: application/json' -d "{$msgs}" | head -c 120) …"
echo "machine: $(nproc) cores; $(java -version 2>&1 | head -1); chatd: $cflags; answers of $tokens tokens"
run() { wrk_line 36 "$@"; }
wrk -t1 -c10 -d10s -s "$work/chat.lua" "http://127.0.0.1:$chatd/v1/chat" >/dev/null   # warm-up (JIT)
wrk -t1 -c10 -d5s -s "$work/stream.lua" "http://127.0.0.1:$chatd/v1/chat" >/dev/null
for t in 1 2; do
  run "(a) fake Ollama direct -t$t" $t "http://127.0.0.1:$fake/api/chat" "$work/direct.lua"
  run "(b) chatd /v1/chat -t$t" $t "http://127.0.0.1:$chatd/v1/chat" "$work/chat.lua"
  run "(c) chatd /v1/chat/completions -t$t" $t "http://127.0.0.1:$chatd/v1/chat/completions" "$work/completions.lua"
  run "(d) chatd /v1/chat stream -t$t" $t "http://127.0.0.1:$chatd/v1/chat" "$work/stream.lua"
  run "(e) chatd /health -t$t" $t "http://127.0.0.1:$chatd/health"
done
echo "chatd RSS after load: $(rss_mib "${pids[2]}") MiB"
echo "observed: $(curl -sf "http://127.0.0.1:$observerd/v1/observe/stats" | head -c 160)"
