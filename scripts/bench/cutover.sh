#!/usr/bin/env bash
# What shadowing costs the caller (issue 19): two stacks started as users start them (scripts/cutover/stack.sh, i.e.
# bin/lakehouse up with etc/jvm.env's flags): "new" (journald, validatord, gateway with a routes file) and "legacy"
# (validatord, gateway), the same roster. wrk -c10 on POST /v1/validate through the new gateway, three ways in one run:
# served locally (no route in the table), shadowed (served locally, every request copied to legacy and compared), and
# served by legacy (one more hop). Prints RPS, p50, p99, and the shadowed/local ratios; then the parity the shadow saw.
#   scripts/bench/cutover.sh [duration=15s] [rows=20000]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-15s}
rows=${2:-20000}
export LAKEHOUSE_STACKS="$work/stacks"
a=$((30000 + RANDOM % 10000)); b=$((a + 100))
mkdir -p "$LAKEHOUSE_STACKS/new" "$LAKEHOUSE_STACKS/legacy"
"$root/bin/lakehouse" roster generate --rows "$rows" --seed 42 --out "$work/workers.parquet" >/dev/null 2>&1
echo '{"routes":[]}' > "$work/routes.json"
printf 'LAKEHOUSE_ROSTER=%s\nLAKEHOUSE_ROUTES_FILE=%s\nGATEWAY_RATE_PER_KEY=0\nVALIDATORD_PLAYBOOKS=false\nLAKEHOUSE_LOG_LEVEL=WARN\n' \
  "$work/workers.parquet" "$work/routes.json" > "$LAKEHOUSE_STACKS/new/extra.env"
printf 'LAKEHOUSE_ROSTER=%s\nVALIDATORD_PLAYBOOKS=false\nLAKEHOUSE_LOG_LEVEL=WARN\n' "$work/workers.parquet" > "$LAKEHOUSE_STACKS/legacy/extra.env"
trap '"$root/scripts/cutover/stack.sh" down --name new >/dev/null 2>&1 || true; "$root/scripts/cutover/stack.sh" down --name legacy >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$root/scripts/cutover/stack.sh" up --name new --port-base "$a" journald validatord gateway >/dev/null 2>&1
"$root/scripts/cutover/stack.sh" up --name legacy --port-base "$b" validatord gateway >/dev/null 2>&1
gw="http://127.0.0.1:$a"; legacy="http://127.0.0.1:$b"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); $rows workers; wrk -t1 -c10 $duration"
w=$(curl -sf -H "X-Lakehouse-Internal-Token: $(stack_token new)" "http://127.0.0.1:$((a + 20))/v1/roster/workers/W000001")
body=$(python3 -c 'import json,sys; w=json.loads(sys.argv[1]); print(json.dumps({"kind":"fill","fill":{"order":{"order_id":"O-1",
  "role":w["role"],"city":w["city"],"state":w["state"],"lat":w["lat"],"lon":w["lon"],"radius_miles":25,"headcount":5},
  "worker_ids":["W000001","W000002","W000003","W000004","W000005"]}}))' "$w")
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [[%s]]\n' "$body" > "$work/validate.lua"
table() { echo "$1" > "$work/routes.json"; curl -sf -XPOST "$gw/admin/routes/reload" >/dev/null; }
wrk -t1 -c10 -d10s -s "$work/validate.lua" "$gw/v1/validate" >/dev/null   # warm both paths up
table '{"routes":[{"prefix":"/v1/validate","target":"local","mode":"shadow","legacy":"'"$legacy"'","normalize":{"ignore":["skipped"]}}]}'
wrk -t1 -c10 -d5s -s "$work/validate.lua" "$gw/v1/validate" >/dev/null
table '{"routes":[]}'
wrk_c "served locally" 10 "$gw/v1/validate" "$work/validate.lua" | tee "$work/local"
table '{"routes":[{"prefix":"/v1/validate","target":"local","mode":"shadow","legacy":"'"$legacy"'","normalize":{"ignore":["skipped"]}}]}'
wrk_c "shadowed to legacy (every request)" 10 "$gw/v1/validate" "$work/validate.lua" | tee "$work/shadow"
parity=$(curl -sf "$gw/admin/parity?route=/v1/validate")
table '{"routes":[{"prefix":"/v1/validate","target":"local","mode":"shadow","legacy":"'"$legacy"'","sample":0.1,"normalize":{"ignore":["skipped"]}}]}'
wrk_c "shadowed to legacy (sample 0.1)" 10 "$gw/v1/validate" "$work/validate.lua" | tee "$work/shadow10"
table '{"routes":[{"prefix":"/v1/validate","target":"'"$legacy"'","mode":"serve"}]}'
wrk_c "served by legacy (through this gateway)" 10 "$gw/v1/validate" "$work/validate.lua" | tee "$work/legacy"
awk -v l="$(p50_ms "$work/local")" -v s="$(p50_ms "$work/shadow")" -v t="$(p50_ms "$work/shadow10")" \
  'BEGIN{printf "p50, shadowed / local: %.2fx every request, %.2fx at sample 0.1 (the legacy stack shares these cores)\n", s/l, t/l}'
echo "parity while shadowed: $parity"
