#!/usr/bin/env bash
# Builds, without any registry, the images the sandbox needs:
#   $BASE_IMAGE      minimal Debian bookworm with a Java runtime and CA certificates
#   $KEYCLOAK_IMAGE  the official Keycloak distribution on it, laid out like the official image
#   $OLD_GLIBC_IMAGE Debian bullseye's essential packages (glibc 2.31, older than the host's):
#                    a base the demo app's image must start on
#   localhost/bridgectl/keycloak:<v> for each of $KEYCLOAK_OTHER_VERSIONS (the tests' others)
# Downloads and root filesystems are cached in $KIT_CACHE; existing images are kept.
. "$(dirname "$0")/lib.sh"

ensure_debs mmdebstrap maven unzip

if ! image_exists "$BASE_IMAGE"; then
  rootfs="$KIT_CACHE/base-jre-bookworm.tar"
  if [ ! -s "$rootfs" ]; then
    kit_log "building the Debian root filesystem (mmdebstrap)"
    # The host's own apt sources, so the same mirror and snapshot serve both.
    mmdebstrap --quiet --format=tar --variant=apt --include=openjdk-17-jre-headless,ca-certificates \
      bookworm "$rootfs.part" - < /etc/apt/sources.list.d/debian.sources
    mv "$rootfs.part" "$rootfs"
  fi
  kit_log "importing $BASE_IMAGE"
  podman import --quiet "$rootfs" "$BASE_IMAGE" >/dev/null
fi

if ! image_exists "$OLD_GLIBC_IMAGE"; then
  rootfs="$KIT_CACHE/debian-bullseye.tar"
  if [ ! -s "$rootfs" ]; then
    kit_log "building an older Debian root filesystem (mmdebstrap bullseye)"
    mmdebstrap --quiet --format=tar --variant=essential bullseye "$rootfs.part" http://deb.debian.org/debian
    mv "$rootfs.part" "$rootfs"
  fi
  kit_log "importing $OLD_GLIBC_IMAGE"
  podman import --quiet "$rootfs" "$OLD_GLIBC_IMAGE" >/dev/null
fi

# Downloads Keycloak VERSION from Maven Central, unpacks it into its build context and
# builds IMAGE on the base, laid out like the official image (each only when missing).
keycloak_image() {
  local version="$1" image="$2"
  local ctx="$KIT_CACHE/keycloak-$version-context"
  local dist="$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$version/keycloak-quarkus-dist-$version.zip"
  if [ ! -s "$dist" ] && [ ! -x "$ctx/keycloak/bin/kc.sh" ]; then
    kit_log "downloading Keycloak $version from Maven Central"
    mvn -q -B dependency:get -Dtransitive=false \
      "-Dartifact=org.keycloak:keycloak-quarkus-dist:$version:zip"
  fi
  if [ ! -x "$ctx/keycloak/bin/kc.sh" ]; then
    rm -rf "$ctx" && mkdir -p "$ctx"
    unzip -q "$dist" -d "$ctx"
    mv "$ctx/keycloak-$version" "$ctx/keycloak"
  fi
  if image_exists "$image"; then
    return 0
  fi
  cp "$(dirname "$0")/keycloak.Containerfile" "$ctx/Containerfile"
  kit_log "building $image"
  podman build --quiet --build-arg "BASE=$BASE_IMAGE" -t "$image" "$ctx" >/dev/null
}

# The version bridgectl runs by default; its unpacked distribution doubles as the Keycloak
# the simulator's own tests run directly.
keycloak_image "$KEYCLOAK_VERSION" "$KEYCLOAK_IMAGE"
for version in $KEYCLOAK_OTHER_VERSIONS; do
  keycloak_image "$version" "localhost/bridgectl/keycloak:$version"
done
kit_log "images ready: $BASE_IMAGE $KEYCLOAK_IMAGE $OLD_GLIBC_IMAGE ${KEYCLOAK_OTHER_VERSIONS:+(and Keycloak $KEYCLOAK_OTHER_VERSIONS)}"
