#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Subproject test: copy tests/consumer/ (a tiny meson project) to a
# temporary directory, symlink the libnsbox source tree at
# subprojects/nsbox, configure it with --force-fallback-for=nsbox so that
# dependency('nsbox') must come from the subproject's
# meson.override_dependency(), build it and run its program.
#
# Usage: test-consumer.sh SOURCE_ROOT MESON
# Environment: NSBOX_CC, NSBOX_TEST_MUST_WORK=1, NSBOX_TEST_KEEP=1.
# Exit 0 pass, 1 fail, 77 skip.

set -u

src=$1
meson=$2
cc=${NSBOX_CC:-cc}

skip() {
	echo "SKIP: $*"
	if [ "${NSBOX_TEST_MUST_WORK:-0}" = 1 ]; then
		echo "NSBOX_TEST_MUST_WORK=1: a skip is a failure"
		exit 1
	fi
	exit 77
}
die() {
	echo "FAIL: $*"
	exit 1
}
have() {
	set -- $1
	command -v "$1" >/dev/null 2>&1
}

have "$meson" || skip "meson not found"
have ninja || skip "ninja not found"
have "$cc" || skip "C compiler '$cc' not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nsbox-consumer.XXXXXX") || exit 1
if [ "${NSBOX_TEST_KEEP:-0}" = 1 ]; then
	echo "keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT INT TERM
fi

mkdir -p "$tmp/consumer/subprojects" || exit 1
cp "$src/tests/consumer/meson.build" "$src/tests/consumer/consumer.c" "$tmp/consumer/" || exit 1
ln -s "$src" "$tmp/consumer/subprojects/nsbox" || exit 1

echo "== meson setup (consumer, --force-fallback-for=nsbox)"
(cd "$tmp/consumer" && CC=$cc "$meson" setup build --force-fallback-for=nsbox) >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log"; die "meson setup of the consumer failed"; }
grep -E 'Executing subproject nsbox|Dependency nsbox .*found' "$tmp/setup.log" | sed 's/^/   /'
grep -q 'Executing subproject nsbox' "$tmp/setup.log" ||
	{ cat "$tmp/setup.log"; die "the consumer did not use the nsbox subproject"; }
"$meson" compile -C "$tmp/consumer/build" >"$tmp/compile.log" 2>&1 ||
	{ cat "$tmp/compile.log"; die "building the consumer failed"; }
echo "ok   consumer configured and built against subprojects/nsbox"

"$tmp/consumer/build/consumer"
r=$?
case $r in
0) echo "PASS" ;;
77) skip "the consumer built and ran, but spawning needs root" ;;
*) die "the consumer exited $r" ;;
esac
exit 0
