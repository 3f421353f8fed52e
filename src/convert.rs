//! JavaScript values into core types: options read strictly by the core's reader (an unknown
//! or misspelt key, a wrong type, a malformed GUID is `invalid_input` naming the field),
//! arguments parsed once into typed ids, and core values back into plain objects.

use js_sys::{Array, Object, Reflect};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use atrium_core::error::{AtriumError, Quoted};
use atrium_core::reader::{self, FromFields};
use atrium_core::writer;
use atrium_core::ids::{Guid, InstitutionCode, Kind};
use atrium_core::options::{CleanseItem, GuidValue};

use crate::js_tree::JsTree;

/// A property of an object, `undefined` when there is none.
pub(crate) fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Reads JS options into `T` (the core's reader: unknown keys refused, the field named).
pub(crate) fn from_js<T: FromFields + DeserializeOwned>(
    value: JsValue,
    what: &str,
    extra_keys: &[&str],
) -> Result<T, AtriumError> {
    reader::options(JsTree(value), what, extra_keys)
}

/// Options that may be left out: `undefined` and `null` read as `{}`.
pub(crate) fn optional<T: FromFields + DeserializeOwned + Default>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, AtriumError> {
    match value {
        Some(v) if !v.is_null() && !v.is_undefined() => from_js(v, what, &[]),
        _ => Ok(T::default()),
    }
}

/// Options with a required field: absent options are an error naming it.
pub(crate) fn required<T: FromFields + DeserializeOwned>(
    value: Option<JsValue>,
    what: &str,
) -> Result<T, AtriumError> {
    match value {
        Some(v) if !v.is_null() && !v.is_undefined() => from_js(v, what, &[]),
        _ => Err(AtriumError::invalid(format!("{what} are required."))),
    }
}

fn string(value: &JsValue, what: &str) -> Result<String, AtriumError> {
    value
        .as_string()
        .ok_or_else(|| AtriumError::invalid(format!("{what} must be a string.")))
}

/// An identifier argument: a GUID of its kind, or an institution code.
pub(crate) trait IdArg: Sized {
    fn parse(value: &str, what: &str) -> Result<Self, AtriumError>;
}

impl<K: Kind> IdArg for Guid<K> {
    fn parse(value: &str, what: &str) -> Result<Self, AtriumError> {
        Guid::parse_as(value, what)
    }
}

impl IdArg for InstitutionCode {
    fn parse(value: &str, what: &str) -> Result<Self, AtriumError> {
        InstitutionCode::parse(value, what)
    }
}

/// An identifier argument, parsed once into its type.
pub(crate) fn id<T: IdArg>(value: &JsValue, what: &str) -> Result<T, AtriumError> {
    T::parse(&string(value, what)?, what)
}

/// Core values as plain objects: absent options as `null`, as in Atrium's JSON.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, AtriumError> {
    writer::write::<JsTree, _>(value)
        .map(|tree| tree.0)
        .map_err(|e| AtriumError::decode(".", e.to_string()))
}

/// The last argument of every method: `{ signal? }`.
pub(crate) fn call_signal(options: Option<JsValue>) -> Result<Option<AbortSignal>, AtriumError> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else {
        return Ok(None);
    };
    if !options.is_object() {
        return Err(AtriumError::invalid(
            "call options must be an object like { signal }.",
        ));
    }
    let keys = Object::keys(options.unchecked_ref::<Object>());
    if let Some(k) = keys
        .iter()
        .filter_map(|k| k.as_string())
        .find(|k| k != "signal")
    {
        return Err(AtriumError::invalid(format!(
            "call options: unknown option {}; expected signal.", Quoted(&k)
        )));
    }
    signal_of(&get(&options, "signal"))
}

/// An `AbortSignal`, or nothing for `undefined`/`null`.
pub(crate) fn signal_of(value: &JsValue) -> Result<Option<AbortSignal>, AtriumError> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .clone()
        .dyn_into::<AbortSignal>()
        .map(Some)
        .map_err(|_| AtriumError::invalid("signal must be an AbortSignal."))
}

/// An array of `T`, each item read strictly and named by its index when refused.
fn list_of<T: FromFields + DeserializeOwned>(value: JsValue, what: &str) -> Result<Vec<T>, AtriumError> {
    let list: Array = value
        .dyn_into()
        .map_err(|_| AtriumError::invalid(format!("{what} must be an array.")))?;
    list.iter()
        .enumerate()
        .map(|(i, item)| from_js::<T>(item, &format!("{what}[{i}]"), &[]))
        .collect()
}

/// `[{ guid, value }]`: credentials or MFA answers.
pub(crate) fn guid_values(value: JsValue, what: &str) -> Result<Vec<GuidValue>, AtriumError> {
    list_of(value, what)
}

pub(crate) fn cleanse_items(value: JsValue) -> Result<Vec<CleanseItem>, AtriumError> {
    list_of(value, "transactions")
}
