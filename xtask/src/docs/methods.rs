//! The method reference page: a summary table, then each method by category with its route, capability, params,
//! result and a request/response example.

use std::fmt::Write as _;

use serde_json::Value;

use super::markdown::{capitalized, cell, envelope, indented, json_text, prose, type_link, type_text};
use super::reference::{GENERATED_NOTE, MethodDoc, Reference};

impl<'a> Reference<'a> {
    pub(super) fn methods_page(&self) -> String {
        let mut page = String::new();
        page.push_str("# Method reference\n\n");
        page.push_str(GENERATED_NOTE);
        page.push_str("\n\n");
        let _ = writeln!(
            page,
            "Protocol version `{}`, {} methods. \
             Every call is a JSON-RPC 2.0 request on `POST /rpc` or on `/ws` with `params` as an object of named \
             members; absent optional members take their defaults. \
             The route says who answers: `gateway` (the gateway itself; the terminal must still be online), \
             `terminal` (forwarded to the token's terminal) or `stream` (only on `/ws`). \
             Types are described on the [type reference](types.md) page, errors on [error codes](errors.md), \
             and trading calls on [idempotent trading](../trading.md).\n",
            metaapi_protocol::PROTOCOL_VERSION,
            self.methods.len()
        );
        page.push_str("| method | route | capability | trading | summary |\n|---|---|---|---|---|\n");
        for method in &self.methods {
            let _ = writeln!(
                page,
                "| [`{name}`](#method-{name}) | {route} | {capability} | {trading} | {summary} |",
                name = method.info.name,
                route = method.wire("route"),
                capability = method.info.requires.map(|_| format!("`{}`", method.wire("requires"))).unwrap_or_default(),
                trading = if method.info.trading { "yes" } else { "" },
                summary = cell(method.info.summary),
            );
        }
        let mut current_category = None;
        for method in &self.methods {
            let category = method.wire("category").to_owned();
            if current_category.as_deref() != Some(category.as_str()) {
                let _ = writeln!(page, "\n## {} {{#category-{category}}}", capitalized(&category));
                current_category = Some(category);
            }
            self.write_method(&mut page, method);
        }
        page
    }

    fn write_method(&self, page: &mut String, method: &MethodDoc<'a>) {
        let info = &method.info;
        let _ = writeln!(page, "\n### `{name}` {{#method-{name}}}\n\n{}\n", prose(info.summary), name = info.name);
        let route = match info.route {
            metaapi_protocol::Route::Gateway => "answered by the gateway",
            metaapi_protocol::Route::Terminal => "forwarded to the token's terminal",
            metaapi_protocol::Route::Stream => "only on `/ws`, answered by the gateway",
        };
        let _ = writeln!(page, "- Route: `{}` ({route}).", method.wire("route"));
        if info.requires.is_some() {
            let _ = writeln!(
                page,
                "- Requires the terminal capability `{}`; without it the answer is an `unsupported` error.",
                method.wire("requires")
            );
        }
        if info.trading {
            page.push_str(
                "- Trading call: takes an optional `client_id` and runs at most once per id \
                 (see [idempotent trading](../trading.md)).\n",
            );
        }
        let (params_name, params) = self.definition(method.params).expect("params are a named definition");
        if params.get("properties").is_none() {
            page.push_str("\n**Params:** none. Send `{}`, `null`, or leave `params` out.\n");
        } else {
            let _ = writeln!(page, "\n**Params** ({}):\n", type_link(params_name, "types.md"));
            if let Some(description) = params.get("description").and_then(Value::as_str) {
                let _ = writeln!(page, "{}\n", prose(description));
            }
            self.write_fields(page, params, "types.md");
        }
        let _ = writeln!(page, "\n**Result:** {}", type_text(method.result, "types.md"));
        let example = &self.examples["methods"][info.name];
        if let (Some(params), Some(result)) = (example.get("params"), example.get("result")) {
            let request =
                envelope(&[("id", json_text(&Value::from(1))), ("method", json_text(&info.name.into()))], params);
            let response = format!("{{\n  \"jsonrpc\": \"2.0\",\n  \"id\": 1,\n  \"result\": {}\n}}", indented(result));
            let _ = writeln!(page, "\n**Example:**\n\n```json\n{request}\n```\n\n```json\n{response}\n```");
        }
    }
}
