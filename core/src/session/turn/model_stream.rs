//! The model as the turn loop sees it: something that answers a prompt with a stream of response events.
//! The thread's `ModelClientSession` is one; in-process tests script another.

use std::pin::Pin;

use futures::Stream;
use futures::future::BoxFuture;

use crate::client::ApiError;
use crate::client::ModelClientSession;
use crate::client::Prompt;
use crate::client::ResponseEvent;
use crate::model::info::ModelInfo;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningSummaryMode;
use crate::protocol::response_item::ResponseItem;

/// The events of one response, ending with `Completed` (or an error).
pub(crate) type ResponseEvents =
    Pin<Box<dyn Stream<Item = Result<ResponseEvent, ApiError>> + Send>>;

/// One request of a turn: the prompt and how the model should answer it.
#[derive(Clone, Copy)]
pub(crate) struct SamplingRequest<'a> {
    pub(crate) prompt: &'a Prompt,
    pub(crate) model_info: &'a ModelInfo,
    pub(crate) effort: Option<ReasoningEffort>,
    pub(crate) summary: ReasoningSummaryMode,
    /// The `x-codex-turn-metadata` header value.
    pub(crate) turn_metadata: &'a str,
}

impl<'a> SamplingRequest<'a> {
    /// `prompt` with the turn's model, reasoning settings and metadata header.
    pub(crate) fn new(
        ctx: &'a crate::session::turn_context::TurnContext,
        prompt: &'a Prompt,
    ) -> Self {
        Self {
            prompt,
            model_info: &ctx.settings.model_info,
            effort: ctx.settings.effort,
            summary: ctx.settings.summary,
            turn_metadata: ctx.metadata.header_value(),
        }
    }
}

/// Sends a turn's requests; one per turn, so a transport can keep per-turn state (WebSocket, sticky routing).
pub(crate) trait ModelStream: Send {
    fn stream<'a>(
        &'a mut self,
        request: SamplingRequest<'a>,
    ) -> BoxFuture<'a, Result<ResponseEvents, ApiError>>;

    /// Whether the provider compacts histories itself (`compact_remotely`); otherwise the model is asked
    /// for a summary through `stream`.
    fn supports_remote_compaction(&self) -> bool;

    /// Has the provider compact `request.prompt.input`; the items that replace it.
    fn compact_remotely<'a>(
        &'a mut self,
        request: SamplingRequest<'a>,
    ) -> BoxFuture<'a, Result<Vec<ResponseItem>, ApiError>>;
}

impl ModelStream for ModelClientSession {
    fn stream<'a>(
        &'a mut self,
        request: SamplingRequest<'a>,
    ) -> BoxFuture<'a, Result<ResponseEvents, ApiError>> {
        Box::pin(async move {
            let events = ModelClientSession::stream(
                self,
                request.prompt,
                request.model_info,
                request.effort,
                request.summary,
                Some(request.turn_metadata),
            )
            .await?;
            Ok(Box::pin(events) as ResponseEvents)
        })
    }

    fn supports_remote_compaction(&self) -> bool {
        self.provider().supports_remote_compaction()
    }

    fn compact_remotely<'a>(
        &'a mut self,
        request: SamplingRequest<'a>,
    ) -> BoxFuture<'a, Result<Vec<ResponseItem>, ApiError>> {
        Box::pin(ModelClientSession::compact_remotely(
            self,
            request.prompt,
            request.model_info,
            request.effort,
            request.summary,
            Some(request.turn_metadata),
        ))
    }
}
