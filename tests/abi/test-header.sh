#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The public header stands alone: include/nsbox.h, copied alone into an
# empty directory, compiles warning-free as C99 and C11
# (-pedantic -Werror -Wall -Wextra), as C++11 (and its functions keep C
# linkage: a C++ program links against libnsbox.so), with musl's headers,
# and includes nothing but standard C headers.
#
# Usage: test-header.sh HEADER LIBNSBOX_SO
# Environment: NSBOX_CC (C compiler command, may hold words),
#              NSBOX_CXX (C++ compiler), NSBOX_TEST_MUST_WORK=1.
# Exit 0 pass, 1 fail, 77 skip.

set -u

header=$1
libso=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cc=${NSBOX_CC:-cc}
cxx=${NSBOX_CXX:-c++}

skip() {
	echo "SKIP: $*"
	if [ "${NSBOX_TEST_MUST_WORK:-0}" = 1 ]; then
		echo "NSBOX_TEST_MUST_WORK=1: a skip is a failure"
		exit 1
	fi
	exit 77
}

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# The first word of a compiler command, to check that it exists.
have() {
	set -- $1
	command -v "$1" >/dev/null 2>&1
}

have "$cc" || skip "C compiler '$cc' not found"
have "$cxx" || skip "C++ compiler '$cxx' not found (install g++ or clang)"
have musl-gcc || skip "musl-gcc not found (install musl-tools)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nsbox-header.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/inc"
cp "$header" "$tmp/inc/nsbox.h" || exit 1

# Only <standard C headers>, never a quoted (project) include.
if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$header"; then
	fail "nsbox.h includes a project header"
fi
bad=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<\([^>]*\)>.*/\1/p' "$header" |
	grep -vxE 'stddef\.h|stdint\.h|stdbool\.h|stdarg\.h|limits\.h|inttypes\.h')
if [ -n "$bad" ]; then
	fail "nsbox.h includes non-standard headers: $bad"
fi

printf '#include <nsbox.h>\n#include <nsbox.h>\n' >"$tmp/twice.c"
printf '#include <nsbox.h>\nint main(void) { return nsbox_version() == 0; }\n' >"$tmp/alone.c"

compile() {
	# compile DESCRIPTION COMMAND...
	what=$1
	shift
	if out=$("$@" 2>&1); then
		echo "ok   $what"
	else
		fail "$what"
		echo "     command: $*"
		echo "$out" | sed 's/^/     /'
	fi
}

cwarn="-pedantic -Werror -Wall -Wextra -Wstrict-prototypes -Wundef -Wshadow"
for std in c99 c11; do
	# shellcheck disable=SC2086
	compile "$cc -std=$std $cwarn" $cc -std=$std $cwarn -I"$tmp/inc" -c "$tmp/alone.c" -o "$tmp/alone-$std.o"
	# shellcheck disable=SC2086
	compile "$cc -std=$std, included twice" $cc -std=$std $cwarn -I"$tmp/inc" -c "$tmp/twice.c" -o "$tmp/twice-$std.o"
done
compile "musl-gcc -std=c99 $cwarn" musl-gcc -std=c99 $cwarn -I"$tmp/inc" -c "$tmp/alone.c" -o "$tmp/alone-musl.o"

# C++11: compiles and the declarations have C linkage (extern "C"), shown by
# linking a C++ program against the real library and running it.
cat >"$tmp/alone.cc" <<'EOF'
#include <nsbox.h>
#include <nsbox.h>
int main()
{
	nsbox_config *cfg = 0;
	if (nsbox_config_new(&cfg) != 0)
		return 1;
	int r = nsbox_config_set_namespaces(cfg, NSBOX_NS_UTS);
	nsbox_config_free(cfg);
	return r != 0 || nsbox_version()[0] == '\0';
}
EOF
libdir=$(dirname "$libso")
# shellcheck disable=SC2086
compile "$cxx -std=c++11 -pedantic -Werror -Wall -Wextra" \
	$cxx -std=c++11 -pedantic -Werror -Wall -Wextra -I"$tmp/inc" -c "$tmp/alone.cc" -o "$tmp/alone-cxx.o"
if [ -f "$tmp/alone-cxx.o" ]; then
	# shellcheck disable=SC2086
	compile "C++ program links against $(basename "$libso") (C linkage)" \
		$cxx "$tmp/alone-cxx.o" -o "$tmp/alone-cxx" "$libso" -Wl,-rpath,"$libdir"
	if [ -x "$tmp/alone-cxx" ]; then
		if "$tmp/alone-cxx"; then
			echo "ok   C++ program runs"
		else
			fail "C++ program exited $?"
		fi
	fi
fi

if [ "$failures" -ne 0 ]; then
	echo "$failures failure(s)"
	exit 1
fi
exit 0
