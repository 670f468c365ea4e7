//! One compilation target's module tree read from its sources with `syn`: what each module defines, what its `use`
//! declarations bind, and every path its code names, so [`Tree::resolve`] can say in which module a name is defined.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// A module: a file, or an inline `mod name { .. }` inside one.
#[derive(Default)]
pub(super) struct Module {
    /// Index of the file it lives in, into [`Tree::files`].
    pub file: usize,
    parent: Option<usize>,
    children: HashMap<String, usize>,
    /// Names of the items it defines, modules aside.
    items: HashSet<String>,
    /// Names its `use` declarations bind, to the path each names.
    bindings: HashMap<String, Vec<String>>,
    /// The modules of its glob imports (`use path::*`).
    globs: Vec<Vec<String>>,
    /// What its code depends on: the paths of its private `use` declarations (a `pub use` only re-exports, so it
    /// counts only where the module's own code names it) and every path named in its code and macro calls.
    pub needs: Vec<Vec<String>>,
}

/// Where a path leads.
#[derive(Clone, Copy)]
pub(super) enum Target {
    /// To a module itself.
    Module(usize),
    /// To an item defined in this module.
    Item(usize),
}

impl Target {
    /// The module that holds what the path names.
    pub(super) fn module(self) -> usize {
        match self {
            Target::Module(module) | Target::Item(module) => module,
        }
    }
}

/// A target's modules; module 0 is its root.
pub(super) struct Tree {
    /// Source files relative to the crate's directory, with `/` separators.
    pub files: Vec<String>,
    pub modules: Vec<Module>,
}

/// How deep a path may go through re-exports and globs before resolution gives up; real chains are a few steps.
const MAX_DEPTH: u32 = 24;

impl Tree {
    /// Reads the target whose root file is `root` (relative to `crate_dir`) and every file module under it.
    pub(super) fn load(crate_dir: &Path, root: &str) -> anyhow::Result<Tree> {
        let mut tree = Tree { files: Vec::new(), modules: Vec::new() };
        let root_path = crate_dir.join(root);
        tree.load_file(crate_dir, &root_path, None, None, true)?;
        Ok(tree)
    }

    /// Adds the module in `path`, a child of `parent` named `name`; `owns_dir` is true for a crate root or a
    /// `mod.rs`, whose child modules sit beside it rather than in a folder named after it.
    fn load_file(
        &mut self,
        crate_dir: &Path,
        path: &Path,
        parent: Option<usize>,
        name: Option<&str>,
        owns_dir: bool,
    ) -> anyhow::Result<()> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file = syn::parse_file(&text).with_context(|| format!("parsing {}", path.display()))?;
        let relative = path.strip_prefix(crate_dir).unwrap_or(path);
        self.files.push(relative.to_string_lossy().replace('\\', "/"));
        let file_index = self.files.len() - 1;
        let dir = path.parent().expect("a source file is inside a folder");
        let children_dir =
            if owns_dir { dir.to_path_buf() } else { dir.join(path.file_stem().expect("a source file has a name")) };
        self.add_module(crate_dir, file_index, parent, name, &file.items, &children_dir)
    }

    fn add_module(
        &mut self,
        crate_dir: &Path,
        file: usize,
        parent: Option<usize>,
        name: Option<&str>,
        items: &[syn::Item],
        children_dir: &Path,
    ) -> anyhow::Result<()> {
        let index = self.modules.len();
        self.modules.push(Module { file, parent, ..Module::default() });
        if let (Some(parent), Some(name)) = (parent, name) {
            self.modules[parent].children.insert(name.to_owned(), index);
        }
        let mut collector = Collector::default();
        for item in items {
            match item {
                syn::Item::Mod(module) => {
                    let child = module.ident.to_string();
                    match &module.content {
                        Some((_, inner)) => self.add_module(
                            crate_dir,
                            file,
                            Some(index),
                            Some(&child),
                            inner,
                            &children_dir.join(&child),
                        )?,
                        None => {
                            let path = module_file(children_dir, &child)?;
                            let owns_dir = path.file_name().is_some_and(|name| name == "mod.rs");
                            self.load_file(crate_dir, &path, Some(index), Some(&child), owns_dir)?;
                        }
                    }
                }
                syn::Item::Use(declaration) => {
                    let public = !matches!(declaration.vis, syn::Visibility::Inherited);
                    let module = &mut self.modules[index];
                    let mut bound = Vec::new();
                    flatten_use(&declaration.tree, &mut Vec::new(), &mut bound);
                    for bind in bound {
                        if !public {
                            module.needs.push(bind.path().to_vec());
                        }
                        match bind {
                            Bind::Name(name, path) => {
                                module.bindings.insert(name, path);
                            }
                            Bind::Anonymous(_) => {}
                            Bind::Glob(path) => module.globs.push(path),
                        }
                    }
                }
                other => {
                    if let Some(name) = item_name(other) {
                        self.modules[index].items.insert(name);
                    }
                    if let syn::Item::ForeignMod(block) = other {
                        for foreign in &block.items {
                            if let Some(name) = foreign_item_name(foreign) {
                                self.modules[index].items.insert(name);
                            }
                        }
                    }
                    collector.visit_item(other);
                }
            }
        }
        let module = &mut self.modules[index];
        module.needs.extend(collector.paths);
        for (name, path) in collector.local_bindings {
            module.bindings.entry(name).or_insert(path);
        }
        Ok(())
    }

    /// Where `path`, written in module `from`, leads; `None` for what is outside the crate (other crates, the
    /// prelude, local variables, generic parameters).
    pub(super) fn resolve(&self, from: usize, path: &[String]) -> Option<Target> {
        self.resolve_at(from, path, 0)
    }

    fn resolve_at(&self, from: usize, path: &[String], depth: u32) -> Option<Target> {
        if depth > MAX_DEPTH || path.is_empty() {
            return None;
        }
        let (mut module, mut rest) = (from, path);
        match rest[0].as_str() {
            "crate" => (module, rest) = (0, &rest[1..]),
            "self" => rest = &rest[1..],
            "super" => {
                while rest.first().is_some_and(|segment| segment == "super") {
                    module = self.modules[module].parent?;
                    rest = &rest[1..];
                }
            }
            _ => {}
        }
        self.walk(module, rest, depth)
    }

    /// Follows `rest` down from `module`, through child modules, `use` bindings and glob imports.
    fn walk(&self, module: usize, rest: &[String], depth: u32) -> Option<Target> {
        let Some(first) = rest.first() else { return Some(Target::Module(module)) };
        let here = &self.modules[module];
        if let Some(&child) = here.children.get(first) {
            return self.walk(child, &rest[1..], depth);
        }
        if here.items.contains(first) {
            return Some(Target::Item(module));
        }
        if let Some(bound) = here.bindings.get(first) {
            return match self.resolve_at(module, bound, depth + 1)? {
                Target::Module(target) => self.walk(target, &rest[1..], depth + 1),
                item => Some(item),
            };
        }
        here.globs.iter().find_map(|glob| {
            let Target::Module(target) = self.resolve_at(module, glob, depth + 1)? else { return None };
            (target != module).then(|| self.walk(target, rest, depth + 1)).flatten()
        })
    }
}

/// The file of `mod name;` whose parent's child modules live in `dir`.
fn module_file(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let flat = dir.join(format!("{name}.rs"));
    let nested = dir.join(name).join("mod.rs");
    match (flat.is_file(), nested.is_file()) {
        (true, false) => Ok(flat),
        (false, true) => Ok(nested),
        (true, true) => bail!("both {} and {} exist", flat.display(), nested.display()),
        (false, false) => bail!("no file for module {name}: neither {} nor {}", flat.display(), nested.display()),
    }
}

/// One thing a `use` declaration brings in.
enum Bind {
    /// A name for the path.
    Name(String, Vec<String>),
    /// `use path as _`: no name, but the trait is needed for its methods.
    Anonymous(Vec<String>),
    /// `use module::*`.
    Glob(Vec<String>),
}

impl Bind {
    fn path(&self) -> &[String] {
        match self {
            Bind::Name(_, path) | Bind::Anonymous(path) | Bind::Glob(path) => path,
        }
    }
}

/// Expands a use tree into what it binds.
fn flatten_use(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Bind>) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten_use(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) if name.ident == "self" => {
            let last = prefix.last().cloned().unwrap_or_default();
            out.push(Bind::Name(last, prefix.clone()));
        }
        syn::UseTree::Name(name) => {
            let mut path = prefix.clone();
            path.push(name.ident.to_string());
            out.push(Bind::Name(name.ident.to_string(), path));
        }
        syn::UseTree::Rename(rename) => {
            let mut path = prefix.clone();
            path.push(rename.ident.to_string());
            out.push(if rename.rename == "_" {
                Bind::Anonymous(path)
            } else {
                Bind::Name(rename.rename.to_string(), path)
            });
        }
        syn::UseTree::Glob(_) => out.push(Bind::Glob(prefix.clone())),
        syn::UseTree::Group(group) => {
            for item in &group.items {
                flatten_use(item, prefix, out);
            }
        }
    }
}

fn item_name(item: &syn::Item) -> Option<String> {
    let ident = match item {
        syn::Item::Const(item) => &item.ident,
        syn::Item::Enum(item) => &item.ident,
        syn::Item::ExternCrate(item) => item.rename.as_ref().map_or(&item.ident, |(_, rename)| rename),
        syn::Item::Fn(item) => &item.sig.ident,
        syn::Item::Macro(item) => item.ident.as_ref()?,
        syn::Item::Static(item) => &item.ident,
        syn::Item::Struct(item) => &item.ident,
        syn::Item::Trait(item) => &item.ident,
        syn::Item::TraitAlias(item) => &item.ident,
        syn::Item::Type(item) => &item.ident,
        syn::Item::Union(item) => &item.ident,
        _ => return None,
    };
    Some(ident.to_string())
}

fn foreign_item_name(item: &syn::ForeignItem) -> Option<String> {
    match item {
        syn::ForeignItem::Fn(item) => Some(item.sig.ident.to_string()),
        syn::ForeignItem::Static(item) => Some(item.ident.to_string()),
        syn::ForeignItem::Type(item) => Some(item.ident.to_string()),
        _ => None,
    }
}

/// Gathers the paths a module's items name, including `use` declarations inside function bodies.
#[derive(Default)]
struct Collector {
    paths: Vec<Vec<String>>,
    local_bindings: Vec<(String, Vec<String>)>,
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_use(&mut self, declaration: &'ast syn::ItemUse) {
        let mut bound = Vec::new();
        flatten_use(&declaration.tree, &mut Vec::new(), &mut bound);
        for bind in bound {
            self.paths.push(bind.path().to_vec());
            if let Bind::Name(name, path) = bind {
                self.local_bindings.push((name, path));
            }
        }
    }

    // `pub(super)` and `pub(in path)` name a module for visibility, not something used.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        // `::name` is always another crate. A lone name outside `use` is a local, a generic parameter or an item
        // this module defines or imported (its `use` was counted): never a module, even when a child module has
        // that name (`let events = ...; events.len()` beside `mod events;`).
        if path.leading_colon.is_none() && path.segments.len() > 1 {
            self.paths.push(path.segments.iter().map(|segment| segment.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        syn::visit::visit_macro(self, mac);
        macro_paths(mac.tokens.clone(), &mut self.paths);
    }
}

/// The `a::b::c` sequences in a macro's tokens (`$crate::` counts as `crate::`), which `syn` cannot see as paths.
fn macro_paths(tokens: TokenStream, out: &mut Vec<Vec<String>>) {
    let mut current: Vec<String> = Vec::new();
    // How many `:` have been seen since the last segment; a path continues only after exactly two.
    let mut colons = 0;
    let mut after_dollar = false;
    // A lone name is not a path to anything here, as in `visit_path`.
    let flush = |current: &mut Vec<String>, out: &mut Vec<Vec<String>>| {
        let path = std::mem::take(current);
        if path.len() > 1 {
            out.push(path);
        }
    };
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => {
                let continues = colons == 2 && !current.is_empty();
                if !continues && !after_dollar {
                    flush(&mut current, out);
                }
                current.push(ident.to_string());
                colons = 0;
                after_dollar = false;
            }
            TokenTree::Punct(punct) if punct.as_char() == ':' => colons += 1,
            TokenTree::Punct(punct) if punct.as_char() == '$' => {
                flush(&mut current, out);
                after_dollar = true;
                colons = 0;
            }
            TokenTree::Group(group) => {
                flush(&mut current, out);
                colons = 0;
                after_dollar = false;
                macro_paths(group.stream(), out);
            }
            _ => {
                flush(&mut current, out);
                colons = 0;
                after_dollar = false;
            }
        }
    }
    flush(&mut current, out);
}
