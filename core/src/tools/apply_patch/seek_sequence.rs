//! Locating a hunk's lines inside a file: exact match first, then ignoring trailing whitespace, then
//! ignoring surrounding whitespace, like upstream.

/// Index in `lines` where `pattern` starts, searching from `start`. With `end_of_file` the end of the file
/// is tried first, since the hunk was anchored there.
pub(super) fn seek_sequence(
    lines: &[String],
    pattern: &[String],
    start: usize,
    end_of_file: bool,
) -> Option<usize> {
    if pattern.is_empty() {
        return Some(start.min(lines.len()));
    }
    if pattern.len() > lines.len() {
        return None;
    }
    let last_start = lines.len() - pattern.len();
    let comparisons: [fn(&str, &str) -> bool; 3] = [
        |line, wanted| line == wanted,
        |line, wanted| line.trim_end() == wanted.trim_end(),
        |line, wanted| line.trim() == wanted.trim(),
    ];
    for lines_match in comparisons {
        let matches_at = |at: usize| {
            lines[at..at + pattern.len()]
                .iter()
                .zip(pattern)
                .all(|(line, wanted)| lines_match(line, wanted))
        };
        if end_of_file && last_start >= start && matches_at(last_start) {
            return Some(last_start);
        }
        if let Some(found) = (start..=last_start).find(|&at| matches_at(at)) {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn owned(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|line| line.to_string()).collect()
    }

    #[test]
    fn exact_match_wins_over_whitespace_insensitive_match() {
        let lines = owned(&["a ", "b", "a", "b"]);
        assert_eq!(
            seek_sequence(&lines, &owned(&["a", "b"]), 0, false),
            Some(2)
        );
    }

    #[test]
    fn falls_back_to_trimmed_comparison() {
        let lines = owned(&["x", "    foo  ", "bar"]);
        assert_eq!(
            seek_sequence(&lines, &owned(&["foo", "bar"]), 0, false),
            Some(1)
        );
    }

    #[test]
    fn end_of_file_prefers_the_last_occurrence() {
        let lines = owned(&["a", "b", "a"]);
        assert_eq!(seek_sequence(&lines, &owned(&["a"]), 0, true), Some(2));
        assert_eq!(seek_sequence(&lines, &owned(&["a"]), 0, false), Some(0));
    }

    #[test]
    fn missing_pattern_and_oversized_pattern_are_not_found() {
        let lines = owned(&["a"]);
        assert_eq!(seek_sequence(&lines, &owned(&["z"]), 0, false), None);
        assert_eq!(seek_sequence(&lines, &owned(&["a", "a"]), 0, false), None);
        assert_eq!(seek_sequence(&lines, &owned(&["a"]), 1, false), None);
    }
}
