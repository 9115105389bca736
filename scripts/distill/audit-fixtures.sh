#!/usr/bin/env bash
# bin/lakehouse distill run + audit-full over every fixture set in distillation/fixtures (docs/distilld.md,
# "acceptance"): each set is expected to pass phases 0-6; prints a line per set and exits 1 when one does not.
# (The violation fixtures, one per invariant, are checked by AcceptanceTest: they edit a run, which this script
# does not.)   scripts/distill/audit-fixtures.sh [phases=0-6]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
phases=${1:-0-6}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
status=0
for set in "$root"/distillation/fixtures/*/observations; do
  name=$(basename "$(dirname "$set")")
  export LAKEHOUSE_DATA_DIR="$work/$name" DISTILLD_OBSERVATIONS="$set"
  "$root/bin/lakehouse" distill run --full > "$work/$name.run" 2>&1 || { echo "$name: the run failed"; cat "$work/$name.run"; status=1; continue; }
  if "$root/bin/lakehouse" distill audit-full --phases "$phases" --replay-sample 0 > "$work/$name.audit" 2>&1; then
    echo "$name: passed ($(grep -c ' pass ' "$work/$name.audit") phases)"
  else
    echo "$name: FAILED"; cat "$work/$name.audit"; status=1
  fi
done
exit $status
