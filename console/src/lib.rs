//! The console: auth tokens, devices and account status, and token verification for gateways.
//!
//! The console is the authority the token doc describes. A console user signs in with email and password (or an
//! API key) to manage auth tokens for their terminals, approve or revoke the machines that run gateways, and see
//! their account's status. Gateways never see those credentials: they call `POST /api/v1/verify` with the auth
//! token and their device id, cache the [`Verdict`](metaapi_protocol::console::Verdict) for its TTL, and listen on
//! `GET /api/v1/events` for revocations pushed the moment a token, device or account loses access.
//!
//! # Layers
//!
//! - [`store`]: the narrow [`Store`] interface, its SQLite implementation (WAL, `synchronous=FULL`, migrations; the
//!   default) and its PostgreSQL implementation (a pooled async driver, for several replicas), picked by the
//!   database URL.
//! - [`Console`]: the service. Every operation is a plain blocking method that validates input, writes through the
//!   store in one transaction, and only then publishes a revocation event. The HTTP layer, the CLI and in-process
//!   users (the gateway's tests, the demo) all call these same methods.
//! - [`Console::serve`]: the HTTP API on warp, with the push channel and the expiry timer.
//! - [`cli`]: the `metaapi-console` command line.
//!
//! # The CLI and a running server
//!
//! Management commands (`token`, `device`, `account`) talk to a running console over HTTP (`--url`, default
//! `http://127.0.0.1:7000`, with `--api-key`), so that the server publishes every revocation on its push channel.
//! With `--offline` they open the database directly instead (the SQLite file in the data directory, or the
//! `--database-url`), for scripting while no server runs. On PostgreSQL an offline change goes through the
//! replicas' revocation feed like any replica's, so every running replica pushes it to its gateways. On SQLite a
//! server running at the same time sees the write on its next verification (and an expiry on its timer's next look,
//! within 10 s), but its push listeners are not told of a deletion, replacement or revocation.
//! `init` always works on the data directory: it creates the first user and prints an API key.
//!
//! # Secrets
//!
//! Auth tokens, API keys and session ids are 256-bit random values, shown once and stored as SHA-256 hashes;
//! passwords are stored as argon2id hashes. None of them is ever logged or listed.

#![forbid(unsafe_code)]

pub mod cli;
mod error;
mod events;
mod health;
mod http;
mod manage;
pub mod platform;
mod presence;
pub mod replicas;
pub mod secret;
pub mod store;
mod verify;

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use metaapi_protocol::console::RevocationEvent;
use tokio::sync::{Notify, broadcast};

pub use error::ConsoleError;
pub use store::{PostgresStore, SqliteStore, Store};

use crate::secret::now_ms;
use crate::store::UserRecord;

/// Name of the session cookie set by sign-in.
pub const SESSION_COOKIE: &str = "console_session";

/// Where and how the console runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConsoleConfig {
    /// Directory of the database file.
    pub data_dir: PathBuf,
    /// How long a gateway may reuse an `allowed` verdict (capped by the token's and account's expiry).
    pub verdict_ttl: Duration,
    /// Lifetime of a dashboard session.
    pub session_ttl: Duration,
    /// Failed sign-ins a peer may make per window before it is refused with 429.
    pub sign_in_max_failures: u32,
    /// The sign-in rate-limit window.
    pub sign_in_window: Duration,
    /// Host names (without port) accepted in the `Host` header; guards against DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Events buffered per push listener before it is told to resync.
    pub event_buffer: usize,
    /// Base URL of the gateway the dashboard's ready-to-paste snippet calls (`<gateway_url>/rpc`), for example
    /// `http://127.0.0.1:6000`. It ends up in the served page and in a shell command people paste, so
    /// [`ConsoleConfig::validate`] admits only plain `http://` URLs made of a few safe characters.
    pub gateway_url: String,
    /// The database; `None` is the SQLite file in [`ConsoleConfig::data_dir`].
    pub database_url: Option<store::DatabaseUrl>,
    /// Connection pool limits of a PostgreSQL database.
    pub pool: store::PoolLimits,
    /// How long the replicas' revocation feed keeps a row (PostgreSQL only): the longest a replica's listening
    /// connection may be away and still catch up row by row. One away longer resyncs its gateways instead.
    pub revocation_retention: Duration,
}

impl ConsoleConfig {
    /// Defaults: 30 s verdict TTL, 12 h sessions, 5 failed sign-ins per minute, loopback host names only.
    pub fn new(data_dir: impl Into<PathBuf>) -> ConsoleConfig {
        ConsoleConfig {
            data_dir: data_dir.into(),
            verdict_ttl: Duration::from_secs(30),
            session_ttl: Duration::from_secs(12 * 3600),
            sign_in_max_failures: 5,
            sign_in_window: Duration::from_secs(60),
            allowed_hosts: vec!["127.0.0.1".into(), "localhost".into(), "[::1]".into()],
            event_buffer: 1024,
            gateway_url: DEFAULT_GATEWAY_URL.to_owned(),
            database_url: None,
            pool: store::PoolLimits::default(),
            revocation_retention: DEFAULT_REVOCATION_RETENTION,
        }
    }

    /// Checks the values that [`Console::open`] and [`Console::serve`] cannot work with.
    pub fn validate(&self) -> Result<(), ConsoleError> {
        validate_gateway_url(&self.gateway_url)
    }
}

/// Default of [`ConsoleConfig::revocation_retention`]: a database restart or a network cut is over long before.
pub const DEFAULT_REVOCATION_RETENTION: Duration = Duration::from_secs(3600);

/// The gateway's default address, as the token doc gives it.
pub const DEFAULT_GATEWAY_URL: &str = "http://127.0.0.1:6000";

/// An absolute `http://` URL with a host, made only of characters that are inert in HTML attributes and in a
/// shell command line (the snippet is pasted into a terminal), and with no query or fragment since `/rpc` is
/// appended to it.
fn validate_gateway_url(url: &str) -> Result<(), ConsoleError> {
    let refuse = |why: &str| {
        Err(ConsoleError::Config(format!(
            "gateway_url {url:?} {why}; give an absolute http:// URL such as {DEFAULT_GATEWAY_URL}"
        )))
    };
    let Some(rest) = url.strip_prefix("http://") else {
        return refuse("does not start with http://");
    };
    let safe = |character: char| character.is_ascii_alphanumeric() || "-._~:/[]%".contains(character);
    if let Some(bad) = url.chars().find(|&character| !safe(character)) {
        return refuse(&format!(
            "contains {bad:?}; only letters, digits and -._~:/[]% are allowed (no quotes, angle brackets, \
             whitespace, backslashes, queries or fragments)"
        ));
    }
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return refuse("has no host");
    }
    Ok(())
}

/// A console user's id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserId(pub String);

impl UserId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The console service. Cheap to clone; clones share the store and the push channel.
#[derive(Clone)]
pub struct Console {
    inner: Arc<Inner>,
}

struct Inner {
    config: ConsoleConfig,
    store: Arc<dyn Store>,
    events: broadcast::Sender<RevocationEvent>,
    /// Wakes the expiry timer when a new expiry may be earlier than the one it sleeps towards.
    expiry_changed: Notify,
    sign_in_failures: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    /// Account expiries already announced by the update that set them in the past, so the timer does not
    /// announce them twice.
    announced_expiries: Mutex<std::collections::HashSet<(String, i64)>>,
    /// Linked terminals as gateways report them.
    presence: presence::Presence,
    /// The revocation feed shared with other replicas (PostgreSQL only).
    feed: Option<Arc<replicas::Feed>>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Console").field("config", &self.inner.config).finish_non_exhaustive()
    }
}

const MAX_EMAIL_BYTES: usize = 254;
const MIN_PASSWORD_CHARACTERS: usize = 8;
const MAX_PASSWORD_CHARACTERS: usize = 1024;

impl Console {
    /// Validates `config`, then opens the database it names (by default the SQLite file in `config.data_dir`,
    /// created if needed) and migrates it.
    pub fn open(config: ConsoleConfig) -> Result<Console, ConsoleError> {
        config.validate()?;
        let (store, postgres) = store::open(config.database_url.as_ref(), &config.data_dir, config.pool)?;
        let mut console = Console::with_store(config, store);
        if let Some(postgres) = postgres
            && let Some(inner) = Arc::get_mut(&mut console.inner)
        {
            inner.feed = Some(Arc::new(replicas::Feed::open(postgres)?));
        }
        Ok(console)
    }

    /// A console on any [`Store`] implementation. The configuration is validated by [`Console::serve`].
    pub fn with_store(config: ConsoleConfig, store: Arc<dyn Store>) -> Console {
        // Named for what it is, not `events`: a bare `events` would read as the `events` module to the import
        // circle check.
        let (revocations, _) = broadcast::channel(config.event_buffer.max(1));
        Console {
            inner: Arc::new(Inner {
                config,
                store,
                events: revocations,
                expiry_changed: Notify::new(),
                sign_in_failures: Mutex::new(HashMap::new()),
                announced_expiries: Mutex::new(std::collections::HashSet::new()),
                presence: presence::Presence::default(),
                feed: None,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ConsoleConfig {
        &self.inner.config
    }

    fn store(&self) -> &dyn Store {
        &*self.inner.store
    }

    /// Creates a console user with an argon2id-hashed password.
    pub fn create_user(&self, email: &str, password: &str) -> Result<UserId, ConsoleError> {
        let email = email.trim();
        if email.is_empty()
            || email.len() > MAX_EMAIL_BYTES
            || !email.contains('@')
            || email.chars().any(char::is_control)
        {
            return Err(ConsoleError::invalid(
                "invalid_email",
                "email",
                "email must look like name@host, at most 254 bytes",
            ));
        }
        let characters = password.chars().count();
        if !(MIN_PASSWORD_CHARACTERS..=MAX_PASSWORD_CHARACTERS).contains(&characters) {
            return Err(ConsoleError::invalid(
                "invalid_password",
                "password",
                format!("password must be {MIN_PASSWORD_CHARACTERS} to {MAX_PASSWORD_CHARACTERS} characters"),
            ));
        }
        let user = UserRecord {
            id: format!("usr_{}", uuid::Uuid::new_v4().simple()),
            email: email.to_owned(),
            password_hash: secret::hash_password(password)?,
            disabled: false,
            expires_at: None,
            auto_approve_devices: false,
            created_at: now_ms(),
        };
        self.store().insert_user(&user)?;
        tracing::info!(user = %user.id, email = %user.email, "console user created");
        Ok(UserId(user.id))
    }

    /// The user with this email.
    pub fn user_by_email(&self, email: &str) -> Result<UserId, ConsoleError> {
        self.store()
            .user_by_email(email.trim())?
            .map(|user| UserId(user.id))
            .ok_or_else(|| ConsoleError::NotFound { what: "user", id: email.trim().to_owned() })
    }

    /// Issues an API key (`mak_...`) for management calls. Shown once; only its hash is kept.
    pub fn create_api_key(&self, user: &UserId) -> Result<String, ConsoleError> {
        self.user(user)?;
        let key = secret::generate(secret::API_KEY_PREFIX)?;
        self.store().insert_api_key(user.as_str(), &secret::hash(&key), now_ms())?;
        tracing::info!(user = %user, "API key issued");
        Ok(key)
    }

    fn user(&self, user: &UserId) -> Result<UserRecord, ConsoleError> {
        self.store()
            .user_by_id(user.as_str())?
            .ok_or_else(|| ConsoleError::NotFound { what: "user", id: user.0.clone() })
    }

    /// Signs in with email and password and answers a new session id (the cookie value).
    ///
    /// A peer with too many recent failures is refused before its password is checked.
    pub fn sign_in(&self, email: &str, password: &str, peer: Option<IpAddr>) -> Result<String, ConsoleError> {
        if let Some(ip) = peer {
            self.check_sign_in_rate(ip)?;
        }
        let user = self.store().user_by_email(email.trim())?;
        // Unknown emails cost one argon2 verification too, so timing does not reveal which emails exist.
        let stored = user.as_ref().map(|user| user.password_hash.as_str()).unwrap_or(secret::decoy_password_hash());
        let password_matches = secret::verify_password(password, stored) && user.is_some();
        let Some(user) = user.filter(|_| password_matches) else {
            if let Some(ip) = peer {
                self.record_sign_in_failure(ip);
            }
            tracing::info!(peer = ?peer, "sign-in refused");
            return Err(ConsoleError::Unauthorized("wrong email or password".into()));
        };
        if let Some(ip) = peer {
            self.lock_failures().remove(&ip);
        }
        let session = secret::generate("mcs_")?;
        let now = now_ms();
        let lifetime_ms = i64::try_from(self.inner.config.session_ttl.as_millis()).unwrap_or(i64::MAX);
        self.store().insert_session(&secret::hash(&session), &user.id, now, now.saturating_add(lifetime_ms))?;
        tracing::info!(user = %user.id, "signed in");
        Ok(session)
    }

    /// Ends a session; an unknown session is ignored.
    pub fn sign_out(&self, session: &str) -> Result<(), ConsoleError> {
        self.store().delete_session(&secret::hash(session))
    }

    fn lock_failures(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (Instant, u32)>> {
        self.inner.sign_in_failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check_sign_in_rate(&self, ip: IpAddr) -> Result<(), ConsoleError> {
        let window = self.inner.config.sign_in_window;
        let mut failures = self.lock_failures();
        if let Some(&(start, count)) = failures.get(&ip) {
            let elapsed = start.elapsed();
            if elapsed >= window {
                failures.remove(&ip);
            } else if count >= self.inner.config.sign_in_max_failures {
                let retry_after_secs = (window - elapsed).as_secs().max(1);
                tracing::warn!(peer = %ip, "sign-in rate limit hit");
                return Err(ConsoleError::RateLimited { retry_after_secs });
            }
        }
        Ok(())
    }

    fn record_sign_in_failure(&self, ip: IpAddr) {
        let mut failures = self.lock_failures();
        let entry = failures.entry(ip).or_insert((Instant::now(), 0));
        entry.1 = entry.1.saturating_add(1);
    }

    /// The user behind an API key. Auth tokens are refused here by design: they are for gateways only.
    pub fn authenticate_api_key(&self, key: &str) -> Result<UserId, ConsoleError> {
        if key.starts_with(secret::TOKEN_PREFIX) {
            return Err(ConsoleError::Unauthorized(
                "auth tokens are accepted only by gateways; management needs an API key or a session".into(),
            ));
        }
        let hash = secret::hash(key);
        match self.store().api_key_by_hash(&hash)? {
            Some((stored, user)) if secret::hashes_equal(&stored, &hash) => Ok(UserId(user)),
            _ => Err(ConsoleError::Unauthorized("unknown API key".into())),
        }
    }

    /// The user behind a session id, if the session is live.
    pub fn authenticate_session(&self, session: &str) -> Result<UserId, ConsoleError> {
        let hash = secret::hash(session);
        match self.store().session_by_hash(&hash, now_ms())? {
            Some((stored, user)) if secret::hashes_equal(&stored, &hash) => Ok(UserId(user)),
            _ => Err(ConsoleError::Unauthorized("session expired or unknown; sign in again".into())),
        }
    }

    /// Deletes the replicas' revocation feed's rows older than [`ConsoleConfig::revocation_retention`] (which
    /// [`Console::serve`] also does periodically); answers how many went. Nothing to do on SQLite, which has one
    /// process and no feed.
    pub fn prune_revocations(&self) -> Result<u64, ConsoleError> {
        let Some(feed) = &self.inner.feed else { return Ok(0) };
        let retention = i64::try_from(self.inner.config.revocation_retention.as_millis()).unwrap_or(i64::MAX);
        feed.prune(now_ms().saturating_sub(retention))
    }

    /// A receiver of every revocation event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<RevocationEvent> {
        self.inner.events.subscribe()
    }

    fn announce_expiry(&self, user: &UserId, at: i64) {
        self.inner
            .announced_expiries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert((user.0.clone(), at));
    }

    fn take_announced_expiry(&self, user_id: &str, at: i64) -> bool {
        self.inner
            .announced_expiries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(&(user_id.to_owned(), at))
    }

    /// Publishes a change made through this replica: to its own push listeners at once, then to every other
    /// replica through the shared feed.
    fn publish(&self, event: RevocationEvent) {
        if let Some(feed) = &self.inner.feed {
            match feed.append(&event) {
                Ok(sequence) => tracing::debug!(seq = sequence, "revocation appended to the replicas' feed"),
                // The change itself is committed; other replicas' gateways fall back to their verdicts' TTL.
                Err(error) => tracing::error!(%error, "revocation not shared with other replicas"),
            }
        }
        self.publish_local(event);
    }

    /// Publishes to this replica's push listeners only: expiries (every replica's timer sees them) and events
    /// another replica made.
    fn publish_local(&self, event: RevocationEvent) {
        tracing::info!(event = ?event, "revocation published");
        // No listener is fine: gateways that connect later start with a resync.
        let _ = self.inner.events.send(event);
    }
}
