//! The user's own record: read it, change its metadata.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::from_js;
use crate::decode;
use crate::execute::{method, user_method};
use atrium_core::models::User;
use atrium_core::options::UpdateUser;
use atrium_core::request;

method!(user read_user, "readUser", "Promise<User>", () => |u| request::read_user(u), decode::one::<User>);
method!(user update_user, "updateUser", "Promise<User>",
    (fields: "UpdateUserOptions" = from_js::<UpdateUser>(fields, "updateUser fields", &[]))
    => |u| request::update_user(u, fields?), decode::one::<User>);
