//! Running one tool call of the model inside a turn: recognise the tool, decide with the approval policy and
//! the sandbox whether the host must be asked, run the command or apply the patch, report it as a
//! `commandExecution` / `fileChange` item with its streamed output, and build the output item the model sees.

use std::path::PathBuf;

use serde::Deserialize;
use tokio::sync::mpsc;

use crate::config::AskForApproval;
use crate::protocol::approval::ApprovalReply;
use crate::protocol::approval::CommandApprovalRequest;
use crate::protocol::approval::PatchApprovalRequest;
use crate::protocol::approval::ReviewDecision;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadStatus;
use crate::protocol::response_item::FunctionCallOutputBody;
use crate::protocol::response_item::LocalShellAction;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::CommandSource;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::sandbox::SandboxPolicy;
use crate::tools::apply_patch::ApplyPatchError;
use crate::tools::apply_patch::PathAccess;
use crate::tools::apply_patch::WriteScope;
use crate::tools::apply_patch::patch_invocation;
use crate::tools::apply_patch::plan_patch;
use crate::tools::command_actions::command_text;
use crate::tools::command_actions::parse_command_actions;
use crate::tools::context::ToolContext;
use crate::tools::exec;
use crate::tools::exec::ExecCommand;
use crate::tools::exec::ExecError;
use crate::tools::exec::ExecOutcome;
use crate::tools::exec::ExecOutputChunk;
use crate::tools::exec::ExecParams;
use crate::tools::safe_commands::is_known_safe_command;
use crate::tools::turn_diff::TurnDiffTracker;

/// The text the model gets for a command the host declined.
const COMMAND_DECLINED: &str = "exec command rejected by user";
/// The text the model gets for a patch the host declined.
const PATCH_DECLINED: &str = "patch rejected by user";
/// The text the model gets when the `granular` approval policy rejects a prompt without asking.
const REJECTED_BY_POLICY: &str = "rejected by the approval policy: approval prompts for sandbox escalations are disabled (granular sandbox_approval = false)";
/// A command streams at most this many `outputDelta` events; the rest of its output is only in the
/// completed item (head and tail), so a runaway command cannot flood the host.
const MAX_OUTPUT_DELTAS: usize = 10_000;
/// The text the model gets for a tool call cut short by an interrupted turn.
pub(crate) const TOOL_ABORTED: &str = "aborted";

/// A tool call the model made, as the turn runs it.
#[derive(Debug, Clone)]
pub(crate) enum ToolCall {
    Function {
        name: String,
        arguments: String,
        call_id: String,
    },
    Custom {
        name: String,
        input: String,
        call_id: String,
    },
    LocalShell {
        call_id: String,
        action: LocalShellAction,
    },
}

impl ToolCall {
    /// The call an output item of the model asks for, if it is one.
    pub(crate) fn from_item(item: &ResponseItem) -> Option<ToolCall> {
        match item {
            ResponseItem::FunctionCall {
                name,
                arguments,
                call_id,
                ..
            } => Some(ToolCall::Function {
                name: name.clone(),
                arguments: arguments.clone(),
                call_id: call_id.clone(),
            }),
            ResponseItem::CustomToolCall {
                name,
                input,
                call_id,
                ..
            } => Some(ToolCall::Custom {
                name: name.clone(),
                input: input.clone(),
                call_id: call_id.clone(),
            }),
            ResponseItem::LocalShellCall {
                call_id, action, ..
            } => Some(ToolCall::LocalShell {
                call_id: call_id.clone().unwrap_or_default(),
                action: action.clone(),
            }),
            ResponseItem::Message { .. }
            | ResponseItem::Reasoning { .. }
            | ResponseItem::FunctionCallOutput { .. }
            | ResponseItem::CustomToolCallOutput { .. }
            | ResponseItem::WebSearchCall { .. }
            | ResponseItem::Other => None,
        }
    }

    pub(crate) fn call_id(&self) -> &str {
        match self {
            ToolCall::Function { call_id, .. }
            | ToolCall::Custom { call_id, .. }
            | ToolCall::LocalShell { call_id, .. } => call_id,
        }
    }

    /// The output item carrying `text` back to the model for this call.
    pub(crate) fn output(&self, text: String) -> ResponseItem {
        match self {
            ToolCall::Custom { call_id, .. } => ResponseItem::CustomToolCallOutput {
                call_id: call_id.clone(),
                output: text,
            },
            ToolCall::Function { call_id, .. } | ToolCall::LocalShell { call_id, .. } => {
                ResponseItem::FunctionCallOutput {
                    call_id: call_id.clone(),
                    output: FunctionCallOutputBody::Text(text),
                }
            }
        }
    }
}

/// What running a tool call produced.
pub(crate) struct ToolCallResult {
    /// The `*_call_output` item for history.
    pub(crate) output: ResponseItem,
    /// The completed item users see, for the turn's items.
    pub(crate) item: Option<TurnItem>,
    /// The host chose "cancel" (or the turn was interrupted): the turn ends as interrupted.
    pub(crate) abort_turn: bool,
}

/// The escalation fields every shell tool accepts next to its command.
#[derive(Debug, Default, Deserialize)]
struct EscalationArguments {
    #[serde(default)]
    sandbox_permissions: Option<String>,
    #[serde(default)]
    justification: Option<String>,
}

/// The single argument of the function flavour of `apply_patch`.
#[derive(Debug, Deserialize)]
struct ApplyPatchArguments {
    input: String,
}

/// What a handler hands back before it is wrapped into a [`ToolCallResult`].
struct Handled {
    text: String,
    item: Option<TurnItem>,
    abort_turn: bool,
}

impl Handled {
    fn text_only(text: String) -> Self {
        Self {
            text,
            item: None,
            abort_turn: false,
        }
    }
}

/// Runs one tool call to completion (or until `cancel`).
pub(crate) async fn run_tool_call(
    ctx: &ToolContext,
    call: &ToolCall,
    diff: &mut TurnDiffTracker,
) -> ToolCallResult {
    let settings = &ctx.settings;
    let tool = ToolRun { ctx };
    let handled = match call {
        ToolCall::Function {
            name,
            arguments,
            call_id,
        } => match name.as_str() {
            "shell" | "shell_command" => {
                let parsed = exec::parse_shell_call(
                    name,
                    arguments,
                    &settings.cwd,
                    settings.sandbox.clone(),
                    &settings.codex_home,
                );
                let escalation: EscalationArguments =
                    serde_json::from_str(arguments).unwrap_or_default();
                tool.run_shell_call(call_id, parsed, escalation, diff).await
            }
            "apply_patch" => match serde_json::from_str::<ApplyPatchArguments>(arguments) {
                Ok(arguments) => {
                    tool.apply_patch(call_id, arguments.input, settings.cwd.clone(), diff)
                        .await
                }
                Err(err) => {
                    Handled::text_only(format!("failed to parse function arguments: {err}"))
                }
            },
            other => Handled::text_only(format!(
                "unsupported call: the tool `{other}` is not available"
            )),
        },
        ToolCall::Custom {
            name,
            input,
            call_id,
        } => match name.as_str() {
            "apply_patch" => {
                tool.apply_patch(call_id, input.clone(), settings.cwd.clone(), diff)
                    .await
            }
            other => Handled::text_only(format!("unsupported custom tool call: {other}")),
        },
        ToolCall::LocalShell { call_id, action } => {
            let LocalShellAction::Exec {
                command,
                timeout_ms,
                working_directory,
            } = action;
            let parsed = if command.is_empty() {
                Err("failed to run local shell call: command is empty".to_string())
            } else {
                Ok(ExecParams {
                    command: ExecCommand::Argv(command.clone()),
                    cwd: working_directory
                        .as_deref()
                        .map_or_else(|| settings.cwd.clone(), |dir| settings.cwd.join(dir)),
                    timeout: timeout_ms.map_or(exec::DEFAULT_EXEC_TIMEOUT, |ms| {
                        std::time::Duration::from_millis(ms)
                    }),
                    env: std::collections::HashMap::new(),
                    sandbox: settings.sandbox.clone(),
                    sandbox_cwd: settings.cwd.clone(),
                    codex_home: settings.codex_home.clone(),
                })
            };
            tool.run_shell_call(call_id, parsed, EscalationArguments::default(), diff)
                .await
        }
    };
    ToolCallResult {
        output: call.output(handled.text),
        item: handled.item,
        abort_turn: handled.abort_turn,
    }
}

/// One tool call in flight, with what it needs to report and to ask.
struct ToolRun<'a> {
    ctx: &'a ToolContext,
}

/// How a command's approval question was settled.
enum CommandGate {
    /// Run it, inside the sandbox unless `unsandboxed`.
    Run { unsandboxed: bool },
    /// Do not run it; `abort_turn` when the host cancelled.
    Refused { abort_turn: bool },
    /// Do not run it: it needed an approval the policy rejects without asking.
    RejectedByPolicy,
}

impl ToolRun<'_> {
    /// A parsed shell call: a patch sent through the shell is applied as a patch, anything else is run.
    async fn run_shell_call(
        &self,
        call_id: &str,
        parsed: Result<ExecParams, String>,
        escalation: EscalationArguments,
        diff: &mut TurnDiffTracker,
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
        let command = command_text(&params.command);
        // The command's words, for prefix rules: the argv, or a script's words when it is one simple command
        // (a prefix approved for `npm install` must not let `npm install && rm -rf ~` through).
        let words: Option<Vec<String>> = match &params.command {
            ExecCommand::Argv(argv) => Some(argv.clone()),
            ExecCommand::ShellScript { script, .. } => {
                if script.contains(|c: char| ";&|<>$`(){}\n\\".contains(c)) {
                    None
                } else {
                    shlex::split(script)
                }
            }
        };
        let command_actions = parse_command_actions(&params.command);
        let wants_escalation =
            escalation.sandbox_permissions.as_deref() == Some("require_escalated");
        let mut item = TurnItem::CommandExecution {
            id: call_id.to_string(),
            command: command.clone(),
            cwd: params.cwd.display().to_string(),
            status: ToolItemStatus::InProgress,
            command_actions: command_actions.clone(),
            aggregated_output: None,
            exit_code: None,
            duration_ms: None,
            source: CommandSource::Agent,
        };
        self.emit_started(&item).await;

        let approved_for_session = self
            .ctx
            .approvals
            .allows_command(&command, words.as_deref());
        let sandboxed = !params.sandbox.is_unrestricted();
        let must_ask = !approved_for_session
            && match self.ctx.settings.approval_policy {
                AskForApproval::Untrusted => !is_known_safe_command(&params.command),
                AskForApproval::OnRequest | AskForApproval::Granular(_) => {
                    wants_escalation && sandboxed
                }
                AskForApproval::Never => false,
            };
        let gate = if must_ask && !self.ctx.settings.approval_policy.allows_sandbox_prompts() {
            CommandGate::RejectedByPolicy
        } else if must_ask {
            let reason = escalation.justification.clone().or_else(|| {
                wants_escalation.then(|| "the command asks to run outside the sandbox".to_string())
            });
            self.ask_command(
                call_id,
                &command,
                &params,
                &command_actions,
                words.clone(),
                reason,
            )
            .await
            .map_or(
                CommandGate::Refused { abort_turn: true },
                |decision| match decision {
                    ReviewDecision::Approved
                    | ReviewDecision::ApprovedForSession
                    | ReviewDecision::ApprovedWithPrefix(_) => CommandGate::Run {
                        unsandboxed: wants_escalation,
                    },
                    ReviewDecision::Denied => CommandGate::Refused { abort_turn: false },
                    ReviewDecision::Abort => CommandGate::Refused { abort_turn: true },
                },
            )
        } else {
            CommandGate::Run {
                unsandboxed: wants_escalation
                    && approved_for_session
                    && self.ctx.settings.approval_policy != AskForApproval::Never,
            }
        };
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
        let unsandboxed = matches!(gate, CommandGate::Run { unsandboxed: true });
        if unsandboxed {
            params.sandbox = SandboxPolicy::DangerFullAccess;
        }

        let mut result = self.execute(call_id, params.clone()).await;
        // A command the sandbox stopped may be retried outside it, if the policy lets the host decide.
        let may_retry_unsandboxed = self.ctx.settings.approval_policy == AskForApproval::Untrusted;
        if let Ok(outcome) = &result
            && may_retry_unsandboxed
            && crate::sandbox::is_likely_sandbox_denial(
                &params.sandbox,
                outcome.exit_code,
                &outcome.aggregated_output,
            )
        {
            let reason = Some(
                "the command failed in the sandbox; run it again without the sandbox?".to_string(),
            );
            match self
                .ask_command(
                    call_id,
                    &command,
                    &params,
                    &command_actions,
                    words.clone(),
                    reason,
                )
                .await
            {
                Some(
                    ReviewDecision::Approved
                    | ReviewDecision::ApprovedForSession
                    | ReviewDecision::ApprovedWithPrefix(_),
                ) => {
                    params.sandbox = SandboxPolicy::DangerFullAccess;
                    result = self.execute(call_id, params).await;
                }
                Some(ReviewDecision::Denied) => {}
                Some(ReviewDecision::Abort) | None => {
                    if let Ok(outcome) = &result {
                        set_command_result(&mut item, ToolItemStatus::Failed, Some(outcome));
                    }
                    self.emit_completed(&item).await;
                    return Handled {
                        text: TOOL_ABORTED.to_string(),
                        item: Some(item),
                        abort_turn: true,
                    };
                }
            }
        }

        let handled = match result {
            Ok(outcome) => {
                let status = if outcome.exit_code == 0 {
                    ToolItemStatus::Completed
                } else {
                    ToolItemStatus::Failed
                };
                set_command_result(&mut item, status, Some(&outcome));
                Handled {
                    text: exec::format_for_model(&outcome),
                    item: None,
                    abort_turn: false,
                }
            }
            Err(ExecError::Cancelled) => {
                set_command_result(&mut item, ToolItemStatus::Failed, None);
                Handled {
                    text: TOOL_ABORTED.to_string(),
                    item: None,
                    abort_turn: true,
                }
            }
            Err(err) => {
                let message = err.to_string();
                set_command_result(&mut item, ToolItemStatus::Failed, None);
                if let TurnItem::CommandExecution {
                    aggregated_output, ..
                } = &mut item
                {
                    *aggregated_output = Some(message.clone());
                }
                Handled::text_only(format!("failed to run the command: {message}"))
            }
        };
        self.emit_completed(&item).await;
        Handled {
            item: Some(item),
            ..handled
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
        item_id: &str,
        command: &str,
        params: &ExecParams,
        command_actions: &[crate::protocol::turn_item::CommandAction],
        words: Option<Vec<String>>,
        reason: Option<String>,
    ) -> Option<ReviewDecision> {
        let (reply, answer) = ApprovalReply::channel();
        let request = EventMsg::CommandApprovalRequested(CommandApprovalRequest {
            turn_id: self.ctx.turn_id.to_string(),
            item_id: item_id.to_string(),
            command: command.to_string(),
            cwd: params.cwd.clone(),
            command_actions: command_actions.to_vec(),
            reason,
            proposed_prefix: words,
            reply,
        });
        let decision = self.wait_for_decision(request, answer).await;
        match &decision {
            Some(ReviewDecision::ApprovedForSession) => self.ctx.approvals.approve_command(command),
            Some(ReviewDecision::ApprovedWithPrefix(prefix)) => {
                self.ctx.approvals.approve_prefix(prefix.clone());
            }
            Some(ReviewDecision::Approved | ReviewDecision::Denied | ReviewDecision::Abort)
            | None => {}
        }
        decision
    }

    /// Sends an approval request and waits for its answer while the thread shows `waitingOnApproval`.
    /// A host that drops the request without answering counts as a decline.
    async fn wait_for_decision(
        &self,
        request: EventMsg,
        answer: tokio::sync::oneshot::Receiver<ReviewDecision>,
    ) -> Option<ReviewDecision> {
        self.ctx
            .events
            .set_status(ThreadStatus::Active {
                waiting_on_approval: true,
            })
            .await;
        self.ctx.events.emit(request).await;
        let decision = tokio::select! {
            biased;
            () = self.ctx.cancel.cancelled() => None,
            answer = answer => Some(answer.unwrap_or(ReviewDecision::Denied)),
        };
        self.ctx
            .events
            .set_status(ThreadStatus::Active {
                waiting_on_approval: false,
            })
            .await;
        decision
    }

    /// Applies `patch` with relative paths taken from `cwd`. Its paths are resolved once, checked against
    /// the sandbox's writable roots and their read-only entries, and written along exactly those resolved
    /// paths (`WriteScope`), so what the approval saw is what gets written.
    async fn apply_patch(
        &self,
        call_id: &str,
        patch: String,
        cwd: PathBuf,
        diff: &mut TurnDiffTracker,
    ) -> Handled {
        let sandbox = self.ctx.settings.sandbox.clone();
        let sandbox_cwd = self.ctx.settings.cwd.clone();
        let codex_home = self.ctx.settings.codex_home.clone();
        let planned = tokio::task::spawn_blocking(move || -> Result<_, ApplyPatchError> {
            let plan = plan_patch(&patch, &cwd)?;
            Ok((plan, WriteScope::new(&sandbox, &sandbox_cwd, &codex_home)))
        })
        .await;
        let (plan, mut scope) = match planned {
            Ok(Ok(planned)) => planned,
            Ok(Err(err)) => {
                return Handled::text_only(format!("apply_patch verification failed: {err}"));
            }
            Err(err) => return Handled::text_only(format!("apply_patch failed: {err}")),
        };
        let touched: Vec<PathBuf> = plan.touched_paths().to_vec();
        let mut item = TurnItem::FileChange {
            id: call_id.to_string(),
            changes: plan.report().changes.clone(),
            status: ToolItemStatus::InProgress,
        };
        self.emit_started(&item).await;

        // Paths the sandbox does not let the patch write: outside the roots, or read-only inside them.
        let blocked: Vec<(PathBuf, PathAccess)> = touched
            .iter()
            .filter_map(|path| match scope.access(path) {
                PathAccess::Writable => None,
                access @ (PathAccess::ReadOnly { .. } | PathAccess::OutsideRoots) => {
                    Some((path.clone(), access))
                }
            })
            .collect();
        let approvals = &self.ctx.approvals;
        let approved_for_session = touched.iter().all(|path| approvals.allows_patch_path(path));
        let unapproved: Vec<(PathBuf, PathAccess)> = blocked
            .iter()
            .filter(|(path, _)| !approvals.allows_patch_path(path))
            .cloned()
            .collect();
        let must_ask = match self.ctx.settings.approval_policy {
            AskForApproval::Untrusted => !approved_for_session,
            AskForApproval::OnRequest | AskForApproval::Granular(_) => !unapproved.is_empty(),
            AskForApproval::Never => false,
        };
        let refusal = if must_ask && !self.ctx.settings.approval_policy.allows_sandbox_prompts() {
            Some((REJECTED_BY_POLICY.to_string(), false))
        } else if must_ask {
            self.ask_patch(call_id, &touched, &unapproved).await
        } else {
            unapproved
                .first()
                .map(|(path, access)| (never_refusal(path, access, &self.ctx.settings.cwd), false))
        };
        if let Some((text, abort_turn)) = refusal {
            set_patch_status(&mut item, ToolItemStatus::Declined);
            self.emit_completed(&item).await;
            return Handled {
                text,
                item: Some(item),
                abort_turn,
            };
        }
        // Past this point every blocked path was approved, now or earlier in the session: the write of each
        // is still confined to exactly that path.
        for (path, _) in blocked {
            scope.approve(path);
        }

        diff.remember_originals(&touched);
        let committed = tokio::task::spawn_blocking(move || plan.commit(&scope)).await;
        let text = match committed {
            Ok(Ok(report)) => {
                if let TurnItem::FileChange {
                    changes, status, ..
                } = &mut item
                {
                    *changes = report.changes;
                    *status = ToolItemStatus::Completed;
                }
                report.summary
            }
            Ok(Err(err)) => {
                set_patch_status(&mut item, ToolItemStatus::Failed);
                format!("apply_patch failed: {err}")
            }
            Err(err) => {
                set_patch_status(&mut item, ToolItemStatus::Failed);
                format!("apply_patch failed: {err}")
            }
        };
        self.emit_completed(&item).await;
        self.ctx
            .events
            .emit(EventMsg::TurnDiffUpdated {
                turn_id: self.ctx.turn_id.to_string(),
                diff: diff.diff(&self.ctx.settings.cwd),
            })
            .await;
        Handled {
            text,
            item: Some(item),
            abort_turn: false,
        }
    }

    /// Asks the host about a patch; the reason names every path the sandbox does not allow. `None` when the
    /// host approved, else the text for the model and whether the turn ends.
    async fn ask_patch(
        &self,
        call_id: &str,
        touched: &[PathBuf],
        unapproved: &[(PathBuf, PathAccess)],
    ) -> Option<(String, bool)> {
        let reason = (!unapproved.is_empty()).then(|| {
            let paths: Vec<String> = unapproved
                .iter()
                .map(|(path, access)| format!("{} is {access}", path.display()))
                .collect();
            format!(
                "the patch writes where the sandbox does not allow: {}",
                paths.join("; ")
            )
        });
        let (reply, answer) = ApprovalReply::channel();
        let request = EventMsg::PatchApprovalRequested(PatchApprovalRequest {
            turn_id: self.ctx.turn_id.to_string(),
            item_id: call_id.to_string(),
            reason,
            reply,
        });
        match self.wait_for_decision(request, answer).await {
            Some(ReviewDecision::ApprovedForSession) => {
                self.ctx
                    .approvals
                    .approve_patch_paths(touched.iter().cloned());
                None
            }
            Some(ReviewDecision::Approved | ReviewDecision::ApprovedWithPrefix(_)) => None,
            Some(ReviewDecision::Denied) => Some((PATCH_DECLINED.to_string(), false)),
            Some(ReviewDecision::Abort) | None => Some((TOOL_ABORTED.to_string(), true)),
        }
    }

    async fn emit_started(&self, item: &TurnItem) {
        self.ctx
            .events
            .emit(EventMsg::ItemStarted {
                turn_id: self.ctx.turn_id.to_string(),
                item: item.clone(),
            })
            .await;
    }

    async fn emit_completed(&self, item: &TurnItem) {
        self.ctx
            .events
            .emit(EventMsg::ItemCompleted {
                turn_id: self.ctx.turn_id.to_string(),
                item: item.clone(),
            })
            .await;
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

/// What the model is told when `approval_policy = never` leaves no way to write `path`.
fn never_refusal(path: &std::path::Path, access: &PathAccess, cwd: &std::path::Path) -> String {
    let what = match access {
        PathAccess::OutsideRoots => format!(
            "it writes outside the sandbox's writable roots ({})",
            path.display()
        ),
        PathAccess::ReadOnly { .. } | PathAccess::Writable => {
            format!("{} is {access}", path.display())
        }
    };
    format!(
        "patch rejected: {what}, and approval_policy is `never`, so it cannot be approved (cwd: {})",
        cwd.display()
    )
}

fn set_patch_status(item: &mut TurnItem, new_status: ToolItemStatus) {
    if let TurnItem::FileChange { status, .. } = item {
        *status = new_status;
    }
}
