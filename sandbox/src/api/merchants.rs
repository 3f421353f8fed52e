//! `/merchants`: the merchant catalogue and each merchant's locations, paged.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::paging::PageRequest;
use super::public::LogoBase;
use super::Reply;
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

/// `GET /merchants`.
pub async fn list(LogoBase(base): LogoBase, Query(q): Query<HashMap<String, String>>) -> Reply {
    Ok(PageRequest::from_query(&q)?.answer("merchants", &merchants::all(&base)))
}

/// `GET /merchants/{merchant_guid}`.
pub async fn read(LogoBase(base): LogoBase, Path(guid): Path<String>) -> Reply {
    Ok(Json(
        json!({ "merchant": merchants::merchant(merchants::find(&guid)?, &base) }),
    ))
}

/// `GET /merchants/{merchant_guid}/merchant_locations`.
pub async fn list_locations(
    Path(guid): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Reply {
    let all = merchants::locations(merchants::find(&guid)?);
    Ok(PageRequest::from_query(&q)?.answer("merchant_locations", &all))
}

/// `GET /merchants/{merchant_guid}/merchant_locations/{merchant_location_guid}`.
pub async fn read_location(Path((guid, location)): Path<(String, String)>) -> Reply {
    let found = merchants::locations(merchants::find(&guid)?)
        .into_iter()
        .find(|l| l.guid == location)
        .ok_or_else(|| ApiError::not_found("merchant location"))?;
    Ok(Json(json!({ "merchant_location": found })))
}
