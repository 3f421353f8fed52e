//! The Atrium models the library returns, written from `shared/atrium-api.md` §4 with its
//! field names exactly; every field the reference marks nullable is an `Option`.

use serde::{Deserialize, Serialize};

/// A resource and the envelope keys Atrium wraps it in (§1.3).
pub trait Resource {
    /// The root key of one, for example `user`.
    const ONE: &'static str;
    /// The root key of a list, for example `users`.
    const MANY: &'static str;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub guid: String,
    #[serde(default)]
    pub identifier: Option<String>,
    #[serde(default)]
    pub is_disabled: Option<bool>,
    #[serde(default)]
    pub metadata: Option<String>,
}

impl Resource for User {
    const ONE: &'static str = "user";
    const MANY: &'static str = "users";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Institution {
    pub code: String,
    #[serde(default)]
    pub medium_logo_url: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub small_logo_url: Option<String>,
    #[serde(default)]
    pub supports_account_identification: Option<bool>,
    #[serde(default)]
    pub supports_account_statement: Option<bool>,
    #[serde(default)]
    pub supports_account_verification: Option<bool>,
    #[serde(default)]
    pub supports_oauth: Option<bool>,
    #[serde(default)]
    pub supports_transaction_history: Option<bool>,
    #[serde(default)]
    pub url: Option<String>,
}

impl Resource for Institution {
    const ONE: &'static str = "institution";
    const MANY: &'static str = "institutions";
}

/// What `GET {relay}/atrium/session` answers: the relay token's own user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub user_guid: String,
    pub expires_at: String,
}
