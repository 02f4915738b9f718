//! `config/*` methods. Config reading and writing are not wired in yet, so each answers "not available".

use codex_app_server_protocol::ConfigBatchWriteParams;
use codex_app_server_protocol::ConfigReadParams;
use codex_app_server_protocol::ConfigValueWriteParams;

use crate::error::RequestError;
use crate::handlers::RequestContext;

pub async fn read(
    _context: RequestContext,
    _params: ConfigReadParams,
) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "config/read",
    })
}

pub async fn write_value(
    _context: RequestContext,
    _params: ConfigValueWriteParams,
) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "config/value/write",
    })
}

pub async fn batch_write(
    _context: RequestContext,
    _params: ConfigBatchWriteParams,
) -> Result<serde_json::Value, RequestError> {
    Err(RequestError::NotAvailable {
        method: "config/batchWrite",
    })
}
