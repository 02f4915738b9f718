//! The engines behind the model's tools, one submodule per tool.

pub mod apply_patch;
pub mod exec;
