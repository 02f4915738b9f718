//! Hostile input through the real binary: thousands of random and mutated JSON-RPC lines (wrong types, huge
//! numbers, deep nesting, invalid UTF-8, missing and duplicate ids, answers to requests never sent) in one
//! process. Every line carrying an id that is not a response gets exactly one answer with that id, every
//! line that cannot carry one gets exactly one `id: null` error, a response (even a malformed one) gets no
//! answer at all, and the daemon stays up.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeMap;
use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use pretty_assertions::assert_eq;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::Value;
use serde_json::json;

/// Methods that answer quickly without a model: real ones (fed wrong params too) and unknown ones.
const METHODS: &[&str] = &[
    "model/list",
    "thread/list",
    "thread/read",
    "config/read",
    "account/read",
    "initialize",
    "no/such/method",
    "",
];

const GENERATED_LINES: usize = 3000;

/// What the daemon owes one line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Owed {
    /// One answer carrying this id (its JSON text).
    AnswerTo(String),
    /// One error with `id: null`: the line cannot name what it answers.
    NullIdError,
    /// Nothing: a notification or a blank line.
    Nothing,
}

/// The contract, from the JSON-RPC envelope alone: a response (`result` or `error`, no `method`) is never
/// answered, whatever its id, since a client could take the answer for the answer to its own request; any
/// other line with a usable id is answered under that id; a line without one is answered with an `id: null`
/// error unless it is a notification (a string `method`) or blank.
fn owed(line: &[u8]) -> Owed {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Owed::Nothing;
    }
    let Ok(Value::Object(envelope)) = serde_json::from_slice::<Value>(line) else {
        return Owed::NullIdError;
    };
    let is_response = !envelope.contains_key("method")
        && (envelope.contains_key("result") || envelope.contains_key("error"));
    if is_response {
        return Owed::Nothing;
    }
    let id = match envelope.get("id") {
        None => None,
        Some(id @ Value::String(_)) => Some(id.to_string()),
        Some(Value::Number(number)) if number.is_i64() => Some(number.to_string()),
        Some(_) => return Owed::NullIdError,
    };
    match (id, envelope.get("method")) {
        (Some(id), _) => Owed::AnswerTo(id),
        (None, Some(Value::String(_))) => Owed::Nothing,
        (None, _) => Owed::NullIdError,
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|number| json!(number)),
        any::<u64>().prop_map(|number| json!(number)),
        any::<f64>().prop_map(|number| json!(number)),
        "[a-z/]{0,12}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn request_id() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0i64..1_000_000).prop_map(|id| json!(id)),
        2 => "[a-z0-9-]{1,16}".prop_map(Value::String),
        1 => any::<i64>().prop_map(|id| json!(id)),
    ]
}

fn request() -> impl Strategy<Value = Value> {
    (
        request_id(),
        prop::sample::select(METHODS),
        prop::option::of(json_value()),
    )
        .prop_map(|(id, method, params)| match params {
            Some(params) => json!({"id": id, "method": method, "params": params}),
            None => json!({"id": id, "method": method}),
        })
}

fn to_line(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

/// Bytes flipped, inserted or removed at random places of a valid request.
fn mutated_request() -> impl Strategy<Value = Vec<Vec<u8>>> {
    (
        request(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    )
        .prop_map(|(request, edits)| {
            let mut line = to_line(&request);
            for (position, byte, kind) in edits {
                if line.is_empty() {
                    break;
                }
                let at = position.index(line.len());
                match kind {
                    0 => line[at] = byte,
                    1 => line.insert(at, byte),
                    _ => {
                        line.remove(at);
                    }
                }
            }
            vec![line]
        })
}

fn deeply_nested(depth: usize) -> Vec<u8> {
    let mut line = b"{\"id\":\"deep\",\"method\":\"model/list\",\"params\":".to_vec();
    line.extend(std::iter::repeat_n(b'[', depth));
    line.extend(std::iter::repeat_n(b']', depth));
    line.push(b'}');
    line
}

/// Lines of one generated case (a duplicate-id case is two lines).
fn hostile_lines() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop_oneof![
        6 => request().prop_map(|request| vec![to_line(&request)]),
        4 => mutated_request(),
        2 => request().prop_map(|request| vec![to_line(&request), to_line(&request)]),
        2 => json_value().prop_map(|value| vec![to_line(&value)]),
        2 => (request_id(), json_value()).prop_map(|(id, result)| {
            vec![to_line(&json!({"id": id, "result": result}))]
        }),
        1 => (request_id(), json_value()).prop_map(|(id, error)| {
            vec![to_line(&json!({"id": id, "error": error}))]
        }),
        2 => (prop::sample::select(METHODS), json_value()).prop_map(|(method, params)| {
            vec![to_line(&json!({"method": method, "params": params}))]
        }),
        2 => prop::sample::select(vec![
            "1e400", "-1e400", "9223372036854775808", "-9223372036854775809",
            "18446744073709551615", "1.5", "-0", "true", "null", "[]", "{}",
        ])
        .prop_map(|id| vec![format!(r#"{{"id":{id},"method":"model/list"}}"#).into_bytes()]),
        1 => prop::sample::select(vec![1usize, 127, 128, 129, 10_000])
            .prop_map(|depth| vec![deeply_nested(depth)]),
        1 => Just(vec![
            std::iter::repeat_n(b'[', 10_000).chain(std::iter::repeat_n(b']', 10_000)).collect()
        ]),
        2 => prop::collection::vec(any::<u8>(), 0..64).prop_map(|bytes| vec![bytes]),
        1 => Just(vec![b"{\"id\":\"utf8\",\"method\":\"model/list\",\"x\":\"\xff\xfe\"}".to_vec()]),
    ]
    .prop_map(|lines| {
        lines
            .into_iter()
            .map(|line| line.into_iter().filter(|byte| *byte != b'\n').collect())
            .collect()
    })
}

#[tokio::test]
async fn every_request_in_a_hostile_stream_is_answered_exactly_once() -> anyhow::Result<()> {
    let mut runner = TestRunner::deterministic();
    let strategy = hostile_lines();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    while lines.len() < GENERATED_LINES {
        let case = strategy
            .new_tree(&mut runner)
            .map_err(|reason| anyhow::anyhow!("generate a case: {reason}"))?;
        lines.extend(case.current());
    }

    let mut server = AppServer::spawn_with(AppServerOptions {
        read_timeout: Duration::from_secs(5),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;

    let mut owed_answers: BTreeMap<String, usize> = BTreeMap::new();
    let mut owed_null_errors = 0usize;
    let mut input = Vec::new();
    for line in &lines {
        match owed(line) {
            Owed::AnswerTo(id) => *owed_answers.entry(id).or_default() += 1,
            Owed::NullIdError => owed_null_errors += 1,
            Owed::Nothing => {}
        }
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let sentinel = "sentinel-after-hostile-input";
    input.extend_from_slice(&to_line(
        &json!({"id": sentinel, "method": "model/list", "params": {}}),
    ));
    input.push(b'\n');
    server.send_raw(&input).await?;

    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    let mut null_errors = 0usize;
    let mut sentinel_answer = None;
    while sentinel_answer.is_none() || answers != owed_answers || null_errors < owed_null_errors {
        // A missing answer ends the wait; the comparison below then names it.
        let Ok(message) = server.read_message().await else {
            break;
        };
        let is_answer = message.get("method").is_none()
            && (message.get("result").is_some() || message.get("error").is_some());
        if !is_answer {
            continue;
        }
        match &message["id"] {
            Value::Null => null_errors += 1,
            Value::String(id) if id == sentinel => sentinel_answer = Some(message),
            id => *answers.entry(id.to_string()).or_default() += 1,
        }
    }
    assert_eq!(answers, owed_answers);
    // Anything owed once too often would arrive before the answer to a request sent after it all.
    let late = server.send_request("model/list", json!({})).await?;
    loop {
        let message = server.read_message().await?;
        if message["id"] == json!(late) && message.get("method").is_none() {
            assert!(message.get("result").is_some(), "{message}");
            break;
        }
        match &message["id"] {
            Value::Null if message.get("error").is_some() => null_errors += 1,
            Value::Null => {}
            id => *answers.entry(id.to_string()).or_default() += 1,
        }
    }

    assert_eq!(answers, owed_answers);
    assert_eq!(null_errors, owed_null_errors);
    let sentinel_answer = sentinel_answer.unwrap_or_default();
    assert!(sentinel_answer.get("result").is_some(), "{sentinel_answer}");
    Ok(())
}
