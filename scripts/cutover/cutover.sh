#!/usr/bin/env bash
# Moves /v1 routes from a legacy stack onto this one, a route at a time (docs/cutover.md, the runbook):
#   cutover.sh shadow ROUTE --legacy URL [--sample 0.1]     legacy serves; copies come here and are compared
#   cutover.sh switch ROUTE [--min-parity 0.99] [--min-compared 100] [--smoke 'POST /v1/validate {...}'] [--no-watch]
#   cutover.sh rollback ROUTE [--legacy URL]                 legacy serves again, in one step, once it answers
#   cutover.sh status                                        every route: who serves it, mode, parity
# Each step prints what it will do, then sends the new table to the gateway (PUT /admin/routes with LAKEHOUSE_ADMIN_KEY
# or --key), which journals it (cutover.shadow|switch|rollback) before it takes effect; --force when journald is down,
# --dry-run to see only, --gateways URL,URL,… for several replicas. The work is done by `bin/lakehouse cutover`; this
# is its name in scripts/.
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin/lakehouse" cutover "$@"
