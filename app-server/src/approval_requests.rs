//! Approvals asked of the host: a core approval request becomes an `item/commandExecution/requestApproval`
//! or `item/fileChange/requestApproval` server request; the host's decision goes back to the waiting turn,
//! after `serverRequest/resolved`. When the turn stops waiting (interrupt), the request is dropped and
//! `serverRequest/resolved` tells the host it no longer needs answering; a connection that closes before
//! answering declines.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerRequestPayload;
use codex_core::protocol::approval::ApprovalReply;
use codex_core::protocol::approval::CommandApprovalRequest;
use codex_core::protocol::approval::PatchApprovalRequest;
use codex_core::protocol::approval::ReviewDecision;

use crate::outgoing::ClientAnswer;
use crate::outgoing::OutgoingMessageSender;
use crate::wire_conversion;

/// Sends the command approval request now and answers the turn from a task.
pub fn ask_command_approval(
    outgoing: &OutgoingMessageSender,
    thread_id: String,
    request: CommandApprovalRequest,
) {
    let payload = ServerRequestPayload::CommandExecutionRequestApproval(
        wire::CommandExecutionRequestApprovalParams {
            thread_id: thread_id.clone(),
            turn_id: request.turn_id,
            item_id: request.item_id,
            started_at_ms: wire_conversion::now_unix_ms(),
            approval_id: None,
            reason: request.reason,
            network_approval_context: None,
            command: Some(request.command),
            cwd: Some(request.cwd.display().to_string()),
            command_actions: Some(
                request
                    .command_actions
                    .iter()
                    .map(wire_conversion::command_action)
                    .collect(),
            ),
            proposed_execpolicy_amendment: request.proposed_prefix,
            proposed_network_policy_amendments: None,
        },
    );
    ask(outgoing, thread_id, payload, request.reply, |answer| {
        let response: wire::CommandExecutionRequestApprovalResponse =
            serde_json::from_value(answer).map_err(|err| err.to_string())?;
        Ok(match response.decision {
            wire::CommandExecutionApprovalDecision::Accept => ReviewDecision::Approved,
            wire::CommandExecutionApprovalDecision::AcceptForSession => {
                ReviewDecision::ApprovedForSession
            }
            wire::CommandExecutionApprovalDecision::AcceptWithExecpolicyAmendment {
                execpolicy_amendment,
            } => ReviewDecision::ApprovedWithPrefix(execpolicy_amendment),
            // There is no network proxy to amend; the command itself is approved.
            wire::CommandExecutionApprovalDecision::ApplyNetworkPolicyAmendment { .. } => {
                ReviewDecision::Approved
            }
            wire::CommandExecutionApprovalDecision::Decline => ReviewDecision::Denied,
            wire::CommandExecutionApprovalDecision::Cancel => ReviewDecision::Abort,
        })
    });
}

/// Sends the file change approval request now and answers the turn from a task.
pub fn ask_patch_approval(
    outgoing: &OutgoingMessageSender,
    thread_id: String,
    request: PatchApprovalRequest,
) {
    let payload =
        ServerRequestPayload::FileChangeRequestApproval(wire::FileChangeRequestApprovalParams {
            thread_id: thread_id.clone(),
            turn_id: request.turn_id,
            item_id: request.item_id,
            started_at_ms: wire_conversion::now_unix_ms(),
            reason: request.reason,
            // No extra write roots are granted through approvals; the sandbox's roots stay as configured.
            grant_root: None,
        });
    ask(outgoing, thread_id, payload, request.reply, |answer| {
        let response: wire::FileChangeRequestApprovalResponse =
            serde_json::from_value(answer).map_err(|err| err.to_string())?;
        Ok(match response.decision {
            wire::FileChangeApprovalDecision::Accept => ReviewDecision::Approved,
            wire::FileChangeApprovalDecision::AcceptForSession => {
                ReviewDecision::ApprovedForSession
            }
            wire::FileChangeApprovalDecision::Decline => ReviewDecision::Denied,
            wire::FileChangeApprovalDecision::Cancel => ReviewDecision::Abort,
        })
    });
}

/// Writes the request, then waits (in a task) for the host's answer or for the turn to stop waiting.
/// An error answer or an answer that does not decode declines.
fn ask(
    outgoing: &OutgoingMessageSender,
    thread_id: String,
    payload: ServerRequestPayload,
    reply: ApprovalReply,
    decode: impl FnOnce(serde_json::Value) -> Result<ReviewDecision, String> + Send + 'static,
) {
    let Some(mut reply) = reply.take() else {
        tracing::warn!("approval request without a reply channel; not asking the host");
        return;
    };
    let method = payload.method();
    let (request_id, answer) = outgoing.start_request(payload);
    let outgoing = outgoing.clone();
    tokio::spawn(async move {
        // A connection that closes before answering leaves the request unanswered: a decline.
        let answer: Option<Result<ClientAnswer, _>> = outgoing
            .answer_unless_withdrawn(&request_id, answer, reply.closed())
            .await;
        let decision = match answer {
            None => None,
            Some(Ok(Ok(result))) => Some(decode(result).unwrap_or_else(|err| {
                tracing::warn!("the host's answer to {method} does not decode ({err}); declining");
                ReviewDecision::Denied
            })),
            Some(Ok(Err(error))) => {
                tracing::warn!(
                    "the host answered {method} with error {}: {}; declining",
                    error.code,
                    error.message
                );
                Some(ReviewDecision::Denied)
            }
            Some(Err(_closed)) => Some(ReviewDecision::Denied),
        };
        outgoing.send_resolved(thread_id, request_id).await;
        if let Some(decision) = decision
            && reply.send(decision).is_err()
        {
            tracing::debug!("the turn stopped waiting for {method} before the decision arrived");
        }
    });
}
