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

/// What decoding needs of a model: its envelope keys and its fields. Read once per model in
/// a small generic function; the decoding itself is one copy for all of them.
#[derive(Clone, Copy)]
struct Model {
    one: &'static str,
    many: &'static str,
    fields: &'static [&'static str],
}

fn model<T: Resource + DeserializeOwned>() -> Model {
    Model {
        one: T::ONE,
        many: T::MANY,
        fields: fields::field_names::<T>(),
    }
}

fn field_array(model: Model) -> Array {
    model.fields.iter().map(|f| JsValue::from_str(f)).collect()
}

/// One resource under its envelope key, its key field checked.
pub(crate) fn one<T: Resource + DeserializeOwned>(body: JsValue) -> Result<JsValue, AtriumError> {
    one_of(body, model::<T>())
}

#[inline(never)]
fn one_of(body: JsValue, model: Model) -> Result<JsValue, AtriumError> {
    if !body.is_object() {
        return Err(AtriumError::decode(".", "expected an object"));
    }
    let item = get(&body, model.one);
    let wrapped: Array = std::iter::once(item.clone()).collect();
    if normalize(&wrapped, &field_array(model)) >= 0 {
        return Err(AtriumError::decode(model.one, "expected an object"));
    }
    let key = model.fields.first().copied().unwrap_or("guid");
    if !get(&item, key).is_string() {
        return Err(AtriumError::decode(
            format!("{}.{key}", model.one),
            "expected a string",
        ));
    }
    Ok(item)
}

/// The array under the model's key, each item given every field of the model.
fn items_of(body: &JsValue, model: Model) -> Result<Array, AtriumError> {
    let key = model.many;
    let items: Array = get(body, key)
        .dyn_into()
        .map_err(|_| AtriumError::decode(key, "expected an array"))?;
    let bad = normalize(&items, &field_array(model));
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
    page_of(body, model::<T>())
}

#[inline(never)]
fn page_of(body: JsValue, model: Model) -> Result<JsValue, AtriumError> {
    if !body.is_object() {
        return Err(AtriumError::decode(".", "expected an object"));
    }
    let items = items_of(&body, model)?;
    let pagination = pagination(&body)?;
    let out = Object::new();
    let _ = Reflect::set(&out, &"items".into(), &items);
    let _ = Reflect::set(&out, &"pagination".into(), &to_js(&pagination)?);
    Ok(out.into())
}

/// A list without pagination: the array itself; a 204 (no challenges) is an empty one.
pub(crate) fn list<T: Resource + DeserializeOwned>(body: JsValue) -> Result<JsValue, AtriumError> {
    list_of(body, model::<T>())
}

#[inline(never)]
fn list_of(body: JsValue, model: Model) -> Result<JsValue, AtriumError> {
    if body.is_undefined() {
        return Ok(Array::new().into());
    }
    Ok(items_of(&body, model)?.into())
}

pub(crate) fn nothing(_: JsValue) -> Result<JsValue, AtriumError> {
    Ok(JsValue::UNDEFINED)
}

pub(crate) fn bytes(body: JsValue) -> Result<JsValue, AtriumError> {
    Ok(body)
}
