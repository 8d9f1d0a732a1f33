#!/usr/bin/env bash
# Takes the screenshots in docs/getting-started.md from the running app under Xvfb, clicking and
# typing with xdotool like a first-time user: fresh config, Minecraft server step with Test against
# a real RCON server (PyPI rconx answering like Minecraft), a trigger's editor and its Test, a
# connection attempt without internet, and the demo.
#   docs/img/take-screenshots.sh PYTHON_WITH_RCONX [BINARY]
# Needs: apt-get install -y --no-install-recommends xvfb libxcursor1 libxi6 libxkbcommon-x11-0 \
#        imagemagick xdotool; a Python with `pip install rconx==0.3.0`.
# The click positions match the 1280×800 window of the current UI; check every image after a run.
set -euo pipefail
cd "$(dirname "$0")"
python="$1"
bin="$(realpath "${2:-../../target/debug/giftdeck}")"
out="$PWD"
scratch="$(mktemp -d)"
display=":$((60 + RANDOM % 9))"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT

cat > "$scratch/minecraft.py" <<'PY'
# A stand-in Minecraft server: rconx (a real RCON server) answering the way Minecraft does.
import sys, rconx
def handle(content, info):
    t = content.text
    if t.startswith("say "): return ""
    if t.startswith("summon "): return "Summoned new " + t.split()[1].split(":")[-1].capitalize()
    if t.startswith("title "): return "Showing new title for " + t.split()[1]
    return "Unknown or incomplete command, see below for error"
rconx.RconServer("127.0.0.1", 25575, authentication="s3cret", command_handler=handle).serve(
    on_started=lambda: print("ready", flush=True))
PY
"$python" "$scratch/minecraft.py" > "$scratch/minecraft.log" 2>&1 &
pids+=($!)
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY="$display"
until xdotool getdisplaygeometry >/dev/null 2>&1; do sleep 0.05; done
until grep -q ready "$scratch/minecraft.log"; do sleep 0.05; done

home="$scratch/home"
mkdir -p "$home"
# Its own overlay port: a giftdeck already running on this machine must not change the pictures.
HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" "$bin" \
  --overlay-port "$((24000 + RANDOM % 1000))" >"$scratch/app.log" 2>&1 &
pids+=($!)
until xdotool search --onlyvisible --name '^giftdeck' >/dev/null 2>&1; do sleep 0.05; done
window="$(xdotool search --onlyvisible --name '^giftdeck' | head -1)"
sleep 1.5

# The pointer rests on the status bar before a picture, so no tooltip covers what it shows.
shot() { sleep "${2:-1}"; xdotool mousemove 640 790; sleep 0.3; import -window root "$out/$1"; }
# A small move after each click: egui repaints on input, and a still mouse sends none.
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.2; xdotool mousemove_relative 1 1; }
typed() { xdotool windowfocus --sync "$window"; click "$1" "$2"; sleep 0.5; xdotool type --delay 25 "$3"; sleep 0.5; }

shot 01-first-start.png 0
typed 238 224 's3cret'                 # step 2: RCON password
shot 02-minecraft-password.png 0.5
click 88 247                           # Test connection
shot 03-minecraft-done.png 2.5
click 370 542                          # Edit on the Rose row
shot 04-trigger-actions.png 1
click 558 33                           # close the editor
sleep 0.5
click 655 542                          # ▶ Test on the Rose row
shot 05-trigger-test.png 2.5
click 1248 67                          # close the "Test: … queued" note
typed 281 16 '@your_name'              # step 1: the TikTok user
click 440 16                           # Connect (no internet here)
shot 06-no-internet.png 6
click 448 16                           # Disconnect
sleep 1
click 522 16                           # Demo
shot 07-demo.png 8
echo "screenshots written to $out"
