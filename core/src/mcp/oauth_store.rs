//! OAuth tokens of HTTP MCP servers, stored as upstream stores them when no keyring is used.

use std::path::Path;

/// The stored access token for `server` at `url`, if one is stored and usable.
pub(crate) fn stored_access_token(_codex_home: &Path, _server: &str, _url: &str) -> Option<String> {
    None
}
