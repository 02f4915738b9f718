//! Fuzzes the decoding of one input line as the daemon does it: the JSON-RPC envelope, then, for a
//! request, the typed `ClientRequest`. Seed it with `../app-server-protocol/tests/corpus/`:
//! `cargo +nightly fuzz run decode_message ../app-server-protocol/tests/corpus`.

#![no_main]

use codex_app_server_protocol::ClientRequest;
use codex_app_server_protocol::JSONRPCMessage;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|line: &[u8]| {
    let Ok(message) = serde_json::from_slice::<JSONRPCMessage>(line) else {
        return;
    };
    if let JSONRPCMessage::Request(request) = message {
        if let Ok(value) = serde_json::to_value(&request) {
            // Refusing the request is fine; panicking or hanging is the bug being looked for.
            let _ = serde_json::from_value::<ClientRequest>(value);
        }
    }
});
