//! The `apply_patch` tool's engine: parse the patch format models emit and apply it all-or-nothing under a
//! base directory, writing only where the sandbox (or the host) allows and without following any symlink
//! (`confined_fs`), reporting each file change with a unified diff and a summary for the model.

mod apply;
mod confined_fs;
mod error;
mod invocation;
mod parser;
mod report;
mod seek_sequence;
mod unified_diff;
mod write_scope;

pub use apply::PatchPlan;
pub use apply::apply_patch;
pub use apply::plan_patch;
pub use error::ApplyPatchError;
pub use error::ParseError;
pub use invocation::PatchInvocation;
pub use invocation::patch_invocation;
pub use parser::FileOperation;
pub use parser::UpdateChunk;
pub use parser::parse_patch;
pub use report::PatchReport;
pub use unified_diff::unified_diff;
pub use write_scope::PathAccess;
pub use write_scope::WriteScope;
