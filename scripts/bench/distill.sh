#!/usr/bin/env bash
# distilld figures (issues 16, 17): generate N realistic observations (all kinds, PII and malformed ones mixed in;
# DistillBench), start distilld with bin/lakehouse's default flags, run the whole pipeline through POST /v1/distill/runs,
# and print the time per stage, events/s, distilld's CPU seconds for the run (steadier than wall time on a shared machine)
# and its peak RSS (VmHWM). Goal (issue 35): 1,000,000 in <= 30 s with peak RSS <= 256 MiB (issue 16's: 60 s, 512 MB).
# Then (AUDIT=0 skips it) the full audit of that run, phases 0-6, through POST /v1/distill/audits: the time
# per phase; and a replay of REPLAY_SAMPLE records (default 2000) at REPLAY_CONCURRENCY (8) through real chatd and
# validatord against a scripted Ollama that takes OLLAMA_DELAY_MS (50) per answer: items/s, and the ideal
# (concurrency / delay) beside it.
#   scripts/bench/distill.sh [observations=1000000]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/scripts/bench/lib.sh"
n=${1:-1000000}
[ -f "$root/distillation/target/distillation.jar" ] || "$root/mvnw" -B -q -DskipTests package
dp=$(free_port); cp=$(free_port); vp=$(free_port); op=$(free_port)
export LAKEHOUSE_DATA_DIR="$work" LAKEHOUSE_DISTILLD_PORT=$dp LAKEHOUSE_OBSERVERD_URL="http://127.0.0.1:9" LAKEHOUSE_LOG_LEVEL="${LOG_LEVEL:-WARN}"
export LAKEHOUSE_CHATD_URL="http://127.0.0.1:$cp" LAKEHOUSE_VALIDATORD_URL="http://127.0.0.1:$vp"
t0=$(date +%s.%N)
java "$root/scripts/bench/DistillBench.java" "$work/observerd/events" "$n" 42
echo "generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s: $(du -sh "$work/observerd/events" | cut -f1)"
java $(daemon_flags distilld) ${JFR:+-XX:StartFlightRecording=filename=$JFR,settings=profile} \
  -cp "$root/distillation/target/distillation.jar" dev.lakehouse.distilld.DistilldMain > "$work/distilld.log" 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$dp/ready"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); $n observations"
c0=$(cpu_ticks "${pids[0]}")
id=$(curl -sf -XPOST "http://127.0.0.1:$dp/v1/distill/runs" -H 'Content-Type: application/json' -d '{"full":true}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t0=$(date +%s.%N)
while :; do
  state=$(curl -sf "http://127.0.0.1:$dp/v1/distill/runs/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$state" = running ] || break
  sleep 0.5
done
wall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
cpu=$(awk -v a="$c0" -v b="$(cpu_ticks "${pids[0]}")" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", (b-a)/hz}')
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
    print("  %-24s %9d records  sha256 %s…" % (f, v["records"], (v.get("sha256") or "")[:16]))
print("pipeline: %d ms" % s.get("took_ms", 0))
'
echo "wall (POST to done): $wall s; distilld CPU (user + system, the collector's threads included): $cpu s; distilld peak RSS: $(( $(awk '/VmHWM/{print $2}' "/proc/${pids[0]}/status") / 1024 )) MiB"
for f in evidence.jsonl quarantine.jsonl scored.jsonl; do   # the same input gives the same bytes: compare across versions
  [ -f "$work/distilld/runs/$id/$f" ] && printf '  %-24s sha256 %.16s…\n' "$f" "$(sha256sum "$work/distilld/runs/$id/$f" | cut -c1-16)"
done

[ "${AUDIT:-1}" = 1 ] || exit 0
await_job() {   # kind id -> the finished job's JSON
  while :; do
    j=$(curl -sf "http://127.0.0.1:$dp/v1/distill/$1/$2")
    [ "$(echo "$j" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" = running ] || break
    sleep 0.5
  done
  echo "$j"
}
aid=$(curl -sf -XPOST "http://127.0.0.1:$dp/v1/distill/audits" -H 'Content-Type: application/json' \
  -d "{\"run\":\"$id\",\"phases\":\"0-6\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t0=$(date +%s.%N)
await_job audits "$aid" | python3 -c '
import json, sys
r = json.load(sys.stdin)["result"]
print("audit %s: %s" % (r["id"], "passed" if r["passed"] else "FAILED"))
for p in r["phases"]:
    print("  phase %d %-22s %-5s %8d ms  %s" % (p["phase"], p["name"], p["status"], p["took_ms"], (p["findings"] or [""])[0][:90]))
'
echo "audit wall: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s; distilld peak RSS: $(( $(awk '/VmHWM/{print $2}' "/proc/${pids[0]}/status") / 1024 )) MiB"

delay=${OLLAMA_DELAY_MS:-50}; conc=${REPLAY_CONCURRENCY:-8}; sample=${REPLAY_SAMPLE:-2000}
python3 "$root/scripts/bench/scripted_ollama.py" "$op" "$delay" & pids+=($!)
[ -f "$work/workers.parquet" ] || "$root/bin/lakehouse" roster generate --rows 20000 --out "$work/workers.parquet" >/dev/null 2>&1
LAKEHOUSE_CHATD_PORT=$cp CHATD_OLLAMA_URL="http://127.0.0.1:$op" CHATD_DEFAULT_MODEL=qwen2.5:7b \
  java $(daemon_flags chatd) -cp "$root/chatd/target/chatd.jar" dev.lakehouse.chatd.ChatdMain \
  > "$work/chatd.log" 2>&1 & pids+=($!)
LAKEHOUSE_VALIDATORD_PORT=$vp LAKEHOUSE_ROSTER="$work/workers.parquet" VALIDATORD_PLAYBOOKS=false LAKEHOUSE_TRUTHD_URL="http://127.0.0.1:9" \
  java $(daemon_flags validatord) -cp "$root/validator/target/validator.jar" \
  dev.lakehouse.validatord.ValidatordMain > "$work/validatord.log" 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$cp/ready"; wait_up "http://127.0.0.1:$vp/ready"
rid=$(curl -sf -XPOST "http://127.0.0.1:$dp/v1/distill/replays" -H 'Content-Type: application/json' \
  -d "{\"run\":\"$id\",\"classes\":[\"chat_answer\",\"fill_generation\",\"email_drafting\",\"retrieval_answer\"],\"sample\":$sample,\"concurrency\":$conc,\"rate\":0,\"provider\":\"ollama\",\"model\":\"qwen2.5:7b\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
t0=$(date +%s.%N)
rj=$(await_job replays "$rid")
rwall=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
echo "$rj" | python3 -c '
import json, sys
wall, conc, delay = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
r = json.load(sys.stdin)["result"]
n = r["replayed"]
ideal = conc * 1000.0 / delay
print("replay %s: %d records; selecting them from the run %.1f s, replaying %.1f s = %.1f records/s at concurrency %d "
      "(a %d ms provider: ideal %.0f/s, %.2fx of it); POST to done %.1f s; mean latency %.1f ms; by diff %s" % (r["id"], n,
      r["select_ms"] / 1000, r["replay_ms"] / 1000, r["per_second"], conc, delay, ideal, r["per_second"] / ideal, wall,
      r["mean_latency_ms"], r["by_diff"]))
' "$rwall" "$conc" "$delay"
