//! `At`: the state and a nested path's GUIDs as one extractor, with the user or member they name.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::members::{find, find_mut};
use super::users::with_user;
use crate::error::ApiError;
use crate::sim::member::Member;
use crate::sim::store::UserState;
use crate::AppState;

/// The path's parameters in order, the user's GUID first; rejected as `Path` rejects them.
pub struct At<P> {
    pub state: Arc<AppState>,
    pub path: P,
}

impl<P: DeserializeOwned + Send> FromRequestParts<Arc<AppState>> for At<P> {
    type Rejection = PathRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Path(path) = Path::<P>::from_request_parts(parts, state).await?;
        Ok(At {
            state: Arc::clone(state),
            path,
        })
    }
}

/// A path whose first parameter is the user's GUID.
pub trait UserFirst {
    fn user_guid(&self) -> &str;
}

impl UserFirst for String {
    fn user_guid(&self) -> &str {
        self
    }
}

impl UserFirst for (String, String) {
    fn user_guid(&self) -> &str {
        &self.0
    }
}

impl UserFirst for (String, String, String) {
    fn user_guid(&self) -> &str {
        &self.0
    }
}

impl<P: UserFirst> At<P> {
    /// Runs `f` on the path's user, brought up to now (see [`with_user`]).
    pub fn user<T>(
        &self,
        f: impl FnOnce(&mut UserState, i64) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        with_user(&self.state, self.path.user_guid(), f)
    }
}

/// `/users/{user_guid}/members/{member_guid}…`: the member is the second GUID.
impl At<(String, String)> {
    /// Runs `f` on the path's member, or answers 404.
    pub fn member<T>(
        &self,
        f: impl FnOnce(&Member, i64) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.user(|u, now| f(find(u, &self.path.1)?, now))
    }

    /// As [`At::member`], for a handler that changes the member.
    pub fn member_mut<T>(
        &self,
        f: impl FnOnce(&mut Member, i64) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        self.user(|u, now| f(find_mut(u, &self.path.1)?, now))
    }
}
