//! The error codes page: the codes and the kinds that share them, retired codes, each kind's retryability and HTTP
//! status, and the `data` member.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use metaapi_protocol::{ErrorCode, ErrorKind};
use serde_json::Value;

use super::markdown::cell;
use super::reference::{GENERATED_NOTE, Reference};

impl<'a> Reference<'a> {
    pub(super) fn errors_page(&self) -> String {
        let kind_docs = self.kind_descriptions();
        let mut page = String::new();
        page.push_str("# Error codes\n\n");
        page.push_str(GENERATED_NOTE);
        page.push_str("\n\n");
        page.push_str(
            "A failed call answers with a JSON-RPC error object: a numeric `code`, a human `message`, and `data` \
             with a machine-readable `kind` and `retryable`. \
             Programs should branch on `data.kind`; several kinds share a code. \
             Codes are never renumbered. \
             [Idempotent trading](../trading.md) explains what to do after `outcome_unknown`.\n\n\
             ```json\n\
             {\"jsonrpc\": \"2.0\", \"id\": 7, \"error\": {\"code\": -32002, \"message\": \"Terminal offline\",\n\
             \x20 \"data\": {\"kind\": \"terminal_offline\", \"retryable\": true}}}\n\
             ```\n",
        );
        page.push_str("\n## Codes {#codes}\n\n| code | name | default message | kinds |\n|---:|---|---|---|\n");
        for code in ErrorCode::ALL {
            let kinds: Vec<String> = ErrorKind::ALL
                .iter()
                .filter(|kind| kind.code() == *code)
                .map(|kind| format!("[`{kind}`](#kind-{kind})"))
                .collect();
            let _ =
                writeln!(page, "| `{}` | `{code:?}` | {} | {} |", code.code(), cell(code.message()), kinds.join(", "));
        }
        let retired = metaapi_protocol::error::RETIRED_CODES;
        if retired.is_empty() {
            page.push_str("\nNo code has been retired so far. A retired code is listed here and never reused.\n");
        } else {
            let listed: Vec<String> = retired.iter().map(|code| format!("`{code}`")).collect();
            let _ = writeln!(page, "\nRetired codes, never reused: {}.", listed.join(", "));
        }
        page.push_str(
            "\n## Kinds {#kinds}\n\n\
             `retryable` says whether sending the same request again as it is is safe and may succeed. \
             The HTTP status applies when `/rpc` refuses a request before dispatching it (for example a bad token); \
             `200` means the error arrives inside a normal JSON-RPC response.\n\n\
             | kind | code | retryable | HTTP status | meaning |\n|---|---:|---|---:|---|\n",
        );
        for kind in ErrorKind::ALL {
            let _ = writeln!(
                page,
                "| <span id=\"kind-{kind}\"></span>`{kind}` | `{}` | {} | {} | {} |",
                kind.code().code(),
                if kind.retryable() { "yes" } else { "no" },
                kind.http_status(),
                kind_docs.get(kind.as_str()).map(|text| cell(text)).unwrap_or_default(),
            );
        }
        page.push_str("\n## The `data` member {#data}\n\n");
        let error_data = self.definitions.get("ErrorData").expect("ErrorData is in the bundle");
        self.write_fields(&mut page, error_data, "types.md");
        page
    }

    /// The doc comment of each `ErrorKind` variant, as the schema carries it.
    fn kind_descriptions(&self) -> BTreeMap<&'a str, &'a str> {
        let variants = self
            .definitions
            .get("ErrorKind")
            .and_then(|kind| kind.get("oneOf"))
            .and_then(Value::as_array)
            .expect("ErrorKind is a oneOf of documented constants");
        variants
            .iter()
            .filter_map(|variant| Some((variant.get("const")?.as_str()?, variant.get("description")?.as_str()?)))
            .collect()
    }
}
