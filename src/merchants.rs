//! Merchants and their locations (public: no user in their paths).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::guid;
use crate::decode;
use crate::execute::public_method;
use crate::lists::ListMethod;
use atrium_core::ids::{MerchantGuid, MerchantLocationGuid};
use atrium_core::models::{Merchant, MerchantLocation};
use atrium_core::request;

#[wasm_bindgen]
impl AtriumClient {
    #[wasm_bindgen(js_name = listMerchants, unchecked_return_type = "Promise<Page<Merchant>>")]
    pub fn list_merchants(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PagingOptions")] options: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Merchants, options, call)
    }

    #[wasm_bindgen(js_name = readMerchant, unchecked_return_type = "Promise<Merchant>")]
    pub fn read_merchant(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] merchant_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m: Result<MerchantGuid, _> = guid(&merchant_guid, "merchant_guid");
        public_method!(
            self,
            call,
            m.and_then(|m| request::read_merchant(&m)),
            decode::one::<Merchant>
        )
    }

    #[wasm_bindgen(js_name = listMerchantLocations, unchecked_return_type = "Promise<Page<MerchantLocation>>")]
    pub fn list_merchant_locations(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListMerchantLocationsOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::MerchantLocations, Some(options), call)
    }

    #[wasm_bindgen(js_name = readMerchantLocation, unchecked_return_type = "Promise<MerchantLocation>")]
    pub fn read_merchant_location(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] merchant_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] location_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m: Result<MerchantGuid, _> = guid(&merchant_guid, "merchant_guid");
        let l: Result<MerchantLocationGuid, _> = guid(&location_guid, "merchant_location_guid");
        public_method!(
            self,
            call,
            m.and_then(|m| request::read_merchant_location(&m, &l?)),
            decode::one::<MerchantLocation>
        )
    }
}
