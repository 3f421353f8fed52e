//! Reading a user's data: accounts, transactions, holdings, statements, account numbers and
//! owners, by user, member or account (§3.3–3.9).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};

use super::auth::accepts;
use super::member_path;
use super::members::find;
use super::paging::PageRequest;
use super::users::with_user;
use crate::error::ApiError;
use crate::sim::clock::{parse_date, DAY};
use crate::sim::data::{self, Account, Owner, Transaction};
use crate::sim::guid;
use crate::sim::member::Member;
use crate::sim::store::UserState;
use crate::AppState;

type Q = Query<HashMap<String, String>>;

pub(super) fn routes() -> Router<Arc<AppState>> {
    member_routes().merge(user_routes())
}

/// The data one member holds, under `/users/{u}/members/{m}`.
fn member_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(&member_path("/accounts"), get(list_member_accounts))
        .route(
            &member_path("/accounts/{account_guid}"),
            get(read_member_account),
        )
        .route(&member_path("/transactions"), get(list_member_transactions))
        .route(&member_path("/holdings"), get(list_member_holdings))
        .route(
            &member_path("/account_numbers"),
            get(member_account_numbers),
        )
        .route(&member_path("/account_owners"), get(account_owners))
        .route(&member_path("/statements"), get(list_statements))
        .route(&member_path("/statements/{statement}"), get(read_statement))
}

/// The data of all a user's members, under `/users/{u}`.
fn user_routes() -> Router<Arc<AppState>> {
    const U: &str = "/users/{user_guid}";
    let user = |rest: &str| format!("{U}{rest}");
    Router::new()
        .route(&user("/accounts"), get(list_user_accounts))
        .route(&user("/accounts/{account_guid}"), get(read_account))
        .route(
            &user("/accounts/{account_guid}/transactions"),
            get(list_account_transactions),
        )
        .route(
            &user("/accounts/{account_guid}/holdings"),
            get(list_account_holdings),
        )
        .route(
            &user("/accounts/{account_guid}/account_numbers"),
            get(account_account_numbers),
        )
        .route(&user("/transactions"), get(list_user_transactions))
        .route(
            &user("/transactions/{transaction_guid}"),
            get(read_transaction),
        )
        .route(&user("/holdings"), get(list_user_holdings))
        .route(&user("/holdings/{holding_guid}"), get(read_holding))
}

fn owner(m: &Member) -> Owner<'_> {
    Owner {
        user_guid: &m.user_guid,
        member_guid: &m.guid,
        institution_code: m.institution.code,
        institution_name: m.institution.name,
    }
}

/// One member's accounts and transactions, generated together so balances agree.
struct Snapshot {
    accounts: Vec<Account>,
    transactions: Vec<Transaction>,
}

fn snapshot(m: &Member) -> Snapshot {
    let transactions = data::transactions(owner(m), &m.data);
    let accounts = data::accounts(owner(m), &m.data, &transactions);
    Snapshot {
        accounts,
        transactions,
    }
}

fn page<T: Serialize + Clone>(
    key: &str,
    items: &[T],
    q: &HashMap<String, String>,
) -> Result<Json<Value>, ApiError> {
    let (items, pagination) = PageRequest::from_query(q)?.apply(items);
    Ok(Json(json!({ key: items, "pagination": pagination })))
}

/// The members a request covers: one (by GUID) or all of the user's.
fn members<'a>(u: &'a UserState, member_guid: Option<&str>) -> Result<Vec<&'a Member>, ApiError> {
    match member_guid {
        Some(g) => Ok(vec![find(u, g)?]),
        None => Ok(u.members.iter().collect()),
    }
}

fn check_guid(g: &str, prefix: &str, what: &str) -> Result<(), ApiError> {
    if guid::has_shape(g, prefix) {
        Ok(())
    } else {
        Err(ApiError::not_found(what))
    }
}

/// The account and the member that holds it.
fn find_account<'a>(
    u: &'a UserState,
    account_guid: &str,
) -> Result<(&'a Member, Account, Snapshot), ApiError> {
    check_guid(account_guid, "ACT", "account")?;
    for m in &u.members {
        let snap = snapshot(m);
        if let Some(a) = snap.accounts.iter().find(|a| a.guid == account_guid) {
            let a = a.clone();
            return Ok((m, a, snap));
        }
    }
    Err(ApiError::not_found("account"))
}

/// `from_date` and `to_date` (YYYY-MM-DD, no time part); by default 90 days back to 5 days
/// ahead, so pending transactions show (§1.5).
fn date_range(q: &HashMap<String, String>, now: i64) -> Result<(i64, i64), ApiError> {
    let today = now.div_euclid(DAY);
    let read = |name: &str, default: i64| match q.get(name) {
        None => Ok(default),
        Some(s) => parse_date(s).ok_or_else(|| {
            ApiError::BadRequest(format!("{name} must be a date as YYYY-MM-DD, not {s:?}."))
        }),
    };
    let (from, to) = (read("from_date", today - 90)?, read("to_date", today + 5)?);
    if from > to {
        return Err(ApiError::BadRequest("from_date is after to_date.".into()));
    }
    Ok((from, to))
}

fn transactions_page(
    all: impl Iterator<Item = Transaction>,
    q: &HashMap<String, String>,
    now: i64,
) -> Result<Json<Value>, ApiError> {
    let (from, to) = date_range(q, now)?;
    let paging = PageRequest::from_query(q)?;
    let mut items: Vec<Transaction> = all.filter(|t| t.day >= from && t.day <= to).collect();
    items.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.guid.cmp(&b.guid)));
    let (items, pagination) = paging.apply(&items);
    Ok(Json(
        json!({ "transactions": items, "pagination": pagination }),
    ))
}

/// `GET /users/{u}/accounts`.
pub async fn list_user_accounts(
    State(s): State<Arc<AppState>>,
    Path(u): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        let all: Vec<Account> = members(u, None)?
            .into_iter()
            .flat_map(|m| snapshot(m).accounts)
            .collect();
        page("accounts", &all, &q)
    })
}

/// `GET /users/{u}/members/{m}/accounts`.
pub async fn list_member_accounts(
    State(s): State<Arc<AppState>>,
    Path((u, m)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        page("accounts", &snapshot(find(u, &m)?).accounts, &q)
    })
}

/// `GET /users/{u}/accounts/{a}`.
pub async fn read_account(
    State(s): State<Arc<AppState>>,
    Path((u, a)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        Ok(Json(json!({ "account": find_account(u, &a)?.1 })))
    })
}

/// `GET /users/{u}/members/{m}/accounts/{a}`: the same account, only if that member holds it.
pub async fn read_member_account(
    State(s): State<Arc<AppState>>,
    Path((u, m, a)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        check_guid(&a, "ACT", "account")?;
        let account = snapshot(find(u, &m)?)
            .accounts
            .into_iter()
            .find(|x| x.guid == a)
            .ok_or_else(|| ApiError::not_found("account"))?;
        Ok(Json(json!({ "account": account })))
    })
}

/// `GET /users/{u}/transactions`.
pub async fn list_user_transactions(
    State(s): State<Arc<AppState>>,
    Path(u): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, now| {
        let all = members(u, None)?
            .into_iter()
            .flat_map(|m| snapshot(m).transactions);
        transactions_page(all, &q, now)
    })
}

/// `GET /users/{u}/members/{m}/transactions`.
pub async fn list_member_transactions(
    State(s): State<Arc<AppState>>,
    Path((u, m)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, now| {
        transactions_page(snapshot(find(u, &m)?).transactions.into_iter(), &q, now)
    })
}

/// `GET /users/{u}/accounts/{a}/transactions`.
pub async fn list_account_transactions(
    State(s): State<Arc<AppState>>,
    Path((u, a)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, now| {
        let (_, account, snap) = find_account(u, &a)?;
        transactions_page(
            snap.transactions
                .into_iter()
                .filter(|t| t.account_guid == account.guid),
            &q,
            now,
        )
    })
}

/// `GET /users/{u}/transactions/{t}`.
pub async fn read_transaction(
    State(s): State<Arc<AppState>>,
    Path((u, t)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        check_guid(&t, "TRN", "transaction")?;
        let found = u
            .members
            .iter()
            .find_map(|m| snapshot(m).transactions.into_iter().find(|x| x.guid == t))
            .ok_or_else(|| ApiError::not_found("transaction"))?;
        Ok(Json(json!({ "transaction": found })))
    })
}

fn holdings_of(m: &Member) -> Vec<data::Holding> {
    let snap = snapshot(m);
    data::holdings(owner(m), &m.data, &snap.accounts)
}

/// `GET /users/{u}/holdings`.
pub async fn list_user_holdings(
    State(s): State<Arc<AppState>>,
    Path(u): Path<String>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        page(
            "holdings",
            &u.members.iter().flat_map(holdings_of).collect::<Vec<_>>(),
            &q,
        )
    })
}

/// `GET /users/{u}/members/{m}/holdings`.
pub async fn list_member_holdings(
    State(s): State<Arc<AppState>>,
    Path((u, m)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        page("holdings", &holdings_of(find(u, &m)?), &q)
    })
}

/// `GET /users/{u}/accounts/{a}/holdings`.
pub async fn list_account_holdings(
    State(s): State<Arc<AppState>>,
    Path((u, a)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        let (m, account, _) = find_account(u, &a)?;
        let items: Vec<_> = holdings_of(m)
            .into_iter()
            .filter(|h| h.account_guid == account.guid)
            .collect();
        page("holdings", &items, &q)
    })
}

/// `GET /users/{u}/holdings/{h}`.
pub async fn read_holding(
    State(s): State<Arc<AppState>>,
    Path((u, h)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        check_guid(&h, "HOL", "holding")?;
        let found = u
            .members
            .iter()
            .flat_map(holdings_of)
            .find(|x| x.guid == h)
            .ok_or_else(|| ApiError::not_found("holding"))?;
        Ok(Json(json!({ "holding": found })))
    })
}

/// `GET /users/{u}/members/{m}/account_numbers`.
pub async fn member_account_numbers(
    State(s): State<Arc<AppState>>,
    Path((u, m)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        let m = find(u, &m)?;
        let snap = snapshot(m);
        Ok(Json(
            json!({ "account_numbers": data::account_numbers(owner(m), &m.data, &snap.accounts) }),
        ))
    })
}

/// `GET /users/{u}/accounts/{a}/account_numbers`.
pub async fn account_account_numbers(
    State(s): State<Arc<AppState>>,
    Path((u, a)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        let (m, account, snap) = find_account(u, &a)?;
        let numbers: Vec<_> = data::account_numbers(owner(m), &m.data, &snap.accounts)
            .into_iter()
            .filter(|n| n.account_guid == account.guid)
            .collect();
        Ok(Json(json!({ "account_numbers": numbers })))
    })
}

/// `GET /users/{u}/members/{m}/account_owners`.
pub async fn account_owners(
    State(s): State<Arc<AppState>>,
    Path((u, m)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        let m = find(u, &m)?;
        let snap = snapshot(m);
        Ok(Json(
            json!({ "account_owners": data::account_owners(owner(m), &m.data, &snap.accounts) }),
        ))
    })
}

fn statements_of(m: &Member) -> Vec<data::Statement> {
    let snap = snapshot(m);
    data::statements(owner(m), &m.data, &snap.accounts)
}

/// `GET /users/{u}/members/{m}/statements`.
pub async fn list_statements(
    State(s): State<Arc<AppState>>,
    Path((u, m)): Path<(String, String)>,
    Query(q): Q,
) -> Result<Json<Value>, ApiError> {
    with_user(&s, &u, |u, _| {
        page("statements", &statements_of(find(u, &m)?), &q)
    })
}

/// `GET /users/{u}/members/{m}/statements/{s}` as JSON, or `{s}.pdf` as the PDF itself.
pub async fn read_statement(
    State(s): State<Arc<AppState>>,
    Path((u, m, st)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (guid, pdf) = match st.strip_suffix(".pdf") {
        Some(g) => (g.to_string(), true),
        None => (st.clone(), false),
    };
    if pdf && !accepts_pdf(&headers) {
        return Err(ApiError::NotAcceptable);
    }
    with_user(&s, &u, |u, _| {
        check_guid(&guid, "STA", "statement")?;
        let statement = statements_of(find(u, &m)?)
            .into_iter()
            .find(|x| x.guid == guid)
            .ok_or_else(|| ApiError::not_found("statement"))?;
        if pdf {
            Ok((
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/vnd.mx.atrium.v1+pdf")],
                statement.pdf,
            )
                .into_response())
        } else {
            Ok(Json(json!({ "statement": statement })).into_response())
        }
    })
}

/// The PDF download asks for `application/vnd.mx.atrium.v1+pdf` (§1.2).
pub fn accepts_pdf(headers: &HeaderMap) -> bool {
    accepts(
        headers,
        &[
            "application/vnd.mx.atrium.v1+pdf",
            "application/pdf",
            "application/*",
            "*/*",
        ],
    )
}
