//! Which terminal each token is linked with, and whether it is linked now, as gateways report it.
//!
//! Gateways post a [`PresenceReport`] (every terminal linked to them now) when that set changes and every few
//! seconds besides. The console keeps the reports in memory only: presence is about now, and after a console
//! restart the next reports rebuild it within seconds.

use std::collections::HashMap;
use std::sync::Mutex;

use metaapi_protocol::console::{DeviceStatus, PresenceReport, TokenStatus, TokenSummary, TokenTerminal};
use metaapi_protocol::types::{TerminalIdentity, TimeMs};

use crate::secret::now_ms;
use crate::{Console, ConsoleError};

/// A terminal reads as offline when its gateway has not reported it for this long (gateways report every 5 s).
pub const PRESENCE_TTL_MS: TimeMs = 15_000;

/// Most terminals one report may list, so a report cannot make the console do unbounded work.
pub const MAX_REPORTED_TERMINALS: usize = 10_000;

#[derive(Debug, Clone)]
struct Entry {
    identity: TerminalIdentity,
    device_id: String,
    linked: bool,
    seen_at: TimeMs,
    reported_at: TimeMs,
}

/// The latest report per token.
#[derive(Debug, Default)]
pub(crate) struct Presence {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Presence {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|poison| poison.into_inner())
    }
}

impl Console {
    /// Records a gateway's report. A listed token counts only when it is active and the reporting device is an
    /// approved device of the token's account; others are ignored (a token revoked a moment ago may still be
    /// listed). Tokens this device reported before and no longer lists are marked unlinked.
    pub fn report_presence(&self, report: &PresenceReport) -> Result<(), ConsoleError> {
        if report.device_id.is_empty() || report.device_id.len() > 128 {
            return Err(ConsoleError::invalid("invalid_device", "device_id", "device_id has 1 to 128 characters"));
        }
        if report.terminals.len() > MAX_REPORTED_TERMINALS {
            return Err(ConsoleError::invalid(
                "too_many_terminals",
                "terminals",
                format!("a report lists at most {MAX_REPORTED_TERMINALS} terminals"),
            ));
        }
        let now = now_ms();
        let mut accepted = Vec::new();
        for linked in &report.terminals {
            let Some(token) = self.store().token_by_id(&linked.token_id)? else { continue };
            let active = crate::manage::token_status(&token, now) == TokenStatus::Active;
            let approved = self
                .store()
                .list_devices(&token.user_id)?
                .iter()
                .any(|device| device.id == report.device_id && device.status == DeviceStatus::Approved);
            if active && approved {
                accepted.push(linked);
            } else {
                tracing::debug!(token_id = %linked.token_id, device_id = %report.device_id, "presence entry ignored");
            }
        }
        let mut entries = self.inner.presence.entries();
        for entry in entries.values_mut().filter(|entry| entry.device_id == report.device_id) {
            entry.linked = false;
            entry.reported_at = now;
        }
        for linked in accepted {
            let entry = Entry {
                identity: linked.identity.clone(),
                device_id: report.device_id.clone(),
                linked: true,
                seen_at: now,
                reported_at: now,
            };
            entries.insert(linked.token_id.clone(), entry);
        }
        Ok(())
    }

    /// Fills in each summary's linked terminal from the latest reports.
    pub(crate) fn with_presence(&self, mut tokens: Vec<TokenSummary>) -> Vec<TokenSummary> {
        let now = now_ms();
        let entries = self.inner.presence.entries();
        for token in &mut tokens {
            token.terminal = entries.get(&token.id).map(|entry| TokenTerminal {
                identity: entry.identity.clone(),
                device_id: entry.device_id.clone(),
                online: entry.linked && now - entry.reported_at < PRESENCE_TTL_MS,
                seen_at: entry.seen_at,
            });
        }
        tokens
    }
}
