#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# build-aux/install-deps.sh refuses, before anything is installed or built,
# a system whose GTK or libadwaita is older than the floor (Ubuntu 22.04),
# and lets a new enough one through. pkg-config, apt-cache, dpkg-query,
# apt-get and sudo are stand-ins in PATH: nothing is installed, and the
# stand-in apt-get only records that it was called.
set -u
script=${1:?path of build-aux/install-deps.sh}
echo "1..7"
if ! command -v dpkg >/dev/null 2>&1; then
  echo "ok 1 # SKIP no dpkg to compare versions with"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }

fakes="$tmp/bin"
mkdir -p "$fakes"

# Knows gtk4 and libadwaita-1 at $FAKE_GTK and $FAKE_ADW once installed
# (always, or after the stand-in apt-get ran with FAKE_INSTALLED=later).
cat >"$fakes/pkg-config" <<'EOF'
#!/bin/sh
[ "$FAKE_INSTALLED" = yes ] || [ -f "$FAKE_STATE/installed" ] || exit 1
case "$2" in
  gtk4) version=$FAKE_GTK ;;
  libadwaita-1) version=$FAKE_ADW ;;
  *) exit 1 ;;
esac
case "$1" in
  --exists) exit 0 ;;
  --modversion) echo "$version" ;;
  *) exit 1 ;;
esac
EOF
# The versions apt-get would install, as apt-cache policy shows them.
cat >"$fakes/apt-cache" <<'EOF'
#!/bin/sh
case "$2" in
  libgtk-4-dev) candidate=$FAKE_GTK_CANDIDATE ;;
  libadwaita-1-dev) candidate=$FAKE_ADW_CANDIDATE ;;
  *) candidate="(none)" ;;
esac
printf '%s:\n  Installed: (none)\n  Candidate: %s\n' "$2" "$candidate"
EOF
cat >"$fakes/dpkg-query" <<'EOF'
#!/bin/sh
if [ "$FAKE_INSTALLED" = yes ] || [ -f "$FAKE_STATE/installed" ]; then
  echo "install ok installed"
else
  exit 1
fi
EOF
cat >"$fakes/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >>"$FAKE_STATE/apt-get"
[ "$1" != install ] || touch "$FAKE_STATE/installed"
EOF
cat >"$fakes/sudo" <<'EOF'
#!/bin/sh
exec "$@"
EOF
chmod +x "$fakes"/*

# Runs install-deps.sh (with $kinds) with the stand-ins and the given
# FAKE_ settings; leaves its exit status in $status, its error output in
# $tmp/err.
kinds=""
run ()
{
  rm -rf "$tmp/state"
  mkdir -p "$tmp/state"
  status=0
  env PATH="$fakes:$PATH" FAKE_STATE="$tmp/state" FAKE_INSTALLED=yes \
    FAKE_GTK= FAKE_ADW= FAKE_GTK_CANDIDATE="(none)" FAKE_ADW_CANDIDATE="(none)" \
    "$@" sh "$script" $kinds >"$tmp/out" 2>"$tmp/err" || status=$?
}

said () { grep -qF -- "$1" "$tmp/err"; }
installed () { [ -f "$tmp/state/apt-get" ]; }

# 1. Ubuntu 22.04 with its -dev packages installed: refused, both named.
run FAKE_GTK=4.6.9 FAKE_ADW=1.1.7
if [ $status -ne 0 ] && said "GTK 4.6.9 (needs 4.8 or newer)" &&
   said "libadwaita 1.1.7 (needs 1.2 or newer)" && said "Ubuntu 24.04" && ! installed; then
  ok "installed GTK 4.6 and libadwaita 1.1 are refused, naming both"
else
  not_ok "installed GTK 4.6 and libadwaita 1.1: status $status, $(cat "$tmp/err")"
fi

# 2. Ubuntu 22.04 with nothing installed yet: refused by the versions
#    apt-get would install, before it runs.
run FAKE_INSTALLED=no FAKE_GTK_CANDIDATE=4.6.9+ds-0ubuntu0.22.04.2 \
  FAKE_ADW_CANDIDATE=1.1.7-1~ubuntu22.04.1
if [ $status -ne 0 ] && said "GTK 4.6.9+ds-0ubuntu0.22.04.2 (needs 4.8 or newer)" &&
   said "Nothing was installed or built." && ! installed; then
  ok "GTK 4.6 and libadwaita 1.1 to be installed are refused before apt-get runs"
else
  not_ok "candidates GTK 4.6 and libadwaita 1.1: status $status, apt-get $(installed && echo ran),
  $(cat "$tmp/err")"
fi

# 3. Only libadwaita too old: only it is named.
run FAKE_GTK=4.8.3 FAKE_ADW=1.1.7
if [ $status -ne 0 ] && said "libadwaita 1.1.7" && ! said "GTK 4.8.3"; then
  ok "only an old libadwaita is named"
else
  not_ok "GTK 4.8.3 and libadwaita 1.1.7: status $status, $(cat "$tmp/err")"
fi

# 4. Debian 12: GTK 4.8.3, libadwaita 1.2.2, everything installed.
run FAKE_GTK=4.8.3 FAKE_ADW=1.2.2
if [ $status -eq 0 ] && [ ! -s "$tmp/err" ] && ! installed; then
  ok "GTK 4.8.3 and libadwaita 1.2.2 pass, nothing to install"
else
  not_ok "GTK 4.8.3 and libadwaita 1.2.2: status $status, $(cat "$tmp/err")"
fi

# 5. Debian 12 with nothing installed: apt-get installs, and it passes.
run FAKE_INSTALLED=later FAKE_GTK=4.8.3 FAKE_ADW=1.2.2 \
  FAKE_GTK_CANDIDATE=4.8.3+ds-2+deb12u1 FAKE_ADW_CANDIDATE=1.2.2-1
if [ $status -eq 0 ] && installed; then
  ok "GTK 4.8 and libadwaita 1.2 to be installed are installed"
else
  not_ok "candidates GTK 4.8.3 and libadwaita 1.2.2: status $status, $(cat "$tmp/err")"
fi

# 6. No package lists to tell the versions beforehand: what was installed
#    is checked after apt-get, before anything is built.
run FAKE_INSTALLED=later FAKE_GTK=4.6.9 FAKE_ADW=1.1.7
if [ $status -ne 0 ] && installed && said "GTK 4.6.9 (needs 4.8 or newer)" &&
   said "nothing was built"; then
  ok "GTK 4.6 found only after installing is refused before building"
else
  not_ok "GTK 4.6 after installing: status $status, $(cat "$tmp/err")"
fi

# 7. A kind it does not know is an error, not silently nothing.
kinds=tests
run FAKE_GTK=4.8.3 FAKE_ADW=1.2.2
kinds=""
if [ $status -eq 2 ] && said "unknown kind: tests"; then
  ok "an unknown kind is refused"
else
  not_ok "unknown kind: status $status, $(cat "$tmp/err")"
fi

exit $failed
