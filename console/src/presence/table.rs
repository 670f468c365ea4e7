//! The in-memory table of the latest presence report per token, apart from the console's checks of a report, so the
//! console's state can hold it without depending on the operations that fill it.

use std::collections::HashMap;
use std::sync::Mutex;

use metaapi_protocol::console::{TokenSummary, TokenTerminal};
use metaapi_protocol::types::{TerminalIdentity, TimeMs};

/// A terminal reads as offline when its gateway has not reported it for this long (gateways report every 5 s).
pub const OFFLINE_AFTER_MS: TimeMs = 15_000;

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

    /// Records `device_id`'s report of the terminals `linked` (token id and identity) at `now`: every token this
    /// device reported before is marked unlinked, then each listed one linked.
    pub(crate) fn record<'a>(
        &self,
        device_id: &str,
        linked: impl IntoIterator<Item = (&'a str, &'a TerminalIdentity)>,
        now: TimeMs,
    ) {
        let mut entries = self.entries();
        for entry in entries.values_mut().filter(|entry| entry.device_id == device_id) {
            entry.linked = false;
            entry.reported_at = now;
        }
        for (token_id, identity) in linked {
            let entry = Entry {
                identity: identity.clone(),
                device_id: device_id.to_owned(),
                linked: true,
                seen_at: now,
                reported_at: now,
            };
            entries.insert(token_id.to_owned(), entry);
        }
    }

    /// Fills in each summary's linked terminal as of `now`.
    pub(crate) fn fill(&self, mut tokens: Vec<TokenSummary>, now: TimeMs) -> Vec<TokenSummary> {
        let entries = self.entries();
        for token in &mut tokens {
            token.terminal = entries.get(&token.id).map(|entry| TokenTerminal {
                identity: entry.identity.clone(),
                device_id: entry.device_id.clone(),
                online: entry.linked && now - entry.reported_at < OFFLINE_AFTER_MS,
                seen_at: entry.seen_at,
            });
        }
        tokens
    }
}
