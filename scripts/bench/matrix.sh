#!/usr/bin/env bash
# matrixd figures (issue 14), all in one run on this machine, daemons started with bin/lakehouse's default flags:
#  1. ingest: N documents into each of 3 corpora through `bin/lakehouse matrix ingest` (chunks/s), next to embedd's
#     own rate for the same batch size (32 unique sentences a call) in the same run: the ratio is the goal (>= 0.8);
#  2. retrieve over the 3 corpora (c=10, -t1, the query cached in embedd) next to one vectord search and one cached
#     embedding in the same run: the goal is retrieve p50 <= 1.5 x (search p50 + embed p50), the fan-out being parallel.
#   scripts/bench/matrix.sh [documents per corpus=5000] [duration=10s]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
docs=${1:-5000}
duration=${2:-10s}
for m in embedd vectord matrixd cli; do [ -f "$root/$m/target/$m.jar" ] || { "$root/mvnw" -B -q -DskipTests package; break; }; done
[ -f "$root/cli/target/lakehouse.jar" ] || "$root/mvnw" -B -q -DskipTests package
ep=$(free_port) vp=$(free_port) mp=$(free_port)
export LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_EMBEDD_PORT=$ep LAKEHOUSE_VECTORD_PORT=$vp LAKEHOUSE_MATRIXD_PORT=$mp \
  LAKEHOUSE_EMBEDD_URL="http://127.0.0.1:$ep" LAKEHOUSE_MATRIXD_URL="http://127.0.0.1:$mp" LAKEHOUSE_OBSERVERD_URL="http://127.0.0.1:9" \
  LAKEHOUSE_LOG_LEVEL="${LOG_LEVEL:-WARN}" EMBEDD_OLLAMA_URL=off MATRIXD_ROLE_LLM=false VECTORD_SNAPSHOT_INTERVAL=0
java $(daemon_flags embedd) -cp "$root/embedd/target/embedd.jar" dev.lakehouse.embedd.EmbeddMain > "$work/embedd.log" 2>&1 & pids+=($!)
java $(daemon_flags vectord) -cp "$root/vectord/target/vectord.jar" dev.lakehouse.vectord.VectordMain > "$work/vectord.log" 2>&1 & pids+=($!)
java $(daemon_flags matrixd) -cp "$root/matrixd/target/matrixd.jar" dev.lakehouse.matrixd.MatrixdMain > "$work/matrixd.log" 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$ep/ready" "http://127.0.0.1:$vp/ready" "http://127.0.0.1:$mp/ready"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); $docs documents per corpus"

roles=("forklift operator" "warehouse associate" "welder" "line cook" "cdl driver" "janitor" "electrician" "assembler")
cities=(Columbus Dayton Toledo Akron Cincinnati Louisville Indianapolis Memphis)
for c in jobs candidates playbooks; do
  curl -sf -XPUT "http://127.0.0.1:$vp/v1/indexes/$c" -H 'Content-Type: application/json' -d '{"dims":384,"metric":"cosine"}' >/dev/null
  gate=none; [ $c = playbooks ] && gate=role
  curl -sf -XPUT "http://127.0.0.1:$mp/v1/matrix/corpora/$c" -H 'Content-Type: application/json' \
    -d "{\"index\":\"$c\",\"vectord_url\":\"http://127.0.0.1:$vp\",\"gate\":\"$gate\"}" >/dev/null
  awk -v n="$docs" -v c="$c" -v r="$(IFS=,; echo "${roles[*]}")" -v t="$(IFS=,; echo "${cities[*]}")" 'BEGIN {
    split(r, R, ","); split(t, T, ",");
    for (i = 1; i <= n; i++) { role = R[(i % 8) + 1]; city = T[(int(i / 8) % 8) + 1];
      printf "{\"id\":\"%s-%d\",\"text\":\"%s %d: %s needed in %s, shift %d, %d years of experience, order %d.\",\"metadata\":{\"role\":\"%s\",\"city\":\"%s\"}}\n", c, i, c, i, role, city, i % 3, i % 11, i, role, city } }' \
    > "$work/$c.jsonl"
done

# embedd's own rate, batches of 32 unique sentences, 1 connection (the ingest sends one batch at a time)
BATCH=32 wrk -t1 -c1 -d3s -s "$root/scripts/bench/local.lua" "http://127.0.0.1:$ep/v1/embed" >/dev/null
embed_rate=$(BATCH=32 wrk -t1 -c1 -d"$duration" -s "$root/scripts/bench/local.lua" "http://127.0.0.1:$ep/v1/embed" \
  | awk '/Requests\/sec/{printf "%.0f", $2*32}')
total=0; t0=$(date +%s.%N)
for c in jobs candidates playbooks; do
  "$root/bin/lakehouse" matrix ingest "$work/$c.jsonl" --corpus "$c" --batch 500 2>/dev/null | sed 's/^/  /'
  total=$((total + docs))
done
t1=$(date +%s.%N)
ingest_rate=$(awk -v n=$total -v a=$t0 -v b=$t1 'BEGIN{printf "%.0f", n/(b-a)}')
echo "ingest: $total chunks in $(awk -v a=$t0 -v b=$t1 'BEGIN{printf "%.1f", b-a}') s = $ingest_rate chunks/s; embedd alone, batches of 32: $embed_rate sentences/s; ratio $(awk -v i=$ingest_rate -v e=$embed_rate 'BEGIN{printf "%.2f", i/e}') (goal >= 0.8)"

# retrieve vs one search + one embedding, same run
vec=$(curl -sf "http://127.0.0.1:$ep/v1/embed" -H 'Content-Type: application/json' -d '{"input":"night shift forklift operator in Columbus"}' \
  | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["embeddings"][0]))')
cat > "$work/search.lua" <<LUA
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"vector":$vec,"k":10}'
LUA
cat > "$work/embed1.lua" <<'LUA'
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"input":"night shift forklift operator in Columbus"}'
LUA
cat > "$work/retrieve.lua" <<'LUA'
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"night shift forklift operator in Columbus","corpora":["jobs","candidates","playbooks"],"k":10}'
LUA
curl -sf "http://127.0.0.1:$mp/v1/matrix/retrieve" -H 'Content-Type: application/json' -d "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$work/retrieve.lua")" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("sample retrieve:", len(r["hits"]), "hits, role", r["query_role"], "from", sorted({h["corpus"] for h in r["hits"]}))'
wrk -t1 -c10 -d3s -s "$work/retrieve.lua" "http://127.0.0.1:$mp/v1/matrix/retrieve" >/dev/null   # warm-up
# c=1: the latency of one request on an idle stack (what the parallel fan-out is for); c=10: under load, where the
# three searches of a retrieve compete for the same two cores as everything else
for c in 1 10; do
  wrk_c "vectord search (1 index), c=$c" $c "http://127.0.0.1:$vp/v1/indexes/jobs/search" "$work/search.lua" | tee "$work/r1"
  wrk_c "embed (cached), c=$c" $c "http://127.0.0.1:$ep/v1/embed" "$work/embed1.lua" | tee "$work/r2"
  wrk_c "matrix retrieve (3 corpora), c=$c" $c "http://127.0.0.1:$mp/v1/matrix/retrieve" "$work/retrieve.lua" | tee "$work/r3"
  awk -v c=$c -v s="$(p50_ms "$work/r1")" -v e="$(p50_ms "$work/r2")" -v r="$(p50_ms "$work/r3")" \
    'BEGIN{printf "c=%d: retrieve p50 / (search p50 + embed p50) = %.2f / (%.2f + %.2f) = %.2f (goal <= 1.5)\n", c, r, s, e, r/(s+e)}'
done
# where a retrieve's time goes, c=1: matrixd alone (a gated corpus skipped for want of a role: no peer call), one corpus
# (one embed + one search), three corpora; each step's increase is what that step costs through matrixd's peer client
cat > "$work/nopeer.lua" <<'LUA'
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"zzqx vvbn","corpora":["playbooks"],"k":10}'
LUA
cat > "$work/one.lua" <<'LUA'
wrk.method = "POST"; wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"night shift forklift operator in Columbus","corpora":["jobs"],"k":10}'
LUA
wrk_c "retrieve, no peer call (gated corpus skipped), c=1" 1 "http://127.0.0.1:$mp/v1/matrix/retrieve" "$work/nopeer.lua" | tee "$work/d0"
wrk_c "retrieve, 1 corpus (embed + 1 search), c=1" 1 "http://127.0.0.1:$mp/v1/matrix/retrieve" "$work/one.lua" | tee "$work/d1"
wrk_c "retrieve, 3 corpora (embed + 3 searches), c=1" 1 "http://127.0.0.1:$mp/v1/matrix/retrieve" "$work/retrieve.lua" | tee "$work/d3"
awk -v z="$(p50_ms "$work/d0")" -v o="$(p50_ms "$work/d1")" -v t="$(p50_ms "$work/d3")" -v s="$(p50_ms "$work/r1")" \
  'BEGIN{printf "decomposition (p50): matrixd alone %.2f ms; + embed and one search %.2f ms (called directly they take the figures above); + two more searches in parallel %.2f ms\n", z, o-z, t-o}'
echo "RSS: embedd $(rss_mib "${pids[0]}") MiB, vectord $(rss_mib "${pids[1]}") MiB, matrixd $(rss_mib "${pids[2]}") MiB"
