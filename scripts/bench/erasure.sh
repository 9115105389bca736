#!/usr/bin/env bash
# Erasure figures (issue 34): the stack as `bin/lakehouse up` starts it (scripts/cutover/stack.sh, its own ports), on
# the demo data set — ROSTER workers (500,000), OBS observations (1,000,000, scripts/bench/DistillBench.java), VECTORS
# points of 384 dimensions in one index (100,000), MEMORIES memories (pathwayd, embedded by the local model; default
# 5,000: at ~80 writes/s, 50,000 take ten minutes to seed), CLAIMS claims (50,000) — with one worker's data in each.
# Then `POST /v1/privacy/erasures` for that worker while a client keeps calling validate, memory search, retrieve and
# embed through the gateway: the time end to end and per daemon (purge, scan), what each found, the bytes the scans
# read, and the client's errors during the job (goal: <= 60 s, 0 errors).
#   ROSTER=500000 OBS=1000000 VECTORS=100000 MEMORIES=5000 CLAIMS=50000 scripts/bench/erasure.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
ROSTER=${ROSTER:-500000} OBS=${OBS:-1000000} VECTORS=${VECTORS:-100000} MEMORIES=${MEMORIES:-5000} CLAIMS=${CLAIMS:-50000}
export LAKEHOUSE_STACKS="$work/stacks"
base=$((40000 + RANDOM % 10000))
stack() { "$root/scripts/cutover/stack.sh" "$1" --name erase --port-base "$base" "${@:2}" >/dev/null 2>&1; }
trap 'kill "${pids[@]}" 2>/dev/null || true; stack down || true; rm -rf "$work"' EXIT
data="$LAKEHOUSE_STACKS/erase/data"
mkdir -p "$data"
echo "LAKEHOUSE_LOG_LEVEL=WARN" > "$LAKEHOUSE_STACKS/erase/extra.env"
# PARALLEL=N: the coordinator's GATEWAY_ERASURE_PARALLEL (daemons purging at once; default 1)
[ -z "${PARALLEL:-}" ] || echo "GATEWAY_ERASURE_PARALLEL=$PARALLEL" >> "$LAKEHOUSE_STACKS/erase/extra.env"
# JFR="vectord validatord": those daemons record a flight recording, kept in /tmp/erasure-<daemon>.jfr after the run
for d in ${JFR:-}; do
  D=${d^^}; opts=$(grep "^LAKEHOUSE_${D}_JAVA_OPTS=" "$root/etc/jvm.env" | cut -d= -f2-)
  echo "LAKEHOUSE_${D}_JAVA_OPTS=$opts -XX:StartFlightRecording=filename=/tmp/erasure-$d.jfr,dumponexit=true,settings=profile" >> "$LAKEHOUSE_STACKS/erase/extra.env"
done
port() { echo $(( $1 - 4200 + base )); }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1)"
echo "data set: $ROSTER roster workers, $OBS observations, $VECTORS vectors, $MEMORIES memories, $CLAIMS claims"
t0=$(date +%s)
"$root/bin/lakehouse" roster generate --rows "$ROSTER" --out "$data/workers.parquet" >/dev/null 2>&1
java "$root/scripts/bench/DistillBench.java" "$data/observerd/events" "$OBS" 42 >/dev/null
stack up
token=$(stack_token erase)
echo "generated and started in $(( $(date +%s) - t0 )) s"

python3 - "$base" "$token" "$VECTORS" "$MEMORIES" "$CLAIMS" <<'PY'
import json, random, sys, urllib.request, concurrent.futures
base, token, vectors, memories, claims = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
port = lambda p: p - 4200 + base
def call(p, method, path, body=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port(p), path), method=method,
        data=None if body is None else json.dumps(body).encode(), headers={"Content-Type": "application/json", "X-Lakehouse-Internal-Token": token})
    with urllib.request.urlopen(req, timeout=300) as r:
        return json.loads(r.read() or b"{}")
w = call(4220, "GET", "/v1/roster/workers/W000123")
name, phone, email = w["first_name"] + " " + w["last_name"], w["phone"], w["email"]
rnd = random.Random(7)
call(4217, "PUT", "/v1/indexes/bench", {"dims": 384, "metric": "cosine"})
def batch(start):
    pts = []
    for i in range(start, min(start + 1000, vectors)):
        text = ("Recruiter note: %s (W000123), %s" % (name, phone)) if i % 20000 == 7 else "note %d: forklift operator, night shift" % i
        pts.append({"id": "n%d" % i, "vector": [rnd.random() - 0.5 for _ in range(384)], "payload": {"doc_id": "d%d" % i, "text": text}})
    call(4217, "POST", "/v1/indexes/bench/points", {"points": pts})
for s in range(0, vectors, 1000):
    batch(s)
for s in range(0, claims, 500):
    cs = []
    for i in range(s, min(s + 500, claims)):
        subj = "worker:W000123" if i % 10000 == 3 else "worker:W%06d" % (1 + i % 499999)
        cs.append({"subject": subj, "field": "phone" if i % 2 else "status", "value": phone if subj.endswith("W000123") else "v%d" % i,
                   "source": "crm" if i % 3 else "roster", "observed_at": "2026-11-%02dT00:00:00Z" % (1 + i % 28)})
    call(4221, "POST", "/v1/truth/claims", {"claims": cs})
def memory(i):
    text = ("%s prefers night shifts; call %s" % (name, phone)) if i % 2500 == 11 else "Worker %d prefers %s shifts near site %d" % (i, "night" if i % 2 else "day", i % 40)
    call(4222, "POST", "/v1/memory", {"text": text, "user": "W%06d" % (1 + i % 499999)})
with concurrent.futures.ThreadPoolExecutor(4) as ex:
    list(ex.map(memory, range(memories)))
call(4223, "POST", "/v1/observe/events", {"events": [{"event_id": "bench-er-%d" % i, "ts": "2026-12-01T10:00:%02dZ" % i, "kind": "chat.call",
    "payload": {"messages": [{"role": "user", "content": "Please call %s at %s or %s" % (name, phone, email)}]}} for i in range(5)]})
print("seeded: %d vectors, %d claims, %d memories, 5 more events naming the worker" % (vectors, claims, memories))
PY
du -sh "$data" | awk '{print "data directory: " $1}'

# a client through the gateway for the whole job, counting what is not 2xx
python3 - "$(port 4200)" "$work/stop" > "$work/client.out" <<'PY' &
import json, os, sys, time, urllib.request, urllib.error
port, stop = int(sys.argv[1]), sys.argv[2]
calls = [("/v1/validate", {"kind": "email", "email": {"to_worker_id": "W000200", "subject": "Shift", "body": "Your shift is Monday."}}),
         ("/v1/memory/search", {"query": "who likes night shifts", "k": 3}),
         ("/v1/embed", {"input": "forklift operator"}),
         ("/v1/indexes/bench/search", {"vector": [0.01] * 384, "k": 3})]
n = bad = 0; worst = 0.0; codes = {}
deadline = time.time() + 900   # never outlive the bench by long, whatever happens to it
while not os.path.exists(stop) and time.time() < deadline:
    for path, body in calls:
        t = time.time()
        try:
            urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"}), timeout=30).read()
        except urllib.error.HTTPError as e:
            bad += 1; k = "%s %d" % (path, e.code); codes[k] = codes.get(k, 0) + 1
        except Exception as e:
            bad += 1; k = "%s %s" % (path, type(e).__name__); codes[k] = codes.get(k, 0) + 1
        worst = max(worst, time.time() - t); n += 1
print("client during the job: %d requests, %d not 2xx %s, slowest %.0f ms" % (n, bad, codes or "", worst * 1000))
PY
client=$!; pids+=("$client")   # the trap stops it too, should this script be stopped before the job ends
sleep 1
gw="http://127.0.0.1:$(port 4200)"
t0=$(date +%s%N)
id=$(curl -sf -XPOST "$gw/v1/privacy/erasures" -H 'Content-Type: application/json' -d '{"subject":"worker:W000123","reason":"benchmark"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
  j=$(curl -sf "$gw/v1/privacy/erasures/$id")
  state=$(echo "$j" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = done ] || [ "$state" = failed ] && break
  sleep 0.2
done
wall=$(( ($(date +%s%N) - t0) / 1000000 ))
touch "$work/stop"; wait "$client" || true
echo "$j" | python3 -c '
import json, sys
j = json.load(sys.stdin)
print("%-11s %9s %9s %8s %14s %8s" % ("daemon", "purge ms", "scan ms", "found", "bytes scanned", "matches"))
counts = ["records_masked", "role_queries_forgotten", "points_removed", "versions_purged", "claims_removed", "events_masked",
          "cache_entries_removed", "workers_removed", "entries_erased"]
for d, s in j["steps"].items():
    r = s.get("result") or {}
    sc = r.get("scan") or {}
    print("%-11s %9d %9d %8d %14d %8d" % (d, r.get("purge_ms", 0), sc.get("took_ms", 0), sum(r.get(c, 0) for c in counts), sc.get("bytes", 0), sc.get("matches", 0)))
p = j["proof"]
print("job %s: found %d; scans read %d files, %d bytes in %d ms; %d matches (%s)" % (j["state"], p["found"], p["files_scanned"],
      p["bytes_scanned"], p["scan_ms"], p["matches"], "clean" if p["clean"] else "NOT clean"))
'
echo "erasure end to end (POST to done): $wall ms   (goal <= 60000)"
cat "$work/client.out"
