//! The workspace's layering, read from `cargo metadata`: the product's gateway library never pulls in the console,
//! the simulator or the bridge (only the binary's `demo` does), `protocol` depends on no workspace crate, and each
//! crate's folder is named after its package.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// `cargo metadata` of the workspace, with the resolved dependency graph for this host. Filtered to the host because
/// the unfiltered graph needs every platform's packages downloaded, and the test must run offline.
fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let version = Command::new(&cargo).arg("-vV").output().expect("cargo -vV runs");
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    let host = version.lines().find_map(|line| line.strip_prefix("host: ")).expect("cargo -vV names the host");
    let output = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked", "--filter-platform", host])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON")
}

/// Package names by package id.
fn names(metadata: &Value) -> HashMap<String, String> {
    let packages = metadata["packages"].as_array().expect("packages");
    packages
        .iter()
        .map(|package| (package["id"].as_str().unwrap().to_owned(), package["name"].as_str().unwrap().to_owned()))
        .collect()
}

/// Every package `root` needs to build and run (normal and build dependencies, transitively; not dev ones).
fn shipped_closure(metadata: &Value, root: &str) -> BTreeSet<String> {
    let names = names(metadata);
    let nodes: HashMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("a resolve graph")
        .iter()
        .map(|node| (node["id"].as_str().unwrap(), node))
        .collect();
    let start = names.iter().find(|(_, name)| *name == root).map(|(id, _)| id.clone()).expect("the root package");
    let mut seen = BTreeSet::new();
    let mut queue = vec![start];
    while let Some(id) = queue.pop() {
        for dependency in nodes[id.as_str()]["deps"].as_array().into_iter().flatten() {
            let shipped = dependency["dep_kinds"].as_array().into_iter().flatten().any(|kind| kind["kind"] != "dev");
            let id = dependency["pkg"].as_str().unwrap().to_owned();
            if shipped && seen.insert(names[&id].clone()) {
                queue.push(id);
            }
        }
    }
    seen
}

#[test]
fn the_gateway_library_depends_on_no_console_simulator_or_bridge() {
    let metadata = metadata();
    let closure = shipped_closure(&metadata, "metaapi-gateway-core");
    for forbidden in ["metaapi-console", "metaapi-terminal-sim", "metaapi-bridge", "metaapi-mql", "metaapi-demo"] {
        assert!(!closure.contains(forbidden), "metaapi-gateway-core depends on {forbidden}: {closure:?}");
    }
    assert!(closure.contains("metaapi-protocol"), "the closure was not read: {closure:?}");
    // The binary is where the demo comes in, so the check above is not vacuous.
    assert!(shipped_closure(&metadata, "metaapi-gateway").contains("metaapi-terminal-sim"));
}

#[test]
fn protocol_depends_on_no_workspace_crate() {
    let metadata = metadata();
    let members: BTreeSet<String> = workspace_members(&metadata).into_iter().map(|(name, _)| name).collect();
    let closure = shipped_closure(&metadata, "metaapi-protocol");
    let inside: Vec<_> = closure.intersection(&members).collect();
    assert!(inside.is_empty(), "metaapi-protocol depends on {inside:?}");
}

/// `(package name, folder name)` of every workspace member.
fn workspace_members(metadata: &Value) -> Vec<(String, String)> {
    let members: BTreeSet<&str> =
        metadata["workspace_members"].as_array().unwrap().iter().map(|id| id.as_str().unwrap()).collect();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|package| members.contains(package["id"].as_str().unwrap()))
        .map(|package| {
            let manifest = std::path::Path::new(package["manifest_path"].as_str().unwrap());
            let folder = manifest.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
            (package["name"].as_str().unwrap().to_owned(), folder)
        })
        .collect()
}

#[test]
fn each_crate_folder_is_named_after_its_package() {
    let metadata = metadata();
    let members = workspace_members(&metadata);
    assert!(members.len() > 5, "{members:?}");
    for (package, folder) in members {
        let expected = package.strip_prefix("metaapi-").unwrap_or(&package);
        assert_eq!(folder, expected, "package {package} lives in {folder}/");
    }
}
