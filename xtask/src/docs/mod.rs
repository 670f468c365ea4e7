//! Generates the reference pages of the docs book (methods, notifications, types, errors) from protocol's registries.
//!
//! The pages are built from `metaapi_protocol::method_infos` for the facts of each method, the JSON Schema bundle for
//! params, results and notification data, and `ErrorCode::ALL` / `ErrorKind::ALL` for the error tables. They are
//! listed in [`crate::generated_files`], so `cargo xtask codegen` writes them and the staleness test covers them.
//!
//! Each page has its module (`methods`, `notifications`, `types`, `errors`), all of them methods of `Reference`
//! (`reference.rs`, with what every page shares); `markdown` holds the rendering helpers.

mod errors;
mod markdown;
mod methods;
mod notifications;
mod reference;
mod types;

use serde_json::Value;

use crate::GeneratedFile;
use reference::Reference;

/// The reference pages, in the order the book lists them.
pub fn reference_files() -> Vec<GeneratedFile> {
    let bundle = metaapi_protocol::schema::bundle();
    let examples = load_examples();
    let reference = Reference::new(&bundle, &examples);
    vec![
        GeneratedFile { path: "docs/src/reference/methods.md", contents: reference.methods_page() },
        GeneratedFile { path: "docs/src/reference/notifications.md", contents: reference.notifications_page() },
        GeneratedFile { path: "docs/src/reference/types.md", contents: reference.types_page() },
        GeneratedFile { path: "docs/src/reference/errors.md", contents: reference.errors_page() },
    ]
}

/// The protocol's canonical wire examples. Its tests round-trip every entry through the Rust types and
/// `tools/schema-check` validates each against the schemas, so the examples shown in the book are known to be right.
const EXAMPLES_PATH: &str = "protocol/tests/it/examples.json";

fn load_examples() -> Value {
    let path = crate::project_root().join(EXAMPLES_PATH);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{EXAMPLES_PATH} is not JSON: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use metaapi_protocol::ErrorKind;

    #[test]
    fn every_method_kind_and_notification_is_on_a_page() {
        let files = reference_files();
        let page = |suffix: &str| &files.iter().find(|file| file.path.ends_with(suffix)).unwrap().contents;
        for info in metaapi_protocol::method_infos() {
            assert!(page("methods.md").contains(&format!("{{#method-{}}}", info.name)), "{} missing", info.name);
        }
        for kind in ErrorKind::ALL {
            assert!(page("errors.md").contains(&format!("id=\"kind-{kind}\"")), "{kind} missing");
        }
        assert!(page("notifications.md").contains("{#notification-stream_gap}"));
        assert!(page("types.md").contains("{#type-placeorderparams}"));
    }
}
