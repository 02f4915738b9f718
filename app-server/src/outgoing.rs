//! Everything the server writes goes through here: responses, errors, notifications (filtered by the
//! connection's opt-outs) and server->client requests, whose answers are routed back to their waiters by id.
//! Back-pressure is the [`OutgoingQueue`]'s: a notification waits for room, an answer goes out in the
//! [`RequestSlot`] its request was read in, a server request never waits.

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::AtomicI64;
use std::sync::atomic::Ordering;
use std::time::Duration;

use codex_app_server_protocol::JSONRPCError;
use codex_app_server_protocol::JSONRPCErrorError;
use codex_app_server_protocol::JSONRPCMessage;
use codex_app_server_protocol::JSONRPCNotification;
use codex_app_server_protocol::JSONRPCRequest;
use codex_app_server_protocol::JSONRPCResponse;
use codex_app_server_protocol::RequestId;
use codex_app_server_protocol::ServerNotification;
use codex_app_server_protocol::ServerRequestPayload;
use tokio::sync::oneshot;

use crate::outgoing_queue::OutgoingQueue;
use crate::outgoing_queue::RequestSlot;

/// Server-issued request ids are integers from one process-wide counter starting at 0.
static NEXT_SERVER_REQUEST_ID: AtomicI64 = AtomicI64::new(0);

pub type ClientAnswer = Result<serde_json::Value, JSONRPCErrorError>;

/// Why a server->client request produced no result.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ServerRequestError {
    #[error("client answered {method} with error {}: {}", error.code, error.message)]
    ClientError {
        method: &'static str,
        error: JSONRPCErrorError,
    },
    #[error("client did not answer {method} within {timeout:?}")]
    TimedOut {
        method: &'static str,
        timeout: Duration,
    },
    #[error("connection closed before the client answered {method}")]
    ConnectionClosed { method: &'static str },
}

/// A server request written to the client and not answered yet.
pub struct PendingServerRequest {
    outgoing: OutgoingMessageSender,
    method: &'static str,
    id: RequestId,
    answer: oneshot::Receiver<ClientAnswer>,
}

impl PendingServerRequest {
    /// The client's result; its error answer or a closed connection is an error.
    pub async fn answer(mut self) -> Result<serde_json::Value, ServerRequestError> {
        let method = self.method;
        match (&mut self.answer).await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(error)) => Err(ServerRequestError::ClientError { method, error }),
            Err(_) => Err(ServerRequestError::ConnectionClosed { method }),
        }
    }
}

impl Drop for PendingServerRequest {
    fn drop(&mut self) {
        // Answered requests are already gone from the map; this only forgets abandoned ones.
        self.outgoing.forget_request(&self.id);
    }
}

/// A cheap, cloneable handle on the connection's single writer queue.
#[derive(Clone)]
pub struct OutgoingMessageSender {
    queue: OutgoingQueue,
    pending_requests: Arc<Mutex<HashMap<RequestId, oneshot::Sender<ClientAnswer>>>>,
    opted_out_notifications: Arc<OnceLock<HashSet<String>>>,
}

impl OutgoingMessageSender {
    pub fn new(queue: OutgoingQueue) -> Self {
        Self {
            queue,
            pending_requests: Arc::new(Mutex::new(HashMap::new())),
            opted_out_notifications: Arc::new(OnceLock::new()),
        }
    }

    /// Fixes, once per connection, the notification methods never to write.
    pub fn set_opted_out_notifications(&self, methods: HashSet<String>) {
        if self.opted_out_notifications.set(methods).is_err() {
            tracing::warn!("notification opt-outs are fixed at initialize; ignoring a second set");
        }
    }

    /// Waits for room for one more request's answer; take it before reading the request.
    pub async fn request_slot(&self) -> RequestSlot {
        self.queue.request_slot().await
    }

    pub fn send_response(&self, slot: RequestSlot, id: RequestId, result: serde_json::Value) {
        let response = JSONRPCMessage::Response(JSONRPCResponse { id, result });
        self.queue.push_answer(slot, response);
    }

    pub fn send_error(&self, slot: RequestSlot, id: Option<RequestId>, error: JSONRPCErrorError) {
        let error = JSONRPCMessage::Error(JSONRPCError { id, error });
        self.queue.push_answer(slot, error);
    }

    /// Queues `notification` once the queue has room for it, unless the client opted out of its method.
    pub async fn send_notification(&self, notification: ServerNotification) {
        let method = notification.method();
        if self
            .opted_out_notifications
            .get()
            .is_some_and(|opted_out| opted_out.contains(method))
        {
            tracing::trace!("dropping opted-out notification {method}");
            return;
        }
        let message = JSONRPCMessage::Notification(JSONRPCNotification::from(notification));
        self.queue.push_notification(message).await;
    }

    /// Sends a request to the client and waits for its answer. The waiter is removed on timeout, so a late
    /// answer is logged as unknown.
    pub async fn send_request(
        &self,
        payload: ServerRequestPayload,
        timeout: Duration,
    ) -> Result<serde_json::Value, ServerRequestError> {
        let method = payload.method();
        tokio::time::timeout(timeout, self.request(payload).answer())
            .await
            .unwrap_or(Err(ServerRequestError::TimedOut { method, timeout }))
    }

    /// Writes a request to the client now; the caller awaits [`PendingServerRequest::answer`] under
    /// whatever deadline it keeps. Dropping it unanswered (a caller's timeout) forgets the request.
    pub fn request(&self, payload: ServerRequestPayload) -> PendingServerRequest {
        let method = payload.method();
        let (id, answer) = self.start_request(payload);
        PendingServerRequest {
            outgoing: self.clone(),
            method,
            id,
            answer,
        }
    }

    /// Writes a request to the client now (in order with everything queued before it) and returns its id
    /// and the receiver of the client's answer. Whoever stops waiting must call `forget_request`.
    pub fn start_request(
        &self,
        payload: ServerRequestPayload,
    ) -> (RequestId, oneshot::Receiver<ClientAnswer>) {
        let id = RequestId::Integer(NEXT_SERVER_REQUEST_ID.fetch_add(1, Ordering::Relaxed));
        let (answer_tx, answer_rx) = oneshot::channel();
        self.pending_requests().insert(id.clone(), answer_tx);
        self.queue
            .push_request(JSONRPCMessage::Request(JSONRPCRequest::from(
                payload.with_id(id.clone()),
            )));
        (id, answer_rx)
    }

    /// Completes once the connection's writer is gone: no answer can come any more.
    pub async fn closed(&self) {
        self.queue.closed().await;
    }

    /// Waits for the host's `answer` to request `request_id`, unless the waiting side gives up first
    /// (`gave_up`) or the connection's writer closes: then the request is forgotten and `None` returned.
    pub async fn answer_unless_withdrawn(
        &self,
        request_id: &RequestId,
        answer: oneshot::Receiver<ClientAnswer>,
        gave_up: impl std::future::Future<Output = ()>,
    ) -> Option<Result<ClientAnswer, oneshot::error::RecvError>> {
        let answer = tokio::select! {
            () = gave_up => None,
            () = self.closed() => None,
            answer = answer => Some(answer),
        };
        if answer.is_none() {
            self.forget_request(request_id);
        }
        answer
    }

    /// `serverRequest/resolved`: request `request_id` of thread `thread_id` needs no answer any more.
    pub async fn send_resolved(&self, thread_id: String, request_id: RequestId) {
        self.send_notification(ServerNotification::ServerRequestResolved(
            codex_app_server_protocol::ServerRequestResolvedNotification {
                thread_id,
                request_id,
            },
        ))
        .await;
    }

    /// Drops the waiter of a request nobody waits for any more; a late answer is then logged as unknown.
    pub fn forget_request(&self, id: &RequestId) {
        self.pending_requests().remove(id);
    }

    /// Routes a client's answer to the server request waiting for it.
    pub fn resolve(&self, id: RequestId, answer: ClientAnswer) {
        let waiter = self.pending_requests().remove(&id);
        match waiter {
            Some(waiter) => {
                if waiter.send(answer).is_err() {
                    tracing::debug!("waiter for server request {id} is gone");
                }
            }
            None => tracing::warn!("client answered unknown server request id {id}"),
        }
    }

    fn pending_requests(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<RequestId, oneshot::Sender<ClientAnswer>>> {
        // A panic while holding this lock cannot leave the map inconsistent, so poisoning is ignored.
        self.pending_requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_app_server_protocol::ChatgptAuthTokensRefreshParams;
    use codex_app_server_protocol::ChatgptAuthTokensRefreshReason;
    use codex_app_server_protocol::DeprecationNoticeNotification;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    fn refresh_request() -> ServerRequestPayload {
        ServerRequestPayload::ChatgptAuthTokensRefresh(ChatgptAuthTokensRefreshParams {
            reason: ChatgptAuthTokensRefreshReason::Unauthorized,
            previous_account_id: None,
        })
    }

    fn written_json(message: crate::outgoing_queue::QueuedMessage) -> serde_json::Value {
        serde_json::to_value(message.into_message()).expect("wire messages serialize")
    }

    fn sender() -> (
        OutgoingMessageSender,
        crate::outgoing_queue::OutgoingMessages,
    ) {
        let (queue, written) = crate::outgoing_queue::outgoing_queue();
        (OutgoingMessageSender::new(queue), written)
    }

    #[tokio::test]
    async fn server_request_gets_an_integer_id_and_its_answer_by_that_id() {
        let (outgoing, mut written) = sender();
        let waiting = tokio::spawn({
            let outgoing = outgoing.clone();
            async move {
                outgoing
                    .send_request(refresh_request(), Duration::from_secs(5))
                    .await
            }
        });
        let request = written_json(written.recv().await.expect("request written"));
        let id = request["id"].as_i64().expect("integer id");
        assert_eq!(
            request,
            json!({"id": id, "method": "account/chatgptAuthTokens/refresh", "params": {
                "reason": "unauthorized",
                "previousAccountId": null,
            }})
        );
        outgoing.resolve(RequestId::Integer(id + 1_000_000), Ok(json!({})));
        outgoing.resolve(RequestId::Integer(id), Ok(json!({"accessToken": "t"})));
        assert_eq!(
            waiting.await.expect("joined"),
            Ok(json!({"accessToken": "t"}))
        );
    }

    #[tokio::test]
    async fn client_error_and_timeout_fail_the_server_request() {
        let (outgoing, mut written) = sender();
        let error = JSONRPCErrorError {
            code: -1,
            message: "declined".to_string(),
            data: None,
        };
        let waiting = tokio::spawn({
            let outgoing = outgoing.clone();
            async move {
                outgoing
                    .send_request(refresh_request(), Duration::from_secs(5))
                    .await
            }
        });
        let id = written_json(written.recv().await.expect("request"))["id"]
            .as_i64()
            .expect("integer id");
        outgoing.resolve(RequestId::Integer(id), Err(error.clone()));
        assert_eq!(
            waiting.await.expect("joined"),
            Err(ServerRequestError::ClientError {
                method: "account/chatgptAuthTokens/refresh",
                error,
            })
        );

        let timed_out = outgoing
            .send_request(refresh_request(), Duration::from_millis(1))
            .await;
        assert_eq!(
            timed_out,
            Err(ServerRequestError::TimedOut {
                method: "account/chatgptAuthTokens/refresh",
                timeout: Duration::from_millis(1),
            })
        );
        assert_eq!(outgoing.pending_requests().len(), 0);
    }

    #[tokio::test]
    async fn opted_out_notifications_are_dropped_and_others_pass() {
        let (outgoing, mut written) = sender();
        outgoing.set_opted_out_notifications(HashSet::from(["configWarning".to_string()]));
        outgoing
            .send_notification(ServerNotification::ConfigWarning(
                codex_app_server_protocol::ConfigWarningNotification {
                    summary: "hidden".to_string(),
                    details: None,
                    path: None,
                    range: None,
                },
            ))
            .await;
        outgoing
            .send_notification(ServerNotification::DeprecationNotice(
                DeprecationNoticeNotification {
                    summary: "shown".to_string(),
                    details: None,
                },
            ))
            .await;
        outgoing.send_response(RequestSlot::unbudgeted(), RequestId::Integer(1), json!({}));
        drop(outgoing);
        let mut messages = Vec::new();
        while let Some(message) = written.recv().await {
            messages.push(written_json(message));
        }
        assert_eq!(
            messages,
            vec![
                json!({"method": "deprecationNotice", "params": {"summary": "shown", "details": null}}),
                json!({"id": 1, "result": {}}),
            ]
        );
    }
}
