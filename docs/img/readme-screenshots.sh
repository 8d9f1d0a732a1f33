#!/usr/bin/env bash
# Retakes the README's pictures of the Live page with the demo stream running, at 1280×720 and at
# 1920×1080, from the real app under Xvfb (its own display, home folder and overlay port, so a
# giftdeck already running on this machine changes nothing).
#   docs/img/readme-screenshots.sh [BINARY]
# Needs: apt-get install -y --no-install-recommends xvfb libxcursor1 libxi6 libxkbcommon-x11-0 \
#        imagemagick xdotool (and dbus, gnome-keyring: the app then keeps its secrets in a keyring
#        of its own, as on a streamer's desktop, instead of warning that there is none).
# Run it whenever the UI changes, and look at both pictures.
set -euo pipefail
cd "$(dirname "$0")"
bin="$(realpath "${1:-../../target/debug/giftdeck}")"
out="$PWD"
scratch="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT

# A display number nobody uses, an overlay port nobody listens on.
display_free() { [ ! -e "/tmp/.X11-unix/X$1" ] && [ ! -e "/tmp/.X$1-lock" ]; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick() { local n; for _ in $(seq 200); do n=$(($1 + RANDOM % $2)); if "$3" "$n"; then echo "$n"; return; fi; done; exit 1; }

take() { # WIDTH HEIGHT FILE
  local width="$1" height="$2" file="$3" display port home window
  display="$(pick 140 300 display_free)"
  port="$(pick 24000 8000 port_free)"
  Xvfb ":$display" -screen 0 "${width}x${height}x24" -nolisten tcp >/dev/null 2>&1 &
  local xvfb=$!
  pids+=($xvfb)
  export DISPLAY=":$display"
  until xdotool getdisplaygeometry >/dev/null 2>&1; do sleep 0.05; done
  home="$scratch/home-$width"
  (umask 077 && mkdir -p "$home/.config/giftdeck")
  # A streamer's window mid-stream: the first-run checklist already hidden.
  (umask 077 && printf '{"version": 1, "setup": {"hidden": true}}\n' > "$home/.config/giftdeck/settings.json")
  local run=("$bin" --demo --overlay-port "$port")
  if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    run=(dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "${run[@]}")
  fi
  HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
    XDG_CACHE_HOME="$home/.cache" "${run[@]}" >"$scratch/app-$width.log" 2>&1 &
  local app=$!
  pids+=($app)
  until xdotool search --onlyvisible --name '^giftdeck' >/dev/null 2>&1; do sleep 0.05; done
  window="$(xdotool search --onlyvisible --name '^giftdeck' | head -1)"
  xdotool windowmove "$window" 0 0 windowsize "$window" "$width" "$height"
  # The pointer rests on the status bar, so no tooltip covers anything; the demo fills the feed.
  xdotool mousemove $((width / 2)) $((height - 6))
  sleep 25
  xdotool mousemove_relative 1 0
  sleep 0.5
  import -window root "$out/$file"
  echo "wrote $out/$file"
  kill "$app" "$xvfb"
  wait "$app" "$xvfb" 2>/dev/null || true
}

take 1280 720 readme-live-1280x720.png
take 1920 1080 readme-live-1920x1080.png
