//! The visitor the schema export walks every top-level wire type with. A leaf: the method tables name their
//! payload types to it and the export implements it, so neither depends on the other.

use schemars::JsonSchema;
use ts_rs::TS;

/// Receives every top-level wire type the method tables name.
pub(crate) trait WireTypeVisitor {
    fn visit<T: JsonSchema + TS + 'static>(&mut self);
}
