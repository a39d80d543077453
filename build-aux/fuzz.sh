#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer target of tests/fuzz with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, runs it over its seed corpus, then fuzzes it
# for FUZZ_SECONDS (60 by default). Fails when any input crashes, leaks or
# hangs; the input is kept in build-fuzz/fuzz-artifacts/.
set -eu
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
builddir=build-fuzz

sh build-aux/install-deps.sh fuzz

fail ()
{
  echo "$1" >&2
  # One closing line that any reader of the log can count.
  echo "fuzz: 0 passed, 1 failed"
  exit 1
}

# The whole project is configured, but only the fuzz target is built.
if [ ! -f "$builddir/build.ninja" ]; then
  CC=clang meson setup "$builddir" -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false ||
    fail "fuzz: could not configure $builddir"
fi
for target in fuzz-master fuzz-xlsx; do
  meson compile -C "$builddir" "tests/fuzz/$target" ||
    fail "fuzz: could not build $target"
done

# GSlice would hide a use after free of a GError from ASan; the symbolizer
# turns addresses into lines.
G_SLICE=always-malloc
LC_ALL=C.UTF-8
ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer || true)}
export G_SLICE LC_ALL ASAN_SYMBOLIZER_PATH

meson test -C "$builddir" --no-rebuild --print-errorlogs --suite fuzz ||
  fail "fuzz: a seed of tests/fuzz/corpus fails"

# On a copy, so what the fuzzer adds to the corpus stays out of the repository.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
artifacts="$builddir/fuzz-artifacts"
mkdir -p "$artifacts"

# Each target for $seconds: the CSV reader and the master mapping, then the
# workbook reader. The full log has a line per new input; CI shows the
# summary, or the report.
for target in fuzz-master:corpus fuzz-xlsx:corpus-xlsx; do
  name=${target%%:*}
  corpus=${target#*:}
  cp -R "tests/fuzz/$corpus" "$work/$corpus"
  log="$builddir/meson-logs/$name.log"
  echo "fuzz: fuzzing $name for $seconds s (log: $log)"
  if "$builddir/tests/fuzz/$name" "$work/$corpus" \
       -max_total_time="$seconds" \
       -timeout=10 \
       -rss_limit_mb=2048 \
       -max_len=65536 \
       -print_final_stats=1 \
       -artifact_prefix="$artifacts/$name-" >"$log" 2>&1; then
    grep -E '^INFO: seed corpus|^#[0-9]+[[:space:]]+(INITED|DONE)|^Done |^stat::' "$log" || true
  else
    tail -n 100 "$log" >&2
    fail "fuzz: $name failed; reproduce with
  $builddir/tests/fuzz/$name $artifacts/$name-<input>"
  fi
done

echo "fuzz: 2 passed, 0 failed"
