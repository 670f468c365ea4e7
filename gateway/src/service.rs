//! `metaapi-gateway service install|uninstall` on Windows: the gateway as a Windows service, so it runs from boot
//! without a console window, as Windows users expect of a background server.
//!
//! `install` registers the running executable with the service manager, with the gateway options given after it and
//! an absolute data directory (the installing user's, so the device id stays the same), to be started as
//! `metaapi-gateway service run <options>`. A service has no console, so `run` logs to `gateway.log` in the data
//! directory and stops when the service manager says so.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use windows_service::service::{
    ServiceAccess, ServiceControl, ServiceControlAccept, ServiceErrorControl, ServiceExitCode, ServiceInfo,
    ServiceStartType, ServiceState, ServiceStatus, ServiceType,
};
use windows_service::service_control_handler::{self, ServiceControlHandlerResult};
use windows_service::service_dispatcher;
use windows_service::service_manager::{ServiceManager, ServiceManagerAccess};

use crate::cli::{Cli, ServiceCommand};

/// The service's name for `sc` and `net`.
pub const SERVICE_NAME: &str = "MetaApiGateway";
const DISPLAY_NAME: &str = "MetaAPI local gateway";
/// The log file a running service writes in its data directory.
pub const LOG_FILE: &str = "gateway.log";

/// Runs a `service` subcommand.
pub fn main(command: ServiceCommand) -> anyhow::Result<()> {
    match command {
        ServiceCommand::Install { options } => install(options),
        ServiceCommand::Uninstall => uninstall(),
        ServiceCommand::Run { options } => {
            OPTIONS.set(options).expect("run starts once");
            service_dispatcher::start(SERVICE_NAME, ffi_service_main).map_err(|error| {
                anyhow::anyhow!(
                    "`service run` is started by the service manager, not by hand (start the gateway without \
                     `service run` instead): {error}"
                )
            })
        }
    }
}

/// The options `service run` was started with, for the service's main function.
static OPTIONS: OnceLock<Vec<OsString>> = OnceLock::new();

windows_service::define_windows_service!(ffi_service_main, service_main);

fn service_main(_start_arguments: Vec<OsString>) {
    if let Err(error) = run_service() {
        tracing::error!("the gateway service failed: {error:#}");
    }
}

fn run_service() -> anyhow::Result<()> {
    let options = OPTIONS.get().cloned().unwrap_or_default();
    let cli = Cli::try_parse_from(std::iter::once(OsString::from("metaapi-gateway")).chain(options))?;
    let data_dir = cli.serve.data_dir.clone();
    std::fs::create_dir_all(&data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let log_path = data_dir.join(LOG_FILE);
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,warp::filters::trace=off".into());
    let logger = tracing_subscriber::fmt().with_env_filter(filter).with_writer(Mutex::new(log)).with_ansi(false);
    // The gateway's own setup in `run` finds this subscriber in place and keeps it.
    if cli.serve.json_logs { logger.json().try_init() } else { logger.try_init() }
        .map_err(|error| anyhow::anyhow!("cannot set up logging: {error}"))?;

    let (stop_sender, mut stop_receiver) = tokio::sync::watch::channel(false);
    let status = service_control_handler::register(SERVICE_NAME, move |control| match control {
        ServiceControl::Stop | ServiceControl::Shutdown => {
            let _ = stop_sender.send(true);
            ServiceControlHandlerResult::NoError
        }
        ServiceControl::Interrogate => ServiceControlHandlerResult::NoError,
        _ => ServiceControlHandlerResult::NotImplemented,
    })?;
    let report = |state: ServiceState, exit_code: u32| {
        status.set_service_status(ServiceStatus {
            service_type: ServiceType::OWN_PROCESS,
            current_state: state,
            controls_accepted: if state == ServiceState::Running {
                ServiceControlAccept::STOP | ServiceControlAccept::SHUTDOWN
            } else {
                ServiceControlAccept::empty()
            },
            exit_code: ServiceExitCode::Win32(exit_code),
            checkpoint: 0,
            wait_hint: Duration::from_secs(10),
            process_id: None,
        })
    };
    report(ServiceState::Running, 0)?;
    let stopped = async move {
        let _ = stop_receiver.wait_for(|stop| *stop).await;
        tracing::info!("service stop requested");
    };
    let result = metaapi_gateway_core::runtime::builder(usize::from(cli.workers))
        .build()
        .context("cannot start the async runtime")
        .and_then(|runtime| runtime.block_on(crate::run::run(cli, stopped)));
    if let Err(error) = &result {
        tracing::error!("the gateway stopped: {error:#}");
    }
    // ERROR_SERVICE_SPECIFIC_ERROR's cousin for "it failed": a non-zero Win32 code shows in `sc query`.
    report(ServiceState::Stopped, if result.is_ok() { 0 } else { 1 })?;
    result
}

fn install(options: Vec<OsString>) -> anyhow::Result<()> {
    // The options are parsed now, so a typo fails here instead of at the next boot.
    let cli = Cli::try_parse_from(std::iter::once(OsString::from("metaapi-gateway")).chain(options.iter().cloned()))
        .unwrap_or_else(|error| error.exit());
    if cli.command.is_some() {
        bail!("`service install` takes the gateway's options, not another command");
    }
    let (launch_arguments, data_dir) = launch_arguments(&options, &cli.serve.data_dir)?;
    let manager = ServiceManager::local_computer(
        None::<&str>,
        ServiceManagerAccess::CONNECT | ServiceManagerAccess::CREATE_SERVICE,
    )
    .map_err(explain)?;
    let info = ServiceInfo {
        name: SERVICE_NAME.into(),
        display_name: DISPLAY_NAME.into(),
        service_type: ServiceType::OWN_PROCESS,
        start_type: ServiceStartType::AutoStart,
        error_control: ServiceErrorControl::Normal,
        executable_path: std::env::current_exe().context("cannot find this program's path")?,
        launch_arguments,
        dependencies: Vec::new(),
        // LocalSystem: the gateway needs no more than a loopback port and its data directory.
        account_name: None,
        account_password: None,
    };
    let service = manager.create_service(&info, ServiceAccess::CHANGE_CONFIG).map_err(explain)?;
    service
        .set_description(format!(
            "Serves the MetaAPI local API to your programs and links MetaTrader terminals. Log: {}",
            data_dir.join(LOG_FILE).display()
        ))
        .map_err(explain)?;
    println!("installed the {SERVICE_NAME} service; it starts with Windows");
    println!("start it now:  sc start {SERVICE_NAME}");
    println!("its log:       {}", data_dir.join(LOG_FILE).display());
    Ok(())
}

/// `service run`, the options, and an absolute `--data-dir` (the service's working folder is the system's, so a
/// relative one would land there; and the installing user's default keeps the same device id). Returns the
/// arguments and that directory.
fn launch_arguments(options: &[OsString], data_dir: &Path) -> anyhow::Result<(Vec<OsString>, PathBuf)> {
    let mut arguments: Vec<OsString> = vec!["service".into(), "run".into()];
    arguments.extend(options.iter().cloned());
    let given = options.iter().any(|option| {
        let option = option.to_string_lossy();
        option == "--data-dir" || option.starts_with("--data-dir=")
    });
    if given {
        if !data_dir.is_absolute() {
            bail!("give --data-dir as an absolute path: a service does not start in this folder");
        }
        return Ok((arguments, data_dir.to_path_buf()));
    }
    let absolute = std::path::absolute(data_dir).context("cannot resolve the data directory")?;
    arguments.push("--data-dir".into());
    arguments.push(absolute.clone().into());
    Ok((arguments, absolute))
}

fn uninstall() -> anyhow::Result<()> {
    let manager = ServiceManager::local_computer(None::<&str>, ServiceManagerAccess::CONNECT).map_err(explain)?;
    let service = manager
        .open_service(SERVICE_NAME, ServiceAccess::QUERY_STATUS | ServiceAccess::STOP | ServiceAccess::DELETE)
        .map_err(explain)?;
    if service.query_status().map_err(explain)?.current_state != ServiceState::Stopped {
        service.stop().map_err(explain)?;
        let until = Instant::now() + Duration::from_secs(30);
        while service.query_status().map_err(explain)?.current_state != ServiceState::Stopped {
            if Instant::now() > until {
                bail!("the {SERVICE_NAME} service did not stop within 30 seconds; try again");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    service.delete().map_err(explain)?;
    println!("removed the {SERVICE_NAME} service");
    Ok(())
}

/// The service manager's errors in the words a trader can act on.
fn explain(error: windows_service::Error) -> anyhow::Error {
    const ACCESS_DENIED: i32 = 5;
    const SERVICE_DOES_NOT_EXIST: i32 = 1060;
    const SERVICE_EXISTS: i32 = 1073;
    let code = match &error {
        windows_service::Error::Winapi(io) => io.raw_os_error(),
        _ => None,
    };
    match code {
        Some(ACCESS_DENIED) => anyhow::anyhow!("access denied: run this from a Command Prompt opened as administrator"),
        Some(SERVICE_DOES_NOT_EXIST) => anyhow::anyhow!("the {SERVICE_NAME} service is not installed"),
        Some(SERVICE_EXISTS) => {
            anyhow::anyhow!("the {SERVICE_NAME} service is already installed; `service uninstall` it first")
        }
        _ => anyhow::Error::new(error).context("the Windows service manager refused"),
    }
}
