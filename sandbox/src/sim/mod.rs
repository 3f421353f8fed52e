//! The simulator: the member machine, clock, store, generated data and catalogues; no HTTP.

pub mod clock;
pub mod credentials;
pub mod data;
pub mod guid;
pub mod institutions;
pub mod logins;
pub mod logos;
pub mod member;
pub mod merchants;
pub mod seed;
pub mod store;
pub mod webhooks;
