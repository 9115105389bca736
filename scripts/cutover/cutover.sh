#!/usr/bin/env bash
# Moves /v1 routes from a legacy stack onto this one, a route at a time (docs/cutover.md, the runbook):
#   cutover.sh shadow ROUTE --legacy URL [--sample 0.1]     legacy serves; copies come here and are compared
#   cutover.sh switch ROUTE [--min-parity 0.99] [--min-compared 100] [--smoke 'POST /v1/validate {...}'] [--no-watch]
#   cutover.sh rollback ROUTE [--legacy URL]                 legacy serves again, in one step
#   cutover.sh status                                        every route: who serves it, mode, parity
# Each step edits LAKEHOUSE_ROUTES_FILE (or --routes-file), has the gateway reload it (POST /admin/routes/reload with
# LAKEHOUSE_ADMIN_KEY or --key) and journals it in journald (cutover.shadow|switch|rollback). The work is done by
# `bin/lakehouse cutover`; this is its name in scripts/.
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin/lakehouse" cutover "$@"
