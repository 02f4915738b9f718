//! What stops the check before it can judge: a manifest, a file it cannot read or parse, a `mod name;` with no
//! file.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StructureError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot parse {path}")]
    Parse {
        path: PathBuf,
        #[source]
        source: syn::Error,
    },
    #[error("cannot parse the manifest {path}")]
    Manifest {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("{declared_in}:{line}: no file for `mod {name};` (looked for {looked_for})")]
    MissingModule {
        declared_in: PathBuf,
        line: usize,
        name: String,
        looked_for: String,
    },
}
