//! The release bundle: where every file goes, the archive and its checksums, and the install guide naming only paths
//! the bundle holds. The last test unpacks a bundle really built by `cargo xtask dist` (the Windows stage runs it).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use xtask::dist::{self, Builds, CHECKSUMS, GUIDE};

/// Six small stand-ins for the built programs, each with different bytes.
fn fake_builds(dir: &Path) -> Builds {
    let file = |name: &str| {
        let path = dir.join(name);
        std::fs::write(&path, format!("stand-in for {name}")).unwrap();
        path
    };
    Builds {
        gateway_windows: file("metaapi-gateway.exe"),
        console_windows: file("metaapi-console.exe"),
        gateway_linux: file("metaapi-gateway"),
        console_linux: file("metaapi-console"),
        bridge_x64: file("bridge-x64.dll"),
        bridge_i686: file("bridge-i686.dll"),
    }
}

fn layout_paths(entries: &[dist::Entry]) -> Vec<String> {
    entries.iter().map(|entry| entry.path.clone()).collect()
}

/// Unpacks an archive: path (without the bundle folder) to bytes and Unix mode. Fails on anything outside the folder.
fn unpack(archive: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let prefix = format!("{}/", dist::bundle_name());
    let mut files = BTreeMap::new();
    for index in 0..zip.len() {
        let mut file = zip.by_index(index).unwrap();
        let name = file.name().unwrap().to_string();
        let path = name.strip_prefix(&prefix).unwrap_or_else(|| panic!("{name} is outside {prefix}")).to_owned();
        let mode = file.unix_mode().unwrap_or(0);
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        assert!(files.insert(path, (bytes, mode)).is_none(), "{name} is in the archive twice");
    }
    files
}

/// Checks SHA256SUMS against the unpacked files: one line per other file, every digest right.
fn assert_checksums(files: &BTreeMap<String, (Vec<u8>, u32)>) {
    let sums = String::from_utf8(files[CHECKSUMS].0.clone()).unwrap();
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (digest, path) = line.split_once("  ").unwrap_or_else(|| panic!("malformed line {line:?}"));
        let (bytes, _) = files.get(path).unwrap_or_else(|| panic!("{CHECKSUMS} lists {path}, which is missing"));
        assert_eq!(digest, hex::encode(Sha256::digest(bytes)), "{path}: checksum differs");
        listed.push(path.to_owned());
    }
    let others: Vec<String> = files.keys().filter(|path| *path != CHECKSUMS).cloned().collect();
    assert_eq!(listed, others, "{CHECKSUMS} must list every other file once, sorted");
}

fn guide_paths() -> Vec<String> {
    let guide = std::fs::read_to_string(xtask::project_root().join(GUIDE)).unwrap();
    dist::guide_paths(&guide)
}

#[test]
fn every_mql_source_lands_in_a_terminal_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let entries = dist::layout(&xtask::project_root(), &fake_builds(dir.path())).unwrap();
    let mql = xtask::project_root().join("bridge/mql");
    for folder in ["Experts", "Services", "Include"] {
        for item in std::fs::read_dir(mql.join(folder)).unwrap() {
            let source = item.unwrap().path();
            let shipped: Vec<&str> =
                entries.iter().filter(|entry| entry.source == source).map(|entry| entry.path.as_str()).collect();
            assert!(!shipped.is_empty(), "{} is not in the bundle", source.display());
            for path in shipped {
                assert!(path.starts_with("MQL4/") || path.starts_with("MQL5/"), "{path}");
                assert!(path.ends_with(&format!("/{folder}/{}", source.file_name().unwrap().to_str().unwrap())));
            }
        }
    }
    let paths = layout_paths(&entries);
    for expected in [
        "MQL5/Experts/MetaApiBridge.mq5",
        "MQL5/Services/MetaApiBridgeService.mq5",
        "MQL4/Experts/MetaApiBridge.mq4",
        "MQL5/Include/metaapi_bridge.mqh",
        "MQL4/Include/metaapi_bridge.mqh",
        "MQL5/Include/MetaApiBridgeMt5.mqh",
        "MQL4/Include/MetaApiBridgeMt4.mqh",
    ] {
        assert!(paths.iter().any(|path| path == expected), "{expected} missing from {paths:?}");
    }
    let mut unique = paths.clone();
    unique.dedup();
    assert_eq!(unique, paths, "paths are sorted and unique");
}

#[test]
fn platform_files_go_only_to_their_platform() {
    let dir = tempfile::tempdir().unwrap();
    let builds = fake_builds(dir.path());
    let entries = dist::layout(&xtask::project_root(), &builds).unwrap();
    for entry in &entries {
        let name = entry.path.rsplit('/').next().unwrap();
        if name.starts_with("MetaApiBridgeMt4") || name.ends_with(".mq4") {
            assert!(entry.path.starts_with("MQL4/"), "{} belongs to MT4", entry.path);
        }
        if name.starts_with("MetaApiBridgeMt5") || name.ends_with(".mq5") {
            assert!(entry.path.starts_with("MQL5/"), "{} belongs to MT5", entry.path);
        }
    }
    let source_of = |path: &str| &entries.iter().find(|entry| entry.path == path).unwrap().source;
    assert_eq!(source_of("MQL5/Libraries/metaapi_bridge.dll"), &builds.bridge_x64, "MT5 loads the 64-bit DLL");
    assert_eq!(source_of("MQL4/Libraries/metaapi_bridge.dll"), &builds.bridge_i686, "MT4 loads the 32-bit DLL");
    let executables: Vec<&str> =
        entries.iter().filter(|entry| entry.executable).map(|entry| entry.path.as_str()).collect();
    assert_eq!(executables, ["linux/metaapi-console", "linux/metaapi-gateway"]);
}

#[test]
fn a_missing_build_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut builds = fake_builds(dir.path());
    builds.bridge_i686 = dir.path().join("never-built.dll");
    let error = dist::layout(&xtask::project_root(), &builds).unwrap_err().to_string();
    assert!(error.contains("never-built.dll") && error.contains("MQL4/Libraries/metaapi_bridge.dll"), "{error}");
}

#[test]
fn the_archive_unpacks_to_the_layout_with_checksums() {
    let dir = tempfile::tempdir().unwrap();
    let entries = dist::layout(&xtask::project_root(), &fake_builds(dir.path())).unwrap();
    let out = dir.path().join("out dir with spaces");
    // A leftover file from an older bundle must not survive into the new one.
    let stale = out.join(dist::bundle_name()).join("stale.txt");
    std::fs::create_dir_all(stale.parent().unwrap()).unwrap();
    std::fs::write(&stale, "old").unwrap();

    let archive = dist::assemble(&entries, &out).unwrap();
    assert_eq!(archive, out.join(format!("{}.zip", dist::bundle_name())));
    assert!(!stale.exists());
    let files = unpack(&archive);
    let mut expected = layout_paths(&entries);
    expected.push(CHECKSUMS.to_owned());
    expected.sort();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), expected);
    for entry in &entries {
        let (bytes, mode) = &files[&entry.path];
        assert_eq!(bytes, &std::fs::read(&entry.source).unwrap(), "{}", entry.path);
        assert_eq!(mode & 0o777, if entry.executable { 0o755 } else { 0o644 }, "{}", entry.path);
        // The unpacked folder beside the archive holds the same bytes.
        assert_eq!(&std::fs::read(out.join(dist::bundle_name()).join(&entry.path)).unwrap(), bytes);
    }
    assert_checksums(&files);
    // An output folder that does not exist yet is created.
    let fresh = dir.path().join("fresh").join("nested out");
    assert!(dist::assemble(&entries, &fresh).unwrap().is_file());
}

#[test]
fn checksums_fail_on_a_changed_file() {
    let files = vec![("b.txt".to_owned(), b"two".to_vec(), false), ("a.txt".to_owned(), b"one".to_vec(), false)];
    let sums = dist::checksums(&files);
    assert_eq!(sums.lines().map(|line| &line[66..]).collect::<Vec<_>>(), ["a.txt", "b.txt"]);
    let mut unpacked: BTreeMap<String, (Vec<u8>, u32)> =
        files.into_iter().map(|(path, bytes, _)| (path, (bytes, 0o644))).collect();
    unpacked.insert(CHECKSUMS.to_owned(), (sums.into_bytes(), 0o644));
    assert_checksums(&unpacked);
    unpacked.get_mut("a.txt").unwrap().0 = b"tampered".to_vec();
    let caught = std::panic::catch_unwind(|| assert_checksums(&unpacked));
    assert!(caught.is_err(), "a changed file must fail the checksum check");
}

#[test]
fn the_install_guide_names_only_bundle_paths() {
    let dir = tempfile::tempdir().unwrap();
    let paths = layout_paths(&dist::layout(&xtask::project_root(), &fake_builds(dir.path())).unwrap());
    let named = guide_paths();
    // The guide is the trader's path from the bundle: it must name at least the programs, DLLs and EAs.
    for essential in [
        "windows/metaapi-gateway.exe",
        "windows/metaapi-console.exe",
        "MQL5/Libraries/metaapi_bridge.dll",
        "MQL4/Libraries/metaapi_bridge.dll",
        "MQL5/Experts/MetaApiBridge.mq5",
        "MQL4/Experts/MetaApiBridge.mq4",
        "MQL5/Services/MetaApiBridgeService.mq5",
    ] {
        assert!(named.iter().any(|path| path == essential), "{GUIDE} does not name {essential}");
    }
    let mut all = paths.clone();
    all.push(CHECKSUMS.to_owned());
    let missing = dist::paths_missing_from_bundle(&named, &all);
    assert!(missing.is_empty(), "{GUIDE} names paths the bundle does not have: {missing:?}");
}

#[test]
fn guide_path_extraction_keeps_paths_and_skips_the_rest() {
    let markdown = "Copy `MQL5\\Libraries\\metaapi_bridge.dll` and `metaapi-X/README.txt`, run \
        `metaapi-gateway.exe service install`, open `ws://127.0.0.1:6000/terminal` or `/rpc`, see \
        `%LOCALAPPDATA%\\MetaAPI\\Gateway` and `C:\\Program Files`, compile to `.ex5`, unpack `metaapi-<version>.zip`, \
        find `MQL4/Made/Up.mq4`, the folder `MQL5/`, `windows\\metaapi-console.exe`, `metaapi_bridge.dll` and \
        `MetaApiBridgeMt5*.mqh` and `MetaApiBridgeMt6*.mqh`.\n```bat\nmetaapi-console.exe serve\n```\nthen `linux/x`.";
    let markdown = markdown.replace("metaapi-X", &dist::bundle_name());
    let named = dist::guide_paths(&markdown);
    assert_eq!(
        named,
        [
            "MQL4/Made/Up.mq4",
            "MQL5/",
            "MQL5/Libraries/metaapi_bridge.dll",
            "MetaApiBridgeMt5*.mqh",
            "MetaApiBridgeMt6*.mqh",
            "README.txt",
            "linux/x",
            "metaapi_bridge.dll",
            "windows/metaapi-console.exe",
        ]
    );
    let bundle =
        ["MQL5/Include/MetaApiBridgeMt5Rows.mqh", "MQL5/Libraries/metaapi_bridge.dll", "README.txt"].map(String::from);
    assert_eq!(
        dist::paths_missing_from_bundle(&named, &bundle),
        ["MQL4/Made/Up.mq4", "MetaApiBridgeMt6*.mqh", "linux/x", "windows/metaapi-console.exe"]
    );
}

#[test]
fn dist_options_parse_and_refuse_unknown_arguments() {
    let arguments = |list: &[&str]| list.iter().map(|item| item.to_string()).collect::<Vec<_>>();
    let options = dist::parse_options(&arguments(&["--profile", "dev", "--out", "some dir"])).unwrap();
    assert_eq!(options, dist::DistOptions { profile: "dev".into(), out: Some(PathBuf::from("some dir")) });
    assert_eq!(dist::parse_options(&[]).unwrap().profile, "release");
    let error = dist::parse_options(&arguments(&["--profile", "fast"])).unwrap_err().to_string();
    assert!(error.contains("release or dev"), "{error}");
    let error = dist::parse_options(&arguments(&["--zip"])).unwrap_err().to_string();
    assert!(error.contains("unknown argument --zip"), "{error}");
    let error = dist::parse_options(&arguments(&["--out"])).unwrap_err().to_string();
    assert!(error.contains("--out needs a value"), "{error}");
}

/// The machine field of a PE file's COFF header: 0x8664 for x86-64, 0x14c for i386.
fn pe_machine(bytes: &[u8]) -> Option<u16> {
    if bytes.get(..2)? != b"MZ" {
        return None;
    }
    let header = u32::from_le_bytes(bytes.get(0x3c..0x40)?.try_into().ok()?) as usize;
    if bytes.get(header..header + 4)? != b"PE\0\0" {
        return None;
    }
    Some(u16::from_le_bytes(bytes.get(header + 4..header + 6)?.try_into().ok()?))
}

#[test]
#[ignore = "needs a bundle built by `cargo xtask dist`; the Windows stage (bridge/windows/smoke.sh) runs it"]
fn built_bundle_holds_every_program_for_its_platform() {
    let archive = std::env::var_os("METAAPI_DIST_ARCHIVE").expect("METAAPI_DIST_ARCHIVE names the bundle's .zip");
    let archive = PathBuf::from(archive);
    assert!(archive.ends_with(format!("{}.zip", dist::bundle_name())), "{} is not versioned", archive.display());
    let files = unpack(&archive);
    assert_checksums(&files);

    // The same layout as the sources say, with the real builds' bytes (stand-ins only name the build paths here).
    let dir = tempfile::tempdir().unwrap();
    let mut expected = layout_paths(&dist::layout(&xtask::project_root(), &fake_builds(dir.path())).unwrap());
    expected.push(CHECKSUMS.to_owned());
    expected.sort();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), expected);

    const X64: u16 = 0x8664;
    const I386: u16 = 0x14c;
    for (path, machine) in [
        ("windows/metaapi-gateway.exe", X64),
        ("windows/metaapi-console.exe", X64),
        ("MQL5/Libraries/metaapi_bridge.dll", X64),
        ("MQL4/Libraries/metaapi_bridge.dll", I386),
    ] {
        assert_eq!(pe_machine(&files[path].0), Some(machine), "{path} is not a PE file for machine {machine:#x}");
    }
    for path in ["linux/metaapi-gateway", "linux/metaapi-console"] {
        let (bytes, mode) = &files[path];
        assert_eq!(&bytes[..4], b"\x7fELF", "{path} is not an ELF program");
        assert_eq!(mode & 0o111, 0o111, "{path} is not executable");
    }
    let missing = dist::paths_missing_from_bundle(&guide_paths(), &files.keys().cloned().collect::<Vec<_>>());
    assert!(missing.is_empty(), "{GUIDE} names paths the built bundle does not have: {missing:?}");
}
