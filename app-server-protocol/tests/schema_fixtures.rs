//! Drift test: the committed `schema/` tree must equal what the Rust types generate now.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;

use codex_app_server_protocol::generate_json_schema;
use codex_app_server_protocol::generate_ts;
use pretty_assertions::assert_eq;

const REGENERATE_HINT: &str = "The committed schema is stale. Regenerate it with `just write-schema` \
     (or `cargo run -p codex-app-server-protocol --bin write_schema -- schema` from the workspace root) \
     and commit the result.";

/// Every file under `root`, keyed by its path relative to `root`, with content normalized for comparison:
/// JSON is parsed (so key order and whitespace do not matter), TypeScript has CRLF turned into LF.
fn read_tree(root: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("read {}: {error}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("read {}: {error}", path.display()));
            let normalized = if path
                .extension()
                .is_some_and(|extension| extension == "json")
            {
                let value: serde_json::Value = serde_json::from_str(&text)
                    .unwrap_or_else(|error| panic!("parse {}: {error}", path.display()));
                serde_json::to_string_pretty(&codex_app_server_protocol::export::sort_json_keys(
                    value,
                ))
                .expect("re-encode")
            } else {
                text.replace("\r\n", "\n")
            };
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            files.insert(relative, normalized);
        }
    }
    files
}

#[test]
fn schema_fixtures_match_generated() {
    let committed_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let generated_root = tempfile::tempdir().expect("tempdir");
    generate_json_schema(&generated_root.path().join("json")).expect("generate JSON schema");
    generate_ts(&generated_root.path().join("typescript")).expect("generate TypeScript");

    for tree in ["json", "typescript"] {
        let committed = read_tree(&committed_root.join(tree));
        let generated = read_tree(&generated_root.path().join(tree));
        let committed_files: Vec<&PathBuf> = committed.keys().collect();
        let generated_files: Vec<&PathBuf> = generated.keys().collect();
        assert_eq!(
            committed_files, generated_files,
            "schema/{tree}: file sets differ. {REGENERATE_HINT}"
        );
        for (file, committed_text) in &committed {
            assert_eq!(
                committed_text,
                &generated[file],
                "schema/{tree}/{}: content differs. {REGENERATE_HINT}",
                file.display()
            );
        }
    }
}
