//! The write path: creating, updating and deleting objects under the real server's
//! rules, PATCH in its four flavours, server-side apply and the field ownership
//! (`metadata.managedFields`) it keeps.

pub(crate) mod apply;
pub(crate) mod managed;
pub(crate) mod objects;
pub(crate) mod patch;
