//! The arguments of `exec_command` and `write_stdin` as the model sends them, and the waits and output
//! budgets they resolve to (upstream's defaults and clamps).

use std::time::Duration;

use serde::Deserialize;

/// `exec_command`'s wait when the model gives none.
const EXEC_DEFAULT_YIELD_MS: u64 = 10_000;
/// Every wait is at least this long...
const MIN_YIELD_MS: u64 = 250;
/// ...and at most this long, except an empty poll's.
const MAX_YIELD_MS: u64 = 30_000;
/// An empty poll (`write_stdin` with no characters) waits at least this long...
const MIN_EMPTY_POLL_MS: u64 = 5_000;
/// ...and at most this long.
const MAX_EMPTY_POLL_MS: u64 = 300_000;
/// The output budget when the model gives none.
pub(crate) const DEFAULT_MAX_OUTPUT_TOKENS: usize = 10_000;
/// The largest output budget honoured ("larger requests may be capped by policy").
const MAX_OUTPUT_TOKENS_CAP: usize = 100_000;

/// `exec_command`'s arguments.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ExecCommandArgs {
    pub(crate) cmd: String,
    #[serde(default)]
    pub(crate) workdir: Option<String>,
    #[serde(default)]
    pub(crate) shell: Option<String>,
    #[serde(default)]
    pub(crate) login: Option<bool>,
    #[serde(default)]
    pub(crate) tty: bool,
    #[serde(default)]
    yield_time_ms: Option<u64>,
    #[serde(default)]
    max_output_tokens: Option<u64>,
}

impl ExecCommandArgs {
    /// How long the call waits for the command before it answers.
    pub(crate) fn yield_time(&self) -> Duration {
        let ms = self
            .yield_time_ms
            .unwrap_or(EXEC_DEFAULT_YIELD_MS)
            .clamp(MIN_YIELD_MS, MAX_YIELD_MS);
        Duration::from_millis(ms)
    }

    pub(crate) fn max_output_tokens(&self) -> usize {
        output_budget(self.max_output_tokens)
    }
}

/// `write_stdin`'s arguments. The session id is a 32-bit integer, as upstream parses it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WriteStdinArgs {
    pub(crate) session_id: i32,
    #[serde(default)]
    pub(crate) chars: String,
    #[serde(default)]
    yield_time_ms: Option<u64>,
    #[serde(default)]
    max_output_tokens: Option<u64>,
}

impl WriteStdinArgs {
    /// A write waits briefly for the answer to what it typed; an empty poll waits longer, for output to come.
    pub(crate) fn yield_time(&self) -> Duration {
        let ms = if self.chars.is_empty() {
            self.yield_time_ms
                .unwrap_or(MIN_EMPTY_POLL_MS)
                .clamp(MIN_EMPTY_POLL_MS, MAX_EMPTY_POLL_MS)
        } else {
            self.yield_time_ms
                .unwrap_or(MIN_YIELD_MS)
                .clamp(MIN_YIELD_MS, MAX_YIELD_MS)
        };
        Duration::from_millis(ms)
    }

    pub(crate) fn max_output_tokens(&self) -> usize {
        output_budget(self.max_output_tokens)
    }
}

fn output_budget(requested: Option<u64>) -> usize {
    requested
        .and_then(|tokens| usize::try_from(tokens).ok())
        .unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS)
        .min(MAX_OUTPUT_TOKENS_CAP)
}

/// Parses a call's arguments; the error is the text the model gets, as upstream words it.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(arguments: &str) -> Result<T, String> {
    serde_json::from_str(arguments)
        .map_err(|err| format!("failed to parse function arguments: {err}"))
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn waits_are_clamped_as_upstream_clamps_them() {
        let exec = |json: &str| parse::<ExecCommandArgs>(json).map(|args| args.yield_time());
        assert_eq!(exec(r#"{"cmd":"x"}"#), Ok(Duration::from_secs(10)));
        assert_eq!(
            exec(r#"{"cmd":"x","yield_time_ms":10}"#),
            Ok(Duration::from_millis(250))
        );
        assert_eq!(
            exec(r#"{"cmd":"x","yield_time_ms":99999}"#),
            Ok(Duration::from_secs(30))
        );
        let write = |json: &str| parse::<WriteStdinArgs>(json).map(|args| args.yield_time());
        assert_eq!(
            write(r#"{"session_id":1,"chars":"a"}"#),
            Ok(Duration::from_millis(250))
        );
        assert_eq!(write(r#"{"session_id":1}"#), Ok(Duration::from_secs(5)));
        assert_eq!(
            write(r#"{"session_id":1,"yield_time_ms":1000}"#),
            Ok(Duration::from_secs(5))
        );
        assert_eq!(
            write(r#"{"session_id":1,"yield_time_ms":999999}"#),
            Ok(Duration::from_secs(300))
        );
    }

    #[test]
    fn budgets_default_and_cap() {
        let args: ExecCommandArgs = parse(r#"{"cmd":"x"}"#).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(args.max_output_tokens(), 10_000);
        let args: ExecCommandArgs = parse(r#"{"cmd":"x","max_output_tokens":5000000}"#)
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(args.max_output_tokens(), 100_000);
    }

    #[test]
    fn a_null_session_id_is_refused_in_serde_words() {
        assert_eq!(
            parse::<WriteStdinArgs>(r#"{"session_id":null,"chars":"x"}"#).map(|args| args.session_id),
            Err("failed to parse function arguments: invalid type: null, expected i32 at line 1 column 18".to_string())
        );
    }
}
