//! Verification for gateways: a token and a device id in, one verdict out.

use metaapi_protocol::console::{AccountState, DenyReason, DeviceStatus, TokenStatus, Verdict, VerifyRequest};

use crate::manage::{account_state, token_status};
use crate::secret::{self, now_ms};
use crate::{Console, ConsoleError};

/// Longest device id and device name, in characters.
pub const MAX_DEVICE_FIELD_CHARACTERS: usize = 128;

impl Console {
    /// Answers whether `request.token` may be used from `request.device_id`.
    ///
    /// The reasons are checked in the fixed precedence of the contract: token unknown, revoked, replaced, expired;
    /// account disabled, expired; device revoked, pending. A device is registered (pending, or approved when the
    /// account auto-approves) the first time a valid token is verified from it. A denial is a verdict, not an
    /// error; errors are only for malformed requests and storage failures.
    pub fn verify(&self, request: &VerifyRequest) -> Result<Verdict, ConsoleError> {
        let device_id = request.device_id.trim();
        if device_id.is_empty()
            || device_id.chars().count() > MAX_DEVICE_FIELD_CHARACTERS
            || device_id.chars().any(|character| character.is_control() || character.is_whitespace())
        {
            return Err(ConsoleError::invalid(
                "invalid_device_id",
                "device_id",
                format!("device_id must be 1 to {MAX_DEVICE_FIELD_CHARACTERS} visible characters without spaces"),
            ));
        }
        let device_name = request.device_name.trim();
        if device_name.chars().count() > MAX_DEVICE_FIELD_CHARACTERS || device_name.chars().any(char::is_control) {
            return Err(ConsoleError::invalid(
                "invalid_device_name",
                "device_name",
                format!(
                    "device_name must be at most {MAX_DEVICE_FIELD_CHARACTERS} characters without control characters"
                ),
            ));
        }
        let device_name = if device_name.is_empty() { device_id } else { device_name };

        let hash = secret::hash(&request.token);
        let token = match self.store().token_by_hash(&hash)? {
            Some(record) if secret::hashes_equal(&record.token_hash, &hash) => record,
            _ => return Ok(deny(DenyReason::TokenUnknown, None)),
        };
        let now = now_ms();
        let token_id = Some(token.id.clone());
        match token_status(&token, now) {
            TokenStatus::Active => {}
            TokenStatus::Revoked => return Ok(deny(DenyReason::TokenRevoked, token_id)),
            TokenStatus::Replaced => return Ok(deny(DenyReason::TokenReplaced, token_id)),
            TokenStatus::Expired => return Ok(deny(DenyReason::TokenExpired, token_id)),
        }
        let Some(user) = self.store().user_by_id(&token.user_id)? else {
            // A token without its owner cannot be honoured; the schema's foreign key makes this unreachable.
            return Ok(deny(DenyReason::TokenUnknown, None));
        };
        // A valid token proves the account's intent, so the machine is registered even if the account is not in
        // good standing: the user then sees it in the device list.
        let status_if_new = if user.auto_approve_devices { DeviceStatus::Approved } else { DeviceStatus::Pending };
        let device = self.store().observe_device(&user.id, device_id, device_name, status_if_new, now)?;
        match account_state(&user, now) {
            AccountState::Active => {}
            AccountState::Disabled => return Ok(deny(DenyReason::AccountDisabled, token_id)),
            AccountState::Expired => return Ok(deny(DenyReason::AccountExpired, token_id)),
        }
        match device.status {
            DeviceStatus::Approved => {}
            DeviceStatus::Revoked => return Ok(deny(DenyReason::DeviceRevoked, token_id)),
            DeviceStatus::Pending => return Ok(deny(DenyReason::DevicePending, token_id)),
        }
        self.store().mark_token_used(&token.id, now)?;

        // The verdict must not outlive the token or the account.
        let configured_ms = i64::try_from(self.config().verdict_ttl.as_millis()).unwrap_or(i64::MAX);
        let remaining_ms = [token.expires_at, user.expires_at].into_iter().flatten().map(|at| at - now).min();
        let cache_ttl_ms = remaining_ms.map_or(configured_ms, |remaining| remaining.min(configured_ms)).max(0) as u64;
        tracing::debug!(token_id = %token.id, device_id = %device_id, "verification allowed");
        Ok(Verdict::Allowed {
            token_id: token.id,
            token_name: token.name,
            terminal_id: token.terminal_id,
            expires_at: token.expires_at,
            cache_ttl_ms,
        })
    }
}

fn deny(reason: DenyReason, token_id: Option<String>) -> Verdict {
    tracing::debug!(reason = ?reason, token_id = ?token_id, "verification denied");
    Verdict::Denied { reason, token_id }
}
