//! `account/*` methods. The auth engine is not wired in yet, so each answers "not available".

use codex_app_server_protocol::CancelLoginAccountParams;
use codex_app_server_protocol::GetAccountParams;
use codex_app_server_protocol::LoginAccountParams;

use crate::error::RequestError;
use crate::handlers::RequestContext;

pub async fn login_start(
    _context: RequestContext,
    _params: LoginAccountParams,
) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "account/login/start",
    })
}

pub async fn login_cancel(
    _context: RequestContext,
    _params: CancelLoginAccountParams,
) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "account/login/cancel",
    })
}

pub async fn logout(_context: RequestContext) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "account/logout",
    })
}

pub async fn read(
    _context: RequestContext,
    _params: GetAccountParams,
) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "account/read",
    })
}

pub async fn read_rate_limits(_context: RequestContext) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "account/rateLimits/read",
    })
}
