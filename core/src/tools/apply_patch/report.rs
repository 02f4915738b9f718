//! What a successfully applied patch did: one `FileChange` per touched file plus the model-facing summary.

use crate::protocol::turn_item::FileChange;

/// The outcome of `apply_patch`. `changes` follow the patch order and carry resolved (cwd-joined) paths;
/// `summary` is the text returned to the model, listing paths as the patch spelled them.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchReport {
    pub changes: Vec<FileChange>,
    pub summary: String,
}
