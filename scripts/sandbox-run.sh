#!/usr/bin/env bash
# The main job in the local sandbox: the OpenShift simulator stands in for a cluster, and
# bridgectl runs the steps that are built against it and the real Keycloak in Podman.
# Re-running is safe: every step reports what it changed (nothing, the second time).
set -euo pipefail
cd "$(dirname "$0")/.."

sandbox=.sandbox
api_listen="${SANDBOX_API_LISTEN:-127.0.0.1:6443}"
oauth_listen="${SANDBOX_OAUTH_LISTEN:-127.0.0.1:6444}"
mkdir -p "$sandbox" && chmod 700 "$sandbox"

cargo build --release --workspace --quiet

api_answers() { curl -fsS --max-time 2 --cacert "$sandbox/ocp-sim/ca.crt" "https://$api_listen/version" >/dev/null 2>&1; }
if ! api_answers; then
  echo "[sandbox] starting the OpenShift simulator on $api_listen (OAuth on $oauth_listen)" >&2
  setsid nohup target/release/ocp-sim serve --data-dir "$sandbox/ocp-sim" \
    --api-listen "$api_listen" --oauth-listen "$oauth_listen" \
    --kubeconfig-out "$sandbox/kubeconfig" >"$sandbox/ocp-sim.log" 2>&1 </dev/null &
  for _ in $(seq 1 50); do api_answers && break; sleep 0.1; done
  api_answers || { echo "[sandbox] the simulator did not start; see $sandbox/ocp-sim.log" >&2; exit 1; }
fi

bridgectl=(target/release/bridgectl --config scripts/sandbox.yaml --kubeconfig "$sandbox/kubeconfig")
for step in step1 step2 step3 step5; do
  "${bridgectl[@]}" "$step"
done
echo "[sandbox] done. Passwords: ${bridgectl[*]} credentials" >&2
