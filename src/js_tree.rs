//! The browser's values as the core reader's [`Tree`] (options as a page wrote them, answers
//! as `JSON.parse` made them) and as what the core writer [`Build`]s (snapshots, bodies).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use atrium_core::reader::{Shape, Tree};
use atrium_core::writer::Build;

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
            Shape::Unsupported
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

impl Build for JsTree {
    fn null() -> Self {
        JsTree(JsValue::NULL)
    }

    fn boolean(b: bool) -> Self {
        JsTree(JsValue::from_bool(b))
    }

    fn number(n: f64) -> Self {
        JsTree(JsValue::from_f64(n))
    }

    fn text(s: &str) -> Self {
        JsTree(JsValue::from_str(s))
    }

    fn list() -> Self {
        JsTree(Array::new().into())
    }

    fn push(&mut self, item: Self) {
        self.0.unchecked_ref::<Array>().push(&item.0);
    }

    fn object() -> Self {
        JsTree(Object::new().into())
    }

    fn set(&mut self, key: &str, value: Self) {
        // A fresh plain object: setting a property cannot throw.
        let _ = Reflect::set(&self.0, &key.into(), &value.0);
    }

    fn key_text(&self) -> Option<String> {
        self.0.as_string()
    }
}
