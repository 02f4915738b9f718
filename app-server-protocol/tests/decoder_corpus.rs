//! Replays every input of `tests/corpus/` (the seeds of the `decode_message` fuzz target) through the
//! message decoder and, for requests, the typed `ClientRequest` decoder: nothing may panic, each input
//! decodes in bounded time, and inputs that must be refused are.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::PathBuf;
use std::time::Duration;
use std::time::Instant;

use codex_app_server_protocol::ClientRequest;
use codex_app_server_protocol::JSONRPCMessage;
use pretty_assertions::assert_eq;

/// Generous for a debug build on a loaded machine; a quadratic or exponential decoder blows through it.
const PER_INPUT_BUDGET: Duration = Duration::from_secs(2);

fn corpus() -> Vec<(String, Vec<u8>)> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("read {}: {error}", directory.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("read {name}: {error}"));
            (name, bytes)
        })
        .collect();
    inputs.sort();
    inputs
}

/// How far an input gets: not a message, a message of some kind, or a request that does or does not
/// decode as a typed `ClientRequest`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoded {
    NotAMessage,
    Request { typed: bool },
    Notification,
    Response,
    Error,
}

/// The same steps the daemon's decoding takes, minus the I/O.
fn decode(bytes: &[u8]) -> Decoded {
    let Ok(message) = serde_json::from_slice::<JSONRPCMessage>(bytes) else {
        return Decoded::NotAMessage;
    };
    match message {
        JSONRPCMessage::Request(request) => {
            let typed = serde_json::to_value(&request)
                .ok()
                .and_then(|value| serde_json::from_value::<ClientRequest>(value).ok())
                .is_some();
            Decoded::Request { typed }
        }
        JSONRPCMessage::Notification(_) => Decoded::Notification,
        JSONRPCMessage::Response(_) => Decoded::Response,
        JSONRPCMessage::Error(_) => Decoded::Error,
    }
}

#[test]
fn every_corpus_input_decodes_without_panic_in_bounded_time() {
    let inputs = corpus();
    assert!(
        inputs.len() >= 30,
        "the corpus has only {} inputs",
        inputs.len()
    );
    for (name, bytes) in &inputs {
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| decode(bytes));
        let took = started.elapsed();
        assert!(outcome.is_ok(), "{name}: the decoder panicked");
        assert!(took < PER_INPUT_BUDGET, "{name}: decoding took {took:?}");
    }
}

#[test]
fn known_inputs_decode_to_what_they_are() {
    let inputs = corpus();
    let outcome_of = |name: &str| {
        let (_, bytes) = inputs
            .iter()
            .find(|(input, _)| input == name)
            .unwrap_or_else(|| panic!("{name} is not in the corpus"));
        decode(bytes)
    };
    let outcomes: Vec<(&str, Decoded)> = [
        "request_initialize.json",
        "request_string_id.json",
        "request_unknown_method.json",
        "request_wrong_param_types.json",
        "notification_initialized.json",
        "response_result.json",
        "error_response.json",
        "deep_arrays.json",
        "request_params_deep.json",
        "invalid_utf8.json",
        "request_id_float.json",
        "request_id_huge.json",
        "truncated.json",
        "empty.json",
    ]
    .into_iter()
    .map(|name| (name, outcome_of(name)))
    .collect();
    assert_eq!(
        outcomes,
        vec![
            ("request_initialize.json", Decoded::Request { typed: true }),
            ("request_string_id.json", Decoded::Request { typed: true }),
            (
                "request_unknown_method.json",
                Decoded::Request { typed: false }
            ),
            (
                "request_wrong_param_types.json",
                Decoded::Request { typed: false }
            ),
            ("notification_initialized.json", Decoded::Notification),
            ("response_result.json", Decoded::Response),
            ("error_response.json", Decoded::Error),
            ("deep_arrays.json", Decoded::NotAMessage),
            ("request_params_deep.json", Decoded::NotAMessage),
            ("invalid_utf8.json", Decoded::NotAMessage),
            // The untagged envelope falls back to a notification when `id` is unusable; the daemon checks
            // `id` on the raw object first and refuses these.
            ("request_id_float.json", Decoded::Notification),
            ("request_id_huge.json", Decoded::Notification),
            ("truncated.json", Decoded::NotAMessage),
            ("empty.json", Decoded::NotAMessage),
        ]
    );
}
