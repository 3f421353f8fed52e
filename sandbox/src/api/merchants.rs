//! `/merchants`: the merchant catalogue and each merchant's locations, paged.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::paging::PageRequest;
use super::public;
use crate::error::ApiError;
use crate::sim::merchants;
use crate::AppState;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/merchants", get(list))
        .route("/merchants/{merchant_guid}", get(read))
        .route(
            "/merchants/{merchant_guid}/merchant_locations",
            get(list_locations),
        )
        .route(
            "/merchants/{merchant_guid}/merchant_locations/{location_guid}",
            get(read_location),
        )
}

fn page(q: &HashMap<String, String>) -> Result<PageRequest, ApiError> {
    PageRequest::from_query(q)
}

/// `GET /merchants`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let base = public::logo_base(&state, &headers);
    let (items, pagination) = page(&q)?.apply(&merchants::all(&base));
    Ok(Json(
        json!({ "merchants": items, "pagination": pagination }),
    ))
}

/// `GET /merchants/{merchant_guid}`.
pub async fn read(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(guid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let base = public::logo_base(&state, &headers);
    Ok(Json(
        json!({ "merchant": merchants::merchant(merchants::find(&guid)?, &base) }),
    ))
}

/// `GET /merchants/{merchant_guid}/merchant_locations`.
pub async fn list_locations(
    Path(guid): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let all = merchants::locations(merchants::find(&guid)?);
    let (items, pagination) = page(&q)?.apply(&all);
    Ok(Json(
        json!({ "merchant_locations": items, "pagination": pagination }),
    ))
}

/// `GET /merchants/{merchant_guid}/merchant_locations/{merchant_location_guid}`.
pub async fn read_location(
    Path((guid, location)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let found = merchants::locations(merchants::find(&guid)?)
        .into_iter()
        .find(|l| l.guid == location)
        .ok_or_else(|| ApiError::not_found("merchant location"))?;
    Ok(Json(json!({ "merchant_location": found })))
}
