//! The user's own record: read it, change its metadata.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::from_js;
use crate::decode;
use crate::execute::user_method;
use atrium_core::models::User;
use atrium_core::options::UpdateUser;
use atrium_core::request;

#[wasm_bindgen]
impl AtriumClient {
    #[wasm_bindgen(js_name = readUser, unchecked_return_type = "Promise<User>")]
    pub fn read_user(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        user_method!(self, call, |u| request::read_user(u), decode::one::<User>)
    }

    #[wasm_bindgen(js_name = updateUser, unchecked_return_type = "Promise<User>")]
    pub fn update_user(
        &self,
        #[wasm_bindgen(unchecked_param_type = "UpdateUserOptions")] fields: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let fields = from_js::<UpdateUser>(fields, "updateUser fields", &[]);
        user_method!(
            self,
            call,
            |u| request::update_user(u, fields?),
            decode::one::<User>
        )
    }
}
