//! The `metaapi-console` command line: `serve`, `init`, and management commands for scripts and the demo.
//!
//! Management commands go to a running console over HTTP (`--url`, `--api-key`) so that its push channel announces
//! every revocation. `--offline` opens the database directly instead (`--email` picks the user); on SQLite use it
//! when no server runs, since a running server cannot announce writes it did not make. On PostgreSQL the change goes
//! through the replicas' revocation feed, so running replicas announce it (see the crate documentation).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use metaapi_protocol::console::{
    AccountStatus, CreateTokenRequest, CreatedToken, Device, DeviceList, TokenList, UpdateAccountRequest,
};
use metaapi_protocol::types::TimeMs;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::secret::now_ms;
use crate::{Console, ConsoleConfig, ConsoleError, UserId};

/// The console: auth tokens, devices and account status for MetaAPI local gateways.
#[derive(Debug, Parser)]
#[command(name = "metaapi-console", version)]
pub struct Cli {
    /// Directory of the console database (on Windows under %LOCALAPPDATA%\MetaAPI by default).
    #[arg(long, global = true, env = "METAAPI_CONSOLE_DATA_DIR",
          default_value_os_t = crate::platform::default_data_dir("Console", "metaapi-console-data"))]
    pub data_dir: PathBuf,
    /// The database: sqlite://DIR (the default is the SQLite file in --data-dir) or
    /// postgres://user:password@host:port/dbname for several replicas on one PostgreSQL.
    #[arg(long, global = true, env = "METAAPI_CONSOLE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// PostgreSQL pool: most connections this console holds open.
    #[arg(long, global = true, env = "METAAPI_CONSOLE_POOL_MAX", default_value_t = 16)]
    pub pool_max_connections: usize,
    /// PostgreSQL pool: how long a request waits for a connection before it fails, for example 5s.
    #[arg(long, global = true, default_value = "5s", value_parser = parse_duration)]
    pub pool_acquire_timeout: Duration,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    pub log_json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API.
    Serve(ServeOptions),
    /// Create a console user in the data directory and print an API key for it.
    Init {
        /// Sign-in email.
        #[arg(long)]
        email: String,
        /// Sign-in password (at least 8 characters).
        #[arg(long, env = "METAAPI_CONSOLE_PASSWORD", hide_env_values = true)]
        password: String,
        /// Approve new devices on first use.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Issue another API key for a user in the data directory.
    ApiKey {
        /// The user's email.
        #[arg(long)]
        email: String,
    },
    /// Manage auth tokens.
    Token {
        /// Where to send the command.
        #[command(flatten)]
        target: Target,
        /// The token command.
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage devices.
    Device {
        /// Where to send the command.
        #[command(flatten)]
        target: Target,
        /// The device command.
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Show or change the account status.
    Account {
        /// Where to send the command.
        #[command(flatten)]
        target: Target,
        /// The account command.
        #[command(subcommand)]
        command: AccountCommand,
    },
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct ServeOptions {
    /// Address to listen on.
    #[arg(long, env = "METAAPI_CONSOLE_LISTEN", default_value = "127.0.0.1:7000")]
    pub listen: SocketAddr,
    /// How long gateways may cache an allowed verdict, for example 30s.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub verdict_ttl: Duration,
    /// Another accepted Host name besides the loopback names (repeatable).
    #[arg(long)]
    pub allow_host: Vec<String>,
    /// Base URL of the gateway that the web page's ready-to-paste snippet calls (it appends /rpc).
    #[arg(long, env = "METAAPI_CONSOLE_GATEWAY_URL", default_value = crate::DEFAULT_GATEWAY_URL)]
    pub gateway_url: String,
    /// PostgreSQL: how long the replicas' revocation feed keeps a row, for example 1h; a replica whose listening
    /// connection is away longer resyncs its gateways instead of catching up.
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub revocation_retention: Duration,
}

/// Where a management command goes.
#[derive(Debug, Args)]
pub struct Target {
    /// URL of the running console.
    #[arg(long, global = true, env = "METAAPI_CONSOLE_URL", default_value = "http://127.0.0.1:7000")]
    pub url: String,
    /// API key for the running console.
    #[arg(long, global = true, env = "METAAPI_CONSOLE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Work on the data directory instead of a running console.
    #[arg(long, global = true)]
    pub offline: bool,
    /// With --offline: the user whose tokens, devices or account to manage.
    #[arg(long, global = true)]
    pub email: Option<String>,
}

/// Token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (shown only now).
    Create {
        /// Name, for example MT5-Live-A.
        #[arg(long)]
        name: String,
        /// Expire after this long, for example 1h or 30d.
        #[arg(long, value_parser = parse_duration, conflicts_with = "expires_at")]
        expires_in: Option<Duration>,
        /// Expire at this time: RFC 3339 (2030-01-31T12:00:00Z) or epoch milliseconds.
        #[arg(long, value_parser = parse_time)]
        expires_at: Option<TimeMs>,
        /// Print the whole answer as JSON instead of the token alone.
        #[arg(long)]
        json: bool,
    },
    /// List tokens (never the tokens themselves).
    List,
    /// Delete a token; it stops working at once.
    Delete {
        /// Token id.
        id: String,
    },
    /// Replace a token with a new one for the same terminal and print it.
    Replace {
        /// Token id.
        id: String,
        /// Print the whole answer as JSON instead of the token alone.
        #[arg(long)]
        json: bool,
    },
}

/// Device commands.
#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// List devices.
    List,
    /// Approve a device.
    Approve {
        /// Device id.
        id: String,
    },
    /// Revoke a device.
    Revoke {
        /// Device id.
        id: String,
    },
}

/// Account commands.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Print the account status.
    Show,
    /// Change the account.
    Set {
        /// Disable (true) or enable (false).
        #[arg(long)]
        disabled: Option<bool>,
        /// Paid period end: RFC 3339 or epoch milliseconds.
        #[arg(long, value_parser = parse_time, conflicts_with_all = ["expires_in", "clear_expiry"])]
        expires_at: Option<TimeMs>,
        /// Paid period end, from now.
        #[arg(long, value_parser = parse_duration, conflicts_with = "clear_expiry")]
        expires_in: Option<Duration>,
        /// Remove the expiry.
        #[arg(long)]
        clear_expiry: bool,
        /// Approve new devices on first use.
        #[arg(long)]
        auto_approve: Option<bool>,
    },
}

/// Parses `500ms`, `45s`, `30m`, `1h`, `7d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|character: char| !character.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let count: u64 = digits.parse().map_err(|_| format!("{text:?} is not a duration like 45s, 30m, 1h or 7d"))?;
    let ms = match unit {
        "ms" => Some(count),
        "s" => count.checked_mul(1000),
        "m" => count.checked_mul(60_000),
        "h" => count.checked_mul(3_600_000),
        "d" => count.checked_mul(86_400_000),
        _ => return Err(format!("{text:?} has no unit; use ms, s, m, h or d")),
    };
    ms.map(Duration::from_millis).ok_or_else(|| format!("{text:?} is too long"))
}

/// Parses epoch milliseconds or an RFC 3339 time (`2030-01-31T12:00:00Z`, `2030-01-31T14:00:00.5+02:00`).
pub fn parse_time(text: &str) -> Result<TimeMs, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text.parse().map_err(|_| format!("{text:?} is out of range"));
    }
    rfc3339_ms(text)
        .ok_or_else(|| format!("{text:?} is neither epoch milliseconds nor RFC 3339 like 2030-01-31T12:00:00Z"))
}

fn rfc3339_ms(text: &str) -> Option<TimeMs> {
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut milliseconds = 0i64;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.find(|character: char| !character.is_ascii_digit()).unwrap_or(fraction.len());
        if digits == 0 {
            return None;
        }
        let first_three_digits = format!("{:0<3}", &fraction[..digits.min(3)]);
        milliseconds = first_three_digits.parse().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            sign * (rest[1..3].parse::<i64>().ok()? * 60 + rest[4..6].parse::<i64>().ok()?)
        }
    };
    // month and day were range-checked above, so the narrowing cannot wrap.
    let days = metaapi_protocol::time::days_from_civil(year, month as u32, day as u32);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + milliseconds)
}

fn after(duration: Duration) -> TimeMs {
    now_ms().saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}

fn print_json<T: Serialize>(value: &T) -> Result<(), ConsoleError> {
    let text = serde_json::to_string_pretty(value).map_err(|error| ConsoleError::Remote(error.to_string()))?;
    println!("{text}");
    Ok(())
}

fn print_created(created: &CreatedToken, json: bool) -> Result<(), ConsoleError> {
    if json {
        return print_json(created);
    }
    eprintln!(
        "token {} ({}) for terminal {}; it is shown only now",
        created.summary.id, created.summary.name, created.summary.terminal_id
    );
    println!("{}", created.token);
    Ok(())
}

/// How a management command reaches the console.
enum Backend {
    Offline(Console, UserId),
    Online { client: reqwest::Client, url: String, api_key: String },
}

impl Backend {
    fn new(base: ConsoleConfig, target: &Target) -> Result<Backend, ConsoleError> {
        if target.offline {
            let email = target.email.as_deref().ok_or_else(|| {
                ConsoleError::invalid("missing_email", "email", "--offline needs --email to pick the user")
            })?;
            let console = Console::open(base)?;
            let user = console.user_by_email(email)?;
            return Ok(Backend::Offline(console, user));
        }
        let api_key = target.api_key.clone().ok_or_else(|| {
            ConsoleError::invalid(
                "missing_api_key",
                "api_key",
                "give --api-key (or METAAPI_CONSOLE_API_KEY), or use --offline",
            )
        })?;
        Ok(Backend::Online {
            client: reqwest::Client::new(),
            url: target.url.trim_end_matches('/').to_owned(),
            api_key,
        })
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<Option<T>, ConsoleError> {
        let Backend::Online { client, url, api_key } = self else {
            return Err(ConsoleError::Remote("not an online backend".into()));
        };
        let mut request = client.request(method, format!("{url}{path}")).bearer_auth(api_key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|error| ConsoleError::Remote(format!("console at {url} unreachable: {error}")))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|error| ConsoleError::Remote(error.to_string()))?;
        if !status.is_success() {
            let detail = serde_json::from_slice::<metaapi_protocol::console::ConsoleError>(&bytes)
                .map(|body| format!("{}: {}", body.error, body.message))
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
            return Err(ConsoleError::Remote(format!("console answered {status}: {detail}")));
        }
        if bytes.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|error| ConsoleError::Remote(format!("unexpected answer: {error}")))
    }

    async fn get<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T, ConsoleError> {
        self.call(method, path, body).await?.ok_or_else(|| ConsoleError::Remote("empty answer".into()))
    }
}

fn to_value<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// The configuration every command starts from: data directory, database and pool limits.
fn base_config(cli: &Cli) -> ConsoleConfig {
    let mut config = ConsoleConfig::new(&cli.data_dir);
    config.database_url = cli.database_url.clone().map(crate::store::DatabaseUrl);
    config.pool = crate::store::PoolLimits {
        max_connections: cli.pool_max_connections,
        acquire_timeout: cli.pool_acquire_timeout,
    };
    config
}

/// Runs a parsed command line. `serve` runs until it is asked to stop ([`crate::platform::shutdown_signal`]).
pub async fn run(cli: Cli) -> Result<(), ConsoleError> {
    use reqwest::Method;
    let base = base_config(&cli);
    match cli.command {
        Command::Serve(options) => {
            let mut config = base.clone();
            config.verdict_ttl = options.verdict_ttl;
            config.allowed_hosts.extend(options.allow_host);
            config.gateway_url = options.gateway_url;
            config.revocation_retention = options.revocation_retention;
            let console = Console::open(config)?;
            let listener = tokio::net::TcpListener::bind(options.listen).await?;
            // Scripts that pass port 0 learn the real port from this line.
            println!("listening on http://{}", listener.local_addr()?);
            console.serve(listener, crate::platform::shutdown_signal()).await
        }
        Command::Init { email, password, auto_approve } => {
            let console = Console::open(base.clone())?;
            let user = console.create_user(&email, &password)?;
            if auto_approve {
                console.update_account(
                    &user,
                    &UpdateAccountRequest { auto_approve_devices: Some(true), ..Default::default() },
                )?;
            }
            let key = console.create_api_key(&user)?;
            eprintln!("user {email} created; the API key is shown only now");
            println!("{key}");
            Ok(())
        }
        Command::ApiKey { email } => {
            let console = Console::open(base.clone())?;
            let user = console.user_by_email(&email)?;
            println!("{}", console.create_api_key(&user)?);
            Ok(())
        }
        Command::Token { target, command } => {
            let backend = Backend::new(base.clone(), &target)?;
            match command {
                TokenCommand::Create { name, expires_in, expires_at, json } => {
                    let request = CreateTokenRequest { name, expires_at: expires_at.or(expires_in.map(after)) };
                    let created: CreatedToken = match &backend {
                        Backend::Offline(console, user) => console.create_token(user, &request)?,
                        online => online.get(Method::POST, "/api/v1/tokens", to_value(&request)).await?,
                    };
                    print_created(&created, json)
                }
                TokenCommand::List => {
                    let list: TokenList = match &backend {
                        Backend::Offline(console, user) => console.list_tokens(user)?,
                        online => online.get(Method::GET, "/api/v1/tokens", None).await?,
                    };
                    print_json(&list)
                }
                TokenCommand::Delete { id } => {
                    match &backend {
                        Backend::Offline(console, user) => drop(console.delete_token(user, &id)?),
                        online => drop(
                            online
                                .call::<serde_json::Value>(Method::DELETE, &format!("/api/v1/tokens/{id}"), None)
                                .await?,
                        ),
                    }
                    eprintln!("token {id} deleted");
                    Ok(())
                }
                TokenCommand::Replace { id, json } => {
                    let created: CreatedToken = match &backend {
                        Backend::Offline(console, user) => console.replace_token(user, &id)?,
                        online => online.get(Method::POST, &format!("/api/v1/tokens/{id}/replace"), None).await?,
                    };
                    print_created(&created, json)
                }
            }
        }
        Command::Device { target, command } => {
            let backend = Backend::new(base.clone(), &target)?;
            match command {
                DeviceCommand::List => {
                    let list: DeviceList = match &backend {
                        Backend::Offline(console, user) => console.list_devices(user)?,
                        online => online.get(Method::GET, "/api/v1/devices", None).await?,
                    };
                    print_json(&list)
                }
                DeviceCommand::Approve { ref id } | DeviceCommand::Revoke { ref id } => {
                    let approve = matches!(command, DeviceCommand::Approve { .. });
                    let id = id.clone();
                    let device: Device = match &backend {
                        Backend::Offline(console, user) if approve => console.approve_device(user, &id)?,
                        Backend::Offline(console, user) => console.revoke_device(user, &id)?,
                        online => {
                            let verb = if approve { "approve" } else { "revoke" };
                            online.get(Method::POST, &format!("/api/v1/devices/{id}/{verb}"), None).await?
                        }
                    };
                    print_json(&device)
                }
            }
        }
        Command::Account { target, command } => {
            let backend = Backend::new(base.clone(), &target)?;
            let status: AccountStatus = match command {
                AccountCommand::Show => match &backend {
                    Backend::Offline(console, user) => console.account(user)?,
                    online => online.get(Method::GET, "/api/v1/account", None).await?,
                },
                AccountCommand::Set { disabled, expires_at, expires_in, clear_expiry, auto_approve } => {
                    let request = UpdateAccountRequest {
                        disabled,
                        expires_at: expires_at.or(expires_in.map(after)),
                        clear_expiry,
                        auto_approve_devices: auto_approve,
                    };
                    match &backend {
                        Backend::Offline(console, user) => console.update_account(user, &request)?,
                        online => online.get(Method::PATCH, "/api/v1/account", to_value(&request)).await?,
                    }
                }
            };
            print_json(&status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("5y").is_err());
    }

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("1700000000000").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_time("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(parse_time("2023-11-14T22:13:20Z").unwrap(), 1_700_000_000_000);
        assert_eq!(parse_time("2023-11-15T00:13:20.5+02:00").unwrap(), 1_700_000_000_500);
        assert_eq!(parse_time("2000-02-29T00:00:00Z").unwrap(), 951_782_400_000);
        assert!(parse_time("2023-13-01T00:00:00Z").is_err());
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("2023-11-14T22:13:20").is_err(), "an offset is required");
    }
}
