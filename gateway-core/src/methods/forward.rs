//! Methods answered by the caller's terminal: one generic forwarder checks the terminal's capability, makes trading
//! calls idempotent by `client_id`, and checks the reply against the method's `Result` type.

use std::sync::Arc;

use metaapi_protocol::{ErrorKind, ErrorObject, Method, decode_params};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::caller::{Caller, Handler, invalid_reply, online};
use crate::app::App;
use crate::auth::Grant;
use crate::terminals::{Answer, Link, next_request_id};
use crate::trades::Claim;

/// The handler of a method routed to the caller's terminal.
pub(crate) fn forwarder<M: Method>() -> Handler {
    Box::new(|app, caller, params| {
        Box::pin(async move {
            let params = decode_params::<M>(params).map_err(ErrorObject::from)?;
            forward::<M>(app, caller, params).await
        })
    })
}

async fn call<M: Method>(link: &Link, id: u64, params: Value, client_id: Option<&str>) -> Answer {
    let value = link.call_as(id, M::NAME, params, M::TRADING, client_id).await?;
    let result: M::Result = serde_json::from_value(value).map_err(|error| invalid_reply(M::NAME, &error))?;
    serde_json::to_value(&result).map_err(|error| ErrorObject::new(ErrorKind::Internal, error.to_string()))
}

/// The caller's live link, if it can answer `M`.
fn capable<M: Method>(app: &App, grant: &Grant) -> Result<Arc<Link>, ErrorObject> {
    let link = online(app, grant)?;
    if let Some(capability) = M::REQUIRES
        && !link.capabilities.contains(&capability)
    {
        return Err(ErrorObject::unsupported(
            link.identity.platform,
            format!("{} is not supported by this terminal (it lacks {capability:?})", M::NAME),
        ));
    }
    Ok(link)
}

async fn forward<M: Method>(app: Arc<App>, caller: Arc<Caller>, params: M::Params) -> Answer {
    let value =
        serde_json::to_value(&params).map_err(|error| ErrorObject::new(ErrorKind::Internal, error.to_string()))?;
    let client_id = if M::TRADING { M::client_id(&params).map(str::to_owned) } else { None };
    let request_id = next_request_id();
    let Some(client_id) = client_id else {
        let link = capable::<M>(&app, &caller.grant)?;
        return call::<M>(&link, request_id, value, None).await;
    };
    // A call with a client_id consults its record before the link: a repeat while the terminal is offline gets the
    // first call's outcome (or `outcome_unknown`), not `terminal_offline`, which would claim nothing ran.
    let hash = {
        let mut hasher = Sha256::new();
        hasher.update(M::NAME.as_bytes());
        hasher.update([0]);
        hasher.update(value.to_string().as_bytes());
        hex::encode(hasher.finalize())
    };
    let scope = caller.grant.terminal_id.clone();
    // The store commits with fsync (a trade must never run twice, even after a power cut), which can take
    // milliseconds on a real disk: it runs on the blocking pool, not on a worker every other call needs.
    let claim = {
        let (app, client_id) = (app.clone(), client_id.clone());
        tokio::task::spawn_blocking(move || app.trades.claim(&scope, &client_id, M::NAME, &hash, request_id))
            .await
            .map_err(|_| ErrorObject::new(ErrorKind::Internal, "the trade store failed"))??
    };
    let answer = match claim {
        // A repeat of a call with no known outcome may find it in the terminal, as get_trade_result does.
        Claim::Done(Err(error)) if error.kind() == ErrorKind::OutcomeUnknown => {
            super::settle::repeat(&app, &caller, &client_id).await.unwrap_or(Err(error))
        }
        Claim::Done(answer) => answer,
        Claim::Wait(mut receiver) => match receiver.wait_for(Option::is_some).await {
            Ok(answer) => answer.clone().unwrap_or_else(|| Err(ErrorObject::of(ErrorKind::OutcomeUnknown))),
            Err(_) => Err(ErrorObject::of(ErrorKind::OutcomeUnknown)),
        },
        Claim::Run(permit) => {
            // The first call runs in its own task, so a client that hangs up cannot leave repeats waiting forever.
            let task_app = app.clone();
            let task_client_id = client_id.clone();
            let task = tokio::spawn(async move {
                let answer = match capable::<M>(&task_app, &caller.grant) {
                    Ok(link) => call::<M>(&link, request_id, value, Some(&task_client_id)).await,
                    Err(error) => Err(error),
                };
                let filed = answer.clone();
                let _ = tokio::task::spawn_blocking(move || task_app.trades.finish(permit, &filed)).await;
                answer
            });
            task.await.unwrap_or_else(|_| Err(ErrorObject::of(ErrorKind::OutcomeUnknown)))
        }
    };
    answer.map_err(|error| error.with_client_id(Some(&client_id)))
}
