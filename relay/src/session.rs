//! Sessions: minting a relay token for a named end user (sandbox mode only) and telling a
//! token's holder who it is.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::Method;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authed;
use crate::error::RelayError;
use crate::state::AppState;
use crate::token::rfc3339;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    name: String,
}

pub const MAX_NAME_CHARS: usize = 64;
const MAX_LOOKUP_PAGES: u32 = 50;

fn parse_name(body: &Bytes) -> Result<String, RelayError> {
    let request: SessionRequest = serde_json::from_slice(body).map_err(|e| {
        RelayError::InvalidInput(format!("The body must be {{\"name\": \"...\"}}: {e}."))
    })?;
    let name = request.name.trim().to_string();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(RelayError::InvalidInput(format!(
            "The name must be 1 to {MAX_NAME_CHARS} printable characters."
        )));
    }
    Ok(name)
}

/// `POST /session` with `{"name"}`: a token for the Atrium user whose identifier is that
/// name, created on first use. Only served in sandbox mode, where anyone may be anyone.
pub async fn create(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Json<Value>, RelayError> {
    let name = parse_name(&body)?;
    let user_guid = find_or_create_user(&state, &name).await?;
    // Sandbox mode always has its own key; with an identity provider there is no /session.
    let key = state.verifier.signing_key().ok_or(RelayError::NotFound)?;
    let minted = key.mint(&user_guid, state.config.session_ttl)?;
    Ok(Json(json!({
        "token": minted.token,
        "user_guid": user_guid,
        "expires_at": rfc3339(minted.expires_at),
    })))
}

/// `GET /atrium/session`: the token's own user and expiry.
pub async fn read(
    State(state): State<Arc<AppState>>,
    Authed(claims): Authed,
) -> Result<Json<Value>, RelayError> {
    // The user's event streams on this instance: how many tabs or clients follow it, which
    // an app (or a test) can check against the per-user bound.
    let streams = json!({
        "open": state.streams.open(&claims.user_guid),
        "max": state.config.max_streams_per_user,
    });
    Ok(Json(json!({
        "user_guid": claims.user_guid,
        "expires_at": rfc3339(claims.expires_at),
        "streams": streams,
    })))
}

#[derive(Deserialize)]
struct UserEnvelope {
    user: UserGuid,
}

#[derive(Deserialize)]
struct UserGuid {
    guid: String,
    identifier: Option<String>,
}

#[derive(Deserialize)]
struct UserList {
    users: Vec<UserGuid>,
    pagination: PageInfo,
}

#[derive(Deserialize)]
struct PageInfo {
    total_pages: u32,
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, RelayError> {
    serde_json::from_slice(body)
        .map_err(|e| RelayError::Upstream(format!("unexpected answer: {e}")))
}

async fn find_or_create_user(state: &AppState, name: &str) -> Result<String, RelayError> {
    if let Some(guid) = state.sessions.lock().await.get(name) {
        return Ok(guid.clone());
    }
    let body = serde_json::to_vec(&json!({ "user": { "identifier": name } }))
        .map_err(|e| RelayError::Upstream(e.to_string()))?;
    let reply = state
        .upstream
        .send(Method::POST, "/users", None, Some(body.into()), false)
        .await?;
    let guid = match reply.status {
        200 | 201 => decode::<UserEnvelope>(&reply.body)?.user.guid,
        // Created before this relay started (or by a racing request): look it up.
        409 => find_user(state, name).await?,
        status => {
            return Err(RelayError::Upstream(format!(
                "creating the user answered {status}: {}",
                String::from_utf8_lossy(&reply.body)
            )))
        }
    };
    state
        .sessions
        .lock()
        .await
        .insert(name.to_string(), guid.clone());
    Ok(guid)
}

/// Pages through the users, at most [`MAX_LOOKUP_PAGES`] of them, so that an upstream that
/// misstates its page count cannot keep the relay busy.
async fn find_user(state: &AppState, name: &str) -> Result<String, RelayError> {
    let mut page = 1;
    loop {
        let query = format!("page={page}&records_per_page=100");
        let reply = state
            .upstream
            .send(Method::GET, "/users", Some(&query), None, false)
            .await?;
        if reply.status != 200 {
            return Err(RelayError::Upstream(format!(
                "listing users answered {}",
                reply.status
            )));
        }
        let list: UserList = decode(&reply.body)?;
        if let Some(u) = list
            .users
            .into_iter()
            .find(|u| u.identifier.as_deref() == Some(name))
        {
            return Ok(u.guid);
        }
        if page >= list.pagination.total_pages || page >= MAX_LOOKUP_PAGES {
            return Err(RelayError::Upstream(format!(
                "no user with the identifier {name:?}"
            )));
        }
        page += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(
            parse_name(&Bytes::from_static(br#"{"name":"  ada "}"#)).unwrap(),
            "ada"
        );
        for bad in [
            &br#"{"name":""}"#[..],
            br#"{"name":"   "}"#,
            br#"{"name":"a\u0000b"}"#,
            br#"{"nom":"ada"}"#,
            br#"{"name":"ada","admin":true}"#,
            br#"not json"#,
            br#"{"name":42}"#,
        ] {
            assert!(matches!(
                parse_name(&Bytes::from(bad.to_vec())),
                Err(RelayError::InvalidInput(_))
            ));
        }
        let long = format!(r#"{{"name":"{}"}}"#, "x".repeat(MAX_NAME_CHARS + 1));
        assert!(parse_name(&Bytes::from(long)).is_err());
    }
}
