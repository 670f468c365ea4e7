//! Runs what the command line asked for: the gateway on its flags, or the demo's whole stack. `main` and the
//! Windows service both call it, each with its own stop signal.

use std::time::Duration;

use anyhow::Context;
use metaapi_console::platform::shutdown_signal;
use metaapi_gateway_core::{GatewayConfig, serve};

use crate::cli::{Cli, Command, DemoArgs};

/// Runs the gateway (or the demo) until `shutdown` completes: Ctrl-C and the like, or the Windows service manager.
pub(crate) async fn run(cli: Cli, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let args = cli.serve;
    // warp's request tracing logs every request at info (and every refusal at warn): at thousands of calls a
    // second that is a line and a write per call, and a flood for anyone guessing tokens. It stays available
    // through RUST_LOG (`warp::filters::trace=info`). The demo prints its own banner, so it logs warnings only.
    let default_level =
        if cli.command.is_some() { "warn,warp::filters::trace=off" } else { "info,warp::filters::trace=off" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_level.into());
    // A subscriber set up before (the Windows service's log file) stays.
    let _ = if args.json_logs {
        tracing_subscriber::fmt().with_env_filter(filter).json().try_init()
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).try_init()
    };
    if let Some(Command::Demo(demo)) = cli.command {
        return run_demo(demo).await;
    }
    let mut config = GatewayConfig::new(args.console_url, args.data_dir);
    config.max_body_bytes = args.max_body_bytes;
    config.max_batch = args.max_batch;
    config.max_ws_message_bytes = args.max_ws_message_bytes;
    config.link_max_message_bytes = args.link_max_message_bytes;
    config.pickup_timeout = Duration::from_millis(args.pickup_timeout_ms);
    config.reply_timeout = Duration::from_millis(args.reply_timeout_ms);
    config.grace_period = Duration::from_secs(args.grace_period_s);
    config.ws_queue = args.ws_queue;
    config.max_subscriptions_per_connection = args.max_subscriptions_per_connection;
    config.max_subscriptions_per_token = args.max_subscriptions_per_token;
    config.console_timeout = Duration::from_millis(args.console_timeout_ms);
    config.auth_fail_limit = args.auth_fail_limit;
    config.auth_fail_delay = Duration::from_millis(args.auth_fail_delay_ms);
    config.header_read_timeout = Duration::from_millis(args.header_read_timeout_ms);
    config.allowed_hosts = args.allowed_hosts;
    config.allowed_origins = args.allowed_origins;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    serve(listener, config, shutdown).await.context("gateway failed")
}

async fn run_demo(args: DemoArgs) -> anyhow::Result<()> {
    use metaapi_demo::{Demo, DemoConfig, mode_name};
    use metaapi_terminal_sim::Mode;

    let mut config = DemoConfig::new(args.listen);
    config.console_listen = args.console_listen;
    config.data_dir = args.data_dir;
    config.seed = args.seed;
    config.realtime = !args.virtual_clock;
    let others = [Mode::Mt4, Mode::Mt5Netting];
    config.terminals =
        (0..args.terminals.max(1)).map(|index| if index == 0 { args.mode } else { others[(index - 1) % 2] }).collect();
    println!("starting the console, the gateway and {} simulated terminal(s)...", config.terminals.len());
    let demo = Demo::start(config).await.context("the demo could not start")?;

    println!();
    println!("gateway   {}   (POST /rpc, GET /ws)", demo.url);
    println!("console   {}   (sign in as {} / {})", demo.console_url, demo.email, demo.password);
    for terminal in &demo.terminals {
        println!("terminal  {:<12} token {}", mode_name(terminal.mode), terminal.token);
    }
    let token = &demo.terminals[0].token;
    println!();
    println!("try it:");
    println!(
        "  curl -s {}/rpc -H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' \\\n    -d '{{\"jsonrpc\":\"2.0\",\"id\":\"account-1\",\"method\":\"get_account_info\",\"params\":{{}}}}'",
        demo.url
    );
    println!("  METAAPI_URL={} METAAPI_TOKEN={token} cargo run -p metaapi-examples --bin account_info", demo.url);
    println!();
    println!("Ctrl-C stops everything.");
    if let Some(path) = args.ready_file {
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, serde_json::to_vec_pretty(&demo.ready_json())?)
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        std::fs::rename(&temporary, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    shutdown_signal().await;
    println!("stopping...");
    demo.stop().await;
    Ok(())
}
