//! `account/*`: sign in with an API key, with ChatGPT (browser, PKCE) or with host-supplied ChatGPT tokens;
//! cancel a sign-in; log out; read the account; read rate limits (the usage endpoint when signed in with
//! ChatGPT, else the limits seen on model responses). Auth changes reach the client as `account/updated`
//! from the engine's auth event task.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::CancelLoginAccountParams;
use codex_app_server_protocol::GetAccountParams;
use codex_app_server_protocol::LoginAccountParams;
use codex_app_server_protocol::ServerNotification;
use codex_core::auth::AuthError;
use codex_core::auth::AuthManager;
use codex_core::auth::AuthMode;
use codex_core::backend::RateLimitsReadError;
use codex_core::backend::RateLimitsReadOutcome;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::to_value;
use crate::wire_conversion;

fn auth_error(error: AuthError) -> RequestError {
    RequestError::Rejected(error.to_string())
}

/// Signs in once the response is on its way (`account/login/completed` and `account/updated` must follow
/// it), reporting the outcome in `account/login/completed`. Everything that can be checked up front was.
fn login_after_response(
    context: &RequestContext,
    response: wire::LoginAccountResponse,
    login: impl FnOnce(&AuthManager) -> Result<(), AuthError> + Send + 'static,
) -> Result<Answer, RequestError> {
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let auth = std::sync::Arc::clone(&context.engine.auth);
    let outgoing = context.outgoing.clone();
    tokio::spawn(async move {
        // Resolves (with an error) when the answer's release guard is dropped after the response is queued.
        let _ = released.await;
        outgoing.send_notification(login_completed(None, login(&auth)));
    });
    Ok(Answer {
        result: to_value(response)?,
        then_notify: Vec::new(),
        then_release: Some(Box::new(release)),
    })
}

pub async fn login_start(
    context: RequestContext,
    params: LoginAccountParams,
) -> Result<Answer, RequestError> {
    let auth = &context.engine.auth;
    match params {
        LoginAccountParams::ApiKey { api_key } => {
            auth.check_api_key_login(&api_key).map_err(auth_error)?;
            login_after_response(&context, wire::LoginAccountResponse::ApiKey, move |auth| {
                auth.login_with_api_key(&api_key)
            })
        }
        LoginAccountParams::ChatgptAuthTokens {
            access_token,
            chatgpt_account_id,
            chatgpt_plan_type,
        } => {
            if access_token.trim().is_empty() {
                return Err(auth_error(AuthError::EmptyCredential));
            }
            login_after_response(
                &context,
                wire::LoginAccountResponse::ChatgptAuthTokens,
                move |auth| {
                    auth.login_with_external_tokens(
                        access_token,
                        chatgpt_account_id,
                        chatgpt_plan_type,
                    )
                },
            )
        }
        LoginAccountParams::Chatgpt => {
            let handle = auth
                .start_chatgpt_login(auth.login_options())
                .await
                .map_err(auth_error)?;
            let login_id = handle.login_id.clone();
            context
                .engine
                .logins
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(login_id.clone(), handle.canceller.clone());
            let engine = std::sync::Arc::clone(&context.engine);
            let outgoing = context.outgoing.clone();
            let completion = handle.completion;
            let finished_id = login_id.clone();
            tokio::spawn(async move {
                let result = completion.await;
                engine
                    .logins
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&finished_id);
                outgoing.send_notification(login_completed(Some(finished_id), result));
            });
            Ok(to_value(wire::LoginAccountResponse::Chatgpt {
                login_id,
                auth_url: handle.auth_url,
            })?
            .into())
        }
    }
}

fn login_completed(login_id: Option<String>, result: Result<(), AuthError>) -> ServerNotification {
    ServerNotification::AccountLoginCompleted(wire::AccountLoginCompletedNotification {
        login_id,
        success: result.is_ok(),
        error: result.err().map(|error| error.to_string()),
    })
}

pub async fn login_cancel(
    context: RequestContext,
    params: CancelLoginAccountParams,
) -> Result<serde_json::Value, RequestError> {
    let canceller = context
        .engine
        .logins
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&params.login_id);
    let status = match canceller {
        Some(canceller) => {
            canceller.cancel();
            wire::CancelLoginAccountStatus::Canceled
        }
        None => wire::CancelLoginAccountStatus::NotFound,
    };
    to_value(wire::CancelLoginAccountResponse { status })
}

pub async fn logout(context: RequestContext) -> Result<serde_json::Value, RequestError> {
    context.engine.auth.logout().map_err(auth_error)?;
    to_value(wire::LogoutAccountResponse {})
}

pub async fn read(
    context: RequestContext,
    params: GetAccountParams,
) -> Result<serde_json::Value, RequestError> {
    let auth = &context.engine.auth;
    if params.refresh_token {
        auth.refresh_token().await.map_err(auth_error)?;
    }
    let account = auth.account_info().map(|info| match info.auth_mode {
        AuthMode::ApiKey => wire::Account::ApiKey,
        AuthMode::ChatGpt | AuthMode::ChatGptAuthTokens => wire::Account::Chatgpt {
            email: info.email,
            plan_type: info
                .plan_type
                .as_deref()
                .map_or(wire::PlanType::Unknown, wire_conversion::plan_type),
        },
    });
    let requires_openai_auth = context
        .state
        .config
        .as_ref()
        .is_none_or(|config| config.model_provider.requires_openai_auth);
    to_value(wire::GetAccountResponse {
        account,
        requires_openai_auth,
    })
}

pub async fn read_rate_limits(context: RequestContext) -> Result<serde_json::Value, RequestError> {
    let engine = &context.engine;
    let outcome = RateLimitsReadOutcome::read(&engine.rate_limits, &engine.backend, &engine.auth)
        .await
        .map_err(|error| match error {
            RateLimitsReadError::Unavailable(unavailable) => {
                RequestError::Rejected(unavailable.to_string())
            }
            RateLimitsReadError::Fetch(_) => RequestError::Internal(error.to_string()),
        })?;
    let by = |snapshots: std::collections::BTreeMap<String, _>| {
        snapshots
            .iter()
            .map(|(key, snapshot)| (key.clone(), wire_conversion::rate_limit_snapshot(snapshot)))
            .collect()
    };
    to_value(wire::GetAccountRateLimitsResponse {
        rate_limits: wire_conversion::rate_limit_snapshot(&outcome.rate_limits),
        rate_limits_by_name: Some(by(outcome.by_name)),
        rate_limits_by_limit_id: Some(by(outcome.by_limit_id)),
    })
}
