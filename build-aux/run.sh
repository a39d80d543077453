#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds ResilienceScan, installs it for the current user (~/.local, so it is
# in the desktop's application menu) and opens it. Arguments are passed on,
# so `build-aux/run.sh list` runs the command line instead.
set -eu
cd "$(dirname "$0")/.."

build-aux/install-deps.sh

prefix="$HOME/.local"
if [ ! -f build/build.ninja ]; then
  meson setup build --prefix="$prefix"
fi
meson compile -C build
meson install -C build --quiet

binary="$(meson introspect build --buildoptions |
          sed -n 's/.*"name": "prefix", "value": "\([^"]*\)".*/\1/p')/bin/resiliencescan"
[ -x "$binary" ] || binary="$prefix/bin/resiliencescan"

if [ $# -eq 0 ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "Installed $binary; it is in the application menu." >&2
  echo "There is no display here to open the window on." >&2
  exit 1
fi
exec "$binary" "$@"
