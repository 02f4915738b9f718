//! The command line, a drop-in for `codex app-server`: hosts run either `codex-app-server [flags]` or
//! `codex-app-server app-server [flags]`, plus the schema export subcommands.

use std::path::PathBuf;

use clap::Args;
use clap::Parser;
use clap::Subcommand;

/// `--version`: this crate's version and the upstream `codex app-server` release whose protocol it speaks
/// (`codex_core::thread_manager::UPSTREAM_PROTOCOL_VERSION`, checked by a test).
pub const VERSION_TEXT: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (codex app-server protocol 0.105.0)"
);

/// The end of `--help`: what the daemon reads besides its flags.
const ENVIRONMENT_HELP: &str = "\
Config: $CODEX_HOME/config.toml (default ~/.codex/config.toml); -c overrides one key.

Environment:
  CODEX_HOME                 the daemon's directory: config.toml, auth.json, sessions/ (default ~/.codex)
  OPENAI_API_KEY             API key of the built-in openai provider when auth.json holds no sign-in
  OPENAI_BASE_URL            base URL of the built-in openai provider (default https://api.openai.com/v1)
  CODEX_AUTH_ISSUER          OAuth issuer of the ChatGPT sign-in (default https://auth.openai.com)
  CODEX_LOGIN_CALLBACK_PORT  port of the ChatGPT sign-in's localhost callback (default 1455; 0: any)
  RUST_LOG                   log filter for stderr, e.g. codex_app_server=debug (default warn)
  LOG_FORMAT                 json: logs as JSON lines
  GIT_CEILING_DIRECTORIES    directories the search for a workspace's repository never climbs into";

#[derive(Debug, Parser)]
#[command(
    name = "codex-app-server",
    version = VERSION_TEXT,
    about = "Codex-compatible app-server: JSON-RPC over stdio",
    after_help = ENVIRONMENT_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub server: AppServerArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve JSON-RPC over stdio (the default when no subcommand is given).
    #[command(after_help = ENVIRONMENT_HELP)]
    AppServer(AppServerArgs),
    /// Write the protocol's JSON Schema files into a directory.
    GenerateJsonSchema(ExportArgs),
    /// Write the protocol's TypeScript definitions into a directory.
    GenerateTs(ExportArgs),
}

#[derive(Debug, Clone, Default, PartialEq, Args)]
pub struct AppServerArgs {
    /// Transport to serve; only `stdio://` is supported.
    #[arg(long, value_name = "URL", value_parser = parse_listen_url)]
    pub listen: Option<ListenTransport>,
    /// Override a config value: `key=value`, the value parsed as TOML. Repeatable.
    #[arg(short = 'c', long = "config", value_name = "key=value")]
    pub config_overrides: Vec<String>,
    /// Turn a feature on (repeatable). Unknown names are warned about and ignored.
    #[arg(long = "enable", value_name = "FEATURE")]
    pub enable: Vec<String>,
    /// Turn a feature off (repeatable). Unknown names are warned about and ignored.
    #[arg(long = "disable", value_name = "FEATURE")]
    pub disable: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenTransport {
    Stdio,
}

#[derive(Debug, Clone, PartialEq, Args)]
pub struct ExportArgs {
    /// Directory to write into (created if missing).
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Accepted for compatibility; experimental items are always included.
    #[arg(long)]
    pub experimental: bool,
}

fn parse_listen_url(url: &str) -> Result<ListenTransport, String> {
    if url == "stdio://" {
        Ok(ListenTransport::Stdio)
    } else {
        Err(format!(
            "unsupported listen URL '{url}': only stdio:// is supported"
        ))
    }
}

impl AppServerArgs {
    /// Flags given before the `app-server` subcommand apply too; later ones are appended.
    pub fn merged_with(mut self, later: AppServerArgs) -> AppServerArgs {
        self.listen = later.listen.or(self.listen);
        self.config_overrides.extend(later.config_overrides);
        self.enable.extend(later.enable);
        self.disable.extend(later.disable);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn server_args(argv: &[&str]) -> AppServerArgs {
        let cli = Cli::try_parse_from(argv).expect("parse");
        match cli.command {
            Some(Command::AppServer(args)) => cli.server.merged_with(args),
            None => cli.server,
            Some(Command::GenerateJsonSchema(_) | Command::GenerateTs(_)) => {
                panic!("not a server command")
            }
        }
    }

    #[test]
    fn both_invocation_forms_parse_the_same_flags() {
        let expected = AppServerArgs {
            listen: Some(ListenTransport::Stdio),
            config_overrides: vec!["model=\"o3\"".to_string(), "a.b=1".to_string()],
            enable: vec!["web_search".to_string()],
            disable: vec!["x".to_string()],
        };
        let flags = [
            "--listen",
            "stdio://",
            "-c",
            "model=\"o3\"",
            "--config",
            "a.b=1",
            "--enable",
            "web_search",
            "--disable",
            "x",
        ];
        let bare: Vec<&str> = std::iter::once("codex-app-server").chain(flags).collect();
        let sub: Vec<&str> = ["codex-app-server", "app-server"]
            .into_iter()
            .chain(flags)
            .collect();
        assert_eq!(server_args(&bare), expected);
        assert_eq!(server_args(&sub), expected);
    }

    #[test]
    fn non_stdio_listen_url_is_rejected_with_a_clear_message() {
        let error = Cli::try_parse_from(["codex-app-server", "--listen", "ws://127.0.0.1:1"])
            .expect_err("must fail");
        assert!(
            error.to_string().contains("only stdio:// is supported"),
            "{error}"
        );
    }

    #[test]
    fn export_subcommands_accept_experimental() {
        let cli = Cli::try_parse_from([
            "codex-app-server",
            "generate-ts",
            "--out",
            "d",
            "--experimental",
        ])
        .expect("parse");
        assert_eq!(
            cli.command.map(|command| match command {
                Command::GenerateTs(args) => args,
                Command::AppServer(_) | Command::GenerateJsonSchema(_) => panic!("wrong command"),
            }),
            Some(ExportArgs {
                out: PathBuf::from("d"),
                experimental: true
            })
        );
    }
}
