#!/bin/sh
# SPDX-License-Identifier: MIT
# FFI test: build examples/rust/nsbox_example.rs with plain rustc (no cargo,
# no crates) against the freshly built libnsbox and run it, as the caller
# and, when the caller is root, again as uid/gid 65534 (the unprivileged
# user-namespace path).
#
#   test_rust.sh RUSTC EXAMPLES_RUST_DIR LIBNSBOX_SO
#
# RUSTC is empty when meson found no rustc: the test then skips with 77.
# That skip is allowed even under NSBOX_TEST_MUST_WORK=1 (CI): rustc is an
# optional tool of the build, not something the library needs.
set -eu

rustc=$1 src=$2 lib=$3

if [ "${NSBOX_TEST_VALGRIND:-}" = 1 ]; then
	echo "SKIP: the FFI tests do not run under valgrind (it would only wrap this shell)"
	exit 77
fi
if [ -z "$rustc" ]; then
	echo "SKIP: rustc not found at configure time (install Debian's rustc, or put rustc in PATH and reconfigure)."
	echo "      This skip is allowed even with NSBOX_TEST_MUST_WORK=1: the Rust example is optional."
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The unprivileged run needs to reach the program and the library.
chmod 755 "$tmp"
cp "$lib" "$tmp/libnsbox.so.0"
ln -s libnsbox.so.0 "$tmp/libnsbox.so"

echo "+ $("$rustc" --version)"
echo "+ $rustc --edition 2021 -L $tmp -l nsbox -o $tmp/nsbox_example $src/nsbox_example.rs"
"$rustc" --edition 2021 -L "$tmp" -l nsbox -o "$tmp/nsbox_example" "$src/nsbox_example.rs"
chmod 755 "$tmp/nsbox_example"

cd "$tmp"
rc=0
LD_LIBRARY_PATH="$tmp" "$tmp/nsbox_example" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"

if [ "$(id -u)" -eq 0 ]; then
	if ! command -v setpriv >/dev/null 2>&1; then
		echo "FAIL: setpriv (util-linux) is needed to run the example as uid 65534"
		exit 1
	fi
	echo "+ again as uid 65534: setpriv --reuid=65534 --regid=65534 --clear-groups"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env LD_LIBRARY_PATH="$tmp" "$tmp/nsbox_example" || rc=$?
else
	echo "(not root: the run above was the unprivileged one)"
fi
exit "$rc"
