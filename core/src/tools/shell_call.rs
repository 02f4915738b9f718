//! A shell tool call: a patch sent through the shell is applied as a patch; any other command is put to the
//! approval policy and the sandbox, run with its output streamed, and retried outside the sandbox when the
//! sandbox stopped it and the host agrees.

use serde::Deserialize;
use tokio::sync::mpsc;

use crate::config::AskForApproval;
use crate::protocol::approval::ApprovalReply;
use crate::protocol::approval::CommandApprovalRequest;
use crate::protocol::approval::ReviewDecision;
use crate::protocol::event::EventMsg;
use crate::protocol::turn_item::CommandSource;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::sandbox::SandboxPolicy;
use crate::tools::apply_patch::patch_invocation;
use crate::tools::command_actions::command_text;
use crate::tools::command_actions::parse_command_actions;
use crate::tools::command_actions::script_of;
use crate::tools::exec;
use crate::tools::exec::ExecCommand;
use crate::tools::exec::ExecError;
use crate::tools::exec::ExecOutcome;
use crate::tools::exec::ExecOutputChunk;
use crate::tools::exec::ExecParams;
use crate::tools::safe_commands::is_known_safe_command;
use crate::tools::tool_call::TOOL_ABORTED;
use crate::tools::tool_run::Handled;
use crate::tools::tool_run::REJECTED_BY_POLICY;
use crate::tools::tool_run::ToolRun;
use crate::tools::turn_diff::TurnDiffTracker;

/// The text the model gets for a command the host declined.
pub(super) const COMMAND_DECLINED: &str = "exec command rejected by user";
/// A command streams at most this many `outputDelta` events; the rest of its output is only in the
/// completed item (head and tail), so a runaway command cannot flood the host.
const MAX_OUTPUT_DELTAS: usize = 10_000;

/// The escalation fields every shell tool accepts next to its command.
#[derive(Debug, Default, Deserialize)]
pub(super) struct EscalationArguments {
    #[serde(default)]
    sandbox_permissions: Option<String>,
    #[serde(default)]
    justification: Option<String>,
    /// The prefix the model suggests the host approve for later commands (`exec_command`'s
    /// `prefix_rule`); proposed only when the command starts with it.
    #[serde(default)]
    prefix_rule: Option<Vec<String>>,
}

/// How a command's approval question was settled.
pub(super) enum CommandGate {
    /// Run it, inside the sandbox unless `unsandboxed`.
    Run { unsandboxed: bool },
    /// Do not run it; `abort_turn` when the host cancelled.
    Refused { abort_turn: bool },
    /// Do not run it: it needed an approval the policy rejects without asking.
    RejectedByPolicy,
}

/// A command the model asked to run, as the approval questions and the item show it.
pub(super) struct CommandRequest {
    pub(super) call_id: String,
    pub(super) command: String,
    /// The command's words, for prefix rules: the argv, or a script's words when it is one simple command
    /// (a prefix approved for `npm install` must not let `npm install && rm -rf ~` through).
    words: Option<Vec<String>>,
    /// The prefix the approval question proposes to approve for later commands.
    proposed_prefix: Option<Vec<String>>,
    pub(super) command_actions: Vec<crate::protocol::turn_item::CommandAction>,
    wants_escalation: bool,
    justification: Option<String>,
}

impl CommandRequest {
    pub(super) fn new(call_id: &str, params: &ExecParams, escalation: EscalationArguments) -> Self {
        let words = match (script_of(&params.command), &params.command) {
            (Some(script), _) => {
                if script.contains(|c: char| ";&|<>$`(){}\n\\".contains(c)) {
                    None
                } else {
                    shlex::split(script)
                }
            }
            (None, ExecCommand::Argv(argv)) => Some(argv.clone()),
            (None, ExecCommand::ShellScript { .. }) => None,
        };
        let proposed_prefix = match (&escalation.prefix_rule, &words) {
            (Some(rule), Some(words)) if !rule.is_empty() && words.starts_with(rule) => {
                Some(rule.clone())
            }
            _ => words.clone(),
        };
        Self {
            call_id: call_id.to_string(),
            command: command_text(&params.command),
            words,
            proposed_prefix,
            command_actions: parse_command_actions(&params.command),
            wants_escalation: escalation.sandbox_permissions.as_deref()
                == Some("require_escalated"),
            justification: escalation.justification,
        }
    }

    /// The `commandExecution` item, in progress.
    fn item(&self, params: &ExecParams) -> TurnItem {
        TurnItem::CommandExecution {
            id: self.call_id.clone(),
            command: self.command.clone(),
            cwd: params.cwd.display().to_string(),
            status: ToolItemStatus::InProgress,
            command_actions: self.command_actions.clone(),
            aggregated_output: None,
            exit_code: None,
            duration_ms: None,
            source: CommandSource::Agent,
            process_id: None,
        }
    }
}

/// What the model and the item get for a command that ran (or failed to start).
fn settle_command(item: &mut TurnItem, result: Result<ExecOutcome, ExecError>) -> Handled {
    match result {
        Ok(outcome) => {
            let status = if outcome.exit_code == 0 {
                ToolItemStatus::Completed
            } else {
                ToolItemStatus::Failed
            };
            set_command_result(item, status, Some(&outcome));
            Handled {
                text: exec::format_for_model(&outcome),
                item: None,
                abort_turn: false,
            }
        }
        Err(ExecError::Cancelled) => {
            set_command_result(item, ToolItemStatus::Failed, None);
            Handled {
                text: TOOL_ABORTED.to_string(),
                item: None,
                abort_turn: true,
            }
        }
        Err(err) => {
            let message = err.to_string();
            set_command_result(item, ToolItemStatus::Failed, None);
            if let TurnItem::CommandExecution {
                aggregated_output, ..
            } = item
            {
                *aggregated_output = Some(message.clone());
            }
            Handled::text_only(format!("failed to run the command: {message}"))
        }
    }
}

impl ToolRun<'_> {
    /// A parsed shell call: a patch sent through the shell is applied as a patch, anything else is run.
    pub(super) async fn run_shell_call(
        &self,
        call_id: &str,
        parsed: Result<ExecParams, String>,
        escalation: EscalationArguments,
        diff: &TurnDiffTracker,
    ) -> Handled {
        let params = match parsed {
            Ok(params) => params,
            Err(message) => return Handled::text_only(message),
        };
        match patch_invocation(&params.command) {
            Some(invocation) => {
                let cwd = invocation
                    .workdir
                    .map_or_else(|| params.cwd.clone(), |dir| params.cwd.join(dir));
                self.apply_patch(call_id, invocation.patch, cwd, diff).await
            }
            None => self.run_command(call_id, params, escalation).await,
        }
    }

    async fn run_command(
        &self,
        call_id: &str,
        mut params: ExecParams,
        escalation: EscalationArguments,
    ) -> Handled {
        let request = CommandRequest::new(call_id, &params, escalation);
        let mut item = request.item(&params);
        self.emit_started(&item).await;

        let gate = self.gate_command(&request, &params).await;
        self.settle_approvals();
        let refusal = match gate {
            CommandGate::Run { .. } => None,
            CommandGate::Refused { abort_turn: true } => Some((TOOL_ABORTED, true)),
            CommandGate::Refused { abort_turn: false } => Some((COMMAND_DECLINED, false)),
            CommandGate::RejectedByPolicy => Some((REJECTED_BY_POLICY, false)),
        };
        if let Some((text, abort_turn)) = refusal {
            set_command_result(&mut item, ToolItemStatus::Declined, None);
            self.emit_completed(&item).await;
            return Handled {
                text: text.to_string(),
                item: Some(item),
                abort_turn,
            };
        }
        if matches!(gate, CommandGate::Run { unsandboxed: true }) {
            params.sandbox = SandboxPolicy::DangerFullAccess;
        }
        let result = self.execute(call_id, params.clone()).await;
        let result = match self.retry_outside_sandbox(&request, params, result).await {
            Ok(result) => result,
            Err(denied_result) => {
                if let Ok(outcome) = &denied_result {
                    set_command_result(&mut item, ToolItemStatus::Failed, Some(outcome));
                }
                self.emit_completed(&item).await;
                return Handled {
                    text: TOOL_ABORTED.to_string(),
                    item: Some(item),
                    abort_turn: true,
                };
            }
        };
        let handled = settle_command(&mut item, result);
        self.emit_completed(&item).await;
        Handled {
            item: Some(item),
            ..handled
        }
    }

    /// Whether the command runs (and where) or is refused: the session's approvals, the approval policy and
    /// the sandbox decide whether the host is asked.
    pub(super) async fn gate_command(
        &self,
        request: &CommandRequest,
        params: &ExecParams,
    ) -> CommandGate {
        let policy = self.ctx.settings.approval_policy;
        let approved_for_session = self
            .ctx
            .approvals
            .allows_command(&request.command, request.words.as_deref());
        let sandboxed = !params.sandbox.is_unrestricted();
        let must_ask = !approved_for_session
            && match policy {
                AskForApproval::Untrusted => !is_known_safe_command(&params.command),
                AskForApproval::OnRequest | AskForApproval::Granular(_) => {
                    request.wants_escalation && sandboxed
                }
                AskForApproval::Never => false,
            };
        if !must_ask {
            return CommandGate::Run {
                unsandboxed: request.wants_escalation
                    && approved_for_session
                    && policy != AskForApproval::Never,
            };
        }
        if !policy.allows_sandbox_prompts() {
            return CommandGate::RejectedByPolicy;
        }
        let reason = request.justification.clone().or_else(|| {
            request
                .wants_escalation
                .then(|| "the command asks to run outside the sandbox".to_string())
        });
        match self.ask_command(request, params, reason).await {
            Some(
                ReviewDecision::Approved
                | ReviewDecision::ApprovedForSession
                | ReviewDecision::ApprovedWithPrefix(_),
            ) => CommandGate::Run {
                unsandboxed: request.wants_escalation,
            },
            Some(ReviewDecision::Denied) => CommandGate::Refused { abort_turn: false },
            Some(ReviewDecision::Abort) | None => CommandGate::Refused { abort_turn: true },
        }
    }

    /// A command the sandbox stopped may be run again outside it, if the policy lets the host decide and the
    /// host agrees. `Err` (with the first run's result) when the host aborted the turn instead.
    async fn retry_outside_sandbox(
        &self,
        request: &CommandRequest,
        mut params: ExecParams,
        result: Result<ExecOutcome, ExecError>,
    ) -> Result<Result<ExecOutcome, ExecError>, Result<ExecOutcome, ExecError>> {
        let may_retry_unsandboxed = self.ctx.settings.approval_policy == AskForApproval::Untrusted;
        let denied_by_sandbox = result.as_ref().is_ok_and(|outcome| {
            crate::sandbox::is_likely_sandbox_denial(
                &params.sandbox,
                outcome.exit_code,
                &outcome.aggregated_output,
            )
        });
        if !(may_retry_unsandboxed && denied_by_sandbox) {
            return Ok(result);
        }
        let reason = Some(
            "the command failed in the sandbox; run it again without the sandbox?".to_string(),
        );
        match self.ask_command(request, &params, reason).await {
            Some(
                ReviewDecision::Approved
                | ReviewDecision::ApprovedForSession
                | ReviewDecision::ApprovedWithPrefix(_),
            ) => {
                params.sandbox = SandboxPolicy::DangerFullAccess;
                Ok(self.execute(&request.call_id, params).await)
            }
            Some(ReviewDecision::Denied) => Ok(result),
            Some(ReviewDecision::Abort) | None => Err(result),
        }
    }

    /// Runs the command, streaming its output as `item/commandExecution/outputDelta` events.
    async fn execute(&self, item_id: &str, params: ExecParams) -> Result<ExecOutcome, ExecError> {
        let (chunks, mut received) = mpsc::unbounded_channel::<ExecOutputChunk>();
        let run = exec::run(
            params,
            move |chunk| {
                let _ = chunks.send(chunk);
            },
            self.ctx.cancel.clone(),
        );
        tokio::pin!(run);
        let mut deltas = 0;
        loop {
            tokio::select! {
                biased;
                Some(chunk) = received.recv() => {
                    if deltas < MAX_OUTPUT_DELTAS {
                        deltas += 1;
                        self.emit_output(item_id, &chunk).await;
                    }
                }
                result = &mut run => {
                    while let Ok(chunk) = received.try_recv() {
                        if deltas < MAX_OUTPUT_DELTAS {
                            deltas += 1;
                            self.emit_output(item_id, &chunk).await;
                        }
                    }
                    return result;
                }
            }
        }
    }

    async fn emit_output(&self, item_id: &str, chunk: &ExecOutputChunk) {
        self.ctx
            .events
            .emit(EventMsg::CommandOutputDelta {
                turn_id: self.ctx.turn_id.to_string(),
                item_id: item_id.to_string(),
                delta: String::from_utf8_lossy(&chunk.bytes).into_owned(),
            })
            .await;
    }

    /// Asks the host about a command; `None` when the turn was interrupted first. Session-wide approvals
    /// are remembered.
    async fn ask_command(
        &self,
        command: &CommandRequest,
        params: &ExecParams,
        reason: Option<String>,
    ) -> Option<ReviewDecision> {
        let (reply, answer) = ApprovalReply::channel();
        let request = EventMsg::CommandApprovalRequested(CommandApprovalRequest {
            turn_id: self.ctx.turn_id.to_string(),
            item_id: command.call_id.clone(),
            command: command.command.clone(),
            cwd: params.cwd.clone(),
            command_actions: command.command_actions.clone(),
            reason,
            proposed_prefix: command.proposed_prefix.clone(),
            reply,
        });
        let decision = self.wait_for_decision(request, answer).await;
        match &decision {
            Some(ReviewDecision::ApprovedForSession) => {
                self.ctx.approvals.approve_command(&command.command);
            }
            Some(ReviewDecision::ApprovedWithPrefix(prefix)) => {
                self.ctx.approvals.approve_prefix(prefix.clone());
            }
            Some(ReviewDecision::Approved | ReviewDecision::Denied | ReviewDecision::Abort)
            | None => {}
        }
        decision
    }
}

fn set_command_result(
    item: &mut TurnItem,
    new_status: ToolItemStatus,
    outcome: Option<&ExecOutcome>,
) {
    if let TurnItem::CommandExecution {
        status,
        aggregated_output,
        exit_code,
        duration_ms,
        ..
    } = item
    {
        *status = new_status;
        if let Some(outcome) = outcome {
            *aggregated_output = Some(outcome.aggregated_output.clone());
            *exit_code = Some(outcome.exit_code);
            *duration_ms = Some(i64::try_from(outcome.duration.as_millis()).unwrap_or(i64::MAX));
        }
    }
}
