#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, beside the simulator: etcd, kube-apiserver
# (RBAC, static tokens) and kube-controller-manager with the controllers the tests rely on
# (namespace deletion, the aggregation that fills view/edit/admin, garbage collection),
# plus kubectl and OpenShift's OAuth CRD. Built from Go modules pinned in scripts/kube/go.mod.
#
#   scripts/kube-kit.sh build        build once (cached by the pins), print the bin folder
#   scripts/kube-kit.sh bin          print the bin folder if it is built, else fail
#   scripts/kube-kit.sh up DIR       start a control plane whose files live in DIR; writes
#                                    DIR/env (ports, tokens' files) and DIR/kubeconfig-<user>
#   scripts/kube-kit.sh down DIR     stop it (DIR stays)
#   scripts/kube-kit.sh run DIR      `up`, then wait; a TERM or INT stops it (the tests start
#                                    it so, to die with them)
#
# The build takes about 30 CPU-minutes cold (two cores: ~15 min) and ~1.1 GB of modules;
# after that `up` is ready in ~10 s.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"

pins="$here/kube"
# The cache key: the pins, the etcd entry point and how this script builds them.
key="$(cat "$pins/go.mod" "$pins/go.sum" "$pins/etcd/main.go" <(sed -n '/^build()/,/^}/p' "$0") | sha256sum | cut -c1-12)-$(go env GOVERSION)"
KUBE_KIT_BIN="$KIT_CACHE/kube-$key/bin"
# The users the tests sign in as: the admin (system:masters) and the seed's three users;
# bridgectl and the controller manager have their own (also system:masters), so the audit
# log tells whose writes are whose.
KIT_USERS=(admin bridgectl controller-manager user-a user-b user-c)

built() { [ -x "$KUBE_KIT_BIN/kube-apiserver" ] && [ -f "$KUBE_KIT_BIN/oauths.crd.yaml" ]; }

build() {
  if built; then
    echo "$KUBE_KIT_BIN"
    return
  fi
  kit_log "building etcd, kube-apiserver, kube-controller-manager and kubectl (pinned in scripts/kube/go.mod; ~15 min on two cores, once)"
  local out="$KUBE_KIT_BIN.partial" started=$SECONDS
  rm -rf "$out"
  mkdir -p "$out"
  (
    cd "$pins"
    export CGO_ENABLED=0 GOFLAGS="-mod=readonly -trimpath"
    # Stamp the release version, as Kubernetes' own build does (kubectl refuses to parse
    # the unstamped "v0.0.0-master+$Format:%H$").
    local version major minor stamp=""
    version="$(go list -m -f '{{.Version}}' k8s.io/kubernetes)"
    major="${version#v}" major="${major%%.*}"
    minor="${version#v*.}" minor="${minor%%.*}"
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      stamp+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    done
    go build -ldflags="-s -w$stamp" -o "$out/" tool
    go build -ldflags='-s -w' -o "$out/etcd" ./etcd
    local api
    # Not part of any binary, so not fetched by the builds: fetch it, then find it.
    go mod download github.com/openshift/api
    api="$(go list -m -f '{{.Dir}}' github.com/openshift/api)"
    [ -n "$api" ] || { kit_log "cannot find the github.com/openshift/api module"; exit 1; }
    cp "$api/payload-manifests/crds/0000_10_config-operator_01_oauths.crd.yaml" "$out/oauths.crd.yaml"
  )
  chmod u+w "$out"/*
  mv "$out" "$KUBE_KIT_BIN"
  kit_log "built into $KUBE_KIT_BIN in $((SECONDS - started)) s"
  echo "$KUBE_KIT_BIN"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until $1 (a command) succeeds, for at most $2 seconds; names $3 when it gives up.
wait_for() {
  local deadline=$(($(date +%s) + $2))
  until eval "$1" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      kit_log "$3 did not come up within $2 s; its log: $dir/$3.log"
      tail -20 "$dir/$3.log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

start() { # name, then the command
  local name=$1
  shift
  # setsid: the daemon outlives this script; `down` stops it by its pid.
  setsid "$@" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

up() {
  dir="$(mkdir -p "$1" && cd "$1" && pwd)"
  local bin
  bin="$(build)"
  umask 077
  mkdir -p "$dir/pki"
  local etcd_port peer_port api_port
  etcd_port=$(free_port) peer_port=$(free_port) api_port=$(free_port)

  # A CA of the kit's own and the API server's certificate for 127.0.0.1; the service
  # account signing key.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj "/CN=kube-kit CA" \
    -keyout "$dir/pki/ca.key" -out "$dir/pki/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$dir/pki/apiserver.key" -out "$dir/pki/apiserver.csr" 2>/dev/null
  openssl x509 -req -in "$dir/pki/apiserver.csr" -CA "$dir/pki/ca.crt" -CAkey "$dir/pki/ca.key" -CAcreateserial \
    -days 7 -extfile <(printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth') \
    -out "$dir/pki/apiserver.crt" 2>/dev/null
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/pki/sa.key" 2>/dev/null
  openssl pkey -in "$dir/pki/sa.key" -pubout -out "$dir/pki/sa.pub"

  # Static bearer tokens (token,user,uid,"groups"), one kubeconfig per user.
  : >"$dir/tokens.csv"
  local user token group
  for user in "${KIT_USERS[@]}"; do
    token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    group=""
    case "$user" in admin | bridgectl | controller-manager) group=',"system:masters"' ;; esac
    echo "$token,$user,$user$group" >>"$dir/tokens.csv"
    cat >"$dir/kubeconfig-$user" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kube-kit
  cluster:
    server: https://127.0.0.1:$api_port
    certificate-authority: $dir/pki/ca.crt
users:
- name: $user
  user:
    token: $token
contexts:
- name: $user
  context:
    cluster: kube-kit
    user: $user
current-context: $user
EOF
  done

  # Every write, for tests that check a second run writes nothing.
  cat >"$dir/audit-policy.yaml" <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  verbs: [create, update, patch, delete, deletecollection]
- level: None
EOF

  start etcd "$bin/etcd" --name kit --data-dir "$dir/etcd" --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "kit=http://127.0.0.1:$peer_port" --listen-metrics-urls "" --log-level warn
  start kube-apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$dir/pki/apiserver.crt" --tls-private-key-file "$dir/pki/apiserver.key" \
    --client-ca-file "$dir/pki/ca.crt" --token-auth-file "$dir/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$dir/pki/sa.pub" \
    --service-account-signing-key-file "$dir/pki/sa.key" --service-cluster-ip-range 10.96.0.0/24 \
    --audit-policy-file "$dir/audit-policy.yaml" --audit-log-path "$dir/audit.log" \
    --allow-privileged=false --profiling=false --v 1
  local admin=(--kubeconfig "$dir/kubeconfig-admin")
  wait_for "'$bin/kubectl' ${admin[*]} get --raw /readyz" 120 kube-apiserver
  start kube-controller-manager "$bin/kube-controller-manager" --kubeconfig "$dir/kubeconfig-controller-manager" \
    --controllers namespace-controller,clusterrole-aggregation-controller,garbage-collector-controller \
    --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 --profiling=false --v 1
  "$bin/kubectl" "${admin[@]}" apply -f "$bin/oauths.crd.yaml" >/dev/null
  wait_for "'$bin/kubectl' ${admin[*]} get oauths.config.openshift.io" 60 oauths-crd
  # Filled by the aggregation controller: until then `view` grants nothing.
  wait_for "[ -n \"\$('$bin/kubectl' ${admin[*]} get clusterrole view -o jsonpath='{.rules}')\" ]" 60 kube-controller-manager

  # Written aside and renamed: its existence is the "ready" signal, so it must never be
  # seen half-written.
  cat >"$dir/env.tmp" <<EOF
KUBE_KIT_BIN=$bin
KUBE_KIT_API=https://127.0.0.1:$api_port
KUBE_KIT_CA=$dir/pki/ca.crt
KUBE_KIT_DIR=$dir
EOF
  mv "$dir/env.tmp" "$dir/env"
  kit_log "Kubernetes API server ready at https://127.0.0.1:$api_port (kubeconfigs in $dir)"
}

down() {
  local dir="$1" name pid
  for name in kube-controller-manager kube-apiserver etcd; do
    [ -f "$dir/$name.pid" ] || continue
    pid="$(cat "$dir/$name.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/$name.pid"
  done
}

case "${1:-}" in
  build) build ;;
  bin) built && echo "$KUBE_KIT_BIN" ;;
  up) up "${2:?usage: kube-kit.sh up DIR}" ;;
  down) down "${2:?usage: kube-kit.sh down DIR}" ;;
  run)
    trap 'down "$2"' EXIT
    trap 'exit 143' TERM INT
    up "${2:?usage: kube-kit.sh run DIR}"
    wait
    ;;
  *) echo "usage: $0 build | up DIR | down DIR | run DIR" >&2; exit 2 ;;
esac
