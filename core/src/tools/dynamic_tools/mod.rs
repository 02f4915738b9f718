//! Host tools (`dynamicTools`, as upstream 0.171 offers them): the tools a host declares at `thread/start`,
//! checked by upstream's rules and kept with the thread (`definition`), offered to the model as function
//! tools with their schema made acceptable (`input_schema`), and each call of the model sent to the host
//! and answered with what the host returned (`call`, `output`).

mod call;
mod definition;
mod input_schema;
mod output;

pub use definition::DeclaredDynamicTool;
pub use definition::DynamicTool;
pub use definition::DynamicToolError;
pub use definition::DynamicToolsError;
pub use definition::checked_dynamic_tools;
pub(crate) use definition::lenient_dynamic_tools;
