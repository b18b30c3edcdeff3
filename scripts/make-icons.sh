#!/usr/bin/env bash
# Draw the app and tray icons with ImageMagick (shapes only: no fonts, so the result is the same on
# every machine). The PNGs are committed; rerun this only to change the artwork.
#
#   app icon: an open book on a rounded dark-teal square
#   tray:     the same book on transparency, with a state badge:
#             idle (none), syncing (blue arrows dot), error (red "!" dot), disconnected (grey book)
set -euo pipefail
cd "$(dirname "$0")/../src-tauri/icons"
# The tray icons belong to the tray process (desktop/, hardcover-sync-desktop).
TRAY=../../desktop/icons

# All drawing happens on a 512 canvas and is scaled down, so every size has the same shape.
book() { # $1 page colour, $2 spine colour
  echo "fill $1 stroke $2 stroke-width 14 stroke-linejoin round \
    polygon 256,150 256,400 80,370 80,120 \
    polygon 256,150 256,400 432,370 432,120 \
    stroke-width 10 line 256,150 256,400"
}

convert -size 512x512 xc:none \
  -fill '#16535c' -draw 'roundrectangle 16,16 496,496 96,96' \
  -draw "$(book '#fdf6e3' '#0b2f34')" \
  -fill none -stroke '#16535c' -strokewidth 8 \
  -draw 'line 110,175 225,192' -draw 'line 110,225 225,242' -draw 'line 110,275 225,292' \
  -draw 'line 287,192 402,175' -draw 'line 287,242 402,225' -draw 'line 287,292 402,275' \
  icon.png
convert icon.png -resize 32x32 32x32.png
convert icon.png -resize 128x128 128x128.png
convert icon.png -resize 256x256 '128x128@2x.png'

tray_base() { # $1 page colour, $2 outline colour, $3 output
  convert -size 512x512 xc:none -draw "$(book "$1" "$2")" "$3"
}
tray_base '#fdf6e3' '#1d1d1d' /tmp/tray-book.png
tray_base '#c8c8c8' '#6e6e6e' /tmp/tray-book-grey.png

convert /tmp/tray-book.png -resize 64x64 "$TRAY/tray-idle.png"
convert /tmp/tray-book-grey.png -resize 64x64 "$TRAY/tray-disconnected.png"
convert /tmp/tray-book.png \
  -fill '#1e88e5' -stroke white -strokewidth 16 -draw 'circle 384,384 384,272' \
  -fill none -stroke white -strokewidth 26 -draw 'arc 322,322 446,446 200,340' \
  -fill white -stroke none -draw 'polygon 430,330 470,380 400,380' \
  -resize 64x64 "$TRAY/tray-syncing.png"
convert /tmp/tray-book.png \
  -fill '#d32f2f' -stroke white -strokewidth 16 -draw 'circle 384,384 384,272' \
  -fill white -stroke none -draw 'roundrectangle 370,308 398,410 10,10' -draw 'circle 384,440 384,458' \
  -resize 64x64 "$TRAY/tray-error.png"
rm -f /tmp/tray-book.png /tmp/tray-book-grey.png
ls -l
