//! Answers into what the methods resolve to. Resources stay the objects the browser's JSON
//! parser made (their shape checked, every field of the model present, null where Atrium left
//! it out): typed decoding of every model would cost the bundle far more than it checks.

use js_sys::{Array, Object, Reflect};
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::convert::{get, to_js};
use crate::js::normalize;
use atrium_core::error::AtriumError;
use atrium_core::fields;
use atrium_core::models::Resource;
use atrium_core::pagination::Pagination;
use atrium_core::reader;

use crate::js_tree::JsTree;

pub(crate) type Decoder = fn(JsValue) -> Result<JsValue, AtriumError>;

fn field_array<T: DeserializeOwned>() -> Array {
    fields::field_names::<T>()
        .iter()
        .map(|f| JsValue::from_str(f))
        .collect()
}

/// One resource under its envelope key, its key field checked.
pub(crate) fn one<T: Resource + DeserializeOwned>(body: JsValue) -> Result<JsValue, AtriumError> {
    if !body.is_object() {
        return Err(AtriumError::decode(".", "expected an object"));
    }
    let item = get(&body, T::ONE);
    let wrapped: Array = std::iter::once(item.clone()).collect();
    if normalize(&wrapped, &field_array::<T>()) >= 0 {
        return Err(AtriumError::decode(T::ONE, "expected an object"));
    }
    let key = fields::field_names::<T>()
        .first()
        .copied()
        .unwrap_or("guid");
    if !get(&item, key).is_string() {
        return Err(AtriumError::decode(
            format!("{}.{key}", T::ONE),
            "expected a string",
        ));
    }
    Ok(item)
}

/// The array under `key`, each item given every field of `T`.
fn items_of<T: DeserializeOwned>(body: &JsValue, key: &str) -> Result<Array, AtriumError> {
    let items: Array = get(body, key)
        .dyn_into()
        .map_err(|_| AtriumError::decode(key, "expected an array"))?;
    let bad = normalize(&items, &field_array::<T>());
    if bad >= 0 {
        return Err(AtriumError::decode(
            format!("{key}[{bad}]"),
            "expected an object",
        ));
    }
    Ok(items)
}

/// A page's pagination object, its failing field named.
pub(crate) fn pagination(page: &JsValue) -> Result<Pagination, AtriumError> {
    reader::decode_field(&JsTree(page.clone()), "pagination")
}

/// A paginated list: `{ items, pagination }`.
pub(crate) fn page<T: Resource + DeserializeOwned>(body: JsValue) -> Result<JsValue, AtriumError> {
    if !body.is_object() {
        return Err(AtriumError::decode(".", "expected an object"));
    }
    let items = items_of::<T>(&body, T::MANY)?;
    let pagination = pagination(&body)?;
    let out = Object::new();
    let _ = Reflect::set(&out, &"items".into(), &items);
    let _ = Reflect::set(&out, &"pagination".into(), &to_js(&pagination)?);
    Ok(out.into())
}

/// A list without pagination: the array itself; a 204 (no challenges) is an empty one.
pub(crate) fn list<T: Resource + DeserializeOwned>(body: JsValue) -> Result<JsValue, AtriumError> {
    if body.is_undefined() {
        return Ok(Array::new().into());
    }
    Ok(items_of::<T>(&body, T::MANY)?.into())
}

pub(crate) fn nothing(_: JsValue) -> Result<JsValue, AtriumError> {
    Ok(JsValue::UNDEFINED)
}

pub(crate) fn bytes(body: JsValue) -> Result<JsValue, AtriumError> {
    Ok(body)
}
