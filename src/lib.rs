//! atrium-wasm: the MX Atrium API for the browser, through an `atrium-relay` that holds the key.
//!
//! The JavaScript face of `atrium-core` (every rule lives there, tested natively): it turns
//! JavaScript values into core types and back, and performs the fetches and timers the core
//! asks for. Files by what they expose: the client and its resources, lists, flows, the
//! event stream; and by what they carry: conversions, errors, transport, abort guards.

pub use atrium_core::{
    error, fields, flow, hub, ids, models, oauth, options, pagination, reader, reads, request,
    response, retry, small_map, sse, status, transport as policy, AtriumError, ErrorCode,
};

/// The browser face: compiled for wasm32 only (the core is tested natively).
macro_rules! browser {
    ($($item:item)+) => {
        $(#[cfg(target_arch = "wasm32")] $item)+
    };
}

// talc rather than the default dlmalloc: 2.7 KiB gzip less of the .wasm (issue 18's table in
// BENCHMARKS.md). Not with threads (`+atomics`), which this allocator does not serve.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

browser! {
    mod abort;
    mod accounts;
    mod client;
    mod convert;
    mod decode;
    mod execute;
    mod flow_driver;
    mod flows;
    mod institutions;
    mod js;
    mod js_tree;
    mod keep;
    mod lists;
    mod members;
    mod merchants;
    mod oauth_window;
    mod rejection;
    mod resume;
    mod status_info;
    mod status_reads;
    mod stream;
    mod tools;
    mod transport;
    mod users;

    pub use client::AtriumClient;
    pub use flows::MemberFlow;
    pub use rejection::{from_js as error_from_js, Rejection};
    pub use status_info::status_info;
}
