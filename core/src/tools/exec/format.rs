//! `format_for_model`: the text returned to the model for a finished command — exit code, wall time and the
//! output, truncated to keep its head and tail when it is too long. Clients still get the full stream.

use super::run::ExecOutcome;

/// Output longer than this many lines keeps only its first `HEAD_LINES` and last `TAIL_LINES`.
pub const MAX_OUTPUT_LINES: usize = 256;
pub const HEAD_LINES: usize = MAX_OUTPUT_LINES / 2;
pub const TAIL_LINES: usize = MAX_OUTPUT_LINES - HEAD_LINES;
/// Output (after line truncation) longer than this many bytes keeps only its first `HEAD_BYTES` and last
/// `TAIL_BYTES`, cut at character boundaries.
pub const MAX_OUTPUT_BYTES: usize = 10 * 1024;
pub const HEAD_BYTES: usize = MAX_OUTPUT_BYTES / 2;
pub const TAIL_BYTES: usize = MAX_OUTPUT_BYTES - HEAD_BYTES;

/// Renders the outcome as upstream does:
/// `Exit code: N\nWall time: S seconds\n[Total output lines: L\n]Output:\n<output>`, where the total line
/// count appears only when the output was truncated.
pub fn format_for_model(outcome: &ExecOutcome) -> String {
    let exit_code = outcome.exit_code;
    let wall_time_seconds = (outcome.duration.as_secs_f64() * 10.0).round() / 10.0;
    let output = if outcome.timed_out {
        let timeout_ms = outcome.duration.as_millis();
        format!(
            "command timed out after {timeout_ms} milliseconds\n{}",
            outcome.aggregated_output
        )
    } else {
        outcome.aggregated_output.clone()
    };

    let total_lines = output.lines().count();
    let byte_truncated = output.len() > MAX_OUTPUT_BYTES;
    let line_truncated = if total_lines > MAX_OUTPUT_LINES {
        let lines: Vec<&str> = output.lines().collect();
        let omitted = total_lines - HEAD_LINES - TAIL_LINES;
        let head = lines[..HEAD_LINES].join("\n");
        let tail = lines[total_lines - TAIL_LINES..].join("\n");
        format!("{head}\n[... omitted {omitted} of {total_lines} lines ...]\n\n{tail}")
    } else {
        output
    };
    let truncated = if line_truncated.len() > MAX_OUTPUT_BYTES {
        let total_bytes = line_truncated.len();
        let mut head_end = HEAD_BYTES;
        while !line_truncated.is_char_boundary(head_end) {
            head_end -= 1;
        }
        let mut tail_start = total_bytes - TAIL_BYTES;
        while !line_truncated.is_char_boundary(tail_start) {
            tail_start += 1;
        }
        let omitted = tail_start - head_end;
        format!(
            "{}\n[... omitted {omitted} of {total_bytes} bytes ...]\n\n{}",
            &line_truncated[..head_end],
            &line_truncated[tail_start..]
        )
    } else {
        line_truncated
    };

    let total_lines_header = if total_lines > MAX_OUTPUT_LINES || byte_truncated {
        format!("Total output lines: {total_lines}\n")
    } else {
        String::new()
    };
    format!(
        "Exit code: {exit_code}\nWall time: {wall_time_seconds} seconds\n{total_lines_header}Output:\n{truncated}"
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use pretty_assertions::assert_eq;

    use super::*;

    fn outcome(aggregated_output: String) -> ExecOutcome {
        ExecOutcome {
            exit_code: 0,
            duration: Duration::from_millis(3140),
            aggregated_output,
            timed_out: false,
        }
    }

    #[test]
    fn short_output_is_returned_whole() {
        let formatted = format_for_model(&ExecOutcome {
            exit_code: 2,
            duration: Duration::from_millis(1260),
            aggregated_output: "error: boom\n".to_string(),
            timed_out: false,
        });
        assert_eq!(
            formatted,
            "Exit code: 2\nWall time: 1.3 seconds\nOutput:\nerror: boom\n"
        );
    }

    #[test]
    fn timeout_is_explained_in_the_output() {
        let formatted = format_for_model(&ExecOutcome {
            exit_code: 124,
            duration: Duration::from_millis(500),
            aggregated_output: "started\n".to_string(),
            timed_out: true,
        });
        assert_eq!(
            formatted,
            "Exit code: 124\nWall time: 0.5 seconds\nOutput:\ncommand timed out after 500 milliseconds\nstarted\n"
        );
    }

    #[test]
    fn many_lines_keep_head_and_tail() {
        let output: String = (1..=300).map(|n| format!("line {n}\n")).collect();
        let head: Vec<String> = (1..=128).map(|n| format!("line {n}")).collect();
        let tail: Vec<String> = (173..=300).map(|n| format!("line {n}")).collect();
        let expected = format!(
            "Exit code: 0\nWall time: 3.1 seconds\nTotal output lines: 300\nOutput:\n{}\n[... omitted 44 of 300 lines ...]\n\n{}",
            head.join("\n"),
            tail.join("\n")
        );
        assert_eq!(format_for_model(&outcome(output)), expected);
    }

    #[test]
    fn long_lines_keep_head_and_tail_bytes_on_char_boundaries() {
        // 'é' is two bytes, so the raw byte cut points (5120 and total - 5120) fall inside a character.
        let output = format!("a{}b", "é".repeat(6000));
        let total_bytes = output.len();
        assert_eq!(total_bytes, 12_002);
        let expected = format!(
            "Exit code: 0\nWall time: 3.1 seconds\nTotal output lines: 1\nOutput:\na{}\n[... omitted 1764 of 12002 bytes ...]\n\n{}b",
            "é".repeat(2559),
            "é".repeat(2559)
        );
        assert_eq!(format_for_model(&outcome(output)), expected);
    }
}
