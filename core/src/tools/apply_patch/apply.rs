//! Applying a parsed patch all-or-nothing: `plan_patch` resolves every path and computes every new file
//! content in memory; `PatchPlan::commit` writes them through the confined file layer, first staging every
//! change (directories, temp files) so that most failures change nothing, then renaming the files into place;
//! a failure in that last step restores what was already changed.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io;
use std::path::Path;
use std::path::PathBuf;
use std::rc::Rc;

use super::confined_fs::ConfinedPath;
use super::confined_fs::CreatedDir;
use super::confined_fs::Dir;
use super::confined_fs::is_link_in_path;
use super::confined_fs::is_missing;
use super::confined_fs::is_openat2_missing;
use super::error::ApplyPatchError;
use super::parser::FileOperation;
use super::parser::UpdateChunk;
use super::parser::parse_patch;
use super::report::PatchReport;
use super::seek_sequence::seek_sequence;
use super::unified_diff::unified_diff;
use super::write_scope::PathAccess;
use super::write_scope::WriteScope;
use crate::protocol::turn_item::FileChange;
use crate::protocol::turn_item::FileChangeKind;
use crate::sandbox::normalize;
use crate::sandbox::resolve_existing;

/// The planned final state of every touched file, by resolved path: `Some(contents)` to write, `None` to
/// delete.
#[derive(Debug)]
struct PlannedFiles {
    order: Vec<PathBuf>,
    contents: HashMap<PathBuf, Option<String>>,
}

impl PlannedFiles {
    /// The file as earlier operations of this patch left it, else as it is on disk (read along exactly the
    /// resolved path, following no symlink).
    fn read(&self, path: &Path) -> Result<Option<String>, ApplyPatchError> {
        if let Some(planned) = self.contents.get(path) {
            return Ok(planned.clone());
        }
        let confined =
            ConfinedPath::absolute(path).ok_or_else(|| ApplyPatchError::NotAFilePath {
                path: path.to_path_buf(),
            })?;
        match confined.read() {
            Ok(Some(bytes)) => String::from_utf8(bytes).map(Some).map_err(|_| {
                io_error(
                    path,
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    ),
                    IoStep::Read,
                )
            }),
            Ok(None) => Ok(None),
            Err(source) => Err(io_error(path, source, IoStep::Read)),
        }
    }

    fn plan(&mut self, path: PathBuf, contents: Option<String>) {
        if !self.contents.contains_key(&path) {
            self.order.push(path.clone());
        }
        self.contents.insert(path, contents);
    }
}

/// A path of the patch as shown (`display`, the cwd joined) and as the daemon touches it. Symlinks are
/// resolved now, once, and never followed again: `contents` follows a link at the end too (an edit through
/// a link edits its target), `entry` does not (deleting a link removes the link).
struct ResolvedPath {
    display: PathBuf,
    contents: PathBuf,
    entry: PathBuf,
}

impl ResolvedPath {
    fn new(cwd: &Path, path: &str) -> Self {
        let display = cwd.join(path);
        let normalized = normalize(&display);
        let contents = resolve_existing(&normalized);
        let entry = match (normalized.parent(), normalized.file_name()) {
            (Some(parent), Some(name)) => resolve_existing(parent).join(name),
            (None, _) | (_, None) => normalized,
        };
        Self {
            display,
            contents,
            entry,
        }
    }
}

/// Which kind of file access failed, for the error.
#[derive(Clone, Copy)]
enum IoStep {
    Read,
    Write,
}

/// The error for a failed file access, naming the two causes the model cannot fix by retrying the same way.
fn io_error(path: &Path, source: io::Error, step: IoStep) -> ApplyPatchError {
    let path = path.to_path_buf();
    if is_link_in_path(&source) {
        ApplyPatchError::LinkInPath { path }
    } else if is_openat2_missing(&source) {
        ApplyPatchError::Openat2Unavailable { path }
    } else {
        match step {
            IoStep::Read => ApplyPatchError::Read { path, source },
            IoStep::Write => ApplyPatchError::Write { path, source },
        }
    }
}

/// Parses `patch` and applies it under `cwd` (relative paths are joined to it; absolute paths are used as
/// is), writing only where `scope` allows. Either every file changes or, on error, none does.
pub fn apply_patch(
    patch: &str,
    cwd: &Path,
    scope: &WriteScope,
) -> Result<PatchReport, ApplyPatchError> {
    plan_patch(patch, cwd)?.commit(scope)
}

/// A patch whose every resulting file content is computed but nothing is written yet, so callers can show
/// the changes or ask for approval before `commit`.
#[derive(Debug)]
pub struct PatchPlan {
    report: PatchReport,
    files: PlannedFiles,
}

/// One change ready to be made in a directory reached without symlinks.
struct StagedChange {
    path: PathBuf,
    dir: Rc<Dir>,
    name: OsString,
    action: StagedAction,
}

enum StagedAction {
    /// Rename `temp` (the new content) over the file; on rollback put `original` back (`None`: remove).
    Write {
        temp: OsString,
        original: Option<Vec<u8>>,
    },
    /// Rename the file aside to `backup`, removed once the whole patch is in and renamed back on rollback,
    /// so whatever the entry was (a file, a link) comes back exactly.
    Delete { backup: OsString },
}

impl StagedChange {
    fn apply(&self) -> io::Result<()> {
        match &self.action {
            StagedAction::Write { temp, .. } => self.dir.rename(temp, &self.name),
            StagedAction::Delete { backup } => match self.dir.rename(&self.name, backup) {
                Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
                other => other,
            },
        }
    }

    fn finish(&self) {
        if let StagedAction::Delete { backup } = &self.action
            && let Err(error) = self.dir.remove(backup)
        {
            tracing::warn!(
                "apply_patch left {:?} beside {}: {error}",
                backup,
                self.path.display()
            );
        }
    }

    fn roll_back(&self) {
        let restored = match &self.action {
            StagedAction::Write {
                original: Some(bytes),
                ..
            } => self
                .dir
                .write_temp(&self.name, bytes)
                .and_then(|temp| self.dir.rename(&temp, &self.name)),
            StagedAction::Write { original: None, .. } => self.dir.remove(&self.name),
            StagedAction::Delete { backup } => match self.dir.rename(backup, &self.name) {
                Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
                other => other,
            },
        };
        if let Err(error) = restored {
            tracing::error!(
                "apply_patch could not restore {}: {error}",
                self.path.display()
            );
        }
    }

    /// Drops a change that was staged but never made.
    fn discard(&self) {
        if let StagedAction::Write { temp, .. } = &self.action {
            let _ = self.dir.remove(temp);
        }
    }
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

    /// Writes every planned file where `scope` allows, each along exactly its resolved path. A path the
    /// scope refuses, a symlink swapped into a path, or any staging failure changes nothing; a failure
    /// while renaming into place restores what was already changed and removes the directories created.
    pub fn commit(self, scope: &WriteScope) -> Result<PatchReport, ApplyPatchError> {
        self.files.stage(scope)?.apply()?;
        Ok(self.report)
    }
}

impl PlannedFiles {
    /// Opens (or creates) every parent directory, keeps the content each file has now and writes each new
    /// content to a temp file beside its file; nothing the patch names changes yet. On failure, what was
    /// staged is removed again.
    fn stage(&self, scope: &WriteScope) -> Result<StagedPatch, ApplyPatchError> {
        let mut confined = Vec::with_capacity(self.order.len());
        for path in &self.order {
            let target = scope.confine(path).map_err(|access| match access {
                PathAccess::Writable => ApplyPatchError::NotAFilePath { path: path.clone() },
                PathAccess::ReadOnly { .. } | PathAccess::OutsideRoots => {
                    ApplyPatchError::NotWritable {
                        path: path.clone(),
                        access,
                    }
                }
            })?;
            confined.push((path, target));
        }
        let mut staged = StagedPatch {
            changes: Vec::with_capacity(confined.len()),
            dirs: HashMap::new(),
            created_dirs: Vec::new(),
        };
        for (path, target) in confined {
            if let Err(source) = staged.stage_one(path, &target, self.contents[path].as_deref()) {
                staged.discard_from(0);
                return Err(io_error(path, source, IoStep::Write));
            }
        }
        Ok(staged)
    }
}

/// Every change of a patch, staged and ready to be renamed into place.
struct StagedPatch {
    changes: Vec<StagedChange>,
    /// Directories already opened, by path, so a patch holds one descriptor per directory, not per file.
    dirs: HashMap<PathBuf, Rc<Dir>>,
    created_dirs: Vec<CreatedDir>,
}

impl StagedPatch {
    fn stage_one(
        &mut self,
        path: &Path,
        target: &ConfinedPath,
        contents: Option<&str>,
    ) -> io::Result<()> {
        let name = target.name().to_os_string();
        let (dir, action) = match contents {
            Some(contents) => {
                let dir = self.open_parent(target, true)?;
                let original = dir.read(&name)?;
                let temp = dir.write_temp(&name, contents.as_bytes())?;
                (dir, StagedAction::Write { temp, original })
            }
            None => match self.open_parent(target, false) {
                Ok(dir) => (
                    dir,
                    StagedAction::Delete {
                        backup: Dir::temp_name(),
                    },
                ),
                // Already gone: nothing to delete.
                Err(error) if is_missing(&error) => return Ok(()),
                Err(error) => return Err(error),
            },
        };
        self.changes.push(StagedChange {
            path: path.to_path_buf(),
            dir,
            name,
            action,
        });
        Ok(())
    }

    /// The directory holding `target`, opened once per patch; `create` makes the missing ones.
    fn open_parent(&mut self, target: &ConfinedPath, create: bool) -> io::Result<Rc<Dir>> {
        let parent = target.parent_path();
        if let Some(dir) = self.dirs.get(&parent) {
            return Ok(Rc::clone(dir));
        }
        let created = create.then_some(&mut self.created_dirs);
        let dir = Rc::new(target.open_parent(created)?);
        self.dirs.insert(parent, Rc::clone(&dir));
        Ok(dir)
    }

    /// Makes every change; if one fails, puts back those already made and drops the rest.
    fn apply(self) -> Result<(), ApplyPatchError> {
        for (index, change) in self.changes.iter().enumerate() {
            if let Err(source) = change.apply() {
                for applied in self.changes[..index].iter().rev() {
                    applied.roll_back();
                }
                self.discard_from(index);
                return Err(io_error(&change.path, source, IoStep::Write));
            }
        }
        for change in &self.changes {
            change.finish();
        }
        Ok(())
    }

    /// Drops the changes from `index` on (never made) and removes the directories this patch created
    /// (`remove_dir` refuses non-empty ones, so this only ever leaves an empty directory behind).
    fn discard_from(&self, index: usize) {
        for change in &self.changes[index..] {
            change.discard();
        }
        for dir in self.created_dirs.iter().rev() {
            dir.remove();
        }
    }
}

/// Parses `patch` and computes, in memory, the new content of every file it touches under `cwd`; reports
/// the first hunk that does not apply.
pub fn plan_patch(patch: &str, cwd: &Path) -> Result<PatchPlan, ApplyPatchError> {
    let operations = parse_patch(patch)?;
    let mut planner = PatchPlanner {
        cwd,
        planned: PlannedFiles {
            order: Vec::new(),
            contents: HashMap::new(),
        },
        changes: Vec::new(),
        added: Vec::new(),
        modified: Vec::new(),
        deleted: Vec::new(),
    };
    for operation in &operations {
        match operation {
            FileOperation::Add { path, contents } => planner.add(path, contents),
            FileOperation::Delete { path } => planner.delete(path)?,
            FileOperation::Update {
                path,
                move_path,
                chunks,
            } => planner.update(path, move_path.as_deref(), chunks)?,
        }
    }
    Ok(planner.finish())
}

/// A plan in the making: the files planned so far, the changes to report and, for the model's summary,
/// the paths as the patch spelled them.
struct PatchPlanner<'a> {
    cwd: &'a Path,
    planned: PlannedFiles,
    changes: Vec<FileChange>,
    added: Vec<String>,
    modified: Vec<String>,
    deleted: Vec<String>,
}

impl PatchPlanner<'_> {
    fn add(&mut self, path: &str, contents: &str) {
        let resolved = ResolvedPath::new(self.cwd, path);
        // Like upstream, an added file is reported with its content rather than a diff.
        self.changes.push(FileChange {
            diff: contents.to_string(),
            path: resolved.display.display().to_string(),
            kind: FileChangeKind::Add,
        });
        self.planned
            .plan(resolved.contents, Some(contents.to_string()));
        self.added.push(path.to_string());
    }

    fn delete(&mut self, path: &str) -> Result<(), ApplyPatchError> {
        let resolved = ResolvedPath::new(self.cwd, path);
        let Some(old) = self.planned.read(&resolved.contents)? else {
            return Err(ApplyPatchError::FileNotFound {
                path: resolved.display,
            });
        };
        // Like upstream, a deleted file is reported with the content it had.
        self.changes.push(FileChange {
            diff: old,
            path: resolved.display.display().to_string(),
            kind: FileChangeKind::Delete,
        });
        self.planned.plan(resolved.entry, None);
        self.deleted.push(path.to_string());
        Ok(())
    }

    /// The file as earlier operations left it with `chunks` applied, written to `move_path` when given (the
    /// source is then removed).
    fn update(
        &mut self,
        path: &str,
        move_path: Option<&str>,
        chunks: &[UpdateChunk],
    ) -> Result<(), ApplyPatchError> {
        let resolved = ResolvedPath::new(self.cwd, path);
        let Some(old) = self.planned.read(&resolved.contents)? else {
            return Err(ApplyPatchError::FileNotFound {
                path: resolved.display,
            });
        };
        let new = apply_chunks(&old, chunks, &resolved.display)?;

        let display = resolved.display.display().to_string();
        let (kind, destination) = match move_path {
            Some(target) => {
                let target_resolved = ResolvedPath::new(self.cwd, target);
                self.modified.push(target.to_string());
                (
                    FileChangeKind::Update {
                        move_path: Some(target_resolved.display.display().to_string()),
                    },
                    target_resolved.contents,
                )
            }
            None => {
                self.modified.push(path.to_string());
                (
                    FileChangeKind::Update { move_path: None },
                    resolved.contents.clone(),
                )
            }
        };
        self.changes.push(FileChange {
            diff: unified_diff(&old, &new, &display),
            path: display,
            kind,
        });
        if move_path.is_some() && destination != resolved.entry {
            self.planned.plan(resolved.entry, None);
        }
        self.planned.plan(destination, Some(new));
        Ok(())
    }

    /// The plan, with the model's summary: added, then modified, then deleted paths.
    fn finish(self) -> PatchPlan {
        let mut summary = String::from("Success. Updated the following files:\n");
        for (letter, paths) in [('A', self.added), ('M', self.modified), ('D', self.deleted)] {
            for path in paths {
                summary.push_str(&format!("{letter} {path}\n"));
            }
        }
        PatchPlan {
            report: PatchReport {
                changes: self.changes,
                summary,
            },
            files: self.planned,
        }
    }
}

/// `old` with every hunk applied. Hunks are found in order, each after the one before; they are applied
/// from the end so earlier positions stay valid. `display` names the file in errors.
fn apply_chunks(
    old: &str,
    chunks: &[UpdateChunk],
    display: &Path,
) -> Result<String, ApplyPatchError> {
    let mut lines: Vec<String> = old.split('\n').map(str::to_string).collect();
    // The final newline yields an empty last element that is not a line.
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut replacements = Vec::new();
    let mut line_index = 0;
    for chunk in chunks {
        replacements.push(locate_chunk(&lines, chunk, &mut line_index, display)?);
    }
    replacements.sort_by_key(|(start, _, _)| *start);
    for (start, removed, inserted) in replacements.into_iter().rev() {
        lines.splice(start..start + removed, inserted.iter().cloned());
    }
    let mut new = lines.join("\n");
    new.push('\n');
    Ok(new)
}

/// Where `chunk` applies in `lines`, searching from `line_index` (then moved past it): the first line it
/// replaces, how many it replaces, and the lines that replace them.
fn locate_chunk<'c>(
    lines: &[String],
    chunk: &'c UpdateChunk,
    line_index: &mut usize,
    display: &Path,
) -> Result<(usize, usize, &'c [String]), ApplyPatchError> {
    if let Some(context) = &chunk.change_context {
        let Some(found) = seek_sequence(lines, std::slice::from_ref(context), *line_index, false)
        else {
            return Err(ApplyPatchError::ContextNotFound {
                path: display.to_path_buf(),
                context: context.clone(),
            });
        };
        *line_index = found + 1;
    }
    if chunk.old_lines.is_empty() {
        // A hunk with nothing to find only adds lines, at the end of the file like upstream.
        return Ok((lines.len(), 0, &chunk.new_lines));
    }
    let mut old_lines = chunk.old_lines.as_slice();
    let mut new_lines = chunk.new_lines.as_slice();
    let mut found = seek_sequence(lines, old_lines, *line_index, chunk.is_end_of_file);
    // A trailing blank hunk line often stands for the file's final newline, not a line.
    if found.is_none() && old_lines.last().is_some_and(String::is_empty) {
        old_lines = &old_lines[..old_lines.len() - 1];
        if new_lines.last().is_some_and(String::is_empty) {
            new_lines = &new_lines[..new_lines.len() - 1];
        }
        found = seek_sequence(lines, old_lines, *line_index, chunk.is_end_of_file);
    }
    let Some(start) = found else {
        return Err(ApplyPatchError::HunkNotFound {
            path: display.to_path_buf(),
            first_line: chunk.old_lines[0].clone(),
        });
    };
    *line_index = start + old_lines.len();
    Ok((start, old_lines.len(), new_lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::collections::BTreeMap;
    use std::fs;

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

        let report = apply_patch(patch, root, &WriteScope::everywhere()).unwrap();

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

        apply_patch(patch, root, &WriteScope::everywhere()).unwrap();

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

        apply_patch(patch, root, &WriteScope::everywhere()).unwrap();

        assert_eq!(snapshot(root), files(&[("f.txt", "end\nmiddle\nEND\n")]));
    }

    #[test]
    fn whitespace_insensitive_match_and_missing_final_newline() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("f.txt"), "  keep  \nold").unwrap();
        let patch = "*** Begin Patch\n*** Update File: f.txt\n keep\n-old\n+new\n*** End Patch";

        apply_patch(patch, root, &WriteScope::everywhere()).unwrap();

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

        let report = apply_patch(patch, root, &WriteScope::everywhere()).unwrap();

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
        apply_patch(&patch, other_cwd.path(), &WriteScope::everywhere()).unwrap();

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

        let error = apply_patch(patch, root, &WriteScope::everywhere()).unwrap_err();

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

        let error = apply_patch(patch, root, &WriteScope::everywhere()).unwrap_err();

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
            let error = apply_patch(patch, root, &WriteScope::everywhere()).unwrap_err();
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

        let error = apply_patch(patch, root, &WriteScope::everywhere()).unwrap_err();

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
        assert_eq!(
            plan.commit(&WriteScope::everywhere()).unwrap(),
            planned_report
        );
        assert_eq!(
            snapshot(root),
            files(&[("dst.txt", "b\n"), ("new.txt", "n\n")])
        );
    }

    #[test]
    fn parse_errors_surface_before_touching_disk() {
        let dir = tempfile::tempdir().unwrap();
        let error = apply_patch(
            "*** Begin Patch\n*** Add File: a\n+x\n",
            dir.path(),
            &WriteScope::everywhere(),
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid patch at line 3: expected '*** End Patch'"
        );
        assert_eq!(snapshot(dir.path()), BTreeMap::new());
    }

    /// A workspace-write scope with the canonical `root` as its only writable root.
    fn workspace_scope(root: &Path) -> WriteScope {
        let policy = crate::sandbox::SandboxPolicy::WorkspaceWrite {
            writable_roots: Vec::new(),
            network_access: false,
            exclude_tmpdir_env_var: true,
            exclude_slash_tmp: true,
        };
        WriteScope::new(&policy, root, Path::new("/nonexistent/codex_home"))
    }

    fn canonical_tempdir() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        (dir, root)
    }

    #[test]
    fn a_directory_swapped_for_a_symlink_after_the_check_gets_nothing_written_anywhere() {
        let (_workspace, root) = canonical_tempdir();
        let (_outside, outside) = canonical_tempdir();
        fs::create_dir(root.join("dir")).unwrap();
        fs::write(root.join("top.txt"), "top\n").unwrap();
        let patch = "*** Begin Patch
*** Update File: top.txt
@@
-top
+TOP
*** Add File: dir/new.txt
+new
*** End Patch";
        let plan = plan_patch(patch, &root).unwrap();
        // What a command racing the patch does between the check and the write.
        fs::rename(root.join("dir"), root.join("real")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("dir")).unwrap();
        let before = snapshot(&root);

        let error = plan.commit(&workspace_scope(&root)).unwrap_err();

        assert!(
            matches!(&error, ApplyPatchError::LinkInPath { path } if *path == root.join("dir/new.txt")),
            "{error:?}"
        );
        assert_eq!(snapshot(&outside), BTreeMap::new());
        assert_eq!(snapshot(&root), before, "not even top.txt changed");
    }

    #[test]
    fn read_only_entries_and_paths_outside_the_roots_need_the_host_s_approval() {
        let (_workspace, root) = canonical_tempdir();
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::write(root.join(".git/config"), "[core]\n").unwrap();
        let scope = workspace_scope(&root);
        let patch = "*** Begin Patch
*** Add File: src/fine.txt
+fine
*** Update File: src/../.git/config
@@
+\tfsmonitor = evil
*** End Patch";
        let before = snapshot(&root);

        let error = apply_patch(patch, &root, &scope).unwrap_err();

        assert_eq!(
            error.to_string(),
            format!(
                "{0}/.git/config is read-only ({0}/.git stays read-only inside the writable roots)",
                root.display()
            )
        );
        assert_eq!(snapshot(&root), before);
        let error = apply_patch(
            "*** Begin Patch\n*** Add File: ../../outside.txt\n+x\n*** End Patch",
            &root.join("src"),
            &scope,
        )
        .unwrap_err();
        assert!(
            matches!(
                &error,
                ApplyPatchError::NotWritable {
                    access: PathAccess::OutsideRoots,
                    ..
                }
            ),
            "{error:?}"
        );

        let mut approved = scope.clone();
        approved.approve(root.join(".git/config"));
        apply_patch(patch, &root, &approved).unwrap();
        assert_eq!(
            fs::read_to_string(root.join(".git/config")).unwrap(),
            "[core]\n\tfsmonitor = evil\n"
        );
        assert_eq!(
            fs::read_to_string(root.join("src/fine.txt")).unwrap(),
            "fine\n"
        );
    }

    #[test]
    fn a_move_reads_and_removes_the_source_and_writes_the_destination_confined() {
        let (_workspace, root) = canonical_tempdir();
        fs::create_dir(root.join("a")).unwrap();
        fs::write(root.join("a/src.txt"), "x\n").unwrap();
        let scope = workspace_scope(&root);
        let into_codex = "*** Begin Patch
*** Update File: a/src.txt
*** Move to: .codex/config.toml
@@
+y
*** End Patch";
        let error = apply_patch(into_codex, &root, &scope).unwrap_err();
        assert!(
            matches!(&error, ApplyPatchError::NotWritable { path, .. } if *path == root.join(".codex/config.toml")),
            "{error:?}"
        );
        assert_eq!(snapshot(&root), files(&[("a/src.txt", "x\n")]));

        let patch = "*** Begin Patch
*** Update File: a/src.txt
*** Move to: b/new/dst.txt
@@
+y
*** End Patch";
        apply_patch(patch, &root, &scope).unwrap();
        assert_eq!(snapshot(&root), files(&[("b/new/dst.txt", "x\ny\n")]));
    }

    #[test]
    fn symlinks_are_resolved_once_when_planning() {
        let (_workspace, root) = canonical_tempdir();
        let (_outside, outside) = canonical_tempdir();
        fs::create_dir(root.join("sub")).unwrap();
        fs::write(root.join("real.txt"), "real\n").unwrap();
        std::os::unix::fs::symlink("real.txt", root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink("sub", root.join("alias")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("out")).unwrap();
        let scope = workspace_scope(&root);

        let edit = "*** Begin Patch\n*** Update File: link.txt\n@@\n+more\n*** Add File: alias/new.txt\n+n\n*** End Patch";
        let plan = plan_patch(edit, &root).unwrap();
        assert_eq!(
            plan.touched_paths(),
            [root.join("real.txt"), root.join("sub/new.txt")]
        );
        plan.commit(&scope).unwrap();
        assert_eq!(
            fs::read_to_string(root.join("real.txt")).unwrap(),
            "real\nmore\n"
        );
        assert!(
            fs::symlink_metadata(root.join("link.txt"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(root.join("sub/new.txt")).unwrap(), "n\n");

        // Deleting a link removes the link, not what it points to.
        apply_patch(
            "*** Begin Patch\n*** Delete File: link.txt\n*** End Patch",
            &root,
            &scope,
        )
        .unwrap();
        assert!(!root.join("link.txt").exists());
        assert_eq!(
            fs::read_to_string(root.join("real.txt")).unwrap(),
            "real\nmore\n"
        );

        // A link to the outside makes the path an outside path.
        let error = apply_patch(
            "*** Begin Patch\n*** Add File: out/x.txt\n+x\n*** End Patch",
            &root,
            &scope,
        )
        .unwrap_err();
        assert!(
            matches!(&error, ApplyPatchError::NotWritable { path, access: PathAccess::OutsideRoots } if *path == outside.join("x.txt")),
            "{error:?}"
        );
        assert_eq!(snapshot(&outside), BTreeMap::new());
    }

    #[test]
    fn a_failure_while_renaming_into_place_restores_every_change() {
        let (_workspace, root) = canonical_tempdir();
        fs::write(root.join("a.txt"), "alpha\n").unwrap();
        fs::write(root.join("gone.txt"), "bye\n").unwrap();
        let before = snapshot(&root);
        let patch = "*** Begin Patch
*** Update File: a.txt
-alpha
+ALPHA
*** Delete File: gone.txt
*** Add File: fresh/new.txt
+new
*** Add File: z.txt
+last
*** End Patch";
        let plan = plan_patch(patch, &root).unwrap();
        let staged = plan.files.stage(&workspace_scope(&root)).unwrap();
        // The last change's temp file vanishes, so renaming it into place fails after the others succeeded.
        let StagedAction::Write { temp, .. } = &staged.changes[3].action else {
            panic!("z.txt is a write");
        };
        fs::remove_file(root.join(temp)).unwrap();

        let error = staged.apply().unwrap_err();

        assert!(
            matches!(&error, ApplyPatchError::Write { path, .. } if *path == root.join("z.txt")),
            "{error:?}"
        );
        assert_eq!(
            snapshot(&root),
            before,
            "everything is back, no temp file or backup is left"
        );
        assert!(!root.join("fresh").exists());
    }
}
