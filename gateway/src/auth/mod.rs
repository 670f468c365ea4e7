//! Token verification against the console: a verdict cache keyed by the token's SHA-256, the grace period while the
//! console is unreachable, revocations pushed by the console, and the failed-authorization limit per peer.
//!
//! The token itself is kept only by the connections that presented it and is never logged; the cache holds its hash.

mod limit;
mod push;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use metaapi_protocol::console::{DenyReason, RevocationEvent, Verdict, VerifyRequest};
use metaapi_protocol::types::TimeMs;
use metaapi_protocol::{ErrorKind, ErrorObject};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::broadcast;

pub use limit::FailLimiter;
pub use push::listen_for_revocations;

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
    /// Cached verdicts were dropped: every connection asks again whether its token still works.
    Recheck,
}

struct Cached {
    hash: [u8; 32],
    grant: Grant,
    fresh_until: Instant,
    confirmed: Instant,
}

/// Asks the console whether a token may be used from this device, and remembers the answers for their TTL.
pub struct Verifier {
    http: reqwest::Client,
    verify_url: String,
    device_id: String,
    device_name: String,
    grace: Duration,
    cache: Mutex<HashMap<[u8; 32], Cached>>,
    events: broadcast::Sender<AuthEvent>,
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> TimeMs {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
}

fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Verifier {
    /// A verifier for this device, asking the console at `console_url`.
    pub fn new(
        console_url: &str,
        device_id: String,
        device_name: String,
        grace: Duration,
        timeout: Duration,
    ) -> Result<Verifier, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(timeout).no_proxy().build()?;
        Ok(Verifier {
            http,
            verify_url: format!("{}/api/v1/verify", console_url.trim_end_matches('/')),
            device_id,
            device_name,
            grace,
            cache: Mutex::new(HashMap::new()),
            events: broadcast::channel(256).0,
        })
    }

    /// This machine's device id.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// Access changes, for open connections.
    pub fn subscribe(&self) -> broadcast::Receiver<AuthEvent> {
        self.events.subscribe()
    }

    /// Whether the console allowed `token` recently (its verdict is cached and not past the token's expiry).
    ///
    /// The failed-auth limiter lets such tokens through: on loopback every client shares one peer address, so
    /// limiting by address alone would let one script with a dead token lock every good client out.
    pub fn is_known_good(&self, token: &str) -> bool {
        if token.is_empty() {
            return false;
        }
        let hash = token_hash(token);
        let cache = self.cache.lock().unwrap_or_else(|poison| poison.into_inner());
        cache
            .get(&hash)
            .filter(|entry| bool::from(entry.hash.ct_eq(&hash)))
            .is_some_and(|entry| check_expiry(&entry.grant).is_ok() && entry.confirmed.elapsed() < self.grace)
    }

    /// Whether `token` may be used now. Errors carry the deny reason as their kind.
    pub async fn check(&self, token: &str) -> Result<Grant, ErrorObject> {
        if token.is_empty() {
            return Err(ErrorObject::new(ErrorKind::TokenMissing, "Authorization: Bearer <auth_token> is required"));
        }
        let hash = token_hash(token);
        let now = Instant::now();
        let cached = {
            let cache = self.cache.lock().unwrap_or_else(|poison| poison.into_inner());
            cache
                .get(&hash)
                // The map lookup compares digests; the explicit constant-time check keeps the comparison of secret
                // material free of early exits even if the map implementation changes.
                .filter(|entry| bool::from(entry.hash.ct_eq(&hash)))
                .map(|entry| (entry.grant.clone(), entry.fresh_until, entry.confirmed))
        };
        if let Some((grant, fresh_until, _)) = &cached {
            check_expiry(grant)?;
            if now < *fresh_until {
                return Ok(grant.clone());
            }
        }
        match self.ask(token).await {
            Ok(Verdict::Allowed { token_id, token_name, terminal_id, expires_at, cache_ttl_ms }) => {
                let grant = Grant { token_id, token_name, terminal_id, expires_at, verified_at: now_ms() };
                check_expiry(&grant)?;
                let entry = Cached {
                    hash,
                    grant: grant.clone(),
                    fresh_until: Instant::now() + Duration::from_millis(cache_ttl_ms),
                    confirmed: Instant::now(),
                };
                self.cache.lock().unwrap_or_else(|poison| poison.into_inner()).insert(hash, entry);
                Ok(grant)
            }
            Ok(Verdict::Denied { reason, .. }) => {
                self.cache.lock().unwrap_or_else(|poison| poison.into_inner()).remove(&hash);
                Err(deny_error(reason))
            }
            Err(problem) => match cached {
                Some((grant, _, confirmed)) if confirmed.elapsed() < self.grace => {
                    tracing::warn!(token_id = %grant.token_id, %problem, "console unreachable; using the grace period");
                    Ok(grant)
                }
                _ => {
                    tracing::warn!(%problem, "console unreachable and no recent verdict for this token");
                    Err(ErrorObject::new(
                        ErrorKind::AuthUnavailable,
                        "the console cannot be reached to verify the token",
                    ))
                }
            },
        }
    }

    async fn ask(&self, token: &str) -> Result<Verdict, String> {
        let body = VerifyRequest {
            token: token.to_owned(),
            device_id: self.device_id.clone(),
            device_name: self.device_name.clone(),
        };
        let response = self.http.post(&self.verify_url).json(&body).send().await.map_err(|error| {
            // reqwest errors can carry the URL but never the body, so the token cannot leak through them.
            format!("verify request failed: {error}")
        })?;
        if !response.status().is_success() {
            return Err(format!("verify answered HTTP {}", response.status()));
        }
        response.json::<Verdict>().await.map_err(|error| format!("verify answer unreadable: {error}"))
    }

    /// Applies a revocation pushed by the console.
    pub fn apply(&self, event: RevocationEvent) {
        let mut cache = self.cache.lock().unwrap_or_else(|poison| poison.into_inner());
        let notice = match event {
            RevocationEvent::Token { token_id, reason } => {
                cache.retain(|_, entry| entry.grant.token_id != token_id);
                AuthEvent::Denied { token_id, reason }
            }
            // A device is registered per console account, and device and account events do not say which
            // account they concern: every token on this machine is asked about again, and only those the console
            // now refuses lose access.
            RevocationEvent::Device { device_id, .. } => {
                if device_id != self.device_id {
                    return;
                }
                cache.clear();
                AuthEvent::Recheck
            }
            RevocationEvent::Account { .. } => {
                cache.clear();
                AuthEvent::Recheck
            }
            // A resync (on every connect) marks verdicts stale but keeps them for the grace period.
            RevocationEvent::Resync => {
                expire(&mut cache);
                AuthEvent::Recheck
            }
        };
        drop(cache);
        tracing::info!(?notice, "access change from the console");
        // No receivers is fine: nobody is connected.
        let _ = self.events.send(notice);
    }

    /// Marks every cached verdict stale, so the next check asks the console; the grace period still applies.
    pub fn expire_all(&self) {
        expire(&mut self.cache.lock().unwrap_or_else(|poison| poison.into_inner()));
    }
}

fn expire(cache: &mut HashMap<[u8; 32], Cached>) {
    let now = Instant::now();
    for entry in cache.values_mut() {
        entry.fresh_until = now;
    }
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
    header
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim)
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
        assert_eq!(bearer(Some("Basic abc")), "");
        assert_eq!(bearer(None), "");
    }

    #[tokio::test]
    async fn unreachable_console_refuses_unknown_tokens() {
        let verifier = Verifier::new(
            "http://127.0.0.1:9",
            "device".into(),
            "host".into(),
            Duration::from_secs(60),
            Duration::from_millis(500),
        )
        .unwrap();
        let error = verifier.check("mat_unknown").await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AuthUnavailable);
        assert_eq!(verifier.check("").await.unwrap_err().kind(), ErrorKind::TokenMissing);
    }
}
