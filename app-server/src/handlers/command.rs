//! `command/exec`: runs one argv (no shell) outside any thread, under the host's sandbox policy or the
//! config's, and answers with its exit code, stdout and stderr once it exits. With a `processId` (or an
//! `outputBytesCap`) the command runs as a session (`command_session`): streamed, written to, resized in
//! its PTY, terminated.

use codex_app_server_protocol::CommandExecParams;
use codex_app_server_protocol::CommandExecResponse;
use codex_core::tools::exec;
use codex_core::tools::exec::CappedOutput;
use codex_core::tools::exec::ExecStream;
use tokio_util::sync::CancellationToken;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::command_params::exec_error;
use crate::handlers::command_params::exec_params;
use crate::handlers::command_session;
use crate::unsupported_params;

/// Checks the params as upstream 0.171 does (same codes and messages), and refuses what is not served:
/// unsetting a variable, and an uncapped buffered output.
fn check_exec_params(params: &CommandExecParams) -> Result<(), RequestError> {
    const METHOD: &str = "command/exec";
    let streaming = params.tty || params.stream_stdin || params.stream_stdout_stderr;
    if streaming && params.process_id.is_none() {
        return Err(RequestError::Rejected(
            "command/exec tty or streaming requires a client-supplied processId".to_string(),
        ));
    }
    if params.size.is_some() && !params.tty {
        return Err(RequestError::InvalidParamsVerbatim(
            "command/exec size requires tty: true".to_string(),
        ));
    }
    if params.disable_timeout && params.timeout_ms.is_some() {
        return Err(RequestError::InvalidParamsVerbatim(
            "command/exec cannot set both timeoutMs and disableTimeout".to_string(),
        ));
    }
    if params.disable_output_cap && params.output_bytes_cap.is_some() {
        return Err(RequestError::InvalidParamsVerbatim(
            "command/exec cannot set both outputBytesCap and disableOutputCap".to_string(),
        ));
    }
    let buffered = !(params.tty || params.stream_stdout_stderr);
    unsupported_params::refuse_if(
        METHOD,
        "disableOutputCap",
        params.disable_output_cap && buffered,
        "buffered output is always capped; stream it instead",
    )?;
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
    if params.process_id.is_some() || params.output_bytes_cap.is_some() {
        return command_session::exec(context, params).await;
    }
    let exec_params = exec_params(&context, &params)?;
    // Each stream keeps at most its first and last 512 KiB, so a runaway command cannot exhaust memory.
    let mut stdout = CappedOutput::default();
    let mut stderr = CappedOutput::default();
    let outcome = exec::run(
        exec_params,
        |chunk| match chunk.stream {
            ExecStream::Stdout => stdout.push(&chunk.bytes),
            ExecStream::Stderr => stderr.push(&chunk.bytes),
        },
        CancellationToken::new(),
    )
    .await
    .map_err(exec_error)?;
    Ok(Answer::new(CommandExecResponse {
        exit_code: outcome.exit_code,
        stdout: stdout.into_text(),
        stderr: stderr.into_text(),
    }))
}
