#!/usr/bin/env bash
# pathwayd figures (issue 14), in one run on this machine, daemons started with bin/lakehouse's default flags:
#  1. writes: N memories (distinct texts, local model) through POST /v1/memory at c=4, each answered after its fsync and
#     after search sees it ("indexed"), next to embedd's own rate for single texts at c=4 in the same run;
#  2. updates (PUT, a new version) at c=10 for $duration;
#  3. search now (the current index) and as of the past (the history index) at c=1 and c=10, next to one vectord
#     search of pathwayd's index and one cached embedding in the same run (ratio: search p50 / (vectord + embed p50)).
#   scripts/bench/pathway.sh [memories=5000] [duration=10s]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
n=${1:-5000}
duration=${2:-10s}
for m in embedd vectord matrixd; do [ -f "$root/$m/target/$m.jar" ] || { "$root/mvnw" -B -q -DskipTests package; break; }; done
ep=$(free_port) vp=$(free_port) pp=$(free_port)
export LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_EMBEDD_PORT=$ep LAKEHOUSE_VECTORD_PORT=$vp LAKEHOUSE_PATHWAYD_PORT=$pp \
  LAKEHOUSE_EMBEDD_URL="http://127.0.0.1:$ep" LAKEHOUSE_VECTORD_URL="http://127.0.0.1:$vp" LAKEHOUSE_OBSERVERD_URL="http://127.0.0.1:9" \
  LAKEHOUSE_LOG_LEVEL="${LOG_LEVEL:-WARN}" EMBEDD_OLLAMA_URL=off VECTORD_SNAPSHOT_INTERVAL=0
java $(daemon_flags embedd) -cp "$root/embedd/target/embedd.jar" dev.lakehouse.embedd.EmbeddMain > "$work/embedd.log" 2>&1 & pids+=($!)
java $(daemon_flags vectord) -cp "$root/vectord/target/vectord.jar" dev.lakehouse.vectord.VectordMain > "$work/vectord.log" 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$ep/ready" "http://127.0.0.1:$vp/ready"
java $(daemon_flags pathwayd) -cp "$root/matrixd/target/matrixd.jar" dev.lakehouse.pathwayd.PathwaydMain > "$work/pathwayd.log" 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$pp/ready"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); $n memories"
P="http://127.0.0.1:$pp"

# POST a different memory every request (no embedding cache hits), at most $n in all; roles and users cycle
cat > "$work/add.lua" <<LUA
local counter = 0
local limit = $n
local roles = {"forklift operator", "welder", "line cook", "cdl driver", "janitor", "electrician", "assembler", "picker"}
function setup(thread) math.randomseed(os.time()); thread:set("id", math.random(1, 1000000000)) end
function request()
  counter = counter + 1
  local body = string.format('{"text":"Worker %d-%d prefers %s shifts near site %d and has %d years as a %s","role":"%s","user":"W%06d","scope":"bench"}',
    id, counter, (counter % 2 == 0) and "night" or "day", counter % 40, counter % 17, roles[counter % 8 + 1], roles[counter % 8 + 1], counter % 5000)
  return wrk.format("POST", "/v1/memory", {["Content-Type"] = "application/json"}, body)
end
LUA
cat > "$work/embed1.lua" <<'LUA'
local counter = 0
function setup(thread) math.randomseed(os.time()); thread:set("id", math.random(1, 1000000000)) end
function request()
  counter = counter + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
    string.format('{"input":"Embedding rate probe %d-%d for a worker who prefers night shifts near site %d"}', id, counter, counter % 40))
end
LUA
rps_of() { awk '/Requests\/sec/{print $2}'; }
embed_rate=$(wrk -t1 -c4 -d"$duration" -s "$work/embed1.lua" "http://127.0.0.1:$ep/v1/embed" | rps_of)
t0=$(date +%s.%N)
# wrk stops at the duration, so run until $n are written
while :; do
  have=$(curl -sf "$P/metrics" | awk '/^pathwayd_memories[{ ]/{printf "%d", $2}')
  [ "${have:-0}" -ge "$n" ] && break
  wrk -t1 -c4 -d5s -s "$work/add.lua" "$P" >/dev/null
done
t1=$(date +%s.%N)
have=$(curl -sf "$P/metrics" | awk '/^pathwayd_memories[{ ]/{printf "%d", $2}')
awk -v n="$have" -v a="$t0" -v b="$t1" -v e="$embed_rate" 'BEGIN{r=n/(b-a); printf "writes (POST, c=4, fsync + indexed): %d memories in %.1f s = %.0f/s; embedd alone, single texts, c=4: %.0f/s; ratio %.2f\n", n, b-a, r, e, r/e}'
curl -sf "$P/metrics" | awk '/^pathwayd_index_pending[{ ]/{print "index pending after the writes: " $2}'

id=$(curl -sf "$P/v1/memory" -H 'Content-Type: application/json' -d '{"text":"A memory to update many times","scope":"bench-put"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["memory"]["id"])')
cat > "$work/put.lua" <<LUA
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("PUT", "/v1/memory/$id", {["Content-Type"] = "application/json"},
    string.format('{"text":"A memory to update many times, version %d"}', counter % 50))
end
LUA
wrk_c "updates (PUT, 50 texts cycling), c=10" 10 "$P" "$work/put.lua"
before=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)

q="who prefers night shifts near site 7?"
vec=$(curl -sf "http://127.0.0.1:$ep/v1/embed" -H 'Content-Type: application/json' -d "{\"input\":\"$q\"}" \
  | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["embeddings"][0]))')
cat > "$work/search.lua" <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"vector":$vec,"k":28,"filter":{"role":["welder"]}}'
LUA
cat > "$work/embed.lua" <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"input":"$q"}'
LUA
cat > "$work/now.lua" <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"$q","k":10,"filter":{"role":"welder"}}'
LUA
cat > "$work/asof.lua" <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"$q","k":10,"filter":{"role":"welder"},"as_of":"$before"}'
LUA
curl -sf "$P/v1/memory/search" -H 'Content-Type: application/json' -d "{\"query\":\"$q\",\"k\":10,\"filter\":{\"role\":\"welder\"}}" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("sample search:", len(r["hits"]), "hits, index", r["index"], "pending", r["pending"])'
wrk -t1 -c10 -d3s -s "$work/now.lua" "$P/v1/memory/search" >/dev/null   # warm-up
for c in 1 10; do
  wrk_c "vectord search (k=28, filtered), c=$c" $c "http://127.0.0.1:$vp/v1/indexes/memories/search" "$work/search.lua" | tee "$work/r1"
  wrk_c "embed (cached), c=$c" $c "http://127.0.0.1:$ep/v1/embed" "$work/embed.lua" | tee "$work/r2"
  wrk_c "memory search now, c=$c" $c "$P/v1/memory/search" "$work/now.lua" | tee "$work/r3"
  wrk_c "memory search as_of (history index), c=$c" $c "$P/v1/memory/search" "$work/asof.lua" | tee "$work/r4"
  awk -v c=$c -v s="$(p50_ms "$work/r1")" -v e="$(p50_ms "$work/r2")" -v r="$(p50_ms "$work/r3")" -v h="$(p50_ms "$work/r4")" \
    'BEGIN{printf "c=%d: search p50 / (vectord p50 + embed p50) = %.2f / (%.2f + %.2f) = %.2f; as_of: %.2f\n", c, r, s, e, r/(s+e), h/(s+e)}'
done
echo "log: $(du -h "$work/pathwayd/memories/versions.jsonl" | cut -f1); RSS: embedd $(rss_mib "${pids[0]}") MiB, vectord $(rss_mib "${pids[1]}") MiB, pathwayd $(rss_mib "${pids[2]}") MiB"
kill -9 "${pids[2]}"; wait "${pids[2]}" 2>/dev/null || true
t0=$(date +%s.%N)
java $(daemon_flags pathwayd) -cp "$root/matrixd/target/matrixd.jar" dev.lakehouse.pathwayd.PathwaydMain > "$work/pathwayd2.log" 2>&1 & pids+=($!)
wait_up "$P/ready"
awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "restart after kill -9 (JVM start + log replay) until /ready: %.1f s\n", b-a}'
