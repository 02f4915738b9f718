//! `ResponseStream`: the events of one model response as a `futures::Stream`. Dropping it aborts the task
//! reading the response, which closes the connection (interrupts rely on this).

use std::pin::Pin;
use std::task::Context;
use std::task::Poll;

use futures::Stream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::client::api_error::ApiError;
use crate::client::response_event::ResponseEvent;

/// A live model response.
#[derive(Debug)]
pub struct ResponseStream {
    pub(crate) rx: mpsc::Receiver<Result<ResponseEvent, ApiError>>,
    pub(crate) reader: Option<JoinHandle<()>>,
}

impl Stream for ResponseStream {
    type Item = Result<ResponseEvent, ApiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for ResponseStream {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            reader.abort();
        }
    }
}
