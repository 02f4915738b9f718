//! The name of a stored thread without rereading its whole rollout every listing: a process-wide
//! cache of (bytes scanned, last `thread_name` seen) per rollout path. Rollouts are append-only, so a
//! later lookup scans only what was appended since; a file that shrank is rescanned from the start.

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::io::BufRead;
use std::io::BufReader;
use std::io::Seek;
use std::io::SeekFrom;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::OnceLock;

use super::item::RolloutItem;
use super::reader::ParsedLine;

/// Our writer emits compact JSON, so a `thread_name` line always contains this; other lines are not
/// parsed at all.
const THREAD_NAME_MARKER: &[u8] = br#""type":"thread_name""#;

#[derive(Debug, Clone, Default)]
struct ScannedName {
    /// Offset just past the last complete line scanned.
    scanned_len: u64,
    name: Option<String>,
}

fn cache() -> &'static Mutex<HashMap<PathBuf, ScannedName>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, ScannedName>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// The name the rollout at `path` ends with (the last `thread_name` line), blocking.
pub(crate) fn thread_name(path: &Path) -> io::Result<Option<String>> {
    let cached = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(path)
        .cloned()
        .unwrap_or_default();
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut scanned = if len < cached.scanned_len {
        ScannedName::default()
    } else {
        cached
    };
    if len > scanned.scanned_len {
        file.seek(SeekFrom::Start(scanned.scanned_len))?;
        let mut reader = BufReader::new(file);
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = reader.read_until(b'\n', &mut line)?;
            // A line still being written is left for the next lookup.
            if read == 0 || line.last() != Some(&b'\n') {
                break;
            }
            scanned.scanned_len += read as u64;
            if !line
                .windows(THREAD_NAME_MARKER.len())
                .any(|window| window == THREAD_NAME_MARKER)
            {
                continue;
            }
            match ParsedLine::parse(&line) {
                ParsedLine::Item(RolloutItem::ThreadName { name }) => scanned.name = name,
                ParsedLine::Item(_) | ParsedLine::UnknownKind(_) | ParsedLine::Invalid(_) => {}
            }
        }
        cache()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(path.to_path_buf(), scanned.clone());
    }
    Ok(scanned.name)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use pretty_assertions::assert_eq;

    use super::*;
    use crate::rollout::item::RolloutLine;

    fn name_line(name: Option<&str>) -> String {
        let line = RolloutLine {
            timestamp: "2026-02-05T10:11:12.000Z".to_string(),
            item: RolloutItem::ThreadName {
                name: name.map(str::to_string),
            },
        };
        format!("{}\n", serde_json::to_string(&line).unwrap())
    }

    #[test]
    fn follows_appends_ignores_a_partial_line_and_rescans_a_shrunk_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rollout.jsonl");
        std::fs::write(&path, name_line(Some("first"))).unwrap();
        assert_eq!(thread_name(&path).unwrap(), Some("first".to_string()));

        let second = name_line(Some("second"));
        let (head, tail) = second.split_at(10);
        let mut file = File::options().append(true).open(&path).unwrap();
        file.write_all(head.as_bytes()).unwrap();
        assert_eq!(thread_name(&path).unwrap(), Some("first".to_string()));
        file.write_all(tail.as_bytes()).unwrap();
        assert_eq!(thread_name(&path).unwrap(), Some("second".to_string()));
        file.write_all(name_line(None).as_bytes()).unwrap();
        assert_eq!(thread_name(&path).unwrap(), None);

        std::fs::write(&path, name_line(Some("rewritten"))).unwrap();
        assert_eq!(thread_name(&path).unwrap(), Some("rewritten".to_string()));
    }
}
