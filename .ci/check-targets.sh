#!/usr/bin/env bash
# Every target package.json declares (napi.targets) must compile, not only the one this machine builds: each other
# target is type-checked and linted (cargo clippy, warnings denied) with its own std, so a Unix-only symbol used
# unguarded on Windows or a Linux-only constant on macOS fails here rather than in the release job. It does not
# link: that needs each platform's linker and SDK, and is left to the release workflow, which builds every target on
# its own runner or cross toolchain. The host target is checked by .ci/run's own clippy.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

host=$(rustc -vV | sed -n 's/^host: //p')
mapfile -t targets < <(node -p "require('./package.json').napi.targets.join('\n')" | grep -vx "$host")
if [ ${#targets[@]} -eq 0 ]; then
  echo "check-targets: package.json declares no target besides the host ($host)" >&2
  exit 1
fi

# The std of each target, from the toolchain's own distribution (a no-op once installed).
if ! added=$(rustup target add "${targets[@]}" 2>&1); then
  echo "$added" >&2
  echo "check-targets: could not install the Rust std for ${targets[*]} (rustup target add)" >&2
  exit 1
fi

# As napi build does for musl: a cdylib needs the dynamically linked C runtime.
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static"

target_args=()
for target in "${targets[@]}"; do target_args+=(--target "$target"); done
started=$SECONDS
cargo clippy --quiet --locked --release --all-targets "${target_args[@]}" -- -D warnings
echo "check-targets: ${targets[*]} compile with clippy clean ($((SECONDS - started)) s)"
