//! The opaque `thread/list` cursor: the sort key of the last thread on a page. The next page holds
//! only threads that sort strictly after it, so threads created between pages (which sort first)
//! never shift later pages.

use std::cmp::Ordering;
use std::io;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A position in a newest-first listing: a timestamp (unix seconds for `created_at`, unix
/// milliseconds of the file's mtime for `updated_at`) and the thread id breaking ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListCursor {
    pub(crate) timestamp: i64,
    pub(crate) thread_id: String,
}

impl ListCursor {
    /// base64 of `"<timestamp>|<thread id>"`.
    pub(crate) fn encode(&self) -> String {
        let ListCursor {
            timestamp,
            thread_id,
        } = self;
        URL_SAFE_NO_PAD.encode(format!("{timestamp}|{thread_id}"))
    }

    pub(crate) fn decode(cursor: &str) -> io::Result<Self> {
        let invalid = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("invalid cursor: {cursor}"),
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (timestamp, thread_id) = text.split_once('|').ok_or_else(invalid)?;
        Ok(Self {
            timestamp: timestamp.parse().map_err(|_| invalid())?,
            thread_id: thread_id.to_string(),
        })
    }

    /// Newest first: a thread with a later timestamp (or, on a tie, a greater id) comes earlier.
    pub(crate) fn listing_order(&self, other: &Self) -> Ordering {
        (other.timestamp, &other.thread_id).cmp(&(self.timestamp, &self.thread_id))
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let cursor = ListCursor {
            timestamp: 1_770_286_272,
            thread_id: "0194f0c2-7a3b".to_string(),
        };
        assert_eq!(ListCursor::decode(&cursor.encode()).unwrap(), cursor);
        for garbage in [
            "",
            "!!!",
            &URL_SAFE_NO_PAD.encode("no-separator"),
            &URL_SAFE_NO_PAD.encode("x|id"),
        ] {
            assert_eq!(
                ListCursor::decode(garbage).unwrap_err().kind(),
                io::ErrorKind::InvalidInput,
                "{garbage}"
            );
        }
    }
}
