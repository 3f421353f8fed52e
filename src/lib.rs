//! atrium-wasm: the MX Atrium API for the browser, through an `atrium-relay` that holds the key.
//!
//! A pure-Rust core (models, options, request building, decoding, errors) compiled and
//! tested natively, and a thin wasm-bindgen layer (`wasm`) that carries it to JavaScript.

pub mod error;
pub mod fields;
pub mod flow;
pub mod hub;
pub mod models;
pub mod options;
pub mod pagination;
pub mod reads;
pub mod request;
pub mod response;
pub mod retry;
pub mod small_map;
pub mod sse;
pub mod status;

#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
mod wasm_flow;
#[cfg(target_arch = "wasm32")]
mod wasm_hub;

pub use error::{AtriumError, ErrorCode};

#[cfg(target_arch = "wasm32")]
pub use wasm::{to_js_error, AtriumClient};
#[cfg(target_arch = "wasm32")]
pub use wasm_flow::MemberFlow;
