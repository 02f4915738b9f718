//! One `[mcp_servers.<name>]` table of `config.toml`, with upstream Codex's keys: how the server is reached
//! (a command over stdio, or a streamable HTTP URL), its time limits, which of its tools the model sees and
//! how their calls are approved. A table that cannot be used is an error naming the server and the key.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

/// Upstream's default start-up limit: the handshake and the first tool listing.
pub(crate) const DEFAULT_STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// Upstream's default limit for one tool call.
pub(crate) const DEFAULT_TOOL_TIMEOUT: Duration = Duration::from_secs(60);

/// How the daemon reaches a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpTransportConfig {
    /// A child process speaking MCP on its stdin and stdout.
    Stdio {
        command: String,
        args: Vec<String>,
        /// Set in the child's environment (after the pass-through variables).
        env: BTreeMap<String, String>,
        /// Variables passed through from the daemon's environment, beyond the default few.
        env_vars: Vec<String>,
        cwd: Option<PathBuf>,
    },
    /// A streamable HTTP endpoint.
    StreamableHttp {
        url: String,
        /// The environment variable holding the bearer token (never the token itself).
        bearer_token_env_var: Option<String>,
        http_headers: BTreeMap<String, String>,
        /// Header name -> the environment variable holding its value.
        env_http_headers: BTreeMap<String, String>,
    },
}

/// When a call of a server's tool asks the user first (upstream's `approval_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum McpToolApprovalMode {
    /// Ask when the tool may change something (not annotated read-only) and the approval policy asks.
    #[default]
    Auto,
    /// Always ask (unless the approval policy is `never`).
    Prompt,
    /// Never ask.
    Approve,
}

/// One configured server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpServerConfig {
    pub transport: McpTransportConfig,
    pub enabled: bool,
    /// A thread does not start without this server.
    pub required: bool,
    pub startup_timeout: Duration,
    pub tool_timeout: Duration,
    /// Only these tools are offered (when set).
    pub enabled_tools: Option<Vec<String>>,
    /// These tools are never offered.
    pub disabled_tools: Vec<String>,
    /// The approval mode of every tool without its own.
    pub default_tools_approval_mode: McpToolApprovalMode,
    /// `[mcp_servers.<name>.tools.<tool>] approval_mode = ...`.
    pub tool_approval_modes: BTreeMap<String, McpToolApprovalMode>,
    /// OAuth scopes asked for when the user logs in.
    pub scopes: Vec<String>,
}

impl McpServerConfig {
    /// Whether the model may see `tool` (the server's own name for it).
    pub fn tool_enabled(&self, tool: &str) -> bool {
        let allowed = self
            .enabled_tools
            .as_ref()
            .is_none_or(|enabled| enabled.iter().any(|name| name == tool));
        allowed && !self.disabled_tools.iter().any(|name| name == tool)
    }

    /// The settings of a table that could not be read: never started, offers nothing.
    pub(crate) fn unusable() -> Self {
        Self {
            transport: McpTransportConfig::Stdio {
                command: String::new(),
                args: Vec::new(),
                env: BTreeMap::new(),
                env_vars: Vec::new(),
                cwd: None,
            },
            enabled: true,
            required: false,
            startup_timeout: DEFAULT_STARTUP_TIMEOUT,
            tool_timeout: DEFAULT_TOOL_TIMEOUT,
            enabled_tools: Some(Vec::new()),
            disabled_tools: Vec::new(),
            default_tools_approval_mode: McpToolApprovalMode::default(),
            tool_approval_modes: BTreeMap::new(),
            scopes: Vec::new(),
        }
    }

    pub fn approval_mode(&self, tool: &str) -> McpToolApprovalMode {
        self.tool_approval_modes
            .get(tool)
            .copied()
            .unwrap_or(self.default_tools_approval_mode)
    }
}

/// A server table that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid MCP server `{server}` in config.toml: {reason}")]
pub struct McpConfigError {
    pub server: String,
    pub reason: String,
}

/// The table as written; unknown keys are refused by name (a typo would otherwise be silently ignored).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServer {
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    #[serde(default)]
    env_vars: Vec<String>,
    cwd: Option<PathBuf>,
    url: Option<String>,
    bearer_token: Option<String>,
    bearer_token_env_var: Option<String>,
    #[serde(default)]
    http_headers: BTreeMap<String, String>,
    #[serde(default)]
    env_http_headers: BTreeMap<String, String>,
    enabled: Option<bool>,
    required: Option<bool>,
    startup_timeout_sec: Option<f64>,
    startup_timeout_ms: Option<u64>,
    tool_timeout_sec: Option<f64>,
    enabled_tools: Option<Vec<String>>,
    #[serde(default)]
    disabled_tools: Vec<String>,
    default_tools_approval_mode: Option<McpToolApprovalMode>,
    #[serde(default)]
    tools: BTreeMap<String, RawToolSettings>,
    #[serde(default)]
    scopes: Vec<String>,
    /// Upstream's OAuth `resource` parameter; accepted, used by the login.
    #[serde(rename = "oauth_resource")]
    _oauth_resource: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToolSettings {
    approval_mode: Option<McpToolApprovalMode>,
}

/// Reads every `[mcp_servers.*]` table: the usable servers by name, and the errors of the others.
pub fn parse_mcp_servers(
    table: &toml::Table,
) -> (BTreeMap<String, McpServerConfig>, Vec<McpConfigError>) {
    let mut servers = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, value) in table {
        match parse_server(name, value) {
            Ok(server) => {
                servers.insert(name.clone(), server);
            }
            Err(reason) => errors.push(McpConfigError {
                server: name.clone(),
                reason,
            }),
        }
    }
    (servers, errors)
}

fn parse_server(name: &str, value: &toml::Value) -> Result<McpServerConfig, String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err("server names may use only letters, digits, '_' and '-'".to_string());
    }
    let raw: RawServer = value
        .clone()
        .try_into()
        .map_err(|err: toml::de::Error| err.message().to_string())?;
    let transport = transport(&raw)?;
    let startup_timeout = match (raw.startup_timeout_sec, raw.startup_timeout_ms) {
        (Some(secs), _) => seconds("startup_timeout_sec", secs)?,
        (None, Some(ms)) => Duration::from_millis(ms),
        (None, None) => DEFAULT_STARTUP_TIMEOUT,
    };
    let tool_timeout = match raw.tool_timeout_sec {
        Some(secs) => seconds("tool_timeout_sec", secs)?,
        None => DEFAULT_TOOL_TIMEOUT,
    };
    Ok(McpServerConfig {
        transport,
        enabled: raw.enabled.unwrap_or(true),
        required: raw.required.unwrap_or(false),
        startup_timeout,
        tool_timeout,
        enabled_tools: raw.enabled_tools,
        disabled_tools: raw.disabled_tools,
        default_tools_approval_mode: raw.default_tools_approval_mode.unwrap_or_default(),
        tool_approval_modes: raw
            .tools
            .into_iter()
            .filter_map(|(tool, settings)| settings.approval_mode.map(|mode| (tool, mode)))
            .collect(),
        scopes: raw.scopes,
    })
}

fn transport(raw: &RawServer) -> Result<McpTransportConfig, String> {
    if raw.bearer_token.is_some() {
        return Err("`bearer_token` is not supported: put the token in an environment variable and name it with `bearer_token_env_var`".to_string());
    }
    match (&raw.command, &raw.url) {
        (Some(_), Some(_)) => {
            Err("set either `command` (stdio) or `url` (HTTP), not both".to_string())
        }
        (None, None) => {
            Err("missing `command` (a stdio server) or `url` (an HTTP server)".to_string())
        }
        (Some(command), None) => {
            let http_only = [
                ("bearer_token_env_var", raw.bearer_token_env_var.is_some()),
                ("http_headers", !raw.http_headers.is_empty()),
                ("env_http_headers", !raw.env_http_headers.is_empty()),
            ];
            if let Some((key, _)) = http_only.iter().find(|(_, set)| *set) {
                return Err(format!("`{key}` applies only to HTTP servers (`url`)"));
            }
            Ok(McpTransportConfig::Stdio {
                command: command.clone(),
                args: raw.args.clone(),
                env: raw.env.clone(),
                env_vars: raw.env_vars.clone(),
                cwd: raw.cwd.clone(),
            })
        }
        (None, Some(url)) => {
            let stdio_only = [
                ("args", !raw.args.is_empty()),
                ("env", !raw.env.is_empty()),
                ("env_vars", !raw.env_vars.is_empty()),
                ("cwd", raw.cwd.is_some()),
            ];
            if let Some((key, _)) = stdio_only.iter().find(|(_, set)| *set) {
                return Err(format!("`{key}` applies only to stdio servers (`command`)"));
            }
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "`url` must be an http:// or https:// URL, got `{url}`"
                ));
            }
            Ok(McpTransportConfig::StreamableHttp {
                url: url.clone(),
                bearer_token_env_var: raw.bearer_token_env_var.clone(),
                http_headers: raw.http_headers.clone(),
                env_http_headers: raw.env_http_headers.clone(),
            })
        }
    }
}

fn seconds(key: &str, secs: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| format!("`{key}` must be a positive number of seconds, got {secs}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn parse(text: &str) -> (BTreeMap<String, McpServerConfig>, Vec<McpConfigError>) {
        let table: toml::Table = toml::from_str(text).unwrap();
        let servers = table["mcp_servers"].as_table().unwrap();
        parse_mcp_servers(servers)
    }

    #[test]
    fn reads_stdio_and_http_servers_with_upstream_keys() {
        let (servers, errors) = parse(
            r#"
[mcp_servers.docs]
command = "docs-mcp"
args = ["--stdio"]
env = { LEVEL = "debug" }
env_vars = ["DOCS_TOKEN"]
cwd = "/srv/docs"
startup_timeout_sec = 2.5
tool_timeout_sec = 30
enabled_tools = ["search", "open"]
disabled_tools = ["open"]
required = true
[mcp_servers.docs.tools.search]
approval_mode = "approve"

[mcp_servers.remote]
url = "https://mcp.example.com/mcp"
bearer_token_env_var = "REMOTE_TOKEN"
http_headers = { "X-Team" = "core" }
env_http_headers = { "X-Key" = "REMOTE_KEY" }
enabled = false
default_tools_approval_mode = "prompt"
"#,
        );
        assert_eq!(errors, vec![]);
        let docs = &servers["docs"];
        assert_eq!(
            docs.transport,
            McpTransportConfig::Stdio {
                command: "docs-mcp".to_string(),
                args: vec!["--stdio".to_string()],
                env: BTreeMap::from([("LEVEL".to_string(), "debug".to_string())]),
                env_vars: vec!["DOCS_TOKEN".to_string()],
                cwd: Some(PathBuf::from("/srv/docs")),
            }
        );
        assert_eq!(docs.startup_timeout, Duration::from_millis(2500));
        assert_eq!(docs.tool_timeout, Duration::from_secs(30));
        assert!(docs.required && docs.enabled);
        assert!(docs.tool_enabled("search"));
        assert!(!docs.tool_enabled("open"));
        assert!(!docs.tool_enabled("delete"));
        assert_eq!(docs.approval_mode("search"), McpToolApprovalMode::Approve);
        assert_eq!(docs.approval_mode("other"), McpToolApprovalMode::Auto);
        let remote = &servers["remote"];
        assert!(!remote.enabled);
        assert_eq!(remote.startup_timeout, DEFAULT_STARTUP_TIMEOUT);
        assert_eq!(remote.approval_mode("x"), McpToolApprovalMode::Prompt);
        assert_eq!(
            remote.transport,
            McpTransportConfig::StreamableHttp {
                url: "https://mcp.example.com/mcp".to_string(),
                bearer_token_env_var: Some("REMOTE_TOKEN".to_string()),
                http_headers: BTreeMap::from([("X-Team".to_string(), "core".to_string())]),
                env_http_headers: BTreeMap::from([("X-Key".to_string(), "REMOTE_KEY".to_string())]),
            }
        );
    }

    #[test]
    fn refuses_unusable_tables_by_name() {
        let (servers, errors) = parse(
            r#"
[mcp_servers.both]
command = "a"
url = "http://x"
[mcp_servers.neither]
args = ["x"]
[mcp_servers.inline_token]
url = "https://x"
bearer_token = "secret"
[mcp_servers.typo]
command = "a"
argz = ["x"]
[mcp_servers.mixed]
command = "a"
http_headers = { A = "b" }
[mcp_servers.zero]
command = "a"
tool_timeout_sec = 0
[mcp_servers.ok]
command = "a"
"#,
        );
        assert_eq!(servers.keys().collect::<Vec<_>>(), vec!["ok"]);
        let reasons: Vec<(String, bool)> = errors
            .iter()
            .map(|e| (e.server.clone(), !e.reason.contains("secret")))
            .collect();
        assert_eq!(
            reasons,
            vec![
                ("both".to_string(), true),
                ("inline_token".to_string(), true),
                ("mixed".to_string(), true),
                ("neither".to_string(), true),
                ("typo".to_string(), true),
                ("zero".to_string(), true),
            ]
        );
        let typo = errors.iter().find(|e| e.server == "typo").unwrap();
        assert!(typo.reason.contains("argz"), "{}", typo.reason);
        let mixed = errors.iter().find(|e| e.server == "mixed").unwrap();
        assert_eq!(
            mixed.to_string(),
            "invalid MCP server `mixed` in config.toml: `http_headers` applies only to HTTP servers (`url`)"
        );
    }
}
