//! The JavaScript face of the library: converts between JS values and the core, nothing more.

use std::rc::Rc;

use js_sys::Promise;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::error::AtriumError;
use crate::fields;
use crate::models::{Institution, Session, User};
use crate::options::{ClientConfig, ClientOptions, ListInstitutionsOptions};
use crate::request::{self, ApiRequest};
use crate::response::{self, ErrorBody, Many, One};

#[wasm_bindgen(module = "/src/js/atrium_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeAtriumError)]
    fn make_atrium_error(message: &str, status: u16, code: &str, retryable: bool) -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("js/types.d.ts");

/// The JavaScript `AtriumError` for a core error.
pub fn to_js_error(e: &AtriumError) -> JsValue {
    make_atrium_error(&e.to_string(), e.status(), e.code().as_str(), e.retryable())
}

fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, AtriumError> {
    if !value.is_object() {
        return Err(AtriumError::invalid(format!("{what} must be an object.")));
    }
    let keys: Vec<String> = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    if let Some(unknown) = fields::first_unknown::<T>(keys.iter().map(String::as_str)) {
        return Err(AtriumError::invalid(format!(
            "{what}: unknown option {unknown:?}; expected one of {}.",
            fields::field_names::<T>().join(", ")
        )));
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| AtriumError::invalid(format!("{what}: {e}")))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, AtriumError> {
    // json_compatible: plain objects, and null (not undefined) for absent fields, as in Atrium's JSON.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| AtriumError::Decode {
            path: ".".into(),
            message: e.to_string(),
        })
}

/// Options that may be left out: `undefined` and `null` read as `{}`.
fn optional<T: DeserializeOwned + Default>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, AtriumError> {
    match value {
        Some(v) if !v.is_null() && !v.is_undefined() => from_js(v, what),
        _ => Ok(T::default()),
    }
}

struct Inner {
    config: ClientConfig,
}

/// A client of the Atrium API through an `atrium-relay`.
#[wasm_bindgen]
pub struct AtriumClient {
    inner: Rc<Inner>,
}

/// Runs `f` as a promise that rejects with an `AtriumError`.
fn promise<F>(f: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, AtriumError>> + 'static,
{
    future_to_promise(async move { f.await.map_err(|e| to_js_error(&e)) })
}

#[wasm_bindgen]
impl AtriumClient {
    /// `new AtriumClient({ relayUrl, token, userGuid? })`; throws an `AtriumError` with code
    /// `invalid_input` when the options are wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AtriumClientOptions")] options: JsValue,
    ) -> Result<AtriumClient, JsValue> {
        let config = from_js::<ClientOptions>(options, "AtriumClient options")
            .and_then(ClientOptions::validate)
            .map_err(|e| to_js_error(&e))?;
        Ok(AtriumClient {
            inner: Rc::new(Inner { config }),
        })
    }

    /// The relay token's own user (`GET /users/{user_guid}`).
    #[wasm_bindgen(js_name = readUser, unchecked_return_type = "Promise<User>")]
    pub fn read_user(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let user_guid = inner.user_guid().await?;
            let One(user): One<User> = inner.send(request::read_user(&user_guid)?).await?;
            to_js(&user)
        })
    }

    /// `GET /institutions`, one page: `{ items, pagination }`.
    #[wasm_bindgen(js_name = listInstitutions, unchecked_return_type = "Promise<Page<Institution>>")]
    pub fn list_institutions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListInstitutionsOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        let options = optional::<ListInstitutionsOptions>(options, "listInstitutions options");
        promise(async move {
            let Many(page): Many<Institution> =
                inner.send(request::list_institutions(&options?)?).await?;
            to_js(&page)
        })
    }
}

impl Inner {
    /// The user the client works for: the option, or else the relay session's.
    async fn user_guid(&self) -> Result<String, AtriumError> {
        if let Some(guid) = &self.config.user_guid {
            return Ok(guid.clone());
        }
        let session: Session = self.send(request::read_session()).await?;
        Ok(session.user_guid)
    }

    async fn send<T: DeserializeOwned>(&self, req: ApiRequest) -> Result<T, AtriumError> {
        let url = req.url(&self.config.relay_url);
        let response = gloo_net::http::RequestBuilder::new(&url)
            .method(match req.method {
                request::Method::Get => gloo_net::http::Method::GET,
                request::Method::Post => gloo_net::http::Method::POST,
                request::Method::Put => gloo_net::http::Method::PUT,
                request::Method::Delete => gloo_net::http::Method::DELETE,
            })
            .header("Accept", "application/json")
            .header("Authorization", &format!("Bearer {}", self.config.token))
            .send()
            .await
            .map_err(|e| AtriumError::Network(e.to_string()))?;
        let status = response.status();
        let body = json_body(&web_sys::Response::from(response)).await;
        if !(200..300).contains(&status) {
            let error_body = body
                .ok()
                .and_then(|v| serde_wasm_bindgen::from_value::<ErrorBody>(v).ok());
            return Err(response::http_error(status, error_body));
        }
        let body = body.map_err(|message| AtriumError::Decode {
            path: ".".into(),
            message,
        })?;
        response::decode(serde_wasm_bindgen::Deserializer::from(body))
    }
}

/// The body parsed by the browser's own JSON parser (no JSON parser in the .wasm).
async fn json_body(raw: &web_sys::Response) -> Result<JsValue, String> {
    let promise = raw.json().map_err(|e| describe(&e))?;
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "the body is not JSON".into())
}
