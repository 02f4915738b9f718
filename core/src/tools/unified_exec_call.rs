//! The model's `exec_command` and `write_stdin` calls: an `exec_command` is put to the approval policy
//! like any command (a patch sent through it is applied as a patch), starts a session under the sandbox,
//! and answers with what the command printed within its yield time; `write_stdin` types into a PTY session
//! (or polls any session), reports the interaction, and answers the same way. A session the model saw end
//! is forgotten.

use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;
use std::time::Instant;

use crate::protocol::event::EventMsg;
use crate::protocol::turn_item::CommandSource;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::sandbox::SandboxPolicy;
use crate::tools::apply_patch::patch_invocation;
use crate::tools::exec::ExecCommand;
use crate::tools::exec::ExecParams;
use crate::tools::exec::SessionStdio;
use crate::tools::shell_call::COMMAND_DECLINED;
use crate::tools::shell_call::CommandGate;
use crate::tools::shell_call::CommandRequest;
use crate::tools::shell_call::EscalationArguments;
use crate::tools::tool_call::TOOL_ABORTED;
use crate::tools::tool_run::Handled;
use crate::tools::tool_run::REJECTED_BY_POLICY;
use crate::tools::tool_run::ToolRun;
use crate::tools::turn_diff::TurnDiffTracker;
use crate::tools::unified_exec::args;
use crate::tools::unified_exec::args::ExecCommandArgs;
use crate::tools::unified_exec::args::WriteStdinArgs;
use crate::tools::unified_exec::process::ProcessEnd;
use crate::tools::unified_exec::process::ProcessOrigin;
use crate::tools::unified_exec::process::UnifiedExecProcess;
use crate::tools::unified_exec::truncation::CallReport;
use crate::tools::unified_exec::truncation::ProcessStanding;
use crate::tools::unified_exec::truncation::chunk_id;

pub(crate) const EXEC_COMMAND: &str = "exec_command";
pub(crate) const WRITE_STDIN: &str = "write_stdin";
/// A session's PTY when the model asks for one (upstream's size).
const PTY_ROWS: u16 = 24;
const PTY_COLS: u16 = 80;
/// Sessions have no timeout: they run until they exit or are ended.
const NO_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
/// The answer to a write to a session without a terminal (upstream's words).
const STDIN_CLOSED: &str = "write_stdin failed: stdin is closed for this session; rerun exec_command with tty=true to keep stdin open";
/// The login shells the model may pick with `shell`.
const SHELLS_FILE: &str = "/etc/shells";

impl ToolRun<'_> {
    /// `exec_command`: starts a session and answers with its first output.
    pub(super) async fn exec_command(
        &self,
        call_id: &str,
        arguments: &str,
        diff: &TurnDiffTracker,
    ) -> Handled {
        let args: ExecCommandArgs = match args::parse(arguments) {
            Ok(args) => args,
            Err(message) => return Handled::text_only(message),
        };
        let params = match self.session_params(&args) {
            Ok(params) => params,
            Err(message) => return Handled::text_only(format!("exec_command failed: {message}")),
        };
        if let Some(invocation) = patch_invocation(&params.command) {
            let cwd = invocation
                .workdir
                .map_or_else(|| params.cwd.clone(), |dir| params.cwd.join(dir));
            return self.apply_patch(call_id, invocation.patch, cwd, diff).await;
        }
        let escalation: EscalationArguments = serde_json::from_str(arguments).unwrap_or_default();
        self.start_session(call_id, &args, params, escalation).await
    }

    async fn start_session(
        &self,
        call_id: &str,
        args: &ExecCommandArgs,
        mut params: ExecParams,
        escalation: EscalationArguments,
    ) -> Handled {
        let sessions = &self.ctx.unified_exec;
        let request = CommandRequest::new(call_id, &params, escalation);
        let id = sessions.reserve_id();
        let item = session_item(call_id, &request, &params, id);
        self.emit_started(&item).await;
        let gate = self.gate_command(&request, &params).await;
        self.settle_approvals();
        let refusal = match gate {
            CommandGate::Run { unsandboxed } => {
                if unsandboxed {
                    params.sandbox = SandboxPolicy::DangerFullAccess;
                }
                None
            }
            CommandGate::Refused { abort_turn: true } => Some((TOOL_ABORTED, true)),
            CommandGate::Refused { abort_turn: false } => Some((COMMAND_DECLINED, false)),
            CommandGate::RejectedByPolicy => Some((REJECTED_BY_POLICY, false)),
        };
        if let Some((text, abort_turn)) = refusal {
            sessions.release(id);
            let mut item = item;
            if let TurnItem::CommandExecution { status, .. } = &mut item {
                *status = ToolItemStatus::Declined;
            }
            self.emit_completed(&item).await;
            return Handled {
                text: text.to_string(),
                item: Some(item),
                abort_turn,
            };
        }
        let started = Instant::now();
        let stdio = if args.tty {
            SessionStdio::Pty {
                rows: PTY_ROWS,
                cols: PTY_COLS,
            }
        } else {
            SessionStdio::Pipes { stdin: false }
        };
        let origin = ProcessOrigin {
            turn_id: self.ctx.turn_id.clone(),
            model_command: args.cmd.clone(),
            cwd: params.cwd.display().to_string(),
            item,
        };
        let process = sessions.start(id, params, stdio, origin);
        process
            .wait_end_for(args.yield_time(), &self.ctx.cancel)
            .await;
        self.answer(&process, started, args.max_output_tokens(), "exec_command")
    }

    /// `write_stdin`: types into a session (or polls it) and answers with what it printed since.
    pub(super) async fn write_stdin(&self, arguments: &str) -> Handled {
        let args: WriteStdinArgs = match args::parse(arguments) {
            Ok(args) => args,
            Err(message) => return Handled::text_only(message),
        };
        let Some(process) = self.ctx.unified_exec.get(args.session_id) else {
            return Handled::text_only(format!(
                "write_stdin failed: Unknown process id {}",
                args.session_id
            ));
        };
        if !args.chars.is_empty() && !process.tty {
            return Handled::text_only(STDIN_CLOSED.to_string());
        }
        let started = Instant::now();
        if !args.chars.is_empty() {
            process.write(&args.chars);
        }
        process
            .wait_end_for(args.yield_time(), &self.ctx.cancel)
            .await;
        self.ctx
            .events
            .emit(EventMsg::TerminalInteraction {
                turn_id: self.ctx.turn_id.clone(),
                item_id: process.origin.item_id().to_string(),
                process_id: process.id.to_string(),
                stdin: args.chars.clone(),
            })
            .await;
        self.answer(&process, started, args.max_output_tokens(), "write_stdin")
    }

    /// The call's answer: what the session printed since the last read, and whether it still runs. An
    /// interrupted call is aborted; a session seen ended is forgotten.
    fn answer(
        &self,
        process: &UnifiedExecProcess,
        started: Instant,
        max_output_tokens: usize,
        tool: &str,
    ) -> Handled {
        if self.ctx.cancel.is_cancelled() {
            return Handled {
                text: TOOL_ABORTED.to_string(),
                item: None,
                abort_turn: true,
            };
        }
        let standing = match process.end() {
            Some(ProcessEnd::Failed(reason)) => {
                self.ctx.unified_exec.remove(process.id);
                return Handled::text_only(format!("{tool} failed: {reason}"));
            }
            Some(ProcessEnd::Exited(code)) => {
                self.ctx.unified_exec.remove(process.id);
                ProcessStanding::Exited(code)
            }
            None => ProcessStanding::Running(process.id),
        };
        let output = process.take_unread();
        let report = CallReport {
            chunk_id: chunk_id(),
            wall_time: started.elapsed(),
            standing,
            output: output.text,
            output_bytes: output.bytes,
            output_lines: output.lines,
            max_output_tokens,
        };
        Handled::text_only(report.render())
    }

    /// What the session runs: `cmd` in the chosen (or the user's) shell, login by default, in `workdir`
    /// under the turn's sandbox, with upstream's environment for unattended commands.
    fn session_params(&self, args: &ExecCommandArgs) -> Result<ExecParams, String> {
        if args.cmd.trim().is_empty() {
            return Err("`cmd` must not be empty".to_string());
        }
        let settings = &self.ctx.settings;
        let shell = resolve_shell(args.shell.as_deref())?;
        let flag = if args.login.unwrap_or(true) {
            "-lc"
        } else {
            "-c"
        };
        let cwd = match args.workdir.as_deref().filter(|dir| !dir.is_empty()) {
            Some(dir) => settings.cwd.join(dir),
            None => settings.cwd.clone(),
        };
        Ok(ExecParams {
            command: ExecCommand::Argv(vec![shell, flag.to_string(), args.cmd.clone()]),
            cwd,
            timeout: NO_TIMEOUT,
            env: session_env(self.ctx.events.thread_id()),
            sandbox: settings.sandbox.clone(),
            sandbox_cwd: settings.cwd.clone(),
            codex_home: settings.codex_home.clone(),
        })
    }
}

/// The session's item, in progress: the command as it is launched (`<shell> -lc '<cmd>'`).
fn session_item(call_id: &str, request: &CommandRequest, params: &ExecParams, id: i32) -> TurnItem {
    let command = match &params.command {
        ExecCommand::Argv(argv) => {
            shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| argv.join(" "))
        }
        ExecCommand::ShellScript { script, .. } => script.clone(),
    };
    TurnItem::CommandExecution {
        id: call_id.to_string(),
        command,
        cwd: params.cwd.display().to_string(),
        status: ToolItemStatus::InProgress,
        command_actions: request.command_actions.clone(),
        aggregated_output: None,
        exit_code: None,
        duration_ms: None,
        source: CommandSource::UnifiedExecStartup,
        process_id: Some(id.to_string()),
    }
}

/// What sessions run with on top of the daemon's environment (less its secrets): no colours, no pagers,
/// a dumb terminal, UTF-8, and which thread started them.
fn session_env(thread_id: &str) -> HashMap<String, String> {
    [
        ("CODEX_CI", "1"),
        ("CODEX_THREAD_ID", thread_id),
        ("COLORTERM", ""),
        ("GIT_PAGER", "cat"),
        ("LANG", "C.UTF-8"),
        ("LC_ALL", "C.UTF-8"),
        ("LC_CTYPE", "C.UTF-8"),
        ("NO_COLOR", "1"),
        ("PAGER", "cat"),
        ("TERM", "dumb"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect()
}

/// The shell to run `cmd` in: the user's (`crate::user_shell`) when the model names none; otherwise one of the
/// system's login shells (`/etc/shells`), named by path or by file name. A program of the repository's
/// cannot pose as a shell.
fn resolve_shell(requested: Option<&str>) -> Result<String, String> {
    let default_shell = crate::user_shell::user_shell_path();
    let Some(requested) = requested.filter(|shell| !shell.trim().is_empty()) else {
        return Ok(default_shell);
    };
    let known = std::fs::read_to_string(SHELLS_FILE).unwrap_or_default();
    let mut shells: Vec<&str> = known
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with('/'))
        .collect();
    shells.push(&default_shell);
    let found = if requested.contains('/') {
        shells
            .iter()
            .find(|shell| Path::new(shell) == Path::new(requested))
    } else {
        shells
            .iter()
            .find(|shell| Path::new(shell).file_name() == Some(requested.as_ref()))
    };
    found
        .filter(|shell| PathBuf::from(shell).is_file())
        .map(|shell| (*shell).to_string())
        .ok_or_else(|| {
            format!("shell `{requested}` is not one of the system's shells ({SHELLS_FILE})")
        })
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn only_system_shells_may_be_chosen() {
        assert!(resolve_shell(Some("sh")).is_ok_and(|shell| shell.ends_with("/sh")));
        assert_eq!(
            resolve_shell(Some("./evil")),
            Err("shell `./evil` is not one of the system's shells (/etc/shells)".to_string())
        );
        assert_eq!(
            resolve_shell(Some("/tmp/bash")),
            Err("shell `/tmp/bash` is not one of the system's shells (/etc/shells)".to_string())
        );
        assert!(resolve_shell(None).is_ok());
    }
}
