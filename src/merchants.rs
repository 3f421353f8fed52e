//! Merchants and their locations (public: no user in their paths; the lists are in
//! `lists.rs`).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::decode;
use crate::execute::{method, public_method};
use atrium_core::models::{Merchant, MerchantLocation};
use atrium_core::request;

method!(public read_merchant, "readMerchant", "Promise<Merchant>", (merchant_guid)
    => request::read_merchant(&merchant_guid?), decode::one::<Merchant>);
method!(public read_merchant_location, "readMerchantLocation", "Promise<MerchantLocation>", (merchant_guid, merchant_location_guid)
    => request::read_merchant_location(&merchant_guid?, &merchant_location_guid?), decode::one::<MerchantLocation>);
