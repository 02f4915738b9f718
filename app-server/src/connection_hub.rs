//! The connections one daemon serves over its one engine, and the threads each follows. Every engine event
//! goes to the connections subscribed to its thread (an approval to one of them), each through its own
//! bounded queue and forwarder task, so a connection that reads slowly never holds up another.
//!
//! A connection joins at `initialize`; `thread/start`, `thread/resume` and `thread/fork` subscribe it to
//! the thread; `thread/unsubscribe` and closing the connection unsubscribe it. A thread is unloaded only
//! when its last subscriber leaves; the one that left by `thread/unsubscribe` still hears the thread close.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;

use codex_app_server_protocol::ServerNotification;
use codex_app_server_protocol::ServerRequestPayload;
use codex_core::protocol::event::EventMsg;
use codex_core::protocol::event::ThreadEvent;
use codex_core::protocol::event::ThreadStatus;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::approval_requests::ask_command_approval;
use crate::approval_requests::ask_patch_approval;
use crate::dynamic_tool_requests::ask_dynamic_tool;
use crate::event_translation::notification;
use crate::mcp_elicitation_requests::ask_mcp_elicitation;
use crate::outgoing::OutgoingMessageSender;
use crate::outgoing::PendingServerRequest;
use crate::user_input_requests::ask_user_input;

/// Routed items waiting for one connection's forwarder at most (its writer holds up to 1,024 more).
pub const CONNECTION_EVENT_QUEUE_CAPACITY: usize = 1024;

/// Identifies one connection for the daemon's lifetime.
pub type ConnectionId = u64;

/// What happens when a connection's queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Wait for room: the only host (stdio) paces the engine, as a slow pipe does.
    Wait,
    /// Close the connection: it stopped reading, and the others must not wait for it.
    Disconnect,
}

/// One item for a connection's forwarder.
enum Routed {
    Notification(ServerNotification),
    /// An approval request, a host tool call or a question for the user; goes to exactly one subscriber.
    Approval(ThreadEvent),
}

struct Member {
    outgoing: OutgoingMessageSender,
    queue: mpsc::Sender<Routed>,
    overflow: Overflow,
    /// Cancelled to close the connection (queue overflow, daemon shutdown).
    closer: CancellationToken,
}

#[derive(Default)]
struct HubState {
    members: BTreeMap<ConnectionId, Member>,
    subscribers: HashMap<String, BTreeSet<ConnectionId>>,
    /// Connections whose `thread/unsubscribe` left a thread without subscribers: they hear it close.
    departing: HashMap<String, BTreeSet<ConnectionId>>,
}

/// What a connection's `thread/unsubscribe` changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsubscribed {
    /// The connection did not follow the thread.
    NotSubscribed,
    /// Others still follow it: it stays loaded.
    OthersRemain,
    /// It was the last subscriber: the thread is to be unloaded.
    Last,
}

#[derive(Default)]
pub struct ConnectionHub {
    state: Mutex<HubState>,
    next_id: AtomicU64,
}

impl ConnectionHub {
    pub fn next_connection_id(&self) -> ConnectionId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Adds an initialized connection and starts its forwarder.
    pub fn join(
        &self,
        id: ConnectionId,
        outgoing: OutgoingMessageSender,
        overflow: Overflow,
        closer: CancellationToken,
    ) {
        let (queue, routed) = mpsc::channel(CONNECTION_EVENT_QUEUE_CAPACITY);
        tokio::spawn(forward_routed(routed, outgoing.clone()));
        let member = Member {
            outgoing,
            queue,
            overflow,
            closer,
        };
        self.lock().members.insert(id, member);
    }

    /// Removes a connection; returns the threads it was the last subscriber of.
    pub fn leave(&self, id: ConnectionId) -> Vec<String> {
        let mut state = self.lock();
        state.members.remove(&id);
        for departing in state.departing.values_mut() {
            departing.remove(&id);
        }
        let mut orphaned = Vec::new();
        state.subscribers.retain(|thread_id, subscribers| {
            if subscribers.remove(&id) && subscribers.is_empty() {
                orphaned.push(thread_id.clone());
            }
            !subscribers.is_empty()
        });
        orphaned
    }

    pub fn subscribe(&self, id: ConnectionId, thread_id: &str) {
        let mut state = self.lock();
        state.departing.remove(thread_id);
        state
            .subscribers
            .entry(thread_id.to_string())
            .or_default()
            .insert(id);
    }

    pub fn unsubscribe(&self, id: ConnectionId, thread_id: &str) -> Unsubscribed {
        let mut state = self.lock();
        let Some(subscribers) = state.subscribers.get_mut(thread_id) else {
            return Unsubscribed::NotSubscribed;
        };
        if !subscribers.remove(&id) {
            return Unsubscribed::NotSubscribed;
        }
        if !subscribers.is_empty() {
            return Unsubscribed::OthersRemain;
        }
        state.subscribers.remove(thread_id);
        state
            .departing
            .entry(thread_id.to_string())
            .or_default()
            .insert(id);
        Unsubscribed::Last
    }

    /// Asks a host something no thread owns (a token refresh): writes the request to the oldest connection.
    /// `None` when no connection has joined.
    pub fn request_oldest(&self, payload: ServerRequestPayload) -> Option<PendingServerRequest> {
        let outgoing = {
            let state = self.lock();
            state.members.values().next()?.outgoing.clone()
        };
        Some(outgoing.request(payload))
    }

    /// Every connection hears `notification` (account changes).
    pub async fn broadcast(&self, notification: ServerNotification) {
        let targets = self.targets(|state| state.members.keys().copied().collect());
        for (id, target) in targets {
            self.deliver(id, target, Routed::Notification(notification.clone()))
                .await;
        }
    }

    /// A deleted thread: the connections following it, other than `asking` (which is answered on its own),
    /// hear `notifications` in order, and nobody follows the thread any more.
    pub async fn thread_deleted(
        &self,
        thread_id: &str,
        asking: ConnectionId,
        notifications: Vec<ServerNotification>,
    ) {
        let targets = self.targets(|state| {
            state
                .subscribers
                .get(thread_id)
                .into_iter()
                .flatten()
                .copied()
                .filter(|id| *id != asking)
                .collect()
        });
        {
            let mut state = self.lock();
            state.subscribers.remove(thread_id);
            state.departing.remove(thread_id);
        }
        for (id, target) in targets {
            for notification in &notifications {
                self.deliver(
                    id,
                    target.clone(),
                    Routed::Notification(notification.clone()),
                )
                .await;
            }
        }
    }

    /// Sends a thread's event to the connections following the thread.
    pub async fn route(&self, event: ThreadEvent) {
        let thread_id = event.thread_id.clone();
        let closing = matches!(
            event.msg,
            EventMsg::Closed | EventMsg::StatusChanged(ThreadStatus::NotLoaded)
        );
        let is_approval = matches!(
            event.msg,
            EventMsg::CommandApprovalRequested(_)
                | EventMsg::PatchApprovalRequested(_)
                | EventMsg::DynamicToolCallRequested(_)
                | EventMsg::UserInputRequested(_)
                | EventMsg::McpElicitationRequested(_)
        );
        let mut targets = self.targets(|state| {
            let mut ids: BTreeSet<ConnectionId> = state
                .subscribers
                .get(&thread_id)
                .cloned()
                .unwrap_or_default();
            if closing {
                ids.extend(state.departing.get(&thread_id).into_iter().flatten());
            }
            ids.into_iter().collect()
        });
        if matches!(event.msg, EventMsg::Closed) {
            self.lock().departing.remove(&thread_id);
        }
        if is_approval {
            // The oldest subscriber answers; dropping the event (no subscriber) declines the approval (a host
            // tool call reads it as cancelled).
            if let Some((id, target)) = targets.drain(..).next() {
                self.deliver(id, target, Routed::Approval(event)).await;
            }
            return;
        }
        let Some(notification) = notification(event) else {
            return;
        };
        for (id, target) in targets {
            self.deliver(id, target, Routed::Notification(notification.clone()))
                .await;
        }
    }

    /// The queues of the connections `select` names, taken under the lock and used outside it.
    fn targets(
        &self,
        select: impl FnOnce(&HubState) -> Vec<ConnectionId>,
    ) -> Vec<(ConnectionId, Target)> {
        let state = self.lock();
        select(&state)
            .into_iter()
            .filter_map(|id| {
                let member = state.members.get(&id)?;
                Some((
                    id,
                    Target {
                        queue: member.queue.clone(),
                        overflow: member.overflow,
                        closer: member.closer.clone(),
                    },
                ))
            })
            .collect()
    }

    async fn deliver(&self, id: ConnectionId, target: Target, item: Routed) {
        match target.overflow {
            Overflow::Wait => {
                // A closed queue means the connection is leaving; its events no longer matter.
                let _ = target.queue.send(item).await;
            }
            Overflow::Disconnect => match target.queue.try_send(item) {
                Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
                Err(mpsc::error::TrySendError::Full(_)) if !target.closer.is_cancelled() => {
                    tracing::warn!(
                        "connection {id} is not reading its messages ({CONNECTION_EVENT_QUEUE_CAPACITY} events behind); closing it"
                    );
                    target.closer.cancel();
                }
                // Already closing: the event is dropped with the connection.
                Err(mpsc::error::TrySendError::Full(_)) => {}
            },
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HubState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Clone)]
struct Target {
    queue: mpsc::Sender<Routed>,
    overflow: Overflow,
    closer: CancellationToken,
}

/// One connection's forwarder: writes its routed items in order, waiting for room in its outgoing queue.
async fn forward_routed(mut routed: mpsc::Receiver<Routed>, outgoing: OutgoingMessageSender) {
    while let Some(item) = routed.recv().await {
        match item {
            Routed::Notification(notification) => outgoing.send_notification(notification).await,
            Routed::Approval(ThreadEvent { thread_id, msg }) => match msg {
                EventMsg::CommandApprovalRequested(request) => {
                    ask_command_approval(&outgoing, thread_id, request);
                }
                EventMsg::PatchApprovalRequested(request) => {
                    ask_patch_approval(&outgoing, thread_id, request);
                }
                EventMsg::DynamicToolCallRequested(request) => {
                    ask_dynamic_tool(&outgoing, thread_id, request);
                }
                EventMsg::UserInputRequested(request) => {
                    ask_user_input(&outgoing, thread_id, request);
                }
                EventMsg::McpElicitationRequested(request) => {
                    ask_mcp_elicitation(&outgoing, thread_id, request);
                }
                other => tracing::error!("not an approval routed as one: {other:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn member(hub: &ConnectionHub) -> (ConnectionId, crate::outgoing_queue::OutgoingMessages) {
        let id = hub.next_connection_id();
        let (queue, receiver) = crate::outgoing_queue::outgoing_queue();
        hub.join(
            id,
            OutgoingMessageSender::new(queue),
            Overflow::Wait,
            CancellationToken::new(),
        );
        (id, receiver)
    }

    #[test]
    fn a_thread_is_orphaned_only_by_its_last_subscriber() {
        let hub = ConnectionHub::default();
        hub.subscribe(1, "t");
        hub.subscribe(2, "t");
        assert_eq!(
            (
                hub.unsubscribe(3, "t"),
                hub.unsubscribe(1, "t"),
                hub.unsubscribe(1, "t"),
                hub.leave(2),
            ),
            (
                Unsubscribed::NotSubscribed,
                Unsubscribed::OthersRemain,
                Unsubscribed::NotSubscribed,
                vec!["t".to_string()],
            )
        );
        hub.subscribe(1, "u");
        assert_eq!(hub.unsubscribe(1, "u"), Unsubscribed::Last);
    }

    #[tokio::test]
    async fn events_reach_only_the_threads_subscribers_and_closing_reaches_the_departed() {
        let hub = ConnectionHub::default();
        let (first, mut first_rx) = member(&hub);
        let (second, mut second_rx) = member(&hub);
        hub.subscribe(first, "a");
        hub.subscribe(second, "b");
        let event = |thread_id: &str, msg: EventMsg| ThreadEvent {
            thread_id: thread_id.to_string(),
            msg,
        };
        hub.route(event("a", EventMsg::NameUpdated(Some("x".to_string()))))
            .await;
        assert_eq!(hub.unsubscribe(second, "b"), Unsubscribed::Last);
        hub.route(event("b", EventMsg::Closed)).await;
        hub.route(event("b", EventMsg::Closed)).await;
        let method = |queued: crate::outgoing_queue::QueuedMessage| match queued.into_message() {
            codex_app_server_protocol::JSONRPCMessage::Notification(notification) => {
                notification.method
            }
            other => panic!("not a notification: {other:?}"),
        };
        assert_eq!(
            method(first_rx.recv().await.expect("first")),
            "thread/name/updated"
        );
        assert_eq!(
            method(second_rx.recv().await.expect("second")),
            "thread/closed"
        );
        drop(hub);
        assert!(first_rx.recv().await.is_none());
        assert!(second_rx.recv().await.is_none());
    }
}
