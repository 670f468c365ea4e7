//! The bundle's Windows programs under Wine, driven from Linux: `metaapi-console.exe` and `metaapi-gateway.exe` run
//! from a folder with spaces in its name, a Windows process links the bundle's bridge DLL to the gateway, and a Linux
//! client calls `/rpc` through it; then Ctrl-C stops the gateway cleanly. Ignored by default: the Windows stage
//! (`bridge/windows/smoke.sh`) builds the bundle and the smoke programs and runs these tests.
//!
//! Environment: `METAAPI_DIST_DIR` (the unpacked bundle folder), `METAAPI_WINE` (a Wine that runs 64-bit programs),
//! `METAAPI_WINE32` (one that runs 32-bit programs, for the i686 test), `METAAPI_SMOKE_X64` and `METAAPI_SMOKE_I686`
//! (the smoke programs), `METAAPI_SHIM_X64` and `METAAPI_SHIM_I686` (`bcryptprimitives.dll` stand-ins for Wine
//! before 8.13, copied beside each program), and `WINEPREFIX`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

fn env_path(name: &str) -> PathBuf {
    PathBuf::from(std::env::var_os(name).unwrap_or_else(|| panic!("{name} must be set (smoke.sh sets it)")))
}

/// A Unix path as Windows programs under Wine see it: through drive `Z:`, which Wine maps to `/`.
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// Copies `program` and the ProcessPrng stand-in into `folder`, returning the program's new path.
fn install(program: &Path, shim: &Path, folder: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::copy(shim, folder.join("bcryptprimitives.dll")).unwrap();
    let target = folder.join(name);
    std::fs::copy(program, &target).unwrap();
    target
}

fn wine_command(wine: &Path, program: &Path) -> Command {
    let mut command = Command::new(wine);
    command.arg(program).env("WINEDEBUG", "-all").env("WINEDLLOVERRIDES", "bcryptprimitives=n,b;mscoree,mshtml=");
    command
}

/// Runs a Windows program to completion and returns its standard output; fails with its output otherwise.
fn run_to_end(mut command: Command) -> String {
    let output = command.stdin(Stdio::null()).output().expect("start wine");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A child process that is killed if the test ends early, with its output lines (stdout and stderr, where the
/// programs log) delivered on a channel.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(mut command: Command) -> Running {
        let mut child =
            command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start wine");
        let (sender, lines) = mpsc::channel();
        let forward = |output: Box<dyn Read + Send>, sender: mpsc::Sender<String>| {
            std::thread::spawn(move || {
                for line in BufReader::new(output).lines().map_while(Result::ok) {
                    eprintln!("    | {line}");
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            })
        };
        forward(Box::new(child.stdout.take().unwrap()), sender.clone());
        forward(Box::new(child.stderr.take().unwrap()), sender);
        Running { child, lines }
    }

    /// The first line `pick` accepts, within two minutes (a first Wine start creates its prefix).
    fn wait_for<T>(&self, what: &str, mut pick: impl FnMut(&str) -> Option<T>) -> T {
        let until = Instant::now() + Duration::from_secs(120);
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(found) = pick(&line) {
                        return found;
                    }
                }
                Err(_) => panic!("no line with {what} within two minutes"),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 request from Linux: the status line and the body.
fn http(port: u16, request: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the gateway");
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_else(|| panic!("not HTTP: {answer:?}"));
    (head.lines().next().unwrap_or_default().to_owned(), body.to_owned())
}

/// A Linux client's JSON-RPC call over plain HTTP/1.1: the answer's JSON body.
fn call(port: u16, token: &str, method: &str) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": {}}).to_string();
    let (status, body) = http(
        port,
        &format!(
            "POST /rpc HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    serde_json::from_str(&body).unwrap_or_else(|error| panic!("{error}: {body:?}"))
}

/// The Windows console and gateway from the bundle, running under Wine with one token per platform.
struct WindowsStack {
    console: Running,
    console_url: String,
    gateway: Running,
    gateway_port: u16,
    tokens: Vec<String>,
    folder: PathBuf,
}

impl WindowsStack {
    fn start(work: &Path, token_names: &[&str]) -> WindowsStack {
        let wine = env_path("METAAPI_WINE");
        let bundle = env_path("METAAPI_DIST_DIR");
        let shim = env_path("METAAPI_SHIM_X64");
        // Spaces in every folder a trader might pick: the programs, the console's data.
        let folder = work.join("Program Files (x86) test").join("MetaAPI Gateway");
        let console = install(&bundle.join("windows/metaapi-console.exe"), &shim, &folder, "metaapi-console.exe");
        let gateway = install(&bundle.join("windows/metaapi-gateway.exe"), &shim, &folder, "metaapi-gateway.exe");
        let console_data = windows_path(&work.join("Console Data"));

        let console_command = |arguments: &[&str]| {
            let mut command = wine_command(&wine, &console);
            command.args(["--data-dir", &console_data]).args(arguments);
            command
        };
        run_to_end(console_command(&[
            "init",
            "--email",
            "trader@example.com",
            "--password",
            "wine test password",
            "--auto-approve",
        ]));
        let tokens: Vec<String> = token_names
            .iter()
            .map(|name| {
                let created = run_to_end(console_command(&[
                    "token",
                    "create",
                    "--name",
                    name,
                    "--offline",
                    "--email",
                    "trader@example.com",
                ]));
                let token = created.lines().last().unwrap_or_default().trim().to_owned();
                assert!(token.starts_with("mat_"), "no token in {created:?}");
                token
            })
            .collect();
        assert!(work.join("Console Data").read_dir().unwrap().next().is_some(), "the console wrote no database");

        let console = Running::start(console_command(&["serve", "--listen", "127.0.0.1:0"]));
        let console_url =
            console.wait_for("the console's address", |line| line.strip_prefix("listening on ").map(str::to_owned));
        // No --data-dir: the gateway keeps its device id under %LOCALAPPDATA%, which the test checks below.
        let mut command = wine_command(&wine, &gateway);
        command.args(["--listen", "127.0.0.1:0", "--console-url", &console_url, "--json-logs"]);
        let gateway = Running::start(command);
        let gateway_port = gateway.wait_for("the gateway's address", |line| {
            let log: Value = serde_json::from_str(line).ok()?;
            (log["fields"]["message"] == "gateway listening").then_some(())?;
            log["fields"]["address"].as_str()?.rsplit(':').next()?.parse().ok()
        });
        WindowsStack { console, console_url, gateway, gateway_port, tokens, folder }
    }

    /// Runs a smoke program (32- or 64-bit) that links `dll` with `token`, calls `get_account_info` from Linux until
    /// the terminal answers, and waits for the program to exit cleanly.
    fn link_and_call(&self, wine: &Path, smoke: &Path, shim: &Path, dll: &Path, token: &str, platform: &str) {
        let terminal = self.folder.parent().unwrap().join(format!("Terminal Data {platform}"));
        let smoke = install(smoke, shim, &terminal, "smoke.exe");
        // The DLL where a terminal loads it from: <data folder>\MQLn\Libraries, with spaces in the path.
        let libraries = terminal.join(if platform == "mt4" { "MQL4" } else { "MQL5" }).join("Libraries");
        std::fs::create_dir_all(&libraries).unwrap();
        std::fs::copy(dll, libraries.join("metaapi_bridge.dll")).unwrap();
        let url = format!("ws://127.0.0.1:{}/terminal", self.gateway_port);
        let mut command = wine_command(wine, &smoke);
        command.args([&windows_path(&libraries.join("metaapi_bridge.dll")), &url, token, platform]);
        let mut program = Running::start(command);

        let until = Instant::now() + Duration::from_secs(120);
        let account = loop {
            let answer = call(self.gateway_port, token, "get_account_info");
            if let Some(result) = answer.get("result") {
                break result.clone();
            }
            // Until the terminal has linked, the gateway says so; anything else is a failure.
            assert_eq!(answer["error"]["data"]["kind"], "terminal_offline", "{answer}");
            // A program that died (Wine aborts on a missing import the first time it is called) never links: say
            // so now, with its exit status, instead of after two minutes (its output is above, prefixed `|`).
            if let Some(status) = program.child.try_wait().unwrap() {
                panic!("smoke.exe ({platform}) exited with {status} before its terminal linked");
            }
            assert!(Instant::now() < until, "the {platform} terminal did not link within two minutes");
            std::thread::sleep(Duration::from_millis(250));
        };
        assert_eq!(account["login"], 7, "{account}");
        assert_eq!(account["platform"], platform, "{account}");
        let status = program.child.wait().unwrap();
        assert!(status.success(), "smoke.exe ({platform}) failed under Wine: {status}");
    }
}

/// A file under `%LOCALAPPDATA%\MetaAPI` inside the Wine prefix (`Gateway/device-id`), whichever user Wine runs as.
fn local_app_data_file(relative: &str) -> Option<PathBuf> {
    let users = env_path("WINEPREFIX").join("drive_c/users");
    std::fs::read_dir(users).ok()?.filter_map(Result::ok).find_map(|user| {
        let file = user.path().join("AppData/Local/MetaAPI").join(relative);
        file.is_file().then_some(file)
    })
}

/// Ctrl-C (Wine turns SIGINT into a console Ctrl-C event) stops a server cleanly: it says why and exits 0.
fn stop_with_ctrl_c(server: &mut Running, name: &str) {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    server.wait_for("the shutdown line", |line| line.contains("shutdown requested").then_some(()));
    let until = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < until, "the {name} did not exit within a minute of Ctrl-C");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the {name} exited with {status} after Ctrl-C");
}

#[test]
#[ignore = "needs the bundle, the smoke programs and wine64; run bridge/windows/smoke.sh"]
fn windows_gateway_serves_a_linux_client_through_the_x64_dll() {
    let work = tempfile::Builder::new().prefix("wine gateway ").tempdir().unwrap();
    let mut stack = WindowsStack::start(work.path(), &["MT5 under Wine"]);
    stack.link_and_call(
        &env_path("METAAPI_WINE"),
        &env_path("METAAPI_SMOKE_X64"),
        &env_path("METAAPI_SHIM_X64"),
        &env_path("METAAPI_DIST_DIR").join("MQL5/Libraries/metaapi_bridge.dll"),
        &stack.tokens[0].clone(),
        "mt5",
    );
    let device_id =
        local_app_data_file("Gateway/device-id").expect(r"the gateway kept no device id under %LOCALAPPDATA%\MetaAPI");
    assert_eq!(std::fs::read_to_string(device_id).unwrap().trim().len(), 36, "a UUID");
    stop_with_ctrl_c(&mut stack.gateway, "gateway");
    stop_with_ctrl_c(&mut stack.console, "console");

    // Without --data-dir the console keeps its database under %LOCALAPPDATA% too, wherever it is started from.
    // (A prefix kept from an earlier local run may hold one already, which init would refuse.)
    if let Some(old) = local_app_data_file("Console/console.db") {
        std::fs::remove_dir_all(old.parent().unwrap()).unwrap();
    }
    let mut init = wine_command(&env_path("METAAPI_WINE"), &stack.folder.join("metaapi-console.exe"));
    init.current_dir(work.path()).args(["init", "--email", "default@example.com", "--password", "wine test password"]);
    run_to_end(init);
    assert!(
        local_app_data_file("Console/console.db").is_some(),
        r"the console kept no database under %LOCALAPPDATA%\MetaAPI\Console"
    );
}

#[test]
#[ignore = "needs the bundle, the i686 smoke program and 32-bit Wine; run bridge/windows/smoke.sh"]
fn i686_dll_answers_a_request_under_32_bit_wine() {
    let work = tempfile::Builder::new().prefix("wine mt4 ").tempdir().unwrap();
    let stack = WindowsStack::start(work.path(), &["MT4 under Wine"]);
    stack.link_and_call(
        &env_path("METAAPI_WINE32"),
        &env_path("METAAPI_SMOKE_I686"),
        &env_path("METAAPI_SHIM_I686"),
        &env_path("METAAPI_DIST_DIR").join("MQL4/Libraries/metaapi_bridge.dll"),
        &stack.tokens[0],
        "mt4",
    );
}

/// Waits up to two minutes for a line of the service's log that `pick` accepts.
fn wait_for_log<T>(log: &Path, what: &str, mut pick: impl FnMut(&str) -> Option<T>) -> T {
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(found) = text.lines().find_map(&mut pick) {
            return found;
        }
        assert!(Instant::now() < until, "no {what} in {} within two minutes:\n{text}", log.display());
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
#[ignore = "needs the bundle and wine64; run bridge/windows/smoke.sh"]
fn gateway_installs_runs_and_uninstalls_as_a_windows_service() {
    let wine = env_path("METAAPI_WINE");
    let work = tempfile::Builder::new().prefix("wine service ").tempdir().unwrap();
    let stack = WindowsStack::start(work.path(), &["MT5 service"]);
    let gateway = stack.folder.join("metaapi-gateway.exe");
    let data = work.path().join("Service Data");
    let service = |arguments: &[&str]| {
        let mut command = wine_command(&wine, &gateway);
        command.arg("service").args(arguments);
        command
    };
    let installed = run_to_end(service(&[
        "install",
        "--listen",
        "127.0.0.1:0",
        "--console-url",
        &stack.console_url,
        "--json-logs",
        "--data-dir",
        &windows_path(&data),
    ]));
    assert!(installed.contains("installed the MetaApiGateway service"), "{installed}");
    // Refusals name what to do: a second install, and a data directory a service could not find.
    let failure = |arguments: &[&str]| {
        let output = service(arguments).output().unwrap();
        assert!(!output.status.success(), "service {arguments:?} should fail");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let twice = failure(&["install", "--console-url", &stack.console_url]);
    assert!(twice.contains("already installed; `service uninstall` it first"), "{twice}");
    let relative = failure(&["install", "--data-dir", "relative data"]);
    assert!(relative.contains("give --data-dir as an absolute path"), "{relative}");
    let sc = |verb: &str| {
        let mut command = Command::new(&wine);
        command.args(["sc", verb, "MetaApiGateway"]).env("WINEDEBUG", "-all");
        command
    };
    run_to_end(sc("start"));

    // The service logs to gateway.log in its data directory (a folder with a space) and serves as the program does.
    let log = data.join("gateway.log");
    let port: u16 = wait_for_log(&log, "the gateway's address", |line| {
        let log: Value = serde_json::from_str(line).ok()?;
        (log["fields"]["message"] == "gateway listening").then_some(())?;
        log["fields"]["address"].as_str()?.rsplit(':').next()?.parse().ok()
    });
    let (status, body) =
        http(port, &format!("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"));
    assert!(status.starts_with("HTTP/1.1 200") && body.contains("\"ok\""), "{status} {body}");

    run_to_end(sc("stop"));
    wait_for_log(&log, "the stop request", |line| line.contains("service stop requested").then_some(()));
    wait_for_log(&log, "the stop", |line| line.contains("gateway stopped").then_some(()));

    let removed = run_to_end(service(&["uninstall"]));
    assert!(removed.contains("removed the MetaApiGateway service"), "{removed}");
    // Uninstalling twice says plainly that there is nothing to remove.
    let again = service(&["uninstall"]).output().unwrap();
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("the MetaApiGateway service is not installed"), "{stderr}");
}
