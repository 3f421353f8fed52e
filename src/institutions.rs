//! Institutions (public: no user in their paths; the list is in `lists.rs`).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::decode;
use crate::execute::{method, public_method};
use atrium_core::models::{Credential, Institution};
use atrium_core::request;

method!(public read_institution, "readInstitution", "Promise<Institution>", (institution_code)
    => request::read_institution(&institution_code?), decode::one::<Institution>);
method!(public list_institution_credentials, "listInstitutionCredentials", "Promise<Credential[]>", (institution_code)
    => request::list_institution_credentials(&institution_code?), decode::list::<Credential>);
