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
    let trimmed_start = patch.trim_start();
    let leading_lines = patch[..patch.len() - trimmed_start.len()]
        .matches('\n')
        .count();
    let mut lines: Vec<&str> = trimmed_start.trim_end().lines().collect();
    let mut first_line_number = leading_lines + 1;
    let heredoc_start = lines.first().is_some_and(|line| {
        let line = line.trim();
        let redirect = line
            .strip_prefix("apply_patch")
            .or_else(|| line.strip_prefix("applypatch"))
            .unwrap_or(line)
            .trim_start();
        matches!(redirect, "<<'EOF'" | "<<\"EOF\"" | "<<EOF")
    });
    if heredoc_start {
        if lines.len() < 2 || lines.last().map(|line| line.trim()) != Some("EOF") {
            return Err(ParseError {
                line_number: first_line_number + lines.len().saturating_sub(1),
                message: "expected 'EOF' closing the heredoc".to_string(),
            });
        }
        lines = lines[1..lines.len() - 1].to_vec();
        first_line_number += 1;
    }
    let error_at = |index: usize, message: String| ParseError {
        line_number: first_line_number + index,
        message,
    };
    if lines.first().map(|line| line.trim()) != Some(BEGIN_PATCH) {
        return Err(error_at(0, format!("expected '{BEGIN_PATCH}'")));
    }
    let last = lines.len() - 1;
    if last == 0 || lines[last].trim() != END_PATCH {
        return Err(error_at(last, format!("expected '{END_PATCH}'")));
    }

    let mut operations = Vec::new();
    let mut index = 1;
    while index < last {
        let header = lines[index].trim();
        if header.is_empty() {
            index += 1;
        } else if let Some(path) = header.strip_prefix(ADD_FILE) {
            let path = non_empty_path(path, || error_at(index, "missing path".to_string()))?;
            index += 1;
            let mut contents = String::new();
            while index < last {
                let Some(added) = lines[index].strip_prefix('+') else {
                    break;
                };
                contents.push_str(added);
                contents.push('\n');
                index += 1;
            }
            operations.push(FileOperation::Add { path, contents });
        } else if let Some(path) = header.strip_prefix(DELETE_FILE) {
            let path = non_empty_path(path, || error_at(index, "missing path".to_string()))?;
            index += 1;
            operations.push(FileOperation::Delete { path });
        } else if let Some(path) = header.strip_prefix(UPDATE_FILE) {
            let path = non_empty_path(path, || error_at(index, "missing path".to_string()))?;
            let header_index = index;
            index += 1;
            let mut move_path = None;
            if let Some(target) = lines[index].trim().strip_prefix(MOVE_TO) {
                move_path = Some(non_empty_path(target, || {
                    error_at(index, "missing move target".to_string())
                })?);
                index += 1;
            }
            let mut chunks = Vec::new();
            while index < last && !is_file_header(lines[index]) {
                let change_context = match lines[index].strip_prefix("@@") {
                    Some(rest) => {
                        index += 1;
                        let context = rest.trim();
                        (!context.is_empty()).then(|| context.to_string())
                    }
                    None if chunks.is_empty() => None,
                    None => {
                        return Err(error_at(
                            index,
                            format!("expected '@@' hunk header, found '{}'", lines[index]),
                        ));
                    }
                };
                let mut chunk = UpdateChunk {
                    change_context,
                    old_lines: Vec::new(),
                    new_lines: Vec::new(),
                    is_end_of_file: false,
                };
                let chunk_start = index;
                while index < last {
                    let line = lines[index];
                    if line.trim() == END_OF_FILE {
                        chunk.is_end_of_file = true;
                        index += 1;
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
                            return Err(error_at(
                                index,
                                format!(
                                    "expected a hunk line starting with ' ', '-' or '+', found '{line}'"
                                ),
                            ));
                        }
                    }
                    index += 1;
                }
                if chunk.old_lines.is_empty() && chunk.new_lines.is_empty() {
                    return Err(error_at(
                        chunk_start,
                        "expected hunk lines starting with ' ', '-' or '+'".to_string(),
                    ));
                }
                chunks.push(chunk);
            }
            if chunks.is_empty() {
                return Err(error_at(
                    header_index,
                    format!("update of '{path}' has no hunks"),
                ));
            }
            operations.push(FileOperation::Update {
                path,
                move_path,
                chunks,
            });
        } else {
            return Err(error_at(
                index,
                format!(
                    "expected '{ADD_FILE}', '{DELETE_FILE}' or '{UPDATE_FILE}' file header, found '{header}'"
                ),
            ));
        }
    }
    Ok(operations)
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
