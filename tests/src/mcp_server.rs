//! Launching the MCP test server (`mcp_test_server`, see `crate::mcp_test_server`) from tests and the
//! benchmark: its binary, a running streamable HTTP instance, and the `config.toml` entry of a stdio one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use anyhow::bail;
use serde::Serialize;
use tokio::io::AsyncBufReadExt;
use tokio::io::AsyncReadExt;
use tokio::io::BufReader;
use tokio::process::Child;

use crate::workspace_binary::WorkspaceBinary;
use crate::workspace_binary::workspace_binary;

/// How long [`HttpMcpServer::spawn`] waits for the `listening` line.
pub const LISTEN_TIMEOUT: Duration = Duration::from_secs(10);

const MCP_TEST_SERVER: WorkspaceBinary = WorkspaceBinary {
    package: "codex-app-server-tests",
    name: "mcp_test_server",
    env_override: "MCP_TEST_SERVER_BIN",
    build_time: "a minute or so",
};

/// The `mcp_test_server` binary: `$MCP_TEST_SERVER_BIN`, else next to the running executable's profile
/// directory, else built once with cargo.
pub fn mcp_test_server_binary() -> anyhow::Result<PathBuf> {
    workspace_binary(&MCP_TEST_SERVER)
}

/// [`mcp_test_server_binary`] for tests, which fail when it cannot be found or built.
pub fn mcp_test_server_bin() -> PathBuf {
    mcp_test_server_binary().expect("the mcp_test_server binary")
}

/// A running `mcp_test_server --http 127.0.0.1:0`; killed when dropped.
pub struct HttpMcpServer {
    /// `http://127.0.0.1:PORT/mcp`.
    pub url: String,
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl HttpMcpServer {
    /// Starts the server on a free loopback port with `args` after `--http 127.0.0.1:0`, and waits (up to
    /// [`LISTEN_TIMEOUT`]) for it to say where it listens.
    pub async fn spawn(args: &[&str]) -> anyhow::Result<HttpMcpServer> {
        let binary = mcp_test_server_binary()?;
        let mut child = tokio::process::Command::new(&binary)
            .args(["--http", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("spawn {}", binary.display()))?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let stderr = collect(child.stderr.take().context("the server's stderr")?);
        let mut lines = BufReader::new(stdout).lines();
        let line = match tokio::time::timeout(LISTEN_TIMEOUT, lines.next_line()).await {
            Ok(line) => line.context("read the server's stdout")?,
            Err(_) => None,
        };
        let Some(url) = line
            .as_deref()
            .and_then(|line| line.strip_prefix("listening "))
        else {
            let stderr = stderr.lock().map(|text| text.clone()).unwrap_or_default();
            bail!(
                "mcp_test_server never said where it listens (first line {line:?}); stderr:\n{stderr}"
            );
        };
        let url = url.to_string();
        // Nothing else should come, but a full pipe must never stall the server.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(HttpMcpServer { url, child, stderr })
    }

    /// What the server has written to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .map(|text| text.clone())
            .unwrap_or_default()
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Kills the server and waits for it to exit (e.g. to test a client's reconnection).
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill().await.context("kill mcp_test_server")
    }
}

/// Reads `pipe` to its end into a shared string.
fn collect(mut pipe: impl tokio::io::AsyncRead + Unpin + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    tokio::spawn(async move {
        let mut chunk = vec![0u8; 8192];
        while let Ok(read) = pipe.read(&mut chunk).await {
            if read == 0 {
                break;
            }
            if let Ok(mut text) = sink.lock() {
                text.push_str(&String::from_utf8_lossy(&chunk[..read]));
            }
        }
    });
    text
}

#[derive(Serialize)]
struct Snippet<'a> {
    mcp_servers: BTreeMap<&'a str, StdioEntry<'a>>,
}

#[derive(Serialize)]
struct StdioEntry<'a> {
    command: String,
    args: &'a [&'a str],
}

/// The `config.toml` entry that runs `mcp_test_server` over stdio with `args`:
///
/// ```toml
/// [mcp_servers.NAME]
/// command = "/path/to/mcp_test_server"
/// args = ["--name", "x"]
/// ```
pub fn stdio_server_toml(name: &str, args: &[&str]) -> String {
    let snippet = Snippet {
        mcp_servers: BTreeMap::from([(
            name,
            StdioEntry {
                command: mcp_test_server_bin().display().to_string(),
                args,
            },
        )]),
    };
    toml::to_string(&snippet).expect("a TOML table of strings")
}

/// `-c` flags configuring the stdio test server as `[mcp_servers.<name>]`, started with `args`, with the
/// further `key = value` pairs of `extra` (TOML values, e.g. `("tool_timeout_sec", "0.5")`).
pub fn stdio_server_flags(name: &str, args: &[&str], extra: &[(&str, &str)]) -> Vec<String> {
    let quote = |text: &str| toml::Value::String(text.to_string()).to_string();
    let args: Vec<String> = args.iter().map(|arg| quote(arg)).collect();
    let mut table = format!(
        "command={},args=[{}]",
        quote(&mcp_test_server_bin().display().to_string()),
        args.join(",")
    );
    for (key, value) in extra {
        table.push_str(&format!(",{key}={value}"));
    }
    vec!["-c".to_string(), format!("mcp_servers.{name}={{{table}}}")]
}
