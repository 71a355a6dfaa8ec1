#!/usr/bin/env sh
# Installs the C interface under PREFIX: include/jwt_core.h, lib/libjwt_core_ffi.{a,so} and
# lib/pkgconfig/jwt_core.pc. Builds the release library first unless LIB_DIR names a folder
# that already holds it.   usage: ffi/install.sh PREFIX
set -eu
prefix=${1:?usage: install.sh PREFIX}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${LIB_DIR:-}" ]; then
  cargo build --release --manifest-path "$here/Cargo.toml"
  LIB_DIR=$here/../target/release
fi
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -n 1)
mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
cp "$here/include/jwt_core.h" "$prefix/include/"
cp "$LIB_DIR/libjwt_core_ffi.a" "$prefix/lib/"
if [ -e "$LIB_DIR/libjwt_core_ffi.so" ]; then cp "$LIB_DIR/libjwt_core_ffi.so" "$prefix/lib/"; fi
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" "$here/jwt_core.pc.in" \
  >"$prefix/lib/pkgconfig/jwt_core.pc"
echo "installed under $prefix; PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --static --libs jwt_core"
