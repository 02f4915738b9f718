//! What the model is told about where it works: the environment context, project docs (`AGENTS.md`), the
//! workspace's git state, the collaboration mode, and the turn metadata sent as a request header.

pub mod collaboration_mode;
pub mod environment;
pub mod git_ceilings;
mod git_command;
pub mod git_info;
pub mod git_merge_base;
pub mod project_doc;
pub mod turn_metadata;
