//! Prints the workspace's source-structure report (module cycles, files over 800 lines, functions over 120)
//! and exits 1 when a rule is broken, 2 when the check cannot run.
//!
//! Run it with `cargo run -p codex-app-server-tests --bin source_structure [workspace root]`.

use std::path::PathBuf;
use std::process::ExitCode;

use codex_app_server_tests::source_structure::check_workspace;
use codex_app_server_tests::source_structure::workspace_root;

fn main() -> ExitCode {
    let root = std::env::args_os()
        .nth(1)
        .map_or_else(workspace_root, PathBuf::from);
    match check_workspace(&root) {
        Ok(report) => {
            print!("{report}");
            if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("source_structure: {:#}", anyhow::Error::from(error));
            ExitCode::from(2)
        }
    }
}
