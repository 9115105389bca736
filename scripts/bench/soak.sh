#!/usr/bin/env bash
# A memory soak (issue 35): the stack as `bin/lakehouse up` starts it (scripts/cutover/stack.sh, its own ports), a
# little data seeded (a job corpus, memories, claims), then mixed traffic through the gateway (embed, validate,
# retrieve, memory search, truth; scripts/bench/soak.lua) — first 10 s flat out to measure the maximum, then at about
# half of it for DURATION — recording every daemon's RSS each 10 s (on a second up, from the AOT caches; COLD=1: the
# first, the caches' training run). Prints the RSS table (one row a minute), each
# daemon's growth after the first minute (goal <= +10 %), the requests that were not 2xx (goal 0) and every daemon's RSS
# once the load has stopped for IDLE s (default 60).
#   [COLD=1] [IDLE=60] [EXTRA_ENV=…] [JFR=…] [NMT=…] [GCLOG=…] [HISTO=…] scripts/bench/soak.sh [duration_s=600]   (each below)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
duration=${1:-600}
bench_stack soak 30000
echo "LAKEHOUSE_LOG_LEVEL=WARN" > "$LAKEHOUSE_STACKS/soak/extra.env"
# EXTRA_ENV="KEY=VALUE;KEY=VALUE": settings for the soak's stack, ';' between them (VECTORD_SNAPSHOT_INTERVAL=30s, or a
# daemon's whole LAKEHOUSE_<DAEMON>_JAVA_OPTS, which JFR, NMT and GCLOG below then add to)
IFS=';' read -ra kvs <<< "${EXTRA_ENV:-}"
for kv in "${kvs[@]}"; do [ -n "$kv" ] && echo "$kv" >> "$LAKEHOUSE_STACKS/soak/extra.env"; done
# add_opts DAEMON FLAGS…: the daemon's JVM flags (from EXTRA_ENV, else etc/jvm.env) with FLAGS added, in extra.env
add_opts() {
  local D=${1^^} opts; shift
  opts=$(grep "^LAKEHOUSE_${D}_JAVA_OPTS=" "$LAKEHOUSE_STACKS/soak/extra.env" | tail -1 | cut -d= -f2- || true)
  [ -n "$opts" ] || opts=$(grep "^LAKEHOUSE_${D}_JAVA_OPTS=" "$root/etc/jvm.env" | cut -d= -f2-)
  echo "LAKEHOUSE_${D}_JAVA_OPTS=$opts $*" >> "$LAKEHOUSE_STACKS/soak/extra.env"
}
# JFR="vectord matrixd": those daemons record a flight recording (with old-object samples), kept in /tmp/soak-<daemon>.jfr
for d in ${JFR:-}; do add_opts "$d" "-XX:StartFlightRecording=filename=/tmp/soak-$d.jfr,dumponexit=true,settings=profile"; done
# NMT="vectord matrixd": those daemons track their native memory (-XX:NativeMemoryTracking=summary); the script takes a
# baseline after the first minute of the soak and prints each one's growth by category at the end (heap, code, GC, …)
for d in ${NMT:-}; do add_opts "$d" -XX:NativeMemoryTracking=summary; done
# GCLOG="vectord matrixd": those daemons log their collections with the tenuring ages (/tmp/soak-<daemon>-gc.log)
for d in ${GCLOG:-}; do add_opts "$d" "-Xlog:gc*=info,gc+age=trace:file=/tmp/soak-$d-gc.log:uptime"; done
gw="http://127.0.0.1:$(port 4200)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); soak of ${duration} s"
t0=$(date +%s)
stack up
echo "up in $(( $(date +%s) - t0 )) s"

python3 - "$gw" "http://127.0.0.1:$(port 4217)" <<'PY'
import json, sys, urllib.error, urllib.request
gw, vectord = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    req = urllib.request.Request(gw + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.read()
    except urllib.error.HTTPError as e:
        sys.exit("%s %s: %d %s" % (method, path, e.code, e.read().decode()[:300]))
call("PUT", "/v1/indexes/jobs", {"dims": 384, "metric": "cosine"})
call("PUT", "/v1/matrix/corpora/jobs", {"index": "jobs", "vectord_url": vectord})
roles = ["forklift operator", "warehouse associate", "welder", "cdl driver", "janitor", "electrician"]
cities = ["Columbus", "Dayton", "Toledo", "Akron"]
docs = [{"id": "job-%d" % i, "text": "%s needed in %s, shift %d, order %d." % (roles[i % 6], cities[i % 4], i % 3, i),
         "metadata": {"role": roles[i % 6], "city": cities[i % 4]}} for i in range(500)]
job = json.loads(call("POST", "/v1/matrix/corpora/jobs/documents", {"documents": docs}))
import time
for _ in range(600):
    state = json.loads(call("GET", job["status_url"]))["state"]
    if state in ("done", "failed"):
        break
    time.sleep(0.5)
if state != "done":
    sys.exit("ingest job " + job["job_id"] + ": " + state)
for i in range(200):
    call("POST", "/v1/memory", {"text": "Worker %d prefers %s shifts near site %d" % (i, "night" if i % 2 else "day", i % 40),
                                "user": "W%06d" % (1 + i)})
call("POST", "/v1/truth/claims", {"claims": [{"subject": "worker:W%06d" % (1 + i % 50), "field": "status", "value": "v%d" % i,
      "source": "crm", "observed_at": "2026-11-%02dT00:00:00Z" % (1 + i % 28)} for i in range(500)]})
print("seeded: 500 job documents, 200 memories, 500 claims")
PY
# The first up of a new stack is each daemon's AOT training run (-XX:AOTMode=record, which keeps profiles as it goes);
# users run from the caches its down makes. So the soak runs on a second up, the data seeded kept (COLD=1: on the first).
if [ "${COLD:-0}" != 1 ]; then
  t0=$(date +%s)
  stack down
  stack up
  echo "down and up again, from the AOT caches, in $(( $(date +%s) - t0 )) s"
fi

pids_of() {  # "daemon pid" lines, from the stack's status table
  "$root/scripts/cutover/stack.sh" status --name soak 2>/dev/null | awk 'NR > 1 && $3 ~ /^[0-9]+$/ {print $1, $3}'
}
mapfile -t daemons < <(pids_of)
[ "${#daemons[@]}" -ge 11 ] || { echo "expected 11 daemons, found ${#daemons[@]}" >&2; exit 1; }

jcmd="$(dirname "$(command -v java)")/jcmd"
# a restarted stack has compiled nothing yet: 20 s of the mix first, so that the maximum is the warm stack's
[ "${COLD:-0}" = 1 ] || wrk -t1 -c8 -d20s -s "$root/scripts/bench/soak.lua" "$gw" > /dev/null
wrk -t1 -c8 -d10s -s "$root/scripts/bench/soak.lua" "$gw" > "$work/max.txt"
max=$(awk '/Requests\/sec/{printf "%.0f", $2}' "$work/max.txt")
delay=$(awk -v m="$max" 'BEGIN{printf "%.0f", 8 * 1000 / (m / 2)}')   # 8 connections, each pausing delay ms: about half
echo "maximum of the mix: $max requests/s (10 s, 8 connections); soak at about half: each connection pauses ${delay} ms"

SOAK_DELAY_MS=$delay wrk -t1 -c8 -d"${duration}s" --timeout 10s -s "$root/scripts/bench/soak.lua" "$gw" > "$work/soak.txt" &
load=$!
printf "%-6s" "t_s" > "$work/rss.txt"; for d in "${daemons[@]}"; do printf " %10s" "${d% *}" >> "$work/rss.txt"; done; echo >> "$work/rss.txt"
for ((t = 0; t <= duration; t += 10)); do
  printf "%-6s" "$t" >> "$work/rss.txt"
  for d in "${daemons[@]}"; do printf " %10s" "$(rss_mib "${d#* }" 2>/dev/null || echo gone)" >> "$work/rss.txt"; done
  echo >> "$work/rss.txt"
  if [ "$t" -eq 60 ]; then
    for d in "${daemons[@]}"; do [[ " ${NMT:-} " == *" ${d% *} "* ]] && "$jcmd" "${d#* }" VM.native_memory baseline >/dev/null; done
    for d in "${daemons[@]}"; do [[ " ${HISTO:-} " == *" ${d% *} "* ]] && "$jcmd" "${d#* }" GC.class_histogram -all > "$work/histo-${d% *}-60"; done
  fi
  [ "$t" -lt "$duration" ] && sleep 10
done
wait "$load" || true
echo "RSS in MiB, one row a minute:"
awk 'NR == 1 || ($1 % 60 == 0)' "$work/rss.txt"
awk 'NR == 1 {for (i = 2; i <= NF; i++) name[i] = $i; next} $1 == 60 {for (i = 2; i <= NF; i++) first[i] = $i} {for (i = 2; i <= NF; i++) last[i] = $i}
     END {printf "growth after the first minute (goal <= +10 %%):"; for (i = 2; i in name; i++) printf " %s %+.0f%%", name[i], first[i] ? 100 * (last[i] - first[i]) / first[i] : 0; print ""}' "$work/rss.txt"
for d in "${daemons[@]}"; do
  [[ " ${NMT:-} " == *" ${d% *} "* ]] || continue
  echo "${d% *}: native memory since the first minute (committed, KiB; categories that moved):"
  "$jcmd" "${d#* }" VM.native_memory summary.diff | grep -E '^-? *(Total|[A-Z][A-Za-z ]+) \(reserved=' | grep -E 'committed=[0-9]+KB [+-]' | sed 's/^/  /'
done
# HISTO="vectord": what those daemons' heaps gained since the first minute, by class, garbage not yet collected included
# (jcmd GC.class_histogram -all, which does not collect first)
for d in "${daemons[@]}"; do
  [[ " ${HISTO:-} " == *" ${d% *} "* ]] || continue
  "$jcmd" "${d#* }" GC.class_histogram -all > "$work/histo-${d% *}-end"
  echo "${d% *}: heap gained since the first minute, by class (KiB, instances; the ten largest):"
  awk 'FNR == 1 {f++} $1 ~ /^[0-9]+:$/ {if (f == 1) {b[$4] = $3; n0[$4] = $2} else {e[$4] = $3; n1[$4] = $2}}
       END {for (c in e) if (e[c] - b[c] > 0) printf "%10.0f %10d  %s\n", (e[c] - b[c]) / 1024, n1[c] - n0[c], c}' \
    "$work/histo-${d% *}-60" "$work/histo-${d% *}-end" | sort -rn | head -10 | sed 's/^/  /'
done
# the issue's "idle RSS after load": every daemon's RSS once the load has stopped for IDLE s (default 60)
sleep "${IDLE:-60}"
printf "RSS %s s after the load (MiB):" "${IDLE:-60}"
for d in "${daemons[@]}"; do printf " %s %s" "${d% *}" "$(rss_mib "${d#* }")"; done
echo
# growth of RSS or of garbage not yet collected? Each daemon's heap after a full collection (jcmd GC.run): what it holds
printf "after a full GC, heap used (MiB):"
for d in "${daemons[@]}"; do
  "$jcmd" "${d#* }" GC.run >/dev/null 2>&1 || true
  used=$("$jcmd" "${d#* }" GC.heap_info 2>/dev/null | awk '/(total|committed) [0-9]+K, used [0-9]+K/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?/, "", v); s += v}} END {printf "%.0f", s / 1024}')
  printf " %s %s (RSS %s)" "${d% *}" "$used" "$(rss_mib "${d#* }")"
done
echo
grep -E "requests in|Requests/sec|Non-2xx|Socket errors" "$work/soak.txt" | sed 's/^ */soak: /'
grep -q "Non-2xx" "$work/soak.txt" || echo "soak: every answer 2xx"
