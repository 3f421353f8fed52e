//! The browser's values as the core reader's [`Tree`]: options as a page wrote them, answers
//! as `JSON.parse` made them.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use atrium_core::reader::{Shape, Tree};

pub(crate) struct JsTree(pub(crate) JsValue);

impl Tree for JsTree {
    fn shape(&self) -> Shape {
        let v = &self.0;
        if v.is_undefined() {
            Shape::Absent
        } else if v.is_null() {
            Shape::Null
        } else if let Some(b) = v.as_bool() {
            Shape::Bool(b)
        } else if let Some(n) = v.as_f64() {
            Shape::Number(n)
        } else if let Some(s) = v.as_string() {
            Shape::Text(s)
        } else if Array::is_array(v) {
            Shape::List(v.unchecked_ref::<Array>().length())
        } else if v.is_object() {
            Shape::Object
        } else {
            // A function, a symbol or a bigint: nothing the options take.
            Shape::Absent
        }
    }

    fn get(&self, key: &str) -> JsTree {
        JsTree(Reflect::get(&self.0, &key.into()).unwrap_or(JsValue::UNDEFINED))
    }

    fn at(&self, index: u32) -> JsTree {
        JsTree(Reflect::get_u32(&self.0, index).unwrap_or(JsValue::UNDEFINED))
    }

    fn keys(&self) -> Vec<String> {
        Object::keys(self.0.unchecked_ref::<Object>())
            .iter()
            .filter_map(|k| k.as_string())
            .collect()
    }

    fn is_absent(&self) -> bool {
        self.0.is_undefined()
    }

    fn is_nullish(&self) -> bool {
        self.0.is_undefined() || self.0.is_null()
    }
}
