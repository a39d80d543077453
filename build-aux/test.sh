#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds ResilienceScan and runs every test. With --sanitize, the build and
# the tests run under AddressSanitizer and UndefinedBehaviorSanitizer. With
# --clang, it is built with Clang and only the core and cli suites run.
# Every build here turns warnings into errors (-Dwerror=true), so our own
# code stays free of them; a user's own `meson setup` does not.
set -eu
cd "$(dirname "$0")/.."

builddir=build-tests
options="-Dwerror=true"
deps="test"
suites=""
case "${1:-}" in
  --sanitize)
    builddir=build-sanitize
    options="$options -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug"
    ;;
  --clang)
    # Clang warns about things GCC does not (a g_autoptr variable that is
    # set and never read), so CI compiles everything with it too. Only the
    # unit tests of the core and the command line run on this build: the
    # GTK and end-to-end suites take most of CI's 22 minutes and test the
    # same C code, already run on the GCC builds.
    builddir=build-clang
    deps="test clang"
    suites="--suite core --suite cli"
    CC=clang
    export CC
    ;;
esac

# A summary of an earlier run must not stand for this one.
rm -f "$builddir/meson-logs/summary.txt"

# shellcheck disable=SC2086
build-aux/install-deps.sh $deps

if [ ! -f "$builddir/build.ninja" ]; then
  # shellcheck disable=SC2086
  meson setup "$builddir" --prefix=/usr $options
else
  # shellcheck disable=SC2086
  meson configure "$builddir" $options
fi
meson compile -C "$builddir"

status=0
# shellcheck disable=SC2086
meson test -C "$builddir" --print-errorlogs --num-processes 2 $suites || status=$?

# One closing line that any reader of the log can count.
python3 - "$builddir/meson-logs/testlog.json" "$builddir/meson-logs/summary.txt" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    result = json.loads(line)["result"]
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
with open(sys.argv[2], "w") as summary:
    summary.write(f"{passed} {failed} {skipped}\n")
PY
exit $status
