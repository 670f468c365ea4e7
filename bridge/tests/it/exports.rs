//! The export table against the places it cannot generate: the `extern "system"` functions in `src/` (each must be
//! an entry; the entries' signatures are checked against them when the crate compiles) and ABI.md (each export
//! declared once, with the table's C signature, in the table's order). Each check names every export that is
//! missing, extra or different.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use metaapi_bridge::exports::table::EXPORTS;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, recursively, with its text.
fn rust_sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|error| panic!("read {}: {error}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            found.extend(rust_sources(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            let text =
                std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()));
            found.push((path, text));
        }
    }
    found
}

/// The names of the `extern` functions named `mtb_*` that `source` defines (`pub extern "system" fn mtb_x(`, the
/// signature possibly wrapped over several lines by rustfmt), outside line comments.
fn extern_mtb_fns(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("fn mtb_") {
        let before = &rest[..at];
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        let name_start = at + "fn ".len();
        let name_end = rest[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(rest.len(), |length| name_start + length);
        let line = &before[line_start..];
        if line.contains("extern \"") && !line.contains("//") {
            found.push(rest[name_start..name_end].to_owned());
        }
        rest = &rest[name_end..];
    }
    found
}

/// What differs between the `mtb_*` functions the sources define (file, name) and the table's names.
fn fn_problems(defined: &[(String, String)], table: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for (file, name) in defined {
        if !table.contains(&name.as_str()) {
            problems.push(format!("{file} defines {name}, which the export table (src/exports/table.rs) lacks"));
        }
    }
    for name in table {
        let count = defined.iter().filter(|(_, defined)| defined == name).count();
        if count != 1 {
            problems.push(format!("the export table lists {name}, which src/ defines {count} times"));
        }
    }
    problems
}

/// Every `int32_t mtb_x(...)` that `text` declares: name and declaration with its whitespace collapsed, in order.
fn declarations(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("int32_t mtb_") {
        let Some(close) = rest[at..].find(')') else {
            let name = rest[at + "int32_t ".len()..].split('(').next().unwrap_or("").trim();
            found.push((name.to_owned(), "(no closing paren)".to_owned()));
            break;
        };
        let raw = &rest[at..at + close + 1];
        let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ").replace("( ", "(").replace(" )", ")");
        let name = collapsed["int32_t ".len()..].split('(').next().unwrap_or("").trim().to_owned();
        found.push((name, collapsed));
        rest = &rest[at + close + 1..];
    }
    found
}

/// What differs between the declarations of a document and the table's (name, declaration) pairs, in table order.
fn declaration_problems(document: &str, declared: &[(String, String)], table: &[(&str, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, declaration) in declared {
        by_name.entry(name.as_str()).or_default().push(declaration.as_str());
    }
    for (name, declarations) in &by_name {
        match table.iter().find(|(table_name, _)| table_name == name) {
            None => problems.push(format!("{document} declares {name}, which the export table lacks")),
            Some(_) if declarations.len() > 1 => {
                problems.push(format!("{document} declares {name} {} times", declarations.len()))
            }
            Some((_, expected)) if declarations[0] != expected => {
                problems.push(format!("{document} declares `{}`; the export table says `{expected}`", declarations[0]))
            }
            Some(_) => {}
        }
    }
    for (name, _) in table {
        if !by_name.contains_key(name) {
            problems.push(format!("{document} does not declare {name}"));
        }
    }
    if problems.is_empty() {
        let order: Vec<&str> = declared.iter().map(|(name, _)| name.as_str()).collect();
        let expected: Vec<&str> = table.iter().map(|(name, _)| *name).collect();
        if order != expected {
            problems
                .push(format!("{document} declares the exports in the order {order:?}; the table's is {expected:?}"));
        }
    }
    problems
}

fn table_names() -> Vec<&'static str> {
    EXPORTS.iter().map(|export| export.name).collect()
}

fn table_declarations() -> Vec<(&'static str, String)> {
    EXPORTS.iter().map(|export| (export.name, export.c_declaration())).collect()
}

#[test]
fn every_extern_mtb_function_is_in_the_export_table_once() {
    let src = crate_dir().join("src");
    let mut defined = Vec::new();
    for (path, text) in rust_sources(&src) {
        let file = path.strip_prefix(crate_dir()).unwrap_or(&path).display().to_string();
        defined.extend(extern_mtb_fns(&text).into_iter().map(|name| (file.clone(), name)));
    }
    assert!(defined.len() >= 20, "too few extern mtb_* functions found under {} ({})", src.display(), defined.len());
    let problems = fn_problems(&defined, &table_names());
    assert!(problems.is_empty(), "the exports and the export table differ:\n{}", problems.join("\n"));
}

#[test]
fn abi_md_declares_every_export_with_the_table_signature() {
    let path = crate_dir().join("ABI.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()));
    let problems = declaration_problems("ABI.md", &declarations(&text), &table_declarations());
    assert!(problems.is_empty(), "ABI.md and the export table differ:\n{}", problems.join("\n"));
}

#[test]
fn the_function_check_names_an_export_defined_but_not_listed_and_one_listed_but_not_defined() {
    let source = "#[unsafe(no_mangle)]\npub extern \"system\" fn mtb_stop(session: i64) -> i32 { 0 }\n\
                  pub extern \"system\" fn mtb_new(\n    session: i64,\n) -> i32 { 0 }\n\
                  fn mtb_helper() {}\n// pub extern \"system\" fn mtb_in_a_comment\n";
    let found = extern_mtb_fns(source);
    assert_eq!(found, ["mtb_stop", "mtb_new"]);
    let defined: Vec<(String, String)> = ["mtb_stop", "mtb_new", "mtb_wait", "mtb_wait"]
        .iter()
        .map(|name| ("src/x.rs".to_owned(), (*name).to_owned()))
        .collect();
    assert_eq!(
        fn_problems(&defined, &["mtb_stop", "mtb_wait", "mtb_gone"]),
        [
            "src/x.rs defines mtb_new, which the export table (src/exports/table.rs) lacks",
            "the export table lists mtb_wait, which src/ defines 2 times",
            "the export table lists mtb_gone, which src/ defines 0 times",
        ]
    );
}

#[test]
fn the_document_check_names_missing_extra_different_repeated_and_reordered_exports() {
    let table = [
        ("mtb_stop", "int32_t mtb_stop(int64_t session)".to_owned()),
        ("mtb_wait", "int32_t mtb_wait(int64_t session, int32_t timeout_ms)".to_owned()),
        ("mtb_gone", "int32_t mtb_gone(void)".to_owned()),
    ];
    let document = "```c\nint32_t mtb_stop(int64_t session);   // a comment\n\
                    int32_t mtb_wait(int64_t session,\n                 int64_t timeout_ms);\n\
                    int32_t mtb_extra(void);\n```\nand again `int32_t mtb_stop( int64_t session )`.\n";
    let declared = declarations(document);
    assert_eq!(declared[1].1, "int32_t mtb_wait(int64_t session, int64_t timeout_ms)");
    assert_eq!(declared[3].1, "int32_t mtb_stop(int64_t session)");
    assert_eq!(
        declaration_problems("DOC", &declared, &table),
        [
            "DOC declares mtb_extra, which the export table lacks",
            "DOC declares mtb_stop 2 times",
            "DOC declares `int32_t mtb_wait(int64_t session, int64_t timeout_ms)`; the export table says \
             `int32_t mtb_wait(int64_t session, int32_t timeout_ms)`",
            "DOC does not declare mtb_gone",
        ]
    );
    let reordered =
        declarations("int32_t mtb_wait(int64_t session, int32_t timeout_ms);\nint32_t mtb_stop(int64_t session);\n");
    assert_eq!(
        declaration_problems("DOC", &reordered, &table[..2]),
        [r#"DOC declares the exports in the order ["mtb_wait", "mtb_stop"]; the table's is ["mtb_stop", "mtb_wait"]"#]
    );
    let unclosed = declarations("int32_t mtb_stop(int64_t session");
    assert_eq!(unclosed, [("mtb_stop".to_owned(), "(no closing paren)".to_owned())]);
    assert_eq!(
        declaration_problems("DOC", &unclosed, &table[..1]),
        ["DOC declares `(no closing paren)`; the export table says `int32_t mtb_stop(int64_t session)`"]
    );
}
