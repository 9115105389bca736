#!/usr/bin/env bash
# Installs Lakehouse on this machine as systemd units (docs/deploy.md):
#   scripts/install.sh [install]            build if needed; user, directories, jars, JDK link, units, env file; daemon-reload
#   scripts/install.sh install --only D     upgrade one daemon: its module's jars (the old ones kept as .prev), restart the
#                                           daemons of that module (validator holds validatord and truthd, matrixd holds
#                                           pathwayd, distillation holds observerd, journald and distilld)
#   scripts/install.sh rollback D           the module's .prev back, and those daemons restarted
#   scripts/install.sh uninstall [--purge]  stops and removes the units and /usr/lib/lakehouse; --purge also removes
#                                           /var/lib/lakehouse (all state!), /var/log/lakehouse and /etc/lakehouse
# Idempotent: run it again and it changes nothing it already did (the env file is written only when there is none).
# --root DIR installs into DIR instead of / (a staging tree: no user, no systemctl) — what the tests use.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
action=install; only=""; root=""; purge=0
while [ $# -gt 0 ]; do
  case $1 in
    install|uninstall|rollback) action=$1 ;;
    --only) only=$2; shift ;;
    --root) root=$2; shift ;;
    --purge) purge=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) if [ "$action" = rollback ] && [ -z "$only" ]; then only=$1; else echo "install.sh: unknown argument '$1'" >&2; exit 2; fi ;;
  esac
  shift
done
prefix="$root/usr/lib/lakehouse"; units="$root/etc/systemd/system"; etc="$root/etc/lakehouse"
systemd_live() { [ -z "$root" ] && [ -d /run/systemd/system ]; }
say() { echo "install.sh: $*"; }

# daemon -> module, from the CLI's table (common/DaemonId): the same names bin/lakehouse uses
declare -A module=([gateway]=gateway [embedd]=embedd [vectord]=vectord [chatd]=chatd [matrixd]=matrixd [validatord]=validator
  [truthd]=validator [pathwayd]=matrixd [observerd]=distillation [journald]=distillation [distilld]=distillation)
daemons_of() { local d; for d in "${!module[@]}"; do [ "${module[$d]}" = "$1" ] && echo "$d"; done | sort; }
if [ -n "$only" ] && [ -z "${module[$only]:-}" ]; then echo "install.sh: no daemon '$only' (one of: ${!module[*]})" >&2; exit 2; fi

restart() {   # the daemons of a module
  local d
  for d in $(daemons_of "$1"); do
    if systemd_live; then systemctl try-restart "lakehouse-$d.service"; say "restarted lakehouse-$d (if it was running)"; fi
  done
}

copy_module() {   # module: its jar and libs into $prefix/<module>, the old ones kept as <module>.prev
  local m=$1 jar="$src/$1/target/$1.jar"
  [ -f "$jar" ] || { echo "install.sh: $jar is missing; build first (bin/lakehouse build)" >&2; exit 1; }
  if [ -d "$prefix/$m" ] && cmp -s "$jar" "$prefix/$m/$m.jar" && diff -rq "$src/$m/target/libs" "$prefix/$m/libs" >/dev/null 2>&1; then
    return 0   # already this build
  fi
  rm -rf "$prefix/$m.new"; mkdir -p "$prefix/$m.new"
  cp "$jar" "$prefix/$m.new/"; cp -r "$src/$m/target/libs" "$prefix/$m.new/libs"
  if [ -d "$prefix/$m" ]; then rm -rf "$prefix/$m.prev"; mv "$prefix/$m" "$prefix/$m.prev"; fi
  mv "$prefix/$m.new" "$prefix/$m"
  say "installed $m ($(du -sh "$prefix/$m" | cut -f1))"
}

# LAKEHOUSE_<DAEMON>_MEMORY_MAX set in /etc/lakehouse (lakehouse.env, then <daemon>.env, which wins) becomes the unit's
# MemoryMax= through a drop-in: systemd does not expand variables in MemoryMax=, so the installer writes the value.
memory_dropins() {
  local d var value f dir
  for d in "${!module[@]}"; do
    var="LAKEHOUSE_${d^^}_MEMORY_MAX"; value=""
    for f in "$etc/lakehouse.env" "$etc/$d.env"; do
      [ -f "$f" ] || continue
      local line; line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?$var=" "$f" | tail -1 || true)
      [ -n "$line" ] && value=${line#*=} && value=${value//\"/} && value=${value//\'/}
    done
    dir="$units/lakehouse-$d.service.d"
    if [ -n "$value" ]; then
      if ! [[ $value =~ ^[0-9]+[KMGT]?$ ]]; then echo "install.sh: $var=$value is not a size systemd takes (like 2G)" >&2; exit 1; fi
      mkdir -p "$dir"
      printf '# Written by scripts/install.sh from %s in /etc/lakehouse; edit it there and run the installer again.\n[Service]\nMemoryMax=%s\n' \
        "$var" "$value" > "$dir/50-memory.conf.new"
      if ! cmp -s "$dir/50-memory.conf.new" "$dir/50-memory.conf"; then mv "$dir/50-memory.conf.new" "$dir/50-memory.conf"; say "lakehouse-$d: MemoryMax=$value"
      else rm -f "$dir/50-memory.conf.new"; fi
    elif [ -f "$dir/50-memory.conf" ]; then
      rm -f "$dir/50-memory.conf"; rmdir "$dir" 2>/dev/null || true; say "lakehouse-$d: MemoryMax back to etc/jvm.env's"
    fi
  done
}

case $action in
install)
  . "$src/bin/jdk.sh"   # a JDK 21+ (or exit, saying which was found)
  [ -f "$src/cli/target/lakehouse.jar" ] || "$src/bin/lakehouse" build
  "$src/bin/lakehouse" render --check >/dev/null || { echo "install.sh: systemd/ drifted from etc/jvm.env; run bin/lakehouse render" >&2; exit 1; }
  if [ -z "$root" ] && ! id lakehouse >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/lakehouse --no-create-home --shell /usr/sbin/nologin lakehouse
    say "created user lakehouse"
  fi
  mkdir -p "$prefix/bin" "$prefix/etc" "$prefix/docs" "$units" "$etc" "$root/var/lib/lakehouse" "$root/var/log/lakehouse"
  if [ -z "$root" ]; then chown lakehouse:lakehouse "$root/var/lib/lakehouse" "$root/var/log/lakehouse"; fi
  if [ -n "$only" ]; then
    copy_module "${module[$only]}"; restart "${module[$only]}"; exit 0
  fi
  for m in $(printf '%s\n' "${module[@]}" | sort -u); do copy_module "$m"; done
  ln -sfn "$JAVA_HOME/bin/java" "$prefix/java"
  install -C -m 0644 "$src/etc/jvm.env" "$prefix/etc/jvm.env"
  install -C -m 0755 "$src/systemd/lakehouse-await-ready" "$prefix/bin/lakehouse-await-ready"
  install -C -m 0644 "$src/docs/deploy.md" "$prefix/docs/deploy.md"
  for f in "$src"/systemd/*.service "$src/systemd/lakehouse.target"; do install -C -m 0644 "$f" "$units/$(basename "$f")"; done
  if [ ! -f "$etc/lakehouse.env" ]; then
    install -m 0640 "$src/systemd/lakehouse.env.template" "$etc/lakehouse.env"
    if [ -z "$root" ]; then chgrp lakehouse "$etc/lakehouse.env"; fi
    say "wrote $etc/lakehouse.env (edit it: roster, keys)"
  fi
  for d in "${!module[@]}"; do   # each daemon's own settings (chatd's holds the providers' keys; no other daemon reads it)
    if [ ! -f "$etc/$d.env" ]; then
      if [ -f "$src/systemd/$d.env.template" ]; then
        install -m 0640 "$src/systemd/$d.env.template" "$etc/$d.env"
      else
        printf '# /etc/lakehouse/%s.env: %s'"'"'s own settings (docs/deploy.md); lines here win over lakehouse.env.\n' "$d" "$d" > "$etc/$d.env"
        chmod 0640 "$etc/$d.env"
      fi
      if [ -z "$root" ]; then chgrp lakehouse "$etc/$d.env"; fi
    fi
  done
  memory_dropins
  if [ ! -f "$etc/internal-token" ]; then
    # the daemons' shared secret (docs/deploy.md, "what is exposed, to whom"): 64 hex digits, readable by lakehouse only
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$etc/internal-token"; echo >> "$etc/internal-token")
    if [ -z "$root" ]; then chown lakehouse:lakehouse "$etc/internal-token"; fi
    say "wrote $etc/internal-token (the daemons' internal token, mode 600)"
  fi
  if systemd_live; then systemctl daemon-reload; systemctl enable lakehouse.target >/dev/null; fi
  say "done: JDK $("$prefix/java" -version 2>&1 | head -1); start with: systemctl start lakehouse.target"
  ;;
rollback)
  m=${module[$only]}
  [ -d "$prefix/$m.prev" ] || { echo "install.sh: no previous $m to roll back to ($prefix/$m.prev)" >&2; exit 1; }
  rm -rf "$prefix/$m.bad"; mv "$prefix/$m" "$prefix/$m.bad"; mv "$prefix/$m.prev" "$prefix/$m"; mv "$prefix/$m.bad" "$prefix/$m.prev"
  say "rolled $m back (the build it replaced is now $m.prev)"
  restart "$m"
  ;;
uninstall)
  if systemd_live; then
    systemctl disable --now lakehouse.target >/dev/null 2>&1 || true
    for d in "${!module[@]}"; do systemctl disable --now "lakehouse-$d.service" >/dev/null 2>&1 || true; done
  fi
  rm -f "$units"/lakehouse-*.service "$units/lakehouse.target"; rm -rf "$units"/lakehouse-*.service.d
  rm -rf "$prefix"
  if systemd_live; then systemctl daemon-reload; fi
  if [ "$purge" = 1 ]; then
    rm -rf "$root/var/lib/lakehouse" "$root/var/log/lakehouse" "$etc"
    if [ -z "$root" ] && id lakehouse >/dev/null 2>&1; then userdel lakehouse; fi
    say "removed everything, state included"
  else
    say "removed the units and $prefix; state kept in $root/var/lib/lakehouse, settings in $etc (--purge removes them)"
  fi
  ;;
esac
