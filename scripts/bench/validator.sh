#!/usr/bin/env bash
# validatord figures (issue 8), one run: roster generation (time, Parquet size), roster load (cold and warm)
# and retained heap for ROWS workers, then wrk -c10 on POST /v1/validate (a fill of 5 workers) next to /health,
# -t1 (headline) and -t2.
#   scripts/bench/validator.sh [rows=500000] [duration=15s]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
rows=${1:-500000}
duration=${2:-15s}
[ -f "$root/validator/target/validator.jar" ] && [ -f "$root/cli/target/lakehouse.jar" ] || "$root/mvnw" -B -q -DskipTests package
cp="$root/validator/target/validator.jar:$root/validator/target/libs/*"
port=$(free_port) observerd=$(free_port)
vflags=$(daemon_flags validatord)
echo "machine: $(nproc) cores; $(java -version 2>&1 | head -1); validatord: $vflags"

"$root/bin/lakehouse" roster generate --rows "$rows" --seed 42 --out "$work/workers.parquet" 2>/dev/null
java -Xmx512m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED -cp "$cp" "$root/scripts/bench/RosterLoad.java" \
  "$rows" "$work/workers.parquet" 2>/dev/null | grep -v '^Worker\['

# every /v1/validate is observed: a real observerd takes the events, as in production
LAKEHOUSE_OBSERVERD_PORT=$observerd LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_LOG_LEVEL=WARN \
  java $(daemon_flags observerd) -cp "$root/distillation/target/distillation.jar" dev.lakehouse.observerd.ObserverdMain \
  > "$work/observerd.log" 2>&1 &
pids+=($!)
t0=$(date +%s%N)
LAKEHOUSE_VALIDATORD_PORT=$port LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_ROSTER="$work/workers.parquet" \
  LAKEHOUSE_OBSERVERD_URL=http://127.0.0.1:$observerd LAKEHOUSE_LOG_LEVEL=WARN \
  java $vflags -cp "$cp" dev.lakehouse.validatord.ValidatordMain > "$work/validatord.log" 2>&1 &
pids+=($!)
vpid=$!
wait_up "http://127.0.0.1:$port/ready"
echo "validatord start to ready (roster loaded): $(( ($(date +%s%N) - t0) / 1000000 )) ms"
w=$(curl -sf "http://127.0.0.1:$port/v1/roster/workers/W000001")
body=$(python3 -c 'import json,sys; w=json.loads(sys.argv[1]); print(json.dumps({"kind":"fill","fill":{"order":{"order_id":"O-1",
  "role":w["role"],"city":w["city"],"state":w["state"],"lat":w["lat"],"lon":w["lon"],"radius_miles":25,"headcount":5,
  "pay_rate":19.5},"worker_ids":["W000001","W000002","W000003","W000004","W000005"]}}))' "$w")
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body" > "$work/validate.lua"
echo "sample: $(curl -sf "http://127.0.0.1:$port/v1/validate" -H 'Content-Type: application/json' -d "$body" | head -c 160) …"

run() { wrk_line 28 "$@"; }
wrk -t1 -c10 -d10s -s "$work/validate.lua" "http://127.0.0.1:$port/v1/validate" >/dev/null   # warm-up (JIT)
for t in 1 2; do
  run "/v1/validate (5 workers) -t$t" $t "http://127.0.0.1:$port/v1/validate" "$work/validate.lua"
  run "/health -t$t" $t "http://127.0.0.1:$port/health"
done
echo "observations: $(curl -sf "http://127.0.0.1:$observerd/v1/observe/stats" | head -c 200)"
echo "validatord RSS after load: $(rss_mib "$vpid") MiB"
