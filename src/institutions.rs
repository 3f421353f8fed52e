//! Institutions: search them, read one, read its credential form.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::{code, optional};
use crate::decode;
use crate::execute::public_method;
use atrium_core::models::{Credential, Institution};
use atrium_core::options::ListInstitutionsOptions;
use atrium_core::request;

#[wasm_bindgen]
impl AtriumClient {
    #[wasm_bindgen(js_name = listInstitutions, unchecked_return_type = "Promise<Page<Institution>>")]
    pub fn list_institutions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListInstitutionsOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let o = optional::<ListInstitutionsOptions>(options, "listInstitutions options");
        public_method!(
            self,
            call,
            o.and_then(|o| request::list_institutions(&o)),
            decode::page::<Institution>
        )
    }

    #[wasm_bindgen(js_name = readInstitution, unchecked_return_type = "Promise<Institution>")]
    pub fn read_institution(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code_: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let c = code(&code_, "institution_code");
        public_method!(
            self,
            call,
            c.and_then(|c| request::read_institution(&c)),
            decode::one::<Institution>
        )
    }

    #[wasm_bindgen(js_name = listInstitutionCredentials, unchecked_return_type = "Promise<Credential[]>")]
    pub fn list_institution_credentials(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] code_: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let c = code(&code_, "institution_code");
        public_method!(
            self,
            call,
            c.and_then(|c| request::list_institution_credentials(&c)),
            decode::list::<Credential>
        )
    }
}
