#!/usr/bin/env bash
# chatd's provider local: time to first token and tokens/s of one conversation streamed through chatd over HTTP,
# against the llama.cpp binding's own figure in this run (the baseline, in a JVM of its own, the same threads and
# context), alternating; and chatd's RSS with the model loaded.
#   scripts/bench/local-chat.sh [MODEL.gguf] [runs=8] [tokens=128]
# Medians over the runs after each JVM's first two (its JIT warm-up: chatd's HTTP path compiles during the first answers).
# Without a model, one of SmolLM2-135M's shape with random weights (F16, ~270 MB) is written to a scratch directory.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
model=${1:-}
runs=${2:-8}
tokens=${3:-128}
[ -f "$root/chatd/target/test-classes/dev/lakehouse/chatd/LocalBench.class" ] && [ -f "$root/chatd/target/chatd.jar" ] \
  || "$root/mvnw" -B -q -DskipTests install -pl chatd -am
cp="$root/chatd/target/test-classes:$root/chatd/target/chatd.jar:$root/chatd/target/libs/*"
threads=${LOCAL_THREADS:-$(nproc)}   # LOCAL_THREADS=1: one generation thread, both sides
context=2048
bench() { java -Xmx256m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp "$cp" dev.lakehouse.chatd.LocalBench "$@"; }
if [ -z "$model" ]; then
  model="$work/smollm2-135m-shape-random-f16.gguf"
  bench write "$model"
fi
chatd=$(free_port)
cflags=$(daemon_flags chatd)
LAKEHOUSE_CHATD_PORT=$chatd LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_LOG_LEVEL=WARN LAKEHOUSE_OBSERVERD_URL=http://127.0.0.1:9 \
  CHATD_LOCAL_MODEL="bench=$model" CHATD_DEFAULT_PROVIDER=local CHATD_LOCAL_THREADS=$threads CHATD_LOCAL_CONTEXT=$context \
  java $cflags -cp "$root/chatd/target/chatd.jar:$root/chatd/target/libs/*" dev.lakehouse.chatd.ChatdMain > "$work/chatd.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$chatd/ready"
echo "machine: $(nproc) cores; $(java -version 2>&1 | head -1); model $(basename "$model") ($(( $(stat -c %s "$model") / 1048576 )) MiB);"
echo "  $threads threads, $context tokens of context, $tokens tokens per answer; chatd: $cflags"
echo "chatd RSS with the model loaded, before any answer: $(rss_mib "${pids[0]}") MiB"
for round in 1 2; do   # alternating, so that the machine's drift falls on both
  bench direct "$model" "$runs" "$tokens" "$threads" "$context" | tee -a "$work/direct.txt"
  bench http "http://127.0.0.1:$chatd" "$runs" "$tokens" | tee -a "$work/http.txt"
done
echo "chatd RSS after the answers: $(rss_mib "${pids[0]}") MiB"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
d_rate=$(grep -v 'run [01]:' "$work/direct.txt" | sed -n 's/.*, \([0-9.]*\) tokens\/s/\1/p' | median)
h_rate=$(grep -v 'run [01]:' "$work/http.txt" | sed -n 's/.*, \([0-9.]*\) tokens\/s/\1/p' | median)
d_ttft=$(grep -v 'run [01]:' "$work/direct.txt" | sed -n 's/.*ttft \([0-9.]*\) ms.*/\1/p' | median)
h_ttft=$(grep -v 'run [01]:' "$work/http.txt" | sed -n 's/.*ttft \([0-9.]*\) ms.*/\1/p' | median)
echo "median (runs after the first two): binding in process ${d_rate} tokens/s, ttft ${d_ttft} ms;" \
  "chatd over HTTP ${h_rate} tokens/s, ttft ${h_ttft} ms; HTTP/in-process tokens/s $(awk -v a="$h_rate" -v b="$d_rate" 'BEGIN{printf "%.2f", a/b}')x"
