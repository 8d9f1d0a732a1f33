#!/usr/bin/env bash
# Time from start to the first frame of the app, under Xvfb, on a fresh config (no settings file):
# eframe keeps the window unmapped until its first frame is painted, so the moment the window
# becomes visible is the first frame. Prints each run and the median.
#   benches/first_frame.sh [BINARY] [RUNS]     (default target/release/giftdeck, 5 runs)
# Needs: apt-get install -y --no-install-recommends xvfb xdotool libxcursor1 libxi6 libxkbcommon-x11-0
set -euo pipefail
bin="${1:-target/release/giftdeck}"
runs="${2:-5}"
# A display nobody uses: on a display with another giftdeck window the search below would find
# that window at once.
source "$(dirname "$0")/free_display.sh"
display=$(free_display 141 190) || { echo "first_frame: no free X display" >&2; exit 2; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
scratch="$(mktemp -d)"
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$scratch"' EXIT
export DISPLAY="$display"
for _ in $(seq 200); do
  xdotool getdisplaygeometry >/dev/null 2>&1 && break
  sleep 0.05
done
if xdotool search --onlyvisible --name '^giftdeck' >/dev/null 2>&1; then
  echo "first_frame: display $display already shows a giftdeck window" >&2
  exit 2
fi
times=()
for run in $(seq "$runs"); do
  home="$scratch/home$run"
  mkdir -p "$home"
  start=$(date +%s%N)
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" "$bin" >/dev/null 2>&1 &
  app=$!
  # Poll every ~10 ms (xdotool's own --sync waits in 0.5 s steps).
  until xdotool search --onlyvisible --name '^giftdeck' >/dev/null 2>&1; do
    if ! kill -0 "$app" 2>/dev/null; then
      echo "the app exited before its first frame" >&2
      exit 1
    fi
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$app"
  wait "$app" 2>/dev/null || true
  millis=$(((end - start) / 1000000))
  times+=("$millis")
  echo "run $run: first frame after $millis ms"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median: $median ms to the first frame ($bin)"
