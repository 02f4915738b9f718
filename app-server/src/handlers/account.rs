//! `account/*`: sign in with an API key, with ChatGPT (browser, PKCE) or with host-supplied ChatGPT tokens;
//! cancel a sign-in; log out; read the account; read rate limits (the usage endpoint when signed in with
//! ChatGPT, else the limits seen on model responses). Auth changes reach the client as `account/updated`
//! from the engine's auth event task.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::CancelLoginAccountParams;
use codex_app_server_protocol::GetAccountParams;
use codex_app_server_protocol::LoginAccountParams;
use codex_app_server_protocol::NoParams;
use codex_app_server_protocol::ServerNotification;
use codex_core::auth::AuthError;
use codex_core::auth::AuthManager;
use codex_core::auth::AuthMode;
use codex_core::backend::RateLimitsReadError;
use codex_core::backend::RateLimitsReadOutcome;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::wire_conversion;

fn auth_error(error: AuthError) -> RequestError {
    RequestError::Rejected(error.to_string())
}

/// Signs in once the response is queued (`account/login/completed` and `account/updated` must follow it),
/// reporting the outcome in `account/login/completed`. Everything that can be checked up front was.
fn login_after_response(
    context: &RequestContext,
    response: wire::LoginAccountResponse,
    login: impl FnOnce(&AuthManager) -> Result<(), AuthError> + Send + 'static,
) -> Answer<wire::LoginAccountResponse> {
    let auth = std::sync::Arc::clone(&context.engine.auth);
    Answer::new(response).then_spawn(move |sink| async move {
        sink.notify(login_completed(None, login(&auth))).await;
    })
}

/// `account/login/start`: signs in with an API key or host-supplied ChatGPT tokens after the response, or
/// starts a browser sign-in whose outcome follows in `account/login/completed`.
pub async fn login_start(
    context: RequestContext,
    params: LoginAccountParams,
) -> Result<Answer<wire::LoginAccountResponse>, RequestError> {
    let auth = &context.engine.auth;
    match params {
        LoginAccountParams::ApiKey { api_key } => {
            auth.check_api_key_login(&api_key).map_err(auth_error)?;
            Ok(login_after_response(
                &context,
                wire::LoginAccountResponse::ApiKey,
                move |auth| auth.login_with_api_key(&api_key),
            ))
        }
        LoginAccountParams::ChatgptAuthTokens {
            access_token,
            chatgpt_account_id,
            chatgpt_plan_type,
        } => {
            if access_token.trim().is_empty() {
                return Err(auth_error(AuthError::EmptyCredential));
            }
            Ok(login_after_response(
                &context,
                wire::LoginAccountResponse::ChatgptAuthTokens,
                move |auth| {
                    auth.login_with_external_tokens(
                        access_token,
                        chatgpt_account_id,
                        chatgpt_plan_type,
                    )
                },
            ))
        }
        LoginAccountParams::Chatgpt => browser_login(&context).await,
    }
}

/// Starts the ChatGPT browser sign-in; a task started after the response reports how it ends.
async fn browser_login(
    context: &RequestContext,
) -> Result<Answer<wire::LoginAccountResponse>, RequestError> {
    let auth = &context.engine.auth;
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
    let completion = handle.completion;
    let finished_id = login_id.clone();
    let response = wire::LoginAccountResponse::Chatgpt {
        login_id,
        auth_url: handle.auth_url,
    };
    Ok(Answer::new(response).then_spawn(move |sink| async move {
        let result = completion.await;
        engine
            .logins
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&finished_id);
        sink.notify(login_completed(Some(finished_id), result))
            .await;
    }))
}

fn login_completed(login_id: Option<String>, result: Result<(), AuthError>) -> ServerNotification {
    ServerNotification::AccountLoginCompleted(wire::AccountLoginCompletedNotification {
        login_id,
        success: result.is_ok(),
        error: result.err().map(|error| error.to_string()),
    })
}

/// `account/login/cancel`: stops a browser sign-in in progress.
pub async fn login_cancel(
    context: RequestContext,
    params: CancelLoginAccountParams,
) -> Result<Answer<wire::CancelLoginAccountResponse>, RequestError> {
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
    Ok(Answer::new(wire::CancelLoginAccountResponse { status }))
}

/// `account/logout`: forgets the stored credentials (`account/updated` comes from the auth event task).
pub async fn logout(
    context: RequestContext,
    _params: Option<NoParams>,
) -> Result<Answer<wire::LogoutAccountResponse>, RequestError> {
    context.engine.auth.logout().map_err(auth_error)?;
    Ok(Answer::new(wire::LogoutAccountResponse {}))
}

/// `account/read`: the signed-in account, after refreshing its tokens if asked.
pub async fn read(
    context: RequestContext,
    params: GetAccountParams,
) -> Result<Answer<wire::GetAccountResponse>, RequestError> {
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
    Ok(Answer::new(wire::GetAccountResponse {
        account,
        requires_openai_auth,
    }))
}

/// `account/rateLimits/read`: the account's rate limits, from the usage endpoint when signed in with
/// ChatGPT, else as last seen on model responses.
pub async fn read_rate_limits(
    context: RequestContext,
    _params: Option<NoParams>,
) -> Result<Answer<wire::GetAccountRateLimitsResponse>, RequestError> {
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
    Ok(Answer::new(wire::GetAccountRateLimitsResponse {
        rate_limits: wire_conversion::rate_limit_snapshot(&outcome.rate_limits),
        rate_limits_by_name: Some(by(outcome.by_name)),
        rate_limits_by_limit_id: Some(by(outcome.by_limit_id)),
    }))
}
