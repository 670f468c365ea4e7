//! The store's interface: the records it speaks in and the [`Store`] trait both backends implement, apart from the
//! backends and from choosing one, so a backend depends on the interface alone.

use metaapi_protocol::console::DeviceStatus;
use metaapi_protocol::types::TimeMs;

use crate::error::ConsoleError;

/// A console user, who is also the account that owns tokens and devices.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    /// User id.
    pub id: String,
    /// Sign-in email, unique ignoring ASCII case.
    pub email: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// Disabled by an administrator.
    pub disabled: bool,
    /// End of the paid period.
    pub expires_at: Option<TimeMs>,
    /// New devices are approved on first verification.
    pub auto_approve_devices: bool,
    /// Created.
    pub created_at: TimeMs,
}

/// An auth token as stored: the hash, never the token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    /// Token id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Name, for example `MT5-Live-A`.
    pub name: String,
    /// The terminal; kept by replacements.
    pub terminal_id: String,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Created.
    pub created_at: TimeMs,
    /// Expiry.
    pub expires_at: Option<TimeMs>,
    /// Last successful verification.
    pub last_used_at: Option<TimeMs>,
    /// Deleted at.
    pub revoked_at: Option<TimeMs>,
    /// The replacing token's id.
    pub replaced_by: Option<String>,
}

/// A device as stored, scoped to one user.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRecord {
    /// Owner.
    pub user_id: String,
    /// The gateway's stable device id.
    pub id: String,
    /// Reported name.
    pub name: String,
    /// Status.
    pub status: DeviceStatus,
    /// First verification.
    pub first_seen_at: TimeMs,
    /// Latest verification.
    pub last_seen_at: TimeMs,
}

/// Changes to an account; `None` leaves a member as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountUpdate {
    /// New disabled flag.
    pub disabled: Option<bool>,
    /// New expiry; `Some(None)` removes it.
    pub expires_at: Option<Option<TimeMs>>,
    /// New auto-approval flag.
    pub auto_approve_devices: Option<bool>,
}

/// Something whose expiry time passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expiry {
    /// A token that was still usable until its expiry.
    Token {
        /// Token id.
        id: String,
    },
    /// An enabled account.
    Account {
        /// User id.
        user_id: String,
        /// The expiry that passed.
        at: TimeMs,
    },
}

/// The operations the console needs from a database.
pub trait Store: Send + Sync + 'static {
    /// Adds a user; a duplicate email is a [`ConsoleError::Conflict`].
    fn insert_user(&self, user: &UserRecord) -> Result<(), ConsoleError>;
    /// The user with this id.
    fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, ConsoleError>;
    /// The user with this email, ignoring ASCII case.
    fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, ConsoleError>;
    /// Applies `update` and answers the user after it, or `None` for an unknown user.
    fn update_account(&self, user_id: &str, update: &AccountUpdate) -> Result<Option<UserRecord>, ConsoleError>;

    /// Stores the hash of a new API key.
    fn insert_api_key(&self, user_id: &str, key_hash: &str, now: TimeMs) -> Result<(), ConsoleError>;
    /// `(stored hash, user id)` of the API key with this hash.
    fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<(String, String)>, ConsoleError>;

    /// Stores the hash of a new session id.
    fn insert_session(&self, id_hash: &str, user_id: &str, now: TimeMs, expires_at: TimeMs)
    -> Result<(), ConsoleError>;
    /// `(stored hash, user id)` of the unexpired session with this hash.
    fn session_by_hash(&self, id_hash: &str, now: TimeMs) -> Result<Option<(String, String)>, ConsoleError>;
    /// Ends a session; unknown ones are ignored.
    fn delete_session(&self, id_hash: &str) -> Result<(), ConsoleError>;

    /// Adds a token.
    fn insert_token(&self, token: &TokenRecord) -> Result<(), ConsoleError>;
    /// The token with this hash, whatever its status.
    fn token_by_hash(&self, token_hash: &str) -> Result<Option<TokenRecord>, ConsoleError>;
    /// The user's token with this id.
    fn token(&self, user_id: &str, id: &str) -> Result<Option<TokenRecord>, ConsoleError>;
    /// The token with this id, whoever owns it (for gateways, which name tokens by id).
    fn token_by_id(&self, id: &str) -> Result<Option<TokenRecord>, ConsoleError>;
    /// The user's tokens, newest first.
    fn list_tokens(&self, user_id: &str) -> Result<Vec<TokenRecord>, ConsoleError>;
    /// Marks a token revoked if it is neither revoked nor replaced; answers whether it changed.
    fn revoke_token(&self, user_id: &str, id: &str, now: TimeMs) -> Result<bool, ConsoleError>;
    /// In one transaction: adds `new` and marks `old_id` replaced by it, only if `old_id` is neither revoked nor
    /// replaced. Answers whether it happened; when not, nothing was written.
    fn replace_token(&self, user_id: &str, old_id: &str, new: &TokenRecord) -> Result<bool, ConsoleError>;
    /// Records a successful verification.
    fn mark_token_used(&self, id: &str, now: TimeMs) -> Result<(), ConsoleError>;

    /// Registers the device with `status_if_new` if it is unknown, updates its name and last-seen time otherwise,
    /// and answers it.
    fn observe_device(
        &self,
        user_id: &str,
        id: &str,
        name: &str,
        status_if_new: DeviceStatus,
        now: TimeMs,
    ) -> Result<DeviceRecord, ConsoleError>;
    /// Sets a device's status; `None` for an unknown device.
    fn set_device_status(
        &self,
        user_id: &str,
        id: &str,
        status: DeviceStatus,
    ) -> Result<Option<DeviceRecord>, ConsoleError>;
    /// The user's devices, most recently seen first.
    fn list_devices(&self, user_id: &str) -> Result<Vec<DeviceRecord>, ConsoleError>;

    /// Usable tokens and enabled accounts whose expiry lies in `(after, until]`.
    fn expiries_between(&self, after: TimeMs, until: TimeMs) -> Result<Vec<Expiry>, ConsoleError>;
    /// The earliest expiry of a usable token or an enabled account later than `after`.
    fn next_expiry_after(&self, after: TimeMs) -> Result<Option<TimeMs>, ConsoleError>;
}
