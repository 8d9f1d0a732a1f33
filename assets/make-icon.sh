#!/usr/bin/env bash
# Draws assets/giftdeck.png (256×256, the window/taskbar icon and the .desktop icon) with
# ImageMagick: a gift box in TikTok pink with a cyan ribbon and bow, on a dark rounded square.
# Re-run after editing: `assets/make-icon.sh` (needs Debian's `imagemagick`: /usr/bin/convert).
set -euo pipefail
cd "$(dirname "$0")"
/usr/bin/convert -size 256x256 xc:none \
  -fill '#1c1b29' -draw 'roundrectangle 8,8 247,247 48,48' \
  -fill '#fe2c55' -draw 'roundrectangle 52,112 204,214 10,10' \
  -fill '#ff4d6f' -draw 'roundrectangle 40,84 216,124 10,10' \
  -fill '#25f4ee' -draw 'rectangle 114,84 142,214' \
  -fill '#25f4ee' -stroke '#25f4ee' -strokewidth 3 \
  -draw 'path "M 128,84 C 100,40 62,52 76,74 C 84,86 110,86 128,84 Z"' \
  -draw 'path "M 128,84 C 156,40 194,52 180,74 C 172,86 146,86 128,84 Z"' \
  -stroke none -fill '#1c1b29' \
  -draw 'ellipse 96,70 9,6 0,360' -draw 'ellipse 160,70 9,6 0,360' \
  -fill '#25f4ee' -draw 'roundrectangle 118,72 138,92 6,6' \
  -strip PNG32:giftdeck.png
