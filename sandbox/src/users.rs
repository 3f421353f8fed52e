//! `/users`: create, list, read, update and delete users.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::paging::PageRequest;
use crate::store::User;
use crate::{body, guid, AppState};

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

impl UserFields {
    fn is_empty(&self) -> bool {
        self.identifier.is_none() && self.is_disabled.is_none() && self.metadata.is_none()
    }
}

fn parse_user_body(bytes: &Bytes) -> Result<UserFields, ApiError> {
    let fields = body::parse::<UserBody>(bytes)?.user;
    if fields.is_empty() {
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

fn identifier_taken(users: &[User], identifier: &str, except: &str) -> bool {
    users
        .iter()
        .any(|u| u.guid != except && u.identifier.as_deref() == Some(identifier))
}

/// `POST /users`.
pub async fn create(
    State(state): State<Arc<AppState>>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let fields = parse_user_body(&bytes)?;
    let mut data = state.store.lock();
    if let Some(id) = &fields.identifier {
        if identifier_taken(&data.users, id, "") {
            return Err(ApiError::Conflict(format!(
                "A user with the identifier {id:?} already exists."
            )));
        }
    }
    if data.users.len() >= state.config.max_users {
        return Err(ApiError::MethodNotAllowed(format!(
            "This client has reached its limit of {} users.",
            state.config.max_users
        )));
    }
    let user = User {
        guid: guid::new("USR"),
        identifier: fields.identifier,
        is_disabled: fields.is_disabled.unwrap_or(false),
        metadata: fields.metadata,
    };
    data.users.push(user.clone());
    Ok(Json(json!({ "user": user })))
}

/// `GET /users`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let paging = PageRequest::parse(
        q.get("page").map(String::as_str),
        q.get("records_per_page").map(String::as_str),
    )?;
    let data = state.store.lock();
    let (users, pagination) = paging.apply(&data.users);
    Ok(Json(json!({ "users": users, "pagination": pagination })))
}

fn checked_guid(guid: &str) -> Result<&str, ApiError> {
    if guid::has_shape(guid, "USR") {
        Ok(guid)
    } else {
        Err(ApiError::not_found("user"))
    }
}

/// `GET /users/{user_guid}`.
pub async fn read(
    State(state): State<Arc<AppState>>,
    Path(user_guid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let guid = checked_guid(&user_guid)?;
    let data = state.store.lock();
    let user = data.user(guid).ok_or_else(|| ApiError::not_found("user"))?;
    Ok(Json(json!({ "user": user })))
}

/// `PUT /users/{user_guid}`.
pub async fn update(
    State(state): State<Arc<AppState>>,
    Path(user_guid): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let guid = checked_guid(&user_guid)?;
    let fields = parse_user_body(&bytes)?;
    let mut data = state.store.lock();
    if data.user(guid).is_none() {
        return Err(ApiError::not_found("user"));
    }
    if let Some(id) = &fields.identifier {
        if identifier_taken(&data.users, id, guid) {
            return Err(ApiError::Conflict(format!(
                "A user with the identifier {id:?} already exists."
            )));
        }
    }
    let user = data
        .user_mut(guid)
        .ok_or_else(|| ApiError::not_found("user"))?;
    if let Some(id) = fields.identifier {
        user.identifier = Some(id);
    }
    if let Some(d) = fields.is_disabled {
        user.is_disabled = d;
    }
    if let Some(m) = fields.metadata {
        user.metadata = Some(m);
    }
    Ok(Json(json!({ "user": user })))
}

/// `DELETE /users/{user_guid}`: 204 with an empty body.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Path(user_guid): Path<String>,
) -> Result<StatusCode, ApiError> {
    let guid = checked_guid(&user_guid)?;
    let mut data = state.store.lock();
    let before = data.users.len();
    data.users.retain(|u| u.guid != guid);
    if data.users.len() == before {
        return Err(ApiError::not_found("user"));
    }
    Ok(StatusCode::NO_CONTENT)
}
