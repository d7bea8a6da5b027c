#!/usr/bin/env bash
# Rebuilds observe.bpf.o from observe.bpf.c (needs clang and libbpf's headers:
# `apt-get install clang llvm libbpf-dev`). The object is committed so that building
# interpose needs only the Rust toolchain; .ci/run rebuilds it and fails if it differs.
# -fdebug-compilation-dir keeps the checkout's path out of the object (its BTF).
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-observe.bpf.o}"
clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I/usr/include/$(uname -m)-linux-gnu -fdebug-compilation-dir=. \
    -c observe.bpf.c -o "$out"
llvm-strip -g --keep-section=.BTF --keep-section=.BTF.ext "$out" 2>/dev/null || true
