//! Import circles between the files of one crate: file A names something of file B (a `use`, a path in code or in a
//! macro call) and B, directly or through others, names something of A. Each name is followed through `use`
//! re-exports and glob imports to the module that defines it, so a parent's `pub use child::Item` façade makes no
//! circle of its own; a module that really uses its child while the child uses it does.
//!
//! `cargo xtask circles` prints them and the `no_import_circles` test fails naming each one.

mod tree;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::Path;

use anyhow::Context;

use tree::Tree;

/// One circle: files of one compilation target, each naming something of the next, the last of the first.
#[derive(Debug)]
pub struct Circle {
    /// The crate's folder and the target's root file, e.g. `protocol/src/lib.rs`.
    pub target: String,
    /// The files in order, relative to the crate's folder.
    pub files: Vec<String>,
    /// For each file, one path it names that leads into the next file.
    pub because: Vec<String>,
    /// Every file caught in circles with these (its strongly connected component), when more than `files`.
    pub tangle: Vec<String>,
}

impl fmt::Display for Circle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.target)?;
        for (file, because) in self.files.iter().zip(&self.because) {
            write!(f, "{file} ({because}) -> ")?;
        }
        write!(f, "{}", self.files[0])?;
        if self.tangle.len() > self.files.len() {
            write!(f, "; tangled with it: {}", self.tangle.join(", "))?;
        }
        Ok(())
    }
}

/// The circles in every target of every workspace member under `root`.
pub fn workspace_circles(root: &Path) -> anyhow::Result<Vec<Circle>> {
    let mut circles = Vec::new();
    for member in workspace_members(root)? {
        circles.extend(crate_circles(root, &member)?);
    }
    Ok(circles)
}

/// The circles in every target of the crate in `root/member`: its library, binaries, build script, integration
/// tests, benches and examples, each a separate module tree.
pub fn crate_circles(root: &Path, member: &str) -> anyhow::Result<Vec<Circle>> {
    let crate_dir = root.join(member);
    let mut circles = Vec::new();
    for target in target_roots(&crate_dir)? {
        let tree = Tree::load(&crate_dir, &target).with_context(|| format!("reading {member}/{target}"))?;
        circles.extend(tree_circles(&tree, &format!("{member}/{target}")));
    }
    Ok(circles)
}

/// The `members` of the workspace manifest in `root`.
fn workspace_members(root: &Path) -> anyhow::Result<Vec<String>> {
    let path = root.join("Cargo.toml");
    let manifest = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let start = manifest.find("members = [").context("the workspace manifest has no members list")?;
    let list = &manifest[start..];
    let list = &list[..list.find(']').context("the members list is not closed")?];
    Ok(list.split('"').skip(1).step_by(2).map(str::to_owned).collect())
}

/// The root files of a crate's targets, by Cargo's conventional layout (which every member follows).
fn target_roots(crate_dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut roots: Vec<String> = ["src/lib.rs", "src/main.rs", "build.rs"]
        .into_iter()
        .filter(|root| crate_dir.join(root).is_file())
        .map(str::to_owned)
        .collect();
    for folder in ["src/bin", "tests", "benches", "examples"] {
        let Ok(entries) = std::fs::read_dir(crate_dir.join(folder)) else { continue };
        let mut found = Vec::new();
        for entry in entries {
            let path = entry.with_context(|| format!("listing {}", crate_dir.join(folder).display()))?.path();
            let name = path.file_name().expect("a listed entry has a name").to_string_lossy().into_owned();
            if path.is_dir() && path.join("main.rs").is_file() {
                found.push(format!("{folder}/{name}/main.rs"));
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                found.push(format!("{folder}/{name}"));
            }
        }
        found.sort();
        roots.extend(found);
    }
    Ok(roots)
}

/// The circles of one target: one per strongly connected set of files, its shortest circle through its first file.
fn tree_circles(tree: &Tree, target: &str) -> Vec<Circle> {
    // edges[a][b]: a path in file a that leads into file b.
    let mut edges: Vec<BTreeMap<usize, String>> = vec![BTreeMap::new(); tree.files.len()];
    for (index, module) in tree.modules.iter().enumerate() {
        for path in &module.needs {
            let Some(target) = tree.resolve(index, path) else { continue };
            let to = tree.modules[target.module()].file;
            if to != module.file {
                edges[module.file].entry(to).or_insert_with(|| path.join("::"));
            }
        }
    }
    strongly_connected(&edges)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| {
            let ring = shortest_circle(&edges, &component);
            let because = (0..ring.len()).map(|at| edges[ring[at]][&ring[(at + 1) % ring.len()]].clone()).collect();
            Circle {
                target: target.to_owned(),
                files: ring.iter().map(|&file| tree.files[file].clone()).collect(),
                because,
                tangle: component.iter().map(|&file| tree.files[file].clone()).collect(),
            }
        })
        .collect()
}

/// Tarjan's strongly connected components, each sorted.
fn strongly_connected(edges: &[BTreeMap<usize, String>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        edges: &'a [BTreeMap<usize, String>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        components: Vec<Vec<usize>>,
    }
    fn visit(state: &mut State<'_>, node: usize) {
        state.index[node] = Some(state.next);
        state.low[node] = state.next;
        state.next += 1;
        state.stack.push(node);
        state.on_stack[node] = true;
        for &to in state.edges[node].keys() {
            match state.index[to] {
                None => {
                    visit(state, to);
                    state.low[node] = state.low[node].min(state.low[to]);
                }
                Some(index) if state.on_stack[to] => state.low[node] = state.low[node].min(index),
                Some(_) => {}
            }
        }
        if Some(state.low[node]) == state.index[node] {
            let mut component = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack[member] = false;
                component.push(member);
                if member == node {
                    break;
                }
            }
            component.sort_unstable();
            state.components.push(component);
        }
    }
    let count = edges.len();
    let mut state = State {
        edges,
        index: vec![None; count],
        low: vec![0; count],
        on_stack: vec![false; count],
        stack: Vec::new(),
        next: 0,
        components: Vec::new(),
    };
    for node in 0..count {
        if state.index[node].is_none() {
            visit(&mut state, node);
        }
    }
    state.components.sort();
    state.components
}

/// The shortest circle through the component's first file, staying inside the component.
fn shortest_circle(edges: &[BTreeMap<usize, String>], component: &[usize]) -> Vec<usize> {
    let inside: BTreeSet<usize> = component.iter().copied().collect();
    let start = component[0];
    let mut came_from: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &to in edges[node].keys().filter(|to| inside.contains(to)) {
            if to == start {
                let mut ring = vec![node];
                while let Some(&previous) = came_from.get(ring.last().expect("the ring is never empty")) {
                    ring.push(previous);
                }
                ring.reverse();
                return ring;
            }
            if !came_from.contains_key(&to) && to != start {
                came_from.insert(to, node);
                queue.push_back(to);
            }
        }
    }
    unreachable!("every file of a strongly connected component lies on a circle through its first file")
}
