//! A handler's successful answer, typed by its method's response, and the one order it is written in:
//! the notifications upstream sends just before the response, the response, the notifications that follow
//! it, then what must wait for it (a turn released, a follow-up task started with a [`NotificationSink`]).
//! A sink exists only once its response is queued, so a handler cannot put a notification ahead of its
//! response other than the ones it declares with [`Answer::preceded_by`].

use std::future::Future;

use codex_app_server_protocol::RequestId;
use codex_app_server_protocol::ServerNotification;
use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::Value;

use crate::error::RequestError;
use crate::outgoing::OutgoingMessageSender;
use crate::outgoing_queue::RequestSlot;

type FollowUp = Box<dyn FnOnce(NotificationSink) -> BoxFuture<'static, ()> + Send>;

/// What a handler answers `M` with: `Answer<M::Response>`.
pub struct Answer<R> {
    response: R,
    preceded_by: Vec<ServerNotification>,
    then_notify: Vec<ServerNotification>,
    then_release: Option<Box<dyn Send>>,
    then_spawn: Option<FollowUp>,
}

/// The way a follow-up task (a sign-in finishing later) writes notifications to the connection whose
/// request it follows. Only [`Answer`] makes one, after queuing the response.
pub struct NotificationSink {
    outgoing: OutgoingMessageSender,
}

impl NotificationSink {
    /// Queues `notification` once the connection's queue has room for it.
    pub async fn notify(&self, notification: ServerNotification) {
        self.outgoing.send_notification(notification).await;
    }
}

/// The way a request still running writes the notifications upstream sends before its response (a streamed
/// `command/exec`'s output deltas); the message processor makes one for each request it routes. What it
/// writes is queued before the response, which is only written once the handler returns.
#[derive(Clone)]
pub struct StreamSink {
    outgoing: OutgoingMessageSender,
}

impl StreamSink {
    pub(crate) fn new(outgoing: OutgoingMessageSender) -> Self {
        StreamSink { outgoing }
    }

    /// Queues `notification` once the connection's queue has room for it.
    pub async fn notify(&self, notification: ServerNotification) {
        self.outgoing.send_notification(notification).await;
    }
}

impl<R> From<R> for Answer<R> {
    fn from(response: R) -> Self {
        Answer::new(response)
    }
}

impl<R> Answer<R> {
    pub fn new(response: R) -> Self {
        Answer {
            response,
            preceded_by: Vec::new(),
            then_notify: Vec::new(),
            then_release: None,
            then_spawn: None,
        }
    }

    pub fn response(&self) -> &R {
        &self.response
    }

    /// A notification written just before the response, where upstream sends one there (a new thread's
    /// idle status, a deleted thread's `notLoaded`).
    pub fn preceded_by(mut self, notification: ServerNotification) -> Self {
        self.preceded_by.push(notification);
        self
    }

    /// Notifications written right after the response, in order.
    pub fn then_notify(
        mut self,
        notifications: impl IntoIterator<Item = ServerNotification>,
    ) -> Self {
        self.then_notify.extend(notifications);
        self
    }

    /// Work whose events must follow the response (a `PendingTurn`, a `PendingUnload`), released by dropping
    /// `guard` once the response and its notifications are queued.
    pub fn then_release(mut self, guard: impl Send + 'static) -> Self {
        self.then_release = Some(Box::new(guard));
        self
    }

    /// A task started after everything else is queued, with the only sink a handler gets for this connection.
    pub fn then_spawn<F, Fut>(mut self, follow_up: F) -> Self
    where
        F: FnOnce(NotificationSink) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.then_spawn = Some(Box::new(move |sink| Box::pin(follow_up(sink))));
        self
    }

    /// The answer with its response as the JSON `result`: where every typed response is serialized.
    pub fn into_json(self) -> Result<Answer<Value>, RequestError>
    where
        R: Serialize,
    {
        let response = serde_json::to_value(self.response)
            .map_err(|error| RequestError::Internal(error.to_string()))?;
        Ok(Answer {
            response,
            preceded_by: self.preceded_by,
            then_notify: self.then_notify,
            then_release: self.then_release,
            then_spawn: self.then_spawn,
        })
    }
}

impl Answer<Value> {
    /// Writes the answer to request `id` in its one order; the follow-up task starts last.
    pub(crate) async fn write(
        self,
        outgoing: &OutgoingMessageSender,
        slot: RequestSlot,
        id: RequestId,
    ) {
        for notification in self.preceded_by {
            outgoing.send_notification(notification).await;
        }
        outgoing.send_response(slot, id, self.response);
        for notification in self.then_notify {
            outgoing.send_notification(notification).await;
        }
        drop(self.then_release);
        if let Some(follow_up) = self.then_spawn {
            let sink = NotificationSink {
                outgoing: outgoing.clone(),
            };
            tokio::spawn(follow_up(sink));
        }
    }
}
