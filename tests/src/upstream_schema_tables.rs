//! The tables the schema check works from: each client method's upstream response schema, the
//! experimental methods' (checked against upstream's `--experimental` schema), and what a version lacks
//! (notifications, server requests, item kinds) and so skips.

use crate::upstream::UPSTREAM_0_105;
use crate::upstream::UPSTREAM_0_171;

/// How each client request method we serve is answered upstream: `(method, response schema file under the
/// schema directory, versions that do not have the method)`. Upstream's generated schema names each
/// request's params but not its response, and the response is not always `<Params minus "Params">Response`
/// (`config/value/write` answers `ConfigWriteResponse`), so the table is explicit; a unit test checks it
/// against `ClientRequest::METHODS` and against each version's `ClientRequest.json` and files.
pub const CLIENT_RESPONSES: &[(&str, &str, &[&str])] = &[
    ("initialize", "v1/InitializeResponse.json", &[]),
    ("thread/start", "v2/ThreadStartResponse.json", &[]),
    ("thread/resume", "v2/ThreadResumeResponse.json", &[]),
    ("thread/fork", "v2/ThreadForkResponse.json", &[]),
    ("thread/list", "v2/ThreadListResponse.json", &[]),
    ("thread/read", "v2/ThreadReadResponse.json", &[]),
    ("thread/archive", "v2/ThreadArchiveResponse.json", &[]),
    ("thread/unarchive", "v2/ThreadUnarchiveResponse.json", &[]),
    ("thread/name/set", "v2/ThreadSetNameResponse.json", &[]),
    (
        "thread/loaded/list",
        "v2/ThreadLoadedListResponse.json",
        &[],
    ),
    (
        "thread/unsubscribe",
        "v2/ThreadUnsubscribeResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "thread/inject_items",
        "v2/ThreadInjectItemsResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "thread/turns/list",
        "v2/ThreadTurnsListResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "thread/items/list",
        "v2/ThreadItemsListResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "thread/delete",
        "v2/ThreadDeleteResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "thread/rollback",
        "v2/ThreadRollbackResponse.json",
        &[UPSTREAM_0_171],
    ),
    (
        "thread/revert",
        "v2/ThreadRevertResponse.json",
        &[UPSTREAM_0_105],
    ),
    ("review/start", "v2/ReviewStartResponse.json", &[]),
    (
        "thread/metadata/update",
        "v2/ThreadMetadataUpdateResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "thread/shellCommand",
        "v2/ThreadShellCommandResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "thread/compact/start",
        "v2/ThreadCompactStartResponse.json",
        &[],
    ),
    // Experimental upstream, so absent from the schema upstream ships: checked against upstream's
    // `--experimental` schema instead (`EXPERIMENTAL_RESPONSES`).
    (
        "thread/backgroundTerminals/list",
        "v2/ThreadBackgroundTerminalsListResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
    (
        "thread/backgroundTerminals/terminate",
        "v2/ThreadBackgroundTerminalsTerminateResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
    (
        "thread/backgroundTerminals/clean",
        "v2/ThreadBackgroundTerminalsCleanResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
    ("turn/start", "v2/TurnStartResponse.json", &[]),
    ("turn/interrupt", "v2/TurnInterruptResponse.json", &[]),
    ("turn/steer", "v2/TurnSteerResponse.json", &[]),
    ("model/list", "v2/ModelListResponse.json", &[]),
    ("account/login/start", "v2/LoginAccountResponse.json", &[]),
    (
        "account/login/cancel",
        "v2/CancelLoginAccountResponse.json",
        &[],
    ),
    ("account/logout", "v2/LogoutAccountResponse.json", &[]),
    ("account/read", "v2/GetAccountResponse.json", &[]),
    (
        "account/rateLimits/read",
        "v2/GetAccountRateLimitsResponse.json",
        &[],
    ),
    ("config/read", "v2/ConfigReadResponse.json", &[]),
    ("config/value/write", "v2/ConfigWriteResponse.json", &[]),
    ("config/batchWrite", "v2/ConfigWriteResponse.json", &[]),
    ("command/exec", "v2/CommandExecResponse.json", &[]),
    (
        "command/exec/write",
        "v2/CommandExecWriteResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "command/exec/resize",
        "v2/CommandExecResizeResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "command/exec/terminate",
        "v2/CommandExecTerminateResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "mcpServer/oauth/login",
        "v2/McpServerOauthLoginResponse.json",
        &[],
    ),
    (
        "config/mcpServer/reload",
        "v2/McpServerRefreshResponse.json",
        &[],
    ),
    (
        "mcpServerStatus/list",
        "v2/ListMcpServerStatusResponse.json",
        &[],
    ),
    (
        "mcpServer/resource/read",
        "v2/McpResourceReadResponse.json",
        &[UPSTREAM_0_105],
    ),
    (
        "mcpServer/tool/call",
        "v2/McpServerToolCallResponse.json",
        &[UPSTREAM_0_105],
    ),
    ("fuzzyFileSearch", "FuzzyFileSearchResponse.json", &[]),
    // Experimental upstream (`EXPERIMENTAL_RESPONSES`).
    (
        "fuzzyFileSearch/sessionStart",
        "FuzzyFileSearchSessionStartResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
    (
        "fuzzyFileSearch/sessionUpdate",
        "FuzzyFileSearchSessionUpdateResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
    (
        "fuzzyFileSearch/sessionStop",
        "FuzzyFileSearchSessionStopResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
];

/// Responses of methods that are experimental upstream (absent from the schema it ships): checked against
/// its `generate-json-schema --experimental` output, in the versions that have the method.
pub const EXPERIMENTAL_RESPONSES: &[(&str, &str, &[&str])] = &[
    (
        "thread/backgroundTerminals/list",
        "v2/ThreadBackgroundTerminalsListResponse.json",
        &[UPSTREAM_0_171],
    ),
    (
        "thread/backgroundTerminals/terminate",
        "v2/ThreadBackgroundTerminalsTerminateResponse.json",
        &[UPSTREAM_0_171],
    ),
    (
        "thread/backgroundTerminals/clean",
        "v2/ThreadBackgroundTerminalsCleanResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
    (
        "fuzzyFileSearch/sessionStart",
        "FuzzyFileSearchSessionStartResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
    (
        "fuzzyFileSearch/sessionUpdate",
        "FuzzyFileSearchSessionUpdateResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
    (
        "fuzzyFileSearch/sessionStop",
        "FuzzyFileSearchSessionStopResponse.json",
        &[UPSTREAM_0_105, UPSTREAM_0_171],
    ),
];

/// Notifications we send that a version does not define: `(method, version)`. Clients of that version
/// ignore notifications they do not know, so these are skipped there rather than reported (a unit test
/// keeps the list true).
pub const NOTIFICATIONS_NEWER_THAN: &[(&str, &str)] = &[
    ("thread/closed", UPSTREAM_0_105),
    ("serverRequest/resolved", UPSTREAM_0_105),
    ("thread/deleted", UPSTREAM_0_105),
    ("mcpServer/startupStatus/updated", UPSTREAM_0_105),
    ("command/exec/outputDelta", UPSTREAM_0_105),
    ("thread/reverted", UPSTREAM_0_105),
];

/// Server requests we send that a version does not define: `(method, version)`. A client of that version
/// answers one with an error (it does not know the method), which the daemon reads as the user cancelling;
/// the request and that answer are skipped there rather than reported (a unit test keeps the list true).
pub const SERVER_REQUESTS_NEWER_THAN: &[(&str, &str)] =
    &[("mcpServer/elicitation/request", UPSTREAM_0_105)];

/// Thread item kinds we send in `item/started` / `item/completed` that a version does not define:
/// `(item type, version)`. That version's upstream showed no item for what they stand for (0.105 reported a
/// host tool call with its `item/tool/call` request only); its clients get what 0.171's get and pass over an
/// item type they do not know, so these are skipped there rather than reported (a unit test keeps the list
/// true).
pub const ITEMS_NEWER_THAN: &[(&str, &str)] = &[("dynamicToolCall", UPSTREAM_0_105)];
