//! `/users`: create, list, read, update and delete users, and the per-user lookup every
//! nested endpoint starts with.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::body;
use super::paging::PageRequest;
use crate::error::ApiError;
use crate::sim::guid;
use crate::sim::store::{lock, AddError, User, UserState};
use crate::AppState;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{user_guid}", get(read).put(update).delete(delete))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserFields {
    identifier: Option<String>,
    is_disabled: Option<bool>,
    metadata: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UserBody {
    user: UserFields,
}

fn parse_user_body(bytes: &Bytes) -> Result<UserFields, ApiError> {
    let fields = body::parse::<UserBody>(bytes)?.user;
    if fields.identifier.is_none() && fields.is_disabled.is_none() && fields.metadata.is_none() {
        return Err(ApiError::BadRequest(
            "The user object may not be empty.".into(),
        ));
    }
    if fields
        .identifier
        .as_deref()
        .is_some_and(|i| i.trim().is_empty())
    {
        return Err(ApiError::Unprocessable(
            "user.identifier may not be blank.".into(),
        ));
    }
    Ok(fields)
}

fn taken(id: &str) -> ApiError {
    ApiError::Conflict(format!("A user with the identifier {id:?} already exists."))
}

/// Runs `f` on the user's state, brought up to the simulated now first. An unknown or
/// malformed GUID — another client's, or one of another type — is 404.
pub fn with_user<T>(
    state: &AppState,
    user_guid: &str,
    f: impl FnOnce(&mut UserState, i64) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    if !guid::has_shape(user_guid, "USR") {
        return Err(ApiError::not_found("user"));
    }
    let shared = state
        .store
        .user(user_guid)
        .ok_or_else(|| ApiError::not_found("user"))?;
    let mut user = lock(&shared);
    let now = state.clock.now();
    let disabled = user.user.is_disabled;
    for m in &mut user.members {
        m.advance(now, &state.clock, disabled);
    }
    f(&mut user, now)
}

/// `POST /users`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let fields = parse_user_body(&bytes)?;
    let user = User {
        guid: guid::new("USR"),
        identifier: fields.identifier,
        is_disabled: fields.is_disabled.unwrap_or(false),
        metadata: fields.metadata,
    };
    match state.store.add_user(user.clone(), state.config.max_users) {
        Ok(()) => Ok(Json(json!({ "user": user }))),
        Err(AddError::Taken) => Err(taken(user.identifier.as_deref().unwrap_or(""))),
        Err(_) => Err(ApiError::MethodNotAllowed(format!(
            "This client has reached its limit of {} users.",
            state.config.max_users
        ))),
    }
}

/// `GET /users`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    Ok(PageRequest::from_query(&q)?.answer("users", &state.store.list_users()))
}

/// `GET /users/{user_guid}`.
pub async fn read(
    State(state): State<Arc<AppState>>,
    Path(user_guid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    with_user(&state, &user_guid, |u, _| {
        Ok(Json(json!({ "user": u.user })))
    })
}

/// `PUT /users/{user_guid}`.
pub async fn update(
    State(state): State<Arc<AppState>>,
    Path(user_guid): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    // Existence first, so that a bad body for an unknown user is still 404.
    with_user(&state, &user_guid, |_, _| Ok(()))?;
    let fields = parse_user_body(&bytes)?;
    if let Some(id) = &fields.identifier {
        match state.store.set_identifier(&user_guid, id) {
            Ok(()) => {}
            Err(AddError::Taken) => return Err(taken(id)),
            Err(_) => return Err(ApiError::not_found("user")),
        }
    }
    with_user(&state, &user_guid, |u, _| {
        if let Some(d) = fields.is_disabled {
            u.user.is_disabled = d;
        }
        if let Some(m) = fields.metadata {
            u.user.metadata = Some(m);
        }
        Ok(Json(json!({ "user": u.user })))
    })
}

/// `DELETE /users/{user_guid}`: 204 with an empty body.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Path(user_guid): Path<String>,
) -> Result<StatusCode, ApiError> {
    if guid::has_shape(&user_guid, "USR") && state.store.remove_user(&user_guid) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("user"))
    }
}
