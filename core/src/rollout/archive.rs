//! Finding a thread's rollout by id and moving it between `CODEX_HOME/sessions/YYYY/MM/DD/` and the
//! flat `CODEX_HOME/archived_sessions/`. Moves are single renames, so a rollout is always in exactly
//! one place.

use std::io;
use std::path::Path;
use std::path::PathBuf;

use super::layout::ARCHIVED_SESSIONS_DIR;
use super::layout::RolloutFileName;
use super::layout::SESSIONS_DIR;

/// Where the rollout of `thread_id` is, and whether it is archived. Live rollouts are searched first.
pub async fn find_thread_path(
    codex_home: &Path,
    thread_id: &str,
) -> io::Result<Option<(PathBuf, bool)>> {
    // An id that could climb out of CODEX_HOME never names a rollout.
    if thread_id.is_empty() || thread_id.contains(['/', '\\']) || thread_id.contains("..") {
        return Ok(None);
    }
    let codex_home = codex_home.to_path_buf();
    let thread_id = thread_id.to_string();
    tokio::task::spawn_blocking(move || {
        let sessions = codex_home.join(SESSIONS_DIR);
        let mut day_dirs = Vec::new();
        for year in sorted_subdirs(&sessions)? {
            for month in sorted_subdirs(&year)? {
                day_dirs.extend(sorted_subdirs(&month)?);
            }
        }
        for dir in day_dirs {
            if let Some(path) = rollout_of(&dir, &thread_id)? {
                return Ok(Some((path, false)));
            }
        }
        let archived = rollout_of(&codex_home.join(ARCHIVED_SESSIONS_DIR), &thread_id)?;
        Ok(archived.map(|path| (path, true)))
    })
    .await
    .map_err(io::Error::other)?
}

/// The subdirectories of `dir`, newest (highest name) first; none if `dir` does not exist.
pub(crate) fn sorted_subdirs(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            dirs.push(entry.path());
        }
    }
    dirs.sort_by(|a, b| b.cmp(a));
    Ok(dirs)
}

fn rollout_of(dir: &Path, thread_id: &str) -> io::Result<Option<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    for entry in entries {
        let entry = entry?;
        let Some(name) = entry.file_name().to_str().and_then(RolloutFileName::parse) else {
            continue;
        };
        if name.thread_id == thread_id {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

/// Moves a live rollout into `CODEX_HOME/archived_sessions/` under the same file name.
pub async fn archive_thread(codex_home: &Path, path: &Path) -> io::Result<PathBuf> {
    let file_name = rollout_file_name(path)?;
    let archived_dir = codex_home.join(ARCHIVED_SESSIONS_DIR);
    let target = archived_dir.join(file_name.file_name());
    move_rollout(path.to_path_buf(), archived_dir, target).await
}

/// Moves an archived rollout back to the `sessions/YYYY/MM/DD/` its file name places it in.
pub async fn unarchive_thread(codex_home: &Path, archived_path: &Path) -> io::Result<PathBuf> {
    let file_name = rollout_file_name(archived_path)?;
    let sessions_dir = file_name.sessions_dir(codex_home);
    let target = sessions_dir.join(file_name.file_name());
    move_rollout(archived_path.to_path_buf(), sessions_dir, target).await
}

fn rollout_file_name(path: &Path) -> io::Result<RolloutFileName> {
    RolloutFileName::from_path(path).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a rollout file", path.display()),
        )
    })
}

async fn move_rollout(
    source: PathBuf,
    target_dir: PathBuf,
    target: PathBuf,
) -> io::Result<PathBuf> {
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&target_dir)?;
        // rename would silently replace an existing rollout of the same name.
        if target.try_exists()? {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists", target.display()),
            ));
        }
        std::fs::rename(&source, &target)?;
        Ok(target)
    })
    .await
    .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::rollout::list::ThreadListQuery;
    use crate::rollout::list::list_threads;
    use crate::rollout::reader::load_rollout;
    use crate::rollout::recorder::RolloutRecorder;
    use crate::rollout::test_support::session_meta;
    use crate::rollout::test_support::user_message;

    #[tokio::test]
    async fn archive_and_unarchive_round_trip_and_find_follows_the_file() {
        let home = tempfile::tempdir().unwrap();
        let meta = session_meta("0194f0c2-0000-7000-8000-000000000001", 1_770_286_272);
        let recorder = RolloutRecorder::create(home.path(), meta.clone())
            .await
            .unwrap();
        recorder.record_copied(vec![user_message("turn-1", "keep me")]);
        recorder.shutdown().await.unwrap();
        let live = recorder.path().to_path_buf();
        let other = RolloutRecorder::create(home.path(), session_meta("other", 1_770_286_273))
            .await
            .unwrap();
        other.shutdown().await.unwrap();

        assert_eq!(
            find_thread_path(home.path(), &meta.id).await.unwrap(),
            Some((live.clone(), false))
        );

        let archived = archive_thread(home.path(), &live).await.unwrap();
        assert_eq!(
            archived,
            home.path()
                .join(ARCHIVED_SESSIONS_DIR)
                .join(live.file_name().unwrap())
        );
        assert!(!live.exists());
        assert_eq!(
            find_thread_path(home.path(), &meta.id).await.unwrap(),
            Some((archived.clone(), true))
        );
        let archived_page = list_threads(
            home.path(),
            ThreadListQuery {
                archived: true,
                ..ThreadListQuery::default()
            },
        )
        .await
        .unwrap();
        let live_page = list_threads(home.path(), ThreadListQuery::default())
            .await
            .unwrap();
        let ids = |page: &crate::rollout::list::ThreadListPage| {
            page.items
                .iter()
                .map(|summary| summary.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            (ids(&archived_page), ids(&live_page)),
            (vec![meta.id.clone()], vec!["other".to_string()])
        );

        let restored = unarchive_thread(home.path(), &archived).await.unwrap();
        assert_eq!(restored, live);
        assert_eq!(
            find_thread_path(home.path(), &meta.id).await.unwrap(),
            Some((live.clone(), false))
        );
        let loaded = load_rollout(&restored).await.unwrap();
        assert_eq!(
            (loaded.meta, loaded.items),
            (meta, vec![user_message("turn-1", "keep me")])
        );
    }

    #[tokio::test]
    async fn unknown_or_path_like_ids_are_not_found() {
        let home = tempfile::tempdir().unwrap();
        RolloutRecorder::create(home.path(), session_meta("real", 1_770_286_272))
            .await
            .unwrap()
            .shutdown()
            .await
            .unwrap();
        for id in ["missing", "", "../real", "a/b"] {
            assert_eq!(
                find_thread_path(home.path(), id).await.unwrap(),
                None,
                "{id}"
            );
        }
    }

    #[tokio::test]
    async fn moves_refuse_to_replace_an_existing_rollout_or_a_foreign_file() {
        let home = tempfile::tempdir().unwrap();
        let recorder = RolloutRecorder::create(home.path(), session_meta("t", 1_770_286_272))
            .await
            .unwrap();
        recorder.shutdown().await.unwrap();
        let archived_dir = home.path().join(ARCHIVED_SESSIONS_DIR);
        std::fs::create_dir_all(&archived_dir).unwrap();
        std::fs::write(
            archived_dir.join(recorder.path().file_name().unwrap()),
            "older copy\n",
        )
        .unwrap();

        let clash = archive_thread(home.path(), recorder.path())
            .await
            .unwrap_err();
        assert_eq!(clash.kind(), io::ErrorKind::AlreadyExists);
        assert!(recorder.path().exists());

        let foreign = archive_thread(home.path(), &home.path().join("notes.txt"))
            .await
            .unwrap_err();
        assert_eq!(foreign.kind(), io::ErrorKind::InvalidInput);
    }
}
