//! A mock model driven by a script whose steps read the request they answer: for tools whose answers
//! carry what the next call needs (a unified exec session id), or that must be polled until something
//! appears. Each step answers one model request; a step may answer and stay (to poll again).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::Mutex;

use serde_json::Value;

use crate::mock_model_server::MockModelServer;
use crate::mock_model_server::MockResponse;
use crate::mock_model_server::sse;

/// What a step answers, and whether the script moves on.
pub enum Next {
    /// Answer and go to the next step.
    Respond(MockResponse),
    /// Answer and run this step again on the next request.
    Stay(MockResponse),
}

/// One step: sees the request body, decides the answer.
pub type Step = Box<dyn FnMut(&Value) -> Next + Send>;

/// Makes `model` answer its requests with `steps` in order; once they are used up it says "done".
pub fn install(model: &MockModelServer, steps: Vec<Step>) {
    let steps = Arc::new(Mutex::new(VecDeque::from(steps)));
    model.set_responder(move |body| {
        let mut steps = steps.lock().unwrap_or_else(|e| e.into_inner());
        let Some(step) = steps.front_mut() else {
            return MockResponse::assistant_message(&["done"], Some("final_answer"));
        };
        match step(body) {
            Next::Respond(response) => {
                steps.pop_front();
                response
            }
            Next::Stay(response) => response,
        }
    });
}

/// A step that always answers with `response`.
pub fn respond(response: MockResponse) -> Step {
    let mut response = Some(response);
    Box::new(move |_| {
        Next::Respond(
            response.take().unwrap_or_else(|| {
                MockResponse::assistant_message(&["done"], Some("final_answer"))
            }),
        )
    })
}

/// A response calling the function `name` with `arguments`.
pub fn function_call(call_id: &str, name: &str, arguments: &Value) -> MockResponse {
    MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::function_call(call_id, name, &arguments.to_string()),
        sse::completed("resp_1"),
    ])
}

/// A final answer.
pub fn answer(text: &str) -> MockResponse {
    MockResponse::assistant_message(&[text], Some("final_answer"))
}

/// The text of the output the request carries for `call_id` (empty when it has none).
pub fn tool_output(body: &Value, call_id: &str) -> String {
    body["input"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["type"] == "function_call_output" && item["call_id"] == call_id)
        .filter_map(|item| item["output"].as_str())
        .next_back()
        .unwrap_or_default()
        .to_string()
}

/// Every tool output the request carries, in order, joined: what the model has read so far.
pub fn all_tool_output(body: &Value) -> String {
    body["input"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["type"] == "function_call_output")
        .filter_map(|item| item["output"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The session id a unified exec answer names (`Process running with session ID N`).
pub fn session_id(output: &str) -> Option<i64> {
    output
        .lines()
        .find_map(|line| line.strip_prefix("Process running with session ID "))
        .and_then(|id| id.trim().parse().ok())
}
