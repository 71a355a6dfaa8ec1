#!/usr/bin/env bash
# Builds the C firmware images c-hs256-verify and c-es256-verify into $1 (default: build/):
# jwt-core-ffi as a no_std static library for thumbv7em-none-eabihf with the footprint
# package's release profile (opt-level z, LTO, one codegen unit, panic abort, compact
# SHA-256) and the one algorithm the image verifies, then main.c with arm-none-eabi-gcc and
# newlib-nano's string functions.
# Needs: rustup target thumbv7em-none-eabihf, gcc-arm-none-eabi, libnewlib-arm-none-eabi.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$(mkdir -p "${1:-$here/build}" && cd "${1:-$here/build}" && pwd)

# The static library with one algorithm, as the Rust firmware binaries are built. Built as a
# staticlib alone (`cargo rustc --crate-type staticlib`): cargo drops `lto` for a library
# whose crate types include an rlib (rust-lang/cargo#9672), which would leave every crate,
# `core` too, a separate object of the archive, with the panic messages and `core::fmt`
# that only LTO proves unreachable.
library() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort \
  CARGO_PROFILE_RELEASE_DEBUG=true \
  RUSTFLAGS='--cfg sha2_backend_soft="compact"' \
    cargo rustc --quiet --release -p jwt-core-ffi --lib --crate-type staticlib \
      --no-default-features --features "$1" \
      --target thumbv7em-none-eabihf --target-dir "$out/cargo-$1" \
      --manifest-path "$root/Cargo.toml"
  echo "$out/cargo-$1/thumbv7em-none-eabihf/release/libjwt_core_ffi.a"
}

tokens=$root/footprint/tokens
for alg in hs256 es256; do
  lib=$(library "$alg")
  python3 - "$alg" "$tokens" "$root" > "$out/tokens.h" <<'PY'
import sys
alg, tokens, root = sys.argv[1], sys.argv[2], sys.argv[3]
token = open(f"{tokens}/{alg}.jwt").read().strip()
print(f'#define NAME "c-{alg}-verify"')
print(f'#define TOKEN "{token}"')
print('#define ISSUER "https://auth.example.com"')
print('#define AUDIENCE "https://fw.example.com"')
print('#define SUBJECT "device-0042"')
print('#define NOW 1800000000ull')
if alg == "hs256":
    print('static const char KEY[] = "jwt-core firmware footprint key!";')
else:
    point = open(f"{root}/tests/data/keys/p256.pub.sec1", "rb").read()
    print("static const uint8_t KEY[65] = {" + ",".join(str(b) for b in point) + "};")
PY
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -g \
    -std=c11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections -nostartfiles \
    -specs=nano.specs -specs=nosys.specs -D"$(echo "$alg" | tr a-z A-Z)" \
    -I "$root/ffi/include" -I "$out" -T "$here/link.ld" -Wl,--gc-sections \
    "$here/main.c" "$lib" -o "$out/c-$alg-verify"
done
