//! The engines behind the model's tools, one submodule per tool.

pub mod apply_patch;
pub mod approval;
pub(crate) mod approval_order;
pub mod command_actions;
pub(crate) mod context;
pub mod dynamic_tools;
pub mod exec;
pub(crate) mod mcp_approval;
pub(crate) mod mcp_call;
pub(crate) mod mcp_resource_call;
pub(crate) mod mcp_resource_specs;
pub(crate) mod mcp_tools;
pub(crate) mod patch_call;
mod plan_call;
pub mod router;
pub mod safe_commands;
pub(crate) mod shell_call;
mod shell_script;
pub mod spec;
pub(crate) mod tool_call;
pub(crate) mod tool_run;
pub mod turn_diff;
pub mod unified_exec;
pub(crate) mod unified_exec_call;
pub(crate) mod user_input_call;
pub(crate) mod view_image;
