//! The sandbox's in-memory state: every change goes through one lock, and a request that is
//! refused changes nothing.

use std::sync::{Mutex, MutexGuard};

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct User {
    pub guid: String,
    pub identifier: Option<String>,
    pub is_disabled: bool,
    pub metadata: Option<String>,
}

#[derive(Debug, Default)]
pub struct Data {
    /// In creation order, which is the order `GET /users` lists them in.
    pub users: Vec<User>,
}

impl Data {
    pub fn user(&self, guid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.guid == guid)
    }

    pub fn user_mut(&mut self, guid: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.guid == guid)
    }
}

#[derive(Debug, Default)]
pub struct Store {
    data: Mutex<Data>,
}

impl Store {
    /// The data, even after a panic in another request: every mutation validates before it
    /// writes, so a poisoned lock never guards half-written state.
    pub fn lock(&self) -> MutexGuard<'_, Data> {
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
