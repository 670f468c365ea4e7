//! MQL consistency: the generated include is current, every `#import` matches an export of the built library
//! (name and arity), and each program, read as MetaEditor reads it (its `#include`s resolved recursively), calls
//! every `mtb_*` with the imported arity, defines each bridge function once before its first use, and dispatches
//! every method the gateway forwards to a terminal (MT4: the ones it lacks explicitly `unsupported`). Every include
//! belongs to a program and no MQL file passes 600 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use metaapi_bridge::exports::table::EXPORTS;
use metaapi_bridge::mql::include_text;
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
    let start = include.find("#import \"metaapi_bridge.dll\"").expect("an #import of metaapi_bridge.dll");
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
    assert!(committed == include_text(), "bridge/mql/Include/metaapi_bridge.mqh is stale: run `cargo xtask codegen`");
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

/// A program as MetaEditor compiles it: its text with every `#include` spliced in where it stands, and the files
/// that went into it, program first.
struct Program {
    text: String,
    files: Vec<PathBuf>,
}

/// Resolves `.` and `..` without touching the file system, so one file reached by two spellings is one file.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The file a directive names: `<name>` from the include folder, `"name"` next to the including file (MQL spells
/// folders with backslashes too).
fn include_target(directive: &str, including: &Path, include_dir: &Path) -> Result<PathBuf, String> {
    let spec = directive.trim_start_matches("#include").trim();
    let (name, base) = if let Some(rest) = spec.strip_prefix('<') {
        (rest.split_once('>').map(|(name, _)| name), include_dir.to_path_buf())
    } else if let Some(rest) = spec.strip_prefix('"') {
        (rest.split_once('"').map(|(name, _)| name), including.parent().unwrap_or(Path::new("")).to_path_buf())
    } else {
        (None, PathBuf::new())
    };
    match name.map(str::trim) {
        Some(name) if !name.is_empty() => Ok(normalize(&base.join(name.replace('\\', "/")))),
        _ => Err(format!("{}: malformed `{directive}`", including.display())),
    }
}

type ReadFile<'a> = &'a dyn Fn(&Path) -> std::io::Result<String>;

/// Appends `text` (the contents of `path`) to `program` with its includes spliced in where they stand, each file
/// once (the includes carry guards, and MetaEditor includes a file once per program). An include that cannot be read
/// is an error naming the file that wrote the directive, the directive and the path it resolved to.
fn splice(path: &Path, text: &str, include_dir: &Path, read: ReadFile, program: &mut Program) -> Result<(), String> {
    program.files.push(path.to_path_buf());
    for line in text.lines() {
        let directive = line.trim();
        if !directive.starts_with("#include") {
            program.text.push_str(line);
            program.text.push('\n');
            continue;
        }
        let target = include_target(directive, path, include_dir)?;
        if program.files.contains(&target) {
            continue;
        }
        let included = read(&target)
            .map_err(|error| format!("{}: `{directive}`: cannot read {}: {error}", path.display(), target.display()))?;
        splice(&target, &included, include_dir, read, program)?;
    }
    Ok(())
}

/// `program` with its includes resolved as MetaEditor does, reading files with `read`.
fn expand(program: &Path, include_dir: &Path, read: ReadFile) -> Result<Program, String> {
    let program = normalize(program);
    let text = read(&program).map_err(|error| format!("cannot read {}: {error}", program.display()))?;
    let mut out = Program { text: String::new(), files: Vec::new() };
    splice(&program, &text, &normalize(include_dir), read, &mut out)?;
    Ok(out)
}

/// A program of bridge/mql (a path relative to it) with its includes spliced in.
fn program(relative: &str) -> Program {
    let dir = mql_dir();
    expand(&dir.join(relative), &dir.join("Include"), &|path| std::fs::read_to_string(path))
        .unwrap_or_else(|error| panic!("{relative}: {error}"))
}

fn program_source(relative: &str) -> String {
    program(relative).text
}

const PROGRAMS: &[&str] =
    &["Experts/MetaApiBridge.mq5", "Services/MetaApiBridgeService.mq5", "Experts/MetaApiBridge.mq4"];

#[test]
fn every_call_uses_an_imported_function_with_its_arity() {
    for program in PROGRAMS {
        let source = program_source(program);
        // The program's own #import block, which it gets through its includes.
        let imported = imports(&source);
        let found = calls(&source);
        assert!(found.len() > 20, "{program}: too few calls found ({})", found.len());
        for (name, arity) in found {
            // The #import prototypes themselves are parsed as "calls" with their parameter count too.
            assert_eq!(imported.get(&name), Some(&arity), "{program}: {name} called with {arity} arguments");
        }
    }
}

/// `method -> action` of every `m == MTB_METHOD_X) action` branch, with X looked up in the program's own defines.
fn dispatched(source: &str) -> BTreeMap<String, String> {
    let names: BTreeMap<&str, &str> = source
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
            let name = names.get(key).unwrap_or_else(|| panic!("MTB_METHOD_{key} is not defined by the includes"));
            Some(((*name).to_owned(), action.trim().to_owned()))
        })
        .collect()
}

#[test]
fn each_program_dispatches_every_terminal_method() {
    let expected: BTreeSet<String> = method_infos()
        .into_iter()
        .filter(|info| info.route == Route::Terminal)
        .map(|info| info.name.to_owned())
        .collect();
    assert!(expected.len() >= 20);
    for program in PROGRAMS {
        let branches = dispatched(&program_source(program));
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

/// The part of a line before a `//` comment (a `//` inside a string literal, like a `ws://` URL, is text).
fn code_part(line: &str) -> &str {
    let (mut in_string, mut escaped) = (false, false);
    for (index, c) in line.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '/' && line[index + 1..].starts_with('/') {
            return &line[..index];
        }
    }
    line
}

/// Top-level function definitions (a line at column 0 naming a function and not ending in `;`, which the `#import`
/// prototypes do): name and byte offset, in program order.
fn definitions(source: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let code = code_part(line).trim_end();
        let starts_a_name = code.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
        if starts_a_name
            && !code.starts_with("input ")
            && !code.ends_with(';')
            && let Some((head, _)) = code.split_once('(')
        {
            let name = head.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("");
            if head.trim_end().contains(' ') && !name.is_empty() {
                found.push((name.to_owned(), offset));
            }
        }
        offset += line.len();
    }
    found
}

/// Every use of a bridge function (`Mt4*`, `Mt5*`, `Mtb*` followed by `(`) outside comments: name and byte offset.
fn bridge_calls(source: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let code = code_part(line);
        let mut rest = code;
        while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            let end = rest[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(rest.len(), |n| start + n);
            let token = &rest[start..end];
            let is_call = rest[end..].trim_start().starts_with('(');
            if is_call && ["Mt4", "Mt5", "Mtb"].iter().any(|prefix| token.starts_with(prefix)) {
                found.push((token.to_owned(), offset + (code.len() - rest.len()) + start));
            }
            rest = &rest[end..];
        }
        offset += line.len();
    }
    found
}

#[test]
fn each_program_defines_every_bridge_function_once_and_before_its_first_use() {
    for program in PROGRAMS {
        let source = program_source(program);
        let defined = definitions(&source);
        assert!(defined.len() > 60, "{program}: too few definitions found ({})", defined.len());
        let mut first: BTreeMap<&str, usize> = BTreeMap::new();
        let mut twice = BTreeSet::new();
        for (name, offset) in &defined {
            if first.insert(name, *offset).is_some() {
                twice.insert(name.as_str());
            }
        }
        assert!(twice.is_empty(), "{program}: defined more than once: {twice:?}");
        let calls = bridge_calls(&source);
        assert!(calls.len() > 500, "{program}: too few bridge calls found ({})", calls.len());
        for (name, offset) in calls {
            match first.get(name.as_str()) {
                None => panic!("{program}: {name} is called but no include defines it"),
                Some(defined_at) => assert!(
                    *defined_at <= offset,
                    "{program}: {name} is used before its definition (include the file defining it earlier)"
                ),
            }
        }
    }
}

#[test]
fn every_include_file_is_part_of_a_program() {
    let mut used = BTreeSet::new();
    for relative in PROGRAMS {
        used.extend(program(relative).files);
    }
    let include_dir = mql_dir().join("Include");
    let files: BTreeSet<PathBuf> = std::fs::read_dir(&include_dir)
        .unwrap_or_else(|error| panic!("read {}: {error}", include_dir.display()))
        .map(|entry| normalize(&entry.expect("a directory entry").path()))
        .collect();
    assert!(files.len() > 2, "too few include files found in {}", include_dir.display());
    let unused: Vec<_> = files.difference(&used).collect();
    assert!(unused.is_empty(), "no program includes {unused:?}");
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|error| panic!("read {}: {error}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn no_mql_file_passes_600_lines() {
    let files = files_under(&mql_dir());
    assert!(files.len() >= 5, "too few MQL files found ({})", files.len());
    let long: Vec<String> = files
        .iter()
        .map(|path| (path, read(path).lines().count()))
        .filter(|(_, lines)| *lines > 600)
        .map(|(path, lines)| format!("{} has {lines} lines", path.display()))
        .collect();
    assert!(long.is_empty(), "split these by meaning into includes: {long:?}");
}

/// A reader over an in-memory tree, so the include resolution is tested on layouts the repository does not have.
fn tree(files: &'static [(&'static str, &'static str)]) -> impl Fn(&Path) -> std::io::Result<String> {
    move |path| {
        files
            .iter()
            .find(|(name, _)| Path::new(name) == path)
            .map(|(_, text)| (*text).to_owned())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
}

#[test]
fn includes_are_spliced_in_place_once_from_the_include_folder_or_next_to_the_includer() {
    let read = tree(&[
        ("/mql/Experts/P.mq5", "start\n#include <A.mqh>\n  #include \"Local.mqh\" // next to P\nend\n"),
        ("/mql/Include/A.mqh", "a1\n#include <Sub\\B.mqh>\na2\n"),
        ("/mql/Include/Sub/B.mqh", "b\n#include \"../A.mqh\"\n#include \"C.mqh\"\n"),
        ("/mql/Include/Sub/C.mqh", "c\n"),
        ("/mql/Experts/Local.mqh", "local\n#include <./Sub/C.mqh>\n"),
    ]);
    let program = expand(Path::new("/mql/Experts/P.mq5"), Path::new("/mql/Include"), &read).unwrap();
    assert_eq!(program.text, "start\na1\nb\nc\na2\nlocal\nend\n");
    let files: Vec<&str> = program.files.iter().map(|path| path.to_str().unwrap()).collect();
    assert_eq!(
        files,
        [
            "/mql/Experts/P.mq5",
            "/mql/Include/A.mqh",
            "/mql/Include/Sub/B.mqh",
            "/mql/Include/Sub/C.mqh",
            "/mql/Experts/Local.mqh"
        ]
    );
}

#[test]
fn a_missing_include_fails_naming_the_directive_and_the_file_that_wrote_it() {
    let read = tree(&[("/mql/Experts/P.mq5", "#include <A.mqh>\n"), ("/mql/Include/A.mqh", "#include \"Gone.mqh\"\n")]);
    let error = expand(Path::new("/mql/Experts/P.mq5"), Path::new("/mql/Include"), &read).err().unwrap();
    assert_eq!(error, "/mql/Include/A.mqh: `#include \"Gone.mqh\"`: cannot read /mql/Include/Gone.mqh: no such file");
    let error = expand(Path::new("/mql/Experts/None.mq5"), Path::new("/mql/Include"), &read).err().unwrap();
    assert_eq!(error, "cannot read /mql/Experts/None.mq5: no such file");
}

#[test]
fn a_malformed_include_is_an_error() {
    let read = tree(&[
        ("/mql/P.mq5", "#include A.mqh\n"),
        ("/mql/Q.mq5", "#include <>\n"),
        ("/mql/R.mq5", "#include <A.mqh\n"),
    ]);
    for name in ["/mql/P.mq5", "/mql/Q.mq5", "/mql/R.mq5"] {
        let error = expand(Path::new(name), Path::new("/mql/Include"), &read).err().unwrap();
        assert!(error.starts_with(&format!("{name}: malformed `#include")), "{name}: {error}");
    }
}

#[test]
fn comments_and_urls_do_not_count_as_code() {
    assert_eq!(code_part("int a = Mt5X(); // Mt5Y()"), "int a = Mt5X(); ");
    assert_eq!(code_part("input string U = \"ws://h/\"; // note"), "input string U = \"ws://h/\"; ");
    assert_eq!(code_part("s = \"a\\\"//b\"; // c"), "s = \"a\\\"//b\"; ");
    let source = "// Mt5Old(x)\nint Mt5New(const long s) { return MtbSend(s, 0); }\nint mtb_x(int a);\n";
    assert_eq!(definitions(source), [("Mt5New".to_owned(), source.find("int Mt5New").unwrap())]);
    let calls = bridge_calls(source);
    assert_eq!(
        calls,
        [
            ("Mt5New".to_owned(), source.find("Mt5New").unwrap()),
            ("MtbSend".to_owned(), source.find("MtbSend").unwrap())
        ]
    );
}
