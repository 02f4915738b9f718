//! In-process tests of compaction inside a turn: automatic before a request and between tool calls, on an
//! exceeded window, on demand failures, remote compaction through the provider's endpoint, and trimming
//! a history too long to summarize.

use super::*;
use pretty_assertions::assert_eq;

/// A harness whose thread compacts past `limit` tokens and has already seen `context_tokens`.
fn compacting_harness(limit: i64, context_tokens: i64) -> Harness {
    let mut harness = harness(AskForApproval::Never);
    harness.ctx.settings.compaction.auto_token_limit = Some(limit);
    harness.ctx.conversation().lock().context_tokens = context_tokens;
    harness
}

fn usage(total_tokens: i64) -> ResponseEvent {
    ResponseEvent::Completed {
        response_id: "resp".to_string(),
        token_usage: Some(crate::protocol::token_usage::TokenUsage {
            total_tokens,
            ..Default::default()
        }),
        end_turn: None,
    }
}

fn texts(items: &[ResponseItem]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            ResponseItem::Message { content, .. } => content.iter().find_map(|part| match part {
                ContentItem::InputText { text } | ContentItem::OutputText { text } => {
                    Some(text.clone())
                }
                ContentItem::InputImage { .. } => None,
            }),
            _ => None,
        })
        .collect()
}

fn is_summary(text: &str) -> bool {
    text.starts_with("An earlier part of this conversation was condensed")
}

#[tokio::test]
async fn a_thread_past_its_limit_compacts_before_the_new_message_joins_it() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = compacting_harness(1_000, 5_000);
    let mut model = ScriptedModel::new(vec![
        vec![Ok(assistant("the summary")), Ok(completed())],
        vec![Ok(assistant("answer")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("keep going")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    assert_eq!(
        seen,
        vec![
            "TurnStarted",
            "status active waiting=false",
            "started ContextCompaction",
            "completed ContextCompaction",
            "Compacted",
            "started UserMessage",
            "completed UserMessage",
            "started AgentMessage",
            "completed AgentMessage",
            "status Idle",
            "turn completed Completed",
        ]
    );
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(requests.len(), 2);
    let asked = texts(&requests[0]);
    assert!(
        asked
            .last()
            .is_some_and(|text| text.starts_with("You are writing a handoff")),
        "the compaction request ends with its prompt: {asked:?}"
    );
    assert!(
        !asked.iter().any(|text| text == "keep going"),
        "the new message is not summarized: {asked:?}"
    );
    // The summary, then the new message: the model answers what was asked last.
    let after = conversation_texts(&requests[1]);
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(
        is_summary(&after[0]) && after[0].ends_with("the summary"),
        "{after:?}"
    );
    assert_eq!(after[1], "keep going");
    assert!(ctx.conversation().context_tokens() < 1_000);
}

#[tokio::test]
async fn a_compaction_between_tool_calls_lets_the_turn_go_on() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = compacting_harness(1_000, 0);
    let mut model = ScriptedModel::new(vec![
        // The tool call's response reports a context past the limit.
        vec![
            Ok(shell_call("call-1", "echo from-the-tool")),
            Ok(usage(5_000)),
        ],
        vec![Ok(assistant("the summary")), Ok(completed())],
        vec![Ok(assistant("done")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("run it")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(requests.len(), 3);
    assert!(texts(&requests[2]).iter().any(|text| is_summary(text)));
    let history = ctx.conversation().history();
    assert!(
        call_output(&history, "call-1").is_none(),
        "the tool call is folded into the summary"
    );
    // The usage the host sees after the compaction is the compacted context's, not the 5,000 reported.
    let compacted_at = seen
        .iter()
        .position(|label| label == "Compacted")
        .unwrap_or_else(|| panic!("no compaction: {seen:?}"));
    assert_eq!(seen[compacted_at + 1], "TokenUsageUpdated");
    let usage = ctx.conversation().lock().token_usage;
    let last = usage.map(|info| info.last.total_tokens).unwrap_or_default();
    assert!(last > 0 && last < 1_000, "{usage:?}");
}

#[tokio::test]
async fn an_exceeded_context_window_compacts_once_and_retries() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = harness(AskForApproval::Never);
    let mut model = ScriptedModel::new(vec![
        vec![Err(ApiError::ContextWindowExceeded)],
        vec![Ok(assistant("the summary")), Ok(completed())],
        vec![Ok(assistant("answer")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("hi")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
    assert_eq!(requests.lock().unwrap_or_else(|e| e.into_inner()).len(), 3);
}

#[tokio::test]
async fn a_failing_compaction_fails_the_turn_and_keeps_the_history() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = compacting_harness(1_000, 5_000);
    let mut model = ScriptedModel::new(vec![vec![Err(ApiError::Http {
        status: 400,
        message: "bad request".to_string(),
        request_id: None,
    })]]);
    run_turn(&ctx, &mut model, turn(), input("keep going")).await;

    let seen = events_until_completed(&mut events).await;
    let Some(EventMsg::TurnCompleted { turn, .. }) = seen.last() else {
        panic!("no turn/completed: {seen:?}");
    };
    assert_eq!(turn.status, TurnStatus::Failed);
    let message = turn.error.as_ref().map(|error| error.message.clone());
    assert_eq!(
        message.as_deref(),
        Some("compacting the conversation failed: unexpected status 400 Bad Request: bad request")
    );
    let history = texts(&ctx.conversation().history());
    assert!(
        history.iter().any(|text| text == "keep going"),
        "{history:?}"
    );
    assert!(!history.iter().any(|text| is_summary(text)), "{history:?}");
}

/// The texts of `items` without the environment context the turn puts in front of its input.
fn conversation_texts(items: &[ResponseItem]) -> Vec<String> {
    texts(items)
        .into_iter()
        .filter(|text| !text.starts_with("<environment_context>"))
        .collect()
}

fn compaction_item(content: &str) -> ResponseItem {
    ResponseItem::Compaction {
        encrypted_content: content.to_string(),
    }
}

fn developer(text: &str) -> ResponseItem {
    ResponseItem::Message {
        id: None,
        role: "developer".to_string(),
        content: vec![ContentItem::InputText {
            text: text.to_string(),
        }],
        end_turn: None,
        phase: None,
    }
}

#[tokio::test]
async fn a_provider_with_a_compaction_endpoint_compacts_remotely() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = compacting_harness(1_000, 5_000);
    ctx.conversation()
        .lock()
        .history
        .push(ResponseItem::user_text("an older question"));
    let mut model = ScriptedModel::new(vec![vec![Ok(assistant("answer")), Ok(completed())]]);
    model.remote_compactions = Some(VecDeque::from([Ok(vec![
        developer("instructions the server echoed"),
        ResponseItem::user_text("an older question"),
        compaction_item("opaque"),
    ])]));
    let requests = Arc::clone(&model.requests);
    let remote_requests = Arc::clone(&model.remote_requests);
    run_turn(&ctx, &mut model, turn(), input("keep going")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
    assert!(seen.iter().any(|label| label == "Compacted"), "{seen:?}");
    // The endpoint got the history as it was: no compaction prompt is added for it.
    let remote_requests = remote_requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    assert_eq!(
        conversation_texts(&remote_requests.concat()),
        vec!["an older question"]
    );
    // The model's one request carries the fresh prefix, what the server kept (the opaque item last), then
    // the new message.
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    let kept: Vec<ResponseItem> = sent
        .iter()
        .filter(|item| {
            matches!(item, ResponseItem::Compaction { .. })
                || !conversation_texts(std::slice::from_ref(item)).is_empty()
        })
        .cloned()
        .collect();
    assert_eq!(
        kept,
        vec![
            ResponseItem::user_text("an older question"),
            compaction_item("opaque"),
            ResponseItem::user_text("keep going"),
        ]
    );
    assert!(
        !texts(sent).contains(&"instructions the server echoed".to_string()),
        "{sent:?}"
    );
}

#[tokio::test]
async fn a_failing_remote_compaction_fails_the_turn_and_keeps_the_history() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = compacting_harness(1_000, 5_000);
    let mut model = ScriptedModel::new(Vec::new());
    model.remote_compactions = Some(VecDeque::from([Err(ApiError::Http {
        status: 400,
        message: "compaction refused".to_string(),
        request_id: None,
    })]));
    run_turn(&ctx, &mut model, turn(), input("keep going")).await;

    let seen = events_until_completed(&mut events).await;
    let Some(EventMsg::TurnCompleted { turn, .. }) = seen.last() else {
        panic!("no turn/completed: {seen:?}");
    };
    assert_eq!(
        turn.error.as_ref().map(|error| error.message.as_str()),
        Some(
            "compacting the conversation failed: unexpected status 400 Bad Request: compaction refused"
        )
    );
    assert_eq!(
        conversation_texts(&ctx.conversation().history()),
        vec!["keep going"]
    );
}

#[tokio::test]
async fn a_history_too_long_to_summarize_loses_its_oldest_items_until_it_fits() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = compacting_harness(1_000, 5_000);
    ctx.conversation().lock().history.extend([
        ResponseItem::user_text("first"),
        ResponseItem::user_text("second"),
        ResponseItem::user_text("third"),
    ]);
    let mut model = ScriptedModel::new(vec![
        vec![Err(ApiError::ContextWindowExceeded)],
        vec![Err(ApiError::ContextWindowExceeded)],
        vec![Ok(assistant("the summary")), Ok(completed())],
        vec![Ok(assistant("answer")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("fourth")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let conversations: Vec<Vec<String>> = requests[..3]
        .iter()
        .map(|request| {
            let mut texts = conversation_texts(request);
            texts.pop(); // the compaction prompt
            texts
        })
        .collect();
    assert_eq!(
        conversations,
        vec![
            vec!["first", "second", "third"],
            vec!["second", "third"],
            vec!["third"],
        ]
    );
    // What was trimmed from the summarization request is still in the user messages kept; the new
    // message comes after the summary.
    let after = conversation_texts(&requests[3]);
    assert_eq!(after[..3].to_vec(), vec!["first", "second", "third"]);
    assert!(is_summary(&after[3]), "{after:?}");
    assert_eq!(after[4], "fourth");
}

#[tokio::test]
async fn a_large_tool_output_counts_toward_the_limit_before_any_usage_reports_it() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = compacting_harness(1_000, 0);
    // The call's response reports a small context; its output (8,000 bytes) is what passes the limit.
    let mut model = ScriptedModel::new(vec![
        vec![
            Ok(shell_call("call-1", "head -c 8000 /dev/zero | tr '\\0' x")),
            Ok(usage(100)),
        ],
        vec![Ok(assistant("the summary")), Ok(completed())],
        vec![Ok(assistant("done")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("make output")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(requests.len(), 3);
    assert!(
        texts(&requests[1])
            .last()
            .is_some_and(|text| text.starts_with("You are writing a handoff")),
        "the second request is the compaction's"
    );
}
