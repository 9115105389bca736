#!/usr/bin/env bash
# truthd figures (issue 15), in one run on this machine, truthd started with bin/lakehouse's default flags:
#  1. ingest: POST /v1/truth/claims in batches of 100 distinct claims (fsync on), c=4, for $duration: claims/s;
#  2. resolve: GET /v1/truth/subjects/{s} for a subject with 20 claims from 5 sources (the default policy, and
#     ?strategy=trust), c=10, next to GET /health in the same run;
#  3. trust estimation over 100,000 subjects x 5 sources (TrustBench, in-process), and through the daemon
#     (POST /v1/truth/trust) over what step 1 wrote.
#   scripts/bench/truth.sh [duration=10s]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-10s}
[ -f "$root/validator/target/validator.jar" ] || "$root/mvnw" -B -q -DskipTests package
tp=$(free_port)
export LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_TRUTHD_PORT=$tp LAKEHOUSE_OBSERVERD_URL="http://127.0.0.1:9" LAKEHOUSE_LOG_LEVEL="${LOG_LEVEL:-WARN}"
java $(daemon_flags truthd) -cp "$root/validator/target/validator.jar" dev.lakehouse.truthd.TruthdMain > "$work/truthd.log" 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$tp/ready"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1)"
T="http://127.0.0.1:$tp"

cat > "$work/ingest.lua" <<'LUA'
local counter = 0
local sources = {"roster", "crm", "recruiter", "llm", "web"}
function setup(thread) math.randomseed(os.time()); thread:set("id", math.random(1, 1000000000)) end
function request()
  local items = {}
  for i = 1, 100 do
    counter = counter + 1
    items[i] = string.format('{"subject":"worker:B%d-%d","field":"phone","value":"614-555-%04d","source":"%s","observed_at":"2026-11-01T00:00:00Z"}',
      id, math.floor(counter / 5), counter % 10000, sources[counter % 5 + 1])
  end
  return wrk.format("POST", "/v1/truth/claims", {["Content-Type"] = "application/json"}, '{"claims":[' .. table.concat(items, ",") .. ']}')
end
LUA
out=$(wrk -t1 -c4 -d"$duration" --latency -s "$work/ingest.lua" "$T")
echo "$out" | awk '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} /Non-2xx/{bad=$NF}
  END{printf "ingest, batches of 100, c=4: %.0f claims/s (%s requests/s, p50 %s, p99 %s)%s\n", rps*100, rps, p50, p99, bad ? " NON-2xx: " bad : ""}'
curl -sf "$T/metrics" | awk '/^truthd_claims[{ ]/{printf "claims held: %d\n", $2}'

# one subject: 20 claims, 4 from each of 5 sources, two values
body=$(python3 - <<'PY'
import json
claims = []
for i in range(20):
    src = ["roster", "crm", "recruiter", "llm", "web"][i % 5]
    claims.append({"subject": "worker:W777777", "field": "phone", "value": "614-555-01%02d" % (i % 2),
                   "source": src, "observed_at": "2026-11-%02dT00:00:00Z" % (1 + i), "confidence": 0.5 + i / 40})
print(json.dumps({"claims": claims}))
PY
)
curl -sf "$T/v1/truth/claims" -H 'Content-Type: application/json' -d "$body" >/dev/null
wrk -t1 -c10 -d3s "$T/v1/truth/subjects/worker:W777777" >/dev/null   # warm-up
wrk_c "GET /health, c=10" 10 "$T/health"
wrk_c "resolve 20 claims / 5 sources (policy), c=10" 10 "$T/v1/truth/subjects/worker:W777777"
wrk_c "resolve the same, ?strategy=trust, c=10" 10 "$T/v1/truth/subjects/worker:W777777?strategy=trust"
curl -sf -XPOST "$T/v1/truth/trust" | python3 -c 'import json,sys; e=json.load(sys.stdin); print("trust through truthd over %d fields: %.0f ms, %d rounds" % (e["objects"], e["took_ms"], e["rounds"]))'
java -Xmx1g -cp "$root/validator/target/validator.jar" "$root/scripts/bench/TrustBench.java" 100000 5 42
echo "RSS: truthd $(rss_mib "${pids[0]}") MiB"
