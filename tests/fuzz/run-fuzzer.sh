#!/bin/sh
# SPDX-License-Identifier: MIT
# Run one libFuzzer target for a bounded time over the committed seed
# corpus and the crash corpus (inputs that once crashed: regressions).
#
#   run-fuzzer.sh FUZZER SEED_DIR CRASH_DIR SECONDS
#
# New inputs go to a temporary directory, never into the source tree. On a
# crash the input is printed as hex and left under /tmp; copy it into
# CRASH_DIR (tests/fuzz/crashes/) with the fix, so that it stays a test.
set -u
fuzzer=$1 seeds=$2 crashes=$3 seconds=$4
if [ "${NSBOX_TEST_VALGRIND:-}" = 1 ]; then
	echo "SKIP: a libFuzzer+ASan binary cannot run under valgrind: exclude suite 'fuzz' from the valgrind setup"
	[ "${NSBOX_TEST_MUST_WORK:-}" = 1 ] && exit 1
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/nsbox-fuzz.XXXXXX") || exit 1
mkdir "$work/corpus" "$work/artifacts"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" "$crashes"
rc=$?
found=0
for f in "$work"/artifacts/*; do
	[ -e "$f" ] || continue
	found=1
	echo "run-fuzzer: $(basename "$fuzzer") found $f:"
	od -A x -t x1z -v "$f" | head -n 64
done
if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
	echo "run-fuzzer: FAILED (exit $rc); inputs kept in $work"
	exit 1
fi
rm -rf "$work"
exit 0
