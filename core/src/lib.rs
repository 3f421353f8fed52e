//! atrium-core: every rule of atrium-wasm with no browser in it — models, options, typed
//! ids, request building, decoding, errors, the transport policy and the flow machine —
//! sans-IO and tested natively. The `atrium-wasm` crate is its JavaScript face: it converts
//! values and performs the fetches and timers this crate asks for.

pub mod error;
pub mod fields;
pub mod flow;
pub mod hub;
pub mod ids;
pub mod models;
pub mod oauth;
pub mod options;
pub mod pagination;
pub mod reader;
pub mod reads;
pub mod request;
pub mod response;
pub mod retry;
pub mod small_map;
pub mod sse;
pub mod status;
pub mod transport;
pub mod writer;

pub use error::{AtriumError, ErrorCode};
