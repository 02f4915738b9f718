//! The tree the fuzzy search figures search: 100,000 files in a few thousand directories, named from a word
//! list by a seeded generator (the same tree every time), inside a git repository (an empty `.git`) whose
//! `.gitignore` hides `target/`, `node_modules/` and `*.log` (5,000 + 5,000 + 100 more files). Every
//! directory is dated an hour back, as a checkout nobody is editing: a server may then reuse what it
//! learned of the tree between searches.

use std::path::Path;
use std::path::PathBuf;
use std::time::Duration;
use std::time::SystemTime;

use crate::failure::BenchFailure;

/// Files searched.
pub(crate) const TREE_FILES: usize = 100_000;
/// Directories they are spread over (besides the ignored ones)...
const TREE_DIRECTORIES: usize = 4_000;
/// ...at most this deep.
const TREE_DEPTH: usize = 5;
/// Files under each ignored directory.
const IGNORED_FILES: usize = 5_000;

const WORDS: [&str; 96] = [
    "api",
    "auth",
    "account",
    "adapter",
    "audio",
    "backup",
    "balancer",
    "batch",
    "billing",
    "branch",
    "bridge",
    "buffer",
    "builder",
    "button",
    "cache",
    "cart",
    "catalog",
    "chart",
    "client",
    "codec",
    "color",
    "column",
    "commit",
    "config",
    "controller",
    "cookie",
    "core",
    "crypto",
    "decode",
    "detail",
    "dialog",
    "diff",
    "edge",
    "encode",
    "entity",
    "error",
    "event",
    "export",
    "extension",
    "factory",
    "file",
    "font",
    "format",
    "gateway",
    "graph",
    "grid",
    "handler",
    "hash",
    "header",
    "http",
    "icon",
    "image",
    "import",
    "index",
    "input",
    "invoice",
    "item",
    "job",
    "layout",
    "lexer",
    "list",
    "login",
    "menu",
    "merge",
    "message",
    "metrics",
    "migration",
    "modal",
    "model",
    "network",
    "node",
    "order",
    "output",
    "parser",
    "patch",
    "payment",
    "plugin",
    "product",
    "proxy",
    "query",
    "queue",
    "reader",
    "record",
    "render",
    "report",
    "request",
    "response",
    "retry",
    "router",
    "schema",
    "search",
    "server",
    "session",
    "socket",
    "store",
    "stream",
];
const EXTENSIONS: [&str; 12] = [
    "rs", "ts", "tsx", "js", "py", "go", "md", "json", "toml", "yaml", "css", "html",
];

/// SplitMix64: a tiny seeded generator, so the tree is the same on every machine.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.below(WORDS.len())]
    }
}

/// A name of one to three words joined the ways code names are (`snake_case`, `kebab-case`, `camelCase`).
fn name(seeded: &mut Seeded) -> String {
    let words: Vec<&str> = (0..1 + seeded.below(3)).map(|_| seeded.word()).collect();
    match seeded.below(3) {
        0 => words.join("_"),
        1 => words.join("-"),
        _ => words
            .iter()
            .enumerate()
            .map(|(position, word)| match position {
                0 => word.to_string(),
                _ => word[..1].to_uppercase() + &word[1..],
            })
            .collect(),
    }
}

/// The relative paths of the searched files, in creation order (directories first made as needed).
pub(crate) fn tree_files() -> Vec<PathBuf> {
    let mut seeded = Seeded(0x00C0_DE5E_A6C4);
    let mut directories: Vec<PathBuf> = (0..12).map(|_| PathBuf::from(name(&mut seeded))).collect();
    while directories.len() < TREE_DIRECTORIES {
        let parent = directories[seeded.below(directories.len())].clone();
        if parent.components().count() < TREE_DEPTH {
            directories.push(parent.join(name(&mut seeded)));
        }
    }
    (0..TREE_FILES)
        .map(|number| {
            let directory = &directories[seeded.below(directories.len())];
            let extension = EXTENSIONS[seeded.below(EXTENSIONS.len())];
            directory.join(format!("{}{number}.{extension}", name(&mut seeded)))
        })
        .collect()
}

/// The tree, created under a fresh temporary directory (removed when dropped).
pub(crate) struct FuzzyTree {
    dir: tempfile::TempDir,
}

impl FuzzyTree {
    pub(crate) fn create() -> Result<FuzzyTree, BenchFailure> {
        let failed = |error: std::io::Error| BenchFailure::Spawn(format!("fuzzy tree: {error}"));
        let dir = tempfile::tempdir().map_err(failed)?;
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).map_err(failed)?;
        std::fs::write(root.join(".gitignore"), "target/\nnode_modules/\n*.log\n")
            .map_err(failed)?;
        let mut files = tree_files();
        for number in 0..IGNORED_FILES {
            files.push(PathBuf::from(format!(
                "target/debug/deps/search_index{number}.rs"
            )));
            files.push(PathBuf::from(format!(
                "node_modules/search-{number}/index.js"
            )));
        }
        files.extend((0..100).map(|number| PathBuf::from(format!("search_build{number}.log"))));
        for file in &files {
            let path = root.join(file);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(failed)?;
            }
            std::fs::write(path, "").map_err(failed)?;
        }
        date_back(root).map_err(failed)?;
        Ok(FuzzyTree { dir })
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }
}

/// Dates every directory under `root` (and `root`) an hour back.
fn date_back(root: &Path) -> std::io::Result<()> {
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                pending.push(entry.path());
            }
        }
        std::fs::File::open(&directory)?.set_modified(an_hour_ago)?;
    }
    Ok(())
}
