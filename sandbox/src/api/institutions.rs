//! `/institutions`: the catalogue, searched and paged, each institution with its logo URLs.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};

use super::paging::PageRequest;
use super::public;
use crate::error::ApiError;
use crate::sim::institutions::{self, Institution};
use crate::sim::logos;
use crate::AppState;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/institutions", get(list))
        .route("/institutions/{institution_code}", get(read))
        .route(
            "/institutions/{institution_code}/credentials",
            get(read_credentials),
        )
}

/// An institution as the API answers it: with its logos under `base`.
#[derive(Debug, Clone, Serialize)]
pub struct Served {
    #[serde(flatten)]
    institution: Institution,
    medium_logo_url: String,
    small_logo_url: String,
}

impl Served {
    fn new(institution: Institution, base: &str) -> Self {
        Served {
            medium_logo_url: logos::institution_url(base, institution.code, 100),
            small_logo_url: logos::institution_url(base, institution.code, 50),
            institution,
        }
    }
}

fn parse_bool(name: &str, v: &str) -> Result<bool, ApiError> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::BadRequest(format!(
            "{name} must be true or false, not {v:?}."
        ))),
    }
}

/// `GET /institutions`: `name` is a case-insensitive substring of the name; the `supports_*`
/// filters keep the institutions whose flag equals the value given.
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let paging = PageRequest::from_query(&q)?;
    let needle = q
        .get("name")
        .map(|n| n.trim().to_lowercase())
        .filter(|n| !n.is_empty());
    let mut flags: Vec<(&str, bool)> = Vec::new();
    for name in [
        "supports_account_identification",
        "supports_account_statement",
        "supports_account_verification",
        "supports_transaction_history",
    ] {
        if let Some(v) = q.get(name) {
            flags.push((name, parse_bool(name, v)?));
        }
    }
    let mut matching: Vec<Institution> = institutions::all()
        .filter(|i| {
            needle
                .as_ref()
                .is_none_or(|n| i.name.to_lowercase().contains(n.as_str()))
        })
        .filter(|i| {
            flags.iter().all(|(name, want)| {
                let have = match *name {
                    "supports_account_identification" => i.supports_account_identification,
                    "supports_account_statement" => i.supports_account_statement,
                    "supports_account_verification" => i.supports_account_verification,
                    _ => i.supports_transaction_history,
                };
                have == *want
            })
        })
        .collect();
    matching.sort_by(|a, b| a.name.cmp(b.name));
    let base = public::logo_base(&state, &headers);
    let served: Vec<Served> = matching
        .into_iter()
        .map(|i| Served::new(i, &base))
        .collect();
    Ok(paging.answer("institutions", &served))
}

/// `GET /institutions/{code}`.
pub async fn read(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let base = public::logo_base(&state, &headers);
    Ok(Json(
        json!({ "institution": Served::new(institutions::institution(&code)?, &base) }),
    ))
}

/// `GET /institutions/{code}/credentials`.
pub async fn read_credentials(Path(code): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        json!({ "credentials": institutions::credentials(&code)? }),
    ))
}
