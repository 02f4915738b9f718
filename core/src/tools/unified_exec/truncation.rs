//! The text a unified exec call returns to the model: a header (chunk id, wall time, how the process
//! stands, the output's size in tokens) and the output, cut in the middle to the call's token budget.
//! Tokens are estimated as upstream does: four bytes each, rounded up.

use std::time::Duration;

/// Bytes per estimated token.
const BYTES_PER_TOKEN: usize = 4;

/// Where the session stands when the call answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProcessStanding {
    Exited(i32),
    Running(i32),
}

/// One call's answer before it is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallReport {
    /// Random, six hex digits: tells the model's successive reads apart.
    pub(crate) chunk_id: String,
    pub(crate) wall_time: Duration,
    pub(crate) standing: ProcessStanding,
    /// What the process printed since the last read.
    pub(crate) output: String,
    /// How many bytes that was (more than `output` holds when the buffer dropped some).
    pub(crate) output_bytes: usize,
    /// How many lines that was.
    pub(crate) output_lines: usize,
    pub(crate) max_output_tokens: usize,
}

/// A new chunk id.
pub(crate) fn chunk_id() -> String {
    format!("{:06x}", rand::random::<u32>() & 0x00ff_ffff)
}

pub(crate) fn approx_tokens(bytes: usize) -> usize {
    bytes.div_ceil(BYTES_PER_TOKEN)
}

impl CallReport {
    /// The text the model reads.
    pub(crate) fn render(&self) -> String {
        let standing = match self.standing {
            ProcessStanding::Exited(code) => format!("Process exited with code {code}"),
            ProcessStanding::Running(id) => format!("Process running with session ID {id}"),
        };
        let original_tokens = approx_tokens(self.output_bytes);
        let budget_bytes = self.max_output_tokens.saturating_mul(BYTES_PER_TOKEN);
        let output = if self.output_bytes > budget_bytes {
            let kept = cut_middle(&self.output, budget_bytes, self.output_bytes);
            format!(
                "Warning: truncated output (original token count: {original_tokens})\nTotal output lines: {}\n\n{kept}",
                self.output_lines
            )
        } else {
            self.output.clone()
        };
        format!(
            "Chunk ID: {}\nWall time: {:.4} seconds\n{standing}\nOriginal token count: {original_tokens}\nOutput:\n{output}",
            self.chunk_id,
            self.wall_time.as_secs_f64()
        )
    }
}

/// `text` with only its first and last `budget / 2` bytes (at character boundaries) and a marker saying
/// how many tokens of the `total_bytes` were left out between them.
pub(crate) fn cut_middle(text: &str, budget: usize, total_bytes: usize) -> String {
    let head_budget = budget / 2;
    let tail_budget = budget - head_budget;
    let mut head_end = head_budget.min(text.len());
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let mut tail_start = text.len().saturating_sub(tail_budget).max(head_end);
    while !text.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    let kept = head_end + (text.len() - tail_start);
    let removed = approx_tokens(total_bytes.saturating_sub(kept));
    format!(
        "{}…{removed} tokens truncated…{}",
        &text[..head_end],
        &text[tail_start..]
    )
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn report(output: &str, standing: ProcessStanding, budget: usize) -> CallReport {
        CallReport {
            chunk_id: "0a1b2c".to_string(),
            wall_time: Duration::from_millis(236),
            standing,
            output: output.to_string(),
            output_bytes: output.len(),
            output_lines: output.lines().count(),
            max_output_tokens: budget,
        }
    }

    #[test]
    fn a_short_output_is_returned_whole_under_its_header() {
        assert_eq!(
            report("hi\n", ProcessStanding::Exited(0), 10_000).render(),
            "Chunk ID: 0a1b2c\nWall time: 0.2360 seconds\nProcess exited with code 0\nOriginal token count: 1\nOutput:\nhi\n"
        );
        assert_eq!(
            report("", ProcessStanding::Running(76562), 10_000).render(),
            "Chunk ID: 0a1b2c\nWall time: 0.2360 seconds\nProcess running with session ID 76562\nOriginal token count: 0\nOutput:\n"
        );
    }

    #[test]
    fn a_long_output_keeps_head_and_tail_as_upstream_does() {
        // `seq 1 3000` with a 20-token budget, as upstream 0.171 answered it.
        let seq: String = (1..=3000).map(|n| format!("{n}\n")).collect();
        let head: String = (1..=16).map(|n| format!("{n}\n")).collect();
        let tail: String = (2993..=3000).map(|n| format!("{n}\n")).collect();
        assert_eq!(
            report(&seq, ProcessStanding::Exited(0), 20).render(),
            format!(
                "Chunk ID: 0a1b2c\nWall time: 0.2360 seconds\nProcess exited with code 0\nOriginal token count: 3474\nOutput:\nWarning: truncated output (original token count: 3474)\nTotal output lines: 3000\n\n{head}1…3454 tokens truncated…{tail}"
            )
        );
    }

    #[test]
    fn cuts_fall_on_character_boundaries() {
        let text = "😀😀😀😀😀😀😀😀😀😀\nsecond line with text\n";
        assert_eq!(
            cut_middle(text, 32, text.len()),
            "😀😀😀😀…8 tokens truncated… line with text\n"
        );
        assert_eq!(cut_middle("abcdef", 0, 6), "…2 tokens truncated…");
    }
}
