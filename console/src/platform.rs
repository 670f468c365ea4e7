//! Operating-system conventions shared by `metaapi-console` and `metaapi-gateway`: where state lives by default and
//! which events ask a process to stop.

use std::ffi::OsString;
use std::path::PathBuf;

/// The folder under `%LOCALAPPDATA%` that holds the state of every MetaAPI program on Windows.
pub const WINDOWS_VENDOR_FOLDER: &str = "MetaAPI";

/// The default data directory of one program: `%LOCALAPPDATA%\MetaAPI\<program_folder>` on Windows, where per-user
/// state that does not roam belongs (and where a program installed under `Program Files` can write), and
/// `unix_default` relative to the working directory elsewhere, as the Linux scripts and the demo have always used.
pub fn default_data_dir(program_folder: &str, unix_default: &str) -> PathBuf {
    if cfg!(windows) {
        data_dir_under(std::env::var_os("LOCALAPPDATA"), program_folder, unix_default)
    } else {
        PathBuf::from(unix_default)
    }
}

/// `<local_app_data>\MetaAPI\<program_folder>`, or `fallback` when the variable is missing or empty (a process
/// started without a user profile), so the program still starts and says where its state went.
pub fn data_dir_under(local_app_data: Option<OsString>, program_folder: &str, fallback: &str) -> PathBuf {
    match local_app_data.filter(|value| !value.is_empty()) {
        Some(base) => PathBuf::from(base).join(WINDOWS_VENDOR_FOLDER).join(program_folder),
        None => PathBuf::from(fallback),
    }
}

/// Completes when the process is asked to stop: Ctrl-C or SIGTERM on Unix; on Windows Ctrl-C, Ctrl-Break, closing
/// the console window, signing out and shutting down. For the last three Windows kills the process about five
/// seconds after asking, which is enough for the servers here to close their listeners and flush their stores.
pub async fn shutdown_signal() {
    let reason = wait_for_stop_request().await;
    tracing::info!(reason, "shutdown requested");
}

#[cfg(unix)]
async fn wait_for_stop_request() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let interrupt = tokio::signal::ctrl_c();
    let Ok(mut terminate) = signal(SignalKind::terminate()) else {
        let _ = interrupt.await;
        return "ctrl-c";
    };
    tokio::select! {
        _ = interrupt => "ctrl-c",
        _ = terminate.recv() => "SIGTERM",
    }
}

#[cfg(windows)]
async fn wait_for_stop_request() -> &'static str {
    use tokio::signal::windows;
    // A handler that cannot be registered (no console at all, as under a service) simply never fires; the others
    // still do.
    macro_rules! fired {
        ($signal:expr) => {
            async {
                match $signal {
                    Ok(mut signal) => drop(signal.recv().await),
                    Err(_) => std::future::pending::<()>().await,
                }
            }
        };
    }
    tokio::select! {
        _ = fired!(windows::ctrl_c()) => "ctrl-c",
        _ = fired!(windows::ctrl_break()) => "ctrl-break",
        _ = fired!(windows::ctrl_close()) => "console closed",
        _ = fired!(windows::ctrl_logoff()) => "user signed out",
        _ = fired!(windows::ctrl_shutdown()) => "system shutting down",
    }
}

#[cfg(not(any(unix, windows)))]
async fn wait_for_stop_request() -> &'static str {
    let _ = tokio::signal::ctrl_c().await;
    "ctrl-c"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_data_dir_is_under_local_app_data() {
        let directory = data_dir_under(Some(r"C:\Users\Trader Name\AppData\Local".into()), "Gateway", "gateway-data");
        assert_eq!(directory, PathBuf::from(r"C:\Users\Trader Name\AppData\Local").join("MetaAPI").join("Gateway"));
    }

    #[test]
    fn missing_or_empty_local_app_data_falls_back() {
        assert_eq!(data_dir_under(None, "Console", "metaapi-console-data"), PathBuf::from("metaapi-console-data"));
        assert_eq!(data_dir_under(Some("".into()), "Console", "console-data"), PathBuf::from("console-data"));
    }

    #[cfg(unix)]
    #[test]
    fn unix_keeps_the_relative_default() {
        assert_eq!(default_data_dir("Gateway", "./gateway-data"), PathBuf::from("./gateway-data"));
    }
}
