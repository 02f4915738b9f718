//! Where rollouts live and how they are named: `CODEX_HOME/sessions/YYYY/MM/DD/
//! rollout-<YYYY-MM-DDThh-mm-ss>-<thread id>.jsonl` (UTC), archived ones flat in
//! `CODEX_HOME/archived_sessions/` under the same file name.

use std::path::Path;
use std::path::PathBuf;

use chrono::DateTime;
use chrono::Datelike;
use chrono::NaiveDateTime;
use chrono::Utc;

pub const SESSIONS_DIR: &str = "sessions";
pub const ARCHIVED_SESSIONS_DIR: &str = "archived_sessions";

const FILE_PREFIX: &str = "rollout-";
const FILE_SUFFIX: &str = ".jsonl";
const FILE_TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H-%M-%S";
/// `YYYY-MM-DDThh-mm-ss` is always this long.
const FILE_TIMESTAMP_LEN: usize = 19;

/// What a rollout's file name says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutFileName {
    /// Unix seconds the thread was created at.
    pub created_at: i64,
    pub thread_id: String,
}

impl RolloutFileName {
    /// Parses `rollout-<timestamp>-<id>.jsonl`; `None` for any other file.
    pub fn parse(file_name: &str) -> Option<Self> {
        let stem = file_name
            .strip_prefix(FILE_PREFIX)?
            .strip_suffix(FILE_SUFFIX)?;
        let timestamp = stem.get(..FILE_TIMESTAMP_LEN)?;
        let thread_id = stem.get(FILE_TIMESTAMP_LEN..)?.strip_prefix('-')?;
        if thread_id.is_empty() {
            return None;
        }
        let created = NaiveDateTime::parse_from_str(timestamp, FILE_TIMESTAMP_FORMAT).ok()?;
        Some(Self {
            created_at: created.and_utc().timestamp(),
            thread_id: thread_id.to_string(),
        })
    }

    pub fn from_path(path: &Path) -> Option<Self> {
        Self::parse(path.file_name()?.to_str()?)
    }

    pub fn file_name(&self) -> String {
        let timestamp = utc(self.created_at).format(FILE_TIMESTAMP_FORMAT);
        format!("{FILE_PREFIX}{timestamp}-{}{FILE_SUFFIX}", self.thread_id)
    }

    /// `CODEX_HOME/sessions/YYYY/MM/DD`, the directory a live rollout of this name belongs in.
    pub fn sessions_dir(&self, codex_home: &Path) -> PathBuf {
        let created = utc(self.created_at);
        codex_home
            .join(SESSIONS_DIR)
            .join(format!("{:04}", created.year()))
            .join(format!("{:02}", created.month()))
            .join(format!("{:02}", created.day()))
    }
}

/// Out-of-range seconds (a corrupt meta) fall back to the epoch rather than failing the write.
fn utc(unix_seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix_seconds, 0).unwrap_or_default()
}

/// The timestamp of a rollout line: RFC3339 UTC with milliseconds.
pub(super) fn line_timestamp(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn file_name_round_trips_and_places_by_utc_date() {
        let name = RolloutFileName {
            created_at: 1_770_286_272,
            thread_id: "0194f0c2-7a3b-7c1d-9e2f-0123456789ab".to_string(),
        };
        let file_name = name.file_name();
        assert_eq!(
            file_name,
            "rollout-2026-02-05T10-11-12-0194f0c2-7a3b-7c1d-9e2f-0123456789ab.jsonl"
        );
        assert_eq!(RolloutFileName::parse(&file_name), Some(name.clone()));
        assert_eq!(
            name.sessions_dir(Path::new("/home")),
            PathBuf::from("/home/sessions/2026/02/05")
        );
    }

    #[test]
    fn other_files_are_not_rollouts() {
        for file_name in [
            "notes.txt",
            "rollout-2026-02-05T10-11-12.jsonl",
            "rollout-2026-02-05T10-11-12-.jsonl",
            "rollout-2026-13-05T10-11-12-abc.jsonl",
            "rollout-2026-02-05T10-11-12-abc.json",
        ] {
            assert_eq!(RolloutFileName::parse(file_name), None, "{file_name}");
        }
    }
}
