//! What the bench's scenarios run: the model, the short answer, the slow websocket handshake, the
//! preconnect wait and the size of the load case.

use std::time::Duration;

pub(crate) const MODEL: &str = "gpt-5.2-codex";
pub(crate) const SHORT_ANSWER_CHUNKS: [&str; 3] = ["Hello", " from the", " bench."];
/// How long the mock delays each websocket handshake in the slow-handshake figures.
pub(crate) const SLOW_HANDSHAKE: Duration = Duration::from_millis(200);
/// How long the preconnect figures wait after `thread/start` so the warmed socket is ready.
pub(crate) const PRECONNECT_SETTLE: Duration = Duration::from_millis(300);
/// The load case: this many threads stream at once...
pub(crate) const LOAD_THREADS: usize = 50;
/// ...each this many deltas.
pub(crate) const LOAD_DELTAS: usize = 2_000;
