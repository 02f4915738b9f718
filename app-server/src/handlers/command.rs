//! `command/exec`: running an argv outside a thread. Needs the sandbox engine, so it answers "not available".

use codex_app_server_protocol::CommandExecParams;

use crate::error::RequestError;
use crate::handlers::RequestContext;

pub async fn exec(
    _context: RequestContext,
    _params: CommandExecParams,
) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "command/exec",
    })
}
