//! `bench`: measures one or more app-server commands against the mock Responses server and prints one
//! table with a column per command.
//!
//! ```text
//! cargo build --release -p codex-app-server
//! cargo run --release -p codex-app-server-tests --bin bench -- \
//!     [--server-cmd "<command line>"]... [--iterations N] [--deltas N] [--timeout-secs S] [--log-dir DIR]
//! ```
//!
//! Every iteration spawns a fresh server process (through `sh -c 'exec <command line> "$@"'`, so the
//! command line may use shell quoting) with a fresh `CODEX_HOME`, points it at a fresh mock server with
//! `-c` overrides appended after the command line, and drives it over stdio with newline-delimited
//! JSON-RPC: `initialize`, `initialized`, `thread/start {}`, one short turn, then one turn streaming
//! `--deltas` deltas. Three more fresh servers per iteration measure the first turn over a websocket
//! (provider `supports_websockets = true`, `-c features.responses_websockets=true`): with an instant
//! handshake, and with every handshake delayed by 200 ms once after the preconnect had time to finish
//! (`turn/start` 300 ms after the `thread/start` response) and once with `turn/start` sent right after
//! it, so the turn has to wait for the preconnect still in flight. A tool turn has the model call
//! `shell_command` with `echo hi` and `login: false` (a login shell would add the machine's profile
//! scripts to both columns; the host accepts any approval request) and measures turn/start ->
//! turn/completed across both model requests and the command; a parallel tool turn has it call
//! `shell_command` with `sleep 0.5` twice in one response (run at once, the turn takes one sleep, not
//! two). Two more fresh servers per iteration
//! measure compaction on a thread with three turns of history (a ~2 KB user message and an ~8 KB answer
//! each): one times `thread/compact/start` -> the compaction turn's turn/completed (one summary request
//! to the mock) and then the next ordinary turn/start -> turn/completed; the other runs with
//! `-c model_auto_compact_token_limit=20000`, the last history answer reporting 50,000 tokens, and times
//! the next turn/start -> turn/completed across its automatic compaction and its own request. Where the
//! events, the number of model requests or the summary in the next request depart from that script, a
//! note under the table says so. Figures are the median and p90 over the iterations; a wait that
//! exceeds the timeout shows `timeout` in its cell and the bench moves on.
//! One more fresh server per iteration has the MCP test server configured (`echo` only, approved by
//! config): it times `thread/start` -> the server's `ready` start-up status, and one call of the tool
//! through the model (mcpToolCall item/started -> item/completed).
//! Each iteration also creates a 100,000-file tree (`fuzzy_tree`, the same for every command) that one more
//! fresh server per command searches with `fuzzyFileSearch`: the first search, then a short and a long
//! query five times each; the first command's top 20 are the reference the others' are compared with.
//! The server's stderr goes to a log file per iteration under the log directory.

mod compaction;
mod failure;
mod figures;
mod fuzzy_search;
mod fuzzy_tree;
mod http_turns;
mod iteration;
mod load;
mod mcp;
mod options;
mod peak_rss;
mod review;
mod scratch;
mod server_process;
mod table;
mod unified_exec;
mod websocket_turn;
mod workload;

use anyhow::Context;

use crate::failure::BenchFailure;
use crate::figures::CommandResults;
use crate::figures::IterationSamples;
use crate::fuzzy_search::FuzzyFixture;
use crate::iteration::run_iteration;
use crate::options::parse_options;
use crate::table::print_table;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = parse_options()?;
    std::fs::create_dir_all(&options.log_dir)
        .with_context(|| format!("creating {}", options.log_dir.display()))?;
    let mut results: Vec<CommandResults> = options
        .server_commands
        .iter()
        .map(|_| CommandResults::default())
        .collect();
    // Iterations of the commands interleave so that a noisy moment of the machine hits all of them.
    for iteration in 0..options.iterations {
        eprintln!(
            "bench: iteration {}: creating the fuzzy search tree",
            iteration + 1
        );
        let fuzzy = FuzzyFixture::create()?;
        for (index, command_line) in options.server_commands.iter().enumerate() {
            let result = &mut results[index];
            if result.gave_up {
                continue;
            }
            eprintln!(
                "bench: [{}] iteration {}/{}",
                index + 1,
                iteration + 1,
                options.iterations
            );
            let stderr_log = options.log_dir.join(format!(
                "server{}-iteration{}.stderr.log",
                index + 1,
                iteration + 1
            ));
            let mut samples = IterationSamples::default();
            let mut notes = Vec::new();
            let outcome = run_iteration(
                &options,
                command_line,
                &stderr_log,
                &fuzzy,
                &mut samples,
                &mut notes,
            )
            .await;
            let failure = outcome.err();
            if let Some(failure) = &failure {
                eprintln!("bench: [{}] {failure}", index + 1);
            }
            result.record(&samples, failure.as_ref());
            for note in notes {
                result.note(note);
            }
            // A server that times out once would make every later iteration wait just as long.
            if let Some(BenchFailure::Timeout(_)) = failure {
                result.gave_up = true;
            }
        }
    }
    print_table(&options, &results);
    Ok(())
}
