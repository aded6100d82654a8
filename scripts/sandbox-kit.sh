#!/usr/bin/env bash
# Makes a fresh machine of this kind ready for the sandbox and the tests: Podman with its
# Docker-compatible API, locally built images (no registry is reachable here), and the
# headless Chromium the browser tests drive. Idempotent and quick when all is in place.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
# tests/it/support/browser.rs: Chromium, its WebDriver, certutil to put the test CAs into the
# NSS database Chromium trusts, and a CJK font for the app's Traditional Chinese pages.
ensure_debs chromium chromium-driver libnss3-tools fonts-wqy-microhei
"$here/podman-setup.sh"
"$here/build-images.sh"
