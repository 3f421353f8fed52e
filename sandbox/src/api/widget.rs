//! `POST /users/{user_guid}/connect_widget_url` (§3.12): a single-use widget URL.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::body;
use super::users::with_user;
use crate::error::ApiError;
use crate::sim::{guid, institutions};
use crate::AppState;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new().route(
        "/users/{user_guid}/connect_widget_url",
        post(connect_widget_url),
    )
}

/// ConnectWidgetRequestBody: every field optional, sent unwrapped.
#[derive(Debug, Default, Deserialize)]
#[allow(dead_code)]
struct Options {
    is_mobile_webview: Option<bool>,
    ui_message_webview_url_scheme: Option<String>,
    color_scheme: Option<String>,
    mode: Option<String>,
    current_institution_code: Option<String>,
    current_member_guid: Option<String>,
    disable_institution_search: Option<bool>,
    include_transactions: Option<bool>,
    update_credentials: Option<bool>,
    ui_message_version: Option<f64>,
    wait_for_full_aggregation: Option<bool>,
}

pub async fn connect_widget_url(
    State(state): State<Arc<AppState>>,
    Path(user_guid): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    with_user(&state, &user_guid, |u, _| {
        let o: Options = if bytes.iter().all(u8::is_ascii_whitespace) {
            Options::default()
        } else {
            body::parse(&bytes)?
        };
        if let Some(c) = &o.color_scheme {
            if c != "light" && c != "dark" {
                return Err(ApiError::Unprocessable(
                    "color_scheme must be light or dark.".into(),
                ));
            }
        }
        if let Some(m) = &o.mode {
            if m != "aggregation" && m != "verification" {
                return Err(ApiError::Unprocessable(
                    "mode must be aggregation or verification.".into(),
                ));
            }
        }
        if let Some(code) = &o.current_institution_code {
            institutions::institution(code).map_err(|_| {
                ApiError::Unprocessable(format!(
                    "current_institution_code {code:?} is not an institution."
                ))
            })?;
        }
        if let Some(m) = &o.current_member_guid {
            if u.member(m).is_none() {
                return Err(ApiError::Unprocessable(format!(
                    "current_member_guid {m:?} is not a member of this user."
                )));
            }
        }
        let token = guid::new("WGT");
        Ok(Json(json!({ "user": {
            "connect_widget_url": format!("https://int-widgets.moneydesktop.com/md/connect/{token}"),
            "guid": u.user.guid,
        }})))
    })
}
