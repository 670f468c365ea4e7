//! `cargo xtask dist`: the versioned release bundle a trader downloads instead of building from source.
//!
//! The bundle is one folder, `metaapi-<version>/`, zipped as `metaapi-<version>.zip`. Its `MQL5/` and `MQL4/` folders
//! are laid out as a terminal's data folder is (*File > Open Data Folder*), so installing is copying them over it.
//! [`layout`] is the single description of what goes where; the builder, the layout test and the install guide's
//! test (`docs/src/ea-setup.md` may name only paths that are in it) all read it.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

/// The 64-bit Windows target: MetaTrader 5, the gateway and the console.
pub const WINDOWS_X64: &str = "x86_64-pc-windows-gnu";
/// The 32-bit Windows target: MetaTrader 4 loads only 32-bit DLLs.
pub const WINDOWS_I686: &str = "i686-pc-windows-gnu";
/// The checksum file at the bundle's root, in `sha256sum -c` format.
pub const CHECKSUMS: &str = "SHA256SUMS";
/// The install guide whose paths must all be in the bundle.
pub const GUIDE: &str = "docs/src/ea-setup.md";

/// `metaapi-<version>`: the bundle's folder and, with `.zip`, its archive.
pub fn bundle_name() -> String {
    format!("metaapi-{}", env!("CARGO_PKG_VERSION"))
}

/// The built programs a bundle ships, wherever the build put them.
#[derive(Debug, Clone)]
pub struct Builds {
    /// `metaapi-gateway.exe` for Windows x64.
    pub gateway_windows: PathBuf,
    /// `metaapi-console.exe` for Windows x64.
    pub console_windows: PathBuf,
    /// `metaapi-gateway` for Linux.
    pub gateway_linux: PathBuf,
    /// `metaapi-console` for Linux.
    pub console_linux: PathBuf,
    /// `metaapi_bridge.dll` for 64-bit terminals (MT5).
    pub bridge_x64: PathBuf,
    /// `metaapi_bridge.dll` for 32-bit terminals (MT4).
    pub bridge_i686: PathBuf,
}

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the bundle folder, with `/` separators.
    pub path: String,
    /// Where its bytes come from.
    pub source: PathBuf,
    /// Marked executable in the archive (the Linux programs).
    pub executable: bool,
}

/// Every file of the bundle but [`CHECKSUMS`], sorted by path. The MQL sources are taken from `bridge/mql` as
/// they are now, so a fix there ships without touching this list: `MetaApiBridgeMt4*` includes go to `MQL4/Include`,
/// `MetaApiBridgeMt5*` ones to `MQL5/Include`, every other include to both; `.mq5` programs to `MQL5/<folder>` and
/// `.mq4` ones to `MQL4/<folder>`. Fails naming the first missing file.
pub fn layout(root: &Path, builds: &Builds) -> anyhow::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut add = |path: String, source: PathBuf, executable: bool| entries.push(Entry { path, source, executable });
    add("windows/metaapi-gateway.exe".into(), builds.gateway_windows.clone(), false);
    add("windows/metaapi-console.exe".into(), builds.console_windows.clone(), false);
    add("linux/metaapi-gateway".into(), builds.gateway_linux.clone(), true);
    add("linux/metaapi-console".into(), builds.console_linux.clone(), true);
    add("MQL5/Libraries/metaapi_bridge.dll".into(), builds.bridge_x64.clone(), false);
    add("MQL4/Libraries/metaapi_bridge.dll".into(), builds.bridge_i686.clone(), false);
    add("include/metaapi_bridge.h".into(), root.join("bridge/include/metaapi_bridge.h"), false);
    add("README.txt".into(), root.join("xtask/dist/README.txt"), false);
    add("LICENSE-MIT".into(), root.join("LICENSE-MIT"), false);
    add("LICENSE-APACHE".into(), root.join("LICENSE-APACHE"), false);

    let mql = root.join("bridge/mql");
    for folder in ["Experts", "Services", "Include"] {
        for source in files_in(&mql.join(folder))? {
            let name = source.file_name().and_then(|name| name.to_str()).context("non-UTF-8 MQL file name")?;
            for platform in mql_platforms(folder, name)? {
                add(format!("{platform}/{folder}/{name}"), source.clone(), false);
            }
        }
    }

    entries.sort_by(|a, b| a.path.cmp(&b.path));
    for entry in &entries {
        if !entry.source.is_file() {
            bail!("{} (for {}) does not exist; was it built?", entry.source.display(), entry.path);
        }
    }
    Ok(entries)
}

/// Which data folders (`MQL4`, `MQL5`) an MQL file of `bridge/mql/<folder>` belongs in.
fn mql_platforms(folder: &str, name: &str) -> anyhow::Result<Vec<&'static str>> {
    let platforms = match (folder, name.rsplit_once('.').map(|(_, extension)| extension)) {
        ("Include", Some("mqh")) if name.starts_with("MetaApiBridgeMt4") => vec!["MQL4"],
        ("Include", Some("mqh")) if name.starts_with("MetaApiBridgeMt5") => vec!["MQL5"],
        ("Include", Some("mqh")) => vec!["MQL4", "MQL5"],
        ("Experts", Some("mq4")) => vec!["MQL4"],
        ("Experts" | "Services", Some("mq5")) => vec!["MQL5"],
        _ => bail!("bridge/mql/{folder}/{name}: no rule says where it goes in a terminal's data folder"),
    };
    Ok(platforms)
}

fn files_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for item in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = item?.path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Writes `<out>/<bundle>/` (replacing an older one) and `<out>/<bundle>.zip`, with [`CHECKSUMS`] over every other
/// file; returns the archive's path.
pub fn assemble(entries: &[Entry], out: &Path) -> anyhow::Result<PathBuf> {
    let name = bundle_name();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let folder = out.join(&name);
    if folder.exists() {
        std::fs::remove_dir_all(&folder).with_context(|| format!("removing {}", folder.display()))?;
    }
    let mut files = Vec::new();
    for entry in entries {
        let bytes = std::fs::read(&entry.source).with_context(|| format!("reading {}", entry.source.display()))?;
        files.push((entry.path.clone(), bytes, entry.executable));
    }
    files.push((CHECKSUMS.to_owned(), checksums(&files).into_bytes(), false));

    let archive_path = out.join(format!("{name}.zip"));
    let archive =
        std::fs::File::create(&archive_path).with_context(|| format!("creating {}", archive_path.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(archive));
    for (path, bytes, executable) in &files {
        let target = folder.join(path);
        std::fs::create_dir_all(target.parent().expect("bundle paths have a parent"))?;
        std::fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))?;
        let mode = if *executable { 0o755 } else { 0o644 };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode))?;
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(mode);
        zip.start_file(format!("{name}/{path}"), options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?.flush()?;
    Ok(archive_path)
}

/// `sha256sum` lines (`<hex>  <path>`) for `files`, sorted by path.
pub fn checksums(files: &[(String, Vec<u8>, bool)]) -> String {
    let mut lines: Vec<String> =
        files.iter().map(|(path, bytes, _)| format!("{}  {path}\n", hex::encode(Sha256::digest(bytes)))).collect();
    lines.sort_by(|a, b| a[66..].cmp(&b[66..]));
    lines.concat()
}

/// The paths a Markdown guide names: code spans that look like relative file or folder paths (a `/` or `\`, or a
/// file extension, and no spaces). URLs, absolute paths (`/rpc`, `C:\...`, `%LOCALAPPDATA%\...`), placeholders
/// (`metaapi-<version>.zip`) and bare extensions (`.ex5`) are not bundle paths and are left out. Backslashes become
/// `/` and a leading `metaapi-<version>/` is dropped, so the guide can name files as Windows shows them.
pub fn guide_paths(markdown: &str) -> Vec<String> {
    let prefix = format!("{}/", bundle_name());
    let mut paths = BTreeSet::new();
    for (index, span) in markdown.split('`').enumerate() {
        // Odd pieces are inside backticks (fenced blocks open and close with three, which keeps the parity).
        if index % 2 == 0 || span.is_empty() || span.contains(char::is_whitespace) || span.contains("://") {
            continue;
        }
        if span.starts_with(['/', '.', '%']) || span.contains('<') || span.as_bytes().get(1) == Some(&b':') {
            continue;
        }
        let path = span.replace('\\', "/");
        let has_extension = Path::new(&path).extension().is_some_and(|extension| {
            matches!(extension.to_str(), Some("exe" | "dll" | "mq4" | "mq5" | "mqh" | "h" | "txt" | "zip"))
        });
        if !(path.contains('/') || has_extension) {
            continue;
        }
        let path = path.strip_prefix(&prefix).unwrap_or(&path).to_owned();
        paths.insert(path);
    }
    paths.into_iter().collect()
}

/// The guide's paths that name nothing in the bundle. A path ending in `/` must be a folder holding a file of
/// `bundle_paths`; another path with a folder must be one of its files or a folder holding one; a bare file name must
/// be the name of one of its files. `*` matches any run of characters
/// within a name (`MetaApiBridgeMt5*.mqh`) and must match at least one file.
pub fn paths_missing_from_bundle(guide: &[String], bundle_paths: &[String]) -> Vec<String> {
    guide
        .iter()
        .filter(|path| {
            !bundle_paths.iter().any(|file| {
                if let Some(folder) = path.strip_suffix('/') {
                    let depth = folder.matches('/').count() + 1;
                    let head: Vec<&str> = file.split('/').take(depth).collect();
                    head.len() == depth && file.len() > head.join("/").len() && wildcard_match(folder, &head.join("/"))
                } else if path.contains('/') {
                    let depth = path.matches('/').count() + 1;
                    let head: Vec<&str> = file.split('/').take(depth).collect();
                    head.len() == depth && wildcard_match(path, &head.join("/"))
                } else {
                    wildcard_match(path, file.rsplit('/').next().unwrap_or(file))
                }
            })
        })
        .cloned()
        .collect()
}

/// `pattern` with `*` wildcards (never crossing a `/`) against the whole of `text`.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else { return false };
            (0..=tail.len())
                .take_while(|&skip| !tail[..skip].contains('/'))
                .filter(|&skip| tail.is_char_boundary(skip))
                .any(|skip| wildcard_match(rest, &tail[skip..]))
        }
    }
}

/// Build profile and output folder of `cargo xtask dist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistOptions {
    /// Cargo profile: `release` by default; CI uses `dev` to stay within minutes.
    pub profile: String,
    /// Where the bundle folder and archive go (`target/dist` by default).
    pub out: Option<PathBuf>,
}

/// Parses the arguments after `dist`: `[--profile release|dev] [--out DIR]`.
pub fn parse_options(arguments: &[String]) -> anyhow::Result<DistOptions> {
    let mut options = DistOptions { profile: "release".into(), out: None };
    let mut arguments = arguments.iter();
    while let Some(argument) = arguments.next() {
        let mut value = |flag: &str| arguments.next().cloned().with_context(|| format!("{flag} needs a value"));
        match argument.as_str() {
            "--profile" => {
                options.profile = value("--profile")?;
                if !matches!(options.profile.as_str(), "release" | "dev") {
                    bail!("--profile must be release or dev, not {}", options.profile);
                }
            }
            "--out" => options.out = Some(PathBuf::from(value("--out")?)),
            other => bail!("unknown argument {other}; usage: cargo xtask dist [--profile release|dev] [--out DIR]"),
        }
    }
    Ok(options)
}

/// The whole of `cargo xtask dist`: builds, lays out, assembles; returns the archive's path.
pub fn run(options: &DistOptions) -> anyhow::Result<PathBuf> {
    let root = crate::project_root();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let builds = build(&root, &target_dir, &options.profile)?;
    let entries = layout(&root, &builds)?;
    assemble(&entries, &options.out.clone().unwrap_or_else(|| target_dir.join("dist")))
}

/// Builds the six programs. The Windows cross-builds get their own target folder (`<target>/windows-cross`) so
/// they never hold the shared one's lock for minutes; the Linux programs build where `cargo build` puts them.
fn build(root: &Path, target_dir: &Path, profile: &str) -> anyhow::Result<Builds> {
    let profile_dir = if profile == "dev" { "debug" } else { profile };
    let cross_dir = target_dir.join("windows-cross");
    check_cross_toolchain()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = |arguments: &[&str], cross: bool| -> anyhow::Result<()> {
        let mut command = Command::new(&cargo);
        command.current_dir(root).args(["build", "--profile", profile]).args(arguments);
        if cross {
            command.env("CARGO_TARGET_DIR", &cross_dir);
            for (variable, value) in cross_environment() {
                if std::env::var_os(variable).is_none() {
                    command.env(variable, value);
                }
            }
        }
        eprintln!("==> cargo build --profile {profile} {}", arguments.join(" "));
        let status = command.status().context("running cargo")?;
        if !status.success() {
            bail!("cargo build {} failed ({status})", arguments.join(" "));
        }
        Ok(())
    };
    let programs =
        ["-p", "metaapi-gateway", "-p", "metaapi-console", "--bin", "metaapi-gateway", "--bin", "metaapi-console"];
    let mut windows_x64 = vec!["--target", WINDOWS_X64, "-p", "metaapi-bridge", "--lib"];
    windows_x64.extend(programs);
    run(&windows_x64, true)?;
    run(&["--target", WINDOWS_I686, "-p", "metaapi-bridge", "--lib"], true)?;
    run(&programs, false)?;
    let x64 = cross_dir.join(WINDOWS_X64).join(profile_dir);
    let linux = target_dir.join(profile_dir);
    Ok(Builds {
        gateway_windows: x64.join("metaapi-gateway.exe"),
        console_windows: x64.join("metaapi-console.exe"),
        gateway_linux: linux.join("metaapi-gateway"),
        console_linux: linux.join("metaapi-console"),
        bridge_x64: x64.join("metaapi_bridge.dll"),
        bridge_i686: cross_dir.join(WINDOWS_I686).join(profile_dir).join("metaapi_bridge.dll"),
    })
}

/// Debian's mingw-w64 as linker and C/C++ compilers of the Windows targets. The C++ code (the simulator's MQL
/// runtime, linked into the gateway for its demo) needs the POSIX thread model's `std::thread`, and every runtime
/// library is linked statically so the programs run from the bundle without mingw DLLs beside them.
pub fn cross_environment() -> Vec<(&'static str, &'static str)> {
    vec![
        ("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER", "x86_64-w64-mingw32-gcc-posix"),
        ("CARGO_TARGET_I686_PC_WINDOWS_GNU_LINKER", "i686-w64-mingw32-gcc-posix"),
        ("CC_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-gcc-posix"),
        ("CXX_x86_64_pc_windows_gnu", "x86_64-w64-mingw32-g++-posix"),
        ("CC_i686_pc_windows_gnu", "i686-w64-mingw32-gcc-posix"),
        ("CXX_i686_pc_windows_gnu", "i686-w64-mingw32-g++-posix"),
        // The C++ runtime (libstdc++, and the winpthread it uses) from its archives: otherwise the gateway would
        // need libstdc++-6.dll beside it.
        ("CXXSTDLIB_STATIC_x86_64_pc_windows_gnu", "1"),
        ("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS", "-C target-feature=+crt-static -C link-arg=-static"),
        ("CARGO_TARGET_I686_PC_WINDOWS_GNU_RUSTFLAGS", "-C target-feature=+crt-static"),
    ]
}

fn check_cross_toolchain() -> anyhow::Result<()> {
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let installed = installed.map(|output| String::from_utf8_lossy(&output.stdout).into_owned()).unwrap_or_default();
    for target in [WINDOWS_X64, WINDOWS_I686] {
        if !installed.lines().any(|line| line == target) {
            bail!("the Rust target {target} is not installed: rustup target add {target}");
        }
    }
    for compiler in ["x86_64-w64-mingw32-g++-posix", "i686-w64-mingw32-gcc-posix"] {
        if Command::new(compiler).arg("--version").output().is_err() {
            bail!("{compiler} is missing: apt-get install g++-mingw-w64-x86-64 gcc-mingw-w64-i686");
        }
    }
    Ok(())
}
