#!/usr/bin/env bash
# Takes the screenshots in docs/getting-started.md (01-first-start.png … 07-demo.png) from the
# running app under Xvfb at 1280×720, pressing keys and clicking like a first-time user: fresh
# config, the checklist's Minecraft step with Test against a real RCON server (PyPI rconx
# answering like Minecraft), the Triggers page with the Rose row's actions editor, its ▶ Test, a
# connection attempt without internet, and the demo. Its own display, home folder, overlay port
# and RCON port, so a giftdeck already running on this machine changes nothing.
#   docs/img/take-screenshots.sh [BINARY] [PYTHON_WITH_RCONX]
# BINARY defaults to target/debug/giftdeck, PYTHON_WITH_RCONX to python3.
# Needs: apt-get install -y --no-install-recommends xvfb libxcursor1 libxi6 libxkbcommon-x11-0 \
#        imagemagick xdotool (and dbus, gnome-keyring: the password then goes to a keyring of the
#        app's own, as on a streamer's desktop); a Python with `pip install rconx==0.3.0`.
# Pages are switched with Ctrl+1..4 and text typed with xdotool; the few clicks left (a field, a
# row's Edit and ▶ Test, a note's ✖) match the 1280×720 window of the current UI: look at every
# image after a run.
set -euo pipefail
cd "$(dirname "$0")"
bin="$(realpath "${1:-../../target/debug/giftdeck}")"
python="${2:-python3}"
out="$PWD"
scratch="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT

# A display number nobody uses, ports nobody listens on.
display_free() { [ ! -e "/tmp/.X11-unix/X$1" ] && [ ! -e "/tmp/.X$1-lock" ]; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick() { local n; for _ in $(seq 200); do n=$(($1 + RANDOM % $2)); if "$3" "$n"; then echo "$n"; return; fi; done; exit 1; }
display="$(pick 180 60 display_free)"
overlay_port="$(pick 24000 8000 port_free)"
# Minecraft's own RCON port when it is free, so the picture shows the default a streamer sees.
rcon_port=25575
port_free "$rcon_port" || rcon_port="$(pick 32000 8000 port_free)"

cat > "$scratch/minecraft.py" <<'PY'
# A stand-in Minecraft server: rconx (a real RCON server) answering the way Minecraft does.
import sys, rconx
def handle(content, info):
    t = content.text
    if t.startswith("say "): return ""
    if t.startswith("summon "): return "Summoned new " + t.split()[1].split(":")[-1].capitalize()
    if t.startswith("title "): return "Showing new title for " + t.split()[1]
    return "Unknown or incomplete command, see below for error"
rconx.RconServer("127.0.0.1", int(sys.argv[1]), authentication="s3cret", command_handler=handle).serve(
    on_started=lambda: print("ready", flush=True))
PY
"$python" "$scratch/minecraft.py" "$rcon_port" > "$scratch/minecraft.log" 2>&1 &
pids+=($!)
Xvfb ":$display" -screen 0 1280x720x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=":$display"
for _ in $(seq 200); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.05; done
until grep -q ready "$scratch/minecraft.log"; do sleep 0.05; done

home="$scratch/home"
(umask 077 && mkdir -p "$home/.config/giftdeck")
if [ "$rcon_port" != 25575 ]; then
  (umask 077 && printf '{"version": 1, "rcon": {"host": "127.0.0.1", "port": %d, "password": ""}}\n' \
    "$rcon_port" > "$home/.config/giftdeck/settings.json")
fi
run=("$bin" --overlay-port "$overlay_port")
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  run=(dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "${run[@]}")
fi
HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
  XDG_CACHE_HOME="$home/.cache" "${run[@]}" >"$scratch/app.log" 2>&1 &
pids+=($!)
until xdotool search --onlyvisible --name '^giftdeck' >/dev/null 2>&1; do sleep 0.05; done
window="$(xdotool search --onlyvisible --name '^giftdeck' | head -1)"
xdotool windowmove "$window" 0 0 windowsize "$window" 1280 720
sleep 2

# The pointer rests on the status bar before a picture, so no tooltip covers what it shows.
shot() { sleep "${2:-1}"; xdotool mousemove 640 712; sleep 0.3; xdotool mousemove_relative 1 0; sleep 0.3; import -window root "$out/$1"; echo "wrote $out/$1"; }
# A small move after each click or key: egui repaints on input, and a still mouse sends none.
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.2; xdotool mousemove_relative 1 1; sleep 0.3; }
key() { xdotool windowfocus --sync "$window" key "$1"; sleep 0.2; xdotool mousemove_relative 1 1; sleep 0.5; }
typed() { xdotool windowfocus --sync "$window"; click "$1" "$2"; sleep 0.3; xdotool type --delay 25 "$3"; sleep 0.5; }

# A fresh start opens on 📺 Live (Ctrl+1), the checklist above the feed.
key ctrl+1
shot 01-first-start.png 0
typed 238 275 's3cret'                 # step 2: the RCON password
shot 02-minecraft-password.png 0.5
click 88 298                           # Test connection
shot 03-minecraft-done.png 2.5
key ctrl+2                             # 🎁 Triggers
click 370 172                          # ✏ Edit on the Rose row: the actions editor under the table
shot 04-trigger-actions.png 1
click 922 172                          # ▶ Test on the Rose row
sleep 2
key ctrl+1                             # back to 📺 Live: the feed, the queue, the replies
shot 05-trigger-test.png 1
click 1248 672                         # close the "Test: … queued" note
typed 281 16 '@your_name'              # step 1: the TikTok user
key Return                             # Enter in the field connects (no internet here)
shot 06-no-internet.png 6
click 448 16                           # ⏹ Disconnect
sleep 1
click 522 16                           # ▶ Demo
shot 07-demo.png 12
