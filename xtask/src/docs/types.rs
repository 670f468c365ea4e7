//! The type reference page: every definition a method or notification reaches, as a member table, a table of
//! values, a list of variants, or a type with its bounds.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::markdown::{cell, collect_refs, const_text, constraints, prose, type_anchor, type_text};
use super::reference::{GENERATED_NOTE, Reference};

impl<'a> Reference<'a> {
    /// Every definition reachable from a method or notification, so the page documents exactly the client wire.
    fn reachable(&self) -> BTreeMap<&'a str, &'a Value> {
        let mut found = BTreeMap::new();
        let mut pending: Vec<&'a Value> = Vec::new();
        pending.extend(self.methods.iter().flat_map(|method| [method.params, method.result]));
        pending.extend(self.notifications.iter().map(|notification| notification.params));
        while let Some(schema) = pending.pop() {
            collect_refs(schema, &mut |name| {
                if !found.contains_key(name) {
                    let definition = &self.definitions[name];
                    found.insert(name, definition);
                    pending.push(definition);
                }
            });
        }
        found
    }

    pub(super) fn types_page(&self) -> String {
        let mut page = String::new();
        page.push_str("# Type reference\n\n");
        page.push_str(GENERATED_NOTE);
        page.push_str("\n\n");
        page.push_str(
            "Every type that a method's params or result, or a notification, uses. \
             Tickets are strings, enums are lowercase strings, times are UTC epoch milliseconds, \
             money and prices are JSON numbers. Optional members may be absent; `null` means the same.\n",
        );
        for (name, definition) in self.reachable() {
            let _ = writeln!(page, "\n## `{name}` {{#{}}}\n", type_anchor(name));
            if let Some(description) = definition.get("description").and_then(Value::as_str) {
                let _ = writeln!(page, "{}\n", prose(description));
            }
            self.write_definition(&mut page, definition);
        }
        page
    }

    fn write_definition(&self, page: &mut String, definition: &Value) {
        if definition.get("properties").is_some() || definition.get("type").and_then(Value::as_str) == Some("object") {
            self.write_fields(page, definition, "");
            return;
        }
        let variants = definition.get("oneOf").or_else(|| definition.get("anyOf")).and_then(Value::as_array);
        if let Some(variants) = variants {
            if variants.iter().all(|variant| variant.get("const").is_some()) {
                page.push_str("| value | meaning |\n|---|---|\n");
                for variant in variants {
                    let _ = writeln!(
                        page,
                        "| `{}` | {} |",
                        const_text(&variant["const"]),
                        variant.get("description").and_then(Value::as_str).map(cell).unwrap_or_default()
                    );
                }
                return;
            }
            if variants.iter().all(|variant| variant.get("properties").is_some()) {
                page.push_str("One of these objects:\n");
                for variant in variants {
                    let title = variant.get("title").and_then(Value::as_str).unwrap_or("variant");
                    let _ = write!(page, "\n**{title}**");
                    if let Some(description) = variant.get("description").and_then(Value::as_str) {
                        let _ = write!(page, ": {}", prose(description));
                    }
                    page.push_str("\n\n");
                    self.write_fields(page, variant, "");
                }
                return;
            }
        }
        if let Some(values) = definition.get("enum").and_then(Value::as_array) {
            let listed: Vec<String> = values.iter().map(|value| format!("`{}`", const_text(value))).collect();
            let _ = writeln!(page, "One of: {}.", listed.join(", "));
            return;
        }
        let notes = constraints(definition);
        let _ = write!(page, "Type: {}", type_text(definition, ""));
        if !notes.is_empty() {
            let _ = write!(page, " ({})", notes.join("; "));
        }
        page.push_str(".\n");
    }
}
