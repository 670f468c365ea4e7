//! The JSON config of `mtb_start`: where the gateway is, the token, and who the terminal is.

use metaapi_protocol::field_path;
use metaapi_protocol::types::{Capability, TerminalIdentity};
use serde::Deserialize;

use crate::status::{BridgeError, BridgeResult};

/// `{"gateway_url":"ws://127.0.0.1:6000/terminal","token":"...","terminal":{...},"capabilities":[...]}`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartConfig {
    /// The gateway's terminal endpoint; `ws://` on a loopback host.
    pub gateway_url: String,
    /// The auth token from the console. Sent only in the link's `Authorization` header, never logged.
    pub token: String,
    /// Who the terminal is.
    pub terminal: TerminalIdentity,
    /// What it supports.
    pub capabilities: Vec<Capability>,
}

impl std::fmt::Debug for StartConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token stays out of every debug print.
        f.debug_struct("StartConfig")
            .field("gateway_url", &self.gateway_url)
            .field("terminal", &self.terminal)
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

impl StartConfig {
    /// Parses and checks a config.
    pub fn parse(text: &str) -> BridgeResult<StartConfig> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let config: StartConfig = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let (field, inner) = field_path::locate(error);
            if inner.is_syntax() || inner.is_eof() {
                BridgeError::InvalidJson(format!("config: {inner}"))
            } else if let Some(field) = field {
                BridgeError::InvalidConfig(format!("`{field}`: {inner}"))
            } else {
                BridgeError::InvalidConfig(inner.to_string())
            }
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> BridgeResult<()> {
        let bad = |message: String| Err(BridgeError::InvalidConfig(message));
        if self.token.trim().is_empty() {
            return bad("`token` is empty; paste the auth token from the console".into());
        }
        if self.token.chars().any(|c| c.is_control() || c == ' ') {
            return bad("`token` contains spaces or control characters".into());
        }
        let Some(rest) = self.gateway_url.strip_prefix("ws://") else {
            return bad(format!("`gateway_url` must start with ws:// (got `{}`)", self.gateway_url));
        };
        let authority = rest.split('/').next().unwrap_or("");
        let host = match authority.strip_prefix('[') {
            Some(bracketed) => bracketed.split(']').next().unwrap_or(""),
            None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
        };
        // The token travels unencrypted over ws://, so it may only go to this machine.
        if !matches!(host, "127.0.0.1" | "localhost" | "::1") {
            return bad(format!("`gateway_url` host `{host}` is not loopback (127.0.0.1, localhost or [::1])"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERMINAL: &str = r#"{"platform":"mt5","build":4000,"company":"c","server":"s","login":1,"account_name":"n","currency":"USD","margin_mode":"hedging"}"#;

    fn config(url: &str, token: &str) -> String {
        format!(r#"{{"gateway_url":"{url}","token":"{token}","terminal":{TERMINAL},"capabilities":[]}}"#)
    }

    #[test]
    fn accepts_loopback_and_rejects_the_rest() {
        assert!(StartConfig::parse(&config("ws://127.0.0.1:6000/terminal", "mat_x")).is_ok());
        assert!(StartConfig::parse(&config("ws://[::1]:6000/terminal", "mat_x")).is_ok());
        for (url, token) in [("ws://10.0.0.1:6000/terminal", "t"), ("http://127.0.0.1/", "t"), ("ws://127.0.0.1/", " ")]
        {
            let error = StartConfig::parse(&config(url, token)).unwrap_err();
            assert!(matches!(error, BridgeError::InvalidConfig(_)), "{url}: {error}");
        }
    }

    #[test]
    fn names_the_bad_member() {
        let text = config("ws://127.0.0.1/", "t").replace("\"mt5\"", "\"mt6\"");
        let error = StartConfig::parse(&text).unwrap_err().to_string();
        assert!(error.contains("terminal.platform"), "{error}");
        assert!(matches!(StartConfig::parse("{"), Err(BridgeError::InvalidJson(_))));
    }
}
