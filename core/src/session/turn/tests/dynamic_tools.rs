//! In-process tests of host tool calls inside a turn: the host is asked with the model's arguments, its
//! answer reaches the model, an interrupt or a host that never takes the request ends the wait, and several
//! calls of one response are asked at once.

use super::*;
use crate::protocol::dynamic_tool::DynamicToolAnswer;
use crate::protocol::dynamic_tool::DynamicToolCallRequest;
use crate::protocol::dynamic_tool::DynamicToolContentItem;
use crate::protocol::dynamic_tool::DynamicToolResponse;
use crate::protocol::turn_item::ToolItemStatus;
use crate::tools::dynamic_tools::DeclaredDynamicTool;
use pretty_assertions::assert_eq;

fn lookup_tool() -> DynamicTool {
    DynamicTool::new(DeclaredDynamicTool {
        name: "lookup_ticket".to_string(),
        description: "Look up a ticket.".to_string(),
        input_schema: serde_json::json!({"type": "object"}),
    })
    .unwrap_or_else(|err| panic!("{err}"))
}

fn host_tool_call(call_id: &str) -> ResponseEvent {
    ResponseEvent::OutputItemDone(ResponseItem::FunctionCall {
        namespace: None,
        id: None,
        name: "lookup_ticket".to_string(),
        arguments: r#"{"id": "ABC-1"}"#.to_string(),
        call_id: call_id.to_string(),
    })
}

fn text(text: &str) -> DynamicToolContentItem {
    DynamicToolContentItem::InputText {
        text: text.to_string(),
    }
}

/// Runs a turn whose model calls the host tool with `calls` in one response, then answers; `host` sees
/// each request and decides what to do with it. Returns the events and the model's requests.
async fn run_with_host(
    calls: &[&str],
    mut host: impl FnMut(&DynamicToolCallRequest, &CancellationToken),
) -> (Vec<EventMsg>, Vec<Vec<ResponseItem>>) {
    let Harness {
        mut ctx,
        mut events,
        _workspace,
    } = harness_with_tools(AskForApproval::Never, vec![lookup_tool()]);
    ctx.settings.model_info.supports_parallel_tool_calls = true;
    let mut first: Vec<_> = calls.iter().map(|id| Ok(host_tool_call(id))).collect();
    first.push(Ok(completed()));
    let mut model = ScriptedModel::new(vec![first, vec![Ok(assistant("done")), Ok(completed())]]);
    let requests = Arc::clone(&model.requests);
    let cancel = ctx.cancel().clone();
    let turn_task = run_turn(&ctx, &mut model, turn(), input("look it up"));
    let host_task = async {
        let mut seen = Vec::new();
        while let Some(event) = events.recv().await {
            if let EventMsg::DynamicToolCallRequested(request) = &event.msg {
                host(request, &cancel);
            }
            let done = matches!(event.msg, EventMsg::TurnCompleted { .. });
            seen.push(event.msg);
            if done {
                break;
            }
        }
        seen
    };
    let ((), seen) = tokio::join!(turn_task, host_task);
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    (seen, requests)
}

fn completed_item(seen: &[EventMsg]) -> TurnItem {
    seen.iter()
        .find_map(|msg| match msg {
            EventMsg::ItemCompleted {
                item: item @ TurnItem::DynamicToolCall { .. },
                ..
            } => Some(item.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no completed host tool call: {seen:?}"))
}

/// The item without its measured duration.
fn without_duration(item: TurnItem) -> TurnItem {
    match item {
        TurnItem::DynamicToolCall {
            id,
            tool,
            arguments,
            status,
            content_items,
            success,
            duration_ms,
        } => {
            assert!(duration_ms.is_some_and(|ms| ms >= 0), "{duration_ms:?}");
            TurnItem::DynamicToolCall {
                id,
                tool,
                arguments,
                status,
                content_items,
                success,
                duration_ms: None,
            }
        }
        other => other,
    }
}

#[tokio::test]
async fn the_host_is_asked_and_its_answer_reaches_the_model() {
    let (seen, requests) = run_with_host(&["call-1"], |request, _| {
        assert_eq!(
            (
                request.call_id.as_str(),
                request.tool.as_str(),
                &request.arguments
            ),
            (
                "call-1",
                "lookup_ticket",
                &serde_json::json!({"id": "ABC-1"})
            )
        );
        if let Some(reply) = request.reply.take() {
            let _ = reply.send(DynamicToolAnswer::Answered(DynamicToolResponse {
                content_items: vec![text("ticket open")],
                success: false,
            }));
        }
    })
    .await;
    let seen_labels = labels(&seen);
    let asked = seen_labels
        .iter()
        .position(|l| l == "DynamicToolCallRequested")
        .unwrap_or_else(|| panic!("never asked: {seen_labels:?}"));
    assert_eq!(seen_labels[asked - 1], "started DynamicToolCall");
    assert_eq!(seen_labels[asked + 1], "completed DynamicToolCall");
    assert_eq!(
        without_duration(completed_item(&seen)),
        TurnItem::DynamicToolCall {
            id: "call-1".to_string(),
            tool: "lookup_ticket".to_string(),
            arguments: serde_json::json!({"id": "ABC-1"}),
            status: ToolItemStatus::Failed,
            content_items: Some(vec![text("ticket open")]),
            success: Some(false),
            duration_ms: None,
        }
    );
    assert_eq!(
        call_output(&requests[1], "call-1").as_deref(),
        Some("ticket open")
    );
    assert_eq!(
        seen_labels.last().map(String::as_str),
        Some("turn completed Completed")
    );
}

#[tokio::test]
async fn an_interrupt_ends_the_wait_and_the_turn() {
    let (seen, _) = run_with_host(&["call-1"], |_, cancel| cancel.cancel()).await;
    assert_eq!(
        without_duration(completed_item(&seen)),
        TurnItem::DynamicToolCall {
            id: "call-1".to_string(),
            tool: "lookup_ticket".to_string(),
            arguments: serde_json::json!({"id": "ABC-1"}),
            status: ToolItemStatus::Failed,
            content_items: Some(Vec::new()),
            success: Some(false),
            duration_ms: None,
        }
    );
    assert_eq!(
        labels(&seen).last().map(String::as_str),
        Some("turn completed Interrupted")
    );
}

#[tokio::test]
async fn a_request_nobody_takes_is_answered_as_cancelled_and_the_turn_goes_on() {
    let (seen, requests) = run_with_host(&["call-1"], |request, _| {
        drop(request.reply.take());
    })
    .await;
    assert_eq!(
        call_output(&requests[1], "call-1").as_deref(),
        Some("dynamic tool call was cancelled before receiving a response")
    );
    assert_eq!(
        labels(&seen).last().map(String::as_str),
        Some("turn completed Completed")
    );
}

#[tokio::test]
async fn a_host_failure_and_an_invalid_answer_are_told_in_upstreams_words() {
    let mut answers = vec![DynamicToolAnswer::Invalid, DynamicToolAnswer::HostFailed];
    let (_, requests) = run_with_host(&["call-1", "call-2"], |request, _| {
        if let (Some(reply), Some(answer)) = (request.reply.take(), answers.pop()) {
            let _ = reply.send(answer);
        }
    })
    .await;
    assert_eq!(
        (
            call_output(&requests[1], "call-1").as_deref(),
            call_output(&requests[1], "call-2").as_deref()
        ),
        (
            Some("dynamic tool request failed"),
            Some("dynamic tool response was invalid")
        )
    );
}

#[tokio::test]
async fn the_calls_of_one_response_are_asked_at_once() {
    let mut pending = Vec::new();
    let (seen, requests) = run_with_host(&["call-1", "call-2"], |request, _| {
        pending.extend(request.reply.take());
        // Both requests are out before either is answered.
        if pending.len() == 2 {
            for (reply, answer) in pending.drain(..).zip(["one", "two"]) {
                let _ = reply.send(DynamicToolAnswer::Answered(DynamicToolResponse {
                    content_items: vec![text(answer)],
                    success: true,
                }));
            }
        }
    })
    .await;
    assert_eq!(
        (
            call_output(&requests[1], "call-1").as_deref(),
            call_output(&requests[1], "call-2").as_deref()
        ),
        (Some("one"), Some("two"))
    );
    assert_eq!(
        labels(&seen).last().map(String::as_str),
        Some("turn completed Completed")
    );
}

#[tokio::test]
async fn calls_that_ask_no_approval_do_not_hold_up_a_later_calls_approval() {
    let Harness {
        mut ctx,
        mut events,
        _workspace,
    } = harness_with_tools(AskForApproval::Untrusted, vec![lookup_tool()]);
    ctx.settings.model_info.supports_parallel_tool_calls = true;
    let view_image = ResponseEvent::OutputItemDone(ResponseItem::FunctionCall {
        namespace: None,
        id: None,
        name: "view_image".to_string(),
        arguments: r#"{"path": "missing.png"}"#.to_string(),
        call_id: "call-0".to_string(),
    });
    let mut model = ScriptedModel::new(vec![
        vec![
            Ok(view_image),
            Ok(host_tool_call("call-1")),
            Ok(shell_call("call-2", "touch x")),
            Ok(completed()),
        ],
        vec![Ok(assistant("done")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    let turn_task = run_turn(&ctx, &mut model, turn(), input("go"));
    // The host answers the command's approval before the host tool: had the earlier calls not settled
    // their (absent) approvals, the command would never ask and the turn would hang.
    let host = async {
        let mut host_tool_reply = None;
        while let Some(event) = events.recv().await {
            match &event.msg {
                EventMsg::DynamicToolCallRequested(request) => {
                    host_tool_reply = request.reply.take()
                }
                EventMsg::CommandApprovalRequested(request) => {
                    if let Some(reply) = request.reply.take() {
                        let _ = reply.send(ReviewDecision::Denied);
                    }
                    if let Some(reply) = host_tool_reply.take() {
                        let _ = reply.send(DynamicToolAnswer::Answered(DynamicToolResponse {
                            content_items: vec![text("open")],
                            success: true,
                        }));
                    }
                }
                EventMsg::TurnCompleted { .. } => break,
                _ => {}
            }
        }
    };
    tokio::join!(turn_task, host);
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(
        (
            call_output(&requests[1], "call-1").as_deref(),
            call_output(&requests[1], "call-2").as_deref()
        ),
        (Some("open"), Some("exec command rejected by user"))
    );
}
