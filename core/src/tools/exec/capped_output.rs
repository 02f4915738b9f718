//! `CappedOutput`: a command's combined output kept within a fixed memory budget — the first and the last
//! bytes are kept and the middle of a huge output is replaced by a marker saying how much was left out.

use std::collections::VecDeque;

/// At most this many bytes from the start of the output are kept...
pub const HEAD_BYTES: usize = 512 * 1024;
/// ...and this many from its end.
pub const TAIL_BYTES: usize = 512 * 1024;

#[derive(Debug, Default)]
pub struct CappedOutput {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    /// Bytes dropped between head and tail.
    omitted: usize,
}

impl CappedOutput {
    pub fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < HEAD_BYTES {
            let taken = bytes.len().min(HEAD_BYTES - self.head.len());
            self.head.extend_from_slice(&bytes[..taken]);
            bytes = &bytes[taken..];
        }
        if bytes.len() >= TAIL_BYTES {
            self.omitted += self.tail.len() + bytes.len() - TAIL_BYTES;
            self.tail.clear();
            bytes = &bytes[bytes.len() - TAIL_BYTES..];
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(TAIL_BYTES);
        self.tail.drain(..overflow);
        self.omitted += overflow;
        self.tail.extend(bytes);
    }

    /// The kept output as text (invalid UTF-8 replaced), with a marker where bytes were left out.
    pub fn into_text(self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.omitted > 0 {
            let omitted = self.omitted;
            text.push_str(&format!("\n[... omitted {omitted} bytes ...]\n"));
        }
        let tail: Vec<u8> = self.tail.into();
        text.push_str(&String::from_utf8_lossy(&tail));
        text
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn small_output_is_kept_whole() {
        let mut output = CappedOutput::default();
        output.push(b"one\n");
        output.push(b"two\n");
        assert_eq!(output.into_text(), "one\ntwo\n");
    }

    #[test]
    fn huge_output_keeps_head_and_tail_and_counts_the_rest() {
        let mut output = CappedOutput::default();
        let chunk = vec![b'x'; 100_000];
        for _ in 0..20 {
            output.push(&chunk);
        }
        output.push(b"END");
        let text = output.into_text();
        let omitted = 20 * 100_000 + 3 - HEAD_BYTES - TAIL_BYTES;
        assert_eq!(
            text,
            format!(
                "{}\n[... omitted {omitted} bytes ...]\n{}END",
                "x".repeat(HEAD_BYTES),
                "x".repeat(TAIL_BYTES - 3)
            )
        );
    }
}
