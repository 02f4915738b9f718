//! The turn loop: record the user's input, ask the model, stream what comes back as events, feed tool calls
//! and their outputs back, and repeat until the model is done — with stream retries, interruption, and a
//! rollout that holds every completed item whatever happens.

use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::session::thread::TurnOnlyOptions;

use crate::client::ApiError;
use crate::client::Prompt;
use crate::client::ResponseEvent;
use crate::context::environment::EnvironmentContext;
use crate::context::environment::user_shell_name;
use crate::context::git_ceilings::GitCeilings;
use crate::context::git_info::DEFAULT_GIT_INFO_TIMEOUT;
use crate::context::git_info::collect_git_info;
use crate::context::project_doc::read_global_instructions;
use crate::context::project_doc::render_user_instructions;
use crate::context::project_doc::user_instructions;
use crate::context::turn_metadata::TurnMetadataState;
use crate::context::turn_metadata::sandbox_tag;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event::TurnSummary;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::ReasoningContent;
use crate::protocol::response_item::ReasoningSummary;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::response_item::WebSearchCallAction;
use crate::protocol::token_usage::TokenUsageInfo;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::protocol::turn_outcome::TurnError;
use crate::protocol::turn_outcome::TurnStatus;
use crate::rollout::RolloutItem;
use crate::rollout::StoredTurn;
use crate::session::thread::ThreadInner;
use crate::tools::router::TOOL_ABORTED;
use crate::tools::router::ToolCall;
use crate::tools::router::run_tool_call;
use crate::tools::spec::ToolsSpecConfig;
use crate::tools::turn_diff::TurnDiffTracker;

/// Why a sampling request stopped.
enum SamplingOutcome {
    /// The model finished; `needs_follow_up` when tool outputs were added to history.
    Done {
        needs_follow_up: bool,
        /// The tool calls the model made, in order; their outputs are not in history yet.
        tool_calls: Vec<ToolCall>,
    },
    Interrupted,
}

pub(crate) async fn run_turn(
    thread: Arc<ThreadInner>,
    mut turn: TurnSummary,
    input: Vec<UserInput>,
    this_turn: TurnOnlyOptions,
    cancel: CancellationToken,
) {
    let started = Instant::now();
    let turn_id = turn.id.clone();
    thread.record(vec![RolloutItem::TurnStarted {
        turn_id: turn_id.clone(),
        started_at: turn.started_at.unwrap_or_default(),
    }]);
    thread.emit(EventMsg::TurnStarted(turn.clone())).await;
    thread
        .set_status(ThreadStatus::Active {
            waiting_on_approval: false,
        })
        .await;

    // An interrupted or failed turn, or a daemon killed while a tool ran, can leave a call without an output;
    // the model needs one for every call.
    answer_unanswered_calls(&thread);
    let mut completed_items = vec![
        record_user_input(
            &thread,
            &turn_id,
            input,
            this_turn.client_user_message_id.clone(),
        )
        .await,
    ];
    let mut diff = TurnDiffTracker::default();

    let mut client_session = thread.client.new_session();
    let metadata = {
        let settings = thread.settings.lock().unwrap_or_else(|e| e.into_inner());
        let known_git = match &thread.metadata.workspace_git {
            Some((git_cwd, git)) if *git_cwd == settings.cwd => git.as_ref(),
            Some(_) | None => None,
        };
        let mut metadata = TurnMetadataState::with_known_git(
            &turn_id,
            Some(sandbox_tag(settings.sandbox_mode)),
            known_git,
        );
        metadata.spawn_git_enrichment(
            settings.cwd.clone(),
            GitCeilings::from_env(),
            DEFAULT_GIT_INFO_TIMEOUT,
        );
        metadata
    };
    let outcome: Result<(), TurnEnd> = loop {
        let steered = std::mem::take(
            &mut thread
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .steered_input,
        );
        for (input, client_id) in steered {
            completed_items.push(record_user_input(&thread, &turn_id, input, client_id).await);
        }
        let (prompt, model_info, effort, summary) = {
            let settings = thread.settings.lock().unwrap_or_else(|e| e.into_inner());
            let state = thread.state.lock().unwrap_or_else(|e| e.into_inner());
            (
                Prompt {
                    input: state.history.clone(),
                    tools: ToolsSpecConfig::for_model(
                        &settings.model_info,
                        crate::config::WebSearchMode::for_sandbox(
                            settings.web_search_mode,
                            settings.sandbox_mode,
                        ),
                        true,
                        true,
                    )
                    .tools_json(),
                    parallel_tool_calls: settings.model_info.supports_parallel_tool_calls,
                    base_instructions: settings.base_instructions.clone(),
                    output_schema: this_turn.output_schema.clone(),
                    service_tier: this_turn
                        .service_tier
                        .clone()
                        .or_else(|| settings.service_tier.clone()),
                },
                settings.model_info.clone(),
                settings.effort,
                settings.summary,
            )
        };
        let turn_metadata = metadata.header_value().to_string();
        let max_retries = thread.client.provider().stream_max_retries();
        let mut retries = 0u64;
        let sampled = loop {
            let history_len = thread
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .history
                .len();
            let items_len = completed_items.len();
            let attempt = tokio::select! {
                biased;
                () = cancel.cancelled() => Ok(SamplingOutcome::Interrupted),
                result = run_sampling_request(
                    &thread,
                    &turn_id,
                    &mut client_session,
                    &prompt,
                    &model_info,
                    effort,
                    summary,
                    &turn_metadata,
                    &mut completed_items,
                ) => result,
            };
            match attempt {
                Ok(outcome) => break Ok(outcome),
                Err(err) if err.is_retryable() && retries < max_retries => {
                    retries += 1;
                    // The retry resends the same prompt, so what the failed attempt added is dropped.
                    thread
                        .state
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .history
                        .truncate(history_len);
                    completed_items.truncate(items_len);
                    let delay = err
                        .retry_delay()
                        .unwrap_or_else(|| crate::client::backoff(retries));
                    tracing::warn!(
                        "stream error, retrying {retries}/{max_retries} in {delay:?}: {err}"
                    );
                    thread
                        .emit(EventMsg::Error {
                            turn_id: turn_id.clone(),
                            error: TurnError {
                                message: format!("Reconnecting... {retries}/{max_retries}"),
                                codex_error_info: Some(err.codex_error_info()),
                                additional_details: Some(err.to_string()),
                            },
                            will_retry: true,
                        })
                        .await;
                    tokio::select! {
                        () = cancel.cancelled() => break Ok(SamplingOutcome::Interrupted),
                        () = tokio::time::sleep(delay) => {}
                    }
                }
                Err(err) => break Err(err),
            }
        };
        match sampled {
            Ok(SamplingOutcome::Done {
                needs_follow_up,
                tool_calls,
            }) if needs_follow_up || !tool_calls.is_empty() => {
                let mut aborted = false;
                for call in tool_calls {
                    if cancel.is_cancelled() {
                        break;
                    }
                    let result = run_tool_call(&thread, &turn_id, &call, &mut diff, &cancel).await;
                    let mut records = vec![RolloutItem::ResponseItem(result.output.clone())];
                    if let Some(item) = &result.item {
                        records.push(RolloutItem::ItemCompleted {
                            turn_id: turn_id.clone(),
                            item: item.clone(),
                        });
                        completed_items.push(item.clone());
                    }
                    thread
                        .state
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .history
                        .push(result.output);
                    thread.record(records);
                    if result.abort_turn {
                        aborted = true;
                        break;
                    }
                }
                if aborted || cancel.is_cancelled() {
                    break Err(TurnEnd::Interrupted);
                }
                continue;
            }
            Ok(SamplingOutcome::Done { .. }) => {
                let steered_pending = !thread
                    .state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .steered_input
                    .is_empty();
                if steered_pending {
                    continue;
                }
                break Ok(());
            }
            Ok(SamplingOutcome::Interrupted) => break Err(TurnEnd::Interrupted),
            Err(err) => {
                // The limit that was hit is reported before the turn fails, so the host shows it at 100%.
                if let ApiError::UsageLimitReached(limit) = &err
                    && let Some(snapshot) = &limit.rate_limits
                {
                    thread
                        .emit(EventMsg::RateLimitsUpdated(snapshot.clone()))
                        .await;
                }
                tracing::warn!("turn {turn_id} failed: {err}");
                break Err(TurnEnd::Failed(TurnError {
                    message: err.to_string(),
                    codex_error_info: Some(err.codex_error_info()),
                    additional_details: None,
                }));
            }
        }
    };

    let (status, error) = if close_interrupt_window(&thread, &cancel) {
        (TurnStatus::Interrupted, None)
    } else {
        match outcome {
            Ok(()) => (TurnStatus::Completed, None),
            Err(TurnEnd::Interrupted) => (TurnStatus::Interrupted, None),
            Err(TurnEnd::Failed(error)) => (TurnStatus::Failed, Some(error)),
        }
    };
    if let Some(error) = &error {
        thread
            .emit(EventMsg::Error {
                turn_id: turn_id.clone(),
                error: error.clone(),
                will_retry: false,
            })
            .await;
    }
    turn.status = status;
    turn.error = error;
    finish_turn(&thread, turn, completed_items, started).await;
}

/// Records how a turn ended, files it among the thread's turns, frees the thread for the next one and
/// reports `turn/completed`. `turn` carries the final status and error.
pub(crate) async fn finish_turn(
    thread: &ThreadInner,
    mut turn: TurnSummary,
    completed_items: Vec<TurnItem>,
    started: Instant,
) {
    let turn_id = turn.id.clone();
    let (status, error) = (turn.status, turn.error.clone());
    let completed_at = chrono::Utc::now().timestamp();
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    turn.completed_at = Some(completed_at);
    turn.duration_ms = Some(duration_ms);
    thread.record(vec![RolloutItem::TurnCompleted {
        turn_id: turn_id.clone(),
        status,
        error: error.clone(),
        completed_at,
        duration_ms,
    }]);
    if let Some(recorder) = &thread.recorder
        && let Err(err) = recorder.flush().await
    {
        tracing::warn!("flushing rollout: {err}");
    }
    let final_message = completed_items
        .iter()
        .rev()
        .find(|item| matches!(item, TurnItem::AgentMessage { .. }))
        .cloned();
    {
        let mut state = thread.state.lock().unwrap_or_else(|e| e.into_inner());
        state.turns.push(StoredTurn {
            id: turn_id.clone(),
            items: completed_items,
            status,
            error,
            started_at: turn.started_at,
            completed_at: Some(completed_at),
            duration_ms: Some(duration_ms),
        });
        state.active_turn = None;
        state.updated_at = completed_at;
    }
    thread.set_status(ThreadStatus::Idle).await;
    thread
        .emit(EventMsg::TurnCompleted {
            turn,
            final_message,
        })
        .await;
    thread.turn_ended.notify_waiters();
}

/// Marks the active turn as ending, so `turn/interrupt` and `turn/steer` are refused from now on, and says
/// whether an interrupt got in first: then the turn ends `interrupted` whatever it was about to report.
fn close_interrupt_window(thread: &ThreadInner, cancel: &CancellationToken) -> bool {
    let mut state = thread.state.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(active) = state.active_turn.as_mut() {
        active.ending = true;
    }
    cancel.is_cancelled()
}

/// Puts user input into history and the rollout and reports it as a completed `userMessage` item.
async fn record_user_input(
    thread: &ThreadInner,
    turn_id: &str,
    input: Vec<UserInput>,
    client_id: Option<String>,
) -> TurnItem {
    let user_item = TurnItem::UserMessage {
        id: uuid::Uuid::new_v4().to_string(),
        content: input.clone(),
        client_id,
    };
    let mut new_history = context_items(thread).await;
    new_history.push(user_message(&input));
    {
        let mut state = thread.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.preview.is_empty() {
            state.preview = preview_text(&input);
        }
        state.history.extend(new_history.iter().cloned());
        state.updated_at = chrono::Utc::now().timestamp();
    }
    let mut records: Vec<RolloutItem> = new_history
        .into_iter()
        .map(RolloutItem::ResponseItem)
        .collect();
    records.push(RolloutItem::ItemCompleted {
        turn_id: turn_id.to_string(),
        item: user_item.clone(),
    });
    thread.record(records);
    thread
        .emit(EventMsg::ItemStarted {
            turn_id: turn_id.to_string(),
            item: user_item.clone(),
        })
        .await;
    thread
        .emit(EventMsg::ItemCompleted {
            turn_id: turn_id.to_string(),
            item: user_item.clone(),
        })
        .await;
    user_item
}

/// What must precede new items in history: the session prefix if this thread has none yet, and the
/// environment context if it changed since the model last saw it.
pub(crate) async fn context_items(thread: &ThreadInner) -> Vec<ResponseItem> {
    let prefix_needed = {
        let mut state = thread.state.lock().unwrap_or_else(|e| e.into_inner());
        !std::mem::replace(&mut state.prefix_recorded, true)
    };
    let mut items = if prefix_needed {
        session_prefix(thread).await
    } else {
        Vec::new()
    };
    items.extend(environment_update(thread).await);
    items
}

enum TurnEnd {
    Interrupted,
    Failed(TurnError),
}

/// The session prefix the first turn puts in history: developer instructions and the user's `AGENTS.md`
/// instructions (global, then repo root down to cwd). The environment context follows it.
async fn session_prefix(thread: &ThreadInner) -> Vec<ResponseItem> {
    let (developer, cwd, codex_home, project_doc_max_bytes) = {
        let settings = thread.settings.lock().unwrap_or_else(|e| e.into_inner());
        (
            settings.developer_instructions.clone(),
            settings.cwd.clone(),
            settings.codex_home.clone(),
            settings.project_doc_max_bytes,
        )
    };
    let mut items = Vec::new();
    if let Some(developer) = developer {
        items.push(ResponseItem::Message {
            id: None,
            role: "developer".to_string(),
            content: vec![ContentItem::InputText { text: developer }],
            end_turn: None,
            phase: None,
        });
    }
    let global = read_global_instructions(&codex_home).await;
    if let Some(instructions) = user_instructions(
        global.as_deref(),
        &cwd,
        &GitCeilings::from_env(),
        project_doc_max_bytes,
    )
    .await
    {
        items.push(ResponseItem::user_text(render_user_instructions(
            &cwd,
            &instructions,
        )));
    }
    items
}

/// The environment context (cwd, approval policy, sandbox, network, shell and the workspace's git state)
/// when the model has not seen it yet in this process, or when the turn changed any of it.
async fn environment_update(thread: &ThreadInner) -> Option<ResponseItem> {
    let environment = {
        let settings = thread.settings.lock().unwrap_or_else(|e| e.into_inner());
        EnvironmentContext::new(settings.cwd.clone(), user_shell_name()).with_policies(
            settings.approval_policy,
            settings.sandbox_mode,
            &settings.sandbox_workspace_write,
        )
    };
    {
        let mut state = thread.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.environment_sent.as_ref() == Some(&environment) {
            return None;
        }
        state.environment_sent = Some(environment.clone());
    }
    let cwd = environment.cwd.clone();
    // The state gathered when the thread started is reused unless the turn moved to another directory.
    let git = match &thread.metadata.workspace_git {
        Some((git_cwd, git)) if *git_cwd == cwd => git.clone(),
        Some(_) | None => {
            collect_git_info(&cwd, &GitCeilings::from_env(), DEFAULT_GIT_INFO_TIMEOUT).await
        }
    };
    let environment = match git {
        Some(git) => environment.with_git_info(git),
        None => environment,
    };
    Some(ResponseItem::user_text(environment.render()))
}

/// The user's input as a history message.
fn user_message(input: &[UserInput]) -> ResponseItem {
    let content = input
        .iter()
        .map(|part| match part {
            UserInput::Text { text, .. } => ContentItem::InputText { text: text.clone() },
            UserInput::Image {
                url,
                file_id,
                detail,
            } => ContentItem::InputImage {
                image_url: url.clone(),
                file_id: file_id.clone(),
                detail: detail.clone(),
            },
            UserInput::LocalImage { path } => ContentItem::InputText {
                text: format!("<image path=\"{path}\" />"),
            },
        })
        .collect();
    ResponseItem::Message {
        id: None,
        role: "user".to_string(),
        content,
        end_turn: None,
        phase: None,
    }
}

fn preview_text(input: &[UserInput]) -> String {
    input
        .iter()
        .find_map(|part| match part {
            UserInput::Text { text, .. } => Some(text.clone()),
            UserInput::Image { .. } | UserInput::LocalImage { .. } => None,
        })
        .unwrap_or_default()
}

/// The item currently streaming, so deltas know where they belong.
enum StreamingItem {
    Message { id: String },
    Reasoning { id: String },
    WebSearch { id: String },
}

#[allow(clippy::too_many_arguments)]
async fn run_sampling_request(
    thread: &ThreadInner,
    turn_id: &str,
    client_session: &mut crate::client::ModelClientSession,
    prompt: &Prompt,
    model_info: &crate::model::info::ModelInfo,
    effort: Option<crate::model::info::ReasoningEffort>,
    summary: crate::model::info::ReasoningSummaryMode,
    turn_metadata: &str,
    completed_items: &mut Vec<TurnItem>,
) -> Result<SamplingOutcome, ApiError> {
    let mut stream = client_session
        .stream(prompt, model_info, effort, summary, Some(turn_metadata))
        .await?;
    let mut needs_follow_up = false;
    let mut tool_calls = Vec::new();
    let mut streaming: Option<StreamingItem> = None;
    while let Some(event) = stream.next().await {
        match event? {
            ResponseEvent::Created
            | ResponseEvent::ServerModel(_)
            | ResponseEvent::ServerReasoningIncluded(_) => {}
            ResponseEvent::ModelsEtag(etag) => {
                // The fetch runs beside the turn; its outcome never touches the turn.
                if thread.models.etag().as_deref() != Some(etag.as_str()) {
                    let models = Arc::clone(&thread.models);
                    let client = thread.client.clone();
                    tokio::spawn(async move {
                        models.refresh_if_etag_changed(&etag, &client).await;
                    });
                }
            }
            ResponseEvent::RateLimits(snapshot) => {
                thread.emit(EventMsg::RateLimitsUpdated(snapshot)).await;
            }
            ResponseEvent::OutputItemAdded(item) => {
                if let Some((started, kind)) = started_item(&item) {
                    streaming = Some(kind);
                    thread
                        .emit(EventMsg::ItemStarted {
                            turn_id: turn_id.to_string(),
                            item: started,
                        })
                        .await;
                }
            }
            ResponseEvent::OutputTextDelta(delta) => {
                let item_id = match &streaming {
                    Some(StreamingItem::Message { id }) => id.clone(),
                    Some(StreamingItem::Reasoning { .. })
                    | Some(StreamingItem::WebSearch { .. })
                    | None => {
                        let id = uuid::Uuid::new_v4().to_string();
                        streaming = Some(StreamingItem::Message { id: id.clone() });
                        thread
                            .emit(EventMsg::ItemStarted {
                                turn_id: turn_id.to_string(),
                                item: TurnItem::AgentMessage {
                                    id: id.clone(),
                                    text: String::new(),
                                    phase: None,
                                },
                            })
                            .await;
                        id
                    }
                };
                thread
                    .emit(EventMsg::AgentMessageDelta {
                        turn_id: turn_id.to_string(),
                        item_id,
                        delta,
                    })
                    .await;
            }
            ResponseEvent::ReasoningSummaryDelta {
                delta,
                summary_index,
            } => {
                if let Some(StreamingItem::Reasoning { id }) = &streaming {
                    thread
                        .emit(EventMsg::ReasoningSummaryTextDelta {
                            turn_id: turn_id.to_string(),
                            item_id: id.clone(),
                            delta,
                            summary_index,
                        })
                        .await;
                }
            }
            ResponseEvent::ReasoningSummaryPartAdded { summary_index } => {
                if let Some(StreamingItem::Reasoning { id }) = &streaming {
                    thread
                        .emit(EventMsg::ReasoningSummaryPartAdded {
                            turn_id: turn_id.to_string(),
                            item_id: id.clone(),
                            summary_index,
                        })
                        .await;
                }
            }
            ResponseEvent::ReasoningContentDelta {
                delta,
                content_index,
            } => {
                if let Some(StreamingItem::Reasoning { id }) = &streaming {
                    thread
                        .emit(EventMsg::ReasoningTextDelta {
                            turn_id: turn_id.to_string(),
                            item_id: id.clone(),
                            delta,
                            content_index,
                        })
                        .await;
                }
            }
            ResponseEvent::OutputItemDone(item) => {
                let streaming_id = match streaming.take() {
                    Some(StreamingItem::Message { id })
                    | Some(StreamingItem::Reasoning { id })
                    | Some(StreamingItem::WebSearch { id }) => Some(id),
                    None => None,
                };
                let announced = streaming_id.is_some();
                let mut records = vec![RolloutItem::ResponseItem(item.clone())];
                let completed = completed_item(&item, streaming_id);
                if let Some(call) = ToolCall::from_item(&item) {
                    needs_follow_up = true;
                    tool_calls.push(call);
                }
                if let Some(completed) = &completed {
                    records.push(RolloutItem::ItemCompleted {
                        turn_id: turn_id.to_string(),
                        item: completed.clone(),
                    });
                }
                thread
                    .state
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .history
                    .push(item);
                thread.record(records);
                if let Some(completed) = completed {
                    completed_items.push(completed.clone());
                    // An item the stream never opened still gets its item/started first.
                    if !announced {
                        thread
                            .emit(EventMsg::ItemStarted {
                                turn_id: turn_id.to_string(),
                                item: completed.clone(),
                            })
                            .await;
                    }
                    thread
                        .emit(EventMsg::ItemCompleted {
                            turn_id: turn_id.to_string(),
                            item: completed,
                        })
                        .await;
                }
            }
            ResponseEvent::Completed {
                token_usage,
                end_turn,
                ..
            } => {
                if let Some(usage) = token_usage {
                    let info = {
                        let mut state = thread.state.lock().unwrap_or_else(|e| e.into_inner());
                        let mut info = state.token_usage.unwrap_or(TokenUsageInfo {
                            model_context_window: model_info.effective_context_window(),
                            ..TokenUsageInfo::default()
                        });
                        info.total.add(&usage);
                        info.last = usage;
                        info.model_context_window = model_info.effective_context_window();
                        state.token_usage = Some(info);
                        info
                    };
                    thread.record(vec![RolloutItem::TokenUsage {
                        turn_id: turn_id.to_string(),
                        info,
                    }]);
                    thread
                        .emit(EventMsg::TokenUsageUpdated {
                            turn_id: turn_id.to_string(),
                            info,
                        })
                        .await;
                }
                if end_turn == Some(false) {
                    needs_follow_up = true;
                }
                return Ok(SamplingOutcome::Done {
                    needs_follow_up,
                    tool_calls,
                });
            }
        }
    }
    Err(ApiError::Stream(
        "stream closed before response.completed".to_string(),
    ))
}

/// The item an `output_item.added` opens, for live display.
fn started_item(item: &ResponseItem) -> Option<(TurnItem, StreamingItem)> {
    match item {
        ResponseItem::Message {
            id, role, phase, ..
        } if role == "assistant" => {
            let id = id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            Some((
                TurnItem::AgentMessage {
                    id: id.clone(),
                    text: String::new(),
                    phase: *phase,
                },
                StreamingItem::Message { id },
            ))
        }
        ResponseItem::Reasoning { id, .. } => {
            let id = id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            Some((
                TurnItem::Reasoning {
                    id: id.clone(),
                    summary: Vec::new(),
                    content: Vec::new(),
                },
                StreamingItem::Reasoning { id },
            ))
        }
        ResponseItem::WebSearchCall { id, action, .. } => {
            let id = id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            Some((
                TurnItem::WebSearch {
                    id: id.clone(),
                    query: web_search_query(action.as_ref()),
                },
                StreamingItem::WebSearch { id },
            ))
        }
        ResponseItem::Message { .. }
        | ResponseItem::FunctionCall { .. }
        | ResponseItem::FunctionCallOutput { .. }
        | ResponseItem::CustomToolCall { .. }
        | ResponseItem::CustomToolCallOutput { .. }
        | ResponseItem::LocalShellCall { .. }
        | ResponseItem::Other => None,
    }
}

/// The authoritative turn item for an `output_item.done`, if the item is one users see.
fn completed_item(item: &ResponseItem, streaming_id: Option<String>) -> Option<TurnItem> {
    match item {
        ResponseItem::Message {
            id, role, phase, ..
        } if role == "assistant" => Some(TurnItem::AgentMessage {
            id: streaming_id
                .or_else(|| id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            text: item.assistant_text().unwrap_or_default(),
            phase: *phase,
        }),
        ResponseItem::Reasoning {
            id,
            summary,
            content,
            ..
        } => Some(TurnItem::Reasoning {
            id: streaming_id
                .or_else(|| id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            summary: summary
                .iter()
                .map(|s| match s {
                    ReasoningSummary::SummaryText { text } => text.clone(),
                })
                .collect(),
            content: content
                .iter()
                .flatten()
                .map(|c| match c {
                    ReasoningContent::ReasoningText { text } | ReasoningContent::Text { text } => {
                        text.clone()
                    }
                })
                .collect(),
        }),
        ResponseItem::WebSearchCall { id, action, .. } => Some(TurnItem::WebSearch {
            id: streaming_id
                .or_else(|| id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            query: web_search_query(action.as_ref()),
        }),
        ResponseItem::Message { .. }
        | ResponseItem::FunctionCall { .. }
        | ResponseItem::FunctionCallOutput { .. }
        | ResponseItem::CustomToolCall { .. }
        | ResponseItem::CustomToolCallOutput { .. }
        | ResponseItem::LocalShellCall { .. }
        | ResponseItem::Other => None,
    }
}

/// What a web search call looked for, as the `webSearch` item's `query`.
fn web_search_query(action: Option<&WebSearchCallAction>) -> String {
    match action {
        Some(WebSearchCallAction::Search { query, queries }) => query
            .clone()
            .or_else(|| queries.as_ref().map(|queries| queries.join(" | ")))
            .unwrap_or_default(),
        Some(WebSearchCallAction::OpenPage { url }) => url.clone().unwrap_or_default(),
        Some(WebSearchCallAction::FindInPage { url, pattern }) => {
            pattern.clone().or_else(|| url.clone()).unwrap_or_default()
        }
        Some(WebSearchCallAction::Other) | None => String::new(),
    }
}

/// Gives every tool call in history that has no output yet an "aborted" output (recorded in the rollout
/// too), so the conversation is valid for the turn's requests.
fn answer_unanswered_calls(thread: &ThreadInner) {
    let outputs: Vec<ResponseItem> = {
        let mut state = thread.state.lock().unwrap_or_else(|e| e.into_inner());
        let answered: std::collections::HashSet<String> = state
            .history
            .iter()
            .filter_map(|item| match item {
                ResponseItem::FunctionCallOutput { call_id, .. }
                | ResponseItem::CustomToolCallOutput { call_id, .. } => Some(call_id.clone()),
                ResponseItem::Message { .. }
                | ResponseItem::Reasoning { .. }
                | ResponseItem::FunctionCall { .. }
                | ResponseItem::CustomToolCall { .. }
                | ResponseItem::LocalShellCall { .. }
                | ResponseItem::WebSearchCall { .. }
                | ResponseItem::Other => None,
            })
            .collect();
        let outputs: Vec<ResponseItem> = state
            .history
            .iter()
            .filter_map(ToolCall::from_item)
            .filter(|call| !answered.contains(call.call_id()))
            .map(|call| call.output(TOOL_ABORTED.to_string()))
            .collect();
        state.history.extend(outputs.iter().cloned());
        outputs
    };
    if !outputs.is_empty() {
        thread.record(outputs.into_iter().map(RolloutItem::ResponseItem).collect());
    }
}
