#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a temporary root and checks that the installed
# .desktop file is valid and launches the installed binary.
set -u
build=${1:?build root}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
echo "1..6"

if meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/root" >"$tmp/install.log" 2>&1; then
  ok "meson install into a temporary root"
else
  not_ok "meson install failed: $(tail -5 "$tmp/install.log")"
  exit 1
fi

prefix=$(meson introspect "$build" --buildoptions 2>/dev/null |
         python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
root="$tmp/root$prefix"
desktop="$root/share/applications/org.resiliencescan.ResilienceScan.desktop"

# Hints count too: two main categories put the entry in the menu twice.
if desktop-file-validate "$desktop" >"$tmp/validate.log" 2>&1 && [ ! -s "$tmp/validate.log" ]; then
  ok "installed .desktop file is valid, without hints"
else
  not_ok "desktop-file-validate: $(cat "$tmp/validate.log")"
fi

for f in share/metainfo/org.resiliencescan.ResilienceScan.metainfo.xml \
         share/glib-2.0/schemas/org.resiliencescan.ResilienceScan.gschema.xml \
         share/icons/hicolor/scalable/apps/org.resiliencescan.ResilienceScan.svg \
         share/icons/hicolor/symbolic/apps/org.resiliencescan.ResilienceScan-symbolic.svg; do
  [ -f "$root/$f" ] || missing="${missing:-} $f"
done
if [ -z "${missing:-}" ]; then ok "metainfo, schema and icons installed"; else not_ok "not installed:$missing"; fi

if [ -f "$root/share/locale/nl/LC_MESSAGES/resiliencescan.mo" ]; then
  ok "Dutch translation installed"
else
  not_ok "Dutch translation not installed"
fi

# The Exec line, run the way a launcher runs it, starts the installed binary.
exec_line=$(sed -n 's/^Exec=//p' "$desktop" | head -n 1)
binary=$(echo "$exec_line" | cut -d' ' -f1)
resolved=$(PATH="$root/bin:/usr/bin:/bin" command -v "$binary")
if [ "$resolved" = "$root/bin/resiliencescan" ]; then
  ok "Exec=$exec_line resolves to the installed binary"
else
  not_ok "Exec=$exec_line resolves to '$resolved', not $root/bin/resiliencescan"
fi

version=$(PATH="$root/bin:/usr/bin:/bin" "$binary" --version 2>&1)
case "$version" in
  "ResilienceScan "*) ok "installed binary runs: $version" ;;
  *) not_ok "installed binary --version said: $version" ;;
esac
exit $failed
