//! The protocol's messages: the method tables (`common`), the handshake types kept from v1 (`v1`) and every
//! v2 payload type (`v2`).

pub mod common;
pub mod experimental;
pub mod v1;
pub mod v2;
