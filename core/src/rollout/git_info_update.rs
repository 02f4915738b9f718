//! The git metadata a host set on a stored thread (`thread/metadata/update`): appended as a
//! `thread_git_info` line, found again by scanning for that line.

use std::fs::File;
use std::io;
use std::io::BufRead;
use std::io::BufReader;
use std::path::Path;

use super::item::RolloutItem;
use super::reader::ParsedLine;
use super::session_meta::GitInfo;

/// Our writer emits compact JSON, so a `thread_git_info` line always contains this.
const GIT_INFO_MARKER: &[u8] = br#""type":"thread_git_info""#;

/// The git metadata of the last `thread_git_info` line of the rollout at `path` (`Some(None)` when it
/// cleared it); `None` when the host never set any. Blocking.
pub fn latest_git_info(path: &Path) -> io::Result<Option<Option<GitInfo>>> {
    let mut reader = BufReader::new(File::open(path)?);
    let mut latest = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 || line.last() != Some(&b'\n') {
            break;
        }
        if !line
            .windows(GIT_INFO_MARKER.len())
            .any(|window| window == GIT_INFO_MARKER)
        {
            continue;
        }
        match ParsedLine::parse(&line) {
            ParsedLine::Item(RolloutItem::ThreadGitInfo { git }) => latest = Some(git),
            ParsedLine::Item(_) | ParsedLine::UnknownKind(_) | ParsedLine::Invalid(_) => {}
        }
    }
    Ok(latest)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use pretty_assertions::assert_eq;

    use super::*;
    use crate::rollout::item::RolloutLine;

    fn line(item: RolloutItem) -> String {
        let line = RolloutLine {
            timestamp: "2026-02-05T10:11:12.000Z".to_string(),
            item,
        };
        format!("{}\n", serde_json::to_string(&line).unwrap())
    }

    #[test]
    fn the_last_complete_update_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rollout.jsonl");
        std::fs::write(&path, line(RolloutItem::ThreadName { name: None })).unwrap();
        assert_eq!(latest_git_info(&path).unwrap(), None);

        let git = GitInfo {
            commit_hash: Some("abc".to_string()),
            branch: Some("main".to_string()),
            repository_url: None,
        };
        let mut file = File::options().append(true).open(&path).unwrap();
        file.write_all(
            line(RolloutItem::ThreadGitInfo {
                git: Some(git.clone()),
            })
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(latest_git_info(&path).unwrap(), Some(Some(git.clone())));

        // A line still being written does not count yet.
        let cleared = line(RolloutItem::ThreadGitInfo { git: None });
        file.write_all(&cleared.as_bytes()[..cleared.len() - 1])
            .unwrap();
        assert_eq!(latest_git_info(&path).unwrap(), Some(Some(git)));
        file.write_all(b"\n").unwrap();
        assert_eq!(latest_git_info(&path).unwrap(), Some(None));
    }
}
