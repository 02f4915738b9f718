//! Turns as a test reads them: run one turn to its end and keep the notifications it sent on the way
//! (`run_turn`), summed up as labels (`item/completed commandExecution`), its outcome as one line, and a
//! thread's turns as `thread/read` shows them, one line an item.

use serde_json::Value;
use serde_json::json;

use crate::app_server::AppServer;
use crate::app_server::text_input;

/// One finished turn: its `turn` object (from `turn/completed`) and every notification about it, in order.
#[derive(Debug, Clone)]
pub struct TurnRun {
    pub turn: Value,
    pub events: Vec<Value>,
}

impl TurnRun {
    /// Each event's `method`, followed by the item's type for item events: the shape of the turn.
    pub fn labels(&self) -> Vec<String> {
        self.events.iter().map(event_label).collect()
    }

    /// How many events have `label`.
    pub fn count(&self, label: &str) -> usize {
        self.events
            .iter()
            .filter(|event| event_label(event) == label)
            .count()
    }

    /// The turn's status, followed by its error's message when it has one (`failed: <message>`).
    pub fn outcome(&self) -> String {
        let status = self.turn["status"].as_str().unwrap_or_default();
        match self.turn["error"]["message"].as_str() {
            Some(message) => format!("{status}: {message}"),
            None => status.to_string(),
        }
    }
}

fn event_label(event: &Value) -> String {
    let method = event["method"].as_str().unwrap_or_default();
    match event["params"]["item"]["type"].as_str() {
        Some(kind) => format!("{method} {kind}"),
        None => method.to_string(),
    }
}

/// Starts a turn with one text input and reads until its `turn/completed`; the notifications about
/// that turn read on the way are its `events` (every other buffered message is dropped).
pub async fn run_turn(
    server: &mut AppServer,
    thread_id: &str,
    text: &str,
) -> anyhow::Result<TurnRun> {
    let params = json!({"threadId": thread_id, "input": [text_input(text)]});
    let started = server.call("turn/start", params).await?;
    let turn_id = started["turn"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let completed = server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    let events = server
        .take_buffered()
        .into_iter()
        .filter(|message| {
            message["params"]["turnId"] == turn_id.as_str()
                || message["params"]["turn"]["id"] == turn_id.as_str()
        })
        .collect();
    Ok(TurnRun {
        turn: completed["params"]["turn"].clone(),
        events,
    })
}

/// A thread's turns as `thread/read` (with `includeTurns`) shows them: each turn's items, one line
/// each: `user: <text>`, `agent: <text>`, or the item's type.
pub async fn read_turn_items(
    server: &mut AppServer,
    thread_id: &str,
) -> anyhow::Result<Vec<Vec<String>>> {
    let params = json!({"threadId": thread_id, "includeTurns": true});
    let read = server.call("thread/read", params).await?;
    let turns = read["thread"]["turns"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(turns.iter().map(turn_item_lines).collect())
}

fn turn_item_lines(turn: &Value) -> Vec<String> {
    let items = turn["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    items
        .iter()
        .map(|item| match item["type"].as_str().unwrap_or_default() {
            "userMessage" => format!(
                "user: {}",
                item["content"][0]["text"].as_str().unwrap_or_default()
            ),
            "agentMessage" => format!("agent: {}", item["text"].as_str().unwrap_or_default()),
            other => other.to_string(),
        })
        .collect()
}
