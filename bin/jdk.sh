# Sourced by bin/lakehouse, mvnw and scripts: exports JAVA_HOME pointing at a
# JDK 21 or newer. Order: $JAVA_HOME if it is >= 21, else the newest JDK under
# /usr/lib/jvm that is >= 21. The machine's default `java` (17) is never used.

lakehouse_jdk_major() {  # $1 = a JDK home; prints its major version or nothing
  local release="$1/release" v
  [ -x "$1/bin/javac" ] && [ -f "$release" ] || return 0
  v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release")
  [ "$v" = 1 ] && v=8   # 1.8 and older
  printf '%s' "$v"
}

lakehouse_find_jdk() {
  local best="" best_major=0 dir major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(lakehouse_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      return 0
    fi
  fi
  for dir in /usr/lib/jvm/*; do
    [ -d "$dir" ] && [ ! -L "$dir" ] || continue
    major=$(lakehouse_jdk_major "$dir")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$dir" best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "lakehouse: a JDK 21 or newer is needed and none was found (JAVA_HOME=${JAVA_HOME:-unset}, nothing >= 21 under /usr/lib/jvm); install one (e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+) or point JAVA_HOME at it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
}

lakehouse_find_jdk || exit 1
export PATH="$JAVA_HOME/bin:$PATH"
