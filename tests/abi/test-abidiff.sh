#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ABI compatibility: compare the built libnsbox.so with the recorded ABI of
# every release (tests/abi/libnsbox-X.Y.abi, written by abidw; see the
# abi-baseline target in tests/abi/meson.build) using abidiff, restricted to
# the types of the public header.
#   - any change to what is recorded (a function removed, a parameter or
#     return type changed, a public type changed) fails;
#   - added functions pass and are printed: record them with
#     `meson compile -C build abi-baseline` when the release that adds them
#     is tagged (and only then: a recorded release is frozen).
#
# Usage: test-abidiff.sh BASELINE_DIR LIBNSBOX_SO INCLUDE_DIR
# Exit 0 pass, 1 fail, 77 skip (NSBOX_TEST_MUST_WORK=1: skips fail).

set -u

basedir=$1
libso=$2
incdir=$3

skip() {
	echo "SKIP: $*"
	if [ "${NSBOX_TEST_MUST_WORK:-0}" = 1 ]; then
		echo "NSBOX_TEST_MUST_WORK=1: a skip is a failure"
		exit 1
	fi
	exit 77
}

command -v abidiff >/dev/null 2>&1 || skip "abidiff not found (install abigail-tools)"
command -v readelf >/dev/null 2>&1 || skip "readelf not found (install binutils)"
if ! readelf -S "$libso" | grep -q '\.debug_info'; then
	skip "$libso has no debug information (build with -g, e.g. buildtype=debugoptimized)"
fi

found=0
for baseline in "$basedir"/libnsbox-*.abi; do
	[ -f "$baseline" ] || continue
	found=1
	echo "== $(basename "$baseline")"
	# First pass: everything but added functions must be unchanged. abidiff's
	# status is a bit mask: 1 error, 2 usage error, 4 ABI change, 8 incompatible
	# change. A changed parameter or return type is only "4", so any bit fails.
	abidiff --no-added-syms --headers-dir2 "$incdir" --drop-private-types \
		"$baseline" "$libso"
	r=$?
	if [ $((r & 3)) -ne 0 ]; then
		echo "FAIL: abidiff could not compare the ABIs (status $r)"
		exit 1
	fi
	if [ "$r" -ne 0 ]; then
		echo "FAIL: the ABI recorded in $(basename "$baseline") changed (abidiff status $r)"
		exit 1
	fi
	# Second pass, for the record: functions added since the baseline.
	abidiff --headers-dir2 "$incdir" --drop-private-types "$baseline" "$libso" >/dev/null
	if [ $? -ne 0 ]; then
		echo "note: functions were added since $(basename "$baseline"):"
		abidiff --headers-dir2 "$incdir" --drop-private-types "$baseline" "$libso" |
			grep -E "^  \[A\]" || true
		echo "record them with 'meson compile -C BUILDDIR abi-baseline' when their release is tagged"
	fi
	echo "ok   the ABI recorded in $(basename "$baseline") is intact"
done
if [ "$found" -eq 0 ]; then
	echo "FAIL: no ABI baseline $basedir/libnsbox-*.abi"
	exit 1
fi
exit 0
