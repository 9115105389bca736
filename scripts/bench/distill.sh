#!/usr/bin/env bash
# distilld figures (issue 16): generate N realistic observations (all kinds, PII and malformed ones mixed in; DistillBench),
# start distilld with bin/lakehouse's default flags, run the whole pipeline through POST /v1/distill/runs, and print
# the time per stage, events/s and distilld's peak RSS (VmHWM). Goal: 1,000,000 in <= 60 s with peak RSS <= 512 MB.
#   scripts/bench/distill.sh [observations=1000000]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
n=${1:-1000000}
[ -f "$root/distillation/target/distillation.jar" ] || "$root/mvnw" -B -q -DskipTests package
dp=$(free_port)
export LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_DISTILLD_PORT=$dp LAKEHOUSE_OBSERVERD_URL="http://127.0.0.1:9" LAKEHOUSE_LOG_LEVEL="${LOG_LEVEL:-WARN}"
t0=$(date +%s.%N)
java "$root/scripts/bench/DistillBench.java" "$work/observerd/events" "$n" 42
echo "generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s: $(du -sh "$work/observerd/events" | cut -f1)"
java -Xmx512m -XX:+UseSerialGC -Xss512k -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED \
  -cp "$root/distillation/target/distillation.jar" dev.lakehouse.distillation.DistilldMain > "$work/distilld.log" 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$dp/ready"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); $n observations"
id=$(curl -sf -XPOST "http://127.0.0.1:$dp/v1/distill/runs" -H 'Content-Type: application/json' -d '{"full":true}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t0=$(date +%s.%N)
while :; do
  state=$(curl -sf "http://127.0.0.1:$dp/v1/distill/runs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = running ] || break
  sleep 0.5
done
wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
curl -sf "http://127.0.0.1:$dp/v1/distill/runs/$id" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("state:", r["state"], r.get("error") or "")
s = r.get("summary") or {}
st = s.get("stages", {})
m = st.get("materialize", {})
lines = m.get("lines", 0)
print("materialize: %d lines in %d ms (%.0f lines/s); evidence %d, quarantined %d, duplicate events %d, conserved %s" % (
    lines, m.get("took_ms", 0), lines / max(m.get("took_ms", 1), 1) * 1000, m.get("evidence", 0), m.get("quarantined", 0),
    m.get("duplicate_events", 0), m.get("conserved")))
sc = st.get("score", {})
print("score + export: %d evidence in %d ms (%.0f/s); by category %s" % (m.get("evidence", 0), sc.get("took_ms", 0),
    m.get("evidence", 0) / max(sc.get("took_ms", 1), 1) * 1000, sc.get("by_category")))
for f, v in sorted(st.get("export", {}).get("files", {}).items()):
    print("  %-24s %9d records" % (f, v["records"]))
print("pipeline: %d ms" % s.get("took_ms", 0))
'
echo "wall (POST to done): $wall s; distilld peak RSS: $(( $(awk '/VmHWM/{print $2}' "/proc/${pids[0]}/status") / 1024 )) MiB"
