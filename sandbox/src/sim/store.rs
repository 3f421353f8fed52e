//! The sandbox's in-memory state, kept per user: a request locks only its own user, so one
//! user's traffic can neither read nor wait on another's. Every mutation validates before
//! it writes, so a refused request changes nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use serde::Serialize;

use crate::sim::member::Member;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct User {
    pub guid: String,
    pub identifier: Option<String>,
    pub is_disabled: bool,
    pub metadata: Option<String>,
}

/// One user and everything that hangs off it.
#[derive(Debug)]
pub struct UserState {
    pub user: User,
    /// In creation order, the order they are listed in.
    pub members: Vec<Member>,
}

impl UserState {
    pub fn member(&self, guid: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.guid == guid)
    }

    pub fn member_mut(&mut self, guid: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.guid == guid)
    }
}

pub type Shared = Arc<Mutex<UserState>>;

#[derive(Debug, Default)]
struct Users {
    order: Vec<String>,
    by_guid: HashMap<String, Shared>,
    /// identifier → user GUID, for the uniqueness the reference enforces.
    identifiers: HashMap<String, String>,
}

#[derive(Debug, Default)]
pub struct Store {
    users: RwLock<Users>,
}

/// Locks without caring about poisoning: state is validated before every write, so a
/// panicking request never leaves half-written data behind.
pub fn lock(user: &Shared) -> MutexGuard<'_, UserState> {
    user.lock().unwrap_or_else(|p| p.into_inner())
}

impl Store {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Users> {
        self.users.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Users> {
        self.users.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn user(&self, guid: &str) -> Option<Shared> {
        self.read().by_guid.get(guid).cloned()
    }

    /// Adds a user unless its identifier is taken or the limit is reached.
    pub fn add_user(&self, user: User, max: usize) -> Result<(), AddError> {
        let mut users = self.write();
        if let Some(id) = &user.identifier {
            if users.identifiers.contains_key(id) {
                return Err(AddError::Taken);
            }
        }
        if users.order.len() >= max {
            return Err(AddError::Full);
        }
        if let Some(id) = &user.identifier {
            users.identifiers.insert(id.clone(), user.guid.clone());
        }
        users.order.push(user.guid.clone());
        let guid = user.guid.clone();
        users.by_guid.insert(
            guid,
            Arc::new(Mutex::new(UserState {
                user,
                members: Vec::new(),
            })),
        );
        Ok(())
    }

    /// Every user's state, for the webhook notifier's rounds.
    pub fn users(&self) -> Vec<Shared> {
        self.read().by_guid.values().cloned().collect()
    }

    /// Every user, in creation order.
    pub fn list_users(&self) -> Vec<User> {
        let users = self.read();
        users
            .order
            .iter()
            .filter_map(|g| users.by_guid.get(g))
            .map(|u| lock(u).user.clone())
            .collect()
    }

    /// Changes a user's identifier, keeping identifiers unique.
    pub fn set_identifier(&self, guid: &str, identifier: &str) -> Result<(), AddError> {
        let mut users = self.write();
        match users.identifiers.get(identifier) {
            Some(owner) if owner != guid => return Err(AddError::Taken),
            _ => {}
        }
        let Some(user) = users.by_guid.get(guid).cloned() else {
            return Err(AddError::Missing);
        };
        let mut state = lock(&user);
        if let Some(old) = state.user.identifier.replace(identifier.to_string()) {
            users.identifiers.remove(&old);
        }
        users
            .identifiers
            .insert(identifier.to_string(), guid.to_string());
        Ok(())
    }

    pub fn remove_user(&self, guid: &str) -> bool {
        let mut users = self.write();
        let Some(user) = users.by_guid.remove(guid) else {
            return false;
        };
        users.order.retain(|g| g != guid);
        if let Some(id) = &lock(&user).user.identifier {
            users.identifiers.remove(id);
        }
        true
    }

    pub fn clear(&self) {
        *self.write() = Users::default();
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum AddError {
    Taken,
    Full,
    Missing,
}
