//! The HTTP face of the simulator: one module per resource with its routes and handlers.

use std::sync::Arc;

use axum::middleware;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::error::ApiError;
use crate::AppState;

pub mod accounts;
mod at;
pub mod auth;
pub mod body;
pub mod cleanse;
pub mod control;
pub mod institutions;
pub mod logos;
pub mod members;
pub mod merchants;
pub mod oauth;
pub mod paging;
pub mod public;
pub mod users;
pub mod widget;

/// What most handlers answer: a JSON body, or the API's error.
type Reply = Result<Json<Value>, ApiError>;

/// Where a member's own endpoints hang; its data (`accounts`) hangs there too.
const MEMBER: &str = "/users/{user_guid}/members/{member_guid}";

fn member_path(rest: &str) -> String {
    format!("{MEMBER}{rest}")
}

/// Where a user's data across its members hangs.
fn user_path(rest: &str) -> String {
    format!("/users/{{user_guid}}{rest}")
}

/// Every endpoint, with the JSON 404 and 405 of the real API, behind the fault injector and
/// the key-pair check (faults apply even to requests that would fail authentication).
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(users::routes())
        .merge(institutions::routes())
        .merge(members::routes())
        .merge(accounts::routes())
        .merge(widget::routes())
        .merge(cleanse::routes())
        .merge(merchants::routes())
        .merge(control::routes())
        .merge(oauth::routes())
        .route("/logos/{*file}", get(logos::serve))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            control::inject,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("No such endpoint.".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed("This endpoint does not take that method.".into())
}
