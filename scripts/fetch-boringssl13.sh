#!/usr/bin/env bash
# Puts Debian 12's own BoringSSL (android-libboringssl 13.0.0+r24, the
# Android 13 snapshot) into the build tree, beside the system one (Android 14
# from bookworm-backports), so that one run can hold both: the build
# configures a backend boringssl-a13 against it when it is there
# (HSBENCH_BORINGSSL13_DIR, CMakeLists.txt). Nothing is installed: the two
# packages are downloaded with apt-get download (verified against apt's
# signed lists) and unpacked with dpkg-deb.
#
#   scripts/fetch-boringssl13.sh [DIR]     (default: build/libs/boringssl-13)
#
# DIR gets include/openssl/*.h and lib/lib{crypto,ssl}.so{,.0}. When DIR
# already holds them, nothing is fetched.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir=${1:-$root/build/libs/boringssl-13}
version=13.0.0+r24-2

die() { echo "fetch-boringssl13: error: $*" >&2; exit 1; }

if [[ -f $dir/include/openssl/base.h && -f $dir/lib/libcrypto.so.0 && -f $dir/lib/libssl.so.0 ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  die "apt-get and dpkg-deb are needed (Debian 12)"
fi

mkdir -p "$(dirname "$dir")"
work=$(mktemp -d "$(dirname "$dir")/.boringssl-13.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "fetch-boringssl13: downloading android-libboringssl $version into $dir" >&2
if ! (cd "$work" && apt-get download -q=2 "android-libboringssl=$version" \
        "android-libboringssl-dev=$version" >"$work/apt.log" 2>&1); then
  die "apt-get download of android-libboringssl $version failed ($(grep -m1 '^E:' "$work/apt.log" || echo 'see apt-get'); run apt-get update?)"
fi
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$work/root" || die "cannot unpack $deb"
done
libdir=$(find "$work/root/usr/lib" -mindepth 2 -maxdepth 2 -type d -name android -print -quit)
[[ -n $libdir && -f $libdir/libcrypto.so.0 && -f $work/root/usr/include/android/openssl/base.h ]] \
  || die "the packages of android-libboringssl $version do not have the expected files"

mkdir -p "$work/out"
mv "$work/root/usr/include/android" "$work/out/include"
mv "$libdir" "$work/out/lib"
rm -rf "$dir"
mv "$work/out" "$dir"
