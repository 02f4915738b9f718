//! A line-based unified diff (3 lines of context, `--- a/` / `+++ b/` headers) for reporting file changes.

const CONTEXT_LINES: usize = 3;
/// Above this many cells the LCS table would cost too much memory; the changed middle is then reported as
/// one removal plus one addition, which is still a correct diff.
const MAX_LCS_CELLS: usize = 16_000_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum LineDiff {
    Equal,
    Removed,
    Added,
}

/// Unified diff turning `old` into `new`, labelled with `path`; empty when the texts are identical.
pub fn unified_diff(old: &str, new: &str, path: &str) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(old_line, new_line)| old_line == new_line)
        .count();
    let suffix = old_lines[prefix..]
        .iter()
        .rev()
        .zip(new_lines[prefix..].iter().rev())
        .take_while(|(old_line, new_line)| old_line == new_line)
        .count();
    let old_middle = &old_lines[prefix..old_lines.len() - suffix];
    let new_middle = &new_lines[prefix..new_lines.len() - suffix];
    if old_middle.is_empty() && new_middle.is_empty() {
        return String::new();
    }

    // Each entry: the kind of line plus the line's text.
    let mut script: Vec<(LineDiff, &str)> = old_lines[..prefix]
        .iter()
        .map(|line| (LineDiff::Equal, *line))
        .collect();
    if old_middle.len().saturating_mul(new_middle.len()) > MAX_LCS_CELLS {
        script.extend(old_middle.iter().map(|line| (LineDiff::Removed, *line)));
        script.extend(new_middle.iter().map(|line| (LineDiff::Added, *line)));
    } else {
        let width = new_middle.len() + 1;
        // lcs[i * width + j] = LCS length of old_middle[i..] and new_middle[j..].
        let mut lcs = vec![0usize; (old_middle.len() + 1) * width];
        for i in (0..old_middle.len()).rev() {
            for j in (0..new_middle.len()).rev() {
                lcs[i * width + j] = if old_middle[i] == new_middle[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < old_middle.len() || j < new_middle.len() {
            if i < old_middle.len() && j < new_middle.len() && old_middle[i] == new_middle[j] {
                script.push((LineDiff::Equal, old_middle[i]));
                i += 1;
                j += 1;
            } else if j == new_middle.len()
                || (i < old_middle.len() && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])
            {
                script.push((LineDiff::Removed, old_middle[i]));
                i += 1;
            } else {
                script.push((LineDiff::Added, new_middle[j]));
                j += 1;
            }
        }
    }
    script.extend(
        old_lines[old_lines.len() - suffix..]
            .iter()
            .map(|line| (LineDiff::Equal, *line)),
    );

    // An absolute path keeps git's `a/` / `b/` prefixes without doubling its slash.
    let label = path.trim_start_matches('/');
    let mut output = format!("--- a/{label}\n+++ b/{label}\n");
    let changed: Vec<usize> = script
        .iter()
        .enumerate()
        .filter(|(_, (kind, _))| *kind != LineDiff::Equal)
        .map(|(index, _)| index)
        .collect();
    let mut hunk_ranges: Vec<(usize, usize)> = Vec::new();
    for index in changed {
        let start = index.saturating_sub(CONTEXT_LINES);
        let end = (index + CONTEXT_LINES + 1).min(script.len());
        match hunk_ranges.last_mut() {
            Some((_, last_end)) if start <= *last_end => *last_end = end,
            _ => hunk_ranges.push((start, end)),
        }
    }
    for (start, end) in hunk_ranges {
        let old_before = script[..start]
            .iter()
            .filter(|(kind, _)| *kind != LineDiff::Added)
            .count();
        let new_before = script[..start]
            .iter()
            .filter(|(kind, _)| *kind != LineDiff::Removed)
            .count();
        let hunk = &script[start..end];
        let old_count = hunk
            .iter()
            .filter(|(kind, _)| *kind != LineDiff::Added)
            .count();
        let new_count = hunk
            .iter()
            .filter(|(kind, _)| *kind != LineDiff::Removed)
            .count();
        // An empty side is numbered by the line it follows, per the unified diff convention.
        let old_start = if old_count == 0 {
            old_before
        } else {
            old_before + 1
        };
        let new_start = if new_count == 0 {
            new_before
        } else {
            new_before + 1
        };
        output.push_str(&format!(
            "@@ -{old_start},{old_count} +{new_start},{new_count} @@\n"
        ));
        for (kind, line) in hunk {
            let marker = match kind {
                LineDiff::Equal => ' ',
                LineDiff::Removed => '-',
                LineDiff::Added => '+',
            };
            output.push(marker);
            output.push_str(line);
            if !line.ends_with('\n') {
                output.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn identical_texts_have_an_empty_diff() {
        assert_eq!(unified_diff("a\nb\n", "a\nb\n", "f.txt"), "");
    }

    #[test]
    fn replacement_in_the_middle_keeps_three_lines_of_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified_diff(old, new, "n.txt"),
            "--- a/n.txt\n+++ b/n.txt\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks() {
        let old = "a\n1\n2\n3\n4\n5\n6\n7\n8\nb\n";
        let new = "A\n1\n2\n3\n4\n5\n6\n7\n8\nB\n";
        assert_eq!(
            unified_diff(old, new, "x"),
            "--- a/x\n+++ b/x\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-b\n+B\n"
        );
    }

    #[test]
    fn added_and_deleted_files_number_the_empty_side_zero() {
        assert_eq!(
            unified_diff("", "x\ny\n", "new.txt"),
            "--- a/new.txt\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+x\n+y\n"
        );
        assert_eq!(
            unified_diff("x\n", "", "old.txt"),
            "--- a/old.txt\n+++ b/old.txt\n@@ -1,1 +0,0 @@\n-x\n"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        assert_eq!(
            unified_diff("a\nb", "a\nb\n", "f"),
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
        );
    }
}
