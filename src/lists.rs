//! Paginated lists: one page of each (`listTransactions` …), every page in turn (`pages()`,
//! an async iterable), or every item (`all()`, pages fetched as `pagination::Schedule` says).

use std::cell::Cell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::client::{AtriumClient, Inner};
use crate::convert::{call_signal, get, optional, required};
use crate::decode::{self, Decoder};
use crate::execute::{execute, promise, Build};
use crate::js::{async_iterable, with_page};
use crate::rejection::{from_js, Rejection};
use atrium_core::error::AtriumError;
use atrium_core::models::*;
use atrium_core::options::*;
use atrium_core::pagination::{self, Cursor, Schedule};
use atrium_core::request;

/// The lists `pages()` and `all()` walk.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ListMethod {
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

/// One page of a list: how its request is built, and how its answer is decoded.
fn list_build(method: ListMethod, options: JsValue) -> (Build, Decoder) {
    let o = Some(options);
    macro_rules! user {
        ($parse:expr, $req:path, $model:ty) => {{
            let parsed = $parse;
            (
                Build::User(Box::new(move |u| $req(u, &parsed?))),
                decode::page::<$model> as Decoder,
            )
        }};
    }
    match method {
        ListMethod::Institutions => {
            let r = optional::<ListInstitutionsOptions>(o, "listInstitutions options")
                .and_then(|o| request::list_institutions(&o));
            (Build::Public(r), decode::page::<Institution>)
        }
        ListMethod::Merchants => {
            let r =
                optional::<Paging>(o, "listMerchants options").and_then(request::list_merchants);
            (Build::Public(r), decode::page::<Merchant>)
        }
        ListMethod::MerchantLocations => {
            let r = required::<ListMerchantLocations>(o, "listMerchantLocations options")
                .and_then(|o| request::list_merchant_locations(&o));
            (Build::Public(r), decode::page::<MerchantLocation>)
        }
        ListMethod::Members => {
            let parsed = optional::<Paging>(o, "listMembers options");
            (
                Build::User(Box::new(move |u| request::list_members(u, parsed?))),
                decode::page::<Member>,
            )
        }
        ListMethod::Accounts => user!(
            optional::<ListAccounts>(o, "listAccounts options"),
            request::list_accounts,
            Account
        ),
        ListMethod::Transactions => user!(
            optional::<ListTransactions>(o, "listTransactions options"),
            request::list_transactions,
            Transaction
        ),
        ListMethod::Holdings => user!(
            optional::<ListByOwner>(o, "listHoldings options"),
            request::list_holdings,
            Holding
        ),
        ListMethod::Statements => user!(
            required::<ListStatements>(o, "listStatements options"),
            request::list_statements,
            Statement
        ),
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

impl AtriumClient {
    pub(crate) fn page_of(
        &self,
        method: ListMethod,
        options: Option<JsValue>,
        call: Option<JsValue>,
    ) -> Promise {
        let (build, decode) = list_build(method, options.unwrap_or(JsValue::UNDEFINED));
        self.start(call, build, decode)
    }
}

/// The state of one `pages()` walk; JavaScript frees it when the walk ends (`runtime.js`).
#[wasm_bindgen(skip_typescript)]
pub struct PageIterator {
    inner: Rc<Inner>,
    method: ListMethod,
    options: JsValue,
    signal: Option<AbortSignal>,
    cursor: Rc<Cell<Cursor>>,
}

#[wasm_bindgen]
impl PageIterator {
    /// `{ value: page, done: false }`, or `{ done: true }` after the last page.
    pub fn next(&self) -> Promise {
        let (inner, method, options, signal, cursor) = (
            self.inner.clone(),
            self.method,
            self.options.clone(),
            self.signal.clone(),
            self.cursor.clone(),
        );
        promise(async move {
            let step = Object::new();
            let Some(number) = cursor.get().page() else {
                let _ = Reflect::set(&step, &"done".into(), &JsValue::TRUE);
                return Ok(step.into());
            };
            let page = list_page(inner, method, with_page(&options, number), signal).await?;
            let mut next = cursor.get();
            next.advance(&decode::pagination(&page)?);
            cursor.set(next);
            let _ = Reflect::set(&step, &"value".into(), &page);
            let _ = Reflect::set(&step, &"done".into(), &JsValue::FALSE);
            Ok(step.into())
        })
    }
}

#[wasm_bindgen]
impl AtriumClient {
    /// Every page of a list, one after another, as an async iterable (typed by method in
    /// `types.d.ts`).
    #[wasm_bindgen(skip_typescript)]
    pub fn pages(
        &self,
        method: JsValue,
        options: Option<JsValue>,
        call: Option<JsValue>,
    ) -> Result<JsValue, Rejection> {
        let method = ListMethod::parse(&method)?;
        let signal = call_signal(call)?;
        let options = options.unwrap_or(JsValue::UNDEFINED);
        let start = get(&options, "page").as_f64().map(|p| p.max(0.0) as u32);
        let iterator = PageIterator {
            inner: self.inner.clone(),
            method,
            options,
            signal,
            cursor: Rc::new(Cell::new(Cursor::at(start))),
        };
        Ok(async_iterable(iterator.into()))
    }

    /// Every item of a list: the first page, then the rest with at most `concurrency`
    /// (default 4, at most 16) requests in flight, in order.
    #[wasm_bindgen(skip_typescript)]
    pub fn all(&self, method: JsValue, options: Option<JsValue>, call: Option<JsValue>) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let method = ListMethod::parse(&method)?;
            let signal = call_signal(call)?;
            let options = options.unwrap_or(JsValue::UNDEFINED);
            let width = concurrency(&options)?;
            let fetch = |n: u32| {
                promise(list_page(
                    inner.clone(),
                    method,
                    with_page(&options, n),
                    signal.clone(),
                ))
            };
            let first = JsFuture::from(fetch(1)).await.map_err(|e| from_js(&e))?;
            let items: Array = get(&first, "items").into();
            let mut schedule = Schedule::after(&decode::pagination(&first)?, width);
            let mut in_flight: VecDeque<Promise> = VecDeque::new();
            loop {
                in_flight.extend(schedule.start().into_iter().map(fetch));
                let (Some(_), Some(next)) = (schedule.next_in_order(), in_flight.pop_front())
                else {
                    break;
                };
                let page = JsFuture::from(next).await.map_err(|e| from_js(&e))?;
                for item in Array::from(&get(&page, "items")).iter() {
                    items.push(&item);
                }
            }
            Ok(items.into())
        })
    }
}

/// `concurrency` of `all()`: a whole number, at least 1 (at most 16 are used).
fn concurrency(options: &JsValue) -> Result<usize, AtriumError> {
    let requested = get(options, "concurrency").as_f64();
    if requested.is_some_and(|c| c < 1.0 || c.fract() != 0.0) {
        return Err(AtriumError::invalid(
            "concurrency must be a whole number, at least 1.",
        ));
    }
    Ok(pagination::concurrency(requested.map(|c| c as u32)))
}
