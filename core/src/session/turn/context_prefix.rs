//! What goes into history in front of the user's input: the session prefix once per thread (developer
//! instructions, `AGENTS.md`), the environment context whenever the model has not seen it as it is, and
//! the collaboration mode's instructions whenever the mode changed.

use crate::context::collaboration_mode::mode_message;
use crate::context::environment::EnvironmentContext;
use crate::context::git_ceilings::GitCeilings;
use crate::context::git_info::DEFAULT_GIT_INFO_TIMEOUT;
use crate::context::git_info::collect_git_info;
use crate::context::project_doc::read_global_instructions;
use crate::context::project_doc::render_user_instructions;
use crate::context::project_doc::user_instructions;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::ResponseItem;
use crate::session::thread_settings::ThreadSettings;
use crate::session::turn_context::TurnShared;
use crate::user_shell::user_shell_name;

/// What must precede new items in history: the session prefix if this thread has none yet, the
/// environment context if it changed since the model last saw it, and the collaboration mode if it changed.
pub(crate) async fn context_items(
    shared: &TurnShared,
    settings: &ThreadSettings,
) -> Vec<ResponseItem> {
    let mut items = if shared.conversation.take_prefix_needed() {
        session_prefix(settings).await
    } else {
        Vec::new()
    };
    items.extend(environment_update(shared, settings).await);
    items.extend(collaboration_update(shared, settings));
    items
}

/// The context a history starts with, whatever was sent before: the session prefix and the environment
/// context (a compacted history begins with it).
pub(crate) async fn initial_context(
    shared: &TurnShared,
    settings: &ThreadSettings,
) -> Vec<ResponseItem> {
    shared.conversation.take_prefix_needed();
    shared.conversation.forget_environment();
    shared.conversation.forget_collaboration_mode();
    let mut items = session_prefix(settings).await;
    items.extend(environment_update(shared, settings).await);
    items.extend(collaboration_update(shared, settings));
    items
}

/// The collaboration mode's instructions (a developer message) when the model has not read them last.
fn collaboration_update(shared: &TurnShared, settings: &ThreadSettings) -> Option<ResponseItem> {
    shared
        .conversation
        .collaboration_update(settings.collaboration_mode.as_ref())
        .map(|instructions| mode_message(&instructions))
}

/// The session prefix the first turn puts in history: developer instructions and the user's `AGENTS.md`
/// instructions (global, then repo root down to cwd). The environment context follows it.
async fn session_prefix(settings: &ThreadSettings) -> Vec<ResponseItem> {
    let cwd = &settings.cwd;
    let mut items = Vec::new();
    if let Some(developer) = settings.developer_instructions.clone() {
        items.push(ResponseItem::Message {
            id: None,
            role: "developer".to_string(),
            content: vec![ContentItem::InputText { text: developer }],
            end_turn: None,
            phase: None,
        });
    }
    let global = read_global_instructions(&settings.codex_home).await;
    if let Some(instructions) = user_instructions(
        global.as_deref(),
        cwd,
        &GitCeilings::from_env(),
        settings.project_doc_max_bytes,
    )
    .await
    {
        items.push(ResponseItem::user_text(render_user_instructions(
            cwd,
            &instructions,
        )));
    }
    items
}

/// The environment context (cwd, approval policy, sandbox, network, shell and the workspace's git state)
/// when the model has not seen it yet in this process, or when the turn changed any of it.
async fn environment_update(
    shared: &TurnShared,
    settings: &ThreadSettings,
) -> Option<ResponseItem> {
    let environment = EnvironmentContext::new(settings.cwd.clone(), user_shell_name())
        .with_policies(
            settings.approval_policy,
            settings.sandbox_mode,
            &settings.sandbox_workspace_write,
        );
    if !shared.conversation.replace_environment(&environment) {
        return None;
    }
    let cwd = environment.cwd.clone();
    // The state gathered when the thread started is reused unless the turn moved to another directory.
    let git = match shared.known_git(&cwd) {
        Some(git) => git.cloned(),
        None => collect_git_info(&cwd, &GitCeilings::from_env(), DEFAULT_GIT_INFO_TIMEOUT).await,
    };
    let environment = match git {
        Some(git) => environment.with_git_info(git),
        None => environment,
    };
    Some(ResponseItem::user_text(environment.render()))
}
