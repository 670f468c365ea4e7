//! Builds translated programs: writes each program's C++, compiles it (capturing the compiler's diagnostics, which
//! name MQL files and lines), and archives the objects with the C++ runtime into one static library through `cc`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::Error;
use crate::translate::{Translation, translate};

/// One program to build.
#[derive(Debug, Clone)]
pub struct ProgramSpec {
    /// The prefix of its C entry points (`<name>_create`...): a C identifier, unique in the library.
    pub name: String,
    /// The `.mq5` or `.mq4` file.
    pub source: PathBuf,
    /// The platform's Include folder, for `#include <X.mqh>`.
    pub include_dir: PathBuf,
}

/// Where and how to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Where the generated C++, the objects and the library go (a build script's OUT_DIR).
    pub out_dir: PathBuf,
    /// The static library's name (`lib<name>.a`).
    pub lib_name: String,
    /// Whether to print cargo's link and rerun directives (true in a build script).
    pub cargo_metadata: bool,
}

/// What was built.
#[derive(Debug, Clone)]
pub struct Built {
    /// Each program's translation, in the order given.
    pub programs: Vec<Translation>,
    /// The static library holding the programs and the runtime.
    pub library: PathBuf,
    /// The compiler's warnings, if any, naming MQL files and lines.
    pub warnings: String,
}

/// The C++ runtime's sources, compiled into every library.
const RUNTIME_SOURCES: [&str; 5] = ["runtime.cpp", "format.cpp", "mql5.cpp", "mql4.cpp", "layout.cpp"];

/// Translates `programs` and compiles them with the runtime into one static library (C++17, warnings on).
pub fn build_programs(programs: &[ProgramSpec], options: &BuildOptions) -> Result<Built, Error> {
    let mut names = HashSet::new();
    for program in programs {
        if !names.insert(program.name.as_str()) {
            return Err(Error::ProgramName(program.name.clone()));
        }
    }
    std::fs::create_dir_all(&options.out_dir)
        .map_err(|source| Error::Read { path: options.out_dir.clone(), source })?;
    let cpp_dir = crate::cpp_dir();
    let mut build = cc_build(options, &cpp_dir);
    let compiler = build
        .try_get_compiler()
        .map_err(|error| Error::Build { what: "the C++ compiler".to_owned(), message: error.to_string() })?;
    let mut translations = Vec::new();
    let mut warnings = String::new();
    for program in programs {
        let translation = translate(&program.name, &program.source, &program.include_dir)?;
        let source = options.out_dir.join(format!("{}.cpp", program.name));
        let object = options.out_dir.join(format!("{}.o", program.name));
        std::fs::write(&source, &translation.cpp)
            .map_err(|source_error| Error::Read { path: source.clone(), source: source_error })?;
        let mut command = compiler.to_command();
        command.arg("-c").arg(&source).arg("-o").arg(&object);
        let stderr = run(command, &program.name)?;
        warnings.push_str(&stderr);
        build.object(&object);
        if options.cargo_metadata {
            for file in &translation.files {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
        translations.push(translation);
    }
    for file in RUNTIME_SOURCES {
        build.file(cpp_dir.join(file));
    }
    if options.cargo_metadata {
        println!("cargo:rerun-if-changed={}", cpp_dir.display());
        for line in warnings.lines().filter(|line| line.contains("warning:")) {
            println!("cargo:warning={line}");
        }
    }
    build
        .try_compile(&options.lib_name)
        .map_err(|error| Error::Build { what: "the MQL runtime".to_owned(), message: error.to_string() })?;
    Ok(Built { programs: translations, library: options.out_dir.join(format!("lib{}.a", options.lib_name)), warnings })
}

/// The `cc` configuration every object of a library shares. Outside a build script (tests) the target and host
/// are the ones this crate was built for.
pub fn cc_build(options: &BuildOptions, cpp_dir: &Path) -> cc::Build {
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .warnings(true)
        .extra_warnings(true)
        .flag_if_supported("-Wno-unused-parameter")
        .include(cpp_dir)
        .out_dir(&options.out_dir)
        .cargo_metadata(options.cargo_metadata)
        .emit_rerun_if_env_changed(options.cargo_metadata);
    if std::env::var_os("TARGET").is_none() {
        let target = env!("METAAPI_MQL_TARGET");
        build.target(target).host(target).opt_level(1).debug(false);
    }
    build
}

// Runs one compile; its stderr is the warnings on success and the error on failure.
fn run(mut command: Command, program: &str) -> Result<String, Error> {
    let output = command.output().map_err(|error| Error::Build {
        what: format!("program {program}"),
        message: format!("cannot run the C++ compiler: {error}"),
    })?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(Error::Compile { program: program.to_owned(), diagnostics: stderr });
    }
    Ok(stderr)
}
