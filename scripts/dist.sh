#!/usr/bin/env bash
# The one file to copy to a bastion: bridgectl linked statically (it carries the demo app
# and the OpenShift simulator, and needs no C library of the host's: it runs on RHEL 8
# and 9 alike), in a tarball with the example configuration, and its SHA-256 checksum.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
name="bridgectl-${version}-${commit}-${target}"

# crt-static only for the target (an explicit --target keeps build scripts and proc
# macros dynamic, as they must be).
echo "[dist] building $name (static, release)" >&2
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target "$target" -p bridgectl
binary="target/$target/release/bridgectl"
# ldd says "statically linked" (static-pie) or "not a dynamic executable", and exits 0
# for the former: read what it says.
if ! ldd "$binary" 2>&1 | grep -qE 'statically linked|not a dynamic executable'; then
  echo "[dist] $binary is not statically linked" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" README.md bridgectl.example.yaml "$stage/$name/"
mkdir -p dist
tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "dist/$name.tar.gz"
echo "dist/$name.tar.gz.sha256"
