//! Wire types of the MetaAPI local gateway, shared by every other crate.
//!
//! This crate does no I/O. It defines:
//!
//! - [`jsonrpc`]: JSON-RPC 2.0 envelopes (requests, notifications, responses, batches) and their framing rules.
//! - [`error`]: the one error model: [`ErrorCode`], [`ErrorKind`] and the [`ErrorObject`] that goes on the wire.
//! - [`Method`] and [`Notification`]: each RPC method is a type with a name, a params type and a result type,
//!   all with JSON Schemas, and [`for_each_method`] is the one registry that lists them.
//! - [`methods`] and [`notifications`]: the method catalogue and its domain types.
//! - [`link`]: the messages between the gateway and the bridge DLL inside the terminal.
//! - [`console`]: the console API (tokens, devices, account status, verification, revocation events).
//! - [`host`]: the `Host` header as the gateway and the console read it.
//! - [`field_path`]: which field a deserialization error is about, as every crate reports it.
//! - [`schema`]: the JSON Schema bundle and the OpenRPC document, generated from the registry.

#![forbid(unsafe_code)]
// `ErrorObject` is the wire error every fallible call returns; boxing it would add an allocation per error for
// no gain.
#![allow(clippy::result_large_err)]

pub mod console;
pub mod error;
pub mod field_path;
pub mod host;
pub mod jsonrpc;
pub mod link;
mod method;
pub mod methods;
pub mod notifications;
pub mod schema;
pub mod time;
pub mod types;

pub use error::{ErrorCode, ErrorData, ErrorKind, ErrorObject};
pub use method::{
    Category, Method, MethodInfo, MethodVisitor, NoParams, Notification, NotificationVisitor, ParamsError, Route,
    Source, StreamKind, Validate, decode_params,
};
pub use methods::{for_each_method, method_info, method_infos};
pub use notifications::for_each_notification;

/// Version of the JSON-RPC method catalogue. Bumped when a method or field is removed or changes meaning;
/// additions of methods and optional fields do not bump it.
pub const PROTOCOL_VERSION: &str = "1.0";
