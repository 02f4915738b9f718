//! The method tables: every client request, client notification, server notification and server->client
//! request, each method name written once. Macros turn the tables into the tagged unions that decode whole
//! wire messages, the marker type of each client method (`methods`), plus the lists of payload types that the
//! schema export walks.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::jsonrpc::JSONRPCNotification;
use crate::jsonrpc::JSONRPCRequest;
use crate::jsonrpc::RequestId;
use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v1::*;
use crate::protocol::v2::*;
use crate::wire_type_visitor::WireTypeVisitor;

/// The params of a method that takes none: a missing `params`, `null` and `{}` all decode to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct NoParams {}

impl ExperimentalApi for Option<NoParams> {}

/// Whether a method written `Variant => "method" experimental { .. }` in the table is experimental: only the
/// word `experimental` may stand there.
macro_rules! experimental_method {
    () => {
        false
    };
    (experimental) => {
        true
    };
}

/// Declares the client->server requests: `Variant => "method" { params: P, response: R }`, or
/// `Variant => "method" experimental { .. }` for a method only a connection that opted into the experimental
/// API may call. Attributes written before `params` apply to the variant's `params` field (used by methods
/// that take none).
macro_rules! client_request_definitions {
    ($(
        $(#[$variant_meta:meta])*
        $variant:ident => $method:literal $($experimental:ident)? {
            $(#[$params_meta:meta])*
            params: $params:ty,
            response: $response:ty $(,)?
        }
    ),* $(,)?) => {
        /// A whole client request line, `{"id", "method", "params"}`, decoded by its `method`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
        #[serde(tag = "method")]
        pub enum ClientRequest {
            $(
                $(#[$variant_meta])*
                #[serde(rename = $method)]
                $variant {
                    #[serde(rename = "id")]
                    request_id: RequestId,
                    $(#[$params_meta])*
                    params: $params,
                },
            )*
        }

        impl ClientRequest {
            /// Every method name a client may call.
            pub const METHODS: &'static [&'static str] = &[$($method),*];

            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => $method,)*
                }
            }

            pub fn id(&self) -> &RequestId {
                match self {
                    $(Self::$variant { request_id, .. } => request_id,)*
                }
            }

            /// Whether the method itself is experimental (then any call of it needs the capability).
            pub fn is_experimental_method(&self) -> bool {
                match self {
                    $(Self::$variant { .. } => experimental_method!($($experimental)?),)*
                }
            }

            /// What of this request needs the experimental API, if anything: `"<method>"` for an experimental
            /// method, else `"<method>.<field>"` for an experimental field or variant it uses. The server
            /// answers `"<descriptor> requires experimentalApi capability"`.
            pub fn experimental_reason(&self) -> Option<String> {
                if self.is_experimental_method() {
                    return Some(self.method().to_string());
                }
                match self {
                    $(Self::$variant { params, .. } => {
                        let method = $method;
                        params.experimental_field().map(|field| format!("{method}.{field}"))
                    })*
                }
            }
        }

        /// One marker type per client request method, named like its `ClientRequest` variant: the method's
        /// name, params and response at the type level, for handlers typed by their method.
        pub mod methods {
            use super::*;
            use crate::protocol::client_method::ClientMethod;

            $(
                #[doc = concat!("`", $method, "`: params `", stringify!($params), "`, response `", stringify!($response), "`.")]
                #[derive(Debug, Clone, Copy, PartialEq, Eq)]
                pub struct $variant;

                impl ClientMethod for $variant {
                    const METHOD: &'static str = $method;
                    const EXPERIMENTAL: bool = experimental_method!($($experimental)?);
                    type Params = $params;
                    type Response = $response;
                }
            )*
        }

        /// Visits every client request's params and response type.
        pub(crate) fn visit_client_request_types(visitor: &mut impl WireTypeVisitor) {
            $(
                visitor.visit::<$params>();
                visitor.visit::<$response>();
            )*
        }
    };
}

/// Declares the server->client notifications: `Variant => "method" (Payload)`.
macro_rules! server_notification_definitions {
    ($(
        $(#[$variant_meta:meta])*
        $variant:ident => $method:literal ($payload:ty)
    ),* $(,)?) => {
        /// A server notification, `{"method", "params"}`, tagged by its `method`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
        #[serde(tag = "method", content = "params")]
        pub enum ServerNotification {
            $(
                $(#[$variant_meta])*
                #[serde(rename = $method)]
                $variant($payload),
            )*
        }

        impl ServerNotification {
            /// Every notification method name the server may send.
            pub const METHODS: &'static [&'static str] = &[$($method),*];

            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $method,)*
                }
            }
        }

        impl From<ServerNotification> for JSONRPCNotification {
            fn from(notification: ServerNotification) -> Self {
                let method = notification.method().to_string();
                // Payloads are plain data with string map keys, for which serde_json cannot fail.
                let params = match notification {
                    $(ServerNotification::$variant(payload) => serde_json::to_value(payload),)*
                }
                .expect("notification payloads always serialize");
                JSONRPCNotification { method, params: Some(params) }
            }
        }

        /// Visits every server notification's payload type.
        pub(crate) fn visit_server_notification_types(visitor: &mut impl WireTypeVisitor) {
            $(visitor.visit::<$payload>();)*
        }
    };
}

/// Declares the server->client requests: `Variant => "method" { params: P, response: R }`.
macro_rules! server_request_definitions {
    ($(
        $(#[$variant_meta:meta])*
        $variant:ident => $method:literal {
            params: $params:ty,
            response: $response:ty $(,)?
        }
    ),* $(,)?) => {
        /// A server->client request before it gets an id: `{"method", "params"}`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
        #[serde(tag = "method", content = "params")]
        pub enum ServerRequestPayload {
            $(
                $(#[$variant_meta])*
                #[serde(rename = $method)]
                $variant($params),
            )*
        }

        impl ServerRequestPayload {
            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $method,)*
                }
            }

            pub fn with_id(self, request_id: RequestId) -> ServerRequest {
                match self {
                    $(Self::$variant(params) => ServerRequest::$variant { request_id, params },)*
                }
            }
        }

        /// A whole server->client request line, `{"id", "method", "params"}`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
        #[serde(tag = "method")]
        pub enum ServerRequest {
            $(
                $(#[$variant_meta])*
                #[serde(rename = $method)]
                $variant {
                    #[serde(rename = "id")]
                    request_id: RequestId,
                    params: $params,
                },
            )*
        }

        /// The client's `result` to a server->client request, decoded by the request it answers
        /// (see [`ServerRequest::decode_response`]). Serializes as the bare result object.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum ServerResponse {
            $($variant($response),)*
        }

        impl ServerRequest {
            /// Every server->client request method name.
            pub const METHODS: &'static [&'static str] = &[$($method),*];

            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => $method,)*
                }
            }

            pub fn id(&self) -> &RequestId {
                match self {
                    $(Self::$variant { request_id, .. } => request_id,)*
                }
            }

            /// Decodes the client's `result` as this request's response type.
            pub fn decode_response(&self, result: serde_json::Value) -> Result<ServerResponse, serde_json::Error> {
                match self {
                    $(Self::$variant { .. } => serde_json::from_value(result).map(ServerResponse::$variant),)*
                }
            }
        }

        impl From<ServerRequest> for JSONRPCRequest {
            fn from(request: ServerRequest) -> Self {
                let method = request.method().to_string();
                // Params are plain data with string map keys, for which serde_json cannot fail.
                let (id, params) = match request {
                    $(ServerRequest::$variant { request_id, params } => (request_id, serde_json::to_value(params)),)*
                };
                let params = params.expect("server request params always serialize");
                JSONRPCRequest { id, method, params: Some(params) }
            }
        }

        /// Visits every server->client request's params and response type.
        pub(crate) fn visit_server_request_types(visitor: &mut impl WireTypeVisitor) {
            $(
                visitor.visit::<$params>();
                visitor.visit::<$response>();
            )*
        }
    };
}

client_request_definitions! {
    Initialize => "initialize" {
        params: InitializeParams,
        response: InitializeResponse,
    },
    ThreadStart => "thread/start" {
        params: ThreadStartParams,
        response: ThreadStartResponse,
    },
    ThreadResume => "thread/resume" {
        params: ThreadResumeParams,
        response: ThreadResumeResponse,
    },
    ThreadFork => "thread/fork" {
        params: ThreadForkParams,
        response: ThreadForkResponse,
    },
    ThreadList => "thread/list" {
        params: ThreadListParams,
        response: ThreadListResponse,
    },
    ThreadRead => "thread/read" {
        params: ThreadReadParams,
        response: ThreadReadResponse,
    },
    ThreadArchive => "thread/archive" {
        params: ThreadArchiveParams,
        response: ThreadArchiveResponse,
    },
    ThreadUnarchive => "thread/unarchive" {
        params: ThreadUnarchiveParams,
        response: ThreadUnarchiveResponse,
    },
    ThreadSetName => "thread/name/set" {
        params: ThreadSetNameParams,
        response: ThreadSetNameResponse,
    },
    ThreadLoadedList => "thread/loaded/list" {
        params: ThreadLoadedListParams,
        response: ThreadLoadedListResponse,
    },
    ThreadUnsubscribe => "thread/unsubscribe" {
        params: ThreadUnsubscribeParams,
        response: ThreadUnsubscribeResponse,
    },
    ThreadInjectItems => "thread/inject_items" {
        params: ThreadInjectItemsParams,
        response: ThreadInjectItemsResponse,
    },
    ThreadTurnsList => "thread/turns/list" {
        params: ThreadTurnsListParams,
        response: ThreadTurnsListResponse,
    },
    ThreadItemsList => "thread/items/list" {
        params: ThreadItemsListParams,
        response: ThreadItemsListResponse,
    },
    ThreadDelete => "thread/delete" {
        params: ThreadDeleteParams,
        response: ThreadDeleteResponse,
    },
    ThreadRollback => "thread/rollback" {
        params: ThreadRollbackParams,
        response: ThreadRollbackResponse,
    },
    ThreadRevert => "thread/revert" {
        params: ThreadRevertParams,
        response: ThreadRevertResponse,
    },
    ReviewStart => "review/start" {
        params: ReviewStartParams,
        response: ReviewStartResponse,
    },
    ThreadMetadataUpdate => "thread/metadata/update" {
        params: ThreadMetadataUpdateParams,
        response: ThreadMetadataUpdateResponse,
    },
    ThreadShellCommand => "thread/shellCommand" {
        params: ThreadShellCommandParams,
        response: ThreadShellCommandResponse,
    },
    ThreadCompactStart => "thread/compact/start" {
        params: ThreadCompactStartParams,
        response: ThreadCompactStartResponse,
    },
    /// 0.171 only, and experimental there.
    ThreadBackgroundTerminalsList => "thread/backgroundTerminals/list" experimental {
        params: ThreadBackgroundTerminalsListParams,
        response: ThreadBackgroundTerminalsListResponse,
    },
    /// 0.171 only, and experimental there.
    ThreadBackgroundTerminalsTerminate => "thread/backgroundTerminals/terminate" experimental {
        params: ThreadBackgroundTerminalsTerminateParams,
        response: ThreadBackgroundTerminalsTerminateResponse,
    },
    /// Experimental in 0.105 and 0.171.
    ThreadBackgroundTerminalsClean => "thread/backgroundTerminals/clean" experimental {
        params: ThreadBackgroundTerminalsCleanParams,
        response: ThreadBackgroundTerminalsCleanResponse,
    },
    TurnStart => "turn/start" {
        params: TurnStartParams,
        response: TurnStartResponse,
    },
    TurnInterrupt => "turn/interrupt" {
        params: TurnInterruptParams,
        response: TurnInterruptResponse,
    },
    TurnSteer => "turn/steer" {
        params: TurnSteerParams,
        response: TurnSteerResponse,
    },
    ModelList => "model/list" {
        params: ModelListParams,
        response: ModelListResponse,
    },
    LoginAccount => "account/login/start" {
        params: LoginAccountParams,
        response: LoginAccountResponse,
    },
    CancelLoginAccount => "account/login/cancel" {
        params: CancelLoginAccountParams,
        response: CancelLoginAccountResponse,
    },
    LogoutAccount => "account/logout" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        params: Option<NoParams>,
        response: LogoutAccountResponse,
    },
    GetAccount => "account/read" {
        params: GetAccountParams,
        response: GetAccountResponse,
    },
    GetAccountRateLimits => "account/rateLimits/read" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        params: Option<NoParams>,
        response: GetAccountRateLimitsResponse,
    },
    ConfigRead => "config/read" {
        params: ConfigReadParams,
        response: ConfigReadResponse,
    },
    ConfigValueWrite => "config/value/write" {
        params: ConfigValueWriteParams,
        response: ConfigWriteResponse,
    },
    ConfigBatchWrite => "config/batchWrite" {
        params: ConfigBatchWriteParams,
        response: ConfigWriteResponse,
    },
    CommandExec => "command/exec" {
        params: CommandExecParams,
        response: CommandExecResponse,
    },
    /// 0.171 only.
    CommandExecWrite => "command/exec/write" {
        params: CommandExecWriteParams,
        response: CommandExecWriteResponse,
    },
    /// 0.171 only.
    CommandExecResize => "command/exec/resize" {
        params: CommandExecResizeParams,
        response: CommandExecResizeResponse,
    },
    /// 0.171 only.
    CommandExecTerminate => "command/exec/terminate" {
        params: CommandExecTerminateParams,
        response: CommandExecTerminateResponse,
    },
    McpServerOauthLogin => "mcpServer/oauth/login" {
        params: McpServerOauthLoginParams,
        response: McpServerOauthLoginResponse,
    },
    McpServerRefresh => "config/mcpServer/reload" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        params: Option<NoParams>,
        response: McpServerRefreshResponse,
    },
    ListMcpServerStatus => "mcpServerStatus/list" {
        params: ListMcpServerStatusParams,
        response: ListMcpServerStatusResponse,
    },
    /// 0.171 only.
    McpResourceRead => "mcpServer/resource/read" {
        params: McpResourceReadParams,
        response: McpResourceReadResponse,
    },
    /// 0.171 only.
    McpServerToolCall => "mcpServer/tool/call" {
        params: McpServerToolCallParams,
        response: McpServerToolCallResponse,
    },
    FuzzyFileSearch => "fuzzyFileSearch" {
        params: FuzzyFileSearchParams,
        response: FuzzyFileSearchResponse,
    },
    /// Experimental in 0.105 and 0.171.
    FuzzyFileSearchSessionStart => "fuzzyFileSearch/sessionStart" experimental {
        params: FuzzyFileSearchSessionStartParams,
        response: FuzzyFileSearchSessionStartResponse,
    },
    /// Experimental in 0.105 and 0.171.
    FuzzyFileSearchSessionUpdate => "fuzzyFileSearch/sessionUpdate" experimental {
        params: FuzzyFileSearchSessionUpdateParams,
        response: FuzzyFileSearchSessionUpdateResponse,
    },
    /// Experimental in 0.105 and 0.171.
    FuzzyFileSearchSessionStop => "fuzzyFileSearch/sessionStop" experimental {
        params: FuzzyFileSearchSessionStopParams,
        response: FuzzyFileSearchSessionStopResponse,
    },
}

server_notification_definitions! {
    Error => "error" (ErrorNotification),
    ThreadStarted => "thread/started" (ThreadStartedNotification),
    ThreadStatusChanged => "thread/status/changed" (ThreadStatusChangedNotification),
    ThreadArchived => "thread/archived" (ThreadArchivedNotification),
    ThreadUnarchived => "thread/unarchived" (ThreadUnarchivedNotification),
    ThreadClosed => "thread/closed" (ThreadClosedNotification),
    ThreadDeleted => "thread/deleted" (ThreadDeletedNotification),
    ThreadReverted => "thread/reverted" (ThreadRevertedNotification),
    ContextCompacted => "thread/compacted" (ContextCompactedNotification),
    ThreadNameUpdated => "thread/name/updated" (ThreadNameUpdatedNotification),
    ThreadTokenUsageUpdated => "thread/tokenUsage/updated" (ThreadTokenUsageUpdatedNotification),
    TurnStarted => "turn/started" (TurnStartedNotification),
    TurnCompleted => "turn/completed" (TurnCompletedNotification),
    TurnDiffUpdated => "turn/diff/updated" (TurnDiffUpdatedNotification),
    TurnPlanUpdated => "turn/plan/updated" (TurnPlanUpdatedNotification),
    ItemStarted => "item/started" (ItemStartedNotification),
    ItemCompleted => "item/completed" (ItemCompletedNotification),
    AgentMessageDelta => "item/agentMessage/delta" (AgentMessageDeltaNotification),
    PlanDelta => "item/plan/delta" (PlanDeltaNotification),
    ReasoningSummaryTextDelta => "item/reasoning/summaryTextDelta" (ReasoningSummaryTextDeltaNotification),
    ReasoningSummaryPartAdded => "item/reasoning/summaryPartAdded" (ReasoningSummaryPartAddedNotification),
    ReasoningTextDelta => "item/reasoning/textDelta" (ReasoningTextDeltaNotification),
    CommandExecutionOutputDelta => "item/commandExecution/outputDelta" (CommandExecutionOutputDeltaNotification),
    TerminalInteraction => "item/commandExecution/terminalInteraction" (TerminalInteractionNotification),
    FileChangeOutputDelta => "item/fileChange/outputDelta" (FileChangeOutputDeltaNotification),
    McpToolCallProgress => "item/mcpToolCall/progress" (McpToolCallProgressNotification),
    ServerRequestResolved => "serverRequest/resolved" (ServerRequestResolvedNotification),
    AccountUpdated => "account/updated" (AccountUpdatedNotification),
    AccountRateLimitsUpdated => "account/rateLimits/updated" (AccountRateLimitsUpdatedNotification),
    AccountLoginCompleted => "account/login/completed" (AccountLoginCompletedNotification),
    ConfigWarning => "configWarning" (ConfigWarningNotification),
    DeprecationNotice => "deprecationNotice" (DeprecationNoticeNotification),
    ModelRerouted => "model/rerouted" (ModelReroutedNotification),
    McpServerOauthLoginCompleted => "mcpServer/oauthLogin/completed" (McpServerOauthLoginCompletedNotification),
    /// 0.171 only.
    McpServerStatusUpdated => "mcpServer/startupStatus/updated" (McpServerStatusUpdatedNotification),
    /// 0.171 only.
    CommandExecOutputDelta => "command/exec/outputDelta" (CommandExecOutputDeltaNotification),
    FuzzyFileSearchSessionUpdated => "fuzzyFileSearch/sessionUpdated" (FuzzyFileSearchSessionUpdatedNotification),
    FuzzyFileSearchSessionCompleted => "fuzzyFileSearch/sessionCompleted" (FuzzyFileSearchSessionCompletedNotification),
}

server_request_definitions! {
    CommandExecutionRequestApproval => "item/commandExecution/requestApproval" {
        params: CommandExecutionRequestApprovalParams,
        response: CommandExecutionRequestApprovalResponse,
    },
    FileChangeRequestApproval => "item/fileChange/requestApproval" {
        params: FileChangeRequestApprovalParams,
        response: FileChangeRequestApprovalResponse,
    },
    DynamicToolCall => "item/tool/call" {
        params: DynamicToolCallParams,
        response: DynamicToolCallResponse,
    },
    ChatgptAuthTokensRefresh => "account/chatgptAuthTokens/refresh" {
        params: ChatgptAuthTokensRefreshParams,
        response: ChatgptAuthTokensRefreshResponse,
    },
    ToolRequestUserInput => "item/tool/requestUserInput" {
        params: ToolRequestUserInputParams,
        response: ToolRequestUserInputResponse,
    },
    /// 0.171 only.
    McpServerElicitationRequest => "mcpServer/elicitation/request" {
        params: McpServerElicitationRequestParams,
        response: McpServerElicitationRequestResponse,
    },
}

/// A client notification, `{"method", "params"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "method", content = "params")]
pub enum ClientNotification {
    /// Sent once after the `initialize` response; carries no params.
    #[serde(rename = "initialized")]
    Initialized,
}

impl ClientNotification {
    /// Every notification method name a client may send.
    pub const METHODS: &'static [&'static str] = &["initialized"];

    pub fn method(&self) -> &'static str {
        match self {
            ClientNotification::Initialized => "initialized",
        }
    }
}

impl TryFrom<JSONRPCRequest> for ClientRequest {
    type Error = serde_json::Error;

    /// Decodes a generic request envelope into the typed request; the error text is serde's (e.g.
    /// "missing field `threadId`"), which the server prefixes with `Invalid request: `.
    fn try_from(request: JSONRPCRequest) -> Result<Self, Self::Error> {
        serde_json::from_value(serde_json::to_value(request)?)
    }
}

impl TryFrom<JSONRPCNotification> for ClientNotification {
    type Error = serde_json::Error;

    fn try_from(notification: JSONRPCNotification) -> Result<Self, Self::Error> {
        serde_json::from_value(serde_json::to_value(notification)?)
    }
}

#[cfg(test)]
#[path = "common_tests.rs"]
mod tests;
