//! Removing a thread's rollout file for good (`thread/delete`).

use std::io;
use std::path::Path;

use super::layout::RolloutFileName;

/// Removes the rollout at `path`, refusing any path that is not a rollout file name, so a bad lookup can
/// never remove another file.
pub async fn delete_rollout(path: &Path) -> io::Result<()> {
    if RolloutFileName::from_path(path).is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a rollout file", path.display()),
        ));
    }
    tokio::fs::remove_file(path).await
}
