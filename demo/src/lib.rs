//! The demo stack: an embedded console, the gateway and simulated terminals driving the real bridge, in one process.
//!
//! A crate of its own so that the gateway library depends on neither the console nor the simulator: only the
//! `metaapi-gateway` binary (for its `demo` subcommand) and the test suites pull this in.
//!
//! `metaapi-gateway demo` runs it for people; the end-to-end tests, the examples' tests and the benchmarks start it
//! in-process with [`Demo::start`]. Every part is the real one: the console on its own SQLite file, the gateway on a
//! loopback port, and each terminal a `terminal-sim` EA loop calling the bridge's `mtb_*` exports, linked to the
//! gateway over `/terminal` exactly as the DLL inside MetaTrader is.

#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use metaapi_console::{Console, ConsoleConfig, UserId};
use metaapi_protocol::console::{CreateTokenRequest, TokenStatus, UpdateAccountRequest};
use metaapi_protocol::types::TimeMs;
use metaapi_terminal_sim::{BridgeAbi, Mode, SimConfig, SimHandle, SimScale};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use metaapi_gateway_core::{GatewayConfig, GatewayError};

/// What to start.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Gateway address; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Console address; port 0 picks a free one.
    pub console_listen: SocketAddr,
    /// Where the console database and the gateway state live; a fresh temporary directory when `None`.
    pub data_dir: Option<PathBuf>,
    /// One simulated terminal per entry, each with its own token.
    pub terminals: Vec<Mode>,
    /// Seed of the simulated price feeds (terminal `i` uses `seed + i`).
    pub seed: u64,
    /// Extra symbols and trade history for every simulated terminal (tests of the largest lists).
    pub scale: SimScale,
    /// The gateway's [`GatewayConfig::link_max_message_bytes`] (tests of the reply size check).
    pub link_max_message_bytes: usize,
    /// Follow the wall clock (for people); otherwise simulated time starts on a Monday morning and advances with
    /// each EA loop turn, which makes tests independent of the calendar.
    pub realtime: bool,
}

impl DemoConfig {
    /// One MT5 hedging terminal on `listen`, virtual clock, seed 1.
    pub fn new(listen: SocketAddr) -> DemoConfig {
        DemoConfig {
            listen,
            console_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            terminals: vec![Mode::Mt5Hedging],
            seed: 1,
            scale: SimScale::default(),
            link_max_message_bytes: metaapi_protocol::link::DEFAULT_LINK_MAX_MESSAGE_BYTES as usize,
            realtime: false,
        }
    }
}

/// One simulated terminal of the demo.
#[derive(Debug)]
pub struct DemoTerminal {
    /// Its mode.
    pub mode: Mode,
    /// The auth token pasted into its (simulated) EA.
    pub token: String,
    /// The console's id of that token.
    pub token_id: String,
    sim: Option<SimHandle>,
}

impl DemoTerminal {
    /// The bridge session its simulated EA started (for `mtb_status` in tests); `None` once stopped.
    pub fn bridge_session(&self) -> Option<i64> {
        self.sim.as_ref().map(SimHandle::session)
    }

    /// Its EA's successful `MarketBookAdd` and `MarketBookRelease` calls so far (tests of the book's release).
    pub fn book_calls(&self) -> (u64, u64) {
        self.sim.as_ref().map_or((0, 0), SimHandle::book_calls)
    }
}

/// The running stack. Stop it with [`Demo::stop`]; dropping it stops it too, less politely.
#[derive(Debug)]
pub struct Demo {
    /// Base URL of the gateway, for example `http://127.0.0.1:6000`.
    pub url: String,
    /// Base URL of the console.
    pub console_url: String,
    /// Console sign-in email.
    pub email: String,
    /// Console sign-in password: random when the data directory is new, then kept with it.
    pub password: String,
    /// A console API key for management calls.
    pub api_key: String,
    /// The console, for in-process management.
    pub console: Console,
    /// The console user owning every token.
    pub user: UserId,
    /// The simulated terminals.
    pub terminals: Vec<DemoTerminal>,
    gateway_address: SocketAddr,
    saved: SavedSecrets,
    saved_path: PathBuf,
    seed: u64,
    scale: SimScale,
    realtime: bool,
    stop: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
    _temporary: Option<tempfile::TempDir>,
}

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// A port could not be bound or a directory created.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The console failed.
    #[error("console: {0}")]
    Console(#[from] metaapi_console::ConsoleError),
    /// The gateway's configuration was refused.
    #[error("gateway: {0}")]
    Gateway(#[from] GatewayError),
    /// A simulated terminal could not start.
    #[error("terminal: {0}")]
    Terminal(#[from] metaapi_terminal_sim::SimError),
    /// A terminal did not come online in time.
    #[error("{0}")]
    NotReady(String),
    /// The data directory holds a demo console whose sign-in this demo cannot give.
    #[error("{0}")]
    DataDir(String),
}

/// What the demo keeps in its data directory, so that a restart on it prints a password that signs in and links
/// its terminals with the tokens it made before instead of minting more. The console keeps only hashes, so these
/// are the demo's own copies, in a file only its owner reads (like the `--ready-file`).
#[derive(Default, Serialize, Deserialize)]
struct SavedSecrets {
    password: Option<String>,
    api_key: Option<String>,
    /// The token of terminal `i` at index `i`.
    #[serde(default)]
    tokens: Vec<SavedToken>,
}

#[derive(Clone, Serialize, Deserialize)]
struct SavedToken {
    token_id: String,
    token: String,
}

impl std::fmt::Debug for SavedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SavedSecrets").field("tokens", &self.tokens.len()).finish_non_exhaustive()
    }
}

/// The file of [`SavedSecrets`] in a demo data directory.
const SAVED_SECRETS_FILE: &str = "demo-secrets.json";

impl SavedSecrets {
    fn load(path: &Path) -> Result<SavedSecrets, DemoError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|error| DemoError::DataDir(format!("{} is not readable: {error}", path.display()))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(SavedSecrets::default()),
            Err(error) => Err(error.into()),
        }
    }

    /// Writes the file whole (a temporary file renamed over it), readable by its owner only.
    fn save(&self, path: &Path) -> Result<(), DemoError> {
        let temporary = path.with_extension("tmp");
        let bytes = serde_json::to_vec_pretty(self).map_err(|error| DemoError::DataDir(error.to_string()))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        std::io::Write::write_all(&mut options.open(&temporary)?, &bytes)?;
        std::fs::rename(&temporary, path)?;
        Ok(())
    }
}

impl Demo {
    /// Starts the console, the gateway and every terminal, and returns once each terminal answers through the
    /// gateway.
    pub async fn start(config: DemoConfig) -> Result<Demo, DemoError> {
        let (temporary, data_dir) = match config.data_dir.clone() {
            Some(directory) => (None, directory),
            None => {
                let directory = tempfile::Builder::new().prefix("metaapi-demo-").tempdir()?;
                let path = directory.path().to_path_buf();
                (Some(directory), path)
            }
        };
        std::fs::create_dir_all(data_dir.join("console"))?;
        std::fs::create_dir_all(data_dir.join("gateway"))?;

        let stop = CancellationToken::new();
        let mut tasks = Vec::new();

        // The gateway's port is taken first: the console's page shows it in the snippet a new token comes with.
        let gateway_listener = tokio::net::TcpListener::bind(config.listen).await?;
        let gateway_address = gateway_listener.local_addr()?;
        let url = format!("http://{gateway_address}");
        let mut console_config = ConsoleConfig::new(data_dir.join("console"));
        console_config.gateway_url = url.clone();
        let console = Console::open(console_config)?;
        let email = "demo@localhost".to_owned();
        let saved_path = data_dir.join(SAVED_SECRETS_FILE);
        let mut saved = SavedSecrets::load(&saved_path)?;
        let (user, password) = match (console.user_by_email(&email), saved.password.clone()) {
            (Ok(user), Some(password)) => (user, password),
            (Ok(_), None) => {
                return Err(DemoError::DataDir(format!(
                    "{} holds a demo console whose password was not kept (an older demo made it); \
                     start with a fresh --data-dir",
                    data_dir.display()
                )));
            }
            (Err(_), _) => {
                let password = random_password();
                let user = console.create_user(&email, &password)?;
                saved = SavedSecrets { password: Some(password.clone()), ..SavedSecrets::default() };
                saved.save(&saved_path)?;
                (user, password)
            }
        };
        let api_key = match saved.api_key.clone() {
            Some(key) if console.authenticate_api_key(&key).is_ok_and(|owner| owner == user) => key,
            _ => {
                let key = console.create_api_key(&user)?;
                saved.api_key = Some(key.clone());
                saved.save(&saved_path)?;
                key
            }
        };
        let update = UpdateAccountRequest { auto_approve_devices: Some(true), ..UpdateAccountRequest::default() };
        console.update_account(&user, &update)?;
        let console_listener = tokio::net::TcpListener::bind(config.console_listen).await?;
        let console_url = format!("http://{}", console_listener.local_addr()?);
        let console_stop = stop.clone();
        let serving = console.clone();
        tasks.push(tokio::spawn(async move {
            if let Err(error) = serving.serve(console_listener, console_stop.cancelled_owned()).await {
                tracing::error!(%error, "demo console stopped");
            }
        }));

        let mut gateway_config = GatewayConfig::new(console_url.clone(), data_dir.join("gateway"));
        gateway_config.link_max_message_bytes = config.link_max_message_bytes;
        gateway_config.validate()?;
        let gateway_stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            if let Err(error) =
                metaapi_gateway_core::serve(gateway_listener, gateway_config, gateway_stop.cancelled_owned()).await
            {
                tracing::error!(%error, "demo gateway stopped");
            }
        }));

        let mut demo = Demo {
            url,
            console_url,
            email,
            password,
            api_key,
            console,
            user,
            terminals: Vec::new(),
            gateway_address,
            saved,
            saved_path,
            seed: config.seed,
            scale: config.scale,
            realtime: config.realtime,
            stop,
            tasks,
            _temporary: temporary,
        };
        for mode in config.terminals {
            demo.add_terminal(mode).await?;
        }
        Ok(demo)
    }

    /// Starts a simulated terminal with the token this data directory's demo made for its place, or with a new
    /// token named after `mode` when there is none still active, and waits until it answers.
    pub async fn add_terminal(&mut self, mode: Mode) -> Result<&DemoTerminal, DemoError> {
        let index = self.terminals.len();
        let token = self.token_for(index, mode)?;
        let sim = self.start_sim(mode, index as u64, &token.token)?;
        self.terminals.push(DemoTerminal { mode, token: token.token, token_id: token.token_id, sim: Some(sim) });
        let terminal = &self.terminals[index];
        wait_until_online(&self.url, &terminal.token).await?;
        Ok(terminal)
    }

    /// The saved token of terminal `index` if the console still has it active, else a new one, saved.
    fn token_for(&mut self, index: usize, mode: Mode) -> Result<SavedToken, DemoError> {
        if let Some(saved) = self.saved.tokens.get(index) {
            let listed = self.console.list_tokens(&self.user)?;
            let active =
                listed.tokens.iter().any(|token| token.id == saved.token_id && token.status == TokenStatus::Active);
            if active {
                return Ok(saved.clone());
            }
        }
        let name = format!("{}-Demo-{}", if mode == Mode::Mt4 { "MT4" } else { "MT5" }, index + 1);
        let created = self.console.create_token(&self.user, &CreateTokenRequest { name, expires_at: None })?;
        let token = SavedToken { token_id: created.summary.id, token: created.token };
        match self.saved.tokens.get_mut(index) {
            Some(slot) => *slot = token.clone(),
            None => self.saved.tokens.push(token.clone()),
        }
        self.saved.save(&self.saved_path)?;
        Ok(token)
    }

    /// Starts a simulated terminal for an existing `token` (for flows where the token comes from elsewhere).
    pub fn start_sim(&self, mode: Mode, index: u64, token: &str) -> Result<SimHandle, DemoError> {
        let config = SimConfig {
            mode,
            seed: self.seed + index,
            realtime: self.realtime,
            gateway_url: format!("ws://{}/terminal", self.gateway_address),
            token: token.to_owned(),
            start_time: if self.realtime { trading_start(mode, metaapi_protocol::time::now_ms()) } else { None },
            scale: self.scale,
        };
        Ok(metaapi_terminal_sim::start(BridgeAbi::linked(), config)?)
    }

    /// The facts a test suite in another language needs, as written to `--ready-file`.
    pub fn ready_json(&self) -> Value {
        json!({
            "url": self.url,
            "token": self.terminals.first().map(|terminal| terminal.token.as_str()),
            "tokens": self.terminals.iter().map(|terminal| terminal.token.as_str()).collect::<Vec<_>>(),
            "console_url": self.console_url,
            "api_key": self.api_key,
            "email": self.email,
            "password": self.password,
            "mode": self.terminals.first().map(|terminal| mode_name(terminal.mode)),
        })
    }

    /// Stops the terminals, then the gateway and the console.
    pub async fn stop(mut self) {
        self.shutdown();
        for task in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    fn shutdown(&mut self) {
        for terminal in &mut self.terminals {
            if let Some(sim) = terminal.sim.take() {
                sim.stop();
            }
        }
        self.stop.cancel();
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The CLI name of a mode (`mt5-hedging`, `mt5-netting`, `mt4`).
pub fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Mt5Hedging => "mt5-hedging",
        Mode::Mt5Netting => "mt5-netting",
        Mode::Mt4 => "mt4",
    }
}

/// Reads a mode from its CLI name.
pub fn parse_mode(name: &str) -> Result<Mode, String> {
    Mode::ALL
        .into_iter()
        .find(|mode| mode_name(*mode) == name)
        .ok_or_else(|| format!("unknown mode {name:?}; use mt5-hedging, mt5-netting or mt4"))
}

/// A random password for the demo's console user.
fn random_password() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Where a demo's realtime clock starts when `now` will not do. Markets in the simulator keep the broker's hours, as
/// in MetaTrader: closed from Friday midnight to Monday on the broker's clock (UTC+2, UTC+3 in US daylight saving
/// time). A demo started while the demo's symbol (EURUSD) does not trade, or stops within the hour, runs from the
/// same time of day on the nearest earlier day when it trades for the next hour, so it can trade at once. `None`: it
/// starts at `now`.
pub fn trading_start(mode: Mode, now: TimeMs) -> Option<TimeMs> {
    const DAY_MS: TimeMs = 86_400_000;
    const STEP_MS: TimeMs = 5 * 60_000;
    let catalogue = metaapi_terminal_sim::symbols::catalogue(mode);
    let symbol = catalogue.iter().find(|instrument| instrument.spec.symbol == "EURUSD")?;
    let trades_for_an_hour = |start: TimeMs| {
        (0..=12).all(|step| symbol.trading(metaapi_terminal_sim::time::to_broker(start + step * STEP_MS)))
    };
    (0..7).map(|days| now - days * DAY_MS).find(|&start| trades_for_an_hour(start)).filter(|&start| start != now)
}

/// Polls `get_account_info` with the token until the terminal answers (10 s at most).
async fn wait_until_online(url: &str, token: &str) -> Result<(), DemoError> {
    let client =
        reqwest::Client::builder().no_proxy().build().map_err(|error| DemoError::NotReady(error.to_string()))?;
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "get_account_info", "params": {}});
    let mut last = String::from("no answer");
    for _ in 0..200 {
        let answer = client.post(format!("{url}/rpc")).bearer_auth(token).json(&body).send().await;
        match answer {
            Ok(response) => match response.json::<Value>().await {
                Ok(value) if value.get("result").is_some() => return Ok(()),
                Ok(value) => last = value.to_string(),
                Err(error) => last = error.to_string(),
            },
            Err(error) => last = error.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(DemoError::NotReady(format!("the simulated terminal did not come online: {last}")))
}
