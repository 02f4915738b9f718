//! `command/exec`: runs one argv (no shell) outside any thread, under the host's sandbox policy or the
//! config's, and answers with its exit code, stdout and stderr once it exits.

use std::collections::HashMap;
use std::time::Duration;

use codex_app_server_protocol::CommandExecParams;
use codex_app_server_protocol::CommandExecResponse;
use codex_core::config::Config;
use codex_core::config::ConfigLoadOptions;
use codex_core::sandbox::SandboxPolicy;
use codex_core::tools::exec;
use codex_core::tools::exec::CappedOutput;
use codex_core::tools::exec::ExecCommand;
use codex_core::tools::exec::ExecError;
use codex_core::tools::exec::ExecParams;
use codex_core::tools::exec::ExecStream;
use tokio_util::sync::CancellationToken;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::unsupported_params;
use crate::wire_conversion;

/// How long a command with `disableTimeout` may run: in practice, until it exits or the daemon does.
const NO_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// Refuses 0.171's fields for interactive and uncapped processes, which this server does not serve yet.
fn check_exec_params(params: &CommandExecParams) -> Result<(), RequestError> {
    const METHOD: &str = "command/exec";
    let interactive = "streaming and interactive processes are not served yet; run to completion";
    unsupported_params::refuse_if_set(METHOD, "processId", &params.process_id, interactive)?;
    unsupported_params::refuse_if(METHOD, "tty", params.tty, interactive)?;
    unsupported_params::refuse_if(METHOD, "streamStdin", params.stream_stdin, interactive)?;
    unsupported_params::refuse_if(
        METHOD,
        "streamStdoutStderr",
        params.stream_stdout_stderr,
        interactive,
    )?;
    unsupported_params::refuse_if_set(METHOD, "size", &params.size, interactive)?;
    let capped = "each stream keeps its first and last 512 KiB";
    unsupported_params::refuse_if_set(METHOD, "outputBytesCap", &params.output_bytes_cap, capped)?;
    unsupported_params::refuse_if(
        METHOD,
        "disableOutputCap",
        params.disable_output_cap,
        capped,
    )?;
    if params.disable_timeout && params.timeout_ms.is_some() {
        return Err(RequestError::InvalidParams(
            "command/exec: `disableTimeout` cannot be combined with `timeoutMs`".to_string(),
        ));
    }
    let unsets = params
        .env
        .iter()
        .flatten()
        .any(|(_, value)| value.is_none());
    unsupported_params::refuse_if(
        METHOD,
        "env",
        unsets,
        "a variable can be set but not unset (`null`)",
    )
}

/// `command/exec`: runs one command outside any thread, under the configured (or given) sandbox, and
/// answers with its exit code and output.
pub async fn exec(
    context: RequestContext,
    params: CommandExecParams,
) -> Result<Answer<CommandExecResponse>, RequestError> {
    if params.command.is_empty() {
        return Err(RequestError::InvalidParams(
            "`command` must not be empty".to_string(),
        ));
    }
    check_exec_params(&params)?;
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
    let cwd = match params.cwd {
        Some(cwd) => config.cwd.join(cwd),
        None => config.cwd.clone(),
    };
    let sandbox = match params.sandbox_policy {
        Some(policy) => {
            wire_conversion::core_sandbox_policy(policy).map_err(RequestError::InvalidParams)?
        }
        None => SandboxPolicy::from_config(config.sandbox_mode, &config.sandbox_workspace_write),
    };

    // Each stream keeps at most its first and last 512 KiB, so a runaway command cannot exhaust memory.
    let mut stdout = CappedOutput::default();
    let mut stderr = CappedOutput::default();
    let outcome = exec::run(
        ExecParams {
            command: ExecCommand::Argv(params.command),
            cwd: cwd.clone(),
            timeout,
            env: params
                .env
                .into_iter()
                .flatten()
                .filter_map(|(name, value)| Some((name, value?)))
                .collect::<HashMap<_, _>>(),
            sandbox,
            // Without a turn, the command's own directory is its workspace.
            sandbox_cwd: cwd,
            codex_home: context.engine.threads.codex_home().clone(),
        },
        |chunk| match chunk.stream {
            ExecStream::Stdout => stdout.push(&chunk.bytes),
            ExecStream::Stderr => stderr.push(&chunk.bytes),
        },
        CancellationToken::new(),
    )
    .await
    .map_err(|error| match error {
        ExecError::EmptyCommand => RequestError::InvalidParams(error.to_string()),
        ExecError::Spawn { .. } | ExecError::Sandbox(_) => {
            RequestError::ExecFailed(error.to_string())
        }
        ExecError::Wait(_) | ExecError::Cancelled => RequestError::Internal(error.to_string()),
    })?;
    Ok(Answer::new(CommandExecResponse {
        exit_code: outcome.exit_code,
        stdout: stdout.into_text(),
        stderr: stderr.into_text(),
    }))
}
