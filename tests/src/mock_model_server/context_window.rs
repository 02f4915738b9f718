//! The mock model's context window: with one set, a model request whose input is larger is refused as
//! the API does (HTTP 400 `context_length_exceeded`, nothing consumed from the queue), and an answered
//! one reports its input's size as `input_tokens` in `response.completed`, so the client sees the usage
//! a real model would report for what it sent.

use serde_json::Value;
use serde_json::json;

use super::mock_response::MockResponse;

/// Bytes of request JSON per token: the mock's rough tokenizer.
const BYTES_PER_TOKEN: usize = 4;

/// The size in tokens of what a request asks the model to read: its `instructions` and `input`.
pub fn request_tokens(body: &Value) -> i64 {
    let bytes = ["instructions", "input"]
        .iter()
        .filter_map(|field| body.get(field))
        .map(|value| value.to_string().len())
        .sum::<usize>();
    i64::try_from(bytes.div_ceil(BYTES_PER_TOKEN)).unwrap_or(i64::MAX)
}

/// The answer to a request of `body` under a window of `limit` tokens: the refusal when the input does
/// not fit, otherwise `next()` (the scripted answer) with its usage measured from the input.
pub(crate) fn answer_within(
    limit: i64,
    body: Option<&Value>,
    next: impl FnOnce() -> MockResponse,
) -> MockResponse {
    let tokens = body.map(request_tokens).unwrap_or_default();
    if tokens > limit {
        return MockResponse::error(
            400,
            json!({"error": {
                "type": "invalid_request_error",
                "code": "context_length_exceeded",
                "param": "input",
                "message": format!(
                    "Your input exceeds the context window of this model ({tokens} tokens, the window is {limit})."
                ),
            }}),
        );
    }
    next().with_input_tokens(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn a_request_counts_its_instructions_and_input_at_four_bytes_a_token() {
        let body =
            json!({"model": "m", "instructions": "abcdef", "input": [], "tools": ["ignored"]});
        // `"abcdef"` is 8 bytes and `[]` 2: 10 bytes, 3 tokens.
        assert_eq!(request_tokens(&body), 3);
    }

    #[test]
    fn an_input_past_the_window_is_refused_without_taking_the_script() {
        let body = json!({"input": "x".repeat(400)});
        let refused = answer_within(50, Some(&body), || panic!("the script was consumed"));
        assert_eq!(refused.status, 400);
    }

    #[test]
    fn an_answer_within_the_window_reports_the_input_as_its_usage() {
        let body = json!({"input": "x".repeat(398)});
        let answered = answer_within(1000, Some(&body), || {
            MockResponse::assistant_message(&["hi"], None)
        });
        let completed = answered
            .events()
            .into_iter()
            .find(|event| event["type"] == "response.completed")
            .unwrap();
        // The scripted answer's 10 output tokens are kept.
        assert_eq!(
            completed["response"]["usage"],
            json!({
                "input_tokens": 100,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": 10,
                "output_tokens_details": {"reasoning_tokens": 3},
                "total_tokens": 110,
            })
        );
    }
}
