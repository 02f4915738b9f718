//! The protocol's messages: the method tables (`common`, with a marker type per client method described by
//! `client_method`), the handshake types kept from v1 (`v1`) and every
//! v2 payload type (`v2`).

pub mod client_method;
pub mod common;
pub mod experimental;
pub mod v1;
pub mod v2;
