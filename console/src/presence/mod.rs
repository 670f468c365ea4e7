//! Which terminal each token is linked with, and whether it is linked now, as gateways report it.
//!
//! Gateways post a [`PresenceReport`] (every terminal linked to them now) when that set changes and every few
//! seconds besides. The console keeps the reports in memory only: presence is about now, and after a console
//! restart the next reports rebuild it within seconds.

mod table;

pub(crate) use table::Presence;

use metaapi_protocol::console::{DeviceStatus, PresenceReport, TokenStatus, TokenSummary};

use crate::secret::now_ms;
use crate::{Console, ConsoleError};

/// Most terminals one report may list, so a report cannot make the console do unbounded work.
pub const MAX_REPORTED_TERMINALS: usize = 10_000;

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
        let linked = accepted.into_iter().map(|linked| (linked.token_id.as_str(), &linked.identity));
        self.inner.presence.record(&report.device_id, linked, now);
        Ok(())
    }

    /// Fills in each summary's linked terminal from the latest reports.
    pub(crate) fn with_presence(&self, tokens: Vec<TokenSummary>) -> Vec<TokenSummary> {
        self.inner.presence.fill(tokens, now_ms())
    }
}
