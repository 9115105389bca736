#!/usr/bin/env bash
# vectord figures (issue 6), one run: insert over HTTP (batches of 1000), recall@10 and QPS at ef 50/100/200 over
# HTTP (2 client threads) next to the same index searched in-process, exact QPS, restart time (snapshot + graph)
# and heap.   scripts/bench/vectord.sh [points=100000] [dims=384] [queries=1000]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/bin/jdk.sh"
. "$root/scripts/bench/flags.sh"
n=${1:-100000} dims=${2:-384} queries=${3:-1000} seed=42
[ -f "$root/vectord/target/vectord.jar" ] || "$root/mvnw" -B -q -DskipTests package
cp="$root/vectord/target/vectord.jar:$root/vectord/target/libs/*"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
flags="${VECTORD_JAVA_FLAGS:-$(daemon_flags vectord)}"
start_vectord() {   # sets $pid and $ready_s (seconds from launch to /ready)
  local t0
  t0=$(date +%s.%N)
  LAKEHOUSE_VECTORD_PORT=$port LAKEHOUSE_DATA_DIR="$work" VECTORD_SNAPSHOT_INTERVAL=0 LAKEHOUSE_LOG_LEVEL=INFO \
    java $flags -cp "$cp" dev.lakehouse.vectord.VectordMain >> "$work/vectord.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/ready" >/dev/null; do sleep 0.05; done
  ready_s=$(echo "$(date +%s.%N) - $t0" | bc)
}
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
echo "machine: $(nproc) cores; $(java -version 2>&1 | head -1); vectord $flags; $n x $dims, cosine, m=16, ef_construction=200"
start_vectord
java -cp "$cp" "$root/scripts/bench/VectordBench.java" load "http://127.0.0.1:$port" "$n" "$dims" $seed
java -cp "$cp" "$root/scripts/bench/VectordBench.java" queries-file "$work/queries.jsonl" "$dims" $seed "$queries"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
for ef in 50 100 200; do   # QPS with wrk (2 connections, as the 2 in-process threads), a C client that takes little CPU
  QUERIES="$work/queries.jsonl" EF=$ef wrk -t1 -c2 -d5s -s "$root/scripts/bench/search.lua" "http://127.0.0.1:$port/v1/indexes/bench/search" >/dev/null
  QUERIES="$work/queries.jsonl" EF=$ef wrk -t1 -c2 -d15s --latency -s "$root/scripts/bench/search.lua" "http://127.0.0.1:$port/v1/indexes/bench/search" \
    | awk -v ef=$ef '/Non-2xx/{print "NON-2xx: " $0} /Requests\/sec/{rps=$2} /^ +99%/{p99=$2} END{printf "search over HTTP, ef %3d, wrk 2 connections: %6.0f QPS, p99 %s\n", ef, rps, p99}'
done
java -Xmx2g -cp "$cp" "$root/scripts/bench/VectordBench.java" http "http://127.0.0.1:$port" "$n" "$dims" $seed "$queries"
echo "vectord after load: RSS $(( $(awk '/VmRSS/{print $2}' /proc/$pid/status) / 1024 )) MiB; $(curl -s "http://127.0.0.1:$port/v1/indexes/bench" | grep -o '"memory_estimate_bytes":[0-9]*')"
t=$(date +%s.%N); curl -s -XPOST "http://127.0.0.1:$port/v1/indexes/bench/snapshot" -o /dev/null
echo "snapshot (Parquet + graph) took $(echo "$(date +%s.%N) - $t" | bc) s"
kill $pid; wait $pid 2>/dev/null || true
start_vectord
echo "restart to ready (snapshot + graph load), from JVM launch: $ready_s s"
grep -o '"msg":"index bench: [^"]*"' "$work/vectord.log" | tail -1
kill $pid; wait $pid 2>/dev/null || true
java -Xmx2g -cp "$cp" "$root/scripts/bench/VectordBench.java" inproc "$n" "$dims" $seed "$queries"
