//! Token verification against the console: a verdict cache keyed by the token's SHA-256 (`verifier`), the grace
//! period while the console is unreachable, revocations pushed by the console (`push`), and the failed-authorization
//! limit per peer (`limit`).
//!
//! The token itself is kept only by the connections that presented it (and, for the length of one console request,
//! by the task making it) and is never logged; the cache holds its hash.

mod limit;
mod push;
mod verifier;

use metaapi_protocol::console::DenyReason;
use metaapi_protocol::types::TimeMs;
use metaapi_protocol::{ErrorKind, ErrorObject};
use sha2::{Digest, Sha256};

pub use limit::{FailLimiter, retry_after_secs};
pub use push::listen_for_revocations;
pub use verifier::Verifier;

/// What a verified token may do: who it is and until when the verdict holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The console's token id; terminals and clients with the same token meet under it.
    pub token_id: String,
    /// The token's name.
    pub token_name: String,
    /// The terminal the token stands for; replacement tokens keep it, so trade outcomes are filed under it.
    pub terminal_id: String,
    /// The token's expiry, honoured locally.
    pub expires_at: Option<TimeMs>,
    /// When the console last confirmed the token, UTC.
    pub verified_at: TimeMs,
}

/// A change of access that open connections must react to.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthEvent {
    /// One token lost access.
    Denied {
        /// The token id.
        token_id: String,
        /// Why.
        reason: DenyReason,
    },
    /// Cached verdicts were dropped or marked stale: every connection asks again whether its token still works
    /// ([`Verifier::recheck`], one console request per token).
    Recheck,
}

// The clock as every crate reads it; the gateway's modules import it from here.
pub use metaapi_protocol::time::now_ms;

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn check_expiry(grant: &Grant) -> Result<(), ErrorObject> {
    match grant.expires_at {
        Some(expires_at) if expires_at <= now_ms() => Err(deny_error(DenyReason::TokenExpired)),
        _ => Ok(()),
    }
}

/// The client-facing error of a deny reason.
pub fn deny_error(reason: DenyReason) -> ErrorObject {
    let message = match reason {
        DenyReason::TokenUnknown => "the token is not known",
        DenyReason::TokenExpired => "the token has expired",
        DenyReason::TokenRevoked => "the token was deleted",
        DenyReason::TokenReplaced => "the token was replaced by a newer one",
        DenyReason::DevicePending => "this machine waits for approval in the console",
        DenyReason::DeviceRevoked => "this machine was revoked in the console",
        DenyReason::AccountExpired => "the console account has expired",
        DenyReason::AccountDisabled => "the console account is disabled",
    };
    ErrorObject::new(reason.error_kind(), message)
}

/// The deny reason behind an error kind, when it is one.
pub fn deny_reason(kind: ErrorKind) -> Option<DenyReason> {
    DenyReason::ALL.iter().copied().find(|reason| reason.error_kind() == kind)
}

/// The WebSocket close code for a lost authorization: 4401 for token reasons, 4403 for device and account ones.
pub fn close_code(reason: DenyReason) -> u16 {
    if ErrorKind::http_status(reason.error_kind()) == 403 { 4403 } else { 4401 }
}

/// The token of an `Authorization: Bearer` header, or `""` when there is none.
pub fn bearer(header: Option<&str>) -> &str {
    // Auth schemes are case-insensitive (RFC 9110 section 11.1): `BEARER`, `bearer` and `Bearer` are one scheme.
    header
        .map(str::trim_start)
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_codes_follow_the_reason() {
        assert_eq!(close_code(DenyReason::TokenRevoked), 4401);
        assert_eq!(close_code(DenyReason::DeviceRevoked), 4403);
        assert_eq!(close_code(DenyReason::AccountDisabled), 4403);
    }

    #[test]
    fn bearer_is_extracted() {
        assert_eq!(bearer(Some("Bearer mat_x")), "mat_x");
        assert_eq!(bearer(Some("BEARER mat_x")), "mat_x");
        assert_eq!(bearer(Some("bEaReR   mat_x ")), "mat_x");
        assert_eq!(bearer(Some("Bearermat_x")), "");
        assert_eq!(bearer(Some("Bearer")), "");
        assert_eq!(bearer(Some("Basic abc")), "");
        assert_eq!(bearer(None), "");
    }
}
