//! The one path every method takes: its request built (in the user's scope once the user is
//! known), sent, decoded, and settled as a promise that rejects with an `AtriumError`. One
//! future type for all methods keeps one copy of it in the .wasm.

use std::pin::Pin;
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
    settle(Box::pin(f))
}

/// Boxed, so that the promise machinery is in the .wasm once rather than once per caller.
#[inline(never)]
fn settle(f: Pin<Box<dyn std::future::Future<Output = Result<JsValue, AtriumError>>>>) -> Promise {
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

/// An exported method, its arguments in parentheses: an identifier (a GUID, an institution
/// code: `member_guid`), a value (`fields: "TsType" = parse`), or an optional value
/// (`options?: "TsType" = parse`). Each keeps its name in the TypeScript and in errors and
/// is parsed once, before the request is built (in the user's scope, or public).
macro_rules! method {
    ($(#[$doc:meta])* $scope:ident $name:ident, $js:literal, $returns:literal, ($($args:tt)*) => $($rest:tt)+) => {
        method!(@args [$(#[$doc])* $scope $name, $js, $returns] [] [] ($($args)*) $($rest)+);
    };
    (@args $head:tt [$($p:tt)*] [$($l:tt)*] ($arg:ident: $ts:literal = $parse:expr $(, $($more:tt)*)?) $($rest:tt)+) => {
        method!(@args $head
            [$($p)* #[wasm_bindgen(unchecked_param_type = $ts)] $arg: JsValue,]
            [$($l)* let $arg = $parse;]
            ($($($more)*)?) $($rest)+);
    };
    (@args $head:tt [$($p:tt)*] [$($l:tt)*] ($arg:ident?: $ts:literal = $parse:expr $(, $($more:tt)*)?) $($rest:tt)+) => {
        method!(@args $head
            [$($p)* #[wasm_bindgen(unchecked_optional_param_type = $ts)] $arg: Option<JsValue>,]
            [$($l)* let $arg = $parse;]
            ($($($more)*)?) $($rest)+);
    };
    (@args $head:tt [$($p:tt)*] [$($l:tt)*] ($id:ident $(, $($more:tt)*)?) $($rest:tt)+) => {
        method!(@args $head
            [$($p)* #[wasm_bindgen(unchecked_param_type = "string")] $id: JsValue,]
            [$($l)* let $id = $crate::convert::id(&$id, stringify!($id));]
            ($($($more)*)?) $($rest)+);
    };
    (@args [$(#[$doc:meta])* user $name:ident, $js:literal, $returns:literal] [$($p:tt)*] [$($l:tt)*] () |$u:ident| $build:expr, $decode:expr) => {
        method!(@export [$(#[$doc])* $name, $js, $returns] [$($p)*] [$($l)*] |client, call| user_method!(client, call, |$u| $build, $decode));
    };
    (@args [$(#[$doc:meta])* public $name:ident, $js:literal, $returns:literal] [$($p:tt)*] [$($l:tt)*] () $build:expr, $decode:expr) => {
        method!(@export [$(#[$doc])* $name, $js, $returns] [$($p)*] [$($l)*] |client, call| public_method!(
            client,
            call,
            (move || -> Result<atrium_core::request::ApiRequest, atrium_core::error::AtriumError> { $build })(),
            $decode
        ));
    };
    (@export [$(#[$doc:meta])* $name:ident, $js:literal, $returns:literal] [$($p:tt)*] [$($l:tt)*] |$client:ident, $call:ident| $body:expr) => {
        #[wasm_bindgen]
        impl AtriumClient {
            $(#[$doc])*
            #[wasm_bindgen(js_name = $js, unchecked_return_type = $returns)]
            pub fn $name(
                &self,
                $($p)*
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] $call: Option<JsValue>,
            ) -> Promise {
                $($l)*
                let $client = self;
                $body
            }
        }
    };
}

pub(crate) use {method, public_method, user_method};
