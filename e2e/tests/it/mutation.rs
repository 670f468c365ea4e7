//! The wiring cannot silently fall back: one line of a copy of the shipped MQL sources is changed, that copy is
//! built with the same MQL runtime and run as the terminal, and the answer through the gateway changes with it.
//! One program build per platform (it compiles C++ at test time).

use std::path::{Path, PathBuf};

use metaapi_mql::{BuildOptions, ProgramSpec, build_programs, cpp_dir};
use metaapi_terminal_sim::programs::ProgramCode;
use metaapi_terminal_sim::{BridgeAbi, Mode, start_program};
use serde_json::json;

use crate::support::{WAIT, eventually, own_terminal_config, start_demo};

fn shipped_mql() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bridge/mql")
}

/// Copies Experts/, Services/ and Include/ of the shipped sources into `into`.
pub(crate) fn copy_sources(into: &Path) {
    for folder in ["Experts", "Services", "Include"] {
        std::fs::create_dir_all(into.join(folder)).expect("create a folder");
        for entry in std::fs::read_dir(shipped_mql().join(folder)).expect("read the shipped folder") {
            let entry = entry.expect("an entry");
            std::fs::copy(entry.path(), into.join(folder).join(entry.file_name())).expect("copy a file");
        }
    }
}

/// Replaces the one line of `file` containing `old` by the same line with `old` replaced by `new`.
pub(crate) fn change_one_line(file: &Path, old: &str, new: &str) {
    let text = std::fs::read_to_string(file).expect("read the copy");
    let hits: Vec<&str> = text.lines().filter(|line| line.contains(old)).collect();
    assert_eq!(hits.len(), 1, "{old:?} must be on exactly one line of {}", file.display());
    std::fs::write(file, text.replacen(old, new, 1)).expect("write the copy");
}

/// Builds `program` of the copy at `root` with the MQL runtime and links it into a shared library to load.
pub(crate) fn build(root: &Path, name: &str, program: &str) -> PathBuf {
    let out = root.join("out");
    let options = BuildOptions { out_dir: out.clone(), lib_name: format!("{name}lib"), cargo_metadata: false };
    let spec = ProgramSpec { name: name.to_owned(), source: root.join(program), include_dir: root.join("Include") };
    let built = build_programs(&[spec], &options).unwrap_or_else(|error| panic!("the changed copy builds: {error}"));
    let shared = out.join(format!("lib{name}.so"));
    let compiler = metaapi_mql::cc_build(&options, &cpp_dir()).get_compiler();
    let status = compiler
        .to_command()
        .arg("-shared")
        .arg("-o")
        .arg(&shared)
        .arg("-Wl,--whole-archive")
        .arg(&built.library)
        .arg("-Wl,--no-whole-archive")
        .status()
        .expect("the C++ compiler runs");
    assert!(status.success(), "the changed program links into a shared library");
    shared
}

/// Changes the line of `include` that writes `get_account_info`'s `server` from `read` to a constant.
async fn server_through_the_gateway(mode: Mode, program: &str, include: &str, read: &str, name: &str) {
    let mut demo = start_demo(Vec::new()).await;
    let copy = tempfile::tempdir().expect("a temporary directory");
    copy_sources(copy.path());
    change_one_line(
        &copy.path().join("Include").join(include),
        &format!("\"server\", {read}"),
        "\"server\", \"Mutated-Server\"",
    );
    let library = build(copy.path(), name, program);
    let code = ProgramCode::load(&library, name).expect("the changed program loads");
    let (config, token) = own_terminal_config(&demo, mode, &format!("{name}-terminal"));
    let sim = start_program(BridgeAbi::linked(), config, code).expect("the changed EA starts");
    let client = reqwest::Client::new();
    let server = eventually("get_account_info through the changed EA", || {
        let (client, url, token) = (client.clone(), demo.url.clone(), token.clone());
        async move {
            let body = json!({"jsonrpc": "2.0", "id": 1, "method": "get_account_info", "params": {}});
            let response = client
                .post(format!("{url}/rpc"))
                .bearer_auth(&token)
                .json(&body)
                .timeout(WAIT)
                .send()
                .await
                .map_err(|error| error.to_string())?;
            let value: serde_json::Value = response.json().await.map_err(|error| error.to_string())?;
            value["result"]["server"].as_str().map(str::to_owned).ok_or_else(|| value.to_string())
        }
    })
    .await;
    assert_eq!(server, "Mutated-Server", "{mode:?}: the answer comes from the changed MQL line");
    sim.stop();
    demo.terminals.clear();
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_line_of_the_mt5_ea_changes_the_answer_through_the_gateway() {
    let (program, include) = ("Experts/MetaApiBridge.mq5", "MetaApiBridgeMt5Rows.mqh");
    server_through_the_gateway(Mode::Mt5Hedging, program, include, "AccountInfoString(ACCOUNT_SERVER)", "mutated5")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_line_of_the_mt4_ea_changes_the_answer_through_the_gateway() {
    let (program, include) = ("Experts/MetaApiBridge.mq4", "MetaApiBridgeMt4Rows.mqh");
    server_through_the_gateway(Mode::Mt4, program, include, "AccountServer()", "mutated4").await;
}
