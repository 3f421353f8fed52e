//! `AtriumClient`: the options it was made with, where its token comes from, whose user it
//! acts for, and its flows' shared background traffic.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::convert::{from_js, get};
use crate::rejection::{describe, Rejection};
use crate::transport::Answer;
use atrium_core::error::AtriumError;
use atrium_core::ids::UserGuid;
use atrium_core::models::Session;
use atrium_core::options::{bearer_token, ClientConfig, ClientOptions};
use atrium_core::{reader, request};

use crate::js_tree::JsTree;

#[wasm_bindgen(typescript_custom_section)]
const GENERATED_TYPES: &'static str = include_str!("../core/ts/generated.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("js/types.d.ts");

/// Where the token comes from: a fixed string, or a function asked again after a 401.
pub(crate) enum TokenSource {
    Fixed(String),
    Provider(Function),
}

pub(crate) struct Inner {
    pub(crate) config: ClientConfig,
    pub(crate) token: TokenSource,
    cached: RefCell<Option<String>>,
    user_guid: RefCell<Option<UserGuid>>,
    /// The client's flows together: their event stream and their status reads.
    pub(crate) flows: crate::stream::Flows,
}

/// A client of the Atrium API through an `atrium-relay`.
#[wasm_bindgen]
pub struct AtriumClient {
    pub(crate) inner: Rc<Inner>,
}

#[wasm_bindgen]
impl AtriumClient {
    /// `new AtriumClient({ relayUrl, token, userGuid?, timeoutMs?, retry? })`; throws an
    /// `AtriumError` with code `invalid_input` when the options are wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AtriumClientOptions")] options: JsValue,
    ) -> Result<AtriumClient, Rejection> {
        let token = token_source(&get(&options, "token"))?;
        let config =
            from_js::<ClientOptions>(options, "AtriumClient options", &["token"])?.validate()?;
        Ok(AtriumClient {
            inner: Rc::new(Inner {
                config,
                token,
                cached: RefCell::new(None),
                user_guid: RefCell::new(None),
                flows: Default::default(),
            }),
        })
    }
}

fn token_source(token: &JsValue) -> Result<TokenSource, AtriumError> {
    let refused = || {
        AtriumError::invalid(
            "token must be a non-empty string of visible ASCII characters, or a function returning one.",
        )
    };
    if let Some(t) = token.as_string() {
        return bearer_token(&t).map(TokenSource::Fixed).ok_or_else(refused);
    }
    token
        .dyn_ref::<Function>()
        .map(|f| TokenSource::Provider(f.clone()))
        .ok_or_else(refused)
}

impl Inner {
    pub(crate) fn relay_url(&self) -> &str {
        &self.config.relay_url
    }

    /// The token: the fixed one, or the function's (cached; asked again when `fresh`).
    pub(crate) async fn token(&self, fresh: bool) -> Result<String, AtriumError> {
        let f = match &self.token {
            TokenSource::Fixed(t) => return Ok(t.clone()),
            TokenSource::Provider(f) => f,
        };
        if !fresh {
            if let Some(t) = self.cached.borrow().clone() {
                return Ok(t);
            }
        }
        let failed = |e: JsValue| AtriumError::invalid(format!("token(): {}", describe(&e)));
        let value = f.call0(&JsValue::NULL).map_err(failed)?;
        let value = match value.dyn_into::<Promise>() {
            Ok(p) => JsFuture::from(p).await.map_err(failed)?,
            Err(v) => v,
        };
        let token = value
            .as_string()
            .and_then(|t| bearer_token(&t))
            .ok_or_else(|| {
                AtriumError::invalid(
                    "token() must return a non-empty string of visible ASCII characters.",
                )
            })?;
        *self.cached.borrow_mut() = Some(token.clone());
        Ok(token)
    }

    /// The user the client works for: the option, or else the relay session's (asked once).
    pub(crate) async fn user_guid(
        &self,
        signal: Option<&AbortSignal>,
    ) -> Result<UserGuid, AtriumError> {
        let known = self.config.user_guid.clone();
        if let Some(guid) = known.or_else(|| self.user_guid.borrow().clone()) {
            return Ok(guid);
        }
        let (body, status) = match self.call(&request::read_session(), signal).await? {
            Answer::Json(v, status) => (v, status),
            _ => return Err(AtriumError::decode(".", "expected the session")),
        };
        let session: Session = reader::decode(JsTree(body))
            .map_err(|e| e.with_status(status))?;
        *self.user_guid.borrow_mut() = Some(session.user_guid.clone());
        Ok(session.user_guid)
    }
}
