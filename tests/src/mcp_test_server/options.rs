//! The command line of `mcp_test_server`: its transport, the misbehaviors a test asks for, and which tools
//! and capabilities it offers.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::bail;
use clap::Parser;

use super::catalog::ALL_TOOL_NAMES;

/// An MCP server for the suites and the benchmark: a fixed catalog of tools and resources, over stdio or
/// streamable HTTP, with switches to misbehave.
#[derive(Debug, Clone, Parser)]
#[command(name = "mcp_test_server", version = "1.2.3")]
pub(super) struct Options {
    /// Serve streamable HTTP at `/mcp` on this address instead of stdio; prints
    /// `listening http://ADDR/mcp` once bound (e.g. `--http 127.0.0.1:0`).
    #[arg(long, value_name = "ADDR")]
    pub(super) http: Option<SocketAddr>,
    /// The name reported in initialize's `serverInfo`.
    #[arg(long, default_value = "test-server")]
    pub(super) name: String,
    /// HTTP only: every request must carry `Authorization: Bearer TOKEN`, else 401.
    #[arg(long, value_name = "TOKEN")]
    pub(super) bearer_token: Option<String>,
    /// HTTP only: `/mcp` is an OAuth-protected resource with its authorization server on the same origin
    /// (metadata, registration, an `/authorize` that approves at once, `/token` with PKCE S256); requests
    /// without an issued access token get 401 naming the protected-resource metadata.
    #[arg(long, conflicts_with = "bearer_token")]
    pub(super) oauth: bool,
    /// HTTP only, repeatable: every request must carry this header with this value, else 400.
    #[arg(long = "require-header", value_name = "NAME=VALUE", value_parser = parse_header)]
    pub(super) require_headers: Vec<(String, String)>,
    /// Stdio only: write lines that are not JSON to stdout before serving.
    #[arg(long)]
    pub(super) garbage: bool,
    /// Never answer initialize: read stdin (or accept connections) and say nothing.
    #[arg(long)]
    pub(super) hang: bool,
    /// Exit with status 3 before reading anything (after `--start-log` and `--log-stderr`).
    #[arg(long)]
    pub(super) exit_immediately: bool,
    /// Append `started <pid>` to this file at each start.
    #[arg(long, value_name = "FILE")]
    pub(super) start_log: Option<PathBuf>,
    /// Write a few lines to stderr at start.
    #[arg(long)]
    pub(super) log_stderr: bool,
    /// Offer only these tools (comma-separated names).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub(super) tools: Option<Vec<String>>,
    /// Do not advertise resources (and answer resource requests with "method not found").
    #[arg(long)]
    pub(super) no_resources: bool,
}

impl Options {
    /// Flags that do not go together, and tool names the catalog does not have.
    pub(super) fn validate(&self) -> anyhow::Result<()> {
        if self.http.is_none() && self.bearer_token.is_some() {
            bail!("--bearer-token needs --http");
        }
        if self.http.is_none() && self.oauth {
            bail!("--oauth needs --http");
        }
        if self.http.is_none() && !self.require_headers.is_empty() {
            bail!("--require-header needs --http");
        }
        if self.http.is_some() && self.garbage {
            bail!("--garbage is for stdio, not --http");
        }
        for name in self.tools.iter().flatten() {
            if !ALL_TOOL_NAMES.contains(&name.as_str()) {
                bail!("--tools: no tool named {name:?}");
            }
        }
        Ok(())
    }

    /// Whether the tool called `name` is offered.
    pub(super) fn offers_tool(&self, name: &str) -> bool {
        self.tools
            .as_ref()
            .is_none_or(|tools| tools.iter().any(|tool| tool == name))
    }
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {text:?}")),
    }
}
