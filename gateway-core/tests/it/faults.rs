//! A fault-injecting TCP proxy on 127.0.0.1 port 0, put between the bridge and the gateway: it forwards bytes both
//! ways until told to cut every connection (both sockets dropped at once, wherever the bytes in flight happen to
//! be), and its target can be moved to a gateway restarted on another port.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::{AbortHandle, JoinHandle};

/// The running proxy; dropping it stops it and cuts everything.
pub struct FaultProxy {
    /// Where the bridge connects.
    pub addr: SocketAddr,
    target: Arc<Mutex<SocketAddr>>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts forwarding to `target`.
    pub async fn start(target: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let target = Arc::new(Mutex::new(target));
        let connections: Arc<Mutex<Vec<AbortHandle>>> = Arc::new(Mutex::new(Vec::new()));
        let accept = {
            let (target, connections) = (target.clone(), connections.clone());
            tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    let to = *target.lock().unwrap();
                    let pipe = tokio::spawn(async move {
                        // A refused upstream (the gateway is restarting) closes the client at once, as a dead
                        // gateway would.
                        let Ok(mut upstream) = TcpStream::connect(to).await else { return };
                        let _ = client.set_nodelay(true);
                        let _ = upstream.set_nodelay(true);
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    });
                    let mut open = connections.lock().unwrap();
                    open.retain(|handle| !handle.is_finished());
                    open.push(pipe.abort_handle());
                }
            })
        };
        FaultProxy { addr, target, connections, accept }
    }

    /// The bridge's `gateway_url` through this proxy.
    pub fn terminal_url(&self) -> String {
        format!("ws://{}/terminal", self.addr)
    }

    /// Drops every open connection, both ends, without a close handshake. Returns how many were open.
    pub fn cut(&self) -> usize {
        let open: Vec<AbortHandle> = std::mem::take(&mut *self.connections.lock().unwrap());
        let live = open.iter().filter(|handle| !handle.is_finished()).count();
        for handle in open {
            handle.abort();
        }
        live
    }

    /// Sends new connections to `target` (a restarted gateway).
    pub fn retarget(&self, target: SocketAddr) {
        *self.target.lock().unwrap() = target;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}
