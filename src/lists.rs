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

/// Every paginated list from one table: its exported method (one page), its name for
/// `pages()` and `all()`, how its options are read and its request built, and its items.
macro_rules! lists {
    ($($variant:ident: $name:ident, $js:literal, $returns:literal, $model:ty,
        $scope:ident $req:path, $need:ident $options:ty => $ts:literal;)+) => {
        /// The lists `pages()` and `all()` walk.
        #[derive(Debug, Clone, Copy)]
        pub(crate) enum ListMethod {
            $($variant,)+
        }

        impl ListMethod {
            fn parse(name: &JsValue) -> Result<Self, AtriumError> {
                match name.as_string().as_deref() {
                    $(Some($js) => Ok(ListMethod::$variant),)+
                    _ => Err(AtriumError::invalid(
                        "method must name a paginated list method, such as \"listTransactions\".",
                    )),
                }
            }
        }

        /// One page of a list: how its request is built, and how its answer is decoded.
        fn list_build(method: ListMethod, options: JsValue) -> (Build, Decoder) {
            match method {
                $(ListMethod::$variant => {
                    let parsed = $need::<$options>(Some(options), concat!($js, " options"));
                    (lists!(@$scope $req, parsed), decode::page::<$model> as Decoder)
                })+
            }
        }

        $(lists!(@$need $variant, $name, $js, $returns, $ts);)+
    };
    (@user $req:path, $parsed:ident) => {
        Build::User(Box::new(move |u| $req(u, &$parsed?)))
    };
    (@public $req:path, $parsed:ident) => {
        Build::Public($parsed.and_then(|o| $req(&o)))
    };
    (@optional $($rest:tt)+) => {
        lists!(@export unchecked_optional_param_type, Option<JsValue>, $($rest)+);
    };
    (@required $($rest:tt)+) => {
        lists!(@export unchecked_param_type, JsValue, $($rest)+);
    };
    (@export $attr:ident, $ty:ty, $variant:ident, $name:ident, $js:literal, $returns:literal, $ts:literal) => {
        #[wasm_bindgen]
        impl AtriumClient {
            #[wasm_bindgen(js_name = $js, unchecked_return_type = $returns)]
            pub fn $name(
                &self,
                #[wasm_bindgen($attr = $ts)] options: $ty,
                #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
            ) -> Promise {
                self.page_of(ListMethod::$variant, options.into(), call)
            }
        }
    };
}

lists! {
    Institutions: list_institutions, "listInstitutions", "Promise<Page<Institution>>", Institution,
        public request::list_institutions, optional ListInstitutionsOptions => "ListInstitutionsOptions";
    Members: list_members, "listMembers", "Promise<Page<Member>>", Member,
        user request::list_members, optional Paging => "PagingOptions";
    Accounts: list_accounts, "listAccounts", "Promise<Page<Account>>", Account,
        user request::list_accounts, optional ListAccounts => "ListAccountsOptions";
    Transactions: list_transactions, "listTransactions", "Promise<Page<Transaction>>", Transaction,
        user request::list_transactions, optional ListTransactions => "ListTransactionsOptions";
    Holdings: list_holdings, "listHoldings", "Promise<Page<Holding>>", Holding,
        user request::list_holdings, optional ListByOwner => "ListHoldingsOptions";
    Statements: list_statements, "listStatements", "Promise<Page<Statement>>", Statement,
        user request::list_statements, required ListStatements => "ListStatementsOptions";
    Merchants: list_merchants, "listMerchants", "Promise<Page<Merchant>>", Merchant,
        public request::list_merchants, optional Paging => "PagingOptions";
    MerchantLocations: list_merchant_locations, "listMerchantLocations", "Promise<Page<MerchantLocation>>", MerchantLocation,
        public request::list_merchant_locations, required ListMerchantLocations => "ListMerchantLocationsOptions";
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
