//! The command line, a drop-in for `codex app-server`: hosts run either `codex-app-server [flags]` or
//! `codex-app-server app-server [flags]`, plus the schema export subcommands (at the top level and under
//! `app-server`, as upstream).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use clap::Parser;
use clap::Subcommand;

/// `--version`: this crate's version and the upstream `codex app-server` release whose protocol it speaks
/// (`codex_core::client::identity::UPSTREAM_PROTOCOL_VERSION`, checked by a test).
pub const VERSION_TEXT: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (codex app-server protocol 0.171.0)"
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
    about = "Codex-compatible app-server: JSON-RPC over stdio, a unix socket or WebSocket",
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
    /// Serve JSON-RPC (the default when no subcommand is given), or export the schema.
    #[command(after_help = ENVIRONMENT_HELP)]
    AppServer(Box<AppServerCommand>),
    #[command(flatten)]
    Export(ExportCommand),
}

/// `app-server [flags] [generate-json-schema | generate-ts]`.
#[derive(Debug, Args)]
pub struct AppServerCommand {
    #[command(flatten)]
    pub server: AppServerArgs,
    #[command(subcommand)]
    pub export: Option<ExportCommand>,
}

#[derive(Debug, Clone, PartialEq, Subcommand)]
pub enum ExportCommand {
    /// Write the protocol's JSON Schema files into a directory.
    GenerateJsonSchema(ExportArgs),
    /// Write the protocol's TypeScript definitions into a directory.
    GenerateTs(ExportArgs),
}

/// What the command line asks for, both invocation forms folded together.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Serve(Box<AppServerArgs>),
    Export(ExportCommand),
}

impl Cli {
    /// Flags given before `app-server` apply too; an export subcommand wins over serving.
    pub fn into_action(self) -> Action {
        match self.command {
            None => Action::Serve(Box::new(self.server)),
            Some(Command::Export(export)) => Action::Export(export),
            Some(Command::AppServer(command)) => match *command {
                AppServerCommand {
                    export: Some(export),
                    ..
                } => Action::Export(export),
                AppServerCommand {
                    server,
                    export: None,
                } => Action::Serve(Box::new(self.server.merged_with(server))),
            },
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Args)]
pub struct AppServerArgs {
    /// Transport: `stdio://` (default), `unix://` (`$CODEX_HOME/app-server-control/app-server-control.sock`),
    /// `unix://PATH`, `ws://IP:PORT`, or `off`.
    #[arg(long, value_name = "URL", value_parser = parse_listen_url)]
    pub listen: Option<ListenTransport>,
    /// Serve stdio (the same as `--listen stdio://`).
    #[arg(long, conflicts_with = "listen")]
    pub stdio: bool,
    #[command(flatten)]
    pub ws_auth: WsAuthArgs,
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

/// Where the daemon serves JSON-RPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenTransport {
    /// Newline-delimited JSON on stdin/stdout, one host.
    Stdio,
    /// WebSocket over a unix socket; `None` is the default path under `CODEX_HOME`.
    Unix(Option<PathBuf>),
    /// WebSocket over TCP, plus `GET /readyz` and `GET /healthz`.
    WebSocket(SocketAddr),
    /// No transport (upstream then needs remote control, which this daemon does not have).
    Off,
}

/// How WebSocket upgrades are authenticated (`--ws-auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WsAuthMode {
    /// `Authorization: Bearer <token>` must carry the token of `--ws-token-file` / `--ws-token-sha256`.
    CapabilityToken,
    /// `Authorization: Bearer <JWT>`: HS256 with the secret of `--ws-shared-secret-file`.
    SignedBearerToken,
}

/// The WebSocket authentication flags; checked and loaded by `ws_auth::WsAuthPolicy::from_args`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct WsAuthArgs {
    /// Authentication of WebSocket connections; required for a non-loopback `ws://` address.
    #[arg(long = "ws-auth", value_name = "MODE", value_enum)]
    pub mode: Option<WsAuthMode>,
    /// Absolute path of the file holding the capability token.
    #[arg(long = "ws-token-file", value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Hex SHA-256 digest of the capability token (instead of `--ws-token-file`).
    #[arg(long = "ws-token-sha256", value_name = "HEX")]
    pub token_sha256: Option<String>,
    /// Absolute path of the file holding the HS256 secret of signed bearer tokens (at least 32 bytes).
    #[arg(long = "ws-shared-secret-file", value_name = "PATH")]
    pub shared_secret_file: Option<PathBuf>,
    /// Required `iss` claim of signed bearer tokens.
    #[arg(long = "ws-issuer", value_name = "ISSUER")]
    pub issuer: Option<String>,
    /// Required `aud` claim of signed bearer tokens.
    #[arg(long = "ws-audience", value_name = "AUDIENCE")]
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp` and `nbf` (default 30).
    #[arg(long = "ws-max-clock-skew-seconds", value_name = "SECONDS")]
    pub max_clock_skew_seconds: Option<u64>,
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
    const SUPPORTED: &str = "expected stdio://, unix://, unix://PATH, ws://IP:PORT or off";
    if url == "stdio://" {
        return Ok(ListenTransport::Stdio);
    }
    if url == "off" {
        return Ok(ListenTransport::Off);
    }
    if let Some(path) = url.strip_prefix("unix://") {
        return Ok(ListenTransport::Unix(
            (!path.is_empty()).then(|| PathBuf::from(path)),
        ));
    }
    if let Some(address) = url.strip_prefix("ws://") {
        return address
            .parse::<SocketAddr>()
            .map(ListenTransport::WebSocket)
            .map_err(|error| format!("invalid ws:// address '{address}' ({error}): {SUPPORTED}"));
    }
    Err(format!("unsupported listen URL '{url}': {SUPPORTED}"))
}

impl AppServerArgs {
    /// The transport asked for: `--stdio`, `--listen`, else stdio.
    pub fn transport(&self) -> ListenTransport {
        if self.stdio {
            return ListenTransport::Stdio;
        }
        self.listen.clone().unwrap_or(ListenTransport::Stdio)
    }

    /// Flags given before the `app-server` subcommand apply too; later ones are appended.
    pub fn merged_with(mut self, later: AppServerArgs) -> AppServerArgs {
        if later.stdio {
            self.listen = None;
        } else if later.listen.is_some() {
            self.stdio = false;
        }
        self.stdio |= later.stdio;
        self.listen = later.listen.or(self.listen);
        if later.ws_auth != WsAuthArgs::default() {
            self.ws_auth = later.ws_auth;
        }
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

    fn action(argv: &[&str]) -> Action {
        Cli::try_parse_from(argv).expect("parse").into_action()
    }

    fn server_args(argv: &[&str]) -> AppServerArgs {
        match action(argv) {
            Action::Serve(args) => *args,
            Action::Export(export) => panic!("not a server command: {export:?}"),
        }
    }

    #[test]
    fn both_invocation_forms_parse_the_same_flags() {
        let expected = AppServerArgs {
            listen: Some(ListenTransport::Stdio),
            config_overrides: vec!["model=\"o3\"".to_string(), "a.b=1".to_string()],
            enable: vec!["web_search".to_string()],
            disable: vec!["x".to_string()],
            ..AppServerArgs::default()
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
    fn every_listen_url_form_parses() {
        let parsed: Vec<ListenTransport> = [
            "stdio://",
            "unix://",
            "unix:///tmp/a.sock",
            "ws://127.0.0.1:4500",
            "ws://[::1]:0",
            "off",
        ]
        .into_iter()
        .map(|url| server_args(&["codex-app-server", "--listen", url]).transport())
        .collect();
        assert_eq!(
            parsed,
            vec![
                ListenTransport::Stdio,
                ListenTransport::Unix(None),
                ListenTransport::Unix(Some(PathBuf::from("/tmp/a.sock"))),
                ListenTransport::WebSocket("127.0.0.1:4500".parse().expect("address")),
                ListenTransport::WebSocket("[::1]:0".parse().expect("address")),
                ListenTransport::Off,
            ]
        );
    }

    #[test]
    fn stdio_flag_is_stdio_and_excludes_listen() {
        assert_eq!(
            server_args(&["codex-app-server", "app-server", "--stdio"]).transport(),
            ListenTransport::Stdio
        );
        assert_eq!(
            server_args(&[
                "codex-app-server",
                "--listen",
                "off",
                "app-server",
                "--stdio"
            ])
            .transport(),
            ListenTransport::Stdio
        );
        let error = Cli::try_parse_from(["codex-app-server", "--stdio", "--listen", "unix://"])
            .expect_err("must fail");
        assert_eq!(error.kind(), clap::error::ErrorKind::ArgumentConflict);
    }

    #[test]
    fn unsupported_listen_url_is_rejected_with_a_clear_message() {
        for url in ["tcp://127.0.0.1:1", "ws://localhost:1"] {
            let error =
                Cli::try_parse_from(["codex-app-server", "--listen", url]).expect_err("must fail");
            assert!(
                error
                    .to_string()
                    .contains("expected stdio://, unix://, unix://PATH, ws://IP:PORT or off"),
                "{error}"
            );
        }
    }

    #[test]
    fn ws_auth_flags_parse() {
        let args = server_args(&[
            "codex-app-server",
            "--listen",
            "ws://0.0.0.0:1",
            "--ws-auth",
            "signed-bearer-token",
            "--ws-shared-secret-file",
            "/s",
            "--ws-issuer",
            "i",
            "--ws-audience",
            "a",
            "--ws-max-clock-skew-seconds",
            "5",
        ]);
        assert_eq!(
            args.ws_auth,
            WsAuthArgs {
                mode: Some(WsAuthMode::SignedBearerToken),
                shared_secret_file: Some(PathBuf::from("/s")),
                issuer: Some("i".to_string()),
                audience: Some("a".to_string()),
                max_clock_skew_seconds: Some(5),
                ..WsAuthArgs::default()
            }
        );
    }

    #[test]
    fn export_subcommands_exist_at_the_top_and_under_app_server() {
        let expected = Action::Export(ExportCommand::GenerateTs(ExportArgs {
            out: PathBuf::from("d"),
            experimental: true,
        }));
        assert_eq!(
            action(&[
                "codex-app-server",
                "generate-ts",
                "--out",
                "d",
                "--experimental"
            ]),
            expected
        );
        assert_eq!(
            action(&[
                "codex-app-server",
                "app-server",
                "generate-ts",
                "--out",
                "d",
                "--experimental"
            ]),
            expected
        );
        assert_eq!(
            action(&[
                "codex-app-server",
                "app-server",
                "generate-json-schema",
                "-o",
                "s"
            ]),
            Action::Export(ExportCommand::GenerateJsonSchema(ExportArgs {
                out: PathBuf::from("s"),
                experimental: false,
            }))
        );
    }
}
