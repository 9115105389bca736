#!/usr/bin/env bash
# A second Lakehouse stack on this machine, isolated from the first (docs/cutover.md): its own ports (--port-base N:
# gateway N, embedd N+16, … each daemon's default port minus 4200 plus N), data, run and log directories
# (stacks/NAME/ under the checkout, or $LAKEHOUSE_STACKS/NAME), and — under systemd — its own unit names.
#   scripts/cutover/stack.sh up   --name NAME --port-base N [DAEMON…]     start it (bin/lakehouse up, with its environment)
#   scripts/cutover/stack.sh down --name NAME [DAEMON…]
#   scripts/cutover/stack.sh status --name NAME
#   scripts/cutover/stack.sh env  --name NAME --port-base N              print its environment (to source, or for a units file)
#   scripts/cutover/stack.sh units --name NAME --port-base N --out DIR   its systemd units: lakehouse-NAME-<daemon>.service,
#                                                                        lakehouse-NAME.target, state in /var/lib/lakehouse-NAME
# Extra settings for the stack's daemons: put them in stacks/NAME/extra.env (KEY=VALUE lines); they are exported too.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
action=${1:-}; shift || true
name=""; base=""; out=""; daemons=()
while [ $# -gt 0 ]; do
  case $1 in
    --name) name=$2; shift ;;
    --port-base) base=$2; shift ;;
    --out) out=$2; shift ;;
    -*) echo "stack.sh: unknown option $1" >&2; exit 2 ;;
    *) daemons+=("$1") ;;
  esac
  shift
done
[[ "$name" =~ ^[a-z][a-z0-9-]{0,30}$ ]] || { echo "stack.sh: --name must be 1-31 of a-z 0-9 - (it names directories and units)" >&2; exit 2; }
dir="${LAKEHOUSE_STACKS:-$root/stacks}/$name"
declare -A port=([gateway]=4200 [embedd]=4216 [vectord]=4217 [chatd]=4218 [matrixd]=4219 [validatord]=4220 [truthd]=4221
  [pathwayd]=4222 [observerd]=4223 [journald]=4224 [distilld]=4225)
if [ -z "$base" ] && [ -f "$dir/port-base" ]; then base=$(cat "$dir/port-base"); fi

environment() {   # the stack's variables, one KEY=VALUE a line
  local d p
  [[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 65000 ] || { echo "stack.sh: --port-base must be 1024-65000" >&2; exit 2; }
  for d in "${!port[@]}"; do
    p=$(( ${port[$d]} - 4200 + base ))
    echo "LAKEHOUSE_${d^^}_PORT=$p"
    echo "LAKEHOUSE_${d^^}_URL=http://127.0.0.1:$p"
  done | sort
  echo "LAKEHOUSE_DATA_DIR=$dir/data"
  echo "LAKEHOUSE_RUN_DIR=$dir/run"
  echo "LAKEHOUSE_LOG_DIR=$dir/logs"
  if [ -f "$dir/extra.env" ]; then grep -E '^[A-Z_][A-Z0-9_]*=' "$dir/extra.env" || true; fi
}

case $action in
env) environment ;;
up)
  mkdir -p "$dir/data" "$dir/run" "$dir/logs"; echo "$base" > "$dir/port-base"
  while IFS= read -r kv; do export "${kv?}"; done < <(environment)
  exec "$root/bin/lakehouse" up "${daemons[@]}"
  ;;
down|status)
  [ -d "$dir" ] || { echo "stack.sh: no stack '$name' ($dir)" >&2; exit 1; }
  while IFS= read -r kv; do export "${kv?}"; done < <(environment)
  exec "$root/bin/lakehouse" "$action" "${daemons[@]}"
  ;;
units)
  [ -n "$out" ] || { echo "stack.sh: units needs --out DIR" >&2; exit 2; }
  mkdir -p "$out"
  environment | grep -v -E '^LAKEHOUSE_(DATA|RUN|LOG)_DIR=' > "$out/stack-$name.env"
  for f in "$root"/systemd/lakehouse-*.service; do
    d=$(basename "$f" .service); d=${d#lakehouse-}
    sed -e "s|lakehouse\\.target|lakehouse-$name.target|g" \
        -e "s|^StateDirectory=lakehouse/|StateDirectory=lakehouse-$name/|; s|^LogsDirectory=lakehouse/|LogsDirectory=lakehouse-$name/|" \
        -e "s|/var/lib/lakehouse/|/var/lib/lakehouse-$name/|g; s|/var/log/lakehouse/|/var/log/lakehouse-$name/|g" \
        -e "s|LAKEHOUSE_DATA_DIR=/var/lib/lakehouse |LAKEHOUSE_DATA_DIR=/var/lib/lakehouse-$name |" \
        -e "s|^EnvironmentFile=-/etc/lakehouse/lakehouse.env|EnvironmentFile=-/etc/lakehouse/lakehouse.env\nEnvironmentFile=/etc/lakehouse/stack-$name.env|" \
        -e "s|^\\(ExecStartPost=.* $d \\)${port[$d]} |\\1$(( ${port[$d]} - 4200 + base )) |" \
        -e "s|^Description=Lakehouse |Description=Lakehouse ($name) |" \
        "$f" > "$out/lakehouse-$name-$d.service"
  done
  sed -e "s|lakehouse-\\([a-z]*\\)\\.service|lakehouse-$name-\\1.service|g; s|^Description=Lakehouse:|Description=Lakehouse ($name):|" \
    "$root/systemd/lakehouse.target" > "$out/lakehouse-$name.target"
  echo "wrote $(ls "$out" | wc -l) files to $out (install stack-$name.env in /etc/lakehouse/, the units in /etc/systemd/system/)"
  ;;
*) sed -n '2,12p' "$0"; exit 2 ;;
esac
