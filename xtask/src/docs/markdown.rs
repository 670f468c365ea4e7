//! Markdown and JSON Schema helpers shared by the reference pages: type names and links, bounds and defaults,
//! doc comments as prose and table cells, and JSON-RPC examples laid out the way people write them.

use std::fmt::Write as _;

use serde_json::Value;

/// A JSON-RPC message with `jsonrpc` first, then `members` in order, then pretty `params`: the order people write.
pub(super) fn envelope(members: &[(&str, String)], params: &Value) -> String {
    let mut text = String::from("{\n  \"jsonrpc\": \"2.0\",\n");
    for (name, value) in members {
        let _ = writeln!(text, "  \"{name}\": {value},");
    }
    let _ = write!(text, "  \"params\": {}\n}}", indented(params));
    text
}

/// Pretty JSON nested one level deep.
pub(super) fn indented(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON values always serialize").replace('\n', "\n  ")
}

pub(super) fn json_text(value: &Value) -> String {
    value.to_string()
}

/// The last segment of a `$ref`.
pub(super) fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.rsplit('/').next()
}

pub(super) fn collect_refs<'a>(schema: &'a Value, found: &mut impl FnMut(&'a str)) {
    match schema {
        Value::Object(members) => {
            if let Some(name) = ref_name(schema) {
                found(name);
            }
            members.values().for_each(|value| collect_refs(value, found));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, found)),
        _ => {}
    }
}

pub(super) fn type_anchor(name: &str) -> String {
    format!("type-{}", name.to_ascii_lowercase())
}

/// A link to a type on the types page; `page` is empty for links within that page.
pub(super) fn type_link(name: &str, page: &str) -> String {
    format!("[`{name}`]({page}#{})", type_anchor(name))
}

/// A short Markdown rendering of a schema's type.
pub(super) fn type_text(schema: &Value, page: &str) -> String {
    if let Some(name) = ref_name(schema) {
        return type_link(name, page);
    }
    if let Some(value) = schema.get("const") {
        return format!("`{}`", const_text(value));
    }
    if let Some(variants) = schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Value::as_array) {
        let parts: Vec<String> =
            variants.iter().filter(|variant| !is_null(variant)).map(|variant| type_text(variant, page)).collect();
        return parts.join(" or ");
    }
    match schema.get("type") {
        Some(Value::String(name)) => simple_type(name, schema, page),
        Some(Value::Array(names)) => {
            let parts: Vec<String> = names
                .iter()
                .filter_map(Value::as_str)
                .filter(|name| *name != "null")
                .map(|name| simple_type(name, schema, page))
                .collect();
            parts.join(" or ")
        }
        _ if schema.get("properties").is_some() => "object".to_owned(),
        _ => "any JSON value".to_owned(),
    }
}

pub(super) fn simple_type(name: &str, schema: &Value, page: &str) -> String {
    match name {
        "array" => match schema.get("items") {
            Some(items) => format!("array of {}", type_text(items, page)),
            None => "array".to_owned(),
        },
        "object" => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) => format!("map of string to {}", type_text(values, page)),
            _ => "object".to_owned(),
        },
        other => other.to_owned(),
    }
}

pub(super) fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

pub(super) fn const_text(value: &Value) -> String {
    value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string())
}

/// Defaults and bounds a reader needs: the things a type name alone does not say.
pub(super) fn constraints(schema: &Value) -> Vec<String> {
    let number = |key: &str| schema.get(key).map(|value| value.to_string());
    let mut notes = Vec::new();
    if let Some(default) = schema.get("default") {
        notes.push(format!("default `{}`", default));
    }
    let ranges =
        [("minLength", "maxLength", "characters"), ("minItems", "maxItems", "items"), ("minimum", "maximum", "")];
    for (low_key, high_key, unit) in ranges {
        // Unsigned integers get `minimum: 0` from their type; saying so adds nothing.
        let low = number(low_key).filter(|low| !(low_key == "minimum" && low == "0" && schema.get("format").is_some()));
        let text = match (low, number(high_key)) {
            (Some(low), Some(high)) => format!("{low} to {high}"),
            (Some(low), None) => format!("at least {low}"),
            (None, Some(high)) => format!("at most {high}"),
            (None, None) => continue,
        };
        notes.push(if unit.is_empty() { text } else { format!("{text} {unit}") });
    }
    if let Some(low) = number("exclusiveMinimum") {
        notes.push(format!("greater than {low}"));
    }
    notes
}

pub(super) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A doc comment as Markdown prose: rustdoc's intra-doc link brackets dropped, and `<` outside code escaped so
/// that text such as `Bearer <auth_token>` is not taken for an HTML tag.
pub(super) fn prose(text: &str) -> String {
    let text = text.replace("[`", "`").replace("`]", "`");
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for character in text.chars() {
        match character {
            '`' => {
                in_code = !in_code;
                out.push(character);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(character),
        }
    }
    out
}

/// Prose that fits in one table cell.
pub(super) fn cell(text: &str) -> String {
    prose(text).replace('\n', " ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nullable_types_drop_the_null() {
        assert_eq!(type_text(&json!({"type": ["string", "null"]}), ""), "string");
        assert_eq!(
            type_text(&json!({"anyOf": [{"$ref": "#/$defs/Side"}, {"type": "null"}]}), "types.md"),
            "[`Side`](types.md#type-side)"
        );
        assert_eq!(type_text(&json!({"type": "array", "items": {"type": "string"}}), ""), "array of string");
    }

    #[test]
    fn constraints_say_bounds_and_defaults() {
        let schema = json!({"type": "string", "minLength": 1, "maxLength": 64, "default": "auto"});
        assert_eq!(constraints(&schema), vec!["default `\"auto\"`", "1 to 64 characters"]);
        assert!(constraints(&json!({"type": "integer", "format": "uint32", "minimum": 0})).is_empty());
    }

    #[test]
    fn prose_escapes_angle_brackets_outside_code_only() {
        assert_eq!(prose("Bearer <token> and `<kept>`"), "Bearer &lt;token&gt; and `<kept>`");
        assert_eq!(cell("a | b\nc"), "a \\| b c");
        assert_eq!(prose("see [`TradeResult`]"), "see `TradeResult`");
    }
}
