//! Windows smoke test of the bridge DLL, run under Wine by `bridge/windows/smoke.sh`.
//!
//! Usage: `smoke.exe <path-to-metaapi_bridge.dll> <gateway_url> <token> [mt5|mt4]`. Loads the DLL, checks the ABI
//! version, starts a session as an MT5 (default) or MT4 terminal, answers the first request (`get_account_info`)
//! with a checked reply, stops, exits 0. Built for x86_64 (MT5's 64-bit DLL) and for i686 (MT4's 32-bit one).

use std::time::{Duration, Instant};

type Version = extern "system" fn() -> i32;
type Start = extern "system" fn(*const u8, i32, i32, *mut i64) -> i32;
type Stop = extern "system" fn(i64) -> i32;
type Wait = extern "system" fn(i64, i32) -> i32;
type Next = extern "system" fn(i64, *mut u8, i32, *mut i64, *mut i32) -> i32;
type ReplyJson = extern "system" fn(i64, i64, *const u8, i32) -> i32;
type LastError = extern "system" fn(*mut u8, i32, *mut i32) -> i32;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(4..=5).contains(&args.len()) {
        eprintln!("usage: smoke.exe <dll> <gateway_url> <token> [mt5|mt4]");
        std::process::exit(2);
    }
    let platform = args.get(4).map(String::as_str).unwrap_or("mt5");
    // MT4 accounts always hedge and can close one position by another; MT5 ones here hedge too.
    let (margin_mode, capabilities) = match platform {
        "mt5" => ("hedging", r#"["hedging"]"#),
        "mt4" => ("hedging", r#"["hedging","close_by"]"#),
        other => {
            eprintln!("unknown platform {other}: mt5 or mt4");
            std::process::exit(2);
        }
    };
    // SAFETY: loading the bridge DLL, whose initializers do nothing.
    let library = unsafe { libloading::Library::new(&args[1]) }.expect("load the bridge DLL");
    macro_rules! sym {
        ($ty:ty, $name:literal) => {
            // SAFETY: the types match ABI.md.
            *unsafe { library.get::<$ty>($name) }.expect(concat!("export ", stringify!($name)))
        };
    }
    let abi_version = sym!(Version, b"mtb_abi_version");
    let start = sym!(Start, b"mtb_start");
    let stop = sym!(Stop, b"mtb_stop");
    let wait = sym!(Wait, b"mtb_wait");
    let next = sym!(Next, b"mtb_next_request");
    let reply_json = sym!(ReplyJson, b"mtb_reply_json");
    let last_error = sym!(LastError, b"mtb_last_error");
    let error_text = || {
        let mut buf = [0u8; 1024];
        let mut needed = 0;
        let n = last_error(buf.as_mut_ptr(), 1024, &mut needed).max(0) as usize;
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };

    let version = abi_version();
    assert_eq!(version >> 16, 1, "ABI major");
    println!("handshake: ABI 0x{version:08x}");
    let config = format!(
        r#"{{"gateway_url":"{}","token":"{}","terminal":{{"platform":"{platform}","build":4410,"company":"Wine","server":"Wine-Demo","login":7,"account_name":"Wine","currency":"USD","margin_mode":"{margin_mode}"}},"capabilities":{capabilities}}}"#,
        args[2], args[3]
    );
    let mut session = 0i64;
    let code = start(config.as_ptr(), config.len() as i32, 1, &mut session);
    assert_eq!(code, 0, "mtb_start: {}", error_text());

    let until = Instant::now() + Duration::from_secs(30);
    let (method, id) = loop {
        assert!(Instant::now() < until, "no request within 30 s");
        wait(session, 500);
        let (mut id, mut needed) = (0i64, 0i32);
        let mut buf = [0u8; 64];
        let n = next(session, buf.as_mut_ptr(), 64, &mut id, &mut needed);
        assert!(n >= 0, "mtb_next_request {n}: {}", error_text());
        if id != 0 {
            break (String::from_utf8_lossy(&buf[..n as usize]).into_owned(), id);
        }
    };
    println!("request {id}: {method}");
    assert_eq!(method, "get_account_info", "the smoke test answers only get_account_info");
    let account = r#"{"platform":"PLATFORM","login":7,"name":"Wine","server":"Wine-Demo","company":"Wine","currency":"USD","currency_digits":2,"leverage":100,"balance":1000.0,"credit":0.0,"profit":0.0,"equity":1000.0,"margin":0.0,"free_margin":1000.0,"margin_call_level":100.0,"stop_out_level":50.0,"stop_out_mode":"percent","margin_mode":"hedging","trade_mode":"demo","trade_allowed":true,"expert_allowed":true,"limit_orders":0,"fifo_close":false,"investor_mode":false}"#
        .replace("PLATFORM", platform);
    let code = reply_json(session, id, account.as_ptr(), account.len() as i32);
    assert_eq!(code, 0, "mtb_reply_json: {}", error_text());
    // Give the link a moment to write the reply, then stop (which flushes within its bound) like OnDeinit.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(stop(session), 0);
    println!("smoke: ok");
}
