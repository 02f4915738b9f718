//! Compaction: when a thread's context passes its limit, the turn replaces the history with a shorter one
//! that carries the same work, records it in the rollout, and goes on. A provider with a compaction
//! endpoint (OpenAI, Azure) compacts on its side; with any other, the model writes a summary and the new
//! history is the session prefix, the user's most recent messages and that summary.

mod history;
mod prompt;
mod remote;

use futures::StreamExt;

use crate::client::ApiError;
use crate::client::Prompt;
use crate::client::ResponseEvent;
use crate::protocol::event::EventMsg;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_estimate::estimate_tokens;
use crate::protocol::token_usage::TokenUsage;
use crate::protocol::turn_item::TurnItem;
use crate::rollout::Compacted;
use crate::rollout::RolloutItem;
use crate::session::thread_settings::ThreadSettings;
use crate::session::turn::context_prefix::initial_context;
use crate::session::turn::model_stream::ModelStream;
use crate::session::turn::model_stream::SamplingRequest;
use crate::session::turn_context::TurnContext;

use history::USER_MESSAGES_TOKEN_BUDGET;
use history::build_compacted_history;
use history::drop_oldest;
use history::trim_to_window;
use history::user_messages;
use prompt::DEFAULT_COMPACT_PROMPT;
use remote::remote_compacted_history;

/// Why a compaction did not happen; the turn fails with it and the history stays as it was.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CompactionError {
    #[error("compacting the conversation failed: {0}")]
    Model(#[source] ApiError),
    #[error("compacting the conversation failed: the model wrote no summary")]
    EmptySummary,
    #[error("compacting the conversation failed: the server returned no compacted history")]
    EmptyHistory,
    #[error("compaction was interrupted")]
    Interrupted,
}

/// What the provider or the model gave back for the history.
enum CompactionOutput {
    /// The items a compaction endpoint says replace the history.
    Remote(Vec<ResponseItem>),
    /// The summary the model wrote, and what its request cost.
    Summary {
        summary: String,
        usage: Option<TokenUsage>,
    },
}

/// The token count past which the thread compacts: `model_auto_compact_token_limit`, never above 90% of
/// the model's context window; `None` when neither is known.
pub(crate) fn auto_compact_limit(settings: &ThreadSettings) -> Option<i64> {
    let window_limit = settings
        .model_info
        .context_window
        .map(|window| window * 9 / 10);
    match (window_limit, settings.compaction.auto_token_limit) {
        (Some(window_limit), Some(configured)) => Some(configured.min(window_limit)),
        (Some(window_limit), None) => Some(window_limit),
        (None, configured) => configured,
    }
}

/// How many tokens of the user's recent messages a summarized history keeps: at most a quarter of the
/// thread's limit, so the compacted history is well under it even with a small limit.
fn user_messages_budget(settings: &ThreadSettings) -> i64 {
    auto_compact_limit(settings).map_or(USER_MESSAGES_TOKEN_BUDGET, |limit| {
        USER_MESSAGES_TOKEN_BUDGET.min(limit / 4)
    })
}

/// Whether the context the model last saw is past the thread's limit.
pub(crate) fn needs_compaction(ctx: &TurnContext) -> bool {
    auto_compact_limit(&ctx.settings)
        .is_some_and(|limit| ctx.conversation().context_tokens() >= limit)
}

/// Compacts the conversation (remotely or by a summary), replaces the history with the compacted one
/// and reports it as a `contextCompaction` item of the turn, which it returns. The item starts before
/// the request, so the host can show the compaction while it runs; it completes only if it succeeds.
pub(crate) async fn compact(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
) -> Result<TurnItem, CompactionError> {
    let item = TurnItem::ContextCompaction {
        id: uuid::Uuid::new_v4().to_string(),
    };
    ctx.events()
        .emit(EventMsg::ItemStarted {
            turn_id: ctx.turn_id().to_string(),
            item: item.clone(),
        })
        .await;
    let history = ctx.conversation().history();
    let output = compact_with_retries(ctx, model, history.clone()).await?;
    let prefix = initial_context(&ctx.shared, &ctx.settings).await;
    let (replacement, summary) = match output {
        CompactionOutput::Remote(items) => {
            let replacement = remote_compacted_history(prefix.clone(), items);
            if replacement.len() == prefix.len() {
                return Err(CompactionError::EmptyHistory);
            }
            (replacement, String::new())
        }
        CompactionOutput::Summary { summary, usage } => {
            if let Some(usage) = usage {
                // The summary's own request counts toward the thread's totals, as any request does.
                ctx.conversation()
                    .add_token_usage(usage, ctx.settings.model_info.context_window);
            }
            (
                build_compacted_history(
                    prefix,
                    &user_messages(&history),
                    &summary,
                    user_messages_budget(&ctx.settings),
                ),
                summary,
            )
        }
    };
    let estimated = estimate_tokens(&replacement);
    tracing::info!(
        "thread {} compacted: {} items -> {} (~{estimated} tokens)",
        ctx.events().thread_id(),
        history.len(),
        replacement.len()
    );
    let usage = ctx
        .conversation()
        .replace_history(replacement.clone(), estimated);
    let turn_id = ctx.turn_id().to_string();
    ctx.conversation().record(vec![
        RolloutItem::Compacted(Compacted {
            message: summary,
            replacement_history: Some(replacement),
        }),
        RolloutItem::ItemCompleted {
            turn_id: turn_id.clone(),
            item: item.clone(),
        },
    ]);
    report_compaction(ctx, &item, usage).await;
    Ok(item)
}

/// The compaction's item completed, `thread/compacted`, and the usage of the context the model will see
/// next.
async fn report_compaction(
    ctx: &TurnContext,
    item: &TurnItem,
    usage: Option<crate::protocol::token_usage::TokenUsageInfo>,
) {
    let turn_id = ctx.turn_id().to_string();
    for event in [
        EventMsg::ItemCompleted {
            turn_id: turn_id.clone(),
            item: item.clone(),
        },
        EventMsg::Compacted {
            turn_id: turn_id.clone(),
        },
    ] {
        ctx.events().emit(event).await;
    }
    if let Some(info) = usage {
        ctx.conversation().record(vec![RolloutItem::TokenUsage {
            turn_id: turn_id.clone(),
            info,
        }]);
        ctx.events()
            .emit(EventMsg::TokenUsageUpdated { turn_id, info })
            .await;
    }
}

/// Compacts `history`, first trimmed (oldest items first) to what the model's window can take. A model
/// that still finds it too long gets it again without its oldest item; other retryable failures are
/// retried like a turn's requests.
async fn compact_with_retries(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
    mut history: Vec<ResponseItem>,
) -> Result<CompactionOutput, CompactionError> {
    let mut trimmed = ctx
        .settings
        .model_info
        .context_window
        .map_or(0, |window| trim_to_window(&mut history, window));
    let mut retries = 0u64;
    loop {
        let attempt = tokio::select! {
            biased;
            () = ctx.cancel().cancelled() => return Err(CompactionError::Interrupted),
            result = request_compaction(ctx, model, &history) => result,
        };
        match attempt {
            Ok(CompactionOutput::Summary { summary, .. }) if summary.trim().is_empty() => {
                return Err(CompactionError::EmptySummary);
            }
            Ok(output) => {
                if trimmed > 0 {
                    tracing::info!(
                        "compacted without the {trimmed} oldest items, which did not fit"
                    );
                }
                return Ok(output);
            }
            Err(ApiError::ContextWindowExceeded) if drop_oldest(&mut history) => trimmed += 1,
            Err(err) if err.is_retryable() && retries < ctx.stream_max_retries => {
                retries += 1;
                let delay = err
                    .retry_delay()
                    .unwrap_or_else(|| crate::client::backoff(retries));
                tracing::warn!("compaction request failed, retrying in {delay:?}: {err}");
                tokio::time::sleep(delay).await;
            }
            Err(err) => return Err(CompactionError::Model(err)),
        }
    }
}

/// One compaction request of `history`: to the provider's endpoint when it has one, otherwise the
/// history and the compaction prompt sent to the model without tools.
async fn request_compaction(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
    history: &[ResponseItem],
) -> Result<CompactionOutput, ApiError> {
    let mut prompt = Prompt {
        input: history.to_vec(),
        tools: Vec::new(),
        parallel_tool_calls: false,
        base_instructions: ctx.settings.base_instructions.clone(),
        output_schema: None,
        service_tier: ctx.settings.service_tier.clone(),
    };
    if model.supports_remote_compaction() {
        let items = model
            .compact_remotely(SamplingRequest::new(ctx, &prompt))
            .await?;
        return Ok(CompactionOutput::Remote(items));
    }
    let instructions = ctx
        .settings
        .compaction
        .prompt
        .clone()
        .unwrap_or_else(|| DEFAULT_COMPACT_PROMPT.to_string());
    prompt.input.push(ResponseItem::user_text(instructions));
    let (summary, usage) = summary_of(ctx, model, &prompt).await?;
    Ok(CompactionOutput::Summary { summary, usage })
}

/// One summarization request: the text of the assistant messages it completes, and its usage. The rate
/// limits its answer reports reach the host as a turn's do.
async fn summary_of(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
    prompt: &Prompt,
) -> Result<(String, Option<TokenUsage>), ApiError> {
    let mut stream = model.stream(SamplingRequest::new(ctx, prompt)).await?;
    let mut summary = String::new();
    while let Some(event) = stream.next().await {
        match event? {
            ResponseEvent::OutputItemDone(item) => {
                if let Some(text) = item.assistant_text() {
                    summary.push_str(&text);
                }
            }
            ResponseEvent::Completed { token_usage, .. } => return Ok((summary, token_usage)),
            ResponseEvent::RateLimits(snapshot) => {
                ctx.events()
                    .emit(EventMsg::RateLimitsUpdated(snapshot))
                    .await;
            }
            // Deltas repeat what the finished items carry; the rest says nothing of the summary.
            ResponseEvent::Created
            | ResponseEvent::OutputItemAdded(_)
            | ResponseEvent::OutputTextDelta(_)
            | ResponseEvent::ReasoningSummaryDelta { .. }
            | ResponseEvent::ReasoningSummaryPartAdded { .. }
            | ResponseEvent::ReasoningContentDelta { .. }
            | ResponseEvent::ServerModel(_)
            | ResponseEvent::ServerReasoningIncluded(_)
            | ResponseEvent::ModelsEtag(_) => {}
        }
    }
    Err(ApiError::Stream(
        "stream closed before response.completed".to_string(),
    ))
}
