#!/usr/bin/env bash
# The long form of the fuzz suite: every route of scripts/fuzz/routes.json, mutated, against the daemons
# as real processes (started by the test harness with the flags of the multi-process tests).
#   scripts/fuzz/run.sh [requests] [seed]      default 20000 requests, seed = the current time
#   FUZZ_DAEMONS=embedd,vectord,pathwayd scripts/fuzz/run.sh     only these (a daemon's peers must be listed too)
# Builds the jars, runs FuzzIT with those figures, prints the report (also in it/target/fuzz-report.txt)
# and exits non-zero when anything was found: a 5xx that is not a named dead dependency, a 4xx that is not
# problem+json with a code, an answer slower than FUZZ_MAX_MS (default 10000), a daemon that died or is not
# /ready afterwards.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
requests=${1:-20000}
seed=${2:-$(date +%s)}
cd "$root"
. bin/jdk.sh
echo "fuzz: building, then $requests requests with seed $seed" >&2
./mvnw -B -q -DskipTests install
status=0
./mvnw -B -q verify -pl it -Dit.test=FuzzIT -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.requests="$requests" -Dfuzz.seed="$seed" -Dfuzz.max_ms="${FUZZ_MAX_MS:-10000}" \
  ${FUZZ_DAEMONS:+-Dfuzz.daemons="$FUZZ_DAEMONS"} >/dev/null 2>&1 || status=$?
cat it/target/fuzz-report.txt 2>/dev/null || echo "fuzz: no report (the stack did not start?); see it/target/failsafe-reports and it/target/it-logs" >&2
exit $status
