#!/usr/bin/env bash
# Makes a fresh machine of this kind ready for the sandbox and the tests: Podman with its
# Docker-compatible API, and locally built images (no registry is reachable here).
# Idempotent and quick when everything is already in place.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/podman-setup.sh"
"$here/build-images.sh"
