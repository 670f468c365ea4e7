//! Management operations: auth tokens, devices and the account's status.

use metaapi_protocol::console::{
    AccountState, AccountStatus, CreateTokenRequest, CreatedToken, DenyReason, Device, DeviceList, DeviceStatus,
    RevocationEvent, TokenList, TokenStatus, TokenSummary, UpdateAccountRequest,
};
use metaapi_protocol::types::TimeMs;

use crate::secret::{self, now_ms};
use crate::store::{AccountUpdate, DeviceRecord, TokenRecord, UserRecord};
use crate::{Console, ConsoleError, UserId};

/// Longest token name, in characters.
pub const MAX_NAME_CHARACTERS: usize = 64;

/// The status of a token at `now`. Revocation and replacement outrank expiry: they are what the user did.
pub(crate) fn token_status(token: &TokenRecord, now: TimeMs) -> TokenStatus {
    if token.revoked_at.is_some() {
        TokenStatus::Revoked
    } else if token.replaced_by.is_some() {
        TokenStatus::Replaced
    } else if token.expires_at.is_some_and(|expires_at| expires_at <= now) {
        TokenStatus::Expired
    } else {
        TokenStatus::Active
    }
}

/// The state of an account at `now`. Disabled outranks expired.
pub(crate) fn account_state(user: &UserRecord, now: TimeMs) -> AccountState {
    if user.disabled {
        AccountState::Disabled
    } else if user.expires_at.is_some_and(|expires_at| expires_at <= now) {
        AccountState::Expired
    } else {
        AccountState::Active
    }
}

fn summary(token: &TokenRecord, now: TimeMs) -> TokenSummary {
    TokenSummary {
        id: token.id.clone(),
        name: token.name.clone(),
        terminal_id: token.terminal_id.clone(),
        status: token_status(token, now),
        created_at: token.created_at,
        expires_at: token.expires_at,
        last_used_at: token.last_used_at,
        replaced_by: token.replaced_by.clone(),
        terminal: None,
    }
}

fn device(record: DeviceRecord) -> Device {
    Device {
        id: record.id,
        name: record.name,
        status: record.status,
        first_seen_at: record.first_seen_at,
        last_seen_at: record.last_seen_at,
    }
}

fn account_status(user: &UserRecord, now: TimeMs) -> AccountStatus {
    AccountStatus {
        email: user.email.clone(),
        state: account_state(user, now),
        expires_at: user.expires_at,
        auto_approve_devices: user.auto_approve_devices,
    }
}

fn validate_name(name: &str) -> Result<String, ConsoleError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(ConsoleError::invalid("invalid_name", "name", "name must not be empty"));
    }
    let characters = trimmed.chars().count();
    if characters > MAX_NAME_CHARACTERS {
        return Err(ConsoleError::invalid(
            "invalid_name",
            "name",
            format!("name is {characters} characters; the limit is {MAX_NAME_CHARACTERS}"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ConsoleError::invalid("invalid_name", "name", "name must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

impl Console {
    /// Creates an auth token. The answer holds the token; it is never shown again.
    pub fn create_token(&self, user: &UserId, request: &CreateTokenRequest) -> Result<CreatedToken, ConsoleError> {
        let name = validate_name(&request.name)?;
        let now = now_ms();
        if let Some(expires_at) = request.expires_at
            && expires_at <= now
        {
            return Err(ConsoleError::invalid(
                "invalid_expiry",
                "expires_at",
                format!("expires_at {expires_at} is not in the future (now is {now})"),
            ));
        }
        self.user(user)?;
        let token = secret::generate(secret::TOKEN_PREFIX)?;
        let record = TokenRecord {
            id: format!("tok_{}", uuid::Uuid::new_v4().simple()),
            user_id: user.0.clone(),
            name,
            terminal_id: format!("trm_{}", uuid::Uuid::new_v4().simple()),
            token_hash: secret::hash(&token),
            created_at: now,
            expires_at: request.expires_at,
            last_used_at: None,
            revoked_at: None,
            replaced_by: None,
        };
        self.store().insert_token(&record)?;
        tracing::info!(user = %user, token_id = %record.id, name = %record.name, "auth token created");
        if record.expires_at.is_some() {
            self.inner.expiry_changed.notify_one();
        }
        Ok(CreatedToken { token, summary: summary(&record, now) })
    }

    /// Creates an auth token whose name no token in use (active or expired) has, ignoring case: the console API's
    /// create. Names tell a user's terminals apart on the page, so two tokens in use may not share one; deleted and
    /// replaced tokens keep theirs as history and do not count. [`Console::create_token`] stays permissive for
    /// embedders such as the demo, which creates its tokens again on every start over a kept data directory.
    pub fn create_token_named_uniquely(
        &self,
        user: &UserId,
        request: &CreateTokenRequest,
    ) -> Result<CreatedToken, ConsoleError> {
        let name = validate_name(&request.name)?;
        let now = now_ms();
        let existing = self.store().list_tokens(user.as_str())?;
        if let Some(taken) = existing.iter().find(|token| {
            token.name.to_lowercase() == name.to_lowercase()
                && matches!(summary(token, now).status, TokenStatus::Active | TokenStatus::Expired)
        }) {
            return Err(ConsoleError::Conflict {
                code: "duplicate_name",
                message: format!("a token named {} already exists; choose another name", taken.name),
            });
        }
        self.create_token(user, request)
    }

    /// The user's tokens, newest first. Never the tokens themselves.
    pub fn list_tokens(&self, user: &UserId) -> Result<TokenList, ConsoleError> {
        self.list_tokens_in(user, None)
    }

    /// The user's tokens whose status is one of `statuses` (all when `None`), newest first.
    pub fn list_tokens_in(&self, user: &UserId, statuses: Option<&[TokenStatus]>) -> Result<TokenList, ConsoleError> {
        let now = now_ms();
        let tokens = self
            .store()
            .list_tokens(user.as_str())?
            .iter()
            .map(|token| summary(token, now))
            .filter(|token| statuses.is_none_or(|wanted| wanted.contains(&token.status)))
            .collect();
        Ok(TokenList { tokens: self.with_presence(tokens) })
    }

    /// Deletes a token: it is revoked at once and listed as `revoked`. Deleting a token that is already revoked or
    /// replaced changes nothing.
    pub fn delete_token(&self, user: &UserId, id: &str) -> Result<TokenSummary, ConsoleError> {
        if self.store().token(user.as_str(), id)?.is_none() {
            return Err(ConsoleError::NotFound { what: "token", id: id.to_owned() });
        }
        let now = now_ms();
        if self.store().revoke_token(user.as_str(), id, now)? {
            tracing::info!(user = %user, token_id = %id, "auth token deleted");
            self.publish(RevocationEvent::Token { token_id: id.to_owned(), reason: DenyReason::TokenRevoked });
        }
        let record = self
            .store()
            .token(user.as_str(), id)?
            .ok_or_else(|| ConsoleError::NotFound { what: "token", id: id.to_owned() })?;
        Ok(summary(&record, now))
    }

    /// Replaces a token: a new token for the same terminal, with the same name and expiry; the old one stops at
    /// once. Only an active token can be replaced: an expired one has nothing left to carry over.
    pub fn replace_token(&self, user: &UserId, id: &str) -> Result<CreatedToken, ConsoleError> {
        let old = self
            .store()
            .token(user.as_str(), id)?
            .ok_or_else(|| ConsoleError::NotFound { what: "token", id: id.to_owned() })?;
        let now = now_ms();
        refuse_unless_active(&old, now)?;
        let token = secret::generate(secret::TOKEN_PREFIX)?;
        let record = TokenRecord {
            id: format!("tok_{}", uuid::Uuid::new_v4().simple()),
            user_id: user.0.clone(),
            name: old.name.clone(),
            terminal_id: old.terminal_id.clone(),
            token_hash: secret::hash(&token),
            created_at: now,
            expires_at: old.expires_at,
            last_used_at: None,
            revoked_at: None,
            replaced_by: None,
        };
        if !self.store().replace_token(user.as_str(), id, &record)? {
            // Someone deleted or replaced it between the read and the write; report what happened.
            let current = self.store().token(user.as_str(), id)?.unwrap_or(old);
            refuse_unless_active(&current, now)?;
            return Err(ConsoleError::Conflict {
                code: "token_changed",
                message: format!("token {id} changed; retry"),
            });
        }
        tracing::info!(user = %user, token_id = %id, new_token_id = %record.id, "auth token replaced");
        self.publish(RevocationEvent::Token { token_id: id.to_owned(), reason: DenyReason::TokenReplaced });
        Ok(CreatedToken { token, summary: summary(&record, now) })
    }

    /// The user's devices, most recently seen first.
    pub fn list_devices(&self, user: &UserId) -> Result<DeviceList, ConsoleError> {
        Ok(DeviceList { devices: self.store().list_devices(user.as_str())?.into_iter().map(device).collect() })
    }

    /// Approves a device (also one that was revoked).
    pub fn approve_device(&self, user: &UserId, id: &str) -> Result<Device, ConsoleError> {
        let record = self
            .store()
            .set_device_status(user.as_str(), id, DeviceStatus::Approved)?
            .ok_or_else(|| ConsoleError::NotFound { what: "device", id: id.to_owned() })?;
        tracing::info!(user = %user, device_id = %id, "device approved");
        Ok(device(record))
    }

    /// Revokes a device: every token stops working from that machine at once.
    pub fn revoke_device(&self, user: &UserId, id: &str) -> Result<Device, ConsoleError> {
        let before = self.store().list_devices(user.as_str())?.into_iter().find(|device| device.id == id);
        let record = self
            .store()
            .set_device_status(user.as_str(), id, DeviceStatus::Revoked)?
            .ok_or_else(|| ConsoleError::NotFound { what: "device", id: id.to_owned() })?;
        if before.is_some_and(|device| device.status != DeviceStatus::Revoked) {
            tracing::info!(user = %user, device_id = %id, "device revoked");
            self.publish(RevocationEvent::Device { device_id: id.to_owned(), reason: DenyReason::DeviceRevoked });
        }
        Ok(device(record))
    }

    /// The account's status.
    pub fn account(&self, user: &UserId) -> Result<AccountStatus, ConsoleError> {
        Ok(account_status(&self.user(user)?, now_ms()))
    }

    /// Changes the account. When the change takes access away, gateways are told at once.
    pub fn update_account(&self, user: &UserId, request: &UpdateAccountRequest) -> Result<AccountStatus, ConsoleError> {
        if request.clear_expiry && request.expires_at.is_some() {
            return Err(ConsoleError::invalid(
                "invalid_expiry",
                "clear_expiry",
                "give either expires_at or clear_expiry, not both",
            ));
        }
        let update = AccountUpdate {
            disabled: request.disabled,
            expires_at: if request.clear_expiry { Some(None) } else { request.expires_at.map(Some) },
            auto_approve_devices: request.auto_approve_devices,
        };
        let now = now_ms();
        let before = account_state(&self.user(user)?, now);
        let after = self
            .store()
            .update_account(user.as_str(), &update)?
            .ok_or_else(|| ConsoleError::NotFound { what: "user", id: user.0.clone() })?;
        let state = account_state(&after, now);
        tracing::info!(user = %user, state = ?state, "account updated");
        if state != before {
            match state {
                AccountState::Disabled => {
                    self.publish(RevocationEvent::Account { reason: DenyReason::AccountDisabled })
                }
                AccountState::Expired => {
                    if let Some(at) = after.expires_at {
                        self.announce_expiry(user, at);
                    }
                    self.publish(RevocationEvent::Account { reason: DenyReason::AccountExpired })
                }
                AccountState::Active => {}
            }
        }
        if update.expires_at.is_some() || update.disabled == Some(false) {
            self.inner.expiry_changed.notify_one();
        }
        Ok(account_status(&after, now))
    }
}

fn refuse_unless_active(token: &TokenRecord, now: TimeMs) -> Result<(), ConsoleError> {
    let (code, what) = match token_status(token, now) {
        TokenStatus::Active => return Ok(()),
        TokenStatus::Revoked => ("token_revoked", "was deleted"),
        TokenStatus::Replaced => ("token_replaced", "was already replaced"),
        TokenStatus::Expired => ("token_expired", "has expired; create a new token"),
    };
    Err(ConsoleError::Conflict { code, message: format!("token {} {what}", token.id) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(validate_name("  MT5-Live-A ").unwrap(), "MT5-Live-A");
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(65)).is_err());
        assert_eq!(validate_name(&"é".repeat(64)).unwrap().chars().count(), 64, "the limit counts characters");
        assert!(validate_name("a\nb").is_err());
    }
}
