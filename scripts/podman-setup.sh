#!/usr/bin/env bash
# Makes Podman usable as root on these machines and serves its Docker-compatible API
# on $PODMAN_SOCKET. Idempotent: a second run only checks.
. "$(dirname "$0")/lib.sh"

ensure_debs podman runc uidmap curl ca-certificates

# crun fails here ("cgroups in hybrid mode not supported") and the machine lacks
# CAP_SYS_RESOURCE, so containers may not raise their limits above the host's.
conf_dir=/etc/containers/containers.conf.d
conf="$conf_dir/50-bridgectl-sandbox.conf"
want='[engine]
runtime = "runc"

[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]'
if [ "$(cat "$conf" 2>/dev/null)" != "$want" ]; then
  kit_log "writing $conf"
  as_root mkdir -p "$conf_dir"
  printf '%s\n' "$want" | as_root tee "$conf" >/dev/null
fi

api_answers() { curl -fsS --max-time 2 --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; }

if ! api_answers; then
  kit_log "starting podman system service on $PODMAN_SOCKET"
  as_root mkdir -p "$(dirname "$PODMAN_SOCKET")"
  as_root rm -f "$PODMAN_SOCKET"
  log="$KIT_CACHE/podman-service.log"
  as_root setsid nohup podman system service --time=0 "unix://$PODMAN_SOCKET" >"$log" 2>&1 < /dev/null &
  for _ in $(seq 1 100); do api_answers && break; sleep 0.1; done
  api_answers || { kit_log "podman API did not answer on $PODMAN_SOCKET; see $log"; exit 1; }
fi
kit_log "podman API ready at unix://$PODMAN_SOCKET"
