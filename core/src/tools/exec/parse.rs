//! Turns the model's `shell` / `shell_command` function-call arguments into `ExecParams`.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::params::DEFAULT_EXEC_TIMEOUT;
use super::params::ExecCommand;
use super::params::ExecParams;
use crate::sandbox::SandboxPolicy;

/// Arguments of the `shell` tool: an argv vector.
#[derive(Debug, Deserialize)]
struct ShellArguments {
    command: Vec<String>,
    workdir: Option<String>,
    timeout_ms: Option<u64>,
}

/// Arguments of the `shell_command` tool: a script for the user's shell. `sandbox_permissions` and
/// `justification` are accepted but belong to the approval layer, so they are not read here.
#[derive(Debug, Deserialize)]
struct ShellCommandArguments {
    command: String,
    workdir: Option<String>,
    timeout_ms: Option<u64>,
    login: Option<bool>,
}

/// Parses a shell tool call. `default_cwd` is the turn's working directory: it is used when the model gives
/// no `workdir` and resolves a relative one, and the command's sandbox (`sandbox`) takes its writable roots from
/// it whatever the `workdir`; `codex_home` stays read-only inside them. The error text is meant to be
/// returned to the model as the call's output so it can correct itself.
pub fn parse_shell_call(
    name: &str,
    arguments_json: &str,
    default_cwd: &Path,
    sandbox: SandboxPolicy,
    codex_home: &Path,
) -> Result<ExecParams, String> {
    let (command, workdir, timeout_ms) = match name {
        "shell" => {
            let arguments: ShellArguments = serde_json::from_str(arguments_json)
                .map_err(|err| format!("failed to parse function arguments: {err}"))?;
            if arguments.command.is_empty() {
                return Err(
                    "failed to parse function arguments: `command` must not be empty".to_string(),
                );
            }
            (
                ExecCommand::Argv(arguments.command),
                arguments.workdir,
                arguments.timeout_ms,
            )
        }
        "shell_command" => {
            let arguments: ShellCommandArguments = serde_json::from_str(arguments_json)
                .map_err(|err| format!("failed to parse function arguments: {err}"))?;
            if arguments.command.trim().is_empty() {
                return Err(
                    "failed to parse function arguments: `command` must not be empty".to_string(),
                );
            }
            (
                ExecCommand::ShellScript {
                    script: arguments.command,
                    login: arguments.login.unwrap_or(true),
                },
                arguments.workdir,
                arguments.timeout_ms,
            )
        }
        other => return Err(format!("unsupported shell tool: {other}")),
    };
    let cwd = match workdir.filter(|workdir| !workdir.is_empty()) {
        Some(workdir) => default_cwd.join(workdir),
        None => default_cwd.to_path_buf(),
    };
    Ok(ExecParams {
        command,
        cwd,
        timeout: timeout_ms.map_or(DEFAULT_EXEC_TIMEOUT, Duration::from_millis),
        env: HashMap::new(),
        sandbox,
        sandbox_cwd: default_cwd.to_path_buf(),
        codex_home: codex_home.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use pretty_assertions::assert_eq;

    use super::*;

    const HOME: &str = "/home/user/.codex";

    #[test]
    fn parses_shell_argv_with_workdir_and_timeout() {
        let params = parse_shell_call(
            "shell",
            r#"{"command":["ls","-la"],"workdir":"sub","timeout_ms":2500}"#,
            Path::new("/repo"),
            SandboxPolicy::ReadOnly,
            Path::new(HOME),
        );
        assert_eq!(
            params,
            Ok(ExecParams {
                command: ExecCommand::Argv(vec!["ls".to_string(), "-la".to_string()]),
                cwd: PathBuf::from("/repo/sub"),
                timeout: Duration::from_millis(2500),
                env: HashMap::new(),
                sandbox: SandboxPolicy::ReadOnly,
                sandbox_cwd: PathBuf::from("/repo"),
                codex_home: PathBuf::from(HOME),
            })
        );
    }

    #[test]
    fn parses_shell_command_with_defaults_and_ignores_approval_fields() {
        let params = parse_shell_call(
            "shell_command",
            r#"{"command":"cargo test","sandbox_permissions":"use_default","justification":"run tests"}"#,
            Path::new("/repo"),
            SandboxPolicy::ReadOnly,
            Path::new(HOME),
        );
        assert_eq!(
            params,
            Ok(ExecParams {
                command: ExecCommand::ShellScript {
                    script: "cargo test".to_string(),
                    login: true,
                },
                cwd: PathBuf::from("/repo"),
                timeout: DEFAULT_EXEC_TIMEOUT,
                env: HashMap::new(),
                sandbox: SandboxPolicy::ReadOnly,
                sandbox_cwd: PathBuf::from("/repo"),
                codex_home: PathBuf::from(HOME),
            })
        );
    }

    #[test]
    fn absolute_workdir_replaces_the_turn_cwd_and_login_can_be_disabled() {
        let params = parse_shell_call(
            "shell_command",
            r#"{"command":"pwd","workdir":"/tmp","login":false}"#,
            Path::new("/repo"),
            SandboxPolicy::ReadOnly,
            Path::new(HOME),
        );
        assert_eq!(
            params,
            Ok(ExecParams {
                command: ExecCommand::ShellScript {
                    script: "pwd".to_string(),
                    login: false,
                },
                cwd: PathBuf::from("/tmp"),
                timeout: DEFAULT_EXEC_TIMEOUT,
                env: HashMap::new(),
                sandbox: SandboxPolicy::ReadOnly,
                sandbox_cwd: PathBuf::from("/repo"),
                codex_home: PathBuf::from(HOME),
            })
        );
    }

    #[test]
    fn reports_bad_arguments_clearly() {
        let cwd = Path::new("/repo");
        assert_eq!(
            parse_shell_call(
                "shell",
                "{not json",
                cwd,
                SandboxPolicy::ReadOnly,
                Path::new(HOME)
            ),
            Err(
                "failed to parse function arguments: key must be a string at line 1 column 2"
                    .to_string()
            )
        );
        assert_eq!(
            parse_shell_call("shell", r#"{"command":"ls"}"#, cwd, SandboxPolicy::ReadOnly, Path::new(HOME)),
            Err(
                "failed to parse function arguments: invalid type: string \"ls\", expected a sequence at line 1 column 15"
                    .to_string()
            )
        );
        assert_eq!(
            parse_shell_call(
                "shell_command",
                r#"{"workdir":"/x"}"#,
                cwd,
                SandboxPolicy::ReadOnly,
                Path::new(HOME)
            ),
            Err(
                "failed to parse function arguments: missing field `command` at line 1 column 16"
                    .to_string()
            )
        );
        assert_eq!(
            parse_shell_call(
                "shell",
                r#"{"command":[]}"#,
                cwd,
                SandboxPolicy::ReadOnly,
                Path::new(HOME)
            ),
            Err("failed to parse function arguments: `command` must not be empty".to_string())
        );
        assert_eq!(
            parse_shell_call(
                "exec_command",
                r#"{"cmd":"ls"}"#,
                cwd,
                SandboxPolicy::ReadOnly,
                Path::new(HOME)
            ),
            Err("unsupported shell tool: exec_command".to_string())
        );
    }
}
