//! The engines behind the model's tools, one submodule per tool.

pub mod apply_patch;
pub mod approval;
pub mod command_actions;
pub mod exec;
pub mod router;
pub mod safe_commands;
mod shell_script;
pub mod turn_diff;
