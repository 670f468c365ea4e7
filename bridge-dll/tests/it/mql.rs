//! MQL consistency: the generated include is current, every `#import` matches an export of the built library
//! (name and arity), every `mtb_*` call in the MQL sources has the imported arity, and each program's dispatch
//! answers every method the gateway forwards to a terminal (MT4: the ones it lacks explicitly `unsupported`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use metaapi_bridge::mql::{EXPORTS, include_text};
use metaapi_protocol::{Route, method_infos};

use crate::harness::{abi, library_path};

fn mql_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("mql")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()))
}

/// `name -> arity` of the `#import` block.
fn imports(include: &str) -> BTreeMap<String, usize> {
    let start = include.find("#import \"metaapi_bridge.dll\"").expect("an #import block");
    let block = &include[start..];
    let end = block[1..].find("#import").expect("the #import block ends") + 1;
    block[..end]
        .lines()
        .skip(1)
        .filter_map(|line| line.trim().strip_prefix("int "))
        .map(|declaration| {
            let (name, rest) = declaration.split_once('(').expect("a prototype");
            let params = rest.split_once(')').expect("closing paren").0.trim();
            let arity = if params.is_empty() { 0 } else { params.split(',').count() };
            (name.trim().to_owned(), arity)
        })
        .collect()
}

/// The dynamic symbols the shared library defines, by `nm -D --defined-only`, or None when nm is missing.
fn defined_symbols(library: &Path) -> Option<BTreeSet<String>> {
    let output = std::process::Command::new("nm").arg("-D").arg("--defined-only").arg(library).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    Some(text.lines().filter_map(|line| line.split_whitespace().last()).map(str::to_owned).collect())
}

#[test]
fn the_committed_include_is_generated_from_the_current_code() {
    let committed = read(&mql_dir().join("Include/metaapi_bridge.mqh"));
    assert!(
        committed == include_text(),
        "bridge-dll/mql/Include/metaapi_bridge.mqh is stale: run `cargo xtask codegen`"
    );
}

#[test]
fn every_import_matches_an_export_of_the_built_library() {
    let _loaded = abi();
    let imported = imports(&read(&mql_dir().join("Include/metaapi_bridge.mqh")));
    let table: BTreeMap<&str, usize> = EXPORTS.iter().map(|export| (export.name, export.params.len())).collect();
    let library = library_path();
    let symbols = defined_symbols(&library);
    for (name, arity) in &imported {
        assert_eq!(
            table.get(name.as_str()),
            Some(arity),
            "#import {name} with {arity} params does not match the export table"
        );
        match &symbols {
            Some(symbols) => {
                assert!(symbols.contains(name), "{name} is imported but {} does not export it", library.display())
            }
            None => {
                // Without nm, ask the dynamic loader.
                // SAFETY: only the address is looked up, nothing is called.
                let library = unsafe { libloading::Library::new(&library) }.unwrap();
                // SAFETY: as above.
                assert!(unsafe { library.get::<unsafe extern "C" fn()>(name.as_bytes()) }.is_ok(), "{name} missing");
            }
        }
    }
    // Every export except the test hook is imported, and the library exports no mtb_ symbol the table lacks.
    for export in EXPORTS {
        assert_eq!(imported.contains_key(export.name), !export.test_only, "{} import status", export.name);
    }
    if let Some(symbols) = symbols {
        for symbol in symbols.iter().filter(|symbol| symbol.starts_with("mtb_")) {
            assert!(table.contains_key(symbol.as_str()), "{symbol} is exported but not in the export table");
        }
    }
}

/// Every `mtb_name(args)` call: name and top-level argument count.
fn calls(source: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let bytes = source.as_bytes();
    let mut at = 0;
    while let Some(offset) = source[at..].find("mtb_") {
        let start = at + offset;
        at = start + 4;
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let name_end = start + source[start..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(0);
        let name = &source[start..name_end];
        if bytes.get(name_end) != Some(&b'(') {
            continue;
        }
        let (mut depth, mut commas, mut empty, mut index) = (0, 0, true, name_end);
        loop {
            match bytes[index] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                b',' if depth == 1 => commas += 1,
                b' ' | b'\n' | b'\t' | b'\r' => {}
                _ if depth >= 1 => empty = false,
                _ => {}
            }
            index += 1;
        }
        found.push((name.to_owned(), if empty { 0 } else { commas + 1 }));
    }
    found
}

/// A program's source with its local includes (from mql/Include) spliced in.
fn program_source(relative: &str) -> String {
    let mut text = read(&mql_dir().join(relative));
    let mut seen = BTreeSet::new();
    loop {
        let included: Vec<String> = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("#include <")?.strip_suffix('>').map(str::to_owned))
            .filter(|name| !seen.contains(name))
            .collect();
        if included.is_empty() {
            return text;
        }
        for name in included {
            text.push('\n');
            text.push_str(&read(&mql_dir().join("Include").join(&name)));
            seen.insert(name);
        }
    }
}

const PROGRAMS: &[&str] =
    &["Experts/MetaApiBridge.mq5", "Services/MetaApiBridgeService.mq5", "Experts/MetaApiBridge.mq4"];

#[test]
fn every_call_uses_an_imported_function_with_its_arity() {
    let imported = imports(&read(&mql_dir().join("Include/metaapi_bridge.mqh")));
    for program in PROGRAMS {
        let source = program_source(program);
        let found = calls(&source);
        assert!(found.len() > 20, "{program}: too few calls found ({})", found.len());
        for (name, arity) in found {
            // The #import prototypes themselves are parsed as "calls" with their parameter count too.
            assert_eq!(imported.get(&name), Some(&arity), "{program}: {name} called with {arity} arguments");
        }
    }
}

fn dispatched(source: &str, include: &str) -> BTreeMap<String, String> {
    let names: BTreeMap<&str, &str> = include
        .lines()
        .filter_map(|line| line.strip_prefix("#define MTB_METHOD_"))
        .filter_map(|rest| rest.split_once(' '))
        .map(|(key, value)| (key, value.trim_matches('"')))
        .collect();
    source
        .lines()
        .filter_map(|line| {
            let rest = line.split("m == MTB_METHOD_").nth(1)?;
            let (key, action) = rest.split_once(')')?;
            let name = names.get(key).unwrap_or_else(|| panic!("MTB_METHOD_{key} is not defined in the include"));
            Some(((*name).to_owned(), action.trim().to_owned()))
        })
        .collect()
}

#[test]
fn each_program_dispatches_every_terminal_method() {
    let include = read(&mql_dir().join("Include/metaapi_bridge.mqh"));
    let expected: BTreeSet<String> = method_infos()
        .into_iter()
        .filter(|info| info.route == Route::Terminal)
        .map(|info| info.name.to_owned())
        .collect();
    assert!(expected.len() >= 20);
    for program in PROGRAMS {
        let branches = dispatched(&program_source(program), &include);
        let covered: BTreeSet<String> = branches.keys().cloned().collect();
        assert_eq!(covered, expected, "{program}: dispatch does not match the registry's terminal methods");
        let unsupported: BTreeSet<&str> = branches
            .iter()
            .filter(|(_, action)| action.contains("MtbUnsupported"))
            .map(|(name, _)| name.as_str())
            .collect();
        if program.ends_with(".mq4") {
            assert_eq!(
                unsupported,
                BTreeSet::from(["get_book", "get_ticks"]),
                "{program}: MT4 says unsupported for these"
            );
        } else {
            assert!(unsupported.is_empty(), "{program}: MT5 implements every method, not {unsupported:?}");
        }
    }
}

#[test]
fn each_program_checks_dll_imports_the_abi_and_takes_the_token() {
    for program in PROGRAMS {
        let source = program_source(program);
        assert!(source.contains("MQL_DLLS_ALLOWED") || source.contains("IsDllsAllowed()"), "{program}: DLL check");
        assert!(source.contains("if(!MtbAbiOk()) return"), "{program}: refuses a mismatched ABI");
        assert!(source.contains("input string AuthToken"), "{program}: token input");
        assert!(source.contains("mtb_stop("), "{program}: stops the session");
    }
}
