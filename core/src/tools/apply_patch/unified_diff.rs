//! A line-based unified diff (3 lines of context, `--- a/` / `+++ b/` headers) for reporting file changes;
//! `similar` finds the changes, this module only writes them in the format clients expect.

use similar::Algorithm;
use similar::DiffOp;
use similar::DiffTag;

const CONTEXT_LINES: usize = 3;

/// Unified diff turning `old` into `new`, labelled with `path`; empty when the texts are identical.
pub fn unified_diff(old: &str, new: &str, path: &str) -> String {
    // Lines end at `\n` only (a lone `\r` is not a line break here), each keeping its terminator.
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    // Myers with similar's bounded search: near-linear on large rewrites, at worst a non-minimal diff.
    let ops = similar::capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);
    let hunks = similar::group_diff_ops(ops, CONTEXT_LINES);
    if hunks.is_empty() {
        return String::new();
    }
    // An absolute path keeps git's `a/` / `b/` prefixes without doubling its slash.
    let label = path.trim_start_matches('/');
    let mut output = format!("--- a/{label}\n+++ b/{label}\n");
    for hunk in &hunks {
        write_hunk(&mut output, hunk, &old_lines, &new_lines);
    }
    output
}

/// One `@@ -a,b +c,d @@` hunk: its header, then each line with its marker.
fn write_hunk(output: &mut String, hunk: &[DiffOp], old_lines: &[&str], new_lines: &[&str]) {
    let (Some(first), Some(last)) = (hunk.first(), hunk.last()) else {
        return;
    };
    let old_range = first.old_range().start..last.old_range().end;
    let new_range = first.new_range().start..last.new_range().end;
    // An empty side is numbered by the line it follows, per the unified diff convention.
    let header_start = |range: &std::ops::Range<usize>| {
        if range.is_empty() {
            range.start
        } else {
            range.start + 1
        }
    };
    output.push_str(&format!(
        "@@ -{},{} +{},{} @@\n",
        header_start(&old_range),
        old_range.len(),
        header_start(&new_range),
        new_range.len()
    ));
    for op in hunk {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let removed = &old_lines[old_range];
        let added = &new_lines[new_range];
        match tag {
            DiffTag::Equal => push_lines(output, ' ', removed),
            DiffTag::Delete => push_lines(output, '-', removed),
            DiffTag::Insert => push_lines(output, '+', added),
            DiffTag::Replace => {
                push_lines(output, '-', removed);
                push_lines(output, '+', added);
            }
        }
    }
}

fn push_lines(output: &mut String, marker: char, lines: &[&str]) {
    for line in lines {
        output.push(marker);
        output.push_str(line);
        if !line.ends_with('\n') {
            output.push_str("\n\\ No newline at end of file\n");
        }
    }
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

    /// Rebuilds the new text from the old one and `diff`, checking each hunk's header against its lines.
    fn apply(old: &str, diff: &str) -> String {
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let mut lines = diff.split_inclusive('\n').skip(2).peekable();
        let mut output = String::new();
        let mut next_old = 0;
        while let Some(header) = lines.next() {
            let numbers: Vec<usize> = header
                .trim_start_matches("@@ -")
                .trim_end_matches(" @@\n")
                .split([',', ' ', '+'])
                .filter(|part| !part.is_empty())
                .map(|part| part.parse().expect("number"))
                .collect();
            let [old_start, old_count, _, new_count] = numbers[..] else {
                panic!("bad header {header:?}");
            };
            let hunk_start = if old_count == 0 {
                old_start
            } else {
                old_start - 1
            };
            output.extend(old_lines[next_old..hunk_start].iter().copied());
            next_old = hunk_start;
            let (mut seen_old, mut seen_new) = (0, 0);
            while let Some(line) = lines.next_if(|line| !line.starts_with("@@")) {
                let mut text = line[1..].to_string();
                if lines.next_if(|next| next.starts_with("\\")).is_some() {
                    text.pop();
                }
                match &line[..1] {
                    " " | "-" => {
                        assert_eq!(old_lines[next_old], text, "context or removal");
                        next_old += 1;
                        seen_old += 1;
                    }
                    _ => {}
                }
                if line.starts_with([' ', '+']) {
                    output.push_str(&text);
                    seen_new += 1;
                }
            }
            assert_eq!((seen_old, seen_new), (old_count, new_count), "{header:?}");
        }
        output.extend(old_lines[next_old..].iter().copied());
        output
    }

    #[test]
    fn random_edits_round_trip() {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let pieces = ["a\n", "b\n", "c\n", "\n", "d", "a\r\n", "x\ry\n"];
        for _ in 0..2_000 {
            let mut text = || -> String {
                let length = next(30);
                (0..length).map(|_| pieces[next(pieces.len())]).collect()
            };
            let old = text();
            let new = text();
            let diff = unified_diff(&old, &new, "f");
            assert_eq!(apply(&old, &diff), new, "{old:?} -> {new:?}\n{diff}");
            assert_eq!(diff.is_empty(), old == new);
        }
    }

    #[test]
    fn a_lone_carriage_return_does_not_end_a_line() {
        assert_eq!(
            unified_diff("a\rb\n", "a\rc\n", "f"),
            "--- a/f\n+++ b/f\n@@ -1,1 +1,1 @@\n-a\rb\n+a\rc\n"
        );
    }

    #[test]
    fn large_files_get_small_hunks() {
        // 20,000 distinct lines changed at both ends: 400M cells for a full LCS table.
        let old: String = (0..20_000).map(|line| format!("{line}\n")).collect();
        let new = format!(
            "first\n{}last\n",
            &old["0\n".len()..old.len() - "19999\n".len()]
        );
        let diff = unified_diff(&old, &new, "big");
        assert_eq!(diff.matches("\n@@ ").count(), 2, "{diff}");
        assert_eq!(diff.lines().count(), 2 + 2 * (1 + 3 + 2));
        assert_eq!(apply(&old, &diff), new);
        // A complete rewrite stays a correct diff.
        let rewritten: String = (0..20_000).map(|line| format!("new {line}\n")).collect();
        assert_eq!(
            apply(&old, &unified_diff(&old, &rewritten, "big")),
            rewritten
        );
    }
}
