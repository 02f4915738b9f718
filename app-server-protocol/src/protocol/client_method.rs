//! The type-level description of a client request method, like `lsp_types::request::Request`: one marker
//! type per method (generated from the method table into [`crate::methods`]) names the method, its params
//! and its response, so a server's handler for it is typed by it.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A client->server request method: its wire name, the `params` it takes and the `result` it answers with.
pub trait ClientMethod {
    /// The method name on the wire (e.g. `"thread/name/set"`).
    const METHOD: &'static str;
    /// Whether only a connection that opted into the experimental API (`capabilities.experimentalApi`) may
    /// call it.
    const EXPERIMENTAL: bool;
    type Params: Serialize + DeserializeOwned + Send + 'static;
    type Response: Serialize + DeserializeOwned + Send + 'static;
}
