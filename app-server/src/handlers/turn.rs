//! `turn/*`: start a turn (answered before any of its notifications), interrupt it, and steer it with more
//! input while it runs.

use std::path::PathBuf;

use codex_app_server_protocol as wire;
use codex_core::thread::CodexThread;
use codex_core::thread::TurnOverrides;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::thread_error;
use crate::handlers::to_value;
use crate::wire_conversion;

/// Upstream's cap on the characters of a turn's text input (all text items together).
pub const MAX_USER_INPUT_TEXT_CHARS: usize = 1 << 20;

/// Refuses input whose text is longer than [`MAX_USER_INPUT_TEXT_CHARS`], as upstream does.
fn check_input_size(input: &[wire::UserInput]) -> Result<(), RequestError> {
    let actual_chars = input
        .iter()
        .map(|item| match item {
            wire::UserInput::Text { text, .. } => text.chars().count(),
            wire::UserInput::Image { .. }
            | wire::UserInput::LocalImage { .. }
            | wire::UserInput::Skill { .. }
            | wire::UserInput::Mention { .. } => 0,
        })
        .sum();
    if actual_chars > MAX_USER_INPUT_TEXT_CHARS {
        return Err(RequestError::InputTooLarge {
            max_chars: MAX_USER_INPUT_TEXT_CHARS,
            actual_chars,
        });
    }
    Ok(())
}

fn loaded_thread(context: &RequestContext, thread_id: &str) -> Result<CodexThread, RequestError> {
    context
        .engine
        .threads
        .get(thread_id)
        .ok_or_else(|| RequestError::Rejected(format!("thread not loaded: {thread_id}")))
}

pub async fn start(
    context: RequestContext,
    params: wire::TurnStartParams,
) -> Result<Answer, RequestError> {
    check_input_size(&params.input)?;
    let thread = loaded_thread(&context, &params.thread_id)?;
    let input = params
        .input
        .into_iter()
        .map(wire_conversion::core_user_input)
        .collect::<Vec<_>>();
    let overrides = TurnOverrides {
        model: params.model,
        effort: params.effort.map(wire_conversion::core_reasoning_effort),
        summary: params.summary.map(wire_conversion::core_reasoning_summary),
        cwd: params.cwd.map(PathBuf::from),
        approval_policy: params
            .approval_policy
            .map(wire_conversion::core_approval_policy),
        sandbox: params
            .sandbox_policy
            .map(wire_conversion::core_sandbox_policy)
            .transpose()
            .map_err(RequestError::InvalidParams)?
            .map(codex_core::sandbox::SandboxPolicy::into_config),
    };
    let threads = &context.engine.threads;
    let pending = thread
        .start_turn(input, overrides, |slug| threads.model_info(slug))
        .map_err(thread_error)?;
    let response = wire::TurnStartResponse {
        turn: wire_conversion::turn_summary(&pending.turn),
    };
    Ok(Answer {
        result: to_value(response)?,
        then_notify: Vec::new(),
        then_release: Some(Box::new(pending)),
    })
}

pub async fn interrupt(
    context: RequestContext,
    params: wire::TurnInterruptParams,
) -> Result<Answer, RequestError> {
    let thread = loaded_thread(&context, &params.thread_id)?;
    thread.interrupt(&params.turn_id).map_err(thread_error)?;
    Ok(to_value(wire::TurnInterruptResponse {})?.into())
}

pub async fn steer(
    context: RequestContext,
    params: wire::TurnSteerParams,
) -> Result<Answer, RequestError> {
    check_input_size(&params.input)?;
    let thread = loaded_thread(&context, &params.thread_id)?;
    let input = params
        .input
        .into_iter()
        .map(wire_conversion::core_user_input)
        .collect::<Vec<_>>();
    let turn_id = thread
        .steer(&params.expected_turn_id, input)
        .map_err(thread_error)?;
    Ok(to_value(wire::TurnSteerResponse { turn_id })?.into())
}
