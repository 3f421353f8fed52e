//! Performs one request as the core's transport policy (`atrium_core::transport`) says:
//! fetch with the relay token, each attempt under an `AttemptGuard` (the client's timeout and
//! the caller's signal), the token asked afresh or a wait before sending again when told.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::abort::AttemptGuard;
use crate::client::{Inner, TokenSource};
use crate::convert::to_js;
use crate::js::{exchange, sleep, Exchanged};
use crate::rejection::describe;
use atrium_core::error::AtriumError;
use atrium_core::request::ApiRequest;
use atrium_core::reader;
use atrium_core::response::{self, ErrorBody};

use crate::js_tree::JsTree;
use atrium_core::transport::{Next, Transport};

/// What came back from one attempt.
pub(crate) enum Answer {
    /// The parsed body, and the status it came with (a decode error names it).
    Json(JsValue, u16),
    Empty,
    Bytes(JsValue),
}

fn network(e: JsValue) -> AtriumError {
    AtriumError::Network(describe(&e))
}

impl Inner {
    /// Sends `req` until it is answered or the policy gives up; never past the caller's signal.
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
        let can_refresh = matches!(self.token, TokenSource::Provider(_));
        let mut policy = Transport::new(req, can_refresh, self.config.retry);
        let mut fresh = false;
        loop {
            let token = self.token(fresh).await?;
            let error = match self.attempt(req, body.as_deref(), &token, signal).await {
                Ok(answer) => return Ok(answer),
                Err(e) => e,
            };
            fresh = false;
            match policy.failed(&error, js_sys::Math::random()) {
                Next::Refresh => fresh = true,
                Next::Wait(ms) => {
                    JsFuture::from(sleep(ms, signal))
                        .await
                        .map_err(|_| AtriumError::Aborted)?;
                }
                Next::GiveUp => return Err(error),
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
        let guard = AttemptGuard::new(signal, self.config.timeout_ms)
            .ok_or_else(|| AtriumError::Network("no AbortController here".into()))?;
        let result = self.exchange(req, body, token, &guard.signal()).await;
        result.map_err(|e| match e {
            // Whatever failed while aborting is reported as the abort or the timeout it was.
            _ if guard.caller_aborted() => AtriumError::Aborted,
            _ if guard.timed_out() => AtriumError::Timeout(self.config.timeout_ms),
            e => e,
        })
    }

    async fn exchange(
        &self,
        req: &ApiRequest,
        body: Option<&str>,
        token: &str,
        signal: &AbortSignal,
    ) -> Result<Answer, AtriumError> {
        let url = req.url(self.relay_url());
        let sent = exchange(&url, req.method.as_str(), req.accept(), token, body, signal, req.pdf);
        let got: Exchanged = JsFuture::from(sent).await.map_err(network)?.unchecked_into();
        let status = got.status();
        let body = got.body();
        if !(200..300).contains(&status) {
            let error_body = reader::read::<ErrorBody, _>(JsTree(body)).ok();
            let retry_after = got.retry_after();
            return Err(response::http_error(
                status,
                error_body,
                got.request_id(),
                retry_after.as_deref(),
            ));
        }
        if let Some(bad) = got.bad() {
            return Err(AtriumError::decode(".", bad).with_status(status));
        }
        Ok(match body {
            b if b.is_undefined() => Answer::Empty,
            b if req.pdf => Answer::Bytes(b),
            b => Answer::Json(b, status),
        })
    }
}
