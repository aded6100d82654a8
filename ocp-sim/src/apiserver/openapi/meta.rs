//! The shared `meta/v1` schemas every group version's document carries: object and
//! list metadata, `Status`, `DeleteOptions` and the opaque `Patch` body.

use serde_json::{Value, json};

use super::build::*;

pub const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
pub const LIST_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
pub const STATUS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
pub const DELETE_OPTIONS: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
pub const PATCH: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
const OWNER_REFERENCE: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference";
const MANAGED_FIELDS_ENTRY: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry";

pub fn api_version() -> Value {
    string("The group and version this object is written in, such as `v1` or `group/v1`.")
}

pub fn kind() -> Value {
    string("The kind of this object, in CamelCase.")
}

fn object_meta() -> Value {
    object(
        "Data every stored object carries: its name, where it lives, labels, annotations and the bookkeeping the server keeps.",
        &[
            (
                "name",
                string("The object's name, unique per kind (and namespace)."),
            ),
            (
                "generateName",
                string("A prefix from which the server makes a unique name when `name` is empty."),
            ),
            (
                "namespace",
                string("The namespace of a namespaced object; empty for cluster-wide kinds."),
            ),
            (
                "uid",
                string("An ID the server gives the object at creation; it never changes."),
            ),
            (
                "resourceVersion",
                string(
                    "An opaque version the server changes on every write; send it back to update only the version you read.",
                ),
            ),
            (
                "generation",
                integer("Counts changes to the desired state; set by the server."),
            ),
            (
                "creationTimestamp",
                time("When the object was created; set by the server."),
            ),
            (
                "deletionTimestamp",
                time("When a graceful deletion was asked for; set by the server."),
            ),
            (
                "deletionGracePeriodSeconds",
                integer("Seconds left for a graceful deletion; set by the server."),
            ),
            ("selfLink", string("Deprecated and never filled in.")),
            (
                "labels",
                map_of_strings("Key/value pairs that label selectors match on."),
            ),
            (
                "annotations",
                map_of_strings("Key/value pairs for tools and people; not used for selection."),
            ),
            (
                "finalizers",
                set_of_strings(
                    "Names of the controllers that must clean up before the object may go.",
                ),
            ),
            (
                "ownerReferences",
                keyed_list(
                    json!({"allOf": [{"$ref": format!("{SCHEMA_REF}{OWNER_REFERENCE}")}], "default": {}}),
                    "uid",
                    "The objects this one belongs to; it is collected when all of them are gone.",
                ),
            ),
            (
                "managedFields",
                atomic_list(
                    json!({"allOf": [{"$ref": format!("{SCHEMA_REF}{MANAGED_FIELDS_ENTRY}")}], "default": {}}),
                    "Which field manager set which fields; kept by the server for server-side apply.",
                ),
            ),
        ],
    )
}

fn owner_reference() -> Value {
    object(
        "Points at the object that owns this one.",
        &[
            ("apiVersion", string("The owner's API version.")),
            ("kind", string("The owner's kind.")),
            ("name", string("The owner's name.")),
            ("uid", string("The owner's uid.")),
            (
                "controller",
                boolean("Whether the owner is the managing controller."),
            ),
            (
                "blockOwnerDeletion",
                boolean("Whether the owner waits for this object when deleted in the foreground."),
            ),
        ],
    )
    .required(&["apiVersion", "kind", "name", "uid"])
    .with("x-kubernetes-map-type", json!("atomic"))
}

fn managed_fields_entry() -> Value {
    object(
        "The fields one field manager set with one operation.",
        &[
            ("manager", string("The field manager's name.")),
            ("operation", string("`Apply` or `Update`.")),
            (
                "apiVersion",
                string("The version the fields are written in."),
            ),
            ("time", time("When the entry last changed.")),
            (
                "fieldsType",
                string("The format of `fieldsV1`; always `FieldsV1`."),
            ),
            ("fieldsV1", free_object("The set of fields, as a tree.")),
            (
                "subresource",
                string("The subresource written through, if any."),
            ),
        ],
    )
}

fn list_meta() -> Value {
    object(
        "Data every list carries.",
        &[
            (
                "resourceVersion",
                string("The version of the store the list was read at."),
            ),
            (
                "continue",
                string("Set when more items remain; not used by this server."),
            ),
            (
                "remainingItemCount",
                integer("How many items remain after this page; not used by this server."),
            ),
            ("selfLink", string("Deprecated and never filled in.")),
        ],
    )
}

fn status() -> Value {
    object(
        "The outcome of a call that returns no object: most often why it failed.",
        &[
            ("apiVersion", api_version()),
            ("kind", kind()),
            ("metadata", reference(LIST_META, "List metadata; empty.")),
            ("status", string("`Success` or `Failure`.")),
            ("message", string("What went wrong, for people.")),
            (
                "reason",
                string("What went wrong, as a CamelCase word programs can act on."),
            ),
            (
                "details",
                free_object("The object and fields concerned, when known."),
            ),
            ("code", integer("The HTTP status code.")),
        ],
    )
    .with(
        "x-kubernetes-group-version-kind",
        json!([{"group": "", "kind": "Status", "version": "v1"}]),
    )
}

fn delete_options() -> Value {
    object(
        "How to delete an object.",
        &[
            ("apiVersion", api_version()),
            ("kind", kind()),
            (
                "dryRun",
                atomic_list(
                    json!({"type": "string", "default": ""}),
                    "`All` to check the deletion without doing it.",
                ),
            ),
            (
                "gracePeriodSeconds",
                integer("Seconds to wait before deleting."),
            ),
            (
                "preconditions",
                object(
                    "Conditions the object must meet to be deleted.",
                    &[
                        ("uid", string("The uid the object must have.")),
                        (
                            "resourceVersion",
                            string("The resourceVersion the object must have."),
                        ),
                    ],
                ),
            ),
            (
                "propagationPolicy",
                string("What happens to dependents: `Orphan`, `Background` or `Foreground`."),
            ),
        ],
    )
}

/// The shared schemas, by name.
pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (OBJECT_META, object_meta()),
        (OWNER_REFERENCE, owner_reference()),
        (MANAGED_FIELDS_ENTRY, managed_fields_entry()),
        (LIST_META, list_meta()),
        (STATUS, status()),
        (DELETE_OPTIONS, delete_options()),
        (
            PATCH,
            json!({"type": "object", "description": "A patch body, in the format the request's Content-Type names."}),
        ),
    ]
}
