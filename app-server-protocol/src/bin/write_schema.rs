//! Regenerates the committed schema tree: `write_schema <schema dir>` replaces `<dir>/json` and
//! `<dir>/typescript` with freshly generated output (stale files are removed first).

use std::path::PathBuf;

use codex_app_server_protocol::generate_json_schema;
use codex_app_server_protocol::generate_ts;

fn main() -> std::io::Result<()> {
    let schema_dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "usage: write_schema <schema dir>",
            )
        })?;
    let json_dir = schema_dir.join("json");
    let ts_dir = schema_dir.join("typescript");
    for dir in [&json_dir, &ts_dir] {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
    }
    generate_json_schema(&json_dir)?;
    generate_ts(&ts_dir)
}
