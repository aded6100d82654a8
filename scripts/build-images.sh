#!/usr/bin/env bash
# Builds, without any registry, the images the sandbox needs:
#   $BASE_IMAGE      minimal Debian bookworm with a Java runtime and CA certificates
#   $KEYCLOAK_IMAGE  the official Keycloak distribution on it, laid out like the official image
#   $OLD_GLIBC_IMAGE Debian bullseye's essential packages (glibc 2.31, older than the host's):
#                    a base the demo app's image must start on
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

# The unpacked distribution doubles as the Keycloak the simulator's own tests run directly.
dist="$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
if [ ! -s "$dist" ]; then
  kit_log "downloading Keycloak $KEYCLOAK_VERSION from Maven Central"
  mvn -q -B dependency:get -Dtransitive=false \
    "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip"
fi
ctx="$KEYCLOAK_CONTEXT"
if [ ! -x "$ctx/keycloak/bin/kc.sh" ]; then
  rm -rf "$ctx" && mkdir -p "$ctx"
  unzip -q "$dist" -d "$ctx"
  mv "$ctx/keycloak-$KEYCLOAK_VERSION" "$ctx/keycloak"
fi

if ! image_exists "$KEYCLOAK_IMAGE"; then
  cp "$(dirname "$0")/keycloak.Containerfile" "$ctx/Containerfile"
  kit_log "building $KEYCLOAK_IMAGE"
  podman build --quiet --build-arg "BASE=$BASE_IMAGE" -t "$KEYCLOAK_IMAGE" "$ctx" >/dev/null
fi
kit_log "images ready: $BASE_IMAGE $KEYCLOAK_IMAGE $OLD_GLIBC_IMAGE"
