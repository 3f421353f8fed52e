//! The rest of the API: the Connect widget's URL, and cleansing transaction descriptions.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::{cleanse_items, optional};
use crate::decode;
use crate::execute::{method, public_method, user_method};
use atrium_core::models::{CleansedTransaction, ConnectWidget};
use atrium_core::options::ConnectWidgetOptions;
use atrium_core::request;

method!(user get_connect_widget, "getConnectWidget", "Promise<ConnectWidget>",
    (options?: "ConnectWidgetOptions" = optional::<ConnectWidgetOptions>(options, "getConnectWidget options"))
    => |u| request::get_connect_widget(u, options?), decode::one::<ConnectWidget>);
method!(public cleanse_and_categorize, "cleanseAndCategorize", "Promise<CleansedTransaction[]>",
    (transactions: "CleanseItem[]" = cleanse_items(transactions))
    => request::cleanse_and_categorize(transactions?), decode::list::<CleansedTransaction>);
