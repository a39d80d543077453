#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds ResilienceScan and runs every test. With --sanitize, the build and
# the tests run under AddressSanitizer and UndefinedBehaviorSanitizer.
set -eu
cd "$(dirname "$0")/.."

build-aux/install-deps.sh test

builddir=build-tests
options=""
if [ "${1:-}" = "--sanitize" ]; then
  builddir=build-sanitize
  options="-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug"
fi

if [ ! -f "$builddir/build.ninja" ]; then
  # shellcheck disable=SC2086
  meson setup "$builddir" --prefix=/usr $options
fi
meson compile -C "$builddir"

status=0
meson test -C "$builddir" --print-errorlogs --num-processes 2 || status=$?

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
