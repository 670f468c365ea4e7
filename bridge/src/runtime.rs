//! The process-wide parts: the registry of sessions keyed by handle, and the one background I/O thread with its
//! tokio runtime, created with the first session and torn down (bounded) with the last.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::config::StartConfig;
use crate::ffi::PANICS;
use crate::session::{LinkState, Session};
use crate::status::{BridgeError, BridgeResult};

/// How long `mtb_stop` of the last session waits for the I/O thread (its final flush included).
const STOP_BUDGET: Duration = Duration::from_millis(100);

struct Io {
    handle: tokio::runtime::Handle,
    stop: tokio::sync::oneshot::Sender<()>,
    // Every link task holds a clone; when all are gone the runtime may stop without cutting a final flush.
    alive: tokio::sync::mpsc::Sender<()>,
    done: std::sync::mpsc::Receiver<()>,
    thread: std::thread::JoinHandle<()>,
}

struct Global {
    sessions: BTreeMap<i64, Arc<Session>>,
    next_handle: i64,
    io: Option<Io>,
}

static GLOBAL: Mutex<Global> = Mutex::new(Global { sessions: BTreeMap::new(), next_handle: 0, io: None });

fn global() -> MutexGuard<'static, Global> {
    GLOBAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn start_io() -> BridgeResult<Io> {
    let (handle_tx, handle_rx) = std::sync::mpsc::channel();
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (alive, mut alive_rx) = tokio::sync::mpsc::channel::<()>(1);
    let (done_tx, done) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("metaapi-bridge-io".into())
        .spawn(move || {
            // A current-thread runtime keeps the footprint small (MT4 is a 32-bit process) and lets the thread
            // own and drop it, so no runtime is ever dropped inside the caller's async context.
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            match runtime {
                Ok(runtime) => {
                    let _ = handle_tx.send(Ok(runtime.handle().clone()));
                    runtime.block_on(async move {
                        let _ = stop_rx.await;
                        // Link tasks finish their final flush; `recv` ends when the last one drops its sender.
                        let _ = tokio::time::timeout(Duration::from_millis(80), alive_rx.recv()).await;
                    });
                    drop(runtime);
                }
                Err(error) => {
                    let _ = handle_tx.send(Err(error.to_string()));
                }
            }
            let _ = done_tx.send(());
        })
        .map_err(|error| BridgeError::Panic(format!("cannot start the I/O thread: {error}")))?;
    let handle = handle_rx
        .recv()
        .map_err(|_| BridgeError::Panic("the I/O thread ended before starting its runtime".into()))?
        .map_err(|error| BridgeError::Panic(format!("cannot build the I/O runtime: {error}")))?;
    Ok(Io { handle, stop, alive, done, thread })
}

/// Starts a session and its link task; returns its handle.
pub fn start_session(config: StartConfig) -> BridgeResult<i64> {
    let mut global = global();
    if global.io.is_none() {
        global.io = Some(start_io()?);
    }
    global.next_handle += 1;
    let handle = global.next_handle;
    let session = Arc::new(Session::new(handle, config));
    let io = global.io.as_ref().expect("just ensured");
    let alive = io.alive.clone();
    let supervised = session.clone();
    io.handle.spawn(async move {
        let _alive = alive;
        loop {
            let task = tokio::spawn(crate::link::run(supervised.clone()));
            match task.await {
                Err(error) if error.is_panic() => {
                    // A bug in the link task must not end the session: count it, relink after a pause.
                    PANICS.fetch_add(1, Ordering::Relaxed);
                    supervised.set_link(LinkState::Down, "internal error in the link task; relinking");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                _ => break,
            }
        }
    });
    global.sessions.insert(handle, session);
    Ok(handle)
}

/// The session with this handle.
pub fn session(handle: i64) -> BridgeResult<Arc<Session>> {
    global().sessions.get(&handle).cloned().ok_or(BridgeError::NoSession(handle))
}

/// Stops a session. With the last session the I/O thread stops too, waiting at most [`STOP_BUDGET`].
pub fn stop_session(handle: i64) -> BridgeResult<()> {
    let mut global = global();
    let session = global.sessions.remove(&handle).ok_or(BridgeError::NoSession(handle))?;
    session.begin_stop();
    if !global.sessions.is_empty() {
        return Ok(());
    }
    let Some(io) = global.io.take() else { return Ok(()) };
    drop(global);
    let Io { stop, alive, done, thread, .. } = io;
    drop(alive);
    let _ = stop.send(());
    if done.recv_timeout(STOP_BUDGET).is_ok() {
        let _ = thread.join();
    }
    // Otherwise the thread finishes on its own; nothing waits for it longer.
    Ok(())
}
