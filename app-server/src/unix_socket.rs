//! The unix socket of `--listen unix://[PATH]`: its default path, a stale file left by a daemon that died
//! (removed, as upstream does, once nothing answers on it), owner-only permissions, and removal at exit.

use std::io;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::path::PathBuf;

use tokio::net::UnixListener;

use crate::listener_error::ListenerError;

/// Directory of the default socket under `CODEX_HOME`, as upstream.
pub const CONTROL_DIR: &str = "app-server-control";

/// File name of the default socket, as upstream.
pub const CONTROL_SOCKET: &str = "app-server-control.sock";

/// `$CODEX_HOME/app-server-control/app-server-control.sock`.
pub fn default_socket_path(codex_home: &Path) -> PathBuf {
    codex_home.join(CONTROL_DIR).join(CONTROL_SOCKET)
}

/// A bound socket; dropping it removes the socket file.
pub struct BoundUnixSocket {
    pub listener: UnixListener,
    pub guard: SocketFileGuard,
}

/// Binds `path` after creating its directory (owner-only when created) and clearing a stale socket file.
pub fn bind(path: &Path) -> Result<BoundUnixSocket, ListenerError> {
    let io_error = |source: io::Error| ListenerError::UnixSocket {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        && !parent.exists()
    {
        std::fs::create_dir_all(parent).map_err(io_error)?;
        std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o700))
            .map_err(io_error)?;
    }
    remove_stale_socket(path)?;
    let listener = UnixListener::bind(path).map_err(io_error)?;
    let guard = SocketFileGuard(path.to_path_buf());
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io_error)?;
    Ok(BoundUnixSocket { listener, guard })
}

/// Removes `path` if it is a socket nobody listens on; refuses a live socket or a file of another kind.
fn remove_stale_socket(path: &Path) -> Result<(), ListenerError> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(ListenerError::UnixSocket {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if !metadata.file_type().is_socket() {
        return Err(ListenerError::NotASocket(path.to_path_buf()));
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Err(ListenerError::SocketInUse(path.to_path_buf())),
        Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => {
            tracing::info!("removing stale socket {}", path.display());
            std::fs::remove_file(path).map_err(|source| ListenerError::UnixSocket {
                path: path.to_path_buf(),
                source,
            })
        }
        Err(source) => Err(ListenerError::UnixSocket {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Removes the socket file this daemon created when dropped.
pub struct SocketFileGuard(PathBuf);

impl SocketFileGuard {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for SocketFileGuard {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_file(&self.0)
            && error.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!("cannot remove socket {}: {error}", self.0.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[tokio::test]
    async fn a_stale_socket_is_replaced_a_live_one_or_a_plain_file_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nested").join("s.sock");
        let first = bind(&path).expect("first bind");
        let mode = std::fs::metadata(&path)
            .expect("socket")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        assert!(matches!(bind(&path), Err(ListenerError::SocketInUse(_))));
        // A daemon that died leaves its file behind without a listener.
        std::mem::forget(first.guard);
        drop(first.listener);
        let second = bind(&path).expect("stale socket replaced");
        drop(second);
        assert!(!path.exists(), "the guard removes the socket file");
        std::fs::write(&path, "x").expect("plain file");
        assert!(matches!(bind(&path), Err(ListenerError::NotASocket(_))));
    }
}
