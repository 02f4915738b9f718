//! One request of a turn: send the prompt, report what streams back as items and deltas (in plan mode,
//! the proposed plan apart from the message: `plan_mode_stream`), put the model's output into history and
//! the rollout, and collect the tool calls it made.

use futures::StreamExt;

use crate::client::ApiError;
use crate::client::Prompt;
use crate::client::ResponseEvent;
use crate::context::collaboration_mode::ModeKind;
use crate::protocol::event::EventMsg;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_usage::TokenUsage;
use crate::protocol::turn_item::TurnItem;
use crate::rollout::RolloutItem;
use crate::session::turn::model_stream::ModelStream;
use crate::session::turn::model_stream::SamplingRequest;
use crate::session::turn::plan_mode_stream::FinishedMessage;
use crate::session::turn::plan_mode_stream::PlanModeStream;
use crate::session::turn::stream_items::StreamingItem;
use crate::session::turn::stream_items::completed_item;
use crate::session::turn::stream_items::started_item;
use crate::session::turn_context::TurnContext;
use crate::tools::tool_call::ToolCall;

/// Why a sampling request stopped.
pub(super) enum SamplingOutcome {
    /// The model finished; `needs_follow_up` when it made tool calls or said the turn goes on.
    Done {
        needs_follow_up: bool,
        /// The tool calls the model made, in order; their outputs are not in history yet.
        tool_calls: Vec<ToolCall>,
    },
    Interrupted,
}

/// Sends `prompt` and handles the response until `response.completed`. Items the response completes are
/// appended to `completed_items`.
pub(super) async fn run_sampling_request(
    ctx: &TurnContext,
    model: &mut dyn ModelStream,
    prompt: &Prompt,
    completed_items: &mut Vec<TurnItem>,
) -> Result<SamplingOutcome, ApiError> {
    let mut stream = model.stream(SamplingRequest::new(ctx, prompt)).await?;
    let mut response = ResponseInProgress {
        ctx,
        completed_items,
        needs_follow_up: false,
        tool_calls: Vec::new(),
        streaming: None,
        plan_mode: match ctx.tools.settings.collaboration_mode {
            ModeKind::Plan => Some(PlanModeStream::new(ctx.turn_id())),
            ModeKind::Default => None,
        },
    };
    while let Some(event) = stream.next().await {
        if let Some(outcome) = response.handle(event?).await {
            return Ok(outcome);
        }
    }
    Err(ApiError::Stream(
        "stream closed before response.completed".to_string(),
    ))
}

/// A response being received.
struct ResponseInProgress<'a> {
    ctx: &'a TurnContext,
    completed_items: &'a mut Vec<TurnItem>,
    needs_follow_up: bool,
    tool_calls: Vec<ToolCall>,
    /// The item currently streaming, so deltas know where they belong.
    streaming: Option<StreamingItem>,
    /// In plan mode, how agent messages and their proposed plan are shown.
    plan_mode: Option<PlanModeStream>,
}

impl ResponseInProgress<'_> {
    /// Handles one event; the outcome once the response is complete.
    async fn handle(&mut self, event: ResponseEvent) -> Option<SamplingOutcome> {
        match event {
            ResponseEvent::Created
            | ResponseEvent::ServerModel(_)
            | ResponseEvent::ServerReasoningIncluded(_) => {}
            ResponseEvent::ModelsEtag(etag) => self.ctx.models_etag_seen(etag),
            ResponseEvent::RateLimits(snapshot) => {
                self.emit(EventMsg::RateLimitsUpdated(snapshot)).await;
            }
            ResponseEvent::OutputItemAdded(item) => {
                if let Some((started, kind)) = started_item(&item) {
                    self.streaming = Some(kind);
                    self.item_started(started).await;
                }
            }
            ResponseEvent::OutputTextDelta(delta) => self.text_delta(delta).await,
            ResponseEvent::ReasoningSummaryDelta {
                delta,
                summary_index,
            } => {
                if let Some(item_id) = self.reasoning_id() {
                    self.emit(EventMsg::ReasoningSummaryTextDelta {
                        turn_id: self.ctx.turn_id().to_string(),
                        item_id,
                        delta,
                        summary_index,
                    })
                    .await;
                }
            }
            ResponseEvent::ReasoningSummaryPartAdded { summary_index } => {
                if let Some(item_id) = self.reasoning_id() {
                    self.emit(EventMsg::ReasoningSummaryPartAdded {
                        turn_id: self.ctx.turn_id().to_string(),
                        item_id,
                        summary_index,
                    })
                    .await;
                }
            }
            ResponseEvent::ReasoningContentDelta {
                delta,
                content_index,
            } => {
                if let Some(item_id) = self.reasoning_id() {
                    self.emit(EventMsg::ReasoningTextDelta {
                        turn_id: self.ctx.turn_id().to_string(),
                        item_id,
                        delta,
                        content_index,
                    })
                    .await;
                }
            }
            ResponseEvent::OutputItemDone(item) => self.item_done(item).await,
            ResponseEvent::Completed {
                token_usage,
                end_turn,
                ..
            } => return Some(self.completed(token_usage, end_turn).await),
        }
        None
    }

    async fn emit(&self, msg: EventMsg) {
        self.ctx.events().emit(msg).await;
    }

    async fn emit_started(&self, item: TurnItem) {
        self.emit(EventMsg::ItemStarted {
            turn_id: self.ctx.turn_id().to_string(),
            item,
        })
        .await;
    }

    /// Announces an item the stream opened; in plan mode a message waits for its first visible text.
    async fn item_started(&mut self, item: TurnItem) {
        let is_message = matches!(item, TurnItem::AgentMessage { .. });
        match &mut self.plan_mode {
            Some(plan_mode) if is_message => plan_mode.open_message(item),
            Some(_) | None => self.emit_started(item).await,
        }
    }

    /// The reasoning item streaming now, which reasoning deltas belong to (others are dropped).
    fn reasoning_id(&self) -> Option<String> {
        match &self.streaming {
            Some(StreamingItem::Reasoning { id }) => Some(id.clone()),
            Some(StreamingItem::Message { .. } | StreamingItem::WebSearch { .. }) | None => None,
        }
    }

    /// Text belongs to the message streaming now; text outside one opens a message of its own.
    async fn text_delta(&mut self, delta: String) {
        let item_id = match &self.streaming {
            Some(StreamingItem::Message { id }) => id.clone(),
            Some(StreamingItem::Reasoning { .. } | StreamingItem::WebSearch { .. }) | None => {
                let id = uuid::Uuid::new_v4().to_string();
                self.streaming = Some(StreamingItem::Message { id: id.clone() });
                self.item_started(TurnItem::AgentMessage {
                    id: id.clone(),
                    text: String::new(),
                    phase: None,
                })
                .await;
                id
            }
        };
        if let Some(plan_mode) = &mut self.plan_mode {
            for event in plan_mode.text_delta(&delta) {
                self.ctx.events().emit(event).await;
            }
            return;
        }
        self.emit(EventMsg::AgentMessageDelta {
            turn_id: self.ctx.turn_id().to_string(),
            item_id,
            delta,
        })
        .await;
    }

    /// A finished output item goes into history and the rollout; a tool call is kept for the follow-up, an
    /// item users see is completed (and started first if the stream never opened it).
    async fn item_done(&mut self, item: ResponseItem) {
        let streaming_id = self.streaming.take().map(|kind| kind.id().to_string());
        let announced = streaming_id.is_some();
        let turn_id = self.ctx.turn_id().to_string();
        let completed = completed_item(&item, streaming_id);
        if let Some(call) = ToolCall::from_item(&item) {
            self.needs_follow_up = true;
            self.tool_calls.push(call);
        }
        let FinishedMessage { events, items } = match (&mut self.plan_mode, completed) {
            (Some(plan_mode), Some(message @ TurnItem::AgentMessage { .. })) => {
                plan_mode.finish_message(message)
            }
            (_, None) => FinishedMessage {
                events: Vec::new(),
                items: Vec::new(),
            },
            (_, Some(completed)) => {
                let started = (!announced).then(|| EventMsg::ItemStarted {
                    turn_id: turn_id.clone(),
                    item: completed.clone(),
                });
                let done = EventMsg::ItemCompleted {
                    turn_id: turn_id.clone(),
                    item: completed.clone(),
                };
                FinishedMessage {
                    events: started.into_iter().chain([done]).collect(),
                    items: vec![completed],
                }
            }
        };
        let mut records = vec![RolloutItem::ResponseItem(item.clone())];
        records.extend(items.iter().map(|completed| RolloutItem::ItemCompleted {
            turn_id: turn_id.clone(),
            item: completed.clone(),
        }));
        self.ctx.conversation().push_history(item);
        self.ctx.conversation().record(records);
        self.completed_items.extend(items);
        for event in events {
            self.emit(event).await;
        }
    }

    /// `response.completed`: the usage is added to the thread's and reported.
    async fn completed(
        &mut self,
        token_usage: Option<TokenUsage>,
        end_turn: Option<bool>,
    ) -> SamplingOutcome {
        if let Some(usage) = token_usage {
            let window = self.ctx.settings.model_info.effective_context_window();
            let info = self.ctx.conversation().add_token_usage(usage, window);
            let turn_id = self.ctx.turn_id().to_string();
            self.ctx
                .conversation()
                .record(vec![RolloutItem::TokenUsage {
                    turn_id: turn_id.clone(),
                    info,
                }]);
            self.emit(EventMsg::TokenUsageUpdated { turn_id, info })
                .await;
        }
        if end_turn == Some(false) {
            self.needs_follow_up = true;
        }
        SamplingOutcome::Done {
            needs_follow_up: self.needs_follow_up,
            tool_calls: std::mem::take(&mut self.tool_calls),
        }
    }
}
