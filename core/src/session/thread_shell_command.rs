//! `thread/shellCommand`: a command line the host's user typed, run in a thread as a turn of its own. It
//! is the user's action, not the model's, so it runs unsandboxed (as upstream does) and asks no approval,
//! but like every command it runs in its own process group, streams bounded output, and is killed by
//! `turn/interrupt`, thread deletion or daemon shutdown. The model sees the command and its output in the
//! thread's next request.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event::TurnSummary;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::CommandSource;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_outcome::TurnStatus;
use crate::rollout::RolloutItem;
use crate::sandbox::SandboxPolicy;
use crate::session::thread::CodexThread;
use crate::session::thread::PendingTurn;
use crate::session::thread::ThreadError;
use crate::session::thread::ThreadInner;
use crate::session::turn::context_items;
use crate::session::turn::finish_turn;
use crate::tools::command_actions::command_text;
use crate::tools::command_actions::parse_command_actions;
use crate::tools::exec;
use crate::tools::exec::ExecCommand;
use crate::tools::exec::ExecError;
use crate::tools::exec::ExecOutcome;
use crate::tools::exec::ExecOutputChunk;
use crate::tools::exec::ExecParams;

/// How long a user's command may run when the host names no timeout (upstream's default).
pub const USER_SHELL_DEFAULT_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// At most this many output deltas are reported per command, as for the model's commands.
const MAX_OUTPUT_DELTAS: usize = 10_000;

impl CodexThread {
    /// Accepts the command as a new turn; it runs once the returned [`PendingTurn`] is dropped.
    pub fn start_shell_command(
        &self,
        command: String,
        timeout: Duration,
    ) -> Result<PendingTurn, ThreadError> {
        let (turn, cancel) = self.claim_turn()?;
        let inner = Arc::clone(&self.inner);
        let summary = turn.clone();
        Ok(PendingTurn::spawn(turn, async move {
            run_shell_turn(inner, summary, command, timeout, cancel).await;
        }))
    }
}

async fn run_shell_turn(
    thread: Arc<ThreadInner>,
    mut turn: TurnSummary,
    script: String,
    timeout: Duration,
    cancel: CancellationToken,
) {
    let started = Instant::now();
    thread.record(vec![RolloutItem::TurnStarted {
        turn_id: turn.id.clone(),
        started_at: turn.started_at.unwrap_or_default(),
    }]);
    thread.emit(EventMsg::TurnStarted(turn.clone())).await;
    thread
        .set_status(ThreadStatus::Active {
            waiting_on_approval: false,
            waiting_on_user_input: false,
        })
        .await;
    let (cwd, codex_home) = {
        let settings = thread.settings.lock().unwrap_or_else(|e| e.into_inner());
        (settings.cwd.clone(), settings.codex_home.clone())
    };
    let command = ExecCommand::ShellScript {
        script: script.clone(),
        login: true,
    };
    let mut item = TurnItem::CommandExecution {
        id: uuid::Uuid::new_v4().to_string(),
        command: command_text(&command),
        cwd: cwd.display().to_string(),
        status: ToolItemStatus::InProgress,
        command_actions: parse_command_actions(&command),
        aggregated_output: None,
        exit_code: None,
        duration_ms: None,
        source: CommandSource::UserShell,
        process_id: None,
    };
    emit_item(&thread, &turn.id, &item, false).await;
    let params = ExecParams {
        command,
        cwd: cwd.clone(),
        timeout,
        env: HashMap::new(),
        // The user typed it: it runs with the daemon's own access, as upstream runs it.
        sandbox: SandboxPolicy::DangerFullAccess,
        sandbox_cwd: cwd,
        codex_home,
    };
    let result = execute(&thread, &turn.id, item.id(), params, cancel.clone()).await;
    settle_item(&mut item, &result);
    emit_item(&thread, &turn.id, &item, true).await;
    thread.record(vec![RolloutItem::ItemCompleted {
        turn_id: turn.id.clone(),
        item: item.clone(),
    }]);
    if let Ok(outcome) = &result {
        record_for_model(&thread, &script, outcome).await;
    }
    thread.conversation.mark_turn_ending();
    let interrupted = cancel.is_cancelled();
    turn.status = if interrupted {
        TurnStatus::Interrupted
    } else {
        TurnStatus::Completed
    };
    finish_turn(&thread.shared(), turn, vec![item], started).await;
}

async fn emit_item(thread: &ThreadInner, turn_id: &str, item: &TurnItem, completed: bool) {
    let turn_id = turn_id.to_string();
    let item = item.clone();
    thread
        .emit(if completed {
            EventMsg::ItemCompleted { turn_id, item }
        } else {
            EventMsg::ItemStarted { turn_id, item }
        })
        .await;
}

/// Runs the command, reporting its output as it comes.
async fn execute(
    thread: &ThreadInner,
    turn_id: &str,
    item_id: &str,
    params: ExecParams,
    cancel: CancellationToken,
) -> Result<ExecOutcome, ExecError> {
    let (chunks, mut received) = mpsc::unbounded_channel::<ExecOutputChunk>();
    let run = exec::run(
        params,
        move |chunk| {
            let _ = chunks.send(chunk);
        },
        cancel,
    );
    tokio::pin!(run);
    let mut deltas = 0;
    let result = loop {
        tokio::select! {
            biased;
            Some(chunk) = received.recv() => {
                if deltas < MAX_OUTPUT_DELTAS {
                    deltas += 1;
                    emit_output(thread, turn_id, item_id, &chunk).await;
                }
            }
            result = &mut run => break result,
        }
    };
    // Output read before the process ended is still reported, in order.
    while let Ok(chunk) = received.try_recv() {
        if deltas < MAX_OUTPUT_DELTAS {
            deltas += 1;
            emit_output(thread, turn_id, item_id, &chunk).await;
        }
    }
    result
}

async fn emit_output(thread: &ThreadInner, turn_id: &str, item_id: &str, chunk: &ExecOutputChunk) {
    thread
        .emit(EventMsg::CommandOutputDelta {
            turn_id: turn_id.to_string(),
            item_id: item_id.to_string(),
            delta: String::from_utf8_lossy(&chunk.bytes).into_owned(),
        })
        .await;
}

/// Fills in the item's result: completed on exit code 0, failed otherwise (also when it could not run,
/// timed out or was interrupted).
fn settle_item(item: &mut TurnItem, result: &Result<ExecOutcome, ExecError>) {
    let TurnItem::CommandExecution {
        status,
        aggregated_output,
        exit_code,
        duration_ms,
        ..
    } = item
    else {
        return;
    };
    match result {
        Ok(outcome) => {
            *status = if outcome.exit_code == 0 {
                ToolItemStatus::Completed
            } else {
                ToolItemStatus::Failed
            };
            *aggregated_output = Some(outcome.aggregated_output.clone());
            *exit_code = Some(outcome.exit_code);
            *duration_ms = Some(i64::try_from(outcome.duration.as_millis()).unwrap_or(i64::MAX));
        }
        Err(ExecError::Cancelled) => *status = ToolItemStatus::Failed,
        Err(error) => {
            *status = ToolItemStatus::Failed;
            *aggregated_output = Some(error.to_string());
        }
    }
}

/// Puts the command and its (bounded) result in history, behind the session prefix, so the model's next
/// request shows what the user ran.
async fn record_for_model(thread: &ThreadInner, script: &str, outcome: &ExecOutcome) {
    let settings = thread
        .settings
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut new_history = context_items(&thread.shared(), &settings).await;
    new_history.push(ResponseItem::user_text(user_shell_message(script, outcome)));
    thread
        .conversation
        .lock()
        .history
        .extend(new_history.iter().cloned());
    thread.record(
        new_history
            .into_iter()
            .map(RolloutItem::ResponseItem)
            .collect(),
    );
}

/// The message the model reads, in upstream's `<user_shell_command>` envelope.
fn user_shell_message(script: &str, outcome: &ExecOutcome) -> String {
    format!(
        "<user_shell_command>\n<command>\n{script}\n</command>\n<result>\n{}\n</result>\n</user_shell_command>",
        exec::format_for_model(outcome)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn the_model_reads_the_command_and_its_result() {
        let outcome = ExecOutcome {
            exit_code: 0,
            duration: Duration::from_millis(1200),
            aggregated_output: "hi\n".to_string(),
            timed_out: false,
        };
        assert_eq!(
            user_shell_message("echo hi", &outcome),
            "<user_shell_command>\n<command>\necho hi\n</command>\n<result>\nExit code: 0\nWall time: 1.2 seconds\nOutput:\nhi\n\n</result>\n</user_shell_command>"
        );
    }
}
