//! What the bench's scenarios run: the model, the short answer, the slow websocket handshake, the
//! preconnect wait, the size of the load case, the history the compaction figures summarise and the fuzzy
//! search figures' queries.

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
/// The parallel tool turn: the model calls `sleep` this long twice in one response (one after the other
/// would take twice as long).
pub(crate) const PARALLEL_SLEEP_SECONDS: &str = "0.5";
/// The compaction figures: the thread has this many turns of history before it compacts...
pub(crate) const HISTORY_TURNS: usize = 3;
/// ...each a user message of about this many bytes...
pub(crate) const HISTORY_USER_MESSAGE_BYTES: usize = 2_000;
/// ...answered in this many chunks...
pub(crate) const HISTORY_ANSWER_CHUNKS: usize = 8;
/// ...of about this many bytes each.
pub(crate) const HISTORY_ANSWER_CHUNK_BYTES: usize = 1_000;
/// The automatic compaction figure's `model_auto_compact_token_limit`...
pub(crate) const AUTO_COMPACT_TOKEN_LIMIT: i64 = 20_000;
/// ...and the total tokens the last history answer reports, past it.
pub(crate) const AUTO_COMPACT_REPORTED_TOKENS: i64 = 50_000;
/// The fuzzy search figures' short query, as typed after `@`...
pub(crate) const FUZZY_SHORT_QUERY: &str = "sesrou";
/// ...and their long one: a directory and most of a file name, as pasted.
pub(crate) const FUZZY_LONG_QUERY: &str = "gateway/retryHandler";
