//! Parser for the patch format models emit (`*** Begin Patch` ... `*** End Patch`), tolerating the
//! `apply_patch <<'EOF'` heredoc wrapper and surrounding whitespace like upstream.

use super::error::ParseError;

const BEGIN_PATCH: &str = "*** Begin Patch";
const END_PATCH: &str = "*** End Patch";
const ADD_FILE: &str = "*** Add File:";
const DELETE_FILE: &str = "*** Delete File:";
const UPDATE_FILE: &str = "*** Update File:";
const MOVE_TO: &str = "*** Move to:";
const END_OF_FILE: &str = "*** End of File";

/// One file-level operation of a patch, with paths exactly as the patch spelled them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOperation {
    Add {
        path: String,
        contents: String,
    },
    Delete {
        path: String,
    },
    Update {
        path: String,
        move_path: Option<String>,
        chunks: Vec<UpdateChunk>,
    },
}

/// One `@@` hunk of an update: the lines to find (`old_lines`) and what replaces them (`new_lines`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateChunk {
    /// The text after `@@`, a line that must be found before the hunk's lines.
    pub change_context: Option<String>,
    pub old_lines: Vec<String>,
    pub new_lines: Vec<String>,
    /// Set by `*** End of File`: the hunk's lines end the file.
    pub is_end_of_file: bool,
}

/// Parses a whole patch into its file operations, in patch order.
pub fn parse_patch(patch: &str) -> Result<Vec<FileOperation>, ParseError> {
    let mut patch = PatchLines::unwrap(patch)?;
    let mut operations = Vec::new();
    while patch.index < patch.last {
        let header = patch.lines[patch.index].trim();
        if header.is_empty() {
            patch.index += 1;
        } else if let Some(path) = header.strip_prefix(ADD_FILE) {
            let path = patch.header_path(path)?;
            operations.push(patch.add_file(path));
        } else if let Some(path) = header.strip_prefix(DELETE_FILE) {
            let path = patch.header_path(path)?;
            patch.index += 1;
            operations.push(FileOperation::Delete { path });
        } else if let Some(path) = header.strip_prefix(UPDATE_FILE) {
            let path = patch.header_path(path)?;
            operations.push(patch.update_file(path)?);
        } else {
            return Err(patch.error_at(
                patch.index,
                format!(
                    "expected '{ADD_FILE}', '{DELETE_FILE}' or '{UPDATE_FILE}' file header, found '{header}'"
                ),
            ));
        }
    }
    Ok(operations)
}

/// The lines of a patch from `*** Begin Patch` to `*** End Patch`, read front to back from `index`. Errors
/// name lines as numbered in the input as received.
struct PatchLines<'a> {
    lines: Vec<&'a str>,
    /// The input's number of `lines[0]`.
    first_line_number: usize,
    /// The next line to read.
    index: usize,
    /// The index of `*** End Patch`.
    last: usize,
}

impl<'a> PatchLines<'a> {
    /// Drops surrounding whitespace and a heredoc wrapper, then checks the begin and end markers.
    fn unwrap(patch: &'a str) -> Result<PatchLines<'a>, ParseError> {
        let trimmed_start = patch.trim_start();
        let leading_lines = patch[..patch.len() - trimmed_start.len()]
            .matches('\n')
            .count();
        let mut lines: Vec<&str> = trimmed_start.trim_end().lines().collect();
        let mut first_line_number = leading_lines + 1;
        if lines.first().is_some_and(|line| is_heredoc_start(line)) {
            if lines.len() < 2 || lines.last().map(|line| line.trim()) != Some("EOF") {
                return Err(ParseError {
                    line_number: first_line_number + lines.len().saturating_sub(1),
                    message: "expected 'EOF' closing the heredoc".to_string(),
                });
            }
            lines = lines[1..lines.len() - 1].to_vec();
            first_line_number += 1;
        }
        let mut patch = PatchLines {
            lines,
            first_line_number,
            index: 1,
            last: 0,
        };
        if patch.lines.first().map(|line| line.trim()) != Some(BEGIN_PATCH) {
            return Err(patch.error_at(0, format!("expected '{BEGIN_PATCH}'")));
        }
        patch.last = patch.lines.len() - 1;
        if patch.last == 0 || patch.lines[patch.last].trim() != END_PATCH {
            return Err(patch.error_at(patch.last, format!("expected '{END_PATCH}'")));
        }
        Ok(patch)
    }

    fn error_at(&self, index: usize, message: String) -> ParseError {
        ParseError {
            line_number: self.first_line_number + index,
            message,
        }
    }

    /// The path after a file header at `index`.
    fn header_path(&self, path: &str) -> Result<String, ParseError> {
        non_empty_path(path, || {
            self.error_at(self.index, "missing path".to_string())
        })
    }

    /// `*** Add File:` at `index`: the `+` lines after it are the file's contents.
    fn add_file(&mut self, path: String) -> FileOperation {
        self.index += 1;
        let mut contents = String::new();
        while self.index < self.last {
            let Some(added) = self.lines[self.index].strip_prefix('+') else {
                break;
            };
            contents.push_str(added);
            contents.push('\n');
            self.index += 1;
        }
        FileOperation::Add { path, contents }
    }

    /// `*** Update File:` at `index`: an optional `*** Move to:`, then at least one hunk.
    fn update_file(&mut self, path: String) -> Result<FileOperation, ParseError> {
        let header_index = self.index;
        self.index += 1;
        let mut move_path = None;
        if let Some(target) = self.lines[self.index].trim().strip_prefix(MOVE_TO) {
            move_path = Some(non_empty_path(target, || {
                self.error_at(self.index, "missing move target".to_string())
            })?);
            self.index += 1;
        }
        let mut chunks = Vec::new();
        while self.index < self.last && !is_file_header(self.lines[self.index]) {
            let change_context = self.hunk_header(chunks.is_empty())?;
            chunks.push(self.hunk(change_context)?);
        }
        if chunks.is_empty() {
            return Err(self.error_at(header_index, format!("update of '{path}' has no hunks")));
        }
        Ok(FileOperation::Update {
            path,
            move_path,
            chunks,
        })
    }

    /// The context of the `@@` line opening a hunk; the first hunk of a file may go without one.
    fn hunk_header(&mut self, first_hunk: bool) -> Result<Option<String>, ParseError> {
        let line = self.lines[self.index];
        match line.strip_prefix("@@") {
            Some(rest) => {
                self.index += 1;
                let context = rest.trim();
                Ok((!context.is_empty()).then(|| context.to_string()))
            }
            None if first_hunk => Ok(None),
            None => Err(self.error_at(
                self.index,
                format!("expected '@@' hunk header, found '{line}'"),
            )),
        }
    }

    /// A hunk's lines, up to the next `@@`, file header or end of the patch, or through `*** End of File`.
    fn hunk(&mut self, change_context: Option<String>) -> Result<UpdateChunk, ParseError> {
        let mut chunk = UpdateChunk {
            change_context,
            old_lines: Vec::new(),
            new_lines: Vec::new(),
            is_end_of_file: false,
        };
        let chunk_start = self.index;
        while self.index < self.last {
            let line = self.lines[self.index];
            if line.trim() == END_OF_FILE {
                chunk.is_end_of_file = true;
                self.index += 1;
                break;
            }
            if line.starts_with("@@") || is_file_header(line) {
                break;
            }
            match line.chars().next() {
                None => {
                    chunk.old_lines.push(String::new());
                    chunk.new_lines.push(String::new());
                }
                Some(' ') => {
                    chunk.old_lines.push(line[1..].to_string());
                    chunk.new_lines.push(line[1..].to_string());
                }
                Some('-') => chunk.old_lines.push(line[1..].to_string()),
                Some('+') => chunk.new_lines.push(line[1..].to_string()),
                Some(_) => {
                    return Err(self.error_at(
                        self.index,
                        format!(
                            "expected a hunk line starting with ' ', '-' or '+', found '{line}'"
                        ),
                    ));
                }
            }
            self.index += 1;
        }
        if chunk.old_lines.is_empty() && chunk.new_lines.is_empty() {
            return Err(self.error_at(
                chunk_start,
                "expected hunk lines starting with ' ', '-' or '+'".to_string(),
            ));
        }
        Ok(chunk)
    }
}

/// `apply_patch <<'EOF'` (or `applypatch`, or the redirect alone, any quoting).
fn is_heredoc_start(line: &str) -> bool {
    let line = line.trim();
    let redirect = line
        .strip_prefix("apply_patch")
        .or_else(|| line.strip_prefix("applypatch"))
        .unwrap_or(line)
        .trim_start();
    matches!(redirect, "<<'EOF'" | "<<\"EOF\"" | "<<EOF")
}

fn is_file_header(line: &str) -> bool {
    let line = line.trim();
    line.starts_with(ADD_FILE) || line.starts_with(DELETE_FILE) || line.starts_with(UPDATE_FILE)
}

fn non_empty_path(path: &str, missing: impl FnOnce() -> ParseError) -> Result<String, ParseError> {
    let path = path.trim();
    if path.is_empty() {
        Err(missing())
    } else {
        Ok(path.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn strings(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|line| line.to_string()).collect()
    }

    #[test]
    fn parses_every_operation_kind() {
        let patch = "*** Begin Patch
*** Add File: new.txt
+hello
+world
*** Delete File: old.txt
*** Update File: src/lib.rs
*** Move to: src/main.rs
@@ fn main() {
 keep
-remove
+insert

@@
-last
+LAST
*** End of File
*** Update File: plain.txt
 a
-b
+c
*** End Patch";
        assert_eq!(
            parse_patch(patch),
            Ok(vec![
                FileOperation::Add {
                    path: "new.txt".to_string(),
                    contents: "hello\nworld\n".to_string(),
                },
                FileOperation::Delete {
                    path: "old.txt".to_string(),
                },
                FileOperation::Update {
                    path: "src/lib.rs".to_string(),
                    move_path: Some("src/main.rs".to_string()),
                    chunks: vec![
                        UpdateChunk {
                            change_context: Some("fn main() {".to_string()),
                            old_lines: strings(&["keep", "remove", ""]),
                            new_lines: strings(&["keep", "insert", ""]),
                            is_end_of_file: false,
                        },
                        UpdateChunk {
                            change_context: None,
                            old_lines: strings(&["last"]),
                            new_lines: strings(&["LAST"]),
                            is_end_of_file: true,
                        },
                    ],
                },
                FileOperation::Update {
                    path: "plain.txt".to_string(),
                    move_path: None,
                    chunks: vec![UpdateChunk {
                        change_context: None,
                        old_lines: strings(&["a", "b"]),
                        new_lines: strings(&["a", "c"]),
                        is_end_of_file: false,
                    }],
                },
            ])
        );
    }

    #[test]
    fn tolerates_heredoc_wrapper_and_surrounding_whitespace() {
        let expected = Ok(vec![FileOperation::Delete {
            path: "gone.txt".to_string(),
        }]);
        for patch in [
            "\n  apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch\nEOF\n\n",
            "<<EOF\n*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch\nEOF",
            "apply_patch <<\"EOF\"\n  *** Begin Patch\n*** Delete File: gone.txt\n*** End Patch  \nEOF",
        ] {
            assert_eq!(parse_patch(patch), expected, "{patch}");
        }
    }

    #[test]
    fn reports_line_numbers_of_the_input_as_received() {
        let cases = [
            ("\n\nhello", 3, "expected '*** Begin Patch'"),
            (
                "*** Begin Patch\n*** Delete File: a\n",
                2,
                "expected '*** End Patch'",
            ),
            (
                "apply_patch <<'EOF'\n*** Begin Patch\n*** Frobnicate: a\n*** End Patch\nEOF",
                3,
                "expected '*** Add File:', '*** Delete File:' or '*** Update File:' file header, found '*** Frobnicate: a'",
            ),
            (
                "apply_patch <<'EOF'\n*** Begin Patch\n*** End Patch",
                3,
                "expected 'EOF' closing the heredoc",
            ),
            (
                "*** Begin Patch\n*** Update File: a\n ctx\n-x\n+y\n@@\n ok\n?bad\n*** End Patch",
                8,
                "expected a hunk line starting with ' ', '-' or '+', found '?bad'",
            ),
            (
                "*** Begin Patch\n*** Update File: a\n ctx\n oops\n@@\n@@ x\n+y\n*** End Patch",
                6,
                "expected hunk lines starting with ' ', '-' or '+'",
            ),
            (
                "*** Begin Patch\n*** Update File: a.txt\n*** End Patch",
                2,
                "update of 'a.txt' has no hunks",
            ),
            (
                "*** Begin Patch\n*** Add File:  \n*** End Patch",
                2,
                "missing path",
            ),
        ];
        for (patch, line_number, message) in cases {
            assert_eq!(
                parse_patch(patch),
                Err(ParseError {
                    line_number,
                    message: message.to_string(),
                }),
                "{patch}"
            );
        }
    }

    #[test]
    fn parse_error_display_names_the_line() {
        let error = parse_patch("nope").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid patch at line 1: expected '*** Begin Patch'"
        );
    }
}
