//! Shared helpers: the shipped MQL sources, copies of them to mutate, and builds into temporary folders.

use std::path::{Path, PathBuf};

use metaapi_mql::{BuildOptions, Built, Error, ProgramSpec, build_programs};

/// The shipped MQL folder (bridge/mql).
pub fn mql_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/mql")
}

/// The three shipped programs: name, path under the MQL folder.
pub const SHIPPED: [(&str, &str); 3] = [
    ("ea5", "Experts/MetaApiBridge.mq5"),
    ("service5", "Services/MetaApiBridgeService.mq5"),
    ("ea4", "Experts/MetaApiBridge.mq4"),
];

/// A copy of the shipped MQL folder in a temporary directory, to change one line of.
pub struct Copy {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
}

impl Copy {
    /// Copies Experts/, Services/ and Include/.
    pub fn new() -> Copy {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for folder in ["Experts", "Services", "Include"] {
            std::fs::create_dir_all(dir.path().join(folder)).expect("create folder");
            for entry in std::fs::read_dir(mql_dir().join(folder)).expect("read the shipped folder") {
                let entry = entry.expect("an entry");
                std::fs::copy(entry.path(), dir.path().join(folder).join(entry.file_name())).expect("copy a file");
            }
        }
        Copy { dir }
    }

    /// The copy's path of `relative`.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Replaces the one line of `relative` that contains `old` with `new`; returns its 1-based line number.
    pub fn replace_line(&self, relative: &str, old: &str, new: &str) -> usize {
        let path = self.path(relative);
        let text = std::fs::read_to_string(&path).expect("read the copy");
        let lines: Vec<&str> = text.lines().collect();
        let hits: Vec<usize> = (0..lines.len()).filter(|i| lines[*i].contains(old)).collect();
        assert_eq!(hits.len(), 1, "{old:?} should be on exactly one line of {relative}");
        let mut changed: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
        changed[hits[0]] = new.to_owned();
        std::fs::write(&path, changed.join("\n") + "\n").expect("write the copy");
        hits[0] + 1
    }

    /// Builds one program of the copy.
    pub fn build(&self, name: &str, relative: &str) -> Result<Built, Error> {
        build(&[spec(name, &self.path(relative), &self.path("Include"))], &self.dir.path().join("out"))
    }
}

/// A program to build.
pub fn spec(name: &str, source: &Path, include_dir: &Path) -> ProgramSpec {
    ProgramSpec { name: name.to_owned(), source: source.to_path_buf(), include_dir: include_dir.to_path_buf() }
}

/// Builds programs into `out_dir` as a test (no cargo directives).
pub fn build(programs: &[ProgramSpec], out_dir: &Path) -> Result<Built, Error> {
    build_programs(
        programs,
        &BuildOptions { out_dir: out_dir.to_path_buf(), lib_name: "mqltest".to_owned(), cargo_metadata: false },
    )
}
