#!/usr/bin/env bash
# Makes a fresh machine of this kind ready for the sandbox and the tests: Podman with its
# Docker-compatible API, locally built images (no registry is reachable here), and the
# headless Chromium the browser tests drive. Idempotent and quick when all is in place.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
# tests/common/browser.rs: Chromium, its WebDriver, and certutil to put the test CAs
# into the NSS database Chromium trusts.
ensure_debs chromium chromium-driver libnss3-tools
"$here/podman-setup.sh"
"$here/build-images.sh"
