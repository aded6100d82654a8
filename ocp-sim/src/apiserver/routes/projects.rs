//! OpenShift projects: a view of namespaces filtered by what the caller may see, and
//! project requests, which create the namespace plus an `admin` RoleBinding for the
//! requester the way OpenShift's default project template does.

use serde_json::{Value, json};

use super::body;
use super::request::{Reply, Req};
use crate::apiserver::auth::Principal;
use crate::apiserver::field_error::FieldError;
use crate::apiserver::rbac::{self, Attributes};
use crate::apiserver::resources::{NAMESPACES, PROJECTREQUESTS, PROJECTS, ROLEBINDINGS};
use crate::apiserver::selector::LabelSelector;
use crate::apiserver::status::{ApiError, ApiResult, GroupResource};
use crate::apiserver::store::Store;
use crate::apiserver::validate::is_dns_label;
use crate::apiserver::validate::schema;
use crate::apiserver::write::objects::{self, Ownership};
use crate::context::Sim;
use crate::meta;

const MANAGER: &str = "openshift-apiserver";

/// A Project as OpenShift presents a namespace.
pub fn project_of(ns: &Value) -> Value {
    let mut metadata = ns.get("metadata").cloned().unwrap_or(json!({}));
    if let Some(m) = metadata.as_object_mut() {
        m.remove("managedFields");
    }
    json!({
        "kind": "Project",
        "apiVersion": "project.openshift.io/v1",
        "metadata": metadata,
        "spec": ns.get("spec").cloned().unwrap_or(json!({})),
        "status": ns.get("status").cloned().unwrap_or(json!({})),
    })
}

fn attrs<'a>(verb: &'a str, name: &'a str) -> Attributes<'a> {
    // A project's permissions are checked inside its own namespace.
    Attributes {
        verb,
        group: "project.openshift.io",
        resource: "projects",
        name,
        namespace: name,
    }
}

pub fn handle(
    sim: &Sim,
    req: &Req<'_>,
    principal: &Principal,
    verb: &str,
    name: &str,
) -> ApiResult<Reply> {
    match verb {
        "list" => {
            let attrs = Attributes {
                verb: "list",
                group: "project.openshift.io",
                resource: "projects",
                name: "",
                namespace: "",
            };
            let store = sim.store();
            rbac::authorize(&store, principal, &attrs)?;
            let labels = LabelSelector::parse(
                req.query
                    .get("labelSelector")
                    .map(String::as_str)
                    .unwrap_or(""),
            )?;
            let items: Vec<Value> = rbac::visible_namespaces(&store, principal)
                .iter()
                .filter_map(|ns| store.get(&NAMESPACES, "", ns))
                .filter(|ns| labels.matches(ns))
                .map(|ns| {
                    let mut p = project_of(ns);
                    if let Some(m) = p.as_object_mut() {
                        m.remove("kind");
                        m.remove("apiVersion");
                    }
                    p
                })
                .collect();
            Ok(Reply::ok(json!({
                "kind": "ProjectList",
                "apiVersion": "project.openshift.io/v1",
                "metadata": {"resourceVersion": store.resource_version().to_string()},
                "items": items,
            })))
        }
        "get" => {
            let store = sim.store();
            rbac::authorize(&store, principal, &attrs("get", name))?;
            store
                .get(&NAMESPACES, "", name)
                .map(|ns| Reply::ok(project_of(ns)))
                .ok_or_else(|| ApiError::not_found(&PROJECTS.gr(), name))
        }
        "delete" => {
            let mut store = sim.store();
            rbac::authorize(&store, principal, &attrs("delete", name))?;
            if store.get(&NAMESPACES, "", name).is_none() {
                return Err(ApiError::not_found(&PROJECTS.gr(), name));
            }
            if req.dry_run() {
                let mut copy = store.dry_copy();
                objects::delete(&mut copy, &NAMESPACES, "", name)?;
            } else {
                objects::delete(&mut store, &NAMESPACES, "", name)?;
            }
            Ok(Reply::ok(json!({
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Success",
            })))
        }
        "create" => {
            let mut store = sim.store();
            rbac::authorize(&store, principal, &attrs("create", ""))?;
            let mut obj = body::decode(req.header("content-type"), req.body, &PROJECTS)?;
            objects::check_type(&PROJECTS, &mut obj)?;
            let warnings = prune(&PROJECTS, &mut obj);
            let name = meta::name(&obj).to_string();
            let annotations = obj
                .pointer("/metadata/annotations")
                .cloned()
                .unwrap_or(json!({}));
            let labels = obj
                .pointer("/metadata/labels")
                .cloned()
                .unwrap_or(json!({}));
            let ns = create_namespace(&mut store, &name, annotations, labels)?;
            Ok(Reply {
                code: 201,
                body: project_of(&ns),
                warnings,
            })
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn prune(def: &crate::apiserver::resources::ResourceDef, obj: &mut Value) -> Vec<String> {
    schema::prune(obj, &schema::of(def))
        .unknown
        .iter()
        .map(|f| format!("unknown field \"{f}\""))
        .collect()
}

fn project_already_exists(name: &str) -> ApiError {
    // OpenShift reports the singular resource here.
    ApiError::already_exists(&GroupResource::new("project.openshift.io", "project"), name)
}

fn create_namespace(
    store: &mut Store,
    name: &str,
    annotations: Value,
    labels: Value,
) -> ApiResult<Value> {
    if store.get(&NAMESPACES, "", name).is_some() {
        return Err(project_already_exists(name));
    }
    let namespace = json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "annotations": annotations, "labels": labels},
    });
    let written = objects::create(
        store,
        &NAMESPACES,
        "",
        namespace,
        Ownership::Update(MANAGER.into()),
    )
    .map_err(|e| {
        if e.reason == "AlreadyExists" {
            project_already_exists(name)
        } else {
            e
        }
    })?;
    Ok(written.object)
}

/// `POST projectrequests`: self-service project creation.
pub fn request(sim: &Sim, req: &Req<'_>, principal: &Principal) -> ApiResult<Reply> {
    let mut store = sim.store();
    rbac::authorize(
        &store,
        principal,
        &Attributes {
            verb: "create",
            group: "project.openshift.io",
            resource: "projectrequests",
            name: "",
            namespace: "",
        },
    )?;
    let mut obj = body::decode(req.header("content-type"), req.body, &PROJECTREQUESTS)?;
    objects::check_type(&PROJECTREQUESTS, &mut obj)?;
    let warnings = prune(&PROJECTREQUESTS, &mut obj);
    let name = meta::name(&obj).to_string();
    if name.is_empty() {
        return Err(ApiError::invalid(
            "project.openshift.io",
            "ProjectRequest",
            "",
            &[FieldError::required(
                "metadata.name",
                "name or generateName is required",
            )],
        ));
    }
    if !is_dns_label(&name) {
        return Err(ApiError::invalid(
            "project.openshift.io",
            "ProjectRequest",
            &name,
            &[FieldError::invalid(
                "metadata.name",
                &json!(name),
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            )],
        ));
    }
    for prefix in ["openshift-", "kube-"] {
        if name.starts_with(prefix) {
            return Err(ApiError::forbidden(
                &PROJECTREQUESTS.gr(),
                &name,
                &format!("cannot request a project starting with \"{prefix}\""),
            ));
        }
    }
    if matches!(name.as_str(), "openshift" | "kubernetes" | "kube") {
        return Err(ApiError::forbidden(
            &PROJECTREQUESTS.gr(),
            &name,
            &format!("cannot request a project with the name \"{name}\""),
        ));
    }
    let text = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let requester = principal.name().to_string();
    let annotations = json!({
        "openshift.io/requester": requester,
        "openshift.io/display-name": text("displayName"),
        "openshift.io/description": text("description"),
    });
    if req.dry_run() {
        let mut copy = store.dry_copy();
        let ns = create_namespace(&mut copy, &name, annotations, json!({}))?;
        return Ok(Reply {
            code: 201,
            body: project_of(&ns),
            warnings,
        });
    }
    let ns = create_namespace(&mut store, &name, annotations, json!({}))?;
    let binding = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "admin", "namespace": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": requester}],
    });
    objects::create(
        &mut store,
        &ROLEBINDINGS,
        &name,
        binding,
        Ownership::Update(MANAGER.into()),
    )?;
    Ok(Reply {
        code: 201,
        body: project_of(&ns),
        warnings,
    })
}
