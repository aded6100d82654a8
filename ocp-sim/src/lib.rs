//! ocp-sim: a strict OpenShift simulator (an API-server subset and the OAuth server)
//! that fails the mistakes a real cluster fails, the way it fails them.
//!
//! # Where each behaviour is decided
//!
//! | Behaviour | File |
//! |---|---|
//! | Redirect-URI matching (osin's rule: sub-paths, queries, loopback ports), client lookup | `oauth/redirect.rs`, `oauth/client.rs`, checked first in `oauth/authorize.rs` |
//! | Client-secret checks (Basic or form, additional secrets) | `oauth/client.rs`, used by `oauth/token.rs` |
//! | OAuthClient handling: grant method (auto, prompt, deny) | `oauth/grant.rs`; its validation in `apiserver/validate/openshift.rs` |
//! | Identity providers read from `oauths/cluster`, the `ca` ConfigMap, the client Secret | `oauth/idp.rs` |
//! | The authentication operator's rollout and Degraded state (`--oauth-rollout-secs`), `clusteroperators/authentication` | `oauth/operator.rs` |
//! | Issuer and CA checks of OpenID providers, ID-token decoding (unverified, `sub` required), userinfo merge | `oauth/oidc.rs` |
//! | Identities and users: mapping per `mappingMethod` | `oauth/identity.rs` |
//! | Token exchange: codes, PKCE, `sha256~` access tokens | `oauth/token.rs` |
//! | Callers: client certificates (CN user, O groups; `system:masters` is admin), then bearer tokens (admin, OAuth tokens, `--token`) | `apiserver/auth.rs`; the certificates in `process/tls.rs` |
//! | Impersonation (`Impersonate-User`, `Impersonate-Group`) | `apiserver/impersonation.rs` |
//! | Access reviews (self and subject) and who-am-I | `apiserver/routes/reviews.rs`, answered by `apiserver/rbac.rs` |
//! | Request bodies: JSON, YAML, protobuf for built-in kinds; a DELETE's options | `apiserver/routes/body.rs`, `apiserver/protobuf/` |
//! | Namespace lifecycle: Terminating for `--namespace-termination-secs`, 403 on new content, 409 on a second delete | `apiserver/lifecycle.rs` |
//! | RBAC, token scopes, and which projects a user sees | `apiserver/rbac.rs`, `apiserver/routes/projects.rs` |
//! | Validation wording: field errors | `apiserver/field_error.rs`, rules in `apiserver/validate/` |
//! | Status objects: codes, reasons, messages | `apiserver/status.rs` |
//! | Unknown fields dropped, wrong types refused | `apiserver/validate/schema.rs` |
//! | Create, update, delete rules (resourceVersion, names, namespaces) | `apiserver/write/objects.rs` |
//! | PATCH and server-side apply conflicts | `apiserver/write/patch.rs`, `apiserver/write/apply.rs` |
//! | Discovery (legacy and aggregated) | `apiserver/discovery.rs` |
//! | OpenAPI v3 and v2 documents: paths and schemas of the served kinds | `apiserver/openapi/` |
//! | Fault injection, mutate-after-read, the request log | `hooks/faults.rs`, applied in `apiserver/routes/mod.rs` |
//! | The `/_sim/` endpoints that arm and read them | `hooks/endpoints.rs` |
//! | Data directory, certificates, kubeconfig, startup line | `process/` |
//!
//! The public surface is what the `ocp-sim` binary and the tests need: starting a
//! simulator, its command line, and a few helpers for tests that drive the OAuth
//! flows and a real identity provider.

mod apiserver;
mod context;
mod hooks;
mod meta;
mod oauth;
mod process;

pub use meta::random_urlsafe;
pub use oauth::flows::{AuthorizeRequest, LoggedIn};
pub use oauth::oidc::id_token_claims;
pub use process::cli::{Cli, Command, ServeArgs};
pub use process::entry;
pub use process::server::{Options, Running, start};
pub use process::tls::{issue_ca, issue_server, server_config};
