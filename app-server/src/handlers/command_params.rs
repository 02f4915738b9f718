//! What a `command/exec` runs (argv, directory, timeout, environment, sandbox policy), for the buffered and
//! the session forms alike, and how a command that produced no outcome is answered.

use std::time::Duration;

use codex_app_server_protocol::CommandExecParams;
use codex_core::config::Config;
use codex_core::config::ConfigLoadOptions;
use codex_core::sandbox::SandboxPolicy;
use codex_core::tools::exec;
use codex_core::tools::exec::ExecCommand;
use codex_core::tools::exec::ExecError;
use codex_core::tools::exec::ExecParams;

use crate::error::RequestError;
use crate::handlers::RequestContext;
use crate::wire_conversion;

/// How long a command with `disableTimeout` may run: in practice, until it exits or the daemon does.
const NO_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// What to run for `params`: its argv in its directory, with its timeout and environment, under its sandbox
/// policy or the config's.
pub fn exec_params(
    context: &RequestContext,
    params: &CommandExecParams,
) -> Result<ExecParams, RequestError> {
    let timeout = match params.timeout_ms {
        _ if params.disable_timeout => NO_TIMEOUT,
        Some(timeout_ms) => u64::try_from(timeout_ms)
            .map(Duration::from_millis)
            .map_err(|_| {
                RequestError::InvalidParams(format!(
                    "`timeoutMs` must not be negative, got {timeout_ms}"
                ))
            })?,
        None => exec::DEFAULT_EXEC_TIMEOUT,
    };
    // Loaded per request like a thread's config, so `config/value/write` changes apply to the next command.
    let config = Config::load(ConfigLoadOptions {
        codex_home: Some(context.engine.threads.codex_home().clone()),
        cli_overrides: context.state.config_overrides.clone(),
        enable_features: context.state.enabled_features.clone(),
        disable_features: context.state.disabled_features.clone(),
        ..ConfigLoadOptions::default()
    })
    .map_err(|error| RequestError::Rejected(error.to_string()))?;
    // `join` keeps an absolute `cwd` as it is and resolves a relative one against the default.
    let cwd = match &params.cwd {
        Some(cwd) => config.cwd.join(cwd),
        None => config.cwd.clone(),
    };
    let sandbox = match params.sandbox_policy.clone() {
        Some(policy) => {
            wire_conversion::core_sandbox_policy(policy).map_err(RequestError::InvalidParams)?
        }
        None => SandboxPolicy::from_config(config.sandbox_mode, &config.sandbox_workspace_write),
    };
    Ok(ExecParams {
        command: ExecCommand::Argv(params.command.clone()),
        cwd: cwd.clone(),
        timeout,
        env: params
            .env
            .iter()
            .flatten()
            .filter_map(|(name, value)| Some((name.clone(), value.clone()?)))
            .collect(),
        sandbox,
        // Without a turn, the command's own directory is its workspace.
        sandbox_cwd: cwd,
        codex_home: context.engine.threads.codex_home().clone(),
    })
}

/// The request error for a command that produced no outcome.
pub fn exec_error(error: ExecError) -> RequestError {
    match error {
        ExecError::EmptyCommand => RequestError::InvalidParams(error.to_string()),
        ExecError::Spawn { .. } | ExecError::Sandbox(_) => {
            RequestError::ExecFailed(error.to_string())
        }
        ExecError::Wait(_) | ExecError::Cancelled => RequestError::Internal(error.to_string()),
    }
}
