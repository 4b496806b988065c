#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Install test: configure a fresh build of the source tree with
# --prefix=$TMP/prefix, build and `meson install` it, check the installed
# files and nsbox.pc, then build tests/abi/installed-prog.c out of tree with
# nothing but pkg-config, once against libnsbox.so and once statically
# against libnsbox.a, and run both.
#
# Usage: test-install.sh SOURCE_ROOT MESON PROJECT_VERSION
# Environment: NSBOX_CC (C compiler command, may hold words),
#              NSBOX_TEST_MUST_WORK=1 turns skips into failures,
#              NSBOX_TEST_KEEP=1 keeps the temporary directory.
# Exit 0 pass, 1 fail, 77 skip.

set -u

src=$1
meson=$2
version=$3
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
have pkg-config || skip "pkg-config not found"
have readelf || skip "readelf not found (install binutils)"
have "$cc" || skip "C compiler '$cc' not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nsbox-install.XXXXXX") || exit 1
if [ "${NSBOX_TEST_KEEP:-0}" = 1 ]; then
	echo "keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT INT TERM
fi
prefix=$tmp/prefix

# Configure, build, install. The C compiler is the one of the calling build.
echo "== meson setup --prefix=$prefix"
# Default options but the Check suites (not installed, and slow to build).
CC=$cc "$meson" setup "$tmp/build" "$src" --prefix="$prefix" --libdir=lib \
	-Dtests=false >"$tmp/setup.log" 2>&1 ||
	{ cat "$tmp/setup.log"; die "meson setup failed"; }
"$meson" compile -C "$tmp/build" >"$tmp/compile.log" 2>&1 ||
	{ cat "$tmp/compile.log"; die "build failed"; }
"$meson" install -C "$tmp/build" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; die "meson install failed"; }
(cd "$prefix" && find . \( -type f -o -type l \) ! -path './share/man/*' | LC_ALL=C sort | sed 's/^/   installed /')
echo "   installed $(find "$prefix/share/man" -type f 2>/dev/null | wc -l) man pages"

# The installed files: the one public header, the shared library with its
# SONAME links, the static archive, the pkg-config file.
for f in include/nsbox.h lib/libnsbox.so lib/libnsbox.so.0 "lib/libnsbox.so.$version" \
	lib/libnsbox.a lib/pkgconfig/nsbox.pc; do
	[ -e "$prefix/$f" ] || die "$f was not installed"
done
cmp -s "$src/include/nsbox.h" "$prefix/include/nsbox.h" || die "installed nsbox.h differs from include/nsbox.h"
extra=$(cd "$prefix/include" && find . -type f ! -name nsbox.h)
[ -z "$extra" ] || die "headers other than nsbox.h were installed: $extra"
[ "$(readlink "$prefix/lib/libnsbox.so")" = libnsbox.so.0 ] ||
	die "libnsbox.so -> $(readlink "$prefix/lib/libnsbox.so"), expected libnsbox.so.0"
[ "$(readlink "$prefix/lib/libnsbox.so.0")" = "libnsbox.so.$version" ] ||
	die "libnsbox.so.0 -> $(readlink "$prefix/lib/libnsbox.so.0"), expected libnsbox.so.$version"
soname=$(readelf -d "$prefix/lib/libnsbox.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = libnsbox.so.0 ] || die "installed library SONAME is '$soname'"
# No installed binary may point into the build tree.
for f in $(find "$prefix" -type f); do
	readelf -h "$f" >/dev/null 2>&1 || continue
	if readelf -d "$f" | grep -E '\((RPATH|RUNPATH)\)'; then
		die "installed $f carries an RPATH/RUNPATH"
	fi
done
echo "ok   installed files, symlinks and SONAME"

# pkg-config, as a user would run it.
PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
echo "== nsbox.pc"
sed 's/^/   /' "$prefix/lib/pkgconfig/nsbox.pc"
pkg-config --exists --print-errors nsbox || die "pkg-config cannot find nsbox"
mv=$(pkg-config --modversion nsbox)
[ "$mv" = "$version" ] || die "pkg-config --modversion nsbox is '$mv', expected '$version'"
pkg-config --atleast-version=0.1 nsbox || die "pkg-config --atleast-version=0.1 nsbox fails"
pc_prefix=$(pkg-config --variable=prefix nsbox)
[ "$pc_prefix" = "$prefix" ] || die "nsbox.pc prefix is '$pc_prefix', expected '$prefix'"
cflags=$(pkg-config --cflags nsbox)
libs=$(pkg-config --libs nsbox)
slibs=$(pkg-config --static --libs nsbox)
echo "   --cflags: $cflags"
echo "   --libs: $libs"
echo "   --static --libs: $slibs"
case " $cflags " in
*" -I$prefix/include "*) ;;
*) die "pkg-config --cflags nsbox lacks -I$prefix/include" ;;
esac
for want in "-L$prefix/lib" -lnsbox; do
	case " $libs " in
	*" $want "*) ;;
	*) die "pkg-config --libs nsbox lacks $want" ;;
	esac
done
echo "ok   pkg-config --modversion nsbox = $mv"

# Out of tree: the program knows the installed prefix only through pkg-config.
prog=$src/tests/abi/installed-prog.c
cwarn="-Wall -Wextra -Werror"
echo "== shared: $cc $cwarn installed-prog.c \$(pkg-config --cflags --libs nsbox)"
# shellcheck disable=SC2086
$cc $cwarn "$prog" -o "$tmp/prog-shared" $(pkg-config --cflags --libs nsbox) ||
	die "building against the installed libnsbox.so failed"
readelf -d "$tmp/prog-shared" | grep -q 'NEEDED.*\[libnsbox\.so\.0\]' ||
	die "prog-shared does not need libnsbox.so.0"
echo "== static: $cc $cwarn installed-prog.c \$(pkg-config --cflags nsbox) -Wl,-Bstatic \$(pkg-config --static --libs nsbox) -Wl,-Bdynamic"
# shellcheck disable=SC2086
$cc $cwarn "$prog" -o "$tmp/prog-static" $(pkg-config --cflags nsbox) \
	-Wl,-Bstatic $(pkg-config --static --libs nsbox) -Wl,-Bdynamic ||
	die "building against the installed libnsbox.a failed"
if readelf -d "$tmp/prog-static" | grep -q 'NEEDED.*libnsbox'; then
	die "prog-static still needs libnsbox.so"
fi
echo "ok   both programs built"

rc=0
echo "== run shared (LD_LIBRARY_PATH=$prefix/lib)"
LD_LIBRARY_PATH=$prefix/lib "$tmp/prog-shared"
r=$?
if [ "$r" -ne 0 ] && [ "$r" -ne 77 ]; then
	die "the shared program exited $r"
fi
[ "$r" -eq 77 ] && rc=77
# Prove the loader really used the installed copy.
LD_LIBRARY_PATH=$prefix/lib LD_TRACE_LOADED_OBJECTS=1 "$tmp/prog-shared" |
	grep -q "libnsbox\.so\.0 => $prefix/lib/libnsbox\.so\.0" ||
	die "the shared program did not load $prefix/lib/libnsbox.so.0"
echo "== run static"
"$tmp/prog-static"
r=$?
if [ "$r" -ne 0 ] && [ "$r" -ne 77 ]; then
	die "the static program exited $r"
fi
[ "$r" -eq 77 ] && rc=77

if [ "$rc" -eq 77 ]; then
	skip "built and ran against the installed library, but spawning needs root"
fi
echo "PASS"
exit 0
