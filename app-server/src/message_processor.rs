//! The dispatcher: turns each incoming line into a checked `ClientRequest` (envelope, handshake, experimental
//! gate), runs it in its own task, and routes it to the handler of its resource.

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use codex_app_server_protocol::ClientRequest;
use codex_app_server_protocol::InitializeParams;
use codex_app_server_protocol::InitializeResponse;
use codex_app_server_protocol::JSONRPCErrorError;
use codex_app_server_protocol::RequestId;
use codex_app_server_protocol::ServerNotification;
use futures::FutureExt;
use serde_json::Map;
use serde_json::Value;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::connection::Connection;
use crate::connection::IncomingFrame;
use crate::connection_hub::ConnectionId;
use crate::connection_hub::Overflow;
use crate::engine::Engine;
use crate::error::RequestError;
use crate::handlers;
use crate::handlers::Answer;
use crate::handlers::ConnectionCapabilities;
use crate::handlers::RequestContext;
use crate::outgoing::OutgoingMessageSender;
use crate::server_state::ServerState;
use crate::user_agent;

/// Requests being handled or waiting for their answer to be written, at most; beyond this no more input is
/// read until one is done (upstream's app-server queue holds 128 too).
pub const MAX_REQUESTS_IN_FLIGHT: usize = 128;

/// How long requests still running when the client hangs up may take to answer before they are cancelled.
const EOF_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// Serves `connection` as the daemon's only host (stdio), on an engine of its own, until its incoming side
/// closes; then ends every thread: running turns are interrupted and every rollout is flushed. The
/// connection never leaves: the engine's last events reach it before its writer stops.
pub async fn serve(connection: Connection, state: Arc<ServerState>) {
    let engine = Engine::start(&state);
    let session = Session {
        state,
        engine: Arc::clone(&engine),
        overflow: Overflow::Wait,
        closer: CancellationToken::new(),
    };
    serve_connection(connection, session).await;
    engine.threads.shutdown_all().await;
}

/// What one connection is served with: the daemon's state and engine, and how it is closed.
pub struct Session {
    pub state: Arc<ServerState>,
    pub engine: Arc<Engine>,
    /// What the connection's event queue does when the connection reads too slowly.
    pub overflow: Overflow,
    /// Cancelled by the engine to close the connection (it fell too far behind).
    pub closer: CancellationToken,
}

/// Serves one connection until its incoming side closes, then lets in-flight requests finish within
/// `EOF_GRACE` and cancels the rest. Returns the connection's id: it stays among the engine's connections
/// (hearing its threads' events, e.g. their interruption at shutdown) until the caller makes it leave.
pub async fn serve_connection(connection: Connection, session: Session) -> ConnectionId {
    let Connection {
        mut incoming,
        outgoing,
    } = connection;
    let outgoing = OutgoingMessageSender::new(outgoing);
    let Session {
        state,
        engine,
        overflow,
        closer,
    } = session;
    let connection_id = engine.connections.next_connection_id();
    let mut processor = MessageProcessor {
        state,
        outgoing,
        capabilities: None,
        engine: Arc::clone(&engine),
        connection_id,
        overflow,
        closer,
    };
    let mut requests_in_flight = JoinSet::new();
    loop {
        // A request counts until its answer is written: a host that sends faster than it reads stops
        // being read instead of growing the daemon's memory.
        let saturated = requests_in_flight.len() + processor.outgoing.answers_unwritten()
            >= MAX_REQUESTS_IN_FLIGHT;
        tokio::select! {
            frame = incoming.recv(), if !saturated => match frame {
                Some(frame) => processor.process_frame(frame, &mut requests_in_flight),
                None => break,
            },
            Some(finished) = requests_in_flight.join_next(), if !requests_in_flight.is_empty() => {
                if let Err(error) = finished {
                    tracing::warn!("request task ended abnormally: {error}");
                }
            }
            () = processor.outgoing.answer_written(), if saturated => {}
        }
    }
    // Requests already read get a short grace to answer; anything slower is cancelled so EOF exits promptly.
    let drained = tokio::time::timeout(EOF_GRACE, async {
        while requests_in_flight.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::debug!(
            "cancelling {} request(s) still running at EOF",
            requests_in_flight.len()
        );
    }
    requests_in_flight.shutdown().await;
    connection_id
}

struct MessageProcessor {
    state: Arc<ServerState>,
    outgoing: OutgoingMessageSender,
    /// Set by a successful `initialize`; `None` means the handshake has not happened.
    capabilities: Option<Arc<ConnectionCapabilities>>,
    engine: Arc<Engine>,
    connection_id: ConnectionId,
    overflow: Overflow,
    closer: CancellationToken,
}

impl MessageProcessor {
    fn process_frame(&mut self, frame: IncomingFrame, requests_in_flight: &mut JoinSet<()>) {
        let line = match frame {
            IncomingFrame::Line(line) => line,
            IncomingFrame::TooLarge { limit } => {
                self.outgoing
                    .send_error(None, RequestError::MessageTooLarge { limit }.into());
                return;
            }
            IncomingFrame::Binary => {
                self.outgoing
                    .send_error(None, RequestError::BinaryFrame.into());
                return;
            }
        };
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let text = match std::str::from_utf8(&line) {
            Ok(text) => text,
            Err(error) => {
                let error = RequestError::Parse(format!("invalid UTF-8: {error}"));
                self.outgoing.send_error(None, error.into());
                return;
            }
        };
        let value = match serde_json::from_str::<Value>(text) {
            Ok(value) => value,
            Err(error) => {
                self.outgoing
                    .send_error(None, RequestError::Parse(error.to_string()).into());
                return;
            }
        };
        let Value::Object(envelope) = value else {
            let error = RequestError::InvalidEnvelope("expected a JSON object".to_string());
            self.outgoing.send_error(None, error.into());
            return;
        };
        if !envelope.contains_key("method")
            && (envelope.contains_key("result") || envelope.contains_key("error"))
        {
            self.process_response(envelope);
            return;
        }
        let id = match envelope.get("id").cloned() {
            None => None,
            Some(raw_id) => match serde_json::from_value::<RequestId>(raw_id) {
                Ok(id) => Some(id),
                Err(_) => {
                    let error = RequestError::InvalidEnvelope(
                        "`id` must be a string or a 64-bit integer".to_string(),
                    );
                    self.outgoing.send_error(None, error.into());
                    return;
                }
            },
        };
        match (envelope.get("method"), id) {
            (Some(Value::String(method)), Some(id)) => {
                let method = method.clone();
                self.process_request(id, method, envelope, requests_in_flight);
            }
            (Some(Value::String(method)), None) => match method.as_str() {
                "initialized" => tracing::debug!("client sent initialized"),
                other => tracing::warn!("ignoring unknown client notification {other}"),
            },
            (Some(_), id) => {
                let error = RequestError::InvalidEnvelope("`method` must be a string".to_string());
                self.outgoing.send_error(id, error.into());
            }
            (None, id) => {
                let error = RequestError::InvalidEnvelope(
                    "not a request, notification or response".to_string(),
                );
                self.outgoing.send_error(id, error.into());
            }
        }
    }

    /// A response to one of our server requests. It is never answered, even when it is malformed or matches
    /// nothing: an answer under its id could be taken by the client for the answer to its own request. A
    /// malformed one still ends the server request it names, as a failed answer, so nothing waits for it.
    fn process_response(&self, mut envelope: Map<String, Value>) {
        let Some(Ok(id)) = envelope
            .remove("id")
            .map(serde_json::from_value::<RequestId>)
        else {
            tracing::warn!("ignoring a response without a usable id");
            return;
        };
        let answer = match (envelope.remove("result"), envelope.remove("error")) {
            (Some(result), None) => Ok(result),
            (None, Some(error)) => Err(serde_json::from_value::<JSONRPCErrorError>(error)
                .unwrap_or_else(|error| malformed_response(&id, &format!("bad `error`: {error}")))),
            (Some(_), Some(_)) | (None, None) => Err(malformed_response(
                &id,
                "it needs exactly one of `result` and `error`",
            )),
        };
        self.outgoing.resolve(id, answer);
    }

    fn process_request(
        &mut self,
        id: RequestId,
        method: String,
        envelope: Map<String, Value>,
        requests_in_flight: &mut JoinSet<()>,
    ) {
        // Params are never logged: some carry secrets (API keys, tokens).
        tracing::debug!("request {id}: {method}");
        if !ClientRequest::METHODS.contains(&method.as_str()) {
            self.outgoing
                .send_error(Some(id), RequestError::MethodNotFound { method }.into());
            return;
        }
        let capabilities = match (&self.capabilities, method.as_str()) {
            (None, "initialize") => None,
            (None, _) => {
                self.outgoing
                    .send_error(Some(id), RequestError::NotInitialized.into());
                return;
            }
            (Some(capabilities), _) => Some(Arc::clone(capabilities)),
        };
        let request = match serde_json::from_value::<ClientRequest>(Value::Object(envelope)) {
            Ok(request) => request,
            Err(error) => {
                self.outgoing.send_error(
                    Some(id),
                    RequestError::InvalidParams(error.to_string()).into(),
                );
                return;
            }
        };
        let Some(capabilities) = capabilities else {
            // Initialize runs inline so the next line already sees the connection's capabilities.
            let result = match request {
                ClientRequest::Initialize { params, .. } => self.initialize(params),
                other => Err(RequestError::Internal(format!(
                    "{} decoded where initialize was expected",
                    other.method()
                ))),
            };
            match result {
                Ok(result) => {
                    self.outgoing.send_response(id, result);
                    for warning in &self.state.startup_warnings {
                        self.outgoing
                            .send_notification(ServerNotification::ConfigWarning(warning.clone()));
                    }
                }
                Err(error) => self.outgoing.send_error(Some(id), error.into()),
            }
            return;
        };
        if let Some(descriptor) = request.experimental_reason()
            && !capabilities.experimental_api
        {
            self.outgoing.send_error(
                Some(id),
                RequestError::ExperimentalApiRequired { descriptor }.into(),
            );
            return;
        }
        let context = RequestContext {
            state: Arc::clone(&self.state),
            outgoing: self.outgoing.clone(),
            capabilities,
            engine: Arc::clone(&self.engine),
            connection_id: self.connection_id,
        };
        let outgoing = self.outgoing.clone();
        requests_in_flight.spawn(answer_request(
            outgoing,
            id,
            method,
            route(context, request),
        ));
    }

    fn initialize(&mut self, params: InitializeParams) -> Result<Value, RequestError> {
        let client_info = params.client_info;
        if !user_agent::is_valid_header_value(&client_info.name) {
            return Err(RequestError::InvalidClientName {
                name: client_info.name,
            });
        }
        let requested = params.capabilities.unwrap_or_default();
        let opt_out_notification_methods: HashSet<String> = requested
            .opt_out_notification_methods
            .unwrap_or_default()
            .into_iter()
            .collect();
        self.outgoing
            .set_opted_out_notifications(opt_out_notification_methods.clone());
        let response = InitializeResponse {
            user_agent: user_agent::user_agent(&client_info),
            codex_home: self.engine.threads.codex_home().display().to_string(),
            platform_family: std::env::consts::FAMILY.to_string(),
            platform_os: std::env::consts::OS.to_string(),
        };
        // The host's name is the `originator` of every model request, as upstream.
        self.engine
            .threads
            .set_client_identity(codex_core::client::identity::ClientIdentity {
                originator: client_info.name.clone(),
                user_agent: response.user_agent.clone(),
            });
        self.engine.connections.join(
            self.connection_id,
            self.outgoing.clone(),
            self.overflow,
            self.closer.clone(),
        );
        self.capabilities = Some(Arc::new(ConnectionCapabilities {
            client_info,
            experimental_api: requested.experimental_api,
            opt_out_notification_methods,
        }));
        serde_json::to_value(response).map_err(|error| RequestError::Internal(error.to_string()))
    }
}

/// The failed answer a malformed response stands for, logged since the client is never told.
fn malformed_response(id: &RequestId, reason: &str) -> JSONRPCErrorError {
    tracing::warn!("malformed response to server request {id}: {reason}");
    RequestError::InvalidEnvelope(format!("malformed response: {reason}")).into()
}

/// Runs one request's handler to completion and writes its answer; a panic becomes an internal error.
async fn answer_request(
    outgoing: OutgoingMessageSender,
    id: RequestId,
    method: String,
    handler: impl Future<Output = Result<Answer, RequestError>>,
) {
    let result = AssertUnwindSafe(handler)
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|reason| reason.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "handler panicked".to_string());
            tracing::error!("handler for {method} panicked: {reason}");
            Err(RequestError::Internal(format!(
                "handler for {method} panicked"
            )))
        });
    match result {
        Ok(Answer {
            result,
            then_notify,
            then_release,
        }) => {
            outgoing.send_response(id, result);
            for notification in then_notify {
                outgoing.send_notification(notification);
            }
            // Only now may the turn run: its notifications must follow the response.
            drop(then_release);
        }
        Err(error) => outgoing.send_error(Some(id), error.into()),
    }
}

/// One arm per method, so a new method cannot be forgotten here.
async fn route(context: RequestContext, request: ClientRequest) -> Result<Answer, RequestError> {
    match request {
        ClientRequest::Initialize { .. } => Err(RequestError::AlreadyInitialized),
        ClientRequest::ThreadStart { params, .. } => handlers::thread::start(context, params).await,
        ClientRequest::ThreadResume { params, .. } => {
            handlers::thread::resume(context, params).await
        }
        ClientRequest::ThreadFork { params, .. } => handlers::thread::fork(context, params).await,
        ClientRequest::ThreadList { params, .. } => handlers::thread::list(context, params).await,
        ClientRequest::ThreadRead { params, .. } => handlers::thread::read(context, params).await,
        ClientRequest::ThreadArchive { params, .. } => {
            handlers::thread::archive(context, params).await
        }
        ClientRequest::ThreadUnarchive { params, .. } => {
            handlers::thread::unarchive(context, params).await
        }
        ClientRequest::ThreadSetName { params, .. } => {
            handlers::thread::set_name(context, params).await
        }
        ClientRequest::ThreadLoadedList { params, .. } => {
            handlers::thread::loaded_list(context, params).await
        }
        ClientRequest::ThreadUnsubscribe { params, .. } => {
            handlers::thread::unsubscribe(context, params).await
        }
        ClientRequest::ThreadInjectItems { params, .. } => {
            handlers::thread_history::inject_items(context, params).await
        }
        ClientRequest::ThreadTurnsList { params, .. } => {
            handlers::thread_history::turns_list(context, params).await
        }
        ClientRequest::ThreadItemsList { params, .. } => {
            handlers::thread_history::items_list(context, params).await
        }
        ClientRequest::ThreadDelete { params, .. } => {
            handlers::thread_admin::delete(context, params).await
        }
        ClientRequest::ThreadMetadataUpdate { params, .. } => {
            handlers::thread_admin::metadata_update(context, params).await
        }
        ClientRequest::ThreadShellCommand { params, .. } => {
            handlers::thread_admin::shell_command(context, params).await
        }
        ClientRequest::TurnStart { params, .. } => handlers::turn::start(context, params).await,
        ClientRequest::TurnInterrupt { params, .. } => {
            handlers::turn::interrupt(context, params).await
        }
        ClientRequest::TurnSteer { params, .. } => handlers::turn::steer(context, params).await,
        ClientRequest::ModelList { params, .. } => handlers::model::list(context, params)
            .await
            .map(Answer::from),
        ClientRequest::LoginAccount { params, .. } => {
            handlers::account::login_start(context, params).await
        }
        ClientRequest::CancelLoginAccount { params, .. } => {
            handlers::account::login_cancel(context, params)
                .await
                .map(Answer::from)
        }
        ClientRequest::LogoutAccount { .. } => {
            handlers::account::logout(context).await.map(Answer::from)
        }
        ClientRequest::GetAccount { params, .. } => handlers::account::read(context, params)
            .await
            .map(Answer::from),
        ClientRequest::GetAccountRateLimits { .. } => handlers::account::read_rate_limits(context)
            .await
            .map(Answer::from),
        ClientRequest::ConfigRead { params, .. } => handlers::config::read(context, params)
            .await
            .map(Answer::from),
        ClientRequest::ConfigValueWrite { params, .. } => {
            handlers::config::write_value(context, params)
                .await
                .map(Answer::from)
        }
        ClientRequest::ConfigBatchWrite { params, .. } => {
            handlers::config::batch_write(context, params)
                .await
                .map(Answer::from)
        }
        ClientRequest::CommandExec { params, .. } => handlers::command::exec(context, params)
            .await
            .map(Answer::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// State whose `CODEX_HOME` is a fresh temporary directory, so tests never touch `~/.codex`. The
    /// directory is removed when the returned `TempDir` drops: keep it as long as the state is used.
    fn test_state() -> (tempfile::TempDir, Arc<ServerState>) {
        let codex_home = tempfile::tempdir().expect("temp CODEX_HOME");
        let state = Arc::new(ServerState {
            codex_home: Some(codex_home.path().to_path_buf()),
            ..ServerState::default()
        });
        (codex_home, state)
    }
    use crate::connection::MemoryClient;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    /// A connection served in the background, and its `CODEX_HOME` (see [`test_state`]).
    fn start() -> (tempfile::TempDir, MemoryClient) {
        let (codex_home, state) = test_state();
        let (connection, client) = Connection::memory();
        tokio::spawn(serve(connection, state));
        (codex_home, client)
    }

    async fn next(client: &mut MemoryClient) -> Value {
        tokio::time::timeout(std::time::Duration::from_secs(5), client.recv_json())
            .await
            .expect("server answered in time")
            .expect("server still running")
    }

    fn initialize(id: Value, capabilities: Value) -> Value {
        json!({"id": id, "method": "initialize", "params": {
            "clientInfo": {"name": "codex_test", "version": "9.9.9"},
            "capabilities": capabilities,
        }})
    }

    #[tokio::test]
    async fn handshake_order_is_enforced() {
        let (codex_home, mut client) = start();
        client.send_json(&json!({"id": 1, "method": "model/list", "params": {}}));
        assert_eq!(
            next(&mut client).await,
            json!({"id": 1, "error": {"code": -32600, "message": "Not initialized"}})
        );
        client.send_json(&initialize(json!("a"), Value::Null));
        let response = next(&mut client).await;
        let user_agent = response["result"]["userAgent"].clone();
        assert_eq!(
            response,
            json!({"id": "a", "result": {"userAgent": user_agent,
                "codexHome": codex_home.path().display().to_string(),
                "platformFamily": std::env::consts::FAMILY, "platformOs": std::env::consts::OS}})
        );
        client.send_json(&json!({"method": "initialized"}));
        client.send_json(&initialize(json!(2), Value::Null));
        assert_eq!(
            next(&mut client).await,
            json!({"id": 2, "error": {"code": -32600, "message": "Already initialized"}})
        );
    }

    #[tokio::test]
    async fn unreadable_frames_get_null_id_errors_and_serving_continues() {
        let (_codex_home, mut client) = start();
        client
            .to_server
            .try_send(IncomingFrame::TooLarge { limit: 16777216 })
            .expect("send");
        assert_eq!(
            next(&mut client).await,
            json!({"id": null, "error": {"code": -32600, "message": "message too large: a line may carry at most 16777216 bytes"}})
        );
        client.send_line(b"\xff");
        assert_eq!(next(&mut client).await["error"]["code"], json!(-32700));
        client.send_line(b"");
        client.send_line(b"42");
        assert_eq!(
            next(&mut client).await,
            json!({"id": null, "error": {"code": -32600, "message": "Invalid request: expected a JSON object"}})
        );
        client.send_json(&json!({"id": 3, "method": "nope/nope", "params": {}}));
        assert_eq!(
            next(&mut client).await,
            json!({"id": 3, "error": {"code": -32601, "message": "Method not found: nope/nope"}})
        );
        client.send_json(&initialize(json!(4), Value::Null));
        assert_eq!(next(&mut client).await["id"], json!(4));
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_internal_error() {
        let (outgoing, mut written) = tokio::sync::mpsc::unbounded_channel();
        let outgoing = OutgoingMessageSender::new(outgoing);
        answer_request(outgoing, RequestId::Integer(8), "x/y".to_string(), async {
            panic!("boom")
        })
        .await;
        let message = serde_json::to_value(written.recv().await.expect("answer")).expect("json");
        assert_eq!(
            message,
            json!({"id": 8, "error": {"code": -32603, "message": "Internal error: handler for x/y panicked"}})
        );
    }

    #[tokio::test]
    async fn experimental_fields_are_gated_per_connection() {
        let request = json!({"id": 5, "method": "thread/start", "params": {"dynamicTools": []}});
        let (_plain_home, mut plain) = start();
        plain.send_json(&initialize(json!(0), Value::Null));
        next(&mut plain).await;
        plain.send_json(&request);
        assert_eq!(
            next(&mut plain).await,
            json!({"id": 5, "error": {
                "code": -32600,
                "message": "thread/start.dynamicTools requires experimentalApi capability",
            }})
        );
        let (_opted_in_home, mut opted_in) = start();
        opted_in.send_json(&initialize(json!(0), json!({"experimentalApi": true})));
        next(&mut opted_in).await;
        opted_in.send_json(&request);
        // A started thread announces its status before the answer.
        let mut answer = next(&mut opted_in).await;
        while answer.get("id").is_none() {
            answer = next(&mut opted_in).await;
        }
        assert_eq!(answer["id"], json!(5));
        assert!(
            answer["error"]["message"]
                != json!("thread/start.dynamicTools requires experimentalApi capability"),
            "{answer}"
        );
    }

    #[tokio::test]
    async fn client_answers_reach_the_waiting_server_request() {
        let (sender, mut written) = tokio::sync::mpsc::unbounded_channel();
        let outgoing = OutgoingMessageSender::new(sender);
        let (_codex_home, state) = test_state();
        let mut processor = MessageProcessor {
            state: Arc::clone(&state),
            outgoing: outgoing.clone(),
            capabilities: None,
            engine: Engine::start(&state),
            connection_id: 0,
            overflow: Overflow::Wait,
            closer: CancellationToken::new(),
        };
        let waiting = tokio::spawn({
            let outgoing = outgoing.clone();
            async move {
                outgoing
                    .send_request(
                        codex_app_server_protocol::ServerRequestPayload::ChatgptAuthTokensRefresh(
                            codex_app_server_protocol::ChatgptAuthTokensRefreshParams {
                                reason: codex_app_server_protocol::ChatgptAuthTokensRefreshReason::Unauthorized,
                                previous_account_id: None,
                            },
                        ),
                        std::time::Duration::from_secs(5),
                    )
                    .await
            }
        });
        let request = serde_json::to_value(written.recv().await.expect("request")).expect("json");
        let line = json!({"id": request["id"], "result": {"ok": true}}).to_string();
        processor.process_frame(IncomingFrame::Line(line.into_bytes()), &mut JoinSet::new());
        assert_eq!(waiting.await.expect("joined"), Ok(json!({"ok": true})));
    }

    #[tokio::test]
    async fn requests_read_before_eof_are_still_answered() {
        let (
            _codex_home,
            MemoryClient {
                to_server,
                mut from_server,
            },
        ) = start();
        for line in [
            initialize(json!(0), Value::Null),
            initialize(json!(1), Value::Null),
        ] {
            to_server
                .try_send(IncomingFrame::Line(line.to_string().into_bytes()))
                .expect("send");
        }
        drop(to_server);
        let mut answered = Vec::new();
        while let Some(message) = from_server.recv().await {
            answered.push(serde_json::to_value(message).expect("json")["id"].clone());
        }
        assert_eq!(answered, vec![json!(0), json!(1)]);
    }

    #[tokio::test]
    async fn closing_the_connection_ends_serve() {
        let (connection, client) = Connection::memory();
        let (_codex_home, state) = test_state();
        let served = tokio::spawn(serve(connection, state));
        drop(client);
        tokio::time::timeout(std::time::Duration::from_secs(1), served)
            .await
            .expect("serve returned")
            .expect("no panic");
    }
}
