//! Host tools run by the host: a core `DynamicToolCallRequested` becomes an `item/tool/call` server request,
//! and the host's answer goes back to the waiting turn (an error answer or a closed connection as a failure,
//! an answer that is no tool result as an invalid one). When the turn stops waiting (interrupt), the request
//! is dropped and `serverRequest/resolved` tells the host it no longer needs answering; upstream 0.171 sends
//! nothing then, so its host never learns it.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerRequestPayload;
use codex_core::protocol::dynamic_tool::DynamicToolAnswer;
use codex_core::protocol::dynamic_tool::DynamicToolCallRequest;
use codex_core::protocol::dynamic_tool::DynamicToolContentItem;
use codex_core::protocol::dynamic_tool::DynamicToolResponse;

use crate::outgoing::ClientAnswer;
use crate::outgoing::OutgoingMessageSender;

/// Sends the `item/tool/call` request now and answers the turn from a task.
pub fn ask_dynamic_tool(
    outgoing: &OutgoingMessageSender,
    thread_id: String,
    request: DynamicToolCallRequest,
) {
    let Some(mut reply) = request.reply.take() else {
        tracing::warn!("host tool call without a reply channel; not asking the host");
        return;
    };
    let payload = ServerRequestPayload::DynamicToolCall(wire::DynamicToolCallParams {
        thread_id: thread_id.clone(),
        turn_id: request.turn_id,
        call_id: request.call_id,
        namespace: None,
        tool: request.tool,
        arguments: request.arguments,
    });
    let (request_id, answer) = outgoing.start_request(payload);
    let outgoing = outgoing.clone();
    tokio::spawn(async move {
        let answer: Option<Result<ClientAnswer, _>> = tokio::select! {
            () = reply.closed() => None,
            answer = answer => Some(answer),
        };
        let answer = match answer {
            Some(Ok(answer)) => decode(answer),
            Some(Err(_closed)) => DynamicToolAnswer::HostFailed,
            None => {
                outgoing.forget_request(&request_id);
                outgoing.send_resolved(thread_id, request_id).await;
                return;
            }
        };
        if reply.send(answer).is_err() {
            tracing::debug!(
                "the turn stopped waiting for item/tool/call before the answer arrived"
            );
        }
    });
}

/// The host's answer as the turn takes it.
fn decode(answer: ClientAnswer) -> DynamicToolAnswer {
    let result = match answer {
        Ok(result) => result,
        Err(error) => {
            tracing::warn!(
                "the host answered item/tool/call with error {}: {}",
                error.code,
                error.message
            );
            return DynamicToolAnswer::HostFailed;
        }
    };
    match serde_json::from_value::<wire::DynamicToolCallResponse>(result) {
        Ok(response) => DynamicToolAnswer::Answered(DynamicToolResponse {
            content_items: response
                .content_items
                .into_iter()
                .map(content_item)
                .collect(),
            success: response.success,
        }),
        Err(err) => {
            tracing::warn!("the host's answer to item/tool/call is no tool result: {err}");
            DynamicToolAnswer::Invalid
        }
    }
}

fn content_item(item: wire::DynamicToolCallOutputContentItem) -> DynamicToolContentItem {
    match item {
        wire::DynamicToolCallOutputContentItem::InputText { text } => {
            DynamicToolContentItem::InputText { text }
        }
        wire::DynamicToolCallOutputContentItem::InputImage { image_url } => {
            DynamicToolContentItem::InputImage { image_url }
        }
        wire::DynamicToolCallOutputContentItem::InputAudio { audio_url } => {
            DynamicToolContentItem::InputAudio { audio_url }
        }
    }
}
