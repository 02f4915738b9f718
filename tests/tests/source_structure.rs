//! The workspace keeps its source structure: no module cycle, no source file over 800 lines and no function
//! over 120, in the non-test code of every crate target (see `codex_app_server_tests::source_structure`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::source_structure::check_workspace;
use codex_app_server_tests::source_structure::workspace_root;

#[test]
fn the_workspace_has_no_module_cycle_no_long_file_and_no_long_function() -> anyhow::Result<()> {
    let report = check_workspace(&workspace_root())?;
    assert!(report.is_clean(), "{report}");
    Ok(())
}
