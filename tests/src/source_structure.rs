//! A check of the workspace's source structure, run by `tests/tests/source_structure.rs` and by
//! `cargo run -p codex-app-server-tests --bin source_structure`: no module cycle, no source file over 800
//! lines, no function over 120 lines, over the non-test source of every crate target.
//!
//! The sources are parsed with `syn`, so comments and string literals never count. What it does not see:
//! code that macros generate, names a macro brings into scope textually (`#[macro_use]`), paths in
//! attributes and in strings (`#[serde(with = "crate::x")]`), and a single-segment name brought in by a
//! glob import (`use super::*; Thing::new()` is seen, a bare `thing()` is not). A glob import itself is a
//! reference to the module it globs.

mod cycles;
mod error;
mod length_rules;
mod location;
mod module_tree;
mod path_resolution;
mod references;
mod report;
mod scope;
mod test_code;
mod use_tree;
mod workspace;

#[cfg(test)]
mod tests;

use std::path::Path;
use std::path::PathBuf;

pub use cycles::Cycle;
pub use cycles::Edge;
pub use cycles::Example;
pub use error::StructureError;
pub use length_rules::LongFile;
pub use length_rules::LongFunction;
pub use length_rules::MAX_FILE_LINES;
pub use length_rules::MAX_FUNCTION_LINES;
pub use location::Location;
pub use report::Report;
pub use workspace::crate_roots;

use module_tree::ModuleTree;
use path_resolution::Resolver;

/// The workspace this crate is built in.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Checks every crate target of the workspace at `workspace_root`.
pub fn check_workspace(workspace_root: &Path) -> Result<Report, StructureError> {
    check_roots(workspace_root, &crate_roots(workspace_root)?)
}

/// Checks the crate targets whose root files are `roots`; reports name files relative to `workspace_root`.
pub fn check_roots(workspace_root: &Path, roots: &[PathBuf]) -> Result<Report, StructureError> {
    let mut report = Report::default();
    for root in roots {
        let tree = ModuleTree::build(workspace_root, root)?;
        report.cycles.extend(cycles_in(&tree));
        report.long_files.extend(length_rules::long_files(&tree));
        report
            .long_functions
            .extend(length_rules::long_functions(&tree));
    }
    report.normalize();
    Ok(report)
}

fn cycles_in(tree: &ModuleTree) -> Vec<Cycle> {
    let scopes = scope::scopes(tree);
    let resolver = Resolver::new(tree, &scopes);
    let resolved: Vec<_> = references::references(tree)
        .into_iter()
        .filter_map(|reference| {
            let resolution = resolver.resolve(reference.module, &reference.path)?;
            Some((reference, resolution))
        })
        .collect();
    cycles::find_cycles(tree, &resolved)
}
