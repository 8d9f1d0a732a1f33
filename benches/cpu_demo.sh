#!/usr/bin/env bash
# What the app costs the streamer's machine: runs the real window (`giftdeck --demo`) under Xvfb
# with software GL (llvmpipe, as on a machine without a GPU driver) and reports the CPU it used,
# as % of one core (utime + stime from /proc/PID/stat over the window), and its RSS.
#
#   benches/cpu_demo.sh demo     # the demo stream, 60 s          (target ≤ 3 % of a core)
#   benches/cpu_demo.sh storm    # 1,000 gifts/s, 60 s            (target ≤ 10 % of a core)
#   benches/cpu_demo.sh idle     # connected to nothing, 60 s     (target ~0 %)
#   benches/cpu_demo.sh memory   # the storm for 10 min, RSS every 30 s: memory must stay flat
#   benches/cpu_demo.sh all      # demo, storm and idle
#
# Environment: GIFTDECK_BIN (default target/release/giftdeck; build it with
# `cargo build --release`), SECONDS_MEASURED (default 60), WARMUP_SECONDS (default 10: start-up
# and the first layout are not the steady state), STORM_GIFTS_PER_SEC (default 1000),
# MEMORY_MINUTES (default 10). Needs: apt-get install -y --no-install-recommends xvfb
# libxcursor1 libxi6 libxkbcommon-x11-0. Settings and logs go to a temp HOME: a fresh first run.
#
# When `memory` is not flat, find what grows with heaptrack (apt-get install -y heaptrack) on a
# debug build, run as this script does (`heaptrack target/debug/giftdeck --demo` with
# GIFTDECK_DEMO_STORM set) for a short and a longer time, then diff `heaptrack_print -F stacks
# --flamegraph-cost-type leaked` of the two. Build it with
# `cargo build --bin giftdeck --config 'profile.dev.package.egui.debug-assertions=false'`: a debug
# egui remembers every widget Id's source forever, which swamps everything else. RSS above the live
# heap is the allocator's: /proc/PID/smaps shows it in the [heap] and 64 MiB arena mappings.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-demo}
bin=${GIFTDECK_BIN:-target/release/giftdeck}
measured=${SECONDS_MEASURED:-60}
warmup=${WARMUP_SECONDS:-10}
storm_rate=${STORM_GIFTS_PER_SEC:-1000}
memory_minutes=${MEMORY_MINUTES:-10}

if [ ! -x "$bin" ]; then
  echo "cpu_demo: $bin not found; run: cargo build --release" >&2
  exit 2
fi
if ! command -v Xvfb >/dev/null; then
  echo "cpu_demo: Xvfb missing; run: apt-get install -y --no-install-recommends xvfb libxcursor1 libxi6 libxkbcommon-x11-0" >&2
  exit 2
fi

tick=$(getconf CLK_TCK)
work=$(mktemp -d)
xvfb_pid=""
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A free display number.
source benches/free_display.sh
display=$(free_display 91 140) || { echo "cpu_demo: no free X display" >&2; exit 2; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 1 50); do
  [ -e "/tmp/.X11-unix/X${display#:}" ] && break
  sleep 0.1
done

# utime + stime of a process, in clock ticks (fields 14 and 15; the name in field 2 may hold spaces).
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat")
  stat=${stat##*) }
  # After ") ": field 3 is the first word, so utime (14) is word 12 and stime (15) word 13.
  echo "$stat" | awk '{ print $12 + $13 }'
}

rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# Starts the app in demo mode (storm when $1 > 0, or no demo when $1 is "idle").
start_app() {
  local home="$work/home-$RANDOM"
  mkdir -p "$home"
  local args=(--demo)
  [ "$1" = idle ] && args=()
  if [ "$1" != idle ] && [ "$1" -gt 0 ]; then
    export GIFTDECK_DEMO_STORM="$1"
  else
    unset GIFTDECK_DEMO_STORM
  fi
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
    DISPLAY="$display" GIFTDECK_LOG=warn "$bin" "${args[@]}" >"$work/app.log" 2>&1 &
  app_pid=$!
  sleep "$warmup"
  if ! kill -0 "$app_pid" 2>/dev/null; then
    echo "cpu_demo: the app exited during warm-up:" >&2
    cat "$work/app.log" >&2
    exit 1
  fi
}

stop_app() {
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  app_pid=""
}

# measure LABEL RATE: CPU % of one core and RSS over $measured seconds.
measure() {
  local label=$1 rate=$2
  start_app "$rate"
  local t0 c0 t1 c1
  t0=$(date +%s.%N)
  c0=$(cpu_ticks "$app_pid")
  sleep "$measured"
  c1=$(cpu_ticks "$app_pid")
  t1=$(date +%s.%N)
  local rss
  rss=$(rss_kib "$app_pid")
  stop_app
  awk -v l="$label" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$tick" -v rss="$rss" \
    'BEGIN { printf "%-28s CPU %5.1f %% of one core over %.0f s   RSS %.1f MiB\n", l, (c1 - c0) / hz / (t1 - t0) * 100, t1 - t0, rss / 1024 }'
}

memory() {
  start_app "$storm_rate"
  local samples=$((memory_minutes * 2)) first="" last="" max=0 rss
  echo "RSS during a $memory_minutes-minute storm ($storm_rate gifts/s), every 30 s:"
  local c0 t0
  c0=$(cpu_ticks "$app_pid")
  t0=$(date +%s.%N)
  for i in $(seq 1 "$samples"); do
    sleep 30
    rss=$(rss_kib "$app_pid")
    [ -z "$first" ] && first=$rss
    last=$rss
    [ "$rss" -gt "$max" ] && max=$rss
    printf '  %5d s  %7.1f MiB\n' $((i * 30)) "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')"
  done
  local c1 t1
  c1=$(cpu_ticks "$app_pid")
  t1=$(date +%s.%N)
  stop_app
  awk -v f="$first" -v l="$last" -v m="$max" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$tick" \
    'BEGIN { printf "first %.1f MiB, last %.1f MiB, max %.1f MiB (last - first %+.1f MiB); CPU %.1f %% of one core\n", f / 1024, l / 1024, m / 1024, (l - f) / 1024, (c1 - c0) / hz / (t1 - t0) * 100 }'
}

echo "giftdeck $("$bin" --version 2>/dev/null || echo '?') under Xvfb $display (1280x800, llvmpipe); $(nproc) cores; warm-up ${warmup} s"
case "$mode" in
  demo) measure "demo stream" 0 ;;
  storm) measure "storm, $storm_rate gifts/s" "$storm_rate" ;;
  idle) measure "idle (not connected)" idle ;;
  memory) memory ;;
  all)
    measure "idle (not connected)" idle
    measure "demo stream" 0
    measure "storm, $storm_rate gifts/s" "$storm_rate"
    ;;
  *)
    echo "usage: $0 [demo|storm|idle|memory|all]" >&2
    exit 2
    ;;
esac
