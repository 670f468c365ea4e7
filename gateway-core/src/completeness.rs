//! Completeness of the gateway against the protocol's registries: a method or notification added there cannot be
//! left without a handler or a classification here without a test failing.

use std::sync::Arc;

use metaapi_protocol::methods::StreamSpec;
use metaapi_protocol::{
    ErrorKind, ErrorObject, Method, MethodVisitor, Notification, NotificationVisitor, Route, Source, StreamKind,
    for_each_method, for_each_notification,
};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::auth::Grant;
use crate::config::GatewayConfig;
use crate::methods::{BoxAnswer, Caller, LocalTable, Router, router};
use crate::metrics::Transport;
use crate::streams::{Outbox, Subscriber, classify};

/// The protocol's canonical wire examples: one valid params object per method and notification.
fn examples() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../protocol/tests/it/examples.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the protocol's examples")).expect("examples are JSON")
}

struct Notifications {
    examples: Value,
    checked: Vec<&'static str>,
}

impl NotificationVisitor for Notifications {
    fn visit<N: Notification>(&mut self) {
        let data = self.examples["notifications"][N::NAME]["params"]["data"].clone();
        assert!(!data.is_null(), "{} has no example in protocol/tests/it/examples.json", N::NAME);
        let event = classify(N::NAME, data);
        match N::SOURCE {
            Source::Terminal => {
                let event = event.unwrap_or_else(|| panic!("{} from a terminal is not classified", N::NAME));
                assert_eq!(event.name, N::NAME);
                assert_eq!(Some(kind_of(&event.stream)), N::STREAM, "{} reaches the wrong stream", N::NAME);
            }
            // A terminal must not be able to speak for the gateway (say, a forged token_revoked).
            Source::Gateway => assert!(event.is_none(), "{} is the gateway's own, yet relayed", N::NAME),
        }
        self.checked.push(N::NAME);
    }
}

fn kind_of(stream: &StreamSpec) -> StreamKind {
    match stream {
        StreamSpec::Quotes { .. } => StreamKind::Quotes,
        StreamSpec::Ticks { .. } => StreamKind::Ticks,
        StreamSpec::Candles { .. } => StreamKind::Candles,
        StreamSpec::Book { .. } => StreamKind::Book,
        StreamSpec::Account => StreamKind::Account,
        StreamSpec::Trades => StreamKind::Trades,
        StreamSpec::Terminal => StreamKind::Terminal,
    }
}

/// Every terminal notification names its stream (`Notification::STREAM`) and `classify` routes it there; a
/// notification without one, or a gateway notice, is never relayed.
#[test]
fn every_terminal_notification_is_classified_and_no_gateway_notice_is_relayed() {
    let mut visitor = Notifications { examples: examples(), checked: Vec::new() };
    for_each_notification(&mut visitor);
    assert!(visitor.checked.contains(&"quote") && visitor.checked.contains(&"heartbeat"), "{:?}", visitor.checked);
}

struct Methods {
    app: Arc<App>,
    caller: Arc<Caller>,
    examples: Value,
    answers: Vec<(&'static str, BoxAnswer)>,
}

impl MethodVisitor for Methods {
    fn visit<M: Method>(&mut self) {
        if M::ROUTE == Route::Terminal {
            return;
        }
        let params = self.examples["methods"][M::NAME].get("params").cloned();
        assert!(params.is_some(), "{} has no example in protocol/tests/it/examples.json", M::NAME);
        let handler = router().handler(M::NAME).unwrap_or_else(|| panic!("{} is not routed", M::NAME));
        self.answers.push((M::NAME, handler(self.app.clone(), self.caller.clone(), params)));
    }
}

/// Each method the gateway answers itself reaches its own handler: the router's fallback (`internal`, "has no
/// gateway handler" or "has no stream handler") is never what a registry method gets. No terminal is linked, so
/// some answer `terminal_offline`; that is a handler's answer too.
#[tokio::test]
async fn every_gateway_and_stream_method_has_a_handler() {
    let dir = tempfile::tempdir().unwrap();
    let (app, caller) = app_and_caller(dir.path());
    let mut visitor = Methods { app, caller, examples: examples(), answers: Vec::new() };
    for_each_method(&mut visitor);
    let mut names = Vec::new();
    for (name, answer) in visitor.answers {
        if let Err(error) = answer.await {
            assert!(
                !(error.kind() == ErrorKind::Internal && error.message.contains("handler")),
                "{name}: {}",
                error.message
            );
        }
        names.push(name);
    }
    for name in ["ping", "get_trade_result", "subscribe", "get_snapshot"] {
        assert!(names.contains(&name), "{name} was not visited: {names:?}");
    }
}

/// A gateway whose console is never asked (the caller's grant is given, not verified) and a `/ws` caller.
fn app_and_caller(dir: &std::path::Path) -> (Arc<App>, Arc<Caller>) {
    let config = GatewayConfig::new("http://127.0.0.1:9", dir);
    let app = App::open(config, CancellationToken::new()).unwrap();
    let grant = Grant {
        token_id: "token".to_owned(),
        token_name: "test".to_owned(),
        terminal_id: "terminal".to_owned(),
        expires_at: None,
        verified_at: 0,
    };
    let session = Subscriber::new(1, Arc::new(Outbox::new(16)), app.subscription_caps.budget(&grant.token_id));
    let caller = Arc::new(Caller { grant, transport: Transport::Ws, subscriber: Some(Arc::new(session)) });
    (app, caller)
}

struct LocalRoutes(Vec<&'static str>);

impl MethodVisitor for LocalRoutes {
    fn visit<M: Method>(&mut self) {
        if M::ROUTE != Route::Terminal {
            self.0.push(M::NAME);
        }
    }
}

/// The typed table in `local.rs` has exactly one handler, of the right route, per registry method the gateway
/// answers itself.
#[test]
fn the_local_handlers_match_the_registry() {
    assert_eq!(Router::new().gaps(), &[] as &[String]);
}

/// A registry method the gateway answers itself but `local.rs` forgets is a gap, and a call to it answers `internal`
/// rather than reaching a terminal.
#[tokio::test]
async fn a_local_method_without_a_handler_is_a_gap() {
    let router = Router::with_local(LocalTable::empty());
    let mut local = LocalRoutes(Vec::new());
    for_each_method(&mut local);
    assert_eq!(local.0.len(), 8, "{:?}", local.0);
    for name in &local.0 {
        let expected = format!("{name} is routed");
        assert!(router.gaps().iter().any(|gap| gap.starts_with(&expected)), "{name}: {:?}", router.gaps());
    }
    assert_eq!(router.gaps().len(), local.0.len(), "{:?}", router.gaps());

    let dir = tempfile::tempdir().unwrap();
    let (app, caller) = app_and_caller(dir.path());
    let error = router.handler("ping").unwrap()(app, caller, None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Internal);
    assert_eq!(error.message, "ping has no gateway handler");
}

/// A handler registered under the wrong route, for a terminal's method or for a method the registry does not have,
/// is a gap too.
#[test]
fn a_handler_for_the_wrong_route_is_a_gap() {
    use metaapi_protocol::methods::{AccountInfo, GetAccountInfo, ListSubscriptions, Ping, Pong, SubscriptionList};

    let mut table = LocalTable::new();
    table.gateway::<GetAccountInfo, _, _>(|_, _, _| async {
        Err::<AccountInfo, _>(ErrorObject::of(ErrorKind::Internal))
    });
    table.gateway::<ListSubscriptions, _, _>(|_, _, _| async { Ok(SubscriptionList { subscriptions: Vec::new() }) });
    table.stream::<Ping, _, _>(|_, _, _, _| async { Ok(Pong { pong: true, gateway_time: 0 }) });
    let router = Router::with_local(table);
    let gaps = router.gaps();
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    assert!(gaps.contains(&"get_account_info is routed Terminal but local.rs registers it as Gateway".to_owned()));
    assert!(gaps.contains(&"list_subscriptions is routed Stream but local.rs registers it as Gateway".to_owned()));
    assert!(gaps.contains(&"ping is routed Gateway but local.rs registers it as Stream".to_owned()));
}
