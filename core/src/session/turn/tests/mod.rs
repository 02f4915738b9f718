//! In-process tests of the turn loop and the tool runner: a `TurnContext` over a scripted model stream, no
//! process and no server. Each test reads the events the turn reports and the requests the model received.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;

use futures::StreamExt;
use futures::future::BoxFuture;
use pretty_assertions::assert_eq;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::model_stream::ModelStream;
use super::model_stream::ResponseEvents;
use super::model_stream::SamplingRequest;
use super::run_turn;
use crate::client::ApiError;
use crate::client::ResponseEvent;
use crate::config::AskForApproval;
use crate::config::SandboxMode;
use crate::config::SandboxWorkspaceWrite;
use crate::model::catalog;
use crate::model::info::ReasoningSummaryMode;
use crate::protocol::approval::ReviewDecision;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadEvent;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event::TurnSummary;
use crate::protocol::event_sink::EventSink;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::FunctionCallOutputBody;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::protocol::turn_outcome::TurnStatus;
use crate::session::conversation::ActiveTurn;
use crate::session::conversation::Conversation;
use crate::session::conversation::ThreadState;
use crate::session::thread_settings::CompactionSettings;
use crate::session::thread_settings::ThreadSettings;
use crate::session::thread_settings::TurnOnlyOptions;
use crate::session::turn_context::TurnContext;
use crate::session::turn_context::TurnShared;
use crate::tools::approval::SessionApprovals;
use crate::tools::dynamic_tools::DynamicTool;

/// What the model answers to each request, in order, and the history each request carried.
#[derive(Default)]
struct ScriptedModel {
    responses: VecDeque<Vec<Result<ResponseEvent, ApiError>>>,
    /// A response that streams its events and then never completes (the turn must be interrupted).
    hang_after_script: bool,
    requests: Arc<Mutex<Vec<Vec<ResponseItem>>>>,
    /// The answers of the provider's compaction endpoint; `None` for a provider without one.
    remote_compactions: Option<VecDeque<Result<Vec<ResponseItem>, ApiError>>>,
    /// The history each remote compaction request carried.
    remote_requests: Arc<Mutex<Vec<Vec<ResponseItem>>>>,
}

impl ScriptedModel {
    fn new(responses: Vec<Vec<Result<ResponseEvent, ApiError>>>) -> Self {
        Self {
            responses: responses.into(),
            ..Self::default()
        }
    }
}

impl ModelStream for ScriptedModel {
    fn stream<'a>(
        &'a mut self,
        request: SamplingRequest<'a>,
    ) -> BoxFuture<'a, Result<ResponseEvents, ApiError>> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request.prompt.input.clone());
        let events = self.responses.pop_front().unwrap_or_default();
        let hang = self.hang_after_script && self.responses.is_empty();
        Box::pin(async move {
            let scripted = futures::stream::iter(events);
            Ok(if hang {
                Box::pin(scripted.chain(futures::stream::pending())) as ResponseEvents
            } else {
                Box::pin(scripted) as ResponseEvents
            })
        })
    }

    fn supports_remote_compaction(&self) -> bool {
        self.remote_compactions.is_some()
    }

    fn compact_remotely<'a>(
        &'a mut self,
        request: SamplingRequest<'a>,
    ) -> BoxFuture<'a, Result<Vec<ResponseItem>, ApiError>> {
        self.remote_requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request.prompt.input.clone());
        let answer = self
            .remote_compactions
            .as_mut()
            .and_then(VecDeque::pop_front)
            .unwrap_or_else(|| Err(ApiError::Stream("no compaction scripted".to_string())));
        Box::pin(async move { answer })
    }
}

fn assistant(text: &str) -> ResponseEvent {
    ResponseEvent::OutputItemDone(ResponseItem::Message {
        id: Some("msg-1".to_string()),
        role: "assistant".to_string(),
        content: vec![ContentItem::OutputText {
            text: text.to_string(),
        }],
        end_turn: None,
        phase: None,
    })
}

fn shell_call(call_id: &str, command: &str) -> ResponseEvent {
    ResponseEvent::OutputItemDone(ResponseItem::FunctionCall {
        namespace: None,
        id: None,
        name: "shell_command".to_string(),
        arguments: serde_json::json!({ "command": command }).to_string(),
        call_id: call_id.to_string(),
    })
}

/// A retryable failure the server asks to retry almost at once (the default backoff is longer).
fn dropped_stream() -> ApiError {
    ApiError::Retryable {
        message: "stream dropped".to_string(),
        delay: Some(std::time::Duration::from_millis(1)),
    }
}

/// A model that calls the shell tool once (`call-1`) and then answers.
fn tool_call_then_answer(command: &str) -> ScriptedModel {
    ScriptedModel::new(vec![
        vec![Ok(shell_call("call-1", command)), Ok(completed())],
        vec![Ok(assistant("done")), Ok(completed())],
    ])
}

fn completed() -> ResponseEvent {
    ResponseEvent::Completed {
        response_id: "resp".to_string(),
        token_usage: None,
        end_turn: None,
    }
}

/// A turn's context over a fresh conversation, with its event receiver.
struct Harness {
    ctx: TurnContext,
    events: mpsc::Receiver<ThreadEvent>,
    _workspace: tempfile::TempDir,
}

fn harness(approval_policy: AskForApproval) -> Harness {
    harness_with_tools(approval_policy, Vec::new())
}

/// A harness whose thread offers the host tools `dynamic_tools`.
fn harness_with_tools(approval_policy: AskForApproval, dynamic_tools: Vec<DynamicTool>) -> Harness {
    let workspace = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let settings = ThreadSettings {
        model: "test-model".to_string(),
        model_info: catalog::fallback("test-model"),
        model_provider_id: "mock".to_string(),
        effort: None,
        summary: ReasoningSummaryMode::Auto,
        service_tier: None,
        cwd: workspace.path().to_path_buf(),
        base_instructions: "be brief".to_string(),
        developer_instructions: None,
        approval_policy,
        sandbox_mode: SandboxMode::DangerFullAccess,
        sandbox_workspace_write: SandboxWorkspaceWrite::default(),
        codex_home: workspace.path().join("codex-home"),
        project_doc_max_bytes: 0,
        review_model: None,
        web_search_mode: None,
        compaction: CompactionSettings::default(),
        dynamic_tools: dynamic_tools.into(),
        collaboration_mode: None,
        features: Default::default(),
    };
    let (sender, events) = mpsc::channel(256);
    let cancel = CancellationToken::new();
    // No session prefix or environment context (`past_prefix`): the tests look at the conversation itself.
    let state = ThreadState {
        updated_at: 0,
        active_turn: Some(ActiveTurn {
            turn_id: "turn-1".to_string(),
            cancel: cancel.clone(),
            ending: false,
            steerable: true,
        }),
        ..ThreadState::past_prefix()
    };
    let events_sink = EventSink::new("thread-1", sender, ThreadStatus::Idle);
    let shared = TurnShared {
        conversation: Conversation::new(state, None),
        events: events_sink.clone(),
        approvals: SessionApprovals::default(),
        turn_ended: Arc::new(tokio::sync::Notify::new()),
        workspace_git: Some((workspace.path().to_path_buf(), None)),
        mcp: Arc::new(crate::mcp::McpServers::new(
            &toml::Table::new(),
            reqwest::Client::new(),
            workspace.path().to_path_buf(),
        )),
        unified_exec: Arc::new(crate::tools::unified_exec::UnifiedExecSessions::new(
            crate::tools::unified_exec::process::ProcessReporter {
                events: events_sink.clone(),
                file_item: Arc::new(|_: &str, _| {}),
            },
        )),
    };
    let ctx = TurnContext::new(
        "turn-1".to_string(),
        settings,
        TurnOnlyOptions::default(),
        cancel,
        shared,
    )
    .with_stream_max_retries(2);
    Harness {
        ctx,
        events,
        _workspace: workspace,
    }
}

fn turn() -> TurnSummary {
    TurnSummary {
        id: "turn-1".to_string(),
        status: TurnStatus::InProgress,
        error: None,
        started_at: Some(1),
        completed_at: None,
        duration_ms: None,
    }
}

fn input(text: &str) -> Vec<UserInput> {
    vec![UserInput::Text {
        text: text.to_string(),
        text_elements: Vec::new(),
    }]
}

/// An event as a short label: its kind, with the status or item kind where the order of those matters.
fn label(msg: &EventMsg) -> String {
    match msg {
        EventMsg::StatusChanged(ThreadStatus::Active {
            waiting_on_approval,
            waiting_on_user_input: false,
        }) => format!("status active waiting={waiting_on_approval}"),
        EventMsg::StatusChanged(status) => format!("status {status:?}"),
        EventMsg::ItemStarted { item, .. } => format!("started {}", item_kind(item)),
        EventMsg::ItemCompleted { item, .. } => format!("completed {}", item_kind(item)),
        EventMsg::Error { will_retry, .. } => format!("error will_retry={will_retry}"),
        EventMsg::TurnCompleted { turn, .. } => format!("turn completed {:?}", turn.status),
        other => format!("{other:?}")
            .split([' ', '(', '{'])
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

fn item_kind(item: &TurnItem) -> String {
    format!("{item:?}")
        .split([' ', '{'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Every event up to and including `turn/completed`.
async fn events_until_completed(events: &mut mpsc::Receiver<ThreadEvent>) -> Vec<EventMsg> {
    let mut seen = Vec::new();
    while let Some(event) = events.recv().await {
        let done = matches!(event.msg, EventMsg::TurnCompleted { .. });
        seen.push(event.msg);
        if done {
            return seen;
        }
    }
    panic!("the event channel closed before turn/completed: {seen:?}");
}

fn labels(events: &[EventMsg]) -> Vec<String> {
    events.iter().map(label).collect()
}

fn call_output(history: &[ResponseItem], call_id: &str) -> Option<String> {
    history.iter().find_map(|item| match item {
        ResponseItem::FunctionCallOutput {
            call_id: id,
            output,
        } if id == call_id => match output {
            FunctionCallOutputBody::Text(text) => Some(text.clone()),
            FunctionCallOutputBody::Content(_) => None,
        },
        _ => None,
    })
}

#[tokio::test]
async fn a_plain_answer_reports_its_items_in_order_and_ends_the_turn_completed() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = harness(AskForApproval::Never);
    let mut model = ScriptedModel::new(vec![vec![Ok(assistant("hello")), Ok(completed())]]);
    run_turn(&ctx, &mut model, turn(), input("hi")).await;

    let seen = events_until_completed(&mut events).await;
    assert_eq!(
        labels(&seen),
        vec![
            "TurnStarted",
            "status active waiting=false",
            "started UserMessage",
            "completed UserMessage",
            "started AgentMessage",
            "completed AgentMessage",
            "status Idle",
            "turn completed Completed",
        ]
    );
    let history = ctx.conversation().history();
    assert_eq!(
        history.len(),
        3,
        "the environment context, the user's message and the answer: {history:?}"
    );
    assert_eq!(history[2].assistant_text().as_deref(), Some("hello"));
    let turns = ctx.conversation().lock().turns.clone();
    assert_eq!(turns.len(), 1);
    assert_eq!(turns[0].status, TurnStatus::Completed);
    assert!(ctx.conversation().lock().active_turn.is_none());
}

#[tokio::test]
async fn a_dropped_stream_is_retried_with_the_same_prompt_and_its_partial_output_dropped() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = harness(AskForApproval::Never);
    let mut model = ScriptedModel::new(vec![
        vec![Ok(assistant("partial")), Err(dropped_stream())],
        vec![Ok(assistant("whole")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("hi")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    assert!(
        seen.contains(&"error will_retry=true".to_string()),
        "{seen:?}"
    );
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0], requests[1],
        "the retry resends the same prompt"
    );
    let history = ctx.conversation().history();
    assert_eq!(history.len(), 3, "the partial answer is gone: {history:?}");
    assert_eq!(history[2].assistant_text().as_deref(), Some("whole"));
}

#[tokio::test]
async fn a_stream_that_keeps_failing_fails_the_turn_after_the_retries() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = harness(AskForApproval::Never);
    let drop = || vec![Err(dropped_stream())];
    let mut model = ScriptedModel::new(vec![drop(), drop(), drop()]);
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("hi")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    let retries = seen
        .iter()
        .filter(|l| *l == "error will_retry=true")
        .count();
    assert_eq!(retries, 2, "{seen:?}");
    assert!(
        seen.contains(&"error will_retry=false".to_string()),
        "{seen:?}"
    );
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Failed")
    );
    assert_eq!(requests.lock().unwrap_or_else(|e| e.into_inner()).len(), 3);
}

#[tokio::test]
async fn a_tool_call_runs_and_its_output_goes_back_in_the_follow_up_request() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = harness(AskForApproval::Never);
    let mut model = tool_call_then_answer("echo from-the-tool");
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("run it")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    let tool_events: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .filter(|l| l.ends_with("CommandExecution"))
        .collect();
    assert_eq!(
        tool_events,
        vec!["started CommandExecution", "completed CommandExecution"]
    );
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(requests.len(), 2);
    let output = call_output(&requests[1], "call-1").unwrap_or_default();
    assert!(output.contains("from-the-tool"), "{output}");
}

#[tokio::test]
async fn an_interrupt_ends_a_hanging_response_as_interrupted() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = harness(AskForApproval::Never);
    let mut model = ScriptedModel::new(vec![vec![Ok(ResponseEvent::Created)]]);
    model.hang_after_script = true;
    let cancel = ctx.cancel().clone();
    let turn_task = run_turn(&ctx, &mut model, turn(), input("hi"));
    let interrupt = async {
        // Interrupt once the turn is visibly running.
        while let Some(event) = events.recv().await {
            if matches!(event.msg, EventMsg::ItemCompleted { .. }) {
                break;
            }
        }
        cancel.cancel();
        events_until_completed(&mut events).await
    };
    let ((), seen) = tokio::join!(turn_task, interrupt);
    assert_eq!(
        labels(&seen),
        vec!["status Idle", "turn completed Interrupted"]
    );
}

#[tokio::test]
async fn an_untrusted_command_waits_for_approval_and_a_decline_reaches_the_model() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = harness(AskForApproval::Untrusted);
    let mut model = tool_call_then_answer("touch created-by-the-model");
    let requests = Arc::clone(&model.requests);
    let workspace = ctx.settings.cwd.clone();
    let turn_task = run_turn(&ctx, &mut model, turn(), input("touch it"));
    let host = async {
        let mut seen = Vec::new();
        while let Some(event) = events.recv().await {
            if let EventMsg::CommandApprovalRequested(request) = &event.msg {
                let reply = request.reply.take();
                if let Some(reply) = reply {
                    let _ = reply.send(ReviewDecision::Denied);
                }
            }
            let done = matches!(event.msg, EventMsg::TurnCompleted { .. });
            seen.push(event.msg);
            if done {
                break;
            }
        }
        seen
    };
    let ((), seen) = tokio::join!(turn_task, host);
    let seen = labels(&seen);
    let asked = seen
        .iter()
        .position(|l| l == "CommandApprovalRequested")
        .unwrap_or_else(|| panic!("no approval request: {seen:?}"));
    assert_eq!(seen[asked - 1], "status active waiting=true");
    assert_eq!(seen[asked + 1], "status active waiting=false");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("turn completed Completed")
    );
    assert!(!workspace.join("created-by-the-model").exists());
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let output = call_output(&requests[1], "call-1").unwrap_or_default();
    assert_eq!(output, "exec command rejected by user");
}

#[tokio::test]
async fn input_steered_in_before_a_request_joins_that_request() {
    let Harness {
        ctx,
        mut events,
        _workspace,
    } = harness(AskForApproval::Never);
    // Steered before the first request goes out: it is taken in with the turn's own input.
    ctx.conversation()
        .lock()
        .steered_input
        .push((input("and also this"), None));
    let mut model = ScriptedModel::new(vec![
        vec![Ok(assistant("first")), Ok(completed())],
        vec![Ok(assistant("second")), Ok(completed())],
    ]);
    let requests = Arc::clone(&model.requests);
    run_turn(&ctx, &mut model, turn(), input("hi")).await;

    let seen = labels(&events_until_completed(&mut events).await);
    let user_messages = seen
        .iter()
        .filter(|l| *l == "completed UserMessage")
        .count();
    assert_eq!(user_messages, 2, "{seen:?}");
    let requests = requests.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert_eq!(
        requests.len(),
        1,
        "the steered input joins the first request"
    );
    let users = requests[0]
        .iter()
        .filter(|item| matches!(item, ResponseItem::Message { role, .. } if role == "user"))
        .count();
    assert_eq!(
        users, 3,
        "the environment and both messages: {:?}",
        requests[0]
    );
}

mod compaction;
mod dynamic_tools;
mod plan_mode;
