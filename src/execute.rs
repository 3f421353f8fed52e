//! The one path every method takes: its request built (in the user's scope once the user is
//! known), sent, decoded, and settled as a promise that rejects with an `AtriumError`. One
//! future type for all methods keeps one copy of it in the .wasm.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::client::{AtriumClient, Inner};
use crate::convert::call_signal;
use crate::decode::Decoder;
use crate::rejection::Rejection;
use crate::transport::Answer;
use atrium_core::error::AtriumError;
use atrium_core::ids::UserGuid;
use atrium_core::request::ApiRequest;

/// Builds a request once the user GUID is known.
pub(crate) type UserBuild = Box<dyn FnOnce(&UserGuid) -> Result<ApiRequest, AtriumError>>;

/// How a method's request is made: in the user's scope or without one.
pub(crate) enum Build {
    User(UserBuild),
    Public(Result<ApiRequest, AtriumError>),
}

pub(crate) async fn execute(
    inner: Rc<Inner>,
    signal: Option<AbortSignal>,
    build: Build,
    decode: Decoder,
) -> Result<JsValue, AtriumError> {
    let req = match build {
        Build::User(f) => {
            let user = inner.user_guid(signal.as_ref()).await?;
            f(&user)?
        }
        Build::Public(r) => r?,
    };
    match inner.call(&req, signal.as_ref()).await? {
        Answer::Json(v, status) => decode(v).map_err(|e| e.with_status(status)),
        Answer::Empty => decode(JsValue::UNDEFINED),
        Answer::Bytes(b) => decode(b),
    }
}

/// Runs `f` as a promise that rejects with an `AtriumError`.
pub(crate) fn promise<F>(f: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, AtriumError>> + 'static,
{
    future_to_promise(async move { f.await.map_err(|e| Rejection(e).into()) })
}

impl AtriumClient {
    pub(crate) fn start(&self, call: Option<JsValue>, build: Build, decode: Decoder) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let signal = call_signal(call)?;
            execute(inner, signal, build, decode).await
        })
    }
}

/// A method of the user's scope.
macro_rules! user_method {
    ($self:ident, $call:ident, |$u:ident| $build:expr, $decode:expr) => {
        $self.start(
            $call,
            $crate::execute::Build::User(Box::new(move |$u: &atrium_core::ids::UserGuid| $build)),
            $decode,
        )
    };
}

/// A public method (no user in its path).
macro_rules! public_method {
    ($self:ident, $call:ident, $build:expr, $decode:expr) => {
        $self.start($call, $crate::execute::Build::Public($build), $decode)
    };
}

/// A method that takes one GUID and works in the user's scope, each in its own exported
/// `impl` block: the GUID's parameter keeps its name in the TypeScript and in errors.
macro_rules! guid_method {
    ($name:ident, $js:literal, $returns:literal, $guid:ident => |$u:ident| $build:expr, $decode:expr) => {
        #[wasm_bindgen]
        impl AtriumClient {
            #[wasm_bindgen(js_name = $js, unchecked_return_type = $returns)]
            pub fn $name(
                &self,
                #[wasm_bindgen(unchecked_param_type = "string")] $guid: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<
                    JsValue,
                >,
            ) -> Promise {
                let $guid = guid(&$guid, stringify!($guid));
                user_method!(self, call, |$u| $build, $decode)
            }
        }
    };
}

pub(crate) use {guid_method, public_method, user_method};
