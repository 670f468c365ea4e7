//! Opt-in log capture: a TRACE subscriber writing every log line of the test process into one buffer, so a suite
//! can search what its consoles logged (for example, for secrets that must never appear).
//!
//! A tracing subscriber is global to the process, so capture is too: once a test calls [`capture_logs`], every
//! later log line of every test in that binary lands in the buffer. Suites that never call it log nowhere.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

/// Every log line captured since [`capture_logs`] was first called in this process.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&buffer().lock().unwrap()).into_owned()
}

/// Installs the capturing subscriber, once for the whole process; later calls do nothing.
///
/// Panics if another global subscriber was installed first, since its lines would then never be captured.
pub fn capture_logs() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        let buffer = buffer().clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || BufferWriter(buffer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
    });
}

fn buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| Arc::new(Mutex::new(Vec::new())))
}

struct BufferWriter(Arc<Mutex<Vec<u8>>>);

impl Write for BufferWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
