#!/usr/bin/env bash
# Runs the Windows release build (giftdeck.exe) under Wine on Linux, as far as Wine can stand in for
# Windows: `--version` and `--help`, `replay` of every fixture capture compared byte for byte with
# the Linux build's output, the time to the first frame (benches/first_frame.sh) and a screenshot of
# the demo under Xvfb (docs/img/windows-wine-demo.png).
#   benches/windows_wine.sh        (after both release builds:
#                                   cargo build --release --bin giftdeck
#                                   cargo build --release --target x86_64-pc-windows-gnu --bin giftdeck)
# Needs: apt-get install -y --no-install-recommends wine wine64 gcc-mingw-w64-x86-64 xvfb xdotool \
#        imagemagick libxcursor1 libxi6 libxkbcommon-x11-0
# Debian's Wine 8 has no bcryptprimitives.dll, where Rust's std gets its random numbers on Windows 10+
# (ProcessPrng). A stand-in built here with mingw forwards it to advapi32's RtlGenRandom; it goes into
# this script's own Wine prefix only and is not part of what ships.
set -euo pipefail
cd "$(dirname "$0")/.."
exe="$PWD/target/x86_64-pc-windows-gnu/release/giftdeck.exe"
linux="$PWD/target/release/giftdeck"
for f in "$exe" "$linux"; do
  [ -x "$f" ] || { echo "windows_wine: $f not found (see the header for the builds)" >&2; exit 2; }
done
scratch="$(mktemp -d)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; WINEPREFIX="$scratch/prefix" wineserver -k 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wineboot -i >/dev/null 2>&1

cat > "$scratch/prng.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
C
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  "$scratch/prng.c" -ladvapi32

cat > "$scratch/giftdeck-wine" <<SH
#!/bin/sh
WINEPREFIX="$WINEPREFIX" WINEDEBUG=-all exec wine "$exe" "\$@"
SH
chmod +x "$scratch/giftdeck-wine"
run() { "$scratch/giftdeck-wine" "$@"; }

echo "giftdeck.exe: $(stat -c %s "$exe") bytes; $(wine --version)"
echo "--version: $(run --version)"
run --help | grep -q "replay" && echo "--help: lists the subcommands"
failed=0
for capture in tests/data/*.bin; do
  if [ "$(run replay "$capture" --events --mappings tests/data/events_mappings.json 2>/dev/null | md5sum)" \
    = "$("$linux" replay "$capture" --events --mappings tests/data/events_mappings.json 2>/dev/null | md5sum)" ]; then
    echo "replay $capture: same output as Linux"
  else
    echo "replay $capture: DIFFERS from Linux" >&2
    failed=1
  fi
done

# Wine's desktop process stays bound to the display it first saw (none, for the commands above):
# end this prefix's wineserver before each part that opens a window on another display.
fresh_wineserver() { wineserver -k 2>/dev/null || true; wineserver -w 2>/dev/null || true; }
fresh_wineserver
benches/first_frame.sh "$scratch/giftdeck-wine" 3
fresh_wineserver

source benches/free_display.sh
display=$(free_display 191 230) || { echo "windows_wine: no free X display" >&2; exit 2; }
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY="$display"
until xdotool getdisplaygeometry >/dev/null 2>&1; do sleep 0.05; done
HOME="$scratch/home" run --demo --overlay-port "$((24000 + RANDOM % 1000))" >"$scratch/app.log" 2>&1 &
pids+=($!)
until xdotool search --onlyvisible --name '^giftdeck' >/dev/null 2>&1; do sleep 0.1; done
sleep 12 # the demo's first gifts, follows and commands
import -window "$(xdotool search --onlyvisible --name '^giftdeck' | head -1)" docs/img/windows-wine-demo.png
echo "screenshot: docs/img/windows-wine-demo.png"
exit "$failed"
