//! A TCP proxy in front of the real console that can be made to hang: it keeps accepting connections and reading
//! from them, but answers nothing, the way a console behind a broken load balancer does.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A proxy on 127.0.0.1 port 0 forwarding to `target` while not hung.
pub struct HangingProxy {
    /// `http://127.0.0.1:<port>`, to give the gateway as its console URL.
    pub url: String,
    hung: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl HangingProxy {
    /// Starts forwarding to `target` (`http://host:port`).
    pub async fn start(target: &str) -> HangingProxy {
        let target = target.trim_start_matches("http://").trim_end_matches('/').to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (hung, watching) = watch::channel(false);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let target = target.clone();
                let hung = watching.clone();
                tokio::spawn(async move {
                    let Ok(upstream) = TcpStream::connect(&target).await else { return };
                    let (client_read, client_write) = client.into_split();
                    let (upstream_read, upstream_write) = upstream.into_split();
                    tokio::join!(
                        pipe(client_read, upstream_write, hung.clone()),
                        pipe(upstream_read, client_write, hung)
                    );
                });
            }
        });
        HangingProxy { url, hung, task }
    }

    /// Stops answering: bytes are still read from both sides, but nothing more is passed on until [`resume`].
    ///
    /// [`resume`]: HangingProxy::resume
    pub fn hang(&self) {
        self.hung.send_replace(true);
    }

    /// Passes bytes on again (what arrived meanwhile follows).
    pub fn resume(&self) {
        self.hung.send_replace(false);
    }
}

impl Drop for HangingProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies `from` to `to`, holding everything back while `hung` is set.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut hung: watch::Receiver<bool>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    while let Ok(read) = from.read(&mut buffer).await
        && read > 0
    {
        if hung.wait_for(|hung| !*hung).await.is_err() || to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
