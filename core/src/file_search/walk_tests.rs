use std::fs;
use std::path::Path;

use pretty_assertions::assert_eq;

use super::*;

fn touch(root: &Path, path: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, "").expect("write");
}

/// Every entry as `(root, path, kind)`, sorted.
fn entries(roots: &[String]) -> Vec<(usize, String, EntryKind)> {
    let walked = walk(roots, &CancellationToken::new()).expect("walked");
    let index = &walked.index;
    let mut entries: Vec<_> = (0..index.len())
        .map(|position| {
            let entry = index.entry(position);
            (entry.root, entry.path.to_string(), entry.kind)
        })
        .collect();
    entries.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    entries
}

fn paths(roots: &[String]) -> Vec<String> {
    entries(roots)
        .into_iter()
        .map(|(_, path, _)| path)
        .collect()
}

#[test]
fn hidden_entries_are_found_and_gitignore_applies_only_inside_a_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    for path in [".env", "src/main.rs", "target/out.rs", "app.log"] {
        touch(dir.path(), path);
    }
    fs::write(dir.path().join(".gitignore"), "target/\n*.log\n").expect("write");
    let roots = vec![dir.path().display().to_string()];
    assert_eq!(
        paths(&roots),
        vec![
            "",
            ".env",
            ".gitignore",
            "app.log",
            "src",
            "src/main.rs",
            "target",
            "target/out.rs"
        ]
    );
    fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    assert_eq!(
        paths(&roots),
        vec!["", ".env", ".git", ".gitignore", "src", "src/main.rs"]
    );
}

#[test]
fn dot_ignore_applies_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    touch(dir.path(), "keep.txt");
    touch(dir.path(), "skip.txt");
    fs::write(dir.path().join(".ignore"), "skip.txt\n").expect("write");
    let roots = vec![dir.path().display().to_string()];
    assert_eq!(paths(&roots), vec!["", ".ignore", "keep.txt"]);
}

#[test]
fn an_entry_belongs_to_the_deepest_root_and_is_listed_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    touch(dir.path(), "Main.rs");
    touch(dir.path(), "src/main.rs");
    let top = dir.path().display().to_string();
    let src = dir.path().join("src").display().to_string();
    let roots = vec![src.clone(), top.clone(), top];
    assert_eq!(
        entries(&roots),
        vec![
            (0, String::new(), EntryKind::Directory),
            (1, String::new(), EntryKind::Directory),
            (1, "Main.rs".to_string(), EntryKind::File),
            (0, "main.rs".to_string(), EntryKind::File),
        ]
    );
}

#[test]
fn a_missing_root_finds_nothing_and_symlinked_directories_are_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    touch(dir.path(), "real/lib.rs");
    std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("link")).expect("symlink");
    let missing = dir.path().join("missing").display().to_string();
    assert_eq!(paths(&[missing]), Vec::<String>::new());
    let roots = vec![dir.path().display().to_string()];
    assert_eq!(
        paths(&roots),
        vec!["", "link", "link/lib.rs", "real", "real/lib.rs"]
    );
}

#[test]
fn a_cancelled_walk_answers_cancelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    touch(dir.path(), "a.txt");
    let cancel = CancellationToken::new();
    cancel.cancel();
    let roots = vec![dir.path().display().to_string()];
    assert!(matches!(walk(&roots, &cancel), Err(SearchError::Cancelled)));
}

#[test]
fn one_root_however_written_gives_the_same_relative_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    touch(dir.path(), "a/b.rs");
    let root = dir.path().display().to_string();
    let expected = vec![String::new(), "a".to_string(), "a/b.rs".to_string()];
    for written in [
        root.clone(),
        format!("{root}/"),
        format!("{root}//"),
        format!("{root}/."),
    ] {
        assert_eq!(paths(std::slice::from_ref(&written)), expected, "{written}");
    }
}
