//! What a session printed: the part the model has not read yet (taken by each `exec_command` /
//! `write_stdin` answer) and everything, for the item's `aggregatedOutput`; both bounded in memory.

use crate::tools::exec::CappedOutput;

/// Output not read by the model yet, with its true size.
#[derive(Debug, Default)]
pub(super) struct UnreadOutput {
    kept: CappedOutput,
    bytes: usize,
    newlines: usize,
    ends_with_newline: bool,
}

/// What one read took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TakenOutput {
    pub(crate) text: String,
    pub(crate) bytes: usize,
    /// Lines as `str::lines` counts them.
    pub(crate) lines: usize,
}

impl UnreadOutput {
    pub(super) fn push(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.kept.push(bytes);
        self.bytes += bytes.len();
        self.newlines += bytes.iter().filter(|byte| **byte == b'\n').count();
        self.ends_with_newline = bytes.last() == Some(&b'\n');
    }

    /// Everything unread, leaving nothing.
    pub(super) fn take(&mut self) -> TakenOutput {
        let unread = std::mem::take(self);
        let lines = unread.newlines + usize::from(unread.bytes > 0 && !unread.ends_with_newline);
        TakenOutput {
            text: unread.kept.into_text(),
            bytes: unread.bytes,
            lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn a_read_takes_what_came_since_the_last_one() {
        let mut unread = UnreadOutput::default();
        unread.push(b"one\ntw");
        unread.push(b"o\nthree");
        assert_eq!(
            unread.take(),
            TakenOutput {
                text: "one\ntwo\nthree".to_string(),
                bytes: 13,
                lines: 3
            }
        );
        assert_eq!(
            unread.take(),
            TakenOutput {
                text: String::new(),
                bytes: 0,
                lines: 0
            }
        );
        unread.push(b"four\n");
        assert_eq!(unread.take().lines, 1);
    }
}
