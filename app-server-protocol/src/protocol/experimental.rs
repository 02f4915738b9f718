//! Experimental-API gating: which request params use a field or variant that needs
//! `capabilities.experimentalApi`.

/// Implemented by every request params type. A params value that uses an experimental field or variant names
/// it, so the server can answer `"<method>.<name> requires experimentalApi capability"`.
pub trait ExperimentalApi {
    /// The experimental field or variant this value uses (e.g. `"dynamicTools"`), if any. A field only
    /// counts as used when present and not null/default.
    fn experimental_field(&self) -> Option<&'static str> {
        None
    }
}
