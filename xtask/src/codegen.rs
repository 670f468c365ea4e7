//! The generated files: [`generated_files`] lists them with their contents, `cargo xtask codegen` writes them
//! ([`write_generated`]) and the staleness test compares them with the committed ones ([`stale_files`]).

use anyhow::Context;
use serde_json::Value;

use crate::docs;
use crate::generated::GeneratedFile;
use crate::project_root;

/// Pretty JSON with sorted keys and a final newline, so diffs of generated files stay small and stable.
pub fn canonical_json(value: &Value) -> String {
    // serde_json's map is a BTreeMap in this workspace (no preserve_order), so keys come out sorted.
    let mut text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    text.push('\n');
    text
}

/// Every generated artifact.
pub fn generated_files() -> Vec<GeneratedFile> {
    vec![
        GeneratedFile {
            path: "schemas/protocol.schema.json",
            contents: canonical_json(&metaapi_protocol::schema::bundle()),
        },
        GeneratedFile { path: "schemas/openrpc.json", contents: canonical_json(&metaapi_protocol::schema::openrpc()) },
        GeneratedFile { path: "bridge/mql/Include/metaapi_bridge.mqh", contents: metaapi_bridge::mql::include_text() },
        GeneratedFile { path: "bridge/include/metaapi_bridge.h", contents: metaapi_bridge::mql::c_header_text() },
    ]
    .into_iter()
    // The docs book's method, notification, type and error reference pages.
    .chain(docs::reference_files())
    .collect()
}

/// Writes every generated file, returning the paths that changed.
pub fn write_generated() -> anyhow::Result<Vec<&'static str>> {
    let root = project_root();
    let mut changed = Vec::new();
    for file in generated_files() {
        let path = root.join(file.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &file.contents).with_context(|| format!("writing {}", path.display()))?;
        changed.push(file.path);
    }
    Ok(changed)
}

/// The generated files whose committed contents differ from what the generators produce now.
pub fn stale_files() -> Vec<&'static str> {
    let root = project_root();
    generated_files()
        .into_iter()
        .filter(|file| std::fs::read_to_string(root.join(file.path)).ok().as_deref() != Some(file.contents.as_str()))
        .map(|file| file.path)
        .collect()
}
