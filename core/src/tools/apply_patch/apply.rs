//! Applying a parsed patch all-or-nothing: `plan_patch` computes every new file content in memory, then
//! `PatchPlan::commit` writes each file via temp file + rename; a failure midway restores what was written.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;
use std::path::PathBuf;

use super::error::ApplyPatchError;
use super::parser::FileOperation;
use super::parser::parse_patch;
use super::report::PatchReport;
use super::seek_sequence::seek_sequence;
use super::unified_diff::unified_diff;
use crate::turn_item::FileChange;
use crate::turn_item::FileChangeKind;

/// The planned final state of every touched path: `Some(contents)` to write, `None` to delete.
#[derive(Debug)]
struct PlannedFiles {
    order: Vec<PathBuf>,
    contents: HashMap<PathBuf, Option<String>>,
}

impl PlannedFiles {
    /// The file as earlier operations of this patch left it, else as it is on disk.
    fn read(&self, path: &Path) -> Result<Option<String>, ApplyPatchError> {
        if let Some(planned) = self.contents.get(path) {
            return Ok(planned.clone());
        }
        match fs::read_to_string(path) {
            Ok(contents) => Ok(Some(contents)),
            // A file standing where a parent directory should be also means "no such file yet".
            Err(source)
                if matches!(
                    source.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                Ok(None)
            }
            Err(source) => Err(ApplyPatchError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    fn plan(&mut self, path: PathBuf, contents: Option<String>) {
        if !self.contents.contains_key(&path) {
            self.order.push(path.clone());
        }
        self.contents.insert(path, contents);
    }
}

/// A path already changed on disk, with what to put back if a later write fails.
struct AppliedWrite {
    path: PathBuf,
    original: Option<Vec<u8>>,
}

/// Parses `patch` and applies it under `cwd` (relative paths are joined to it; absolute paths are used as
/// is). Either every file changes or, on error, none does.
pub fn apply_patch(patch: &str, cwd: &Path) -> Result<PatchReport, ApplyPatchError> {
    plan_patch(patch, cwd)?.commit()
}

/// A patch whose every resulting file content is computed but nothing is written yet, so callers can show
/// the changes or ask for approval before `commit`.
#[derive(Debug)]
pub struct PatchPlan {
    report: PatchReport,
    files: PlannedFiles,
}

impl PatchPlan {
    /// What `commit` will report on success.
    pub fn report(&self) -> &PatchReport {
        &self.report
    }

    /// Every resolved path `commit` will write or delete, in patch order (a move touches both paths).
    pub fn touched_paths(&self) -> &[PathBuf] {
        &self.files.order
    }

    /// Writes every planned file; on failure restores what was already written and removes directories it
    /// created. Originals are read at commit time, so a restore puts back exactly what was on disk then.
    pub fn commit(self) -> Result<PatchReport, ApplyPatchError> {
        let planned = self.files;
        let mut originals = Vec::with_capacity(planned.order.len());
        for path in &planned.order {
            let original = match fs::read(path) {
                Ok(bytes) => Some(bytes),
                Err(source)
                    if matches!(
                        source.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                    ) =>
                {
                    None
                }
                Err(source) => {
                    return Err(ApplyPatchError::Read {
                        path: path.clone(),
                        source,
                    });
                }
            };
            originals.push(original);
        }
        let mut applied: Vec<AppliedWrite> = Vec::new();
        let mut created_dirs: Vec<PathBuf> = Vec::new();
        for (path, original) in planned.order.iter().zip(originals) {
            let result = match &planned.contents[path] {
                Some(contents) => write_atomically(path, contents.as_bytes(), &mut created_dirs),
                None => match fs::remove_file(path) {
                    Err(source) if source.kind() == io::ErrorKind::NotFound => Ok(()),
                    other => other,
                },
            };
            if let Err(source) = result {
                for write in applied.iter().rev() {
                    let restored = match &write.original {
                        Some(bytes) => write_atomically(&write.path, bytes, &mut Vec::new()),
                        None => fs::remove_file(&write.path),
                    };
                    if let Err(error) = restored {
                        tracing::error!(
                            "apply_patch could not restore {}: {error}",
                            write.path.display()
                        );
                    }
                }
                // Only directories this patch created are removed, and `remove_dir` refuses non-empty ones, so a
                // failure here just leaves an empty directory behind.
                for dir in created_dirs.iter().rev() {
                    let _ = fs::remove_dir(dir);
                }
                return Err(ApplyPatchError::Write {
                    path: path.clone(),
                    source,
                });
            }
            applied.push(AppliedWrite {
                path: path.clone(),
                original,
            });
        }
        Ok(self.report)
    }
}

/// Parses `patch` and computes, in memory, the new content of every file it touches under `cwd`; reports
/// the first hunk that does not apply.
pub fn plan_patch(patch: &str, cwd: &Path) -> Result<PatchPlan, ApplyPatchError> {
    let operations = parse_patch(patch)?;
    let resolve = |path: &str| cwd.join(path);
    let mut planned = PlannedFiles {
        order: Vec::new(),
        contents: HashMap::new(),
    };
    let mut changes = Vec::new();
    let mut added = Vec::new();
    let mut modified = Vec::new();
    let mut deleted = Vec::new();

    for operation in &operations {
        match operation {
            FileOperation::Add { path, contents } => {
                let resolved = resolve(path);
                let display = resolved.display().to_string();
                // Like upstream, an added file is reported with its content rather than a diff.
                changes.push(FileChange {
                    diff: contents.clone(),
                    path: display,
                    kind: FileChangeKind::Add,
                });
                planned.plan(resolved, Some(contents.clone()));
                added.push(path.clone());
            }
            FileOperation::Delete { path } => {
                let resolved = resolve(path);
                let Some(old) = planned.read(&resolved)? else {
                    return Err(ApplyPatchError::FileNotFound { path: resolved });
                };
                let display = resolved.display().to_string();
                // Like upstream, a deleted file is reported with the content it had.
                changes.push(FileChange {
                    diff: old,
                    path: display,
                    kind: FileChangeKind::Delete,
                });
                planned.plan(resolved, None);
                deleted.push(path.clone());
            }
            FileOperation::Update {
                path,
                move_path,
                chunks,
            } => {
                let resolved = resolve(path);
                let Some(old) = planned.read(&resolved)? else {
                    return Err(ApplyPatchError::FileNotFound { path: resolved });
                };
                let mut lines: Vec<String> = old.split('\n').map(str::to_string).collect();
                // The final newline yields an empty last element that is not a line.
                if lines.last().is_some_and(String::is_empty) {
                    lines.pop();
                }
                let mut replacements: Vec<(usize, usize, &[String])> = Vec::new();
                let mut line_index = 0;
                for chunk in chunks {
                    if let Some(context) = &chunk.change_context {
                        let Some(found) =
                            seek_sequence(&lines, std::slice::from_ref(context), line_index, false)
                        else {
                            return Err(ApplyPatchError::ContextNotFound {
                                path: resolved,
                                context: context.clone(),
                            });
                        };
                        line_index = found + 1;
                    }
                    if chunk.old_lines.is_empty() {
                        // A hunk with nothing to find only adds lines, at the end of the file like upstream.
                        replacements.push((lines.len(), 0, &chunk.new_lines));
                        continue;
                    }
                    let mut old_lines = chunk.old_lines.as_slice();
                    let mut new_lines = chunk.new_lines.as_slice();
                    let mut found =
                        seek_sequence(&lines, old_lines, line_index, chunk.is_end_of_file);
                    // A trailing blank hunk line often stands for the file's final newline, not a line.
                    if found.is_none() && old_lines.last().is_some_and(String::is_empty) {
                        old_lines = &old_lines[..old_lines.len() - 1];
                        if new_lines.last().is_some_and(String::is_empty) {
                            new_lines = &new_lines[..new_lines.len() - 1];
                        }
                        found = seek_sequence(&lines, old_lines, line_index, chunk.is_end_of_file);
                    }
                    let Some(start) = found else {
                        return Err(ApplyPatchError::HunkNotFound {
                            path: resolved,
                            first_line: chunk.old_lines[0].clone(),
                        });
                    };
                    replacements.push((start, old_lines.len(), new_lines));
                    line_index = start + old_lines.len();
                }
                replacements.sort_by_key(|(start, _, _)| *start);
                for (start, removed, inserted) in replacements.into_iter().rev() {
                    lines.splice(start..start + removed, inserted.iter().cloned());
                }
                let mut new = lines.join("\n");
                new.push('\n');

                let display = resolved.display().to_string();
                let (kind, destination) = match move_path {
                    Some(target) => {
                        let target_resolved = resolve(target);
                        modified.push(target.clone());
                        (
                            FileChangeKind::Update {
                                move_path: Some(target_resolved.display().to_string()),
                            },
                            target_resolved,
                        )
                    }
                    None => {
                        modified.push(path.clone());
                        (FileChangeKind::Update { move_path: None }, resolved.clone())
                    }
                };
                changes.push(FileChange {
                    diff: unified_diff(&old, &new, &display),
                    path: display,
                    kind,
                });
                if destination != resolved {
                    planned.plan(resolved, None);
                }
                planned.plan(destination, Some(new));
            }
        }
    }

    let mut summary = String::from("Success. Updated the following files:\n");
    for (letter, paths) in [('A', added), ('M', modified), ('D', deleted)] {
        for path in paths {
            summary.push_str(&format!("{letter} {path}\n"));
        }
    }
    Ok(PatchPlan {
        report: PatchReport { changes, summary },
        files: planned,
    })
}

/// Writes through a sibling temp file and a rename so a reader never sees a half-written file; keeps the
/// permissions of a file it replaces and records directories it had to create.
fn write_atomically(
    path: &Path,
    contents: &[u8],
    created_dirs: &mut Vec<PathBuf>,
) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        let missing: Vec<PathBuf> = parent
            .ancestors()
            .take_while(|dir| !dir.as_os_str().is_empty() && !dir.exists())
            .map(Path::to_path_buf)
            .collect();
        fs::create_dir_all(parent)?;
        created_dirs.extend(missing.into_iter().rev());
    }
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(
        ".{file_name}.apply_patch.{}.tmp",
        uuid::Uuid::new_v4().simple()
    ));
    fs::write(&temp, contents)?;
    if let Ok(metadata) = fs::metadata(path) {
        fs::set_permissions(&temp, metadata.permissions())?;
    }
    fs::rename(&temp, path).inspect_err(|_| {
        // The rename error is what matters to the caller; a leftover temp file is harmless.
        let _ = fs::remove_file(&temp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::collections::BTreeMap;

    /// Every regular file under `root`, relative path -> contents, to prove what did or did not change.
    fn snapshot(root: &Path) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            for entry in fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                } else {
                    let relative = path.strip_prefix(root).unwrap().display().to_string();
                    files.insert(relative, fs::read_to_string(&path).unwrap());
                }
            }
        }
        files
    }

    fn files(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(path, contents)| (path.to_string(), contents.to_string()))
            .collect()
    }

    fn display(root: &Path, path: &str) -> String {
        root.join(path).display().to_string()
    }

    #[test]
    fn adds_deletes_updates_and_moves_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("old.txt"), "bye\n").unwrap();
        fs::write(root.join("edit.txt"), "one\ntwo\nthree\n").unwrap();
        fs::write(root.join("from.txt"), "x\ny\n").unwrap();
        let patch = "*** Begin Patch
*** Add File: nested/dir/new.txt
+hello
*** Delete File: old.txt
*** Update File: edit.txt
 one
-two
+TWO
 three
*** Update File: from.txt
*** Move to: moved/to.txt
 x
-y
+z
*** End Patch";

        let report = apply_patch(patch, root).unwrap();

        let edit = display(root, "edit.txt");
        let from = display(root, "from.txt");
        let new = display(root, "nested/dir/new.txt");
        let old = display(root, "old.txt");
        assert_eq!(
            report,
            PatchReport {
                changes: vec![
                    FileChange {
                        path: new.clone(),
                        kind: FileChangeKind::Add,
                        diff: "hello\n".to_string(),
                    },
                    FileChange {
                        path: old.clone(),
                        kind: FileChangeKind::Delete,
                        diff: "bye\n".to_string(),
                    },
                    FileChange {
                        path: edit.clone(),
                        kind: FileChangeKind::Update { move_path: None },
                        diff: format!(
                            "--- a/{0}\n+++ b/{0}\n@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n",
                            edit.trim_start_matches('/')
                        ),
                    },
                    FileChange {
                        path: from.clone(),
                        kind: FileChangeKind::Update {
                            move_path: Some(display(root, "moved/to.txt")),
                        },
                        diff: format!(
                            "--- a/{0}\n+++ b/{0}\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n",
                            from.trim_start_matches('/')
                        ),
                    },
                ],
                summary: "Success. Updated the following files:\nA nested/dir/new.txt\nM edit.txt\nM moved/to.txt\nD old.txt\n"
                    .to_string(),
            }
        );
        assert_eq!(
            snapshot(root),
            files(&[
                ("edit.txt", "one\nTWO\nthree\n"),
                ("moved/to.txt", "x\nz\n"),
                ("nested/dir/new.txt", "hello\n"),
            ])
        );
    }

    #[test]
    fn applies_multiple_hunks_with_context_headers_and_eof_anchor() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(
            root.join("code.rs"),
            "fn a() {\n    x();\n}\nfn b() {\n    x();\n}\nx();\n",
        )
        .unwrap();
        let patch = "*** Begin Patch
*** Update File: code.rs
@@ fn b() {
-    x();
+    y();
@@
-x();
+z();
*** End of File
*** End Patch";

        apply_patch(patch, root).unwrap();

        assert_eq!(
            snapshot(root),
            files(&[(
                "code.rs",
                "fn a() {\n    x();\n}\nfn b() {\n    y();\n}\nz();\n"
            )])
        );
    }

    #[test]
    fn eof_anchor_picks_the_last_occurrence() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("f.txt"), "end\nmiddle\nend\n").unwrap();
        let patch =
            "*** Begin Patch\n*** Update File: f.txt\n-end\n+END\n*** End of File\n*** End Patch";

        apply_patch(patch, root).unwrap();

        assert_eq!(snapshot(root), files(&[("f.txt", "end\nmiddle\nEND\n")]));
    }

    #[test]
    fn whitespace_insensitive_match_and_missing_final_newline() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("f.txt"), "  keep  \nold").unwrap();
        let patch = "*** Begin Patch\n*** Update File: f.txt\n keep\n-old\n+new\n*** End Patch";

        apply_patch(patch, root).unwrap();

        // Like upstream, the matched region takes the patch's spelling of its context lines.
        assert_eq!(snapshot(root), files(&[("f.txt", "keep\nnew\n")]));
    }

    #[test]
    fn pure_addition_hunk_appends_and_later_operations_see_earlier_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let patch = "*** Begin Patch
*** Add File: f.txt
+first
*** Update File: f.txt
@@
+second
*** End Patch";

        let report = apply_patch(patch, root).unwrap();

        assert_eq!(snapshot(root), files(&[("f.txt", "first\nsecond\n")]));
        assert_eq!(
            report.summary,
            "Success. Updated the following files:\nA f.txt\nM f.txt\n"
        );
    }

    #[test]
    fn heredoc_form_and_absolute_paths_apply() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let absolute = root.join("abs.txt");
        let patch = format!(
            "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: {}\n+hi\n*** End Patch\nEOF\n",
            absolute.display()
        );

        let other_cwd = tempfile::tempdir().unwrap();
        apply_patch(&patch, other_cwd.path()).unwrap();

        assert_eq!(snapshot(root), files(&[("abs.txt", "hi\n")]));
    }

    #[test]
    fn hunk_not_found_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a.txt"), "alpha\n").unwrap();
        fs::write(root.join("b.txt"), "beta\n").unwrap();
        fs::write(root.join("c.txt"), "gamma\n").unwrap();
        let before = snapshot(root);
        let patch = "*** Begin Patch
*** Update File: a.txt
-alpha
+ALPHA
*** Delete File: c.txt
*** Add File: d.txt
+delta
*** Update File: b.txt
 not there
-beta
+BETA
*** End Patch";

        let error = apply_patch(patch, root).unwrap_err();

        assert_eq!(
            error.to_string(),
            format!(
                "Failed to find expected lines in {} (hunk starting with 'not there')",
                root.join("b.txt").display()
            )
        );
        assert_eq!(snapshot(root), before);
    }

    #[test]
    fn context_header_not_found_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a.txt"), "alpha\n").unwrap();
        let before = snapshot(root);
        let patch = "*** Begin Patch
*** Add File: new.txt
+x
*** Update File: a.txt
@@ fn missing()
-alpha
+ALPHA
*** End Patch";

        let error = apply_patch(patch, root).unwrap_err();

        assert_eq!(
            error.to_string(),
            format!(
                "Failed to find context 'fn missing()' in {}",
                root.join("a.txt").display()
            )
        );
        assert_eq!(snapshot(root), before);
    }

    #[test]
    fn missing_file_to_update_or_delete_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for patch in [
            "*** Begin Patch\n*** Delete File: nope.txt\n*** End Patch",
            "*** Begin Patch\n*** Update File: nope.txt\n-a\n+b\n*** End Patch",
        ] {
            let error = apply_patch(patch, root).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("{} does not exist", root.join("nope.txt").display())
            );
        }
        assert_eq!(snapshot(root), BTreeMap::new());
    }

    #[test]
    fn write_failure_midway_restores_files_already_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("a.txt"), "alpha\n").unwrap();
        fs::write(root.join("gone.txt"), "bye\n").unwrap();
        // A regular file where the patch needs a directory makes the last write fail after the others.
        fs::write(root.join("blocker"), "file, not dir\n").unwrap();
        let before = snapshot(root);
        let patch = "*** Begin Patch
*** Update File: a.txt
-alpha
+ALPHA
*** Delete File: gone.txt
*** Add File: fresh/new.txt
+new
*** Add File: blocker/inner.txt
+boom
*** End Patch";

        let error = apply_patch(patch, root).unwrap_err();

        assert!(
            matches!(&error, ApplyPatchError::Write { path, .. } if *path == root.join("blocker/inner.txt")),
            "{error:?}"
        );
        assert_eq!(snapshot(root), before);
        assert!(!root.join("fresh").exists());
    }

    #[test]
    fn plan_writes_nothing_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("src.txt"), "a\n").unwrap();
        let patch = "*** Begin Patch
*** Update File: src.txt
*** Move to: dst.txt
-a
+b
*** Add File: new.txt
+n
*** End Patch";

        let plan = plan_patch(patch, root).unwrap();

        assert_eq!(snapshot(root), files(&[("src.txt", "a\n")]));
        assert_eq!(
            plan.touched_paths(),
            [
                root.join("src.txt"),
                root.join("dst.txt"),
                root.join("new.txt")
            ]
        );
        let planned_report = plan.report().clone();
        assert_eq!(plan.commit().unwrap(), planned_report);
        assert_eq!(
            snapshot(root),
            files(&[("dst.txt", "b\n"), ("new.txt", "n\n")])
        );
    }

    #[test]
    fn parse_errors_surface_before_touching_disk() {
        let dir = tempfile::tempdir().unwrap();
        let error = apply_patch("*** Begin Patch\n*** Add File: a\n+x\n", dir.path()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid patch at line 3: expected '*** End Patch'"
        );
        assert_eq!(snapshot(dir.path()), BTreeMap::new());
    }
}
