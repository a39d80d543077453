#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command on a private session bus with a private, unlocked GNOME
# keyring on it: the tests talk to a real Secret Service and never to the
# user's own keyring.
set -eu

if [ -z "${RS_TEST_PRIVATE_BUS:-}" ]; then
  RS_TEST_PRIVATE_BUS=1 exec dbus-run-session -- "$0" "$@"
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -m 700 "$dir/run"
export HOME="$dir" XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/run"

# The login keyring is made on first unlock, with this password from stdin.
# The daemon warns about harmless things, which G_DEBUG=fatal-warnings (meant
# for the test) would turn into a crash.
printf 'test-keyring' | env -u G_DEBUG gnome-keyring-daemon --unlock --components=secrets >/dev/null

# Until the daemon owns its name on the bus (at most 10 s on a loaded
# machine). Asking the Secret Service itself before that would have the bus
# start a second daemon, one without the unlocked keyring.
tries=0
until gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null |
    grep -q true; do
  tries=$((tries + 1))
  if [ "$tries" -ge 100 ]; then
    echo "with-keyring.sh: the keyring did not start" >&2
    exit 1
  fi
  sleep 0.1
done

"$@"
