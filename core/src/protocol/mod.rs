//! The engine's shared vocabulary: the events a thread reports, the items of history and of turns, token
//! usage and rate limits, the questions put to the user. Leaf types every other module may use; they depend on nothing of the engine.

pub mod approval;
pub mod dynamic_tool;
pub mod event;
pub mod event_sink;
pub mod exit_code;
pub mod host_reply;
pub mod mcp;
pub mod plan;
pub mod rate_limit;
pub mod response_item;
pub mod token_estimate;
pub mod token_usage;
pub mod turn_item;
pub mod turn_outcome;
pub mod user_input;
