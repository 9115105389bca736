#!/usr/bin/env bash
# Observer figures (issue 3): events/s accepted by observerd in batches of 100
# with fsync on, and the time observe() adds to a caller's request path with
# observerd up, down and slow. Prints figures; record them in docs/perf.md.
#   scripts/bench/observer.sh [seconds=15] [connections=4] [calls=50000]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/bin/jdk.sh"
seconds=${1:-15} connections=${2:-4} calls=${3:-50000}

[ -f "$root/distillation/target/distillation.jar" ] || "$root/mvnw" -B -q -DskipTests package
cp="$root/distillation/target/distillation.jar:$root/distillation/target/libs/*"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
flags=$(daemon_flags observerd)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

LAKEHOUSE_OBSERVERD_PORT=$port LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_LOG_LEVEL=WARN \
  java $flags -cp "$cp" dev.lakehouse.observerd.ObserverdMain > "$work/observerd.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.1; done

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r); $(java -version 2>&1 | head -1)"
echo "observerd flags: $flags; data on $(df -h "$work" | awk 'NR==2{print $1}')"
java -cp "$cp" "$root/scripts/bench/ObserverBench.java" throughput "http://127.0.0.1:$port" "$seconds" "$connections"
for mode in "http://127.0.0.1:$port" down slow; do
  java -Xmx256m -cp "$cp" "$root/scripts/bench/ObserverBench.java" latency "$mode" "$calls"
done
