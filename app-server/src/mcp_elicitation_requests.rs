//! Questions from MCP servers (and the approvals of MCP tool calls, which upstream asks the same way): a
//! core `McpElicitationRequested` becomes an `mcpServer/elicitation/request` server request; the host's
//! `{action, content, _meta}` goes back to the waiting server (or turn) after `serverRequest/resolved`. An
//! error answer, an answer that does not decode, or a connection that closes first reads as `cancel`; a
//! question the daemon cannot put on the wire (a form schema outside MCP's) is declined. When the caller
//! stops waiting (interrupt), the request is dropped and `serverRequest/resolved` says so.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerRequestPayload;
use codex_core::protocol::mcp::ElicitationAction;
use codex_core::protocol::mcp::ElicitationAnswer;
use codex_core::protocol::mcp::McpElicitationRequest;

use crate::outgoing::OutgoingMessageSender;

/// Sends the question now and answers the server from a task.
pub fn ask_mcp_elicitation(
    outgoing: &OutgoingMessageSender,
    thread_id: String,
    request: McpElicitationRequest,
) {
    let Some(mut reply) = request.reply.take() else {
        tracing::warn!("MCP elicitation without a reply channel; not asking the host");
        return;
    };
    let question = match serde_json::from_value::<wire::McpServerElicitationRequest>(request.params)
    {
        Ok(question) => question,
        Err(err) => {
            tracing::warn!(
                mcp_server = %request.server,
                "declining an elicitation the protocol cannot carry: {err}"
            );
            let _ = reply.send(answer(
                wire::McpServerElicitationAction::Decline,
                None,
                None,
            ));
            return;
        }
    };
    let payload = ServerRequestPayload::McpServerElicitationRequest(
        wire::McpServerElicitationRequestParams {
            thread_id: thread_id.clone(),
            turn_id: request.turn_id,
            server_name: request.server,
            environment_id: None,
            request: question,
        },
    );
    let (request_id, host_answer) = outgoing.start_request(payload);
    let outgoing = outgoing.clone();
    tokio::spawn(async move {
        let host_answer = outgoing
            .answer_unless_withdrawn(&request_id, host_answer, reply.closed())
            .await;
        let decided = match host_answer {
            None | Some(Err(_)) => None,
            Some(Ok(Ok(result))) => Some(
                serde_json::from_value::<wire::McpServerElicitationRequestResponse>(result)
                    .map(|response| answer(response.action, response.content, response.meta))
                    .unwrap_or_else(|err| {
                        tracing::warn!(
                            "the host's elicitation answer does not decode ({err}); cancelling"
                        );
                        answer(wire::McpServerElicitationAction::Cancel, None, None)
                    }),
            ),
            Some(Ok(Err(error))) => {
                tracing::warn!(
                    "the host answered mcpServer/elicitation/request with error {}: {}; cancelling",
                    error.code,
                    error.message
                );
                Some(answer(wire::McpServerElicitationAction::Cancel, None, None))
            }
        };
        outgoing.send_resolved(thread_id, request_id).await;
        // Without an answer the reply is dropped: the waiting side reads it as `cancel`.
        if let Some(decided) = decided
            && reply.send(decided).is_err()
        {
            tracing::debug!("the MCP call stopped waiting before the user's answer arrived");
        }
    });
}

fn answer(
    action: wire::McpServerElicitationAction,
    content: Option<serde_json::Value>,
    meta: Option<serde_json::Value>,
) -> ElicitationAnswer {
    ElicitationAnswer {
        action: match action {
            wire::McpServerElicitationAction::Accept => ElicitationAction::Accept,
            wire::McpServerElicitationAction::Decline => ElicitationAction::Decline,
            wire::McpServerElicitationAction::Cancel => ElicitationAction::Cancel,
        },
        content,
        meta,
    }
}
