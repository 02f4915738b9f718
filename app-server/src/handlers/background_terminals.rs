//! `thread/backgroundTerminals/*` (experimental methods): list, terminate and clean the unified exec sessions
//! the model left running in a loaded thread. Errors use upstream's codes and texts.

use codex_app_server_protocol as wire;
use codex_core::tools::unified_exec::BackgroundTerminal;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::loaded_thread;

/// `thread/backgroundTerminals/list`: one page of the thread's running sessions, by session id.
pub async fn list(
    context: RequestContext,
    params: wire::ThreadBackgroundTerminalsListParams,
) -> Result<Answer<wire::ThreadBackgroundTerminalsListResponse>, RequestError> {
    let thread = loaded_thread(&context, &params.thread_id)?;
    let (page, next_cursor) = page(
        thread.background_terminals(),
        params.cursor.as_deref(),
        params.limit,
    )?;
    Ok(Answer::new(wire::ThreadBackgroundTerminalsListResponse {
        data: page.into_iter().map(wire_terminal).collect(),
        next_cursor,
    }))
}

/// `thread/backgroundTerminals/terminate`: ends one session; `terminated` is whether it was running. The
/// answer comes once the session's item has completed.
pub async fn terminate(
    context: RequestContext,
    params: wire::ThreadBackgroundTerminalsTerminateParams,
) -> Result<Answer<wire::ThreadBackgroundTerminalsTerminateResponse>, RequestError> {
    let process_id = session_id(&params.process_id)?;
    let thread = loaded_thread(&context, &params.thread_id)?;
    let terminated = thread.terminate_background_terminal(process_id).await;
    Ok(Answer::new(
        wire::ThreadBackgroundTerminalsTerminateResponse { terminated },
    ))
}

/// `thread/backgroundTerminals/clean`: ends every session of the thread; answers `{}` once each one's item
/// has completed.
pub async fn clean(
    context: RequestContext,
    params: wire::ThreadBackgroundTerminalsCleanParams,
) -> Result<Answer<wire::ThreadBackgroundTerminalsCleanResponse>, RequestError> {
    let thread = loaded_thread(&context, &params.thread_id)?;
    thread.clean_background_terminals().await;
    Ok(Answer::new(wire::ThreadBackgroundTerminalsCleanResponse {}))
}

/// A session id as the model and the list write it; anything else is refused before the thread is looked up,
/// with upstream's code (-32600) and text.
fn session_id(process_id: &str) -> Result<i32, RequestError> {
    process_id.parse::<i32>().map_err(|error| {
        RequestError::Rejected(format!("invalid background terminal process id: {error}"))
    })
}

/// The page after `cursor` and the cursor of the page after it, as upstream pages: the cursor is the last
/// session id of the previous page, so a session ending between two calls shifts nothing (`terminals` are
/// sorted by id). No `limit` is everything left; a `limit` of 0 counts as 1.
fn page(
    terminals: Vec<BackgroundTerminal>,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<(Vec<BackgroundTerminal>, Option<String>), RequestError> {
    let start = match cursor {
        None => 0,
        Some(cursor) => {
            let after = cursor
                .parse::<i32>()
                .map_err(|error| RequestError::Rejected(format!("invalid cursor: {error}")))?;
            terminals
                .iter()
                .position(|terminal| {
                    terminal
                        .process_id
                        .parse::<i32>()
                        .is_ok_and(|id| id > after)
                })
                .unwrap_or(terminals.len())
        }
    };
    let limit = limit.map_or(usize::MAX, |limit| {
        usize::try_from(limit.max(1)).unwrap_or(usize::MAX)
    });
    let total = terminals.len();
    let page: Vec<BackgroundTerminal> = terminals.into_iter().skip(start).take(limit).collect();
    let next_cursor = (start + page.len() < total)
        .then(|| page.last().map(|terminal| terminal.process_id.clone()))
        .flatten();
    Ok((page, next_cursor))
}

/// A listed session; the process statistics are not measured (null, as upstream sends them).
fn wire_terminal(terminal: BackgroundTerminal) -> wire::ThreadBackgroundTerminal {
    let BackgroundTerminal {
        item_id,
        process_id,
        command,
        cwd,
    } = terminal;
    wire::ThreadBackgroundTerminal {
        item_id,
        process_id,
        command,
        cwd,
        os_pid: None,
        cpu_percent: None,
        rss_kb: None,
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn terminals(ids: &[i32]) -> Vec<BackgroundTerminal> {
        ids.iter()
            .map(|id| BackgroundTerminal {
                item_id: format!("call_{id}"),
                process_id: id.to_string(),
                command: format!("sleep {id}"),
                cwd: "/repo".to_string(),
            })
            .collect()
    }

    /// The session ids of a page, and its next cursor.
    fn ids(
        listed: Result<(Vec<BackgroundTerminal>, Option<String>), RequestError>,
    ) -> (Vec<String>, Option<String>) {
        let (page, next_cursor) = listed.expect("a page");
        let ids = page.into_iter().map(|terminal| terminal.process_id);
        (ids.collect(), next_cursor)
    }

    fn strings(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|id| id.to_string()).collect()
    }

    #[test]
    fn no_limit_lists_everything_in_one_page() {
        let all = terminals(&[1000, 1042, 99_999]);
        assert_eq!(
            ids(page(all, None, None)),
            (strings(&["1000", "1042", "99999"]), None)
        );
        assert_eq!(ids(page(Vec::new(), None, None)), (Vec::new(), None));
    }

    #[test]
    fn pages_follow_the_last_session_id() {
        let all = || terminals(&[1000, 1042, 2000, 5000, 7000]);
        let first = ids(page(all(), None, Some(2)));
        assert_eq!(
            first,
            (strings(&["1000", "1042"]), Some("1042".to_string()))
        );
        let second = ids(page(all(), first.1.as_deref(), Some(2)));
        assert_eq!(
            second,
            (strings(&["2000", "5000"]), Some("5000".to_string()))
        );
        assert_eq!(
            ids(page(all(), second.1.as_deref(), Some(2))),
            (strings(&["7000"]), None)
        );
    }

    #[test]
    fn a_session_ended_between_pages_shifts_nothing() {
        let after_1042 = terminals(&[1000, 2000, 5000]);
        assert_eq!(
            ids(page(after_1042, Some("1042"), Some(2))),
            (strings(&["2000", "5000"]), None)
        );
        assert_eq!(
            ids(page(terminals(&[1000]), Some("5000"), None)),
            (Vec::new(), None)
        );
    }

    #[test]
    fn a_zero_limit_counts_as_one() {
        assert_eq!(
            ids(page(terminals(&[1000, 1042]), None, Some(0))),
            (strings(&["1000"]), Some("1000".to_string()))
        );
    }

    #[test]
    fn a_cursor_that_is_not_a_session_id_is_an_invalid_request() {
        let error = page(terminals(&[1000]), Some("abc"), None).expect_err("bad cursor");
        assert_eq!(
            wire::JSONRPCErrorError::from(error),
            wire::JSONRPCErrorError {
                code: -32600,
                message: "invalid cursor: invalid digit found in string".to_string(),
                data: None,
            }
        );
    }

    #[test]
    fn a_process_id_that_is_not_an_integer_gets_upstreams_error() {
        assert_eq!(session_id("1042"), Ok(1042));
        let refused = ["abc", "", "99999999999"].map(|id| {
            let error = wire::JSONRPCErrorError::from(session_id(id).expect_err(id));
            (error.code, error.message)
        });
        assert_eq!(
            refused,
            [
                (
                    -32600,
                    "invalid background terminal process id: invalid digit found in string"
                        .to_string()
                ),
                (
                    -32600,
                    "invalid background terminal process id: cannot parse integer from empty string"
                        .to_string()
                ),
                (
                    -32600,
                    "invalid background terminal process id: number too large to fit in target type"
                        .to_string()
                ),
            ]
        );
    }

    #[test]
    fn listed_sessions_carry_no_process_statistics() {
        let listed = terminals(&[1042])
            .into_iter()
            .map(wire_terminal)
            .collect::<Vec<_>>();
        assert_eq!(
            serde_json::to_value(listed).expect("encodes"),
            serde_json::json!([{"itemId": "call_1042", "processId": "1042", "command": "sleep 1042",
                "cwd": "/repo", "osPid": null, "cpuPercent": null, "rssKb": null}])
        );
    }
}
