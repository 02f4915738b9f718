//! Remote compaction: `POST {base_url}/responses/compact` with the history, answered with the history
//! that replaces it (`{"output": [items]}`, ending in an opaque `compaction` item). Same auth, headers,
//! retries and 401 recovery as a turn's requests.

use serde::Deserialize;
use serde::Serialize;

use super::ModelClientSession;
use crate::client::api_error::ApiError;
use crate::client::prompt::Prompt;
use crate::client::responses_request::Reasoning;
use crate::client::responses_request::ResponsesApiRequest;
use crate::client::responses_request::TextControls;
use crate::model::info::ModelInfo;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningSummaryMode;
use crate::protocol::response_item::ResponseItem;

const COMPACT_PATH: &str = "responses/compact";

/// The body of a compaction request: a Responses request without streaming, storage or tool choice.
#[derive(Debug, Serialize)]
struct CompactionRequest<'a> {
    model: &'a str,
    input: &'a [ResponseItem],
    #[serde(skip_serializing_if = "str::is_empty")]
    instructions: &'a str,
    tools: &'a [serde_json::Value],
    parallel_tool_calls: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning: Option<Reasoning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_tier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt_cache_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<TextControls>,
}

impl<'a> From<ResponsesApiRequest<'a>> for CompactionRequest<'a> {
    fn from(request: ResponsesApiRequest<'a>) -> Self {
        CompactionRequest {
            model: request.model,
            input: request.input,
            instructions: request.instructions,
            tools: request.tools,
            parallel_tool_calls: request.parallel_tool_calls,
            reasoning: request.reasoning,
            service_tier: request.service_tier,
            prompt_cache_key: request.prompt_cache_key,
            text: request.text,
        }
    }
}

#[derive(Debug, Deserialize)]
struct CompactionResponse {
    output: Vec<ResponseItem>,
}

impl ModelClientSession {
    /// Asks the provider to compact `prompt.input`; returns the items the server says replace it.
    pub async fn compact_remotely(
        &self,
        prompt: &Prompt,
        model_info: &ModelInfo,
        effort: Option<ReasoningEffort>,
        summary: ReasoningSummaryMode,
        turn_metadata_header: Option<&str>,
    ) -> Result<Vec<ResponseItem>, ApiError> {
        let state = &self.client.state;
        let request = CompactionRequest::from(ResponsesApiRequest::new(
            prompt,
            model_info,
            effort,
            summary,
            state.model_verbosity,
            &state.conversation_id,
        ));
        let body = serde_json::to_vec(&request).map_err(|err| {
            ApiError::InvalidRequest(format!("failed to encode the compaction request: {err}"))
        })?;
        // A summary of a long history takes a while: the whole answer gets the stream's idle timeout.
        let timeout = state.provider.stream_idle_timeout();
        let (response, _) = self
            .post_with_retries(
                COMPACT_PATH,
                body,
                "application/json",
                turn_metadata_header,
                Some(timeout),
            )
            .await?;
        let bytes = response.bytes().await.map_err(|err| {
            ApiError::Stream(format!("reading the compaction response failed: {err}"))
        })?;
        let parsed: CompactionResponse = serde_json::from_slice(&bytes).map_err(|err| {
            ApiError::Stream(format!("the compaction response is not valid: {err}"))
        })?;
        Ok(parsed.output)
    }
}
