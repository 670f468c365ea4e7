//! The console API: auth tokens, devices, account status, token verification for gateways, and revocation events.
//!
//! The console is the authority on who may use the local API. Gateways call `POST /api/v1/verify` with a token and
//! their device id and cache the [`Verdict`] for its TTL; they also listen on `GET /api/v1/events` (WebSocket) for
//! [`RevocationEvent`]s so that access stops at once.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::types::{TerminalIdentity, TimeMs};

/// Version of the console API, the `v1` in its paths.
pub const CONSOLE_API_VERSION: u32 = 1;

/// Why the console refuses a token. Each reason is produced by exactly one situation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DenyReason {
    /// No token with this value was ever issued.
    TokenUnknown,
    /// The token's expiry has passed.
    TokenExpired,
    /// The token was deleted.
    TokenRevoked,
    /// The token was replaced by a newer one for the same terminal.
    TokenReplaced,
    /// This machine is registered but not approved yet.
    DevicePending,
    /// This machine was revoked.
    DeviceRevoked,
    /// The console account's paid period is over.
    AccountExpired,
    /// The console account is disabled.
    AccountDisabled,
}

impl DenyReason {
    /// Every reason.
    pub const ALL: &'static [DenyReason] = &[
        DenyReason::TokenUnknown,
        DenyReason::TokenExpired,
        DenyReason::TokenRevoked,
        DenyReason::TokenReplaced,
        DenyReason::DevicePending,
        DenyReason::DeviceRevoked,
        DenyReason::AccountExpired,
        DenyReason::AccountDisabled,
    ];

    /// The error kind a client sees for this reason.
    pub const fn error_kind(self) -> ErrorKind {
        match self {
            DenyReason::TokenUnknown => ErrorKind::TokenUnknown,
            DenyReason::TokenExpired => ErrorKind::TokenExpired,
            DenyReason::TokenRevoked => ErrorKind::TokenRevoked,
            DenyReason::TokenReplaced => ErrorKind::TokenReplaced,
            DenyReason::DevicePending => ErrorKind::DevicePending,
            DenyReason::DeviceRevoked => ErrorKind::DeviceRevoked,
            DenyReason::AccountExpired => ErrorKind::AccountExpired,
            DenyReason::AccountDisabled => ErrorKind::AccountDisabled,
        }
    }
}

/// Lifecycle of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenStatus {
    /// Works.
    Active,
    /// Past its expiry.
    Expired,
    /// Deleted.
    Revoked,
    /// Replaced by a newer token.
    Replaced,
}

/// A token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenSummary {
    /// Token id.
    pub id: String,
    /// Name, for example `MT5-Live-A`.
    pub name: String,
    /// The terminal this token stands for; a replacement keeps it.
    pub terminal_id: String,
    /// Status now.
    pub status: TokenStatus,
    /// Created, UTC.
    pub created_at: TimeMs,
    /// Expiry, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<TimeMs>,
    /// Last successful verification, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<TimeMs>,
    /// The token that replaced this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
    /// The terminal last linked with this token, as its gateway reported it, and whether it is linked now;
    /// absent until a gateway has reported one since the console started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal: Option<TokenTerminal>,
}

/// The terminal a token is (or was last) linked with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenTerminal {
    /// Who the terminal is: platform, broker, server and account.
    pub identity: TerminalIdentity,
    /// The device (gateway machine) it is linked through.
    pub device_id: String,
    /// Linked now: the gateway's latest report lists it, and that report is recent.
    pub online: bool,
    /// When a gateway last reported it linked, UTC.
    pub seen_at: TimeMs,
}

/// One terminal linked to a gateway, in a [`PresenceReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedTerminal {
    /// The id of the token the terminal linked with.
    pub token_id: String,
    /// Who the terminal is.
    pub identity: TerminalIdentity,
}

/// Body of `POST /api/v1/presence`: every terminal linked to one gateway now. Gateways send it when that set
/// changes and every few seconds besides, so a stopped gateway's terminals read as offline soon after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceReport {
    /// The gateway's device id; it must be an approved device of each listed token's account.
    pub device_id: String,
    /// The terminals linked now (empty when none is).
    pub terminals: Vec<LinkedTerminal>,
}

/// Body of `POST /api/v1/tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// 1 to 64 characters, for example `MT5-Live-A`.
    #[schemars(length(min = 1, max = 64))]
    pub name: String,
    /// Optional expiry, UTC; must be in the future.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<TimeMs>,
}

/// Answer to token creation and replacement: the only time the token is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CreatedToken {
    /// The secret. Shown once; the console keeps only its hash.
    pub token: String,
    /// The token as listed from now on.
    pub summary: TokenSummary,
}

/// Body of `GET /api/v1/tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenList {
    /// Tokens, newest first.
    pub tokens: Vec<TokenSummary>,
}

/// Lifecycle of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Registered, waiting for approval.
    Pending,
    /// May use the local API.
    Approved,
    /// May not.
    Revoked,
}

/// A machine that runs a gateway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Device {
    /// Stable id kept in the gateway's data directory.
    pub id: String,
    /// Name the gateway reported (the host name by default).
    pub name: String,
    /// Status.
    pub status: DeviceStatus,
    /// First verification, UTC.
    pub first_seen_at: TimeMs,
    /// Latest verification, UTC.
    pub last_seen_at: TimeMs,
}

/// Body of `GET /api/v1/devices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeviceList {
    /// Devices, most recently seen first.
    pub devices: Vec<Device>,
}

/// State of the console account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountState {
    /// In good standing.
    Active,
    /// Past `expires_at`.
    Expired,
    /// Disabled by an administrator.
    Disabled,
}

/// Body of `GET /api/v1/account` and of `PUT /api/v1/account`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccountStatus {
    /// Sign-in email.
    pub email: String,
    /// State now (derived from `disabled` and `expires_at`).
    pub state: AccountState,
    /// When the paid period ends, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<TimeMs>,
    /// New devices are approved on first use.
    pub auto_approve_devices: bool,
}

/// Body of `PATCH /api/v1/account`: members to change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccountRequest {
    /// Disable (`true`) or enable (`false`) the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// New expiry, UTC; `null`-like absence leaves it as is. Use `clear_expiry` to remove it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<TimeMs>,
    /// Remove the expiry.
    #[serde(default)]
    pub clear_expiry: bool,
    /// Turn auto-approval of new devices on or off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_approve_devices: Option<bool>,
}

/// Body of `POST /api/v1/verify`, sent by gateways and authenticated by the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The auth token presented by a client or a terminal.
    pub token: String,
    /// The gateway's device id.
    pub device_id: String,
    /// The gateway's device name, used when the device registers.
    pub device_name: String,
}

/// The console's answer to a verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The token may be used from this device.
    #[schemars(title = "AllowedVerdict")]
    Allowed {
        /// Token id.
        token_id: String,
        /// Token name.
        token_name: String,
        /// Terminal the token stands for.
        terminal_id: String,
        /// Token expiry, UTC; the gateway stops honouring the token then, even without asking again.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<TimeMs>,
        /// How long the gateway may reuse this verdict without asking again.
        cache_ttl_ms: u64,
    },
    /// The token may not be used from this device.
    #[schemars(title = "DeniedVerdict")]
    Denied {
        /// Why.
        reason: DenyReason,
        /// The token id, when the token is known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        token_id: Option<String>,
    },
}

/// What lost access, pushed to gateways on `GET /api/v1/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum RevocationEvent {
    /// One token stopped working.
    #[schemars(title = "TokenRevocation")]
    Token {
        /// Token id.
        token_id: String,
        /// Why.
        reason: DenyReason,
    },
    /// One device stopped working (for every token).
    #[schemars(title = "DeviceRevocation")]
    Device {
        /// Device id.
        device_id: String,
        /// Why.
        reason: DenyReason,
    },
    /// The whole account stopped working.
    #[schemars(title = "AccountRevocation")]
    Account {
        /// Why.
        reason: DenyReason,
    },
    /// Sent once on connect and after missed events: drop every cached verdict and ask again.
    #[schemars(title = "ResyncRevocation")]
    Resync,
}

/// Body of `POST /api/v1/session` (dashboard sign-in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    /// Email.
    pub email: String,
    /// Password; only ever sent to the console, never to the gateway or the EA.
    pub password: String,
}

/// Error body of every console API failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConsoleError {
    /// Machine-readable code, for example `invalid_name`, `not_found`, `unauthorized`.
    pub error: String,
    /// What is wrong, for a person.
    pub message: String,
    /// The offending field, when one is to blame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
