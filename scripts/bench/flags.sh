# daemon_flags NAME: the JVM flags a daemon runs with — LAKEHOUSE_<NAME>_JAVA_OPTS from the environment, else its line in
# etc/jvm.env, the table bin/lakehouse, the systemd units and the images use (docs/deploy.md). Sourced after "root" is set;
# every bench script starts its daemons with these, so docs/perf.md describes what users run.
daemon_flags() {
  local var="LAKEHOUSE_${1^^}_JAVA_OPTS"
  if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
  sed -n "s/^${var}=//p" "$root/etc/jvm.env"
}
