//! The crate targets of the workspace, each the root of its own module tree: for every member of the root
//! `Cargo.toml`'s `[workspace] members`, its library and binaries as declared (`[lib]`, `[[bin]]` paths) and
//! as Cargo finds them (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`, `src/bin/*/main.rs`).

use std::collections::BTreeSet;
use std::path::Path;
use std::path::PathBuf;

use toml::Table;
use toml::Value;

use super::error::StructureError;

/// The root files of every crate target of the workspace at `workspace_root`, sorted.
pub fn crate_roots(workspace_root: &Path) -> Result<Vec<PathBuf>, StructureError> {
    let manifest = read_manifest(&workspace_root.join("Cargo.toml"))?;
    let members = manifest
        .get("workspace")
        .and_then(|workspace| workspace.get("members"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    let mut roots = BTreeSet::new();
    for member in members {
        roots.extend(member_roots(&workspace_root.join(member))?);
    }
    Ok(roots.into_iter().collect())
}

fn member_roots(member: &Path) -> Result<BTreeSet<PathBuf>, StructureError> {
    let manifest = read_manifest(&member.join("Cargo.toml"))?;
    let declared_lib = manifest.get("lib").and_then(|lib| lib.get("path"));
    let declared_bins = manifest
        .get("bin")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|bin| bin.get("path"));
    let mut roots: BTreeSet<PathBuf> = declared_lib
        .into_iter()
        .chain(declared_bins)
        .filter_map(Value::as_str)
        .map(|path| member.join(path))
        .collect();
    let src = member.join("src");
    roots.extend([src.join("lib.rs"), src.join("main.rs")]);
    roots.extend(binaries_in(&src.join("bin")));
    Ok(roots.into_iter().filter(|root| root.is_file()).collect())
}

/// `src/bin/x.rs` and `src/bin/x/main.rs`.
fn binaries_in(bin_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(bin_dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter_map(|path| {
            if path.is_dir() {
                Some(path.join("main.rs"))
            } else {
                path.extension()
                    .is_some_and(|ext| ext == "rs")
                    .then_some(path)
            }
        })
        .collect()
}

fn read_manifest(path: &Path) -> Result<Table, StructureError> {
    let text = std::fs::read_to_string(path).map_err(|source| StructureError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    text.parse().map_err(|source| StructureError::Manifest {
        path: path.to_path_buf(),
        source,
    })
}
