//go:build pins

// Keeps OpenShift's API module in go.mod: scripts/kube-kit.sh installs its OAuth CRD
// (payload-manifests/crds/0000_10_config-operator_01_oauths.crd.yaml) into the API server.
package pins

import _ "github.com/openshift/api/config/v1"
