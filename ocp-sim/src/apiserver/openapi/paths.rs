//! The OpenAPI 3 path items of one resource: only the verbs its `ResourceDef` serves,
//! at the URLs the router answers, with the query parameters the handlers read and the
//! body types they decode (PATCH: exactly the types `write/patch.rs` accepts).

use serde_json::{Map, Value, json};

use super::build::SCHEMA_REF;
use super::meta::{DELETE_OPTIONS, PATCH, STATUS};
use super::names;
use crate::apiserver::resources::ResourceDef;
use crate::apiserver::write::patch;

/// What `routes/body.rs` decodes for create and update: protobuf only for the built-in
/// kinds it has messages for.
fn body_types(def: &ResourceDef) -> &'static [&'static str] {
    if !def.crd && crate::apiserver::protobuf::decodes(&def.api_version(), def.kind) {
        &[
            "application/json",
            "application/yaml",
            "application/vnd.kubernetes.protobuf",
        ]
    } else {
        &["application/json", "application/yaml"]
    }
}
/// Every answer is JSON.
const RESPONSE_TYPE: &str = "application/json";

/// One operation: RBAC verb, HTTP method, upstream action, operation-ID verb.
struct Verb {
    rbac: &'static str,
    method: &'static str,
    action: &'static str,
    id: &'static str,
}

const COLLECTION: &[Verb] = &[
    Verb {
        rbac: "list",
        method: "get",
        action: "list",
        id: "list",
    },
    Verb {
        rbac: "create",
        method: "post",
        action: "post",
        id: "create",
    },
];
const ITEM: &[Verb] = &[
    Verb {
        rbac: "get",
        method: "get",
        action: "get",
        id: "read",
    },
    Verb {
        rbac: "update",
        method: "put",
        action: "put",
        id: "replace",
    },
    Verb {
        rbac: "patch",
        method: "patch",
        action: "patch",
        id: "patch",
    },
    Verb {
        rbac: "delete",
        method: "delete",
        action: "delete",
        id: "delete",
    },
];

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("{SCHEMA_REF}{name}")})
}

fn content(types: &[&str], schema: &str) -> Value {
    let map: Map<String, Value> = types
        .iter()
        .map(|t| (t.to_string(), json!({"schema": schema_ref(schema)})))
        .collect();
    Value::Object(map)
}

fn param(name: &str, location: &str, description: &str, schema: Value) -> Value {
    let mut p = json!({"name": name, "in": location, "description": description, "schema": schema});
    if location == "path" {
        p["required"] = json!(true);
    }
    p
}

fn query_string(name: &str, description: &str) -> Value {
    param(
        name,
        "query",
        description,
        json!({"type": "string", "uniqueItems": true}),
    )
}

fn dry_run() -> Value {
    query_string(
        "dryRun",
        "`All` checks the request, admission included, without storing anything.",
    )
}

fn write_params() -> Vec<Value> {
    vec![
        dry_run(),
        query_string(
            "fieldManager",
            "Names the writer in `metadata.managedFields`.",
        ),
        query_string(
            "fieldValidation",
            "What to do with fields the schema does not know: `Ignore` drops them, `Warn` (the default) drops them with a warning, `Strict` refuses the request.",
        ),
    ]
}

fn query_params(action: &str) -> Vec<Value> {
    match action {
        "list" => vec![
            query_string("labelSelector", "Only objects whose labels match."),
            query_string(
                "fieldSelector",
                "Only objects whose `metadata.name` or `metadata.namespace` match.",
            ),
        ],
        "post" | "put" => write_params(),
        "patch" => {
            let mut params = write_params();
            params.push(param(
                "force",
                "query",
                "Server-side apply only: take over fields other managers own instead of failing with a conflict.",
                json!({"type": "boolean", "uniqueItems": true}),
            ));
            params
        }
        "delete" => vec![dry_run()],
        _ => Vec::new(),
    }
}

fn responses(def: &ResourceDef, action: &str) -> Value {
    let kind = names::kind_schema(def);
    let (codes, schema): (&[(&str, &str)], String) = match action {
        "list" => (&[("200", "OK")], names::list_schema(def)),
        "post" => (
            &[("200", "OK"), ("201", "Created"), ("202", "Accepted")],
            kind,
        ),
        "put" | "patch" => (&[("200", "OK"), ("201", "Created")], kind),
        "delete" => (&[("200", "OK"), ("202", "Accepted")], STATUS.to_string()),
        _ => (&[("200", "OK")], kind),
    };
    let mut out: Map<String, Value> = codes
        .iter()
        .map(|(code, text)| {
            (
                code.to_string(),
                json!({"description": text, "content": content(&[RESPONSE_TYPE], &schema)}),
            )
        })
        .collect();
    out.insert("401".into(), json!({"description": "Unauthorized"}));
    Value::Object(out)
}

fn request_body(def: &ResourceDef, action: &str) -> Option<Value> {
    let accepted = patch::accepted(def);
    let (types, schema, required): (&[&str], String, bool) = match action {
        "post" | "put" => (body_types(def), names::kind_schema(def), true),
        "patch" => (&accepted, PATCH.to_string(), true),
        "delete" => (body_types(def), DELETE_OPTIONS.to_string(), false),
        _ => return None,
    };
    Some(json!({"content": content(types, &schema), "required": required}))
}

fn description(verb: &Verb, def: &ResourceDef, all_namespaces: bool) -> String {
    let kind = def.kind;
    match verb.action {
        "list" if all_namespaces => format!("Lists the {kind} objects of every namespace."),
        "list" => format!("Lists {kind} objects."),
        "post" => format!("Creates a {kind}."),
        "get" => format!("Reads a {kind}."),
        "put" => format!("Replaces a {kind}."),
        "patch" => format!("Changes part of a {kind}."),
        _ => format!("Deletes a {kind}."),
    }
}

fn operation(def: &ResourceDef, verb: &Verb, namespaced: bool, all_namespaces: bool) -> Value {
    let scope = if namespaced { "Namespaced" } else { "" };
    let suffix = if all_namespaces {
        "ForAllNamespaces"
    } else {
        ""
    };
    let mut op = json!({
        "tags": [names::tag(def)],
        "description": description(verb, def, all_namespaces),
        "operationId": format!("{}{}{scope}{}{suffix}", verb.id, names::operation_infix(def), def.kind),
        "parameters": query_params(verb.action),
        "responses": responses(def, verb.action),
        "x-kubernetes-action": verb.action,
        "x-kubernetes-group-version-kind": {"group": def.group, "version": def.version, "kind": def.kind},
    });
    if let Some(body) = request_body(def, verb.action) {
        op["requestBody"] = body;
    }
    op
}

fn path_item(
    def: &ResourceDef,
    verbs: &[&Verb],
    namespaced: bool,
    all_namespaces: bool,
    named: bool,
) -> Option<Value> {
    let mut item = Map::new();
    for verb in verbs.iter().filter(|v| def.verbs.contains(&v.rbac)) {
        item.insert(
            verb.method.to_string(),
            operation(def, verb, namespaced, all_namespaces),
        );
    }
    if item.is_empty() {
        return None;
    }
    let mut params = Vec::new();
    if named {
        params.push(param(
            "name",
            "path",
            &format!("The {}'s name.", def.kind),
            json!({"type": "string", "uniqueItems": true}),
        ));
    }
    if namespaced {
        params.push(param(
            "namespace",
            "path",
            "The namespace.",
            json!({"type": "string", "uniqueItems": true}),
        ));
    }
    params.push(query_string(
        "pretty",
        "Accepted for compatibility; the answer is the same.",
    ));
    item.insert("parameters".into(), Value::Array(params));
    Some(Value::Object(item))
}

/// The resource's paths and their items.
pub fn paths(def: &ResourceDef) -> Vec<(String, Value)> {
    let root = format!("/{}", names::document_path(def.group, def.version));
    let collection: Vec<&Verb> = COLLECTION.iter().collect();
    let item: Vec<&Verb> = ITEM.iter().collect();
    let mut out = Vec::new();
    let mut push = |path: String, value: Option<Value>| {
        if let Some(value) = value {
            out.push((path, value));
        }
    };
    if def.namespaced {
        let base = format!("{root}/namespaces/{{namespace}}/{}", def.plural);
        push(
            base.clone(),
            path_item(def, &collection, true, false, false),
        );
        push(
            format!("{base}/{{name}}"),
            path_item(def, &item, true, false, true),
        );
        let list: Vec<&Verb> = COLLECTION.iter().filter(|v| v.action == "list").collect();
        push(
            format!("{root}/{}", def.plural),
            path_item(def, &list, false, true, false),
        );
    } else {
        let base = format!("{root}/{}", def.plural);
        push(
            base.clone(),
            path_item(def, &collection, false, false, false),
        );
        push(
            format!("{base}/{{name}}"),
            path_item(def, &item, false, false, true),
        );
    }
    out
}
