//! The rest of the API: the Connect widget's URL, and cleansing transaction descriptions.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::{cleanse_items, optional};
use crate::decode;
use crate::execute::{public_method, user_method};
use atrium_core::models::{CleansedTransaction, ConnectWidget};
use atrium_core::options::ConnectWidgetOptions;
use atrium_core::request;

#[wasm_bindgen]
impl AtriumClient {
    #[wasm_bindgen(js_name = getConnectWidget, unchecked_return_type = "Promise<ConnectWidget>")]
    pub fn get_connect_widget(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ConnectWidgetOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let o = optional::<ConnectWidgetOptions>(options, "getConnectWidget options");
        user_method!(
            self,
            call,
            |u| request::get_connect_widget(u, o?),
            decode::one::<ConnectWidget>
        )
    }

    #[wasm_bindgen(js_name = cleanseAndCategorize, unchecked_return_type = "Promise<CleansedTransaction[]>")]
    pub fn cleanse_and_categorize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CleanseItem[]")] transactions: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let items = cleanse_items(transactions);
        public_method!(
            self,
            call,
            items.and_then(request::cleanse_and_categorize),
            decode::list::<CleansedTransaction>
        )
    }
}
