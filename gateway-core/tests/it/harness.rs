//! The gateway suite's world: a real console and a real gateway (from the shared test support) and a test
//! terminal linked with a fresh token.

use metaapi_gateway_core::GatewayConfig;
pub use metaapi_test_support::{
    HangingProxy, Manager, Read, Socket, TestConsole, TestGateway, config, connect, eventually, kind, metric,
    metrics_of, read, response, ws_call,
};

/// A console and a gateway that trusts it.
pub struct World {
    pub console: TestConsole,
    pub gateway: TestGateway,
    pub dir: tempfile::TempDir,
}

/// A console (devices auto-approved) and a gateway with test defaults adjusted by `adjust`.
pub async fn world_with(adjust: impl FnOnce(&mut GatewayConfig)) -> World {
    let console = TestConsole::start().await.with_admin().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&console, dir.path());
    adjust(&mut config);
    let gateway = TestGateway::start(config).await;
    World { console, gateway, dir }
}

/// A console and a gateway with test defaults.
pub async fn world() -> World {
    world_with(|_| {}).await
}

impl World {
    /// A new token and a test terminal linked with it.
    pub async fn terminal(&self, name: &str, login: u64) -> (String, crate::terminal::TestTerminal) {
        let token = self.console.create_token(name, None).await.token;
        let terminal =
            crate::terminal::TestTerminal::link(&self.gateway.ws_url("/terminal"), &token, login, all_capabilities())
                .await
                .unwrap();
        (token, terminal)
    }
}

/// Every capability but close-by, so tests can see an `unsupported` refusal.
pub fn all_capabilities() -> Vec<metaapi_protocol::types::Capability> {
    use metaapi_protocol::types::Capability::*;
    vec![TicksHistory, MarketDepth, StopLimit, OrderCheck, Hedging, DayOrders, TradeTransactions]
}
