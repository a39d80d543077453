#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian/Ubuntu packages that building (and, with "test",
# testing, with "clang", building with Clang, or with "fuzz", fuzzing)
# ResilienceScan needs; several can be given ("test clang"). As root or
# through sudo it runs apt-get; otherwise it prints the exact command to run
# and fails. It fails too, before anything is installed or built, when the
# system's GTK or libadwaita is older than the project needs (Ubuntu 22.04).
set -eu

# The oldest GTK and libadwaita the project builds with (see meson.build).
gtk_floor=4.8
adw_floor=1.2

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
# CI also builds and runs the unit tests with Clang (build-aux/test.sh --clang).
clang_packages="clang"

packages=$build_packages
for kind in "$@"; do
  case "$kind" in
    test) packages="$packages $test_packages" ;;
    fuzz) packages="$packages $fuzz_packages" ;;
    clang) packages="$packages $clang_packages" ;;
    *) echo "install-deps.sh: unknown kind: $kind (test, clang or fuzz)" >&2; exit 2 ;;
  esac
done

# The version of GTK or libadwaita here: the installed one when pkg-config
# knows it, else the one apt-get would install.
version_of ()
{
  if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1" 2>/dev/null; then
    pkg-config --modversion "$1"
  elif command -v apt-cache >/dev/null 2>&1; then
    apt-cache policy "$2" 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9].*\)$/\1/p' | head -n 1
  fi
}

# Fails, saying why, when GTK or libadwaita is older than the floor; $1
# says what was done so far. An unknown version (no pkg-config yet, no
# package lists) is checked again after the installation.
check_floor ()
{
  too_old=""
  gtk=$(version_of gtk4 libgtk-4-dev)
  adw=$(version_of libadwaita-1 libadwaita-1-dev)
  if [ -n "$gtk" ] && dpkg --compare-versions "$gtk" lt "$gtk_floor"; then
    too_old="$too_old
  GTK $gtk (needs $gtk_floor or newer)"
  fi
  if [ -n "$adw" ] && dpkg --compare-versions "$adw" lt "$adw_floor"; then
    too_old="$too_old
  libadwaita $adw (needs $adw_floor or newer)"
  fi
  [ -n "$too_old" ] || return 0
  cat >&2 <<MESSAGE
ResilienceScan cannot be built here: this system's libraries are too old:$too_old
It builds on Debian 12, Ubuntu 24.04 or newer, and Fedora 39 or newer
(Ubuntu 22.04 has GTK 4.6 and libadwaita 1.1). $1
MESSAGE
  exit 1
}

check_floor "Nothing was installed or built."

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
check_floor "The packages were installed; nothing was built."
