//! The JavaScript face of the library: converts between JS values and the core, and drives
//! fetch (retries, token refresh, abort, timeouts) with the core's rules. No Atrium logic here.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::AbortSignal;

use crate::error::AtriumError;
use crate::fields;
use crate::models::*;
use crate::options::*;
use crate::pagination::{self, Pagination};
use crate::request::{self, ApiRequest, Process};
use crate::response::{self, ErrorBody};
use crate::retry;

#[wasm_bindgen(module = "/src/js/atrium_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeAtriumError)]
    fn make_atrium_error(
        message: &str,
        status: u16,
        code: &str,
        retryable: bool,
        request_id: Option<String>,
    ) -> JsValue;
}

#[wasm_bindgen(module = "/src/js/runtime.js")]
extern "C" {
    pub(crate) fn sleep(ms: u32, signal: Option<&AbortSignal>) -> Promise;
    #[wasm_bindgen(js_name = whenVisible)]
    pub(crate) fn when_visible(signal: Option<&AbortSignal>) -> Promise;
    fn normalize(items: &Array, fields: &Array) -> i32;
    #[wasm_bindgen(js_name = asyncIterable)]
    fn async_iterable(next: &Function) -> JsValue;
    #[wasm_bindgen(js_name = withPage)]
    fn with_page(options: &JsValue, page: u32) -> JsValue;
    #[wasm_bindgen(js_name = raceAbort)]
    pub(crate) fn race_abort(promise: &Promise, signal: Option<&AbortSignal>) -> Promise;
    pub(crate) type Deferred;
    pub(crate) fn deferred() -> Deferred;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn promise(this: &Deferred) -> Promise;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn resolve(this: &Deferred) -> Function;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn reject(this: &Deferred) -> Function;
    #[wasm_bindgen(js_name = openStream)]
    pub(crate) fn open_stream(
        url: &str,
        token: &str,
        last_id: Option<String>,
        signal: &AbortSignal,
    ) -> Promise;

    type Attempt;
    #[wasm_bindgen(constructor)]
    fn new(outer: Option<&AbortSignal>, timeout_ms: u32) -> Attempt;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &Attempt) -> AbortSignal;
    #[wasm_bindgen(method, getter, js_name = timedOut)]
    fn timed_out(this: &Attempt) -> bool;
    #[wasm_bindgen(method, getter, js_name = callerAborted)]
    fn caller_aborted(this: &Attempt) -> bool;
    #[wasm_bindgen(method)]
    fn finish(this: &Attempt);
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("js/types.d.ts");

/// The JavaScript `AtriumError` for a core error.
pub fn to_js_error(e: &AtriumError) -> JsValue {
    make_atrium_error(
        &e.to_string(),
        e.status(),
        e.code().as_str(),
        e.retryable(),
        e.request_id().map(str::to_string),
    )
}

pub(crate) fn decode_error(path: impl Into<String>, message: impl Into<String>) -> AtriumError {
    AtriumError::Decode {
        path: path.into(),
        message: message.into(),
    }
}

/// Reads JS options into `T`, refusing keys `T` does not declare (serde-wasm-bindgen reads
/// only declared fields, so typos would otherwise pass silently).
pub(crate) fn from_js<T: DeserializeOwned>(
    value: JsValue,
    what: &str,
    extra_keys: &[&str],
) -> Result<T, AtriumError> {
    if !value.is_object() || Array::is_array(&value) {
        return Err(AtriumError::invalid(format!("{what} must be an object.")));
    }
    let keys: Vec<String> = Object::keys(value.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    let declared = fields::field_names::<T>();
    if let Some(unknown) = keys
        .iter()
        .find(|k| !declared.contains(&k.as_str()) && !extra_keys.contains(&k.as_str()))
    {
        return Err(AtriumError::invalid(format!(
            "{what}: unknown option {unknown:?}; expected one of {}.",
            declared.join(", ")
        )));
    }
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let path = e.path().to_string();
        AtriumError::invalid(format!("{what}: {path}: {}", e.into_inner()))
    })
}

/// Options that may be left out: `undefined` and `null` read as `{}`.
fn optional<T: DeserializeOwned + Default>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, AtriumError> {
    match value {
        Some(v) if !v.is_null() && !v.is_undefined() => from_js(v, what, &[]),
        _ => Ok(T::default()),
    }
}

fn arg_string(value: &JsValue, what: &str) -> Result<String, AtriumError> {
    value
        .as_string()
        .ok_or_else(|| AtriumError::invalid(format!("{what} must be a string.")))
}

pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, AtriumError> {
    // json_compatible: plain objects, and null (not undefined) for absent fields, as in Atrium's JSON.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| decode_error(".", e.to_string()))
}

/// The last argument of every method: `{ signal? }`.
pub(crate) fn call_signal(options: Option<JsValue>) -> Result<Option<AbortSignal>, AtriumError> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else {
        return Ok(None);
    };
    if !options.is_object() {
        return Err(AtriumError::invalid(
            "call options must be an object like { signal }.",
        ));
    }
    let keys: Vec<String> = Object::keys(options.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    if let Some(k) = keys.iter().find(|k| k.as_str() != "signal") {
        return Err(AtriumError::invalid(format!(
            "call options: unknown option {k:?}; expected signal."
        )));
    }
    let signal = Reflect::get(&options, &"signal".into()).unwrap_or(JsValue::UNDEFINED);
    if signal.is_undefined() || signal.is_null() {
        return Ok(None);
    }
    signal
        .dyn_into::<AbortSignal>()
        .map(Some)
        .map_err(|_| AtriumError::invalid("signal must be an AbortSignal."))
}

/// One resource under its envelope key, given every field of `T` (null where missing), its
/// key field checked. Like lists, it stays the object the browser parsed: typed decoding of
/// every model through serde would cost the bundle far more than it checks.
fn decode_one<T: Resource + DeserializeOwned>(body: JsValue) -> Result<JsValue, AtriumError> {
    if !body.is_object() {
        return Err(decode_error(".", "expected an object"));
    }
    let item = Reflect::get(&body, &T::ONE.into()).unwrap_or(JsValue::UNDEFINED);
    let wrapped: Array = std::iter::once(item.clone()).collect();
    if normalize(&wrapped, &field_array::<T>()) >= 0 {
        return Err(decode_error(T::ONE, "expected an object"));
    }
    let key = fields::field_names::<T>()
        .first()
        .copied()
        .unwrap_or("guid");
    if !Reflect::get(&item, &key.into())
        .unwrap_or(JsValue::UNDEFINED)
        .is_string()
    {
        return Err(decode_error(
            format!("{}.{key}", T::ONE),
            "expected a string",
        ));
    }
    Ok(item)
}

fn field_array<T: DeserializeOwned>() -> Array {
    fields::field_names::<T>()
        .iter()
        .map(|f| JsValue::from_str(f))
        .collect()
}

/// The array under `key`, each item given every field of `T` (null where missing). Large
/// lists stay JavaScript objects: only their shape is checked, not copied through wasm.
fn items_of<T: DeserializeOwned>(body: &JsValue, key: &str) -> Result<Array, AtriumError> {
    let items = Reflect::get(body, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let items: Array = items
        .dyn_into()
        .map_err(|_| decode_error(key, "expected an array"))?;
    let bad = normalize(&items, &field_array::<T>());
    if bad >= 0 {
        return Err(decode_error(format!("{key}[{bad}]"), "expected an object"));
    }
    Ok(items)
}

/// A paginated list: `{ items, pagination }`.
fn decode_page<T: Resource + DeserializeOwned>(body: JsValue) -> Result<JsValue, AtriumError> {
    if !body.is_object() {
        return Err(decode_error(".", "expected an object"));
    }
    let items = items_of::<T>(&body, T::MANY)?;
    let raw = Reflect::get(&body, &"pagination".into()).unwrap_or(JsValue::UNDEFINED);
    let pagination: Pagination = response::decode(serde_wasm_bindgen::Deserializer::from(raw))
        .map_err(|e| match e {
            AtriumError::Decode { path, message } => decode_error(
                format!("pagination.{path}")
                    .trim_end_matches('.')
                    .to_string(),
                message,
            ),
            other => other,
        })?;
    let page = Object::new();
    let _ = Reflect::set(&page, &"items".into(), &items);
    let _ = Reflect::set(&page, &"pagination".into(), &to_js(&pagination)?);
    Ok(page.into())
}

/// A list without pagination: the array itself; a 204 (no challenges) is an empty one.
fn decode_list<T: Resource + DeserializeOwned>(body: JsValue) -> Result<JsValue, AtriumError> {
    if body.is_undefined() {
        return Ok(Array::new().into());
    }
    Ok(items_of::<T>(&body, T::MANY)?.into())
}

fn decode_nothing(_: JsValue) -> Result<JsValue, AtriumError> {
    Ok(JsValue::UNDEFINED)
}

fn decode_bytes(body: JsValue) -> Result<JsValue, AtriumError> {
    Ok(body)
}

type Decoder = fn(JsValue) -> Result<JsValue, AtriumError>;

/// Where the token comes from: a fixed string, or a function asked again after a 401.
enum TokenSource {
    Fixed(String),
    Provider(Function),
}

pub(crate) struct Inner {
    config: ClientConfig,
    token: TokenSource,
    cached: RefCell<Option<String>>,
    user_guid: RefCell<Option<String>>,
    /// The client's flows together: their event stream and their status reads.
    pub(crate) flows: crate::wasm_hub::Flows,
}

/// What came back from one attempt.
pub(crate) enum Answer {
    Json(JsValue),
    Empty,
    Bytes(JsValue),
}

impl Inner {
    pub(crate) fn relay_url(&self) -> &str {
        &self.config.relay_url
    }

    pub(crate) async fn token(&self, fresh: bool) -> Result<String, AtriumError> {
        match &self.token {
            TokenSource::Fixed(t) => Ok(t.clone()),
            TokenSource::Provider(f) => {
                if !fresh {
                    if let Some(t) = self.cached.borrow().clone() {
                        return Ok(t);
                    }
                }
                let value = f
                    .call0(&JsValue::NULL)
                    .map_err(|e| AtriumError::invalid(format!("token(): {}", describe(&e))))?;
                let value = match value.dyn_into::<Promise>() {
                    Ok(p) => JsFuture::from(p)
                        .await
                        .map_err(|e| AtriumError::invalid(format!("token(): {}", describe(&e))))?,
                    Err(v) => v,
                };
                let token = value
                    .as_string()
                    .filter(|t| !t.trim().is_empty())
                    .ok_or_else(|| {
                        AtriumError::invalid("token() must return a non-empty string.")
                    })?;
                *self.cached.borrow_mut() = Some(token.clone());
                Ok(token)
            }
        }
    }

    /// The user the client works for: the option, or else the relay session's (asked once).
    pub(crate) async fn user_guid(
        &self,
        signal: Option<&AbortSignal>,
    ) -> Result<String, AtriumError> {
        if let Some(guid) = self
            .config
            .user_guid
            .clone()
            .or_else(|| self.user_guid.borrow().clone())
        {
            return Ok(guid);
        }
        let body = match self.call(&request::read_session(), signal).await? {
            Answer::Json(v) => v,
            _ => return Err(decode_error(".", "expected the session")),
        };
        let session: Session = response::decode(serde_wasm_bindgen::Deserializer::from(body))?;
        *self.user_guid.borrow_mut() = Some(session.user_guid.clone());
        Ok(session.user_guid)
    }

    /// Sends `req`, retrying reads on transient failures and refreshing a provided token once
    /// after a 401; never past the caller's signal.
    pub(crate) async fn call(
        &self,
        req: &ApiRequest,
        signal: Option<&AbortSignal>,
    ) -> Result<Answer, AtriumError> {
        let body = match &req.body {
            Some(b) => Some(
                js_sys::JSON::stringify(&to_js(b)?)
                    .map(String::from)
                    .map_err(|_| AtriumError::invalid("the request body could not be encoded"))?,
            ),
            None => None,
        };
        let mut attempts = 0;
        let mut refreshed = false;
        loop {
            attempts += 1;
            let token = self.token(false).await?;
            match self.attempt(req, body.as_deref(), &token, signal).await {
                Ok(answer) => return Ok(answer),
                Err(AtriumError::Http { status: 401, .. })
                    if matches!(self.token, TokenSource::Provider(_)) && !refreshed =>
                {
                    refreshed = true;
                    self.token(true).await?;
                    attempts -= 1;
                }
                Err(e)
                    if retry::should_retry(req.idempotent(), &e, attempts, &self.config.retry) =>
                {
                    let retry_after = match &e {
                        AtriumError::Http { retry_after_ms, .. } => *retry_after_ms,
                        _ => None,
                    };
                    let wait = retry::delay_ms(
                        attempts,
                        &self.config.retry,
                        js_sys::Math::random(),
                        retry_after,
                    );
                    JsFuture::from(sleep(wait, signal))
                        .await
                        .map_err(|_| AtriumError::Aborted)?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn attempt(
        &self,
        req: &ApiRequest,
        body: Option<&str>,
        token: &str,
        signal: Option<&AbortSignal>,
    ) -> Result<Answer, AtriumError> {
        if signal.is_some_and(AbortSignal::aborted) {
            return Err(AtriumError::Aborted);
        }
        let attempt = Attempt::new(signal, self.config.timeout_ms);
        let result = self.exchange(req, body, token, &attempt).await;
        attempt.finish();
        result.map_err(|e| match e {
            // Whatever failed while aborting is reported as the abort or the timeout it was.
            _ if attempt.caller_aborted() => AtriumError::Aborted,
            _ if attempt.timed_out() => AtriumError::Timeout(self.config.timeout_ms),
            e => e,
        })
    }

    async fn exchange(
        &self,
        req: &ApiRequest,
        body: Option<&str>,
        token: &str,
        attempt: &Attempt,
    ) -> Result<Answer, AtriumError> {
        let url = req.url(&self.config.relay_url);
        let accept = if req.pdf {
            "application/vnd.mx.atrium.v1+pdf"
        } else {
            "application/json"
        };
        let signal = attempt.signal();
        let builder = gloo_net::http::RequestBuilder::new(&url)
            .method(match req.method {
                request::Method::Get => gloo_net::http::Method::GET,
                request::Method::Post => gloo_net::http::Method::POST,
                request::Method::Put => gloo_net::http::Method::PUT,
                request::Method::Delete => gloo_net::http::Method::DELETE,
            })
            .header("Accept", accept)
            .header("Authorization", &format!("Bearer {token}"))
            .abort_signal(Some(&signal));
        let sent = match body {
            Some(b) => {
                builder
                    .header("Content-Type", "application/json")
                    .body(b.to_string())
                    .map_err(|e| AtriumError::invalid(e.to_string()))?
                    .send()
                    .await
            }
            None => builder.send().await,
        };
        let response = sent.map_err(|e| AtriumError::Network(e.to_string()))?;
        let status = response.status();
        let header = |name: &str| response.headers().get(name);
        let request_id = header("x-request-id");
        let retry_after = header("retry-after");
        let raw = web_sys::Response::from(response);
        if (200..300).contains(&status) {
            if status == 204 {
                return Ok(Answer::Empty);
            }
            if req.pdf {
                let buffer = JsFuture::from(
                    raw.array_buffer()
                        .map_err(|e| AtriumError::Network(describe(&e)))?,
                )
                .await
                .map_err(|e| AtriumError::Network(describe(&e)))?;
                return Ok(Answer::Bytes(js_sys::Uint8Array::new(&buffer).into()));
            }
            let text = JsFuture::from(raw.text().map_err(|e| AtriumError::Network(describe(&e)))?)
                .await
                .map_err(|e| AtriumError::Network(describe(&e)))?;
            let text = text.as_string().unwrap_or_default();
            if text.trim().is_empty() {
                return Ok(Answer::Empty);
            }
            // The browser's JSON parser: no JSON parser in the .wasm, and no copy into it.
            return js_sys::JSON::parse(&text)
                .map(Answer::Json)
                .map_err(|e| decode_error(".", describe(&e)));
        }
        let error_body =
            match JsFuture::from(raw.json().map_err(|e| AtriumError::Network(describe(&e)))?).await
            {
                Ok(v) => serde_wasm_bindgen::from_value::<ErrorBody>(v).ok(),
                Err(_) => None,
            };
        Err(response::http_error(
            status,
            error_body,
            request_id,
            retry_after.as_deref(),
        ))
    }
}

pub(crate) fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "an unexpected value".into())
}

/// A client of the Atrium API through an `atrium-relay`.
#[wasm_bindgen]
pub struct AtriumClient {
    pub(crate) inner: Rc<Inner>,
}

/// The lists `pages()` and `all()` walk.
#[derive(Debug, Clone, Copy)]
enum ListMethod {
    Institutions,
    Members,
    Accounts,
    Transactions,
    Holdings,
    Statements,
    Merchants,
    MerchantLocations,
}

impl ListMethod {
    fn parse(name: &JsValue) -> Result<Self, AtriumError> {
        Ok(match name.as_string().as_deref() {
            Some("listInstitutions") => ListMethod::Institutions,
            Some("listMembers") => ListMethod::Members,
            Some("listAccounts") => ListMethod::Accounts,
            Some("listTransactions") => ListMethod::Transactions,
            Some("listHoldings") => ListMethod::Holdings,
            Some("listStatements") => ListMethod::Statements,
            Some("listMerchants") => ListMethod::Merchants,
            Some("listMerchantLocations") => ListMethod::MerchantLocations,
            _ => {
                return Err(AtriumError::invalid(
                    "method must name a paginated list method, such as \"listTransactions\".",
                ))
            }
        })
    }
}

/// Builds a request once the user GUID is known.
type UserBuild = Box<dyn FnOnce(&str) -> Result<ApiRequest, AtriumError>>;

/// How a method's request is made: in the user's scope (the user GUID is known only once
/// the session is read) or without one.
enum Build {
    User(UserBuild),
    Public(Result<ApiRequest, AtriumError>),
}

/// The one path every method takes, so all share one future type (one copy in the .wasm).
async fn execute(
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
        Answer::Json(v) => decode(v),
        Answer::Empty => decode(JsValue::UNDEFINED),
        Answer::Bytes(b) => decode(b),
    }
}

/// One page of a paginated list, for `pages()`, `all()` and the list methods.
fn list_build(method: ListMethod, options: JsValue) -> (Build, Decoder) {
    let o = Some(options);
    macro_rules! user {
        ($ty:ty, $what:literal, $req:path, $decode:expr) => {{
            let parsed = optional::<$ty>(o, $what);
            (
                Build::User(Box::new(move |u| $req(u, &parsed?))),
                $decode as Decoder,
            )
        }};
    }
    match method {
        ListMethod::Institutions => {
            let r = optional::<ListInstitutionsOptions>(o, "listInstitutions options")
                .and_then(|o| request::list_institutions(&o));
            (Build::Public(r), decode_page::<Institution>)
        }
        ListMethod::Merchants => {
            let r =
                optional::<Paging>(o, "listMerchants options").and_then(request::list_merchants);
            (Build::Public(r), decode_page::<Merchant>)
        }
        ListMethod::MerchantLocations => {
            let r = optional_required::<ListMerchantLocations>(o, "listMerchantLocations options")
                .and_then(|o| request::list_merchant_locations(&o));
            (Build::Public(r), decode_page::<MerchantLocation>)
        }
        ListMethod::Members => {
            let parsed = optional::<Paging>(o, "listMembers options");
            (
                Build::User(Box::new(move |u| request::list_members(u, parsed?))),
                decode_page::<Member>,
            )
        }
        ListMethod::Accounts => user!(
            ListByOwner,
            "listAccounts options",
            request::list_accounts,
            decode_page::<Account>
        ),
        ListMethod::Transactions => user!(
            ListTransactions,
            "listTransactions options",
            request::list_transactions,
            decode_page::<Transaction>
        ),
        ListMethod::Holdings => user!(
            ListByOwner,
            "listHoldings options",
            request::list_holdings,
            decode_page::<Holding>
        ),
        ListMethod::Statements => {
            let parsed = optional_required::<ListStatements>(o, "listStatements options");
            (
                Build::User(Box::new(move |u| request::list_statements(u, &parsed?))),
                decode_page::<Statement>,
            )
        }
    }
}

async fn list_page(
    inner: Rc<Inner>,
    method: ListMethod,
    options: JsValue,
    signal: Option<AbortSignal>,
) -> Result<JsValue, AtriumError> {
    let (build, decode) = list_build(method, options);
    execute(inner, signal, build, decode).await
}

/// Options with a required field: absent options are an error naming it.
fn optional_required<T: DeserializeOwned>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, AtriumError> {
    match value {
        Some(v) if !v.is_null() && !v.is_undefined() => from_js(v, what, &[]),
        _ => Err(AtriumError::invalid(format!("{what} are required."))),
    }
}

/// Runs `f` as a promise that rejects with an `AtriumError`.
pub(crate) fn promise<F>(f: F) -> Promise
where
    F: std::future::Future<Output = Result<JsValue, AtriumError>> + 'static,
{
    future_to_promise(async move { f.await.map_err(|e| to_js_error(&e)) })
}

impl AtriumClient {
    fn start(&self, call: Option<JsValue>, build: Build, decode: Decoder) -> Promise {
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
            Build::User(Box::new(move |$u: &str| $build)),
            $decode,
        )
    };
}

/// A public method (no user in its path).
macro_rules! public_method {
    ($self:ident, $call:ident, $build:expr, $decode:expr) => {
        $self.start($call, Build::Public($build), $decode)
    };
}

#[wasm_bindgen]
impl AtriumClient {
    /// `new AtriumClient({ relayUrl, token, userGuid?, timeoutMs?, retry? })`; throws an
    /// `AtriumError` with code `invalid_input` when the options are wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AtriumClientOptions")] options: JsValue,
    ) -> Result<AtriumClient, JsValue> {
        Self::build(options).map_err(|e| to_js_error(&e))
    }

    fn build(options: JsValue) -> Result<AtriumClient, AtriumError> {
        let token = if options.is_object() {
            Reflect::get(&options, &"token".into()).unwrap_or(JsValue::UNDEFINED)
        } else {
            JsValue::UNDEFINED
        };
        let config =
            from_js::<ClientOptions>(options, "AtriumClient options", &["token"])?.validate()?;
        let token = if let Some(t) = token.as_string() {
            if t.trim().is_empty() {
                return Err(AtriumError::invalid(
                    "token must be a non-empty string or a function returning one.",
                ));
            }
            TokenSource::Fixed(t.trim().to_string())
        } else if let Some(f) = token.dyn_ref::<Function>() {
            TokenSource::Provider(f.clone())
        } else {
            return Err(AtriumError::invalid(
                "token must be a non-empty string or a function returning one.",
            ));
        };
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

    #[wasm_bindgen(js_name = readUser, unchecked_return_type = "Promise<User>")]
    pub fn read_user(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        user_method!(self, call, |u| request::read_user(u), decode_one::<User>)
    }

    #[wasm_bindgen(js_name = updateUser, unchecked_return_type = "Promise<User>")]
    pub fn update_user(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateUserOptions")] fields: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let fields = from_js::<UpdateUser>(fields, "updateUser fields", &[]);
        user_method!(
            self,
            call,
            |u| request::update_user(u, fields?),
            decode_one::<User>
        )
    }

    #[wasm_bindgen(js_name = listInstitutions, unchecked_return_type = "Promise<Page<Institution>>")]
    pub fn list_institutions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListInstitutionsOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let o = optional::<ListInstitutionsOptions>(options, "listInstitutions options");
        public_method!(
            self,
            call,
            o.and_then(|o| request::list_institutions(&o)),
            decode_page::<Institution>
        )
    }

    #[wasm_bindgen(js_name = readInstitution, unchecked_return_type = "Promise<Institution>")]
    pub fn read_institution(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let code = arg_string(&code, "institution_code");
        public_method!(
            self,
            call,
            code.and_then(|c| request::read_institution(&c)),
            decode_one::<Institution>
        )
    }

    #[wasm_bindgen(js_name = listInstitutionCredentials, unchecked_return_type = "Promise<Credential[]>")]
    pub fn list_institution_credentials(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let code = arg_string(&code, "institution_code");
        public_method!(
            self,
            call,
            code.and_then(|c| request::list_institution_credentials(&c)),
            decode_list::<Credential>
        )
    }

    #[wasm_bindgen(js_name = createMember, unchecked_return_type = "Promise<Member>")]
    pub fn create_member(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateMemberOptions")] member: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let member = from_js::<CreateMember>(member, "createMember", &[]);
        user_method!(
            self,
            call,
            |u| request::create_member(u, member?),
            decode_one::<Member>
        )
    }

    #[wasm_bindgen(js_name = listMembers, unchecked_return_type = "Promise<Page<Member>>")]
    pub fn list_members(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PagingOptions")] options: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let o = optional::<Paging>(options, "listMembers options");
        user_method!(
            self,
            call,
            |u| request::list_members(u, o?),
            decode_page::<Member>
        )
    }

    #[wasm_bindgen(js_name = updateMember, unchecked_return_type = "Promise<Member>")]
    pub fn update_member(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "UpdateMemberOptions")] fields: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m = arg_string(&member_guid, "member_guid");
        let fields = from_js::<UpdateMember>(fields, "updateMember fields", &[]);
        user_method!(
            self,
            call,
            |u| request::update_member(u, &m?, fields?),
            decode_one::<Member>
        )
    }

    #[wasm_bindgen(js_name = resumeMember, unchecked_return_type = "Promise<Member>")]
    pub fn resume_member(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Answer[]")] answers: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m = arg_string(&member_guid, "member_guid");
        let answers = answer_list(answers);
        user_method!(
            self,
            call,
            |u| request::resume_member(u, &m?, answers?),
            decode_one::<Member>
        )
    }

    #[wasm_bindgen(js_name = readOAuthWindowUri, unchecked_return_type = "Promise<Member>")]
    pub fn read_oauth_window_uri(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "OAuthWindowOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m = arg_string(&member_guid, "member_guid");
        let o = optional::<OAuthWindowOptions>(options, "readOAuthWindowUri options");
        user_method!(
            self,
            call,
            |u| request::read_oauth_window_uri(u, &m?, &o?),
            decode_one::<Member>
        )
    }

    #[wasm_bindgen(js_name = listAccounts, unchecked_return_type = "Promise<Page<Account>>")]
    pub fn list_accounts(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListAccountsOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Accounts, options, call)
    }

    #[wasm_bindgen(js_name = listAccountNumbers, unchecked_return_type = "Promise<AccountNumber[]>")]
    pub fn list_account_numbers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListAccountNumbersOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let o = optional_required::<ListByOwner>(Some(options), "listAccountNumbers options");
        user_method!(
            self,
            call,
            |u| request::list_account_numbers(u, &o?),
            decode_list::<AccountNumber>
        )
    }

    #[wasm_bindgen(js_name = listTransactions, unchecked_return_type = "Promise<Page<Transaction>>")]
    pub fn list_transactions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListTransactionsOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Transactions, options, call)
    }

    #[wasm_bindgen(js_name = listHoldings, unchecked_return_type = "Promise<Page<Holding>>")]
    pub fn list_holdings(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListHoldingsOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Holdings, options, call)
    }

    #[wasm_bindgen(js_name = listStatements, unchecked_return_type = "Promise<Page<Statement>>")]
    pub fn list_statements(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListStatementsOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Statements, Some(options), call)
    }

    #[wasm_bindgen(js_name = readStatement, unchecked_return_type = "Promise<Statement>")]
    pub fn read_statement(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] statement_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let (m, s) = (
            arg_string(&member_guid, "member_guid"),
            arg_string(&statement_guid, "statement_guid"),
        );
        user_method!(
            self,
            call,
            |u| request::read_statement(u, &m?, &s?, false),
            decode_one::<Statement>
        )
    }

    /// The statement's PDF, as bytes.
    #[wasm_bindgen(js_name = downloadStatementPdf, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn download_statement_pdf(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] statement_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let (m, s) = (
            arg_string(&member_guid, "member_guid"),
            arg_string(&statement_guid, "statement_guid"),
        );
        user_method!(
            self,
            call,
            |u| request::read_statement(u, &m?, &s?, true),
            decode_bytes
        )
    }

    #[wasm_bindgen(js_name = listMerchants, unchecked_return_type = "Promise<Page<Merchant>>")]
    pub fn list_merchants(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PagingOptions")] options: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Merchants, options, call)
    }

    #[wasm_bindgen(js_name = readMerchant, unchecked_return_type = "Promise<Merchant>")]
    pub fn read_merchant(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] merchant_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m = arg_string(&merchant_guid, "merchant_guid");
        public_method!(
            self,
            call,
            m.and_then(|m| request::read_merchant(&m)),
            decode_one::<Merchant>
        )
    }

    #[wasm_bindgen(js_name = listMerchantLocations, unchecked_return_type = "Promise<Page<MerchantLocation>>")]
    pub fn list_merchant_locations(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListMerchantLocationsOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::MerchantLocations, Some(options), call)
    }

    #[wasm_bindgen(js_name = readMerchantLocation, unchecked_return_type = "Promise<MerchantLocation>")]
    pub fn read_merchant_location(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] merchant_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] location_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let (m, l) = (
            arg_string(&merchant_guid, "merchant_guid"),
            arg_string(&location_guid, "merchant_location_guid"),
        );
        public_method!(
            self,
            call,
            m.and_then(|m| request::read_merchant_location(&m, &l?)),
            decode_one::<MerchantLocation>
        )
    }

    #[wasm_bindgen(js_name = getConnectWidget, unchecked_return_type = "Promise<ConnectWidget>")]
    pub fn get_connect_widget(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ConnectWidgetOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let o = optional::<ConnectWidgetOptions>(options, "getConnectWidget options");
        user_method!(
            self,
            call,
            |u| request::get_connect_widget(u, o?),
            decode_one::<ConnectWidget>
        )
    }

    #[wasm_bindgen(js_name = cleanseAndCategorize, unchecked_return_type = "Promise<CleansedTransaction[]>")]
    pub fn cleanse_and_categorize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CleanseItem[]")] transactions: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let items = cleanse_items(transactions);
        public_method!(
            self,
            call,
            items.and_then(request::cleanse_and_categorize),
            decode_list::<CleansedTransaction>
        )
    }

    fn page_of(
        &self,
        method: ListMethod,
        options: Option<JsValue>,
        call: Option<JsValue>,
    ) -> Promise {
        let (build, decode) = list_build(method, options.unwrap_or(JsValue::UNDEFINED));
        self.start(call, build, decode)
    }

    /// Every page of a list, one after another, as an async iterable.
    #[wasm_bindgen(unchecked_return_type = "AsyncIterable<Page<ListItem>>")]
    pub fn pages(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListMethod")] method: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ListOptions")] options: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let method = ListMethod::parse(&method).map_err(|e| to_js_error(&e))?;
        let signal = call_signal(call).map_err(|e| to_js_error(&e))?;
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let start = Reflect::get(&options, &"page".into())
            .ok()
            .and_then(|p| p.as_f64())
            .unwrap_or(1.0)
            .max(1.0) as u32;
        let next_page = Rc::new(RefCell::new(Some(start)));
        let inner = self.inner.clone();
        let next = Closure::<dyn FnMut() -> Promise>::new(move || {
            let (inner, options, signal, next_page) = (
                inner.clone(),
                options.clone(),
                signal.clone(),
                next_page.clone(),
            );
            promise(async move {
                let done = Object::new();
                let page_number = *next_page.borrow();
                let Some(page_number) = page_number else {
                    let _ = Reflect::set(&done, &"done".into(), &JsValue::TRUE);
                    return Ok(done.into());
                };
                let page =
                    list_page(inner, method, with_page(&options, page_number), signal).await?;
                let p: Pagination = serde_wasm_bindgen::from_value(
                    Reflect::get(&page, &"pagination".into()).unwrap_or(JsValue::UNDEFINED),
                )
                .map_err(|e| decode_error("pagination", e.to_string()))?;
                *next_page.borrow_mut() = p.next_page();
                let _ = Reflect::set(&done, &"value".into(), &page);
                let _ = Reflect::set(&done, &"done".into(), &JsValue::FALSE);
                Ok(done.into())
            })
        });
        let iterable = async_iterable(next.as_ref().unchecked_ref());
        // The iterable lives as long as the page that holds it; the closure must too.
        next.forget();
        Ok(iterable)
    }

    /// Every item of a list: the first page, then the rest with at most `concurrency`
    /// (default 4, at most 16) requests in flight, in order.
    #[wasm_bindgen(unchecked_return_type = "Promise<ListItem[]>")]
    pub fn all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListMethod")] method: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ListOptions & { concurrency?: number }")]
        options: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let method = ListMethod::parse(&method)?;
            let signal = call_signal(call)?;
            let options = options.unwrap_or(JsValue::UNDEFINED);
            let requested = Reflect::get(&options, &"concurrency".into())
                .ok()
                .and_then(|c| c.as_f64());
            if requested.is_some_and(|c| c < 1.0 || c.fract() != 0.0) {
                return Err(AtriumError::invalid(
                    "concurrency must be a whole number, at least 1.",
                ));
            }
            let width = pagination::concurrency(requested.map(|c| c as u32));
            let first = list_page(
                inner.clone(),
                method,
                with_page(&options, 1),
                signal.clone(),
            )
            .await?;
            let items: Array = Reflect::get(&first, &"items".into())
                .unwrap_or(JsValue::UNDEFINED)
                .into();
            let p: Pagination = serde_wasm_bindgen::from_value(
                Reflect::get(&first, &"pagination".into()).unwrap_or(JsValue::UNDEFINED),
            )
            .map_err(|e| decode_error("pagination", e.to_string()))?;
            let mut pending = p.remaining();
            let mut in_flight: VecDeque<Promise> = VecDeque::new();
            loop {
                while in_flight.len() < width {
                    let Some(n) = pending.next() else { break };
                    let (inner, o, s) = (inner.clone(), with_page(&options, n), signal.clone());
                    in_flight.push_back(promise(list_page(inner, method, o, s)));
                }
                let Some(next) = in_flight.pop_front() else {
                    break;
                };
                let page = JsFuture::from(next).await.map_err(|e| rethrown(&e))?;
                let page_items: Array = Reflect::get(&page, &"items".into())
                    .unwrap_or(JsValue::UNDEFINED)
                    .into();
                for item in page_items.iter() {
                    items.push(&item);
                }
            }
            Ok(items.into())
        })
    }
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
                let $guid = arg_string(&$guid, stringify!($guid));
                user_method!(self, call, |$u| $build, $decode)
            }
        }
    };
}

guid_method!(read_member, "readMember", "Promise<Member>", member_guid => |u| request::read_member(u, &member_guid?), decode_one::<Member>);
guid_method!(delete_member, "deleteMember", "Promise<void>", member_guid => |u| request::delete_member(u, &member_guid?), decode_nothing);
guid_method!(read_member_status, "readMemberStatus", "Promise<MemberStatus>", member_guid => |u| request::read_member_status(u, &member_guid?), decode_one::<MemberStatus>);
guid_method!(list_member_challenges, "listMemberChallenges", "Promise<Challenge[]>", member_guid => |u| request::list_member_challenges(u, &member_guid?), decode_list::<Challenge>);
guid_method!(list_member_credentials, "listMemberCredentials", "Promise<Credential[]>", member_guid => |u| request::list_member_credentials(u, &member_guid?), decode_list::<Credential>);
guid_method!(list_account_owners, "listAccountOwners", "Promise<AccountOwner[]>", member_guid => |u| request::list_account_owners(u, &member_guid?), decode_list::<AccountOwner>);
guid_method!(read_account, "readAccount", "Promise<Account>", account_guid => |u| request::read_account(u, &account_guid?), decode_one::<Account>);
guid_method!(read_transaction, "readTransaction", "Promise<Transaction>", transaction_guid => |u| request::read_transaction(u, &transaction_guid?), decode_one::<Transaction>);
guid_method!(read_holding, "readHolding", "Promise<Holding>", holding_guid => |u| request::read_holding(u, &holding_guid?), decode_one::<Holding>);

// The raw process starts: each resolves to the member at once (the flows follow them to an end).
guid_method!(aggregate_member, "aggregateMember", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::Aggregate), decode_one::<Member>);
guid_method!(check_member_balances, "checkMemberBalances", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::Balance), decode_one::<Member>);
guid_method!(verify_member, "verifyMember", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::Verify), decode_one::<Member>);
guid_method!(identify_member, "identifyMember", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::Identify), decode_one::<Member>);
guid_method!(extend_member_history, "extendMemberHistory", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::ExtendHistory), decode_one::<Member>);
guid_method!(fetch_member_statements, "fetchMemberStatements", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::FetchStatements), decode_one::<Member>);

/// An `AtriumError` that came back through a promise, as the core error it was.
pub(crate) fn rethrown(e: &JsValue) -> AtriumError {
    let get = |k: &str| Reflect::get(e, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let code = get("code").as_string().unwrap_or_default();
    let message = get("message").as_string().unwrap_or_default();
    match code.as_str() {
        "aborted" => AtriumError::Aborted,
        "invalid_input" => AtriumError::InvalidInput(message),
        "network" => AtriumError::Network(message),
        "decode" => decode_error(".", message),
        _ => {
            let status = get("status").as_f64().unwrap_or(0.0) as u16;
            let code = crate::error::ErrorCode::ALL
                .into_iter()
                .find(|c| c.as_str() == code)
                .unwrap_or(crate::error::ErrorCode::from_status(status));
            AtriumError::Http {
                status,
                code,
                message,
                request_id: get("requestId").as_string(),
                retry_after_ms: None,
            }
        }
    }
}

fn answer_list(value: JsValue) -> Result<Vec<GuidValue>, AtriumError> {
    let list: Array = value
        .dyn_into()
        .map_err(|_| AtriumError::invalid("answers must be an array of { guid, value }."))?;
    list.iter()
        .enumerate()
        .map(|(i, a)| from_js::<GuidValue>(a, &format!("answers[{i}]"), &[]))
        .collect()
}

fn cleanse_items(value: JsValue) -> Result<Vec<CleanseItem>, AtriumError> {
    let list: Array = value
        .dyn_into()
        .map_err(|_| AtriumError::invalid("transactions must be an array."))?;
    list.iter()
        .enumerate()
        .map(|(i, t)| from_js::<CleanseItem>(t, &format!("transactions[{i}]"), &[]))
        .collect()
}
