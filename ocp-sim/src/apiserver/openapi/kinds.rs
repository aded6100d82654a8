//! The schema of each served kind, written by hand as typed property trees (with the
//! list and patch extensions of the real types and the fields the real API requires).
//! A kind without an entry here gets a schema made from its pruning descriptor
//! (`validate/schema.rs`), so a kind added to `resources::ALL` is documented at once.

use serde_json::{Value, json};

use super::build::*;
use super::meta::{self, OBJECT_META};
use super::names;
use crate::apiserver::resources::ResourceDef;
use crate::apiserver::validate::schema as pruning;

/// A kind's own fields (besides apiVersion, kind and metadata), its description and the
/// fields it requires.
struct Body {
    description: &'static str,
    fields: Vec<(String, Value)>,
    required: &'static [&'static str],
}

fn body(
    description: &'static str,
    fields: Vec<(&str, Value)>,
    required: &'static [&'static str],
) -> Body {
    Body {
        description,
        fields: fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        required,
    }
}

fn name_ref(description: &str) -> Value {
    object(description, &[("name", string("The object's name."))])
}

fn condition_list(description: &str) -> Value {
    keyed_list(
        object(
            "One observation of the object's state.",
            &[
                ("type", string("What the condition is about.")),
                ("status", string("`True`, `False` or `Unknown`.")),
                ("reason", string("Why, as one CamelCase word.")),
                ("message", string("Why, for people.")),
                ("lastTransitionTime", time("When `status` last changed.")),
            ],
        )
        .required(&["type", "status"]),
        "type",
        description,
    )
}

fn identity_provider() -> Value {
    object(
        "One way for users to log in.",
        &[
            (
                "name",
                string("Names the provider; users' identities are prefixed with it."),
            ),
            (
                "mappingMethod",
                string(
                    "How identities become users: `claim` (default), `lookup`, `generate` or `add`.",
                ),
            ),
            (
                "type",
                string(
                    "Which of the provider fields below is set: `OpenID`, `HTPasswd`, `LDAP`, ...",
                ),
            ),
            (
                "openID",
                object(
                    "An OpenID Connect provider.",
                    &[
                        (
                            "clientID",
                            string("The client ID registered at the provider."),
                        ),
                        (
                            "clientSecret",
                            name_ref(
                                "The Secret in openshift-config whose `clientSecret` key holds the client secret.",
                            ),
                        ),
                        (
                            "ca",
                            name_ref(
                                "The ConfigMap in openshift-config whose `ca.crt` key holds the CA bundle for the provider.",
                            ),
                        ),
                        (
                            "issuer",
                            string(
                                "The provider's issuer URL; its discovery document must name the same issuer.",
                            ),
                        ),
                        (
                            "extraScopes",
                            atomic_list(
                                json!({"type": "string"}),
                                "Scopes asked for besides `openid`.",
                            ),
                        ),
                        (
                            "extraAuthorizeParameters",
                            map_of_strings("Query parameters added to the authorize request."),
                        ),
                        (
                            "claims",
                            object(
                                "Which ID-token claims fill the user's fields, first non-empty wins.",
                                &[
                                    (
                                        "preferredUsername",
                                        atomic_list(
                                            json!({"type": "string"}),
                                            "Claims for the user name.",
                                        ),
                                    ),
                                    (
                                        "name",
                                        atomic_list(
                                            json!({"type": "string"}),
                                            "Claims for the display name.",
                                        ),
                                    ),
                                    (
                                        "email",
                                        atomic_list(
                                            json!({"type": "string"}),
                                            "Claims for the email address.",
                                        ),
                                    ),
                                    (
                                        "groups",
                                        atomic_list(
                                            json!({"type": "string"}),
                                            "Claims for group names.",
                                        ),
                                    ),
                                ],
                            ),
                        ),
                    ],
                ),
            ),
            (
                "htpasswd",
                object(
                    "An htpasswd file.",
                    &[(
                        "fileData",
                        name_ref(
                            "The Secret in openshift-config whose `htpasswd` key holds the file.",
                        ),
                    )],
                ),
            ),
            ("ldap", free_object("An LDAP provider; kept as given.")),
            ("github", free_object("A GitHub provider; kept as given.")),
            ("gitlab", free_object("A GitLab provider; kept as given.")),
            ("google", free_object("A Google provider; kept as given.")),
            (
                "keystone",
                free_object("A Keystone provider; kept as given."),
            ),
            (
                "basicAuth",
                free_object("A basic-auth provider; kept as given."),
            ),
            (
                "requestHeader",
                free_object("A request-header provider; kept as given."),
            ),
        ],
    )
}

fn policy_rule() -> Value {
    object(
        "Verbs allowed on resources (or non-resource URLs).",
        &[
            (
                "verbs",
                atomic_list(
                    json!({"type": "string"}),
                    "The verbs allowed; `*` is all of them.",
                ),
            ),
            (
                "apiGroups",
                atomic_list(
                    json!({"type": "string"}),
                    "The API groups of the resources; \"\" is the core group.",
                ),
            ),
            (
                "resources",
                atomic_list(
                    json!({"type": "string"}),
                    "The resources; `*` is all of them.",
                ),
            ),
            (
                "resourceNames",
                atomic_list(json!({"type": "string"}), "Only these objects, when given."),
            ),
            (
                "nonResourceURLs",
                atomic_list(
                    json!({"type": "string"}),
                    "Paths such as `/healthz`, for ClusterRoles bound cluster-wide.",
                ),
            ),
        ],
    )
    .required(&["verbs"])
}

fn hand_written(def: &ResourceDef) -> Option<Body> {
    let body = match (def.group, def.kind) {
        ("", "Namespace") => body(
            "A scope for names, and the unit access is granted on.",
            vec![
                ("spec", object("What the namespace should be.", &[
                    ("finalizers", atomic_list(json!({"type": "string", "default": ""}), "What must happen before the namespace can be removed.")),
                ])),
                ("status", object("What the namespace is; set by the server.", &[
                    ("phase", string("`Active` or `Terminating`.")),
                    ("conditions", condition_list("Observations made while the namespace is removed.")),
                ])),
            ],
            &[],
        ),
        ("", "Secret") => body(
            "Confidential data, such as passwords, keys or tokens, as named values.",
            vec![
                ("data", map_of(json!({"type": "string", "format": "byte"}), "The values, base64-encoded.")),
                ("stringData", map_of_strings("Values as plain text, merged into `data` when written; never read back.")),
                ("type", string("What the data is for, such as `Opaque` or `kubernetes.io/tls`.")),
                ("immutable", boolean("When true, `data` can no longer change.")),
            ],
            &[],
        ),
        ("", "ConfigMap") => body(
            "Configuration that is not secret, as named values.",
            vec![
                ("data", map_of_strings("Text values.")),
                ("binaryData", map_of(json!({"type": "string", "format": "byte"}), "Binary values, base64-encoded.")),
                ("immutable", boolean("When true, the values can no longer change.")),
            ],
            &[],
        ),
        ("rbac.authorization.k8s.io", "RoleBinding") => body(
            "Grants the rules of a ClusterRole to users or groups within one namespace.",
            vec![
                ("subjects", atomic_list(
                    object("A user, group or service account.", &[
                        ("kind", string("`User`, `Group` or `ServiceAccount`.")),
                        ("apiGroup", string("`rbac.authorization.k8s.io` for users and groups, empty for service accounts.")),
                        ("name", string("The subject's name.")),
                        ("namespace", string("The service account's namespace.")),
                    ])
                    .required(&["kind", "name"])
                    .with("x-kubernetes-map-type", json!("atomic")),
                    "Who is granted the rules.",
                )),
                ("roleRef", object("The role granted; it cannot change once set.", &[
                    ("apiGroup", string("`rbac.authorization.k8s.io`.")),
                    ("kind", string("`ClusterRole` or `Role`.")),
                    ("name", string("The role's name.")),
                ])
                .required(&["apiGroup", "kind", "name"])
                .with("x-kubernetes-map-type", json!("atomic"))),
            ],
            &["roleRef"],
        ),
        ("rbac.authorization.k8s.io", "ClusterRole") => body(
            "A named set of rules, granted through bindings.",
            vec![
                ("rules", atomic_list(policy_rule(), "What the role allows.")),
                ("aggregationRule", free_object("Selects ClusterRoles whose rules are added to this one; kept as given.")),
            ],
            &[],
        ),
        ("config.openshift.io", "OAuth") => body(
            "The cluster's OAuth server configuration; the one in use is named `cluster`.",
            vec![
                ("spec", object("The identity providers and token settings.", &[
                    ("identityProviders", atomic_list(identity_provider(), "The ways users may log in; each is offered on the login page.")),
                    ("tokenConfig", free_object("Token lifetimes; kept as given.")),
                    ("templates", free_object("Custom login pages; kept as given.")),
                ])),
                ("status", free_object("Set by the operator.")),
            ],
            &["spec"],
        ),
        ("config.openshift.io", "Infrastructure") => body(
            "Facts about where the cluster runs; the one in use is named `cluster`.",
            vec![
                ("spec", free_object("Platform settings; kept as given.")),
                ("status", free_object("What the installer found, such as `controlPlaneTopology`.")),
            ],
            &["spec"],
        ),
        ("config.openshift.io", "ClusterOperator") => body(
            "The health an operator reports for the component it runs.",
            vec![
                ("spec", free_object("Empty.")),
                ("status", free_object("Conditions such as `Available`, `Progressing` and `Degraded`.")),
            ],
            &["spec"],
        ),
        ("oauth.openshift.io", "OAuthClient") => body(
            "An application allowed to ask the OAuth server for tokens.",
            vec![
                ("secret", string("The client secret; a public client has none.")),
                ("additionalSecrets", atomic_list(json!({"type": "string"}), "Other secrets accepted, for rotation.")),
                ("respondWithChallenges", boolean("Whether to answer with WWW-Authenticate challenges instead of redirects.")),
                ("grantMethod", string("How users grant scopes: `auto` or `prompt`.")),
                ("scopeRestrictions", atomic_list(free_object("One restriction; kept as given."), "Which scopes the client may ask for.")),
                ("redirectURIs", atomic_list(json!({"type": "string"}), "Where the OAuth server may send users back to.")),
                ("accessTokenMaxAgeSeconds", integer("Lifetime of tokens issued to this client; 0 means they do not expire.")),
                ("accessTokenInactivityTimeoutSeconds", integer("How long tokens may go unused before they stop working.")),
            ],
            &[],
        ),
        ("project.openshift.io", "Project") => body(
            "A namespace as a user sees it: listed only where the user has access.",
            vec![
                ("spec", free_object("The namespace's finalizers.")),
                ("status", free_object("The namespace's phase.")),
            ],
            &[],
        ),
        ("project.openshift.io", "ProjectRequest") => body(
            "Asks for a new project, created from the cluster's template for the requester.",
            vec![
                ("displayName", string("A human-friendly name.")),
                ("description", string("What the project is for.")),
            ],
            &[],
        ),
        ("user.openshift.io", "User") => body(
            "A person known to the cluster, created when they first log in.",
            vec![
                ("fullName", string("The display name.")),
                ("identities", atomic_list(json!({"type": "string"}), "The identities (`<provider>:<user>`) that log in as this user.")),
                ("groups", atomic_list(json!({"type": "string"}), "Groups the user is put in directly.")),
            ],
            &["identities", "groups"],
        ),
        ("user.openshift.io", "Identity") => body(
            "A user as one identity provider knows them, mapped to a cluster user.",
            vec![
                ("providerName", string("The identity provider's name.")),
                ("providerUserName", string("The user's ID at the provider.")),
                ("user", object("The cluster user this identity logs in as.", &[
                    ("name", string("The user's name.")),
                    ("uid", string("The user's uid.")),
                ])),
                ("extra", map_of_strings("What else the provider said about the user, such as `email`.")),
            ],
            &["providerName", "providerUserName", "user"],
        ),
        _ => return None,
    };
    Some(body)
}

/// A schema from the pruning descriptor's language (see `validate/schema.rs`).
fn from_descriptor(descriptor: &Value) -> Value {
    match descriptor {
        Value::String(t) => match t.as_str() {
            "s" => json!({"type": "string"}),
            "b" => json!({"type": "boolean"}),
            "i" => json!({"type": "integer", "format": "int64"}),
            _ => json!({"x-kubernetes-preserve-unknown-fields": true}),
        },
        Value::Array(items) => json!({
            "type": "array",
            "items": items.first().map(from_descriptor).unwrap_or_else(|| json!({})),
        }),
        Value::Object(fields) => match fields.get("@map") {
            Some(item) => json!({"type": "object", "additionalProperties": from_descriptor(item)}),
            None => json!({
                "type": "object",
                "properties": fields
                    .iter()
                    .map(|(k, v)| (k.clone(), from_descriptor(v)))
                    .collect::<serde_json::Map<_, _>>(),
            }),
        },
        _ => json!({}),
    }
}

fn generated(def: &ResourceDef) -> Body {
    let descriptor = pruning::of(def);
    let fields = descriptor
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
                .map(|(k, v)| (k.clone(), from_descriptor(v)))
                .collect()
        })
        .unwrap_or_default();
    Body {
        description: "",
        fields,
        required: &[],
    }
}

fn gvk(def: &ResourceDef, kind: &str) -> Value {
    json!([{"group": def.group, "kind": kind, "version": def.version}])
}

/// The kind's schema and its list's schema, by name.
pub fn schemas(def: &ResourceDef) -> Vec<(String, Value)> {
    let body = hand_written(def).unwrap_or_else(|| generated(def));
    let mut fields = vec![
        ("apiVersion".to_string(), meta::api_version()),
        ("kind".to_string(), meta::kind()),
        (
            "metadata".to_string(),
            reference(OBJECT_META, "The object's metadata."),
        ),
    ];
    fields.extend(body.fields);
    let mut kind_schema = object(body.description, &fields)
        .with("x-kubernetes-group-version-kind", gvk(def, def.kind));
    if !body.required.is_empty() {
        kind_schema = kind_schema.required(body.required);
    }
    let list = object(
        "A list of objects of one kind.",
        &[
            ("apiVersion", meta::api_version()),
            ("kind", meta::kind()),
            (
                "metadata",
                reference(meta::LIST_META, "The list's metadata."),
            ),
            (
                "items",
                list_of_refs(&names::kind_schema(def), "The objects."),
            ),
        ],
    )
    .required(&["items"])
    .with(
        "x-kubernetes-group-version-kind",
        gvk(def, &format!("{}List", def.kind)),
    );
    vec![
        (names::kind_schema(def), kind_schema),
        (names::list_schema(def), list),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::resources;

    /// The fields of `schema` where `descriptor` names fields, recursively: what
    /// `explain` shows must be what the server keeps.
    fn mismatches(schema: &Value, descriptor: &Value, path: &str, out: &mut Vec<String>) {
        let Some(fields) = descriptor.as_object() else {
            if let (Some(item), Some(items)) = (
                descriptor.as_array().and_then(|l| l.first()),
                schema.get("items"),
            ) {
                mismatches(items, item, &format!("{path}[]"), out);
            }
            return;
        };
        if let Some(item) = fields.get("@map") {
            let inner = schema
                .get("additionalProperties")
                .cloned()
                .unwrap_or_default();
            return mismatches(&inner, item, &format!("{path}{{}}"), out);
        }
        let props = schema.get("properties").and_then(Value::as_object);
        let names: Vec<&String> = props.map(|p| p.keys().collect()).unwrap_or_default();
        for key in fields.keys() {
            match props.and_then(|p| p.get(key)) {
                Some(sub) => mismatches(sub, &fields[key], &format!("{path}.{key}"), out),
                None => out.push(format!("{path}.{key} missing")),
            }
        }
        for key in names {
            if !fields.contains_key(key) {
                out.push(format!("{path}.{key} not kept by the server"));
            }
        }
    }

    #[test]
    fn schemas_match_what_the_server_keeps() {
        for def in resources::ALL {
            let schemas = schemas(def);
            let mut schema = schemas[0].1.clone();
            // ObjectMeta is shared; compare it through its own schema.
            schema["properties"]["metadata"] = meta::schemas()[0].1.clone();
            let mut out = Vec::new();
            mismatches(&schema, &pruning::of(def), def.kind, &mut out);
            assert!(out.is_empty(), "{out:?}");
        }
    }
}
