//! The Responses API request body (`POST /responses`), shared by HTTP and, later, WebSocket. Field order
//! follows the upstream client so recorded requests compare byte for byte.

use serde::Serialize;

use crate::client::prompt::Prompt;
use crate::model::info::ModelInfo;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningSummaryMode;
use crate::model::info::Verbosity;
use crate::protocol::response_item::ResponseItem;

const ENCRYPTED_REASONING_INCLUDE: &str = "reasoning.encrypted_content";
const OUTPUT_SCHEMA_NAME: &str = "codex_output_schema";

/// The request body.
#[derive(Debug, Clone, Serialize)]
pub struct ResponsesApiRequest<'a> {
    pub model: &'a str,
    pub instructions: &'a str,
    pub input: &'a [ResponseItem],
    pub tools: &'a [serde_json::Value],
    pub tool_choice: &'static str,
    pub parallel_tool_calls: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<Reasoning>,
    pub store: bool,
    pub stream: bool,
    pub include: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_cache_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<TextControls>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reasoning {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effort: Option<ReasoningEffort>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<ReasoningSummaryMode>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TextControls {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verbosity: Option<Verbosity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<TextFormat>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TextFormat {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub strict: bool,
    pub schema: serde_json::Value,
    pub name: &'static str,
}

impl<'a> ResponsesApiRequest<'a> {
    /// Builds the body by the rules of CORE 3.1. `verbosity` is the config override, falling back to the
    /// model's default; it is only sent to models that support it.
    pub fn new(
        prompt: &'a Prompt,
        model_info: &'a ModelInfo,
        effort: Option<ReasoningEffort>,
        summary: ReasoningSummaryMode,
        verbosity: Option<Verbosity>,
        conversation_id: &'a str,
    ) -> Self {
        let reasoning = if model_info.supports_reasoning_summaries {
            let effort = effort.or(model_info.default_reasoning_level);
            let summary = match summary {
                ReasoningSummaryMode::None => None,
                ReasoningSummaryMode::Auto
                | ReasoningSummaryMode::Concise
                | ReasoningSummaryMode::Detailed => Some(summary),
            };
            (effort.is_some() || summary.is_some()).then_some(Reasoning { effort, summary })
        } else {
            None
        };
        let include = if reasoning.is_some() {
            vec![ENCRYPTED_REASONING_INCLUDE]
        } else {
            Vec::new()
        };
        let verbosity = if model_info.support_verbosity {
            verbosity.or(model_info.default_verbosity)
        } else {
            None
        };
        let format = prompt.output_schema.as_ref().map(|schema| TextFormat {
            kind: "json_schema",
            strict: true,
            schema: schema.clone(),
            name: OUTPUT_SCHEMA_NAME,
        });
        let text =
            (verbosity.is_some() || format.is_some()).then_some(TextControls { verbosity, format });
        ResponsesApiRequest {
            model: &model_info.slug,
            instructions: &prompt.base_instructions,
            input: &prompt.input,
            tools: &prompt.tools,
            tool_choice: "auto",
            parallel_tool_calls: prompt.parallel_tool_calls,
            reasoning,
            store: false,
            stream: true,
            include,
            service_tier: prompt
                .service_tier
                .as_deref()
                .and_then(request_service_tier),
            prompt_cache_key: Some(conversation_id),
            text,
        }
    }
}

/// The `service_tier` a configured tier is sent as: `fast` is the API's `priority`, and `default` (standard
/// speed) is no field at all.
fn request_service_tier(configured: &str) -> Option<&str> {
    match configured {
        "default" => None,
        "fast" => Some("priority"),
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    fn model(summaries: bool, verbosity: bool) -> ModelInfo {
        serde_json::from_value(json!({
            "slug": "gpt-test",
            "display_name": "GPT Test",
            "description": "",
            "default_reasoning_level": "medium",
            "supports_reasoning_summaries": summaries,
            "support_verbosity": verbosity,
            "default_verbosity": "low",
        }))
        .unwrap()
    }

    #[test]
    fn no_reasoning_or_text_when_the_model_takes_neither() {
        let prompt = Prompt {
            base_instructions: "be brief".to_string(),
            ..Prompt::default()
        };
        let model = model(false, false);
        let body = ResponsesApiRequest::new(
            &prompt,
            &model,
            Some(ReasoningEffort::High),
            ReasoningSummaryMode::Auto,
            Some(Verbosity::High),
            "conv",
        );
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"model":"gpt-test","instructions":"be brief","input":[],"tools":[],"tool_choice":"auto","parallel_tool_calls":false,"store":false,"stream":true,"include":[],"prompt_cache_key":"conv"}"#
        );
    }

    #[test]
    fn summary_none_is_omitted_and_schema_and_verbosity_go_in_text() {
        let prompt = Prompt {
            output_schema: Some(json!({"type": "object"})),
            ..Prompt::default()
        };
        let model = model(true, true);
        let body = ResponsesApiRequest::new(
            &prompt,
            &model,
            None,
            ReasoningSummaryMode::None,
            None,
            "conv",
        );
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({
                "model": "gpt-test",
                "instructions": "",
                "input": [],
                "tools": [],
                "tool_choice": "auto",
                "parallel_tool_calls": false,
                "reasoning": {"effort": "medium"},
                "store": false,
                "stream": true,
                "include": ["reasoning.encrypted_content"],
                "prompt_cache_key": "conv",
                "text": {
                    "verbosity": "low",
                    "format": {"type": "json_schema", "strict": true, "schema": {"type": "object"}, "name": "codex_output_schema"}
                }
            })
        );
    }
}
