#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian/Ubuntu packages that building (and, with "test",
# testing, or with "fuzz", fuzzing) ResilienceScan needs. As root or through sudo it runs apt-get; otherwise it
# prints the exact command to run and fails.
set -eu

build_packages="meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev
  libsqlite3-dev libcurl4-openssl-dev libsecret-1-dev libjson-glib-dev libxlsxwriter-dev
  libgsf-1-dev librsvg2-dev
  gettext appstream desktop-file-utils librsvg2-common hicolor-icon-theme
  fonts-dejavu-core"
test_packages="xvfb xauth poppler-utils python3 python3-aiosmtpd python3-openpyxl sqlite3 openssl
  dbus gnome-keyring xdotool
  openbox imagemagick python3-pyatspi at-spi2-core libglib2.0-bin"

# libFuzzer's runtime is in libclang-rt; llvm brings llvm-symbolizer, so the
# sanitizers' reports name functions and lines.
fuzz_packages="clang libclang-rt-14-dev llvm"

packages=$build_packages
case "${1:-}" in
  test) packages="$packages $test_packages" ;;
  fuzz) packages="$packages $fuzz_packages" ;;
esac

missing=""
for package in $packages; do
  if ! dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done

[ -n "$missing" ] || exit 0

echo "Installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
  run=""
elif command -v sudo >/dev/null 2>&1; then
  run="sudo"
else
  echo "These packages are missing. Install them with:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$run apt-get update
# shellcheck disable=SC2086
$run apt-get install -y --no-install-recommends $missing
