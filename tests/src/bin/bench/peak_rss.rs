//! The peak resident memory of a server and the processes it started, read from `/proc`.

use std::collections::HashMap;

/// Sum of the peak resident set (VmHWM) of `pid` and its descendants, in MB; a launcher such as the npm
/// `codex` script runs the real server as a child process.
pub(crate) fn peak_rss_mb(pid: u32) -> Option<f64> {
    let mut children_of: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(candidate) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name in parentheses may contain spaces; the parent pid is the second field
        // after it.
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|parent| parent.parse::<u32>().ok());
        if let Some(parent) = parent {
            children_of.entry(parent).or_default().push(candidate);
        }
    }
    let mut pending = vec![pid];
    let mut total_kb = 0_u64;
    let mut found = false;
    while let Some(current) = pending.pop() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{current}/status")) {
            let kb = status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.split_whitespace().next())
                .and_then(|value| value.parse::<u64>().ok());
            if let Some(kb) = kb {
                total_kb += kb;
                found = true;
            }
        }
        pending.extend(children_of.get(&current).into_iter().flatten());
    }
    found.then(|| total_kb as f64 / 1024.0)
}
