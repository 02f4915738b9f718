//! The MCP server the suites and the benchmark configure in `config.toml` (the `mcp_test_server` binary,
//! launched with `crate::mcp_server`): rmcp's server side over stdio or streamable HTTP, a fixed catalog of
//! tools (`catalog.rs`, `tools.rs`) and resources (`resources.rs`), and switches to misbehave (`options.rs`):
//! garbage on stdout, a handshake that never completes, an exit before reading anything, a crash mid-call.
//!
//! Stdout carries only MCP JSON-RPC (but for `--garbage`, and the `listening` line of `--http`); what the
//! server says about itself goes to stderr.

mod catalog;
mod handler;
mod http;
mod oauth;
mod options;
mod resources;
mod tools;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use rmcp::ServiceExt;
use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;

pub use catalog::ADD;
pub use catalog::ALL_TOOL_NAMES;
pub use catalog::CRASH;
pub use catalog::CWD;
pub use catalog::DELETE_EVERYTHING;
pub use catalog::ECHO;
pub use catalog::ELICIT;
pub use catalog::ENV;
pub use catalog::FAIL;
pub use catalog::HUGE;
pub use catalog::IMAGE;
pub use catalog::LONG_TOOL_NAME;
pub use catalog::LOOSE_SCHEMA;
pub use catalog::PROGRESS;
pub use catalog::READ_ONLY_LOOKUP;
pub use catalog::SLOW;
pub use catalog::WEIRD_TOOL_NAME;
pub use catalog::loose_input_schema;
pub use resources::FILES_TEMPLATE;
pub use resources::LOGO_URI;
pub use resources::README_TEXT;
pub use resources::README_URI;

use handler::TestServer;
use options::Options;

/// The version in initialize's `serverInfo`.
pub const SERVER_VERSION: &str = "1.2.3";

/// The PNG of the `image` tool and the `test://logo` resource (1x1, one half-transparent blue pixel), base64.
pub const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// The lines `--garbage` writes to stdout before serving.
pub const GARBAGE_LINES: [&str; 2] = ["this is not json", "{\"neither\": is this"];

/// The status of `--exit-immediately` and of the `crash` tool.
pub const EXIT_STATUS: u8 = 3;

/// The binary's `main`: parses the command line, then serves until the client goes away (stdio) or the
/// process is killed (HTTP).
pub fn main() -> ExitCode {
    let options = Options::parse();
    match run(&options) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("mcp_test_server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> anyhow::Result<ExitCode> {
    options.validate()?;
    if let Some(path) = &options.start_log {
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("open the start log {}", path.display()))?;
        writeln!(log, "started {}", std::process::id())
            .with_context(|| format!("write the start log {}", path.display()))?;
    }
    if options.log_stderr {
        eprintln!("mcp_test_server: starting (pid {})", std::process::id());
        eprintln!("mcp_test_server: this line and the one before go to stderr on purpose");
        eprintln!("{{\"not\": \"a message either\"}}");
    }
    if options.exit_immediately {
        eprintln!("mcp_test_server: exiting at once (--exit-immediately)");
        return Ok(ExitCode::from(EXIT_STATUS));
    }
    let runtime = tokio::runtime::Runtime::new().context("start the tokio runtime")?;
    runtime.block_on(serve(options))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(options: &Options) -> anyhow::Result<()> {
    let server = TestServer::new(options);
    match options.http {
        Some(address) => http::serve(options, server, address).await,
        None => serve_stdio(options, server).await,
    }
}

/// Serves one client on stdin/stdout until it closes stdin.
async fn serve_stdio(options: &Options, server: TestServer) -> anyhow::Result<()> {
    if options.garbage {
        let mut stdout = tokio::io::stdout();
        for line in GARBAGE_LINES {
            stdout
                .write_all(format!("{line}\n").as_bytes())
                .await
                .context("write garbage to stdout")?;
        }
        stdout.flush().await.context("flush stdout")?;
    }
    if options.hang {
        // Read whatever comes, answer nothing; leave when the client closes stdin.
        let mut stdin = tokio::io::stdin();
        let mut sink = vec![0u8; 4096];
        while stdin.read(&mut sink).await.context("read stdin")? > 0 {}
        return Ok(());
    }
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .context("the MCP handshake")?;
    running.waiting().await.context("serve stdio")?;
    Ok(())
}
