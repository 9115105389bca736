# Sourced by bin/lakehouse test: what the test suite needs beyond a JDK, installed when missing — Maven (only for the
# wrapper's one-time fetch of its pinned Maven), systemd-analyze (the units' verification), and Debian's chromium with
# its chromedriver (the console's browser test; a test tool's own browser download cannot work here), and python3-seccomp
# (the units' system-call filter applied to a daemon without systemd). Installs through
# apt-get when run as root, saying what it installs; otherwise names what is missing and the command that installs it.
lakehouse_test_deps() {
  local root=$1 need=() optional=()
  if ! command -v mvn >/dev/null 2>&1 && [ ! -d "${HOME}/.m2/wrapper/dists/apache-maven-$(cat "$root/.mvn/maven-version")" ]; then
    need+=(maven)
  fi
  command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 || need+=(chromium chromium-driver)
  command -v systemd-analyze >/dev/null 2>&1 || optional+=(systemd)
  # the units' system-call filter, applied without systemd (scripts/systemd/seccomp-exec, InstallScriptIT)
  /usr/bin/python3 -c 'import seccomp' >/dev/null 2>&1 || need+=(python3-seccomp)
  [ ${#need[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "lakehouse test: installing Debian packages the tests need: ${need[*]} ${optional[*]}" >&2
    apt-get update -qq >&2
    if [ ${#need[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
    if [ ${#optional[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${optional[@]}" >/dev/null \
        || echo "lakehouse test: ${optional[*]} could not be installed; the units' verification will skip" >&2
    fi
  else
    echo "lakehouse test: missing ${need[*]} ${optional[*]}: install with 'apt-get install ${need[*]} ${optional[*]}' (as root);" \
      "the tests that need them fail (systemd-analyze's skip)" >&2
  fi
}
