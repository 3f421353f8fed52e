//! atrium-wasm: the MX Atrium API for the browser, through an `atrium-relay` that holds the key.
//!
//! The JavaScript face of `atrium-core` (every rule lives there, tested natively): it turns
//! JavaScript values into core types and back, and performs the fetches and timers the core
//! asks for. Files by what they expose: the client and its resources, lists, flows, the
//! event stream; and by what they carry: conversions, errors, transport, abort guards.

pub use atrium_core::{
    error, fields, flow, hub, ids, models, options, pagination, reads, request, response, retry,
    small_map, sse, status, transport as policy, AtriumError, ErrorCode,
};

#[cfg(target_arch = "wasm32")]
mod abort;
#[cfg(target_arch = "wasm32")]
mod accounts;
#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod convert;
#[cfg(target_arch = "wasm32")]
mod decode;
#[cfg(target_arch = "wasm32")]
mod execute;
#[cfg(target_arch = "wasm32")]
mod flow_driver;
#[cfg(target_arch = "wasm32")]
mod flows;
#[cfg(target_arch = "wasm32")]
mod institutions;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod lists;
#[cfg(target_arch = "wasm32")]
mod members;
#[cfg(target_arch = "wasm32")]
mod merchants;
#[cfg(target_arch = "wasm32")]
mod rejection;
#[cfg(target_arch = "wasm32")]
mod status_info;
#[cfg(target_arch = "wasm32")]
mod status_reads;
#[cfg(target_arch = "wasm32")]
mod stream;
#[cfg(target_arch = "wasm32")]
mod tools;
#[cfg(target_arch = "wasm32")]
mod transport;
#[cfg(target_arch = "wasm32")]
mod users;

#[cfg(target_arch = "wasm32")]
pub use client::AtriumClient;
#[cfg(target_arch = "wasm32")]
pub use flows::MemberFlow;
#[cfg(target_arch = "wasm32")]
pub use rejection::{from_js as error_from_js, Rejection};
#[cfg(target_arch = "wasm32")]
pub use status_info::status_info;
