//! Records the target this crate is built for, so `build_programs` can drive `cc` outside a build script (tests).

#![forbid(unsafe_code)]

fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=METAAPI_MQL_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
