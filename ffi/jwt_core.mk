# Make snippet for C projects that build jwt-core from source:
#
#   include path/to/jwt-core/ffi/jwt_core.mk
#   app: app.c $(JWT_CORE_LIB)
#   	$(CC) $(JWT_CORE_CFLAGS) app.c $(JWT_CORE_LIBS) -o $@
#
# JWT_CORE_CARGO_FLAGS picks a target and features, e.g. for firmware:
#   --target thumbv7em-none-eabihf --no-default-features --features hs256,es256
# (then set JWT_CORE_LIB to target/thumbv7em-none-eabihf/release/libjwt_core_ffi.a, and
# JWT_CORE_SYSLIBS to nothing).
# Including this does not change the including Makefile's default goal.
jwt_core_default_goal := $(.DEFAULT_GOAL)
JWT_CORE_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
JWT_CORE_CARGO_FLAGS ?=
JWT_CORE_LIB ?= $(JWT_CORE_DIR)/../target/release/libjwt_core_ffi.a
JWT_CORE_SYSLIBS ?= -lpthread -ldl -lm
JWT_CORE_CFLAGS = -I$(JWT_CORE_DIR)/include
JWT_CORE_LIBS = $(JWT_CORE_LIB) $(JWT_CORE_SYSLIBS)

# Cargo knows when the library is out of date: ask it every time.
.PHONY: jwt-core-ffi
jwt-core-ffi:
	cargo build --release --manifest-path $(JWT_CORE_DIR)/Cargo.toml $(JWT_CORE_CARGO_FLAGS)

$(JWT_CORE_LIB): jwt-core-ffi

.DEFAULT_GOAL := $(jwt_core_default_goal)
