//! Upstream Codex's thread names: `CODEX_HOME/session_index.jsonl`, one
//! `{"id","thread_name","updated_at"}` line per rename, the last line of a thread winning. We read
//! it for threads whose rollout names none (upstream's), and append to it when we name a thread so
//! upstream shows the name too; a cleared name is written as `""`, which reads as no name.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io;
use std::io::BufRead;
use std::io::BufReader;
use std::io::Write;
use std::path::Path;

use serde::Deserialize;
use serde::Serialize;

pub const SESSION_INDEX_FILE: &str = "session_index.jsonl";

#[derive(Debug, Serialize, Deserialize)]
struct SessionIndexEntry {
    id: String,
    #[serde(default)]
    thread_name: String,
    /// RFC 3339 UTC.
    #[serde(default)]
    updated_at: String,
}

/// Every thread's last name in the index, blocking; an absent index names nothing. Unreadable
/// lines (a torn last line) are skipped.
pub(crate) fn index_names(codex_home: &Path) -> io::Result<HashMap<String, String>> {
    let file = match std::fs::File::open(codex_home.join(SESSION_INDEX_FILE)) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(err) => return Err(err),
    };
    let mut names = HashMap::new();
    for line in BufReader::new(file).split(b'\n') {
        match serde_json::from_slice::<SessionIndexEntry>(&line?) {
            Ok(entry) if entry.thread_name.is_empty() => names.remove(&entry.id),
            Ok(entry) => names.insert(entry.id, entry.thread_name),
            Err(err) => {
                tracing::debug!("{SESSION_INDEX_FILE}: skipped unreadable line: {err}");
                None
            }
        };
    }
    Ok(names)
}

/// The name the index gives `thread_id`; `None` (logged) when it cannot be read.
pub async fn indexed_thread_name(codex_home: &Path, thread_id: &str) -> Option<String> {
    let codex_home = codex_home.to_path_buf();
    let thread_id = thread_id.to_string();
    let read = tokio::task::spawn_blocking(move || index_names(&codex_home)).await;
    match read {
        Ok(Ok(mut names)) => names.remove(&thread_id),
        Ok(Err(err)) => {
            tracing::warn!("reading {SESSION_INDEX_FILE}: {err}");
            None
        }
        Err(join_error) => {
            tracing::warn!("reading {SESSION_INDEX_FILE}: {join_error}");
            None
        }
    }
}

/// Appends `thread_id`'s new name (`None` clears it) as one line written at once.
pub async fn append_indexed_thread_name(
    codex_home: &Path,
    thread_id: &str,
    name: Option<&str>,
) -> io::Result<()> {
    let entry = SessionIndexEntry {
        id: thread_id.to_string(),
        thread_name: name.unwrap_or_default().to_string(),
        updated_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
    };
    let mut line = serde_json::to_vec(&entry)?;
    line.push(b'\n');
    let path = codex_home.join(SESSION_INDEX_FILE);
    tokio::task::spawn_blocking(move || {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?
            .write_all(&line)
    })
    .await
    .map_err(io::Error::other)?
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[tokio::test]
    async fn the_last_name_of_a_thread_wins_and_an_empty_one_clears_it() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(indexed_thread_name(home.path(), "a").await, None);
        std::fs::write(
            home.path().join(SESSION_INDEX_FILE),
            concat!(
                r#"{"id":"a","thread_name":"upstream name","updated_at":"2026-12-04T23:58:12.1Z"}"#,
                "\nnot json\n",
                r#"{"id":"b","thread_name":"other","updated_at":"2026-12-04T23:58:12.2Z"}"#,
                "\n",
            ),
        )
        .unwrap();
        assert_eq!(
            indexed_thread_name(home.path(), "a").await.as_deref(),
            Some("upstream name")
        );
        append_indexed_thread_name(home.path(), "a", Some("renamed"))
            .await
            .unwrap();
        assert_eq!(
            indexed_thread_name(home.path(), "a").await.as_deref(),
            Some("renamed")
        );
        append_indexed_thread_name(home.path(), "a", None)
            .await
            .unwrap();
        assert_eq!(indexed_thread_name(home.path(), "a").await, None);
        assert_eq!(
            indexed_thread_name(home.path(), "b").await.as_deref(),
            Some("other")
        );
    }
}
