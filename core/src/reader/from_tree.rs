//! Values read field by field into the library's types: what the web build reads options and
//! answers' typed parts with. serde's derived visitors (a field-name matcher, a slot and a
//! duplicate check per field, for every type) cost the .wasm several times this; serde still
//! names each type's fields ([`crate::fields`]), so names are written once.

use serde::de::Unexpected;

use super::error::{refusal, ReadError, Segment};
use super::{Shape, Tree};
use crate::ids::{Guid, InstitutionCode, Kind};

/// A type read from a [`Tree`].
pub trait FromTree: Sized {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError>;

    /// The value of a field that is not there: by default, an error naming it.
    fn absent(name: &str) -> Result<Self, ReadError> {
        Err(ReadError::new(format!("missing field `{name}`")))
    }
}

/// The field `name`, or `default()` when it is not there (serde's `default = "…"`; `null`
/// is still refused, as serde refuses it).
pub fn field_or<T: FromTree, V: Tree>(
    tree: &V,
    name: &str,
    default: fn() -> T,
) -> Result<T, ReadError> {
    if tree.get(name).is_absent() {
        Ok(default())
    } else {
        field(tree, name)
    }
}

/// The field `name` of an object; an error is marked with the field.
pub fn field<T: FromTree, V: Tree>(tree: &V, name: &str) -> Result<T, ReadError> {
    let value = tree.get(name);
    if value.is_absent() {
        return T::absent(name);
    }
    T::from_tree(value).map_err(|e| e.at(Segment::Key(name.into())))
}

/// Whether an object's keys beyond its fields are refused (options, snapshots: a typo must
/// not pass) or ignored (answers: Atrium may add fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    Refused,
    Ignored,
}

/// An object (`expected` names it in a refusal) of `declared` fields, and no other unless
/// `unknown` lets them pass.
#[inline(never)]
pub fn object<V: Tree>(
    tree: &V,
    expected: &str,
    declared: &[&str],
    unknown: Unknown,
) -> Result<(), ReadError> {
    let shape = tree.shape();
    if shape != Shape::Object {
        return Err(refused(&shape, expected));
    }
    if unknown == Unknown::Ignored {
        return Ok(());
    }
    // A misspelt key is refused even when its value is `undefined`, as at the top level.
    let keys = tree.keys();
    match crate::fields::first_unknown(keys.iter().map(String::as_str), declared) {
        Some(unknown) => Err(ReadError::new(format!(
            "unknown field `{unknown}`, expected one of {}",
            declared.join(", ")
        ))),
        None => Ok(()),
    }
}

/// The refusal of a value of the wrong kind, in serde's words (`invalid type: …, expected …`).
#[inline(never)]
pub(crate) fn refused(shape: &Shape, expected: &str) -> ReadError {
    let what = match shape {
        Shape::Absent | Shape::Null => Unexpected::Unit,
        Shape::Bool(b) => Unexpected::Bool(*b),
        Shape::Number(n) => return number_refused(*n, expected),
        Shape::Text(s) => Unexpected::Str(s),
        Shape::List(_) => Unexpected::Seq,
        Shape::Object => Unexpected::Map,
        Shape::Unsupported => Unexpected::Other("a function, symbol or bigint"),
    };
    refusal("invalid type", what, expected)
}

/// A whole number within 2^53, as serde names it: unsigned or signed.
fn integer(n: f64) -> Unexpected<'static> {
    if n >= 0.0 {
        Unexpected::Unsigned(n as u64)
    } else {
        Unexpected::Signed(n as i64)
    }
}

fn number_refused(n: f64, expected: &str) -> ReadError {
    if n.fract() == 0.0 && n.abs() <= super::SAFE {
        refusal("invalid type", integer(n), expected)
    } else if n.fract() == 0.0 {
        refusal("invalid type", Unexpected::Other(BEYOND), expected)
    } else {
        refusal("invalid type", Unexpected::Float(n), expected)
    }
}

/// A whole number too large for JavaScript to hold exactly.
const BEYOND: &str = "a number beyond 2^53";

impl FromTree for u32 {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        match tree.shape() {
            Shape::Number(n) if n.fract() == 0.0 && n.abs() <= super::SAFE => {
                if (0.0..=f64::from(u32::MAX)).contains(&n) {
                    Ok(n as u32)
                } else {
                    Err(refusal("invalid value", integer(n), "u32"))
                }
            }
            other => Err(refused(&other, "u32")),
        }
    }
}

impl FromTree for f64 {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        match tree.shape() {
            Shape::Number(n) => Ok(n),
            other => Err(refused(&other, "f64")),
        }
    }
}

impl FromTree for bool {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        match tree.shape() {
            Shape::Bool(b) => Ok(b),
            other => Err(refused(&other, "a boolean")),
        }
    }
}

impl FromTree for String {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        match tree.shape() {
            Shape::Text(s) => Ok(s),
            other => Err(refused(&other, "a string")),
        }
    }
}

impl<T: FromTree> FromTree for Option<T> {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        if tree.is_nullish() {
            Ok(None)
        } else {
            T::from_tree(tree).map(Some)
        }
    }

    fn absent(_: &str) -> Result<Self, ReadError> {
        Ok(None)
    }
}

impl<T: FromTree> FromTree for Vec<T> {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        let len = match tree.shape() {
            Shape::List(len) => len,
            other => return Err(refused(&other, "a sequence")),
        };
        (0..len)
            .map(|i| T::from_tree(tree.at(i)).map_err(|e| e.at(Segment::Index(i))))
            .collect()
    }
}

impl<K: Kind> FromTree for Guid<K> {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        Guid::parse_as(&String::from_tree(tree)?, "it").map_err(|e| ReadError::new(e.to_string()))
    }
}

impl FromTree for InstitutionCode {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        InstitutionCode::parse(&String::from_tree(tree)?, "it")
            .map_err(|e| ReadError::new(e.to_string()))
    }
}

/// A struct read from an object's fields, its keys already checked.
pub trait FromFields: FromTree {
    /// The Rust names of the fields read, in the order they are paired with serde's wire
    /// names (a test checks each pair: same count, and each the other renamed).
    const RUST_FIELDS: &'static [&'static str];
    fn from_fields<V: Tree>(tree: &V) -> Result<Self, ReadError>;
}

/// `FromTree` for a struct whose serde `Deserialize` names its fields (after renaming), in
/// declaration order: each field read by its wire name; other keys refused (`strict`) or
/// ignored (`lenient`).
#[macro_export]
macro_rules! from_tree_by_fields {
    (strict $($name:ident { $($field:ident),+ $(,)? })+) => {
        $crate::from_tree_by_fields!(@ Refused $($name { $($field),+ })+);
    };
    (lenient $($name:ident { $($field:ident),+ $(,)? })+) => {
        $crate::from_tree_by_fields!(@ Ignored $($name { $($field),+ })+);
    };
    (@ $unknown:ident $($name:ident { $($field:ident),+ })+) => {$(
        impl $crate::reader::FromFields for $name {
            const RUST_FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            fn from_fields<V: $crate::reader::Tree>(
                tree: &V,
            ) -> Result<Self, $crate::reader::ReadError> {
                let mut names = $crate::fields::field_names::<$name>().iter().copied();
                Ok($name {
                    $($field: $crate::reader::field(
                        tree,
                        names.next().unwrap_or(stringify!($field)),
                    )?,)+
                })
            }
        }

        impl $crate::reader::FromTree for $name {
            fn from_tree<V: $crate::reader::Tree>(
                tree: V,
            ) -> Result<Self, $crate::reader::ReadError> {
                let declared = $crate::fields::field_names::<$name>();
                $crate::reader::object(
                    &tree,
                    concat!("struct ", stringify!($name)),
                    declared,
                    $crate::reader::Unknown::$unknown,
                )?;
                <$name as $crate::reader::FromFields>::from_fields(&tree)
            }
        }
    )+};
}
