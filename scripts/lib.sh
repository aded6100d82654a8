# Shared helpers for the sandbox kit scripts. Sourced, not run.
set -euo pipefail

kit_log() { printf '[kit] %s\n' "$*" >&2; }

# Where downloads and built root filesystems are cached between runs.
KIT_CACHE="${BRIDGECTL_KIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bridgectl-kit}"
mkdir -p "$KIT_CACHE"

KEYCLOAK_VERSION="${KEYCLOAK_VERSION:-26.2.5}"
# Keycloak versions built besides it, each an image of its own (scripts/test.sh asks for
# the ones its compatibility tests run; the main job needs none).
KEYCLOAK_OTHER_VERSIONS="${KEYCLOAK_OTHER_VERSIONS:-}"
BASE_IMAGE="${BRIDGECTL_BASE_IMAGE:-localhost/bridgectl/base-jre:bookworm}"
# A base with an older C library (glibc 2.31) than the host's, for the demo app's image.
OLD_GLIBC_IMAGE="${BRIDGECTL_OLD_GLIBC_IMAGE:-localhost/bridgectl/debian:bullseye}"
KEYCLOAK_IMAGE="${BRIDGECTL_KEYCLOAK_IMAGE:-localhost/bridgectl/keycloak:${KEYCLOAK_VERSION}}"
# The unpacked official distribution: the image's build context.
KEYCLOAK_CONTEXT="$KIT_CACHE/keycloak-$KEYCLOAK_VERSION-context"
PODMAN_SOCKET="${BRIDGECTL_PODMAN_SOCKET:-/run/podman/podman.sock}"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages that are missing, and nothing else.
ensure_debs() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  kit_log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

image_exists() { podman image exists "$1" 2>/dev/null; }
