//! No module of any workspace crate imports, directly or through others, a module that imports it; and the checker
//! itself finds circles, ignores façade re-exports, and says why it cannot read a crate.

use std::path::Path;

use xtask::circles::{crate_circles, workspace_circles};

/// The circles not yet broken, each as its target and every file tangled in it. The test fails on any circle not
/// listed here and on any listed one that is gone, so the list only shrinks: delete an entry when its circle is
/// broken.
const NOT_YET_BROKEN: &[(&str, &[&str])] = &[];

#[test]
fn no_import_circles() {
    let circles = workspace_circles(&xtask::project_root()).expect("every workspace crate is readable");
    let key = |target: &str, files: &[String]| {
        let mut files = files.to_vec();
        files.sort();
        (target.to_owned(), files)
    };
    let known: Vec<(String, Vec<String>)> = NOT_YET_BROKEN
        .iter()
        .map(|(target, files)| key(target, &files.iter().map(|file| (*file).to_owned()).collect::<Vec<_>>()))
        .collect();
    let new: Vec<String> = circles
        .iter()
        .filter(|circle| !known.contains(&key(&circle.target, &circle.tangle)))
        .map(ToString::to_string)
        .collect();
    assert!(
        new.is_empty(),
        "import circles (a file names something of the next, the last of the first; move the shared piece where it \
         belongs or invert the dependency):\n{}",
        new.join("\n")
    );
    let found: Vec<(String, Vec<String>)> = circles.iter().map(|circle| key(&circle.target, &circle.tangle)).collect();
    let gone: Vec<&(String, Vec<String>)> = known.iter().filter(|entry| !found.contains(entry)).collect();
    assert!(gone.is_empty(), "these circles are broken or changed; update NOT_YET_BROKEN: {gone:?}");
}

/// Writes `files` (path, text) under a fresh folder holding one crate named `fixture`.
fn fixture(files: &[(&str, &str)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("a temporary folder");
    for (path, text) in files {
        let path = root.path().join("fixture").join(path);
        std::fs::create_dir_all(path.parent().expect("a fixture file is in a folder")).expect("creating a folder");
        std::fs::write(path, text).expect("writing a fixture file");
    }
    root
}

fn circles_of(root: &Path) -> Vec<String> {
    crate_circles(root, "fixture").expect("the fixture is readable").iter().map(ToString::to_string).collect()
}

#[test]
fn a_circle_through_three_files_is_named_with_each_step() {
    let root = fixture(&[
        ("src/lib.rs", "//! Root.\nmod a;\nmod b;\nmod c;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A(B);\n"),
        ("src/b.rs", "pub struct B;\nfn f() { let _ = crate::c::make(); }\n"),
        ("src/c.rs", "pub fn make() -> super::a::A { todo!() }\n"),
    ]);
    assert_eq!(
        circles_of(root.path()),
        [
            "fixture/src/lib.rs: src/a.rs (crate::b::B) -> src/b.rs (crate::c::make) -> src/c.rs (super::a::A) -> src/a.rs"
        ]
    );
}

#[test]
fn a_parent_and_child_using_each_other_is_a_circle() {
    let root = fixture(&[
        ("src/lib.rs", "//! Root.\nmod engine;\n"),
        ("src/engine/mod.rs", "mod records;\npub struct Engine;\nfn read() { records::load(); }\n"),
        ("src/engine/records.rs", "use super::Engine;\npub fn load() -> Option<Engine> { None }\n"),
    ]);
    assert_eq!(
        circles_of(root.path()),
        ["fixture/src/lib.rs: src/engine/mod.rs (records::load) -> src/engine/records.rs (super::Engine) -> \
          src/engine/mod.rs"]
    );
}

#[test]
fn re_exports_globs_and_macros_are_followed_to_the_defining_file() {
    let root = fixture(&[
        // The root only re-exports: no circle through it. `x` names `Y` through the root's façade and a glob, and
        // `y` names `X` inside a macro call, so `x` and `y` form the circle.
        ("src/lib.rs", "//! Root.\nmod x;\nmod y;\nmod glob;\npub use x::X;\npub use glob::*;\n"),
        ("src/glob.rs", "pub use crate::y::Y;\n"),
        ("src/x.rs", "pub struct X;\nfn f() -> crate::Y { todo!() }\n"),
        ("src/y.rs", "pub struct Y;\nfn g() { println!(\"{:?}\", crate::X::default()); }\n"),
    ]);
    assert_eq!(
        circles_of(root.path()),
        ["fixture/src/lib.rs: src/x.rs (crate::Y) -> src/y.rs (crate::X::default) -> src/x.rs"]
    );
}

#[test]
fn a_facade_and_a_trait_import_alone_make_no_circle() {
    let root = fixture(&[
        ("src/lib.rs", "//! Root.\nmod a;\nmod b;\npub use a::A;\npub use b::Show;\n"),
        ("src/a.rs", "use crate::Show as _;\npub struct A;\n"),
        ("src/b.rs", "pub trait Show {}\npub(crate) fn helper() {}\n"),
        ("tests/it/main.rs", "//! Tests.\nmod support;\nuse support::helper;\n"),
        ("tests/it/support.rs", "pub fn helper() {}\n"),
    ]);
    assert_eq!(circles_of(root.path()), Vec::<String>::new());
}

#[test]
fn a_local_named_like_a_child_module_is_not_a_use_of_it() {
    let root = fixture(&[
        // `events` in the root's body is a local, in code and in a macro; only `events.rs` uses the root.
        (
            "src/lib.rs",
            "//! Root.\nmod events;\npub fn helper() {}\nfn f() { let events = 1; let _ = events; println!(\"{events}{}\", events); }\n",
        ),
        ("src/events.rs", "pub fn g() { crate::helper() }\n"),
    ]);
    assert_eq!(circles_of(root.path()), Vec::<String>::new());
}

#[test]
fn integration_tests_and_binaries_are_checked_as_their_own_trees() {
    let root = fixture(&[
        ("src/main.rs", "//! Binary.\nmod cli;\npub struct Options;\nfn main() { cli::run(); }\n"),
        ("src/cli.rs", "pub fn run() -> Option<crate::Options> { None }\n"),
        ("tests/it/main.rs", "//! Tests.\nmod a;\nmod b;\n"),
        ("tests/it/a.rs", "pub fn a() { super::b::b() }\n"),
        ("tests/it/b.rs", "pub fn b() { super::a::a() }\n"),
    ]);
    assert_eq!(
        circles_of(root.path()),
        [
            "fixture/src/main.rs: src/main.rs (cli::run) -> src/cli.rs (crate::Options) -> src/main.rs",
            "fixture/tests/it/main.rs: tests/it/a.rs (super::b::b) -> tests/it/b.rs (super::a::a) -> tests/it/a.rs",
        ]
    );
}

#[test]
fn a_missing_module_file_is_an_error_naming_both_places_it_looked() {
    let root = fixture(&[("src/lib.rs", "//! Root.\nmod gone;\n")]);
    let error = format!("{:#}", crate_circles(root.path(), "fixture").expect_err("the module has no file"));
    assert!(error.contains("no file for module gone"), "{error}");
    assert!(error.contains("gone.rs") && error.contains("gone/mod.rs"), "{error}");
}

#[test]
fn a_module_with_two_files_is_an_error() {
    let root = fixture(&[("src/lib.rs", "//! Root.\nmod twice;\n"), ("src/twice.rs", ""), ("src/twice/mod.rs", "")]);
    let error = format!("{:#}", crate_circles(root.path(), "fixture").expect_err("the module is ambiguous"));
    assert!(error.contains("both") && error.contains("twice.rs"), "{error}");
}

#[test]
fn a_file_that_does_not_parse_is_an_error_naming_it() {
    let root = fixture(&[("src/lib.rs", "//! Root.\nfn broken( {\n")]);
    let error = format!("{:#}", crate_circles(root.path(), "fixture").expect_err("the file does not parse"));
    assert!(error.contains("parsing") && error.contains("lib.rs"), "{error}");
}

#[test]
fn a_workspace_manifest_without_members_is_an_error() {
    let root = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(root.path().join("Cargo.toml"), "[workspace]\n").expect("writing the manifest");
    let error = format!("{:#}", workspace_circles(root.path()).expect_err("no members"));
    assert!(error.contains("no members list"), "{error}");
    let missing = tempfile::tempdir().expect("a temporary folder");
    let error = format!("{:#}", workspace_circles(missing.path()).expect_err("no manifest"));
    assert!(error.contains("reading") && error.contains("Cargo.toml"), "{error}");
}
