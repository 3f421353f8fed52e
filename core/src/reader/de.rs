//! The deserializer over a [`Tree`]: numbers as integers where they are whole, `undefined`
//! as a missing field, and every error passing out through a list or an object marked with
//! that step of the path.

use serde::de::value::StringDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, Visitor};

use super::{ReadError, Segment, Shape, Tree};

/// JavaScript's numbers are exact integers up to 2^53; beyond, they are read as floats.
const SAFE: f64 = 9_007_199_254_740_991.0;

/// Reads one value of the tree.
pub struct TreeDeserializer<V> {
    tree: V,
    /// Keys of this object the caller reads itself (the top level's `signal`, `token`).
    skip: &'static [&'static str],
}

impl<V: Tree> TreeDeserializer<V> {
    pub fn top(tree: V, skip: &'static [&'static str]) -> Self {
        TreeDeserializer { tree, skip }
    }

    fn nested(tree: V) -> Self {
        TreeDeserializer { tree, skip: &[] }
    }
}

/// A value taken apart, outside the code that each visitor type gets a copy of: only the
/// small match that hands it to the visitor is generic.
enum Node<T> {
    Unit,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Text(String),
    List(Items<T>),
    Map(Fields<T>),
}

impl<T: Tree> Node<T> {
    #[inline(never)]
    fn of(d: TreeDeserializer<T>) -> Node<T> {
        match d.tree.shape() {
            Shape::Absent | Shape::Null => Node::Unit,
            Shape::Bool(b) => Node::Bool(b),
            Shape::Number(n) if n.fract() == 0.0 && n.abs() <= SAFE => {
                if n >= 0.0 {
                    Node::Unsigned(n as u64)
                } else {
                    Node::Signed(n as i64)
                }
            }
            Shape::Number(n) => Node::Float(n),
            Shape::Text(s) => Node::Text(s),
            Shape::List(len) => Node::List(Items {
                tree: d.tree,
                len,
                next: 0,
            }),
            Shape::Object => Node::Map(Fields {
                keys: d.tree.keys().into_iter(),
                tree: d.tree,
                skip: d.skip,
                current: None,
            }),
        }
    }

    /// The refusal of a value of the wrong kind.
    #[inline(never)]
    fn refused(&self, expected: &dyn de::Expected) -> ReadError {
        let what = match self {
            Node::Unit => de::Unexpected::Unit,
            Node::Bool(b) => de::Unexpected::Bool(*b),
            Node::Unsigned(n) => de::Unexpected::Unsigned(*n),
            Node::Signed(n) => de::Unexpected::Signed(*n),
            Node::Float(n) => de::Unexpected::Float(*n),
            Node::Text(s) => de::Unexpected::Str(s),
            Node::List(_) => de::Unexpected::Seq,
            Node::Map(_) => de::Unexpected::Map,
        };
        de::Error::invalid_type(what, expected)
    }
}

impl<'de, T: Tree> Deserializer<'de> for TreeDeserializer<T> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match Node::of(self) {
            Node::Unit => visitor.visit_unit(),
            Node::Bool(b) => visitor.visit_bool(b),
            Node::Unsigned(n) => visitor.visit_u64(n),
            Node::Signed(n) => visitor.visit_i64(n),
            Node::Float(n) => visitor.visit_f64(n),
            Node::Text(s) => visitor.visit_string(s),
            Node::List(items) => visitor.visit_seq(items),
            Node::Map(fields) => visitor.visit_map(fields),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        if self.tree.is_nullish() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        match Node::of(self) {
            Node::Map(fields) => visitor.visit_map(fields),
            other => Err(other.refused(&visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map enum identifier
    }
}

/// A list's items, each error marked with its index.
struct Items<V> {
    tree: V,
    len: u32,
    next: u32,
}

impl<'de, V: Tree> de::SeqAccess<'de> for Items<V> {
    type Error = ReadError;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, ReadError> {
        if self.next >= self.len {
            return Ok(None);
        }
        let i = self.next;
        self.next += 1;
        seed.deserialize(TreeDeserializer::nested(self.tree.at(i)))
            .map(Some)
            .map_err(|e| e.at(Segment::Index(i)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.len - self.next) as usize)
    }
}

/// An object's present fields (not `undefined`, not skipped), each error marked with its key.
struct Fields<V> {
    tree: V,
    keys: std::vec::IntoIter<String>,
    skip: &'static [&'static str],
    current: Option<(String, V)>,
}

impl<T: Tree> Fields<T> {
    /// The next present key; its value is kept for `next_value_seed`.
    #[inline(never)]
    fn advance(&mut self) -> Option<String> {
        for key in self.keys.by_ref() {
            if self.skip.contains(&key.as_str()) {
                continue;
            }
            let value = self.tree.get(&key);
            if value.is_absent() {
                continue;
            }
            self.current = Some((key.clone(), value));
            return Some(key);
        }
        None
    }
}

impl<'de, V: Tree> de::MapAccess<'de> for Fields<V> {
    type Error = ReadError;

    fn next_key_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, ReadError> {
        match self.advance() {
            Some(key) => {
                let name: StringDeserializer<ReadError> = key.into_deserializer();
                seed.deserialize(name).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, ReadError> {
        let Some((key, value)) = self.current.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        seed.deserialize(TreeDeserializer::nested(value))
            .map_err(|e| e.at(Segment::Key(key)))
    }
}
