//! `turn/*`: start a turn (answered before any of its notifications), interrupt it, and steer it with more
//! input while it runs.

use std::path::PathBuf;

use codex_app_server_protocol as wire;
use codex_core::context::collaboration_mode::CollaborationMode;
use codex_core::context::collaboration_mode::ModeKind;
use codex_core::session::thread::CodexThread;
use codex_core::session::thread_manager::ThreadManager;
use codex_core::session::thread_settings::CollaborationChange;
use codex_core::session::thread_settings::TurnOnlyOptions;
use codex_core::session::thread_settings::TurnOverrides;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::personality_notice;
use crate::handlers::thread::thread_error;
use crate::unsupported_params;
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

/// Refuses an image input that names neither or both of `url` and `fileId`.
fn check_images(method: &str, input: &[wire::UserInput]) -> Result<(), RequestError> {
    for item in input {
        if let wire::UserInput::Image { url, file_id, .. } = item
            && url.is_some() == file_id.is_some()
        {
            return Err(RequestError::InvalidParams(format!(
                "{method}: an `image` input needs exactly one of `url` and `fileId`"
            )));
        }
    }
    Ok(())
}

/// Refuses the `turn/start` fields this server does not implement.
fn check_start_params(params: &wire::TurnStartParams) -> Result<(), RequestError> {
    const METHOD: &str = "turn/start";
    unsupported_params::require_user_reviewer(METHOD, params.approvals_reviewer)?;
    let delegated = "turns are not started on behalf of other turns here";
    unsupported_params::refuse_if_set(METHOD, "parentTurnId", &params.parent_turn_id, delegated)?;
    unsupported_params::refuse_if_set(METHOD, "rootTurnId", &params.root_turn_id, delegated)?;
    unsupported_params::refuse_if_set(
        METHOD,
        "toolOutput",
        &params.tool_output,
        "host tool outputs are not taken as turn input",
    )?;
    unsupported_params::refuse_if(
        METHOD,
        "disabledPluginIds",
        params
            .disabled_plugin_ids
            .as_ref()
            .is_some_and(|ids| !ids.is_empty()),
        "this server has no plugins",
    )?;
    check_images(METHOD, &params.input)
}

fn loaded_thread(context: &RequestContext, thread_id: &str) -> Result<CodexThread, RequestError> {
    context
        .engine
        .threads
        .get(thread_id)
        .ok_or_else(|| RequestError::Rejected(format!("thread not loaded: {thread_id}")))
}

/// `turn/start`: starts a turn in a loaded thread; the turn is held back until its response is queued, so
/// `turn/started` and every other event of the turn follow it.
pub async fn start(
    context: RequestContext,
    params: wire::TurnStartParams,
) -> Result<Answer<wire::TurnStartResponse>, RequestError> {
    check_input_size(&params.input)?;
    check_start_params(&params)?;
    let thread = loaded_thread(&context, &params.thread_id)?;
    let threads = &context.engine.threads;
    let input = params
        .input
        .into_iter()
        .map(wire_conversion::core_user_input)
        .collect::<Vec<_>>();
    let model_info = match &params.model {
        Some(slug) => threads.model_info(slug),
        None => thread.settings().model_info,
    };
    let notice = personality_notice(params.personality);
    let collaboration = params
        .collaboration_mode
        .map(|mode| collaboration_change(threads, mode));
    let overrides = TurnOverrides {
        model: params.model,
        effort: params
            .effort
            .map(|effort| wire_conversion::core_reasoning_effort(effort, &model_info)),
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
        service_tier: params.service_tier,
        collaboration,
        this_turn: TurnOnlyOptions {
            output_schema: params.output_schema,
            service_tier: params.service_tier_for_turn,
            client_user_message_id: params.client_user_message_id,
        },
    };
    let pending = thread
        .start_turn(input, overrides, |slug| threads.model_info(slug))
        .map_err(thread_error)?;
    let response = wire::TurnStartResponse {
        turn: wire_conversion::turn_summary(&pending.turn),
    };
    Ok(Answer::new(response)
        .then_notify(notice)
        .then_release(pending))
}

/// The collaboration mode a turn selects, with the model and effort it brings (they win over the turn's
/// `model` and `effort`, as upstream).
fn collaboration_change(
    threads: &ThreadManager,
    mode: wire::CollaborationMode,
) -> CollaborationChange {
    let wire::Settings {
        model,
        reasoning_effort,
        developer_instructions,
    } = mode.settings;
    let model_info = threads.model_info(&model);
    CollaborationChange {
        mode: CollaborationMode {
            kind: match mode.mode {
                wire::ModeKind::Plan => ModeKind::Plan,
                wire::ModeKind::Default => ModeKind::Default,
            },
            developer_instructions,
        },
        effort: reasoning_effort
            .map(|effort| wire_conversion::core_reasoning_effort(effort, &model_info)),
        model,
    }
}

/// `turn/interrupt`: asks the running turn to stop; it ends `interrupted`.
pub async fn interrupt(
    context: RequestContext,
    params: wire::TurnInterruptParams,
) -> Result<Answer<wire::TurnInterruptResponse>, RequestError> {
    let thread = loaded_thread(&context, &params.thread_id)?;
    thread.interrupt(&params.turn_id).map_err(thread_error)?;
    Ok(Answer::new(wire::TurnInterruptResponse {}))
}

/// `turn/steer`: adds input to the running turn, which takes it at its next step.
pub async fn steer(
    context: RequestContext,
    params: wire::TurnSteerParams,
) -> Result<Answer<wire::TurnSteerResponse>, RequestError> {
    check_input_size(&params.input)?;
    check_images("turn/steer", &params.input)?;
    let thread = loaded_thread(&context, &params.thread_id)?;
    let input = params
        .input
        .into_iter()
        .map(wire_conversion::core_user_input)
        .collect::<Vec<_>>();
    let turn_id = thread
        .steer(
            &params.expected_turn_id,
            input,
            params.client_user_message_id,
        )
        .map_err(thread_error)?;
    Ok(Answer::new(wire::TurnSteerResponse { turn_id }))
}
