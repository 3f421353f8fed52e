//! Values read into the library's types, naming the failing field's path and formatting no
//! floats.
//!
//! The face implements [`Tree`] for the browser's own values (options as the page wrote them,
//! answers as its JSON parser made them); tests implement it for a JavaScript-like tree.
//! Types are read field by field ([`FromTree`]), with the field names serde declares: this
//! replaced serde-wasm-bindgen's deserializer wrapped in serde_path_to_error, then serde's
//! visitors too (issue 18's table in BENCHMARKS.md has what each step saved).

mod error;
mod from_tree;
#[cfg(test)]
pub(crate) mod tests;

use serde::de::DeserializeOwned;

use crate::error::{AtriumError, Quoted};
use crate::fields;
pub use error::{ReadError, Segment};
pub use from_tree::{field, field_or, object, FromFields, FromTree, Unknown};

/// JavaScript's numbers are exact integers up to 2^53.
pub(crate) const SAFE: f64 = 9_007_199_254_740_991.0;

/// What a value is, as far as reading it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// JavaScript's `undefined`: a field that is not there.
    Absent,
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    /// An array of this many items.
    List(u32),
    Object,
    /// A function, a symbol or a bigint: nothing an option or an answer holds.
    Unsupported,
}

/// A tree of values, as JavaScript's and JSON's are.
pub trait Tree: Sized {
    fn shape(&self) -> Shape;
    /// The property `key`; [`Shape::Absent`] when there is none.
    fn get(&self, key: &str) -> Self;
    /// The item at `index` of a list.
    fn at(&self, index: u32) -> Self;
    /// An object's own keys, in order.
    fn keys(&self) -> Vec<String>;
    /// Cheaper than [`Tree::shape`] where only absence matters.
    fn is_absent(&self) -> bool {
        self.shape() == Shape::Absent
    }
    /// `null` or absent: an `Option`'s `None`.
    fn is_nullish(&self) -> bool {
        matches!(self.shape(), Shape::Absent | Shape::Null)
    }
}

/// Reads `T` from `tree`; the error names the path to the failing value.
pub fn read<T: FromTree, V: Tree>(tree: V) -> Result<T, ReadError> {
    T::from_tree(tree)
}

/// Options a page passed: an object of `T`'s fields and nothing else but `extra` (read by the
/// caller); anything wrong is `invalid_input` naming `what` and the field.
pub fn options<T: FromFields + DeserializeOwned, V: Tree>(
    tree: V,
    what: &str,
    extra: &[&str],
) -> Result<T, AtriumError> {
    only_declared(&tree, what, fields::field_names::<T>(), extra)?;
    T::from_fields(&tree).map_err(|e| refused(what, e))
}

/// The top level's keys against the declared ones: a typo is named with what was meant.
#[inline(never)]
fn only_declared<V: Tree>(
    tree: &V,
    what: &str,
    declared: &[&str],
    extra: &[&str],
) -> Result<(), AtriumError> {
    if tree.shape() != Shape::Object {
        return Err(AtriumError::invalid(format!("{what} must be an object.")));
    }
    let keys = tree.keys();
    let ours = keys
        .iter()
        .map(String::as_str)
        .filter(|k| !extra.contains(k));
    match fields::first_unknown(ours, declared) {
        Some(unknown) => Err(AtriumError::invalid(format!(
            "{what}: unknown option {}; expected one of {}.",
            Quoted(unknown),
            declared.join(", ")
        ))),
        None => Ok(()),
    }
}

#[inline(never)]
fn refused(what: &str, e: ReadError) -> AtriumError {
    AtriumError::invalid(format!("{what}: {}: {}", e.path(), e.message()))
}

/// An answer's part decoded into `T`: a failure is a `decode` error carrying the path.
pub fn decode<T: FromTree, V: Tree>(tree: V) -> Result<T, AtriumError> {
    read(tree).map_err(decode_error)
}

/// [`decode`] of the value under `key` of an answer (its `pagination`): the path starts there.
pub fn decode_field<T: FromTree, V: Tree>(answer: &V, key: &str) -> Result<T, AtriumError> {
    read(answer.get(key)).map_err(|e| decode_error(e.at(Segment::Key(key.into()))))
}

#[inline(never)]
fn decode_error(e: ReadError) -> AtriumError {
    AtriumError::decode(e.path(), e.message().to_string())
}
