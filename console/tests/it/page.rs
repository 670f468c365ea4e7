//! The dashboard page: the gateway URL of its ready-to-paste snippet comes from the configuration, and a URL that
//! could break the page or the pasted command is refused at startup.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use metaapi_console::{Console, ConsoleConfig, ConsoleError, SqliteStore};

use crate::support::{TestConsole, console, console_with};

const BIN: &str = env!("CARGO_BIN_EXE_metaapi-console");

/// The `content` of the page's `metaapi-gateway-url` meta tag.
fn gateway_meta(page: &str) -> &str {
    let start = r#"<meta name="metaapi-gateway-url" content=""#;
    let from = page.find(start).unwrap_or_else(|| panic!("no gateway meta tag in {page}")) + start.len();
    let len = page[from..].find('"').expect("the meta tag's content is closed");
    &page[from..from + len]
}

async fn index(t: &TestConsole) -> String {
    let response = t.http.get(t.url("/")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert_eq!(csp, "default-src 'self'; frame-ancestors 'none'", "the page keeps its CSP (no inline script)");
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_page_names_the_default_gateway_when_none_is_configured() {
    let t = console().await;
    let page = index(&t).await;
    assert_eq!(gateway_meta(&page), "http://127.0.0.1:6000");
    assert!(!page.contains("{{"), "no placeholder is left: {page}");
}

#[tokio::test]
async fn the_page_names_the_configured_gateway() {
    let t = console_with(|c| c.gateway_url = "http://127.0.0.1:7123/".into()).await;
    let page = index(&t).await;
    assert_eq!(gateway_meta(&page), "http://127.0.0.1:7123", "the trailing slash is dropped so /rpc can follow");
    let t = console_with(|c| c.gateway_url = "http://[::1]:6001/metaapi".into()).await;
    assert_eq!(gateway_meta(&index(&t).await), "http://[::1]:6001/metaapi");
}

#[test]
fn bad_gateway_urls_are_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for (bad, why) in [
        ("https://127.0.0.1:6000", "does not start with http://"),
        ("127.0.0.1:6000", "does not start with http://"),
        ("", "does not start with http://"),
        ("http://127.0.0.1:6000\"><script>", "contains '\"'"),
        ("http://127.0.0.1:6000'", "contains '\\''"),
        ("http://127.0.0.1:<6000>", "contains '<'"),
        ("http://127.0.0.1:6000 ", "contains ' '"),
        ("http://127.0.0.1:6000\n", "contains '\\n'"),
        ("http://127.0.0.1\\:6000", "contains '\\\\'"),
        ("http://127.0.0.1:6000/rpc?x=1", "contains '?'"),
        ("http://127.0.0.1:6000/$(id)", "contains '$'"),
        ("http://", "has no host"),
        ("http://:6000", "has no host"),
    ] {
        let mut config = ConsoleConfig::new(dir.path());
        config.gateway_url = bad.into();
        let err = Console::open(config).unwrap_err();
        assert!(matches!(err, ConsoleError::Config(_)), "{bad:?}: {err:?}");
        let message = err.to_string();
        assert!(message.starts_with("invalid console configuration: gateway_url "), "{bad:?}: {message}");
        assert!(message.contains(why), "{bad:?}: {message}");
        assert!(message.contains("absolute http:// URL such as http://127.0.0.1:6000"), "{message}");
    }
    // Good values pass, with or without a path.
    for good in ["http://127.0.0.1:6000", "http://localhost:6000/", "http://[::1]:6000/gw", "http://gw.example"] {
        let mut config = ConsoleConfig::new(dir.path());
        config.gateway_url = good.into();
        config.validate().unwrap_or_else(|e| panic!("{good:?}: {e}"));
    }
}

#[tokio::test]
async fn serve_refuses_a_console_built_on_a_store_with_a_bad_gateway_url() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ConsoleConfig::new(dir.path());
    config.gateway_url = "http://127.0.0.1:6000/<b>".into();
    let store = SqliteStore::open(dir.path()).unwrap();
    let console = Console::with_store(config, Arc::new(store));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = console.serve(listener, std::future::pending()).await.unwrap_err();
    assert!(matches!(err, ConsoleError::Config(_)), "{err:?}");
}

#[tokio::test]
async fn the_binary_takes_the_gateway_url_from_its_flag_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--gateway-url", "http://127.0.0.1:6000\"x"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid console configuration: gateway_url"), "{stderr}");

    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("METAAPI_CONSOLE_GATEWAY_URL", "http://127.0.0.1:7321")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url =
        line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected line {line:?}")).to_owned();
    let page = reqwest::get(format!("{url}/")).await.unwrap().text().await.unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(gateway_meta(&page), "http://127.0.0.1:7321");
}

#[tokio::test]
async fn the_page_icon_is_served_where_browsers_ask_for_it() {
    let t = console().await;
    for path in ["/favicon.ico", "/favicon.svg"] {
        let response = t.http.get(t.url(path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], "image/svg+xml", "{path}");
        assert!(response.text().await.unwrap().starts_with("<svg "), "{path}");
    }
    assert!(index(&t).await.contains(r#"<link rel="icon" href="/favicon.svg" type="image/svg+xml">"#));
}
