//! Reading a user's data: accounts, transactions, holdings, statements, account numbers and
//! owners, by user, member or account (§3.3–3.9).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::Query;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

use super::at::At;
use super::auth::accepts;
use super::members::find;
use super::paging::PageRequest;
use super::{member_path, user_path, Reply};
use crate::error::ApiError;
use crate::sim::clock::{parse_date, DAY};
use crate::sim::data::{self, Account, Owner, Transaction};
use crate::sim::guid;
use crate::sim::member::Member;
use crate::sim::store::UserState;
use crate::AppState;

type Q = Query<HashMap<String, String>>;

/// The data one member holds, under `/users/{u}/members/{m}`, and all a user's members
/// hold, under `/users/{u}`.
pub(super) fn routes() -> Router<Arc<AppState>> {
    let (m, u) = (member_path, user_path);
    Router::new()
        .route(&m("/accounts"), get(list_member_accounts))
        .route(&m("/accounts/{account_guid}"), get(read_member_account))
        .route(&m("/transactions"), get(list_member_transactions))
        .route(&m("/holdings"), get(list_member_holdings))
        .route(&m("/account_numbers"), get(member_account_numbers))
        .route(&m("/account_owners"), get(account_owners))
        .route(&m("/statements"), get(list_statements))
        .route(&m("/statements/{statement}"), get(read_statement))
        .route(&u("/accounts"), get(list_user_accounts))
        .route(&u("/accounts/{account_guid}"), get(read_account))
        .route(
            &u("/accounts/{account_guid}/transactions"),
            get(list_account_transactions),
        )
        .route(
            &u("/accounts/{account_guid}/holdings"),
            get(list_account_holdings),
        )
        .route(
            &u("/accounts/{account_guid}/account_numbers"),
            get(account_account_numbers),
        )
        .route(&u("/transactions"), get(list_user_transactions))
        .route(
            &u("/transactions/{transaction_guid}"),
            get(read_transaction),
        )
        .route(&u("/holdings"), get(list_user_holdings))
        .route(&u("/holdings/{holding_guid}"), get(read_holding))
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

/// This page of `items`, as the query asks, under `key`.
fn page<T: Serialize + Clone>(key: &str, items: &[T], q: &HashMap<String, String>) -> Reply {
    Ok(PageRequest::from_query(q)?.answer(key, items))
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
) -> Reply {
    let (from, to) = date_range(q, now)?;
    let paging = PageRequest::from_query(q)?;
    let mut items: Vec<Transaction> = all.filter(|t| t.day >= from && t.day <= to).collect();
    items.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.guid.cmp(&b.guid)));
    Ok(paging.answer("transactions", &items))
}

/// `GET /users/{u}/accounts`.
async fn list_user_accounts(at: At<String>, Query(q): Q) -> Reply {
    at.user(|u, _| {
        let all: Vec<Account> = u
            .members
            .iter()
            .flat_map(|m| snapshot(m).accounts)
            .collect();
        page("accounts", &all, &q)
    })
}

/// `GET /users/{u}/members/{m}/accounts`.
async fn list_member_accounts(at: At<(String, String)>, Query(q): Q) -> Reply {
    at.member(|m, _| page("accounts", &snapshot(m).accounts, &q))
}

/// `GET /users/{u}/accounts/{a}`.
async fn read_account(at: At<(String, String)>) -> Reply {
    at.user(|u, _| Ok(Json(json!({ "account": find_account(u, &at.path.1)?.1 }))))
}

/// `GET /users/{u}/members/{m}/accounts/{a}`: the same account, only if that member holds it.
async fn read_member_account(at: At<(String, String, String)>) -> Reply {
    let (_, m, a) = &at.path;
    at.user(|u, _| {
        check_guid(a, "ACT", "account")?;
        let account = snapshot(find(u, m)?)
            .accounts
            .into_iter()
            .find(|x| x.guid == *a)
            .ok_or_else(|| ApiError::not_found("account"))?;
        Ok(Json(json!({ "account": account })))
    })
}

/// `GET /users/{u}/transactions`.
async fn list_user_transactions(at: At<String>, Query(q): Q) -> Reply {
    at.user(|u, now| {
        let all = u.members.iter().flat_map(|m| snapshot(m).transactions);
        transactions_page(all, &q, now)
    })
}

/// `GET /users/{u}/members/{m}/transactions`.
async fn list_member_transactions(at: At<(String, String)>, Query(q): Q) -> Reply {
    at.member(|m, now| transactions_page(snapshot(m).transactions.into_iter(), &q, now))
}

/// `GET /users/{u}/accounts/{a}/transactions`.
async fn list_account_transactions(at: At<(String, String)>, Query(q): Q) -> Reply {
    at.user(|u, now| {
        let (_, account, snap) = find_account(u, &at.path.1)?;
        let of_account = snap.transactions.into_iter();
        transactions_page(
            of_account.filter(|t| t.account_guid == account.guid),
            &q,
            now,
        )
    })
}

/// `GET /users/{u}/transactions/{t}`.
async fn read_transaction(at: At<(String, String)>) -> Reply {
    let t = &at.path.1;
    at.user(|u, _| {
        check_guid(t, "TRN", "transaction")?;
        let found = u
            .members
            .iter()
            .find_map(|m| snapshot(m).transactions.into_iter().find(|x| x.guid == *t))
            .ok_or_else(|| ApiError::not_found("transaction"))?;
        Ok(Json(json!({ "transaction": found })))
    })
}

fn holdings_of(m: &Member) -> Vec<data::Holding> {
    let snap = snapshot(m);
    data::holdings(owner(m), &m.data, &snap.accounts)
}

/// `GET /users/{u}/holdings`.
async fn list_user_holdings(at: At<String>, Query(q): Q) -> Reply {
    at.user(|u, _| {
        let all: Vec<_> = u.members.iter().flat_map(holdings_of).collect();
        page("holdings", &all, &q)
    })
}

/// `GET /users/{u}/members/{m}/holdings`.
async fn list_member_holdings(at: At<(String, String)>, Query(q): Q) -> Reply {
    at.member(|m, _| page("holdings", &holdings_of(m), &q))
}

/// `GET /users/{u}/accounts/{a}/holdings`.
async fn list_account_holdings(at: At<(String, String)>, Query(q): Q) -> Reply {
    at.user(|u, _| {
        let (m, account, _) = find_account(u, &at.path.1)?;
        let mut items = holdings_of(m);
        items.retain(|h| h.account_guid == account.guid);
        page("holdings", &items, &q)
    })
}

/// `GET /users/{u}/holdings/{h}`.
async fn read_holding(at: At<(String, String)>) -> Reply {
    let h = &at.path.1;
    at.user(|u, _| {
        check_guid(h, "HOL", "holding")?;
        let mut all = u.members.iter().flat_map(holdings_of);
        let found = all
            .find(|x| x.guid == *h)
            .ok_or_else(|| ApiError::not_found("holding"))?;
        Ok(Json(json!({ "holding": found })))
    })
}

/// `GET /users/{u}/members/{m}/account_numbers`.
async fn member_account_numbers(at: At<(String, String)>) -> Reply {
    at.member(|m, _| {
        let numbers = data::account_numbers(owner(m), &m.data, &snapshot(m).accounts);
        Ok(Json(json!({ "account_numbers": numbers })))
    })
}

/// `GET /users/{u}/accounts/{a}/account_numbers`.
async fn account_account_numbers(at: At<(String, String)>) -> Reply {
    at.user(|u, _| {
        let (m, account, snap) = find_account(u, &at.path.1)?;
        let mut numbers = data::account_numbers(owner(m), &m.data, &snap.accounts);
        numbers.retain(|n| n.account_guid == account.guid);
        Ok(Json(json!({ "account_numbers": numbers })))
    })
}

/// `GET /users/{u}/members/{m}/account_owners`.
async fn account_owners(at: At<(String, String)>) -> Reply {
    at.member(|m, _| {
        let owners = data::account_owners(owner(m), &m.data, &snapshot(m).accounts);
        Ok(Json(json!({ "account_owners": owners })))
    })
}

fn statements_of(m: &Member) -> Vec<data::Statement> {
    let snap = snapshot(m);
    data::statements(owner(m), &m.data, &snap.accounts)
}

/// `GET /users/{u}/members/{m}/statements`.
async fn list_statements(at: At<(String, String)>, Query(q): Q) -> Reply {
    at.member(|m, _| page("statements", &statements_of(m), &q))
}

/// `GET /users/{u}/members/{m}/statements/{s}` as JSON, or `{s}.pdf` as the PDF itself.
async fn read_statement(
    at: At<(String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, m, st) = &at.path;
    let (guid, pdf) = match st.strip_suffix(".pdf") {
        Some(g) => (g, true),
        None => (st.as_str(), false),
    };
    if pdf && !accepts_pdf(&headers) {
        return Err(ApiError::NotAcceptable);
    }
    at.user(|u, _| {
        check_guid(guid, "STA", "statement")?;
        let statement = statements_of(find(u, m)?)
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
