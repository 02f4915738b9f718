//! The turn loop: take the user's input, ask the model, run the tools it calls and ask again until it is
//! done, retrying dropped streams, and end the turn once with its status. Everything it touches comes
//! through its `TurnContext`.

mod compaction;
mod context_prefix;
mod finish;
mod local_image;
pub(crate) mod model_stream;
mod plan_mode_stream;
mod proposed_plan;
mod review_output;
mod review_turn;
mod sampling;
mod stream_items;
#[cfg(test)]
mod tests;
mod tool_calls;
mod user_input;

use std::time::Instant;

use crate::client::ApiError;
use crate::client::Prompt;
use crate::config::WebSearchMode;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event::TurnSummary;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::protocol::turn_outcome::TurnError;
use crate::rollout::RolloutItem;
use crate::session::turn_context::TurnContext;
use crate::tools::spec::ToolsSpecConfig;
use crate::tools::turn_diff::TurnDiffTracker;

pub(crate) use context_prefix::context_items;
use finish::TurnEnd;
pub(crate) use finish::finish_turn;
use finish::settle_status;
use model_stream::ModelStream;
pub(crate) use review_turn::ReviewRequest;
pub(crate) use review_turn::run_review_turn;
use sampling::SamplingOutcome;
use sampling::run_sampling_request;
use tool_calls::run_tool_calls;
use user_input::record_user_input;

/// Runs the turn `turn` (announced as in progress) with `input` to its end; `turn/completed` is the last
/// event it reports.
pub(crate) async fn run_turn(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
    turn: TurnSummary,
    input: Vec<UserInput>,
) {
    let started = Instant::now();
    begin_turn(ctx, &turn).await;
    // The first request offers the MCP servers' tools: wait for servers still starting (or the interrupt).
    tokio::select! {
        biased;
        () = ctx.cancel().cancelled() => {}
        () = ctx.tools.settings.mcp.load() => {}
    }
    let mut completed_items = Vec::new();
    // A thread already past its limit compacts before the new message joins it (as upstream), so the
    // message comes after the summary; if that fails, the message is still recorded, then the turn fails.
    let compacted = if compaction::needs_compaction(ctx) {
        compact(ctx, model)
            .await
            .map(|item| completed_items.push(item))
    } else {
        Ok(())
    };
    let client_id = ctx.this_turn.client_user_message_id.clone();
    completed_items.push(record_user_input(ctx, input, client_id).await);
    let outcome = match compacted {
        Ok(()) => sample_until_done(ctx, model, &mut completed_items).await,
        Err(end) => Err(end),
    };
    end_turn(ctx, turn, outcome, completed_items, started).await;
}

/// Runs a turn that only compacts the history (`thread/compact/start`).
pub(crate) async fn run_compaction_turn(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
    turn: TurnSummary,
) {
    let started = Instant::now();
    begin_turn(ctx, &turn).await;
    let mut completed_items = Vec::new();
    let outcome = compact(ctx, model)
        .await
        .map(|item| completed_items.push(item));
    end_turn(ctx, turn, outcome, completed_items, started).await;
}

/// Settles how the turn ended, reports a failure as an `error`, and finishes the turn.
async fn end_turn(
    ctx: &TurnContext,
    mut turn: TurnSummary,
    outcome: Result<(), TurnEnd>,
    completed_items: Vec<TurnItem>,
    started: Instant,
) {
    let (status, error) = settle_status(ctx, outcome);
    if let Some(error) = &error {
        ctx.events()
            .emit(EventMsg::Error {
                turn_id: turn.id.clone(),
                error: error.clone(),
                will_retry: false,
            })
            .await;
    }
    if status == crate::protocol::turn_outcome::TurnStatus::Interrupted {
        // An interrupt ends the thread's sessions too; their items complete before the turn does.
        ctx.shared.unified_exec.terminate_all().await;
    }
    turn.status = status;
    turn.error = error;
    finish_turn(&ctx.shared, turn, completed_items, started).await;
}

/// Records and reports the turn's start and makes the conversation valid for its requests.
async fn begin_turn(ctx: &TurnContext, turn: &TurnSummary) {
    ctx.conversation().record(vec![RolloutItem::TurnStarted {
        turn_id: turn.id.clone(),
        started_at: turn.started_at.unwrap_or_default(),
    }]);
    ctx.events().emit(EventMsg::TurnStarted(turn.clone())).await;
    ctx.events()
        .set_status(ThreadStatus::Active {
            waiting_on_approval: false,
            waiting_on_user_input: false,
        })
        .await;
    ctx.conversation().answer_unanswered_calls();
}

/// Asks the model until it is done: after tool calls (their outputs go back in the next request) and
/// after input steered in while it answered.
async fn sample_until_done(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
    completed_items: &mut Vec<TurnItem>,
) -> Result<(), TurnEnd> {
    let diff = TurnDiffTracker::default();
    let mut compacted_for_overflow = false;
    loop {
        for (input, client_id) in ctx.conversation().take_steered_input() {
            completed_items.push(record_user_input(ctx, input, client_id).await);
        }
        if compaction::needs_compaction(ctx) {
            completed_items.push(compact(ctx, model).await?);
        }
        let prompt = prompt(ctx);
        let (history_len, items_len) = (ctx.conversation().history_len(), completed_items.len());
        match sample_with_retries(ctx, model, &prompt, completed_items).await {
            Ok(SamplingOutcome::Done {
                needs_follow_up,
                tool_calls,
            }) if needs_follow_up || !tool_calls.is_empty() => {
                run_tool_calls(ctx, tool_calls, &diff, completed_items).await?;
            }
            Ok(SamplingOutcome::Done { .. }) => {
                if !ctx.conversation().has_steered_input() {
                    return Ok(());
                }
            }
            Ok(SamplingOutcome::Interrupted) => return Err(TurnEnd::Interrupted),
            // The model's window was exceeded before the limit said so: compact once and ask again.
            Err(ApiError::ContextWindowExceeded) if !compacted_for_overflow => {
                compacted_for_overflow = true;
                ctx.conversation().truncate_history(history_len);
                completed_items.truncate(items_len);
                completed_items.push(compact(ctx, model).await?);
            }
            Err(err) => return Err(TurnEnd::Failed(failure(ctx, err).await)),
        }
    }
}

/// Compacts the conversation; a compaction that fails fails the turn with its reason, history untouched.
async fn compact(ctx: &TurnContext, model: &mut dyn ModelStream) -> Result<TurnItem, TurnEnd> {
    match compaction::compact(ctx, model).await {
        Ok(item) => Ok(item),
        Err(compaction::CompactionError::Interrupted) => Err(TurnEnd::Interrupted),
        Err(err) => {
            tracing::warn!("turn {} failed: {err}", ctx.turn_id());
            let codex_error_info = match &err {
                compaction::CompactionError::Model(api) => Some(api.codex_error_info()),
                compaction::CompactionError::EmptySummary
                | compaction::CompactionError::EmptyHistory
                | compaction::CompactionError::Interrupted => None,
            };
            Err(TurnEnd::Failed(TurnError {
                message: err.to_string(),
                codex_error_info,
                additional_details: None,
            }))
        }
    }
}

/// The next request: the whole history, the tools this model is offered and the turn's options.
fn prompt(ctx: &TurnContext) -> Prompt {
    let settings = &ctx.settings;
    let web_search = WebSearchMode::for_sandbox(settings.web_search_mode, settings.sandbox_mode);
    let mut tools = ToolsSpecConfig::for_model(
        &settings.model_info,
        &settings.features,
        web_search,
        true,
        true,
    );
    tools.view_image &= !ctx.reviewing;
    Prompt {
        input: ctx.conversation().history(),
        tools: tools.tools_json_with_mcp(&settings.dynamic_tools, &ctx.tools.settings.mcp),
        parallel_tool_calls: settings.model_info.supports_parallel_tool_calls,
        base_instructions: settings.base_instructions.clone(),
        output_schema: ctx.this_turn.output_schema.clone(),
        service_tier: ctx
            .this_turn
            .service_tier
            .clone()
            .or_else(|| settings.service_tier.clone()),
    }
}

/// One request, retried with backoff while the error is retryable; what a failed attempt added to history
/// and to the turn's items is dropped, since the retry resends the same prompt.
async fn sample_with_retries(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
    prompt: &Prompt,
    completed_items: &mut Vec<TurnItem>,
) -> Result<SamplingOutcome, ApiError> {
    let max_retries = ctx.stream_max_retries;
    let mut retries = 0u64;
    loop {
        let history_len = ctx.conversation().history_len();
        let items_len = completed_items.len();
        let attempt = tokio::select! {
            biased;
            () = ctx.cancel().cancelled() => Ok(SamplingOutcome::Interrupted),
            result = run_sampling_request(ctx, model, prompt, completed_items) => result,
        };
        let err = match attempt {
            Err(err) if err.is_retryable() && retries < max_retries => err,
            other => return other,
        };
        retries += 1;
        ctx.conversation().truncate_history(history_len);
        completed_items.truncate(items_len);
        let delay = err
            .retry_delay()
            .unwrap_or_else(|| crate::client::backoff(retries));
        tracing::warn!("stream error, retrying {retries}/{max_retries} in {delay:?}: {err}");
        ctx.events()
            .emit(EventMsg::Error {
                turn_id: ctx.turn_id().to_string(),
                error: TurnError {
                    message: format!("Reconnecting... {retries}/{max_retries}"),
                    codex_error_info: Some(err.codex_error_info()),
                    additional_details: Some(err.to_string()),
                },
                will_retry: true,
            })
            .await;
        tokio::select! {
            () = ctx.cancel().cancelled() => return Ok(SamplingOutcome::Interrupted),
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// The turn's error for a request that failed for good. The limit that was hit is reported before the turn
/// fails, so the host shows it at 100%.
async fn failure(ctx: &TurnContext, err: ApiError) -> TurnError {
    if let ApiError::UsageLimitReached(limit) = &err
        && let Some(snapshot) = &limit.rate_limits
    {
        ctx.events()
            .emit(EventMsg::RateLimitsUpdated(snapshot.clone()))
            .await;
    }
    tracing::warn!("turn {} failed: {err}", ctx.turn_id());
    TurnError {
        message: err.to_string(),
        codex_error_info: Some(err.codex_error_info()),
        additional_details: None,
    }
}
