//! Completeness of the gateway against the protocol's registries: a method or notification added there cannot be
//! left without a handler or a classification here without a test failing.

use std::sync::Arc;

use metaapi_protocol::{
    ErrorKind, Method, MethodVisitor, Notification, NotificationVisitor, Route, Source, for_each_method,
    for_each_notification,
};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::auth::Grant;
use crate::config::GatewayConfig;
use crate::metrics::Transport;
use crate::router::{Caller, handle};
use crate::streams::{Outbox, StreamSession, classify};

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
            }
            // A terminal must not be able to speak for the gateway (say, a forged token_revoked).
            Source::Gateway => assert!(event.is_none(), "{} is the gateway's own, yet relayed", N::NAME),
        }
        self.checked.push(N::NAME);
    }
}

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
    answers: Vec<(&'static str, BoxedAnswer)>,
}

type BoxedAnswer = std::pin::Pin<Box<dyn std::future::Future<Output = crate::terminals::Answer> + Send>>;

impl MethodVisitor for Methods {
    fn visit<M: Method>(&mut self) {
        if M::ROUTE == Route::Terminal {
            return;
        }
        let params = self.examples["methods"][M::NAME].get("params").cloned();
        assert!(params.is_some(), "{} has no example in protocol/tests/it/examples.json", M::NAME);
        self.answers.push((M::NAME, handle::<M>(self.app.clone(), self.caller.clone(), params)));
    }
}

/// Each method the gateway answers itself reaches its own handler: the router's fallback (`internal`, "has no
/// gateway handler" or "has no stream handler") is never what a registry method gets. No terminal is linked, so
/// some answer `terminal_offline`; that is a handler's answer too.
#[tokio::test]
async fn every_gateway_and_stream_method_has_a_handler() {
    let dir = tempfile::tempdir().unwrap();
    // The console is never asked: the caller's grant is given, not verified.
    let config = GatewayConfig::new("http://127.0.0.1:9", dir.path());
    let app = App::open(config, CancellationToken::new()).unwrap();
    let grant = Grant {
        token_id: "token".to_owned(),
        token_name: "test".to_owned(),
        terminal_id: "terminal".to_owned(),
        expires_at: None,
        verified_at: 0,
    };
    let session = StreamSession::new(1, Arc::new(Outbox::new(16)), app.subscription_caps.budget(&grant.token_id));
    let caller = Arc::new(Caller { grant, transport: Transport::Ws, session: Some(Arc::new(session)) });
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
