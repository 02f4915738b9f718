//! The temp files behind atomic writes in `CODEX_HOME`: `config.toml` and `auth.json` are replaced by writing
//! `.<file name>.<uuid>.tmp` beside them and renaming it over them, so a reader sees the old file or the new
//! one. A write cut short (the daemon killed, the disk full before the rename) leaves its temp file behind,
//! possibly holding secrets; at start-up the daemon removes such leftovers.

use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;
use std::time::SystemTime;

/// How long a temp file must have been left untouched before start-up removes it. A write takes milliseconds,
/// so an older one is not in progress; a younger one may be the write of another daemon sharing `CODEX_HOME`
/// (which a process id in the name could not tell reliably across pid namespaces or after pid reuse).
pub const STALE_TEMP_FILE_AGE: Duration = Duration::from_secs(60);

const TEMP_SUFFIX: &str = ".tmp";

/// A fresh temp path beside `target`, for content that is then renamed over it.
pub(crate) fn temp_path_for(target: &Path) -> PathBuf {
    let file_name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(
        ".{file_name}.{}{TEMP_SUFFIX}",
        uuid::Uuid::new_v4()
    ))
}

/// Removes from `dir` the temp files that writes of `file_names` left behind, when they were last modified
/// more than `older_than` ago; returns the removed paths. Only regular files named exactly as
/// [`temp_path_for`] names them are candidates: anything else in `dir` is left alone.
pub fn remove_stale_temp_files(
    dir: &Path,
    file_names: &[&str],
    older_than: Duration,
) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let now = SystemTime::now();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !file_names
            .iter()
            .any(|file_name| is_temp_name_of(name, file_name))
        {
            continue;
        }
        // `DirEntry::metadata` does not follow symlinks.
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let age = metadata
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok());
        if !metadata.is_file() || age.is_none_or(|age| age <= older_than) {
            continue;
        }
        let path = entry.path();
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(err) => tracing::warn!("cannot remove stale {}: {err}", path.display()),
        }
    }
    removed
}

/// Whether `name` is `.<file_name>.<uuid>.tmp`.
fn is_temp_name_of(name: &str, file_name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(file_name))
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|id| uuid::Uuid::try_parse(id).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read dir")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    fn write_aged(path: &Path, age: Duration) {
        let file = std::fs::File::create(path).expect("create");
        file.set_modified(SystemTime::now() - age)
            .expect("set mtime");
    }

    #[test]
    fn temp_paths_are_recognised_as_the_targets_own() {
        let temp = temp_path_for(Path::new("/home/me/.codex/auth.json"));
        assert_eq!(temp.parent(), Some(Path::new("/home/me/.codex")));
        let name = temp
            .file_name()
            .and_then(|name| name.to_str())
            .expect("name");
        assert!(is_temp_name_of(name, "auth.json"), "{name}");
        assert!(!is_temp_name_of(name, "config.toml"), "{name}");
        assert_ne!(temp, temp_path_for(Path::new("/home/me/.codex/auth.json")));
    }

    #[test]
    fn only_our_stale_temp_files_are_removed() {
        let home = tempfile::tempdir().expect("tempdir");
        let hour = Duration::from_secs(3600);
        let stale_config = temp_path_for(&home.path().join("config.toml"));
        let stale_auth = temp_path_for(&home.path().join("auth.json"));
        let in_progress = temp_path_for(&home.path().join("auth.json"));
        write_aged(&stale_config, hour);
        write_aged(&stale_auth, hour);
        write_aged(&in_progress, Duration::ZERO);
        for unrelated in [
            "config.toml",
            "auth.json",
            ".config.toml.not-a-uuid.tmp",
            ".models_cache.json.0b5e3d0e-7c38-4f3e-9d4e-2f4c1b1f5e6a.tmp",
            ".tmpA1b2C3",
        ] {
            write_aged(&home.path().join(unrelated), hour);
        }
        let directory = temp_path_for(&home.path().join("config.toml"));
        std::fs::create_dir(&directory).expect("mkdir");

        let mut removed = remove_stale_temp_files(
            home.path(),
            &["config.toml", "auth.json"],
            STALE_TEMP_FILE_AGE,
        );
        removed.sort();
        let mut expected = vec![stale_config, stale_auth];
        expected.sort();
        assert_eq!(removed, expected);

        let name = |path: &Path| {
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned()
        };
        let mut kept = vec![
            "config.toml".to_string(),
            "auth.json".to_string(),
            ".config.toml.not-a-uuid.tmp".to_string(),
            ".models_cache.json.0b5e3d0e-7c38-4f3e-9d4e-2f4c1b1f5e6a.tmp".to_string(),
            ".tmpA1b2C3".to_string(),
            name(&in_progress),
            name(&directory),
        ];
        kept.sort();
        assert_eq!(names_in(home.path()), kept);
    }

    #[test]
    fn a_missing_directory_removes_nothing() {
        let home = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            remove_stale_temp_files(&home.path().join("missing"), &["auth.json"], Duration::ZERO),
            Vec::<PathBuf>::new()
        );
    }
}
