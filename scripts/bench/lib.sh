# What the bench scripts share; sourced after "root" is set:
#   . "$root/scripts/bench/lib.sh"
# Finds the JDK, installs wrk when it is missing, makes $work (a scratch directory) and $pids (the processes
# started), and removes both on exit.
. "$root/bin/jdk.sh"
. "$root/scripts/bench/flags.sh"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_up URL…: until every URL answers 2xx (at most 60 s); says which did not, and fails, otherwise.
wait_up() {
  local url down
  for _ in $(seq 600); do
    down=""
    for url in "$@"; do curl -sf -o /dev/null "$url" || { down=$url; break; }; done
    [ -z "$down" ] && return 0
    sleep 0.1
  done
  echo "not up after 60 s: $down" >&2
  return 1
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # user + system time of a process, in clock ticks
rss_mib() { echo $(( $(awk '/VmRSS/{print $2}' "/proc/$1/status") / 1024 )); }

# wrk_line WIDTH LABEL THREADS URL [SCRIPT]: wrk -c10 for $duration; one line "LABEL  RPS  p50  p99",
# after the count of non-2xx answers if there were any.
wrk_line() {
  local out
  out=$(wrk -t"$3" -c10 -d"$duration" --latency ${5:+-s "$5"} "$4")
  if echo "$out" | grep -q "Non-2xx"; then echo "$2: NON-2xx answers:"; echo "$out" | grep Non-2xx; fi
  echo "$out" | awk -v w="$1" -v l="$2" '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2}
     END{printf "%-" w "s %9s RPS  p50 %-8s p99 %s\n", l, rps, p50, p99}'
}

# wrk_c LABEL CONNECTIONS URL [SCRIPT]: wrk -t1 -cCONNECTIONS for $duration; one line "LABEL  RPS  p50  p99", with the
# count of non-2xx answers when there were any.
wrk_c() {
  wrk -t1 -c"$2" -d"$duration" --latency ${4:+-s "$4"} "$3" | awk -v l="$1" '/Requests\/sec/{rps=$2} /^ +50%/{p50=$2}
    /^ +99%/{p99=$2} /Non-2xx/{bad=$NF} END{printf "%-44s %9s RPS  p50 %-8s p99 %s%s\n", l, rps, p50, p99, bad ? "  NON-2xx: " bad : ""}'
}

# p50_ms FILE: the p50 of a wrk_c line saved in FILE, in milliseconds.
p50_ms() {
  awk '{for (i=1;i<=NF;i++) if ($i=="p50") {v=$(i+1); if (v ~ /us$/) {sub(/us/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v); print v} else {sub(/s/,"",v); print v*1000}}}' "$1"
}

# stack_token NAME: the internal token of a stack started by scripts/cutover/stack.sh (bin/lakehouse up makes it in the
# stack's run directory); daemons behind the gateway answer 401 without it.
stack_token() { cat "$LAKEHOUSE_STACKS/$1/run/internal-token"; }

# bench_stack NAME LOW: the stack of a bench script, as `bin/lakehouse up` starts it, on ports of its own (a random base
# from LOW to LOW+9999, below the ephemeral ports) in $work/stacks/NAME/: sets $base and LAKEHOUSE_STACKS, defines `stack ACTION [DAEMON…]`
# (scripts/cutover/stack.sh, quiet unless it fails) and `port DEFAULT_PORT` (this stack's port for a daemon's default), and stops the
# stack on exit.
bench_stack() {
  export LAKEHOUSE_STACKS="$work/stacks"
  bench_stack_name=$1
  # below the kernel's ephemeral range: a port in it may already be the local end of a daemon's connection to a peer,
  # and the daemon that should listen on it then fails to bind (seen: observerd on a warm `up` of startup.sh)
  local eph span
  eph=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  span=$(( eph - 64 - $2 )); (( span > 10000 )) && span=10000
  (( span > 0 )) || { echo "bench_stack: ports from $2 reach the ephemeral range (from $eph)" >&2; return 1; }
  base=$(( $2 + RANDOM % span ))
  # quiet, but a failed action prints the end of what stack.sh said (a bench must not stop without a reason)
  stack() {
    local out
    out=$("$root/scripts/cutover/stack.sh" "$1" --name "$bench_stack_name" --port-base "$base" "${@:2}" 2>&1) && return 0
    echo "stack $1 failed (ports from $base):" >&2; echo "$out" | tail -20 >&2; return 1
  }
  port() { echo $(( $1 - 4200 + base )); }
  trap 'stack down || true; rm -rf "$work"' EXIT
  mkdir -p "$LAKEHOUSE_STACKS/$1/data"
}
