//! `write_atomic`: replaces a file in `CODEX_HOME` (`config.toml`, `auth.json`) by writing a temp file beside
//! it (`tempfile`) and renaming it over the target, so a reader sees the old file or the new one. A write cut
//! short (the daemon killed before the rename) leaves its temp file behind, possibly holding secrets; at
//! start-up the daemon removes such leftovers (`remove_stale_temp_files`).

use std::io::Write;
use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;
use std::time::SystemTime;

/// How long a temp file must have been left untouched before start-up removes it. A write takes milliseconds,
/// so an older one is not in progress; a younger one may be the write of another daemon sharing `CODEX_HOME`
/// (which a process id in the name could not tell reliably across pid namespaces or after pid reuse).
pub const STALE_TEMP_FILE_AGE: Duration = Duration::from_secs(60);

const TEMP_SUFFIX: &str = ".tmp";
/// Length of the random part of a temp file name, `.<file name>.<random>.tmp`.
const TEMP_RANDOM_LEN: usize = 12;

/// Who may read a file that `write_atomic` replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// Owner read and write only (0600), whatever the umask, an inherited ACL, or the file before: secrets.
    OwnerOnly,
    /// The permissions of the file being replaced; a new file gets the default (0666 less the umask).
    KeepExisting,
}

/// Why `write_atomic` left the target as it was.
#[derive(Debug, thiserror::Error)]
pub enum AtomicWriteError {
    #[error("cannot create a temp file in {}: {source}", dir.display())]
    CreateTemp {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the temp file for {}: {source}", path.display())]
    WriteTemp {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot replace {}: {source}", path.display())]
    Replace {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Replaces `path` with `bytes`: a temp file in the same directory (which must exist) is written, synced,
/// given `mode`'s permissions, and renamed over `path`. On any error the temp file is removed and `path` is
/// untouched.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: FileMode) -> Result<(), AtomicWriteError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let existing = match mode {
        FileMode::OwnerOnly => None,
        FileMode::KeepExisting => std::fs::metadata(path).ok().map(|meta| meta.permissions()),
    };
    // tempfile creates its files 0600, so content is never readable by others while being written; a new
    // config file is created 0666 instead, for the umask to narrow as it would for any new file.
    let create_mode = match (mode, &existing) {
        (FileMode::KeepExisting, None) => Some(0o666),
        (FileMode::KeepExisting, Some(_)) | (FileMode::OwnerOnly, _) => None,
    };
    let mut temp = create_temp_file(dir, &file_name, create_mode).map_err(|source| {
        AtomicWriteError::CreateTemp {
            dir: dir.to_path_buf(),
            source,
        }
    })?;
    let write_error = |source| AtomicWriteError::WriteTemp {
        path: path.to_path_buf(),
        source,
    };
    temp.write_all(bytes).map_err(write_error)?;
    let permissions = match mode {
        FileMode::OwnerOnly => owner_only(),
        FileMode::KeepExisting => existing,
    };
    if let Some(permissions) = permissions {
        temp.as_file()
            .set_permissions(permissions)
            .map_err(write_error)?;
    }
    temp.as_file().sync_all().map_err(write_error)?;
    temp.persist(path)
        .map_err(|err| AtomicWriteError::Replace {
            path: path.to_path_buf(),
            source: err.error,
        })?;
    Ok(())
}

/// 0600, pinned explicitly: the umask cannot widen it, but a default ACL on the directory might.
fn owner_only() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    None
}

/// A temp file in `dir` named `.<file name>.<random>.tmp`, so that `remove_stale_temp_files` can tell it
/// apart; created with `mode` (less the umask) when given, else 0600.
fn create_temp_file(
    dir: &Path,
    file_name: &str,
    mode: Option<u32>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(&prefix)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM_LEN);
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder.tempfile_in(dir)
}

/// Removes from `dir` the temp files that writes of `file_names` left behind, when they were last modified
/// more than `older_than` ago; returns the removed paths. Only regular files named exactly as
/// [`write_atomic`] names them (or as earlier versions did, with a UUID) are candidates: anything else in
/// `dir` is left alone.
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

/// Whether `name` is `.<file_name>.<random>.tmp`, the random part being `write_atomic`'s or the UUID that
/// earlier versions used.
fn is_temp_name_of(name: &str, file_name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(file_name))
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|id| {
            (id.len() == TEMP_RANDOM_LEN && id.bytes().all(|byte| byte.is_ascii_alphanumeric()))
                || uuid::Uuid::try_parse(id).is_ok()
        })
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

    /// A temp file as `write_atomic` names it for `file_name`, left behind in `dir`.
    fn leftover(dir: &Path, file_name: &str) -> PathBuf {
        create_temp_file(dir, file_name, None)
            .expect("temp file")
            .into_temp_path()
            .keep()
            .expect("keep")
    }

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    }

    #[test]
    fn temp_paths_are_recognised_as_the_targets_own() {
        let home = tempfile::tempdir().expect("tempdir");
        let temp = leftover(home.path(), "auth.json");
        assert_eq!(temp.parent(), Some(home.path()));
        let name = temp
            .file_name()
            .and_then(|name| name.to_str())
            .expect("name");
        assert!(is_temp_name_of(name, "auth.json"), "{name}");
        assert!(!is_temp_name_of(name, "config.toml"), "{name}");
        assert_ne!(temp, leftover(home.path(), "auth.json"));
        // Earlier versions named them with a UUID.
        assert!(is_temp_name_of(
            ".auth.json.0b5e3d0e-7c38-4f3e-9d4e-2f4c1b1f5e6a.tmp",
            "auth.json"
        ));
    }

    #[cfg(unix)]
    #[test]
    fn owner_only_files_are_0600_whatever_was_there() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().expect("tempdir");
        let path = home.path().join("auth.json");
        write_atomic(&path, b"one", FileMode::OwnerOnly).expect("write new");
        assert_eq!(mode_of(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_atomic(&path, b"two", FileMode::OwnerOnly).expect("rewrite");
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
    }

    #[cfg(unix)]
    #[test]
    fn kept_mode_is_the_existing_one_or_the_default_for_a_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let home = tempfile::tempdir().expect("tempdir");
        let path = home.path().join("config.toml");
        write_atomic(&path, b"a = 1", FileMode::KeepExisting).expect("write new");
        let plain = home.path().join("plain");
        std::fs::write(&plain, b"").expect("write plain");
        assert_eq!(
            mode_of(&path),
            mode_of(&plain),
            "umask applies as to any new file"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_atomic(&path, b"a = 2", FileMode::KeepExisting).expect("rewrite");
        assert_eq!(mode_of(&path), 0o640);
    }

    #[test]
    fn content_is_replaced_by_a_rename_leaving_no_temp_file() {
        let home = tempfile::tempdir().expect("tempdir");
        let path = home.path().join("config.toml");
        std::fs::write(&path, b"old").expect("write");
        // A reader that opened the old file keeps reading the old file, never a half-written new one.
        let mut reader = std::fs::File::open(&path).expect("open");
        write_atomic(&path, b"new content", FileMode::KeepExisting).expect("replace");
        let mut seen = String::new();
        std::io::Read::read_to_string(&mut reader, &mut seen).expect("read old");
        assert_eq!(seen, "old");
        assert_eq!(std::fs::read(&path).expect("read new"), b"new content");
        assert_eq!(names_in(home.path()), vec!["config.toml".to_string()]);
    }

    #[test]
    fn a_missing_directory_is_an_error_and_creates_nothing() {
        let home = tempfile::tempdir().expect("tempdir");
        let path = home.path().join("missing").join("auth.json");
        let err = write_atomic(&path, b"x", FileMode::OwnerOnly).expect_err("no directory");
        assert!(
            matches!(&err, AtomicWriteError::CreateTemp { dir, .. } if dir == &home.path().join("missing")),
            "{err:?}"
        );
        assert_eq!(names_in(home.path()), Vec::<String>::new());
    }

    #[test]
    fn a_failed_rename_leaves_the_target_and_removes_the_temp_file() {
        let home = tempfile::tempdir().expect("tempdir");
        let path = home.path().join("config.toml");
        std::fs::create_dir(&path).expect("a directory in the way");
        std::fs::write(path.join("keep"), b"").expect("write");
        let err = write_atomic(&path, b"x", FileMode::KeepExisting).expect_err("cannot replace");
        assert!(matches!(err, AtomicWriteError::Replace { .. }), "{err:?}");
        assert_eq!(names_in(home.path()), vec!["config.toml".to_string()]);
    }

    #[test]
    fn only_our_stale_temp_files_are_removed() {
        let home = tempfile::tempdir().expect("tempdir");
        let hour = Duration::from_secs(3600);
        let stale_config = leftover(home.path(), "config.toml");
        let stale_auth = leftover(home.path(), "auth.json");
        let stale_legacy = home
            .path()
            .join(".auth.json.0b5e3d0e-7c38-4f3e-9d4e-2f4c1b1f5e6a.tmp");
        let in_progress = leftover(home.path(), "auth.json");
        write_aged(&stale_config, hour);
        write_aged(&stale_auth, hour);
        write_aged(&stale_legacy, hour);
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
        let directory = leftover(home.path(), "config.toml");
        std::fs::remove_file(&directory).expect("rm");
        std::fs::create_dir(&directory).expect("mkdir");

        let mut removed = remove_stale_temp_files(
            home.path(),
            &["config.toml", "auth.json"],
            STALE_TEMP_FILE_AGE,
        );
        removed.sort();
        let mut expected = vec![stale_config, stale_auth, stale_legacy];
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
