#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Dutch translation has every message of the sources, none fuzzy or empty,
# and POTFILES.in names every file that has translatable strings.
set -u
src=${1:?source root}
cd "$src" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
failed=0
echo "1..5"

# 1. Every file with translatable strings is listed.
missing=""
for f in $(grep -rlE '_\("|N_\("|ngettext \(|C_\("|translatable="yes"' src ui data 2>/dev/null | sort); do
  grep -qx "$f" po/POTFILES.in || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "POTFILES.in is complete"; else not_ok "POTFILES.in misses:$missing"; fi

# 2. The template can be made from the sources.
if xgettext --from-code=UTF-8 --add-comments=Translators --keyword=_ --keyword=N_ \
     --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
     --flag=g_strdup_printf:1:c-format --flag=g_set_error:4:c-format \
     --files-from=po/POTFILES.in --directory="$src" -o "$tmp/all.pot" 2>"$tmp/xgettext.log"; then
  ok "xgettext reads every file"
else
  not_ok "xgettext failed: $(cat "$tmp/xgettext.log")"
fi

# 3. nl.po is well-formed and its format strings match.
if msgfmt --check -o "$tmp/nl.mo" po/nl.po 2>"$tmp/msgfmt.log"; then
  ok "nl.po passes msgfmt --check"
else
  not_ok "msgfmt --check: $(cat "$tmp/msgfmt.log")"
fi

# 4. No fuzzy or untranslated messages.
stats=$(msgfmt --statistics -o /dev/null po/nl.po 2>&1)
case "$stats" in
  *fuzzy*|*untranslated*) not_ok "nl.po is incomplete: $stats" ;;
  *) ok "nl.po: $stats" ;;
esac

# 5. Every message of the sources has a Dutch translation.
if [ -f "$tmp/all.pot" ] && msgcmp po/nl.po "$tmp/all.pot" 2>"$tmp/msgcmp.log"; then
  ok "nl.po translates every message of the sources"
else
  not_ok "$(grep -c "not defined" "$tmp/msgcmp.log") messages have no Dutch translation; first: $(grep -m1 -A0 "not defined" "$tmp/msgcmp.log" | tr -d "\n")"
fi
exit $failed
