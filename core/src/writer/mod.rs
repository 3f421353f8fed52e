//! Core values into a tree the face builds (JavaScript's objects): serde's `Serialize` driven
//! into [`Build`]. Shaped as `JSON.stringify` would read it back: absent options as `null`,
//! enums by their names, numbers as JavaScript's. Replaces serde-wasm-bindgen's serializer,
//! the last of that crate in the .wasm.

use std::fmt;

use serde::ser::{self, Serialize};

/// A tree being built: the face's JavaScript values, a test's JSON.
pub trait Build: Sized {
    fn null() -> Self;
    fn boolean(b: bool) -> Self;
    fn number(n: f64) -> Self;
    fn text(s: &str) -> Self;
    fn list() -> Self;
    fn push(&mut self, item: Self);
    fn object() -> Self;
    fn set(&mut self, key: &str, value: Self);
    /// A map key once built: only text keys can be an object's.
    fn key_text(&self) -> Option<String>;
}

/// Why a value could not be written: a map with keys that are not text, or bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError(String);

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WriteError {}

impl ser::Error for WriteError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        WriteError(msg.to_string())
    }
}

/// Writes `value` as a tree of `B`.
pub fn write<B: Build, T: Serialize + ?Sized>(value: &T) -> Result<B, WriteError> {
    value.serialize(Writer(std::marker::PhantomData))
}

struct Writer<B>(std::marker::PhantomData<B>);

/// A list or an object under construction; a variant's is wrapped in `{ variant: … }`.
pub struct Compound<B> {
    tree: B,
    key: Option<String>,
    variant: Option<&'static str>,
}

impl<B: Build> Compound<B> {
    fn new(tree: B, variant: Option<&'static str>) -> Self {
        Compound {
            tree,
            key: None,
            variant,
        }
    }

    fn item<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        let item = write(value)?;
        self.tree.push(item);
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), WriteError> {
        let value = write(value)?;
        self.tree.set(key, value);
        Ok(())
    }

    fn end(self) -> Result<B, WriteError> {
        Ok(tagged(self.variant, self.tree))
    }
}

fn tagged<B: Build>(variant: Option<&'static str>, tree: B) -> B {
    match variant {
        Some(name) => {
            let mut outer = B::object();
            outer.set(name, tree);
            outer
        }
        None => tree,
    }
}

/// Numbers JavaScript holds exactly, written as they are.
macro_rules! exact_numbers {
    ($($method:ident $ty:ty),+) => {$(
        fn $method(self, v: $ty) -> Result<B, WriteError> {
            Ok(B::number(v.into()))
        }
    )+};
}

/// A 64-bit integer, refused beyond 2^53 where JavaScript's number would silently round it.
fn within_safe<B: Build>(magnitude: u64, n: f64) -> Result<B, WriteError> {
    if magnitude < (1 << 53) {
        Ok(B::number(n))
    } else {
        Err(ser::Error::custom(
            "an integer beyond 2^53 cannot be written exactly",
        ))
    }
}

impl<B: Build> ser::Serializer for Writer<B> {
    type Ok = B;
    type Error = WriteError;
    type SerializeSeq = Compound<B>;
    type SerializeTuple = Compound<B>;
    type SerializeTupleStruct = Compound<B>;
    type SerializeTupleVariant = Compound<B>;
    type SerializeMap = Compound<B>;
    type SerializeStruct = Compound<B>;
    type SerializeStructVariant = Compound<B>;

    fn serialize_bool(self, v: bool) -> Result<B, WriteError> {
        Ok(B::boolean(v))
    }
    exact_numbers!(serialize_i8 i8, serialize_i16 i16, serialize_i32 i32, serialize_u8 u8,
        serialize_u16 u16, serialize_u32 u32, serialize_f32 f32, serialize_f64 f64);

    fn serialize_i64(self, v: i64) -> Result<B, WriteError> {
        within_safe(v.unsigned_abs(), v as f64)
    }
    fn serialize_u64(self, v: u64) -> Result<B, WriteError> {
        within_safe(v, v as f64)
    }
    fn serialize_char(self, v: char) -> Result<B, WriteError> {
        Ok(B::text(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<B, WriteError> {
        Ok(B::text(v))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<B, WriteError> {
        Err(ser::Error::custom("bytes are not written"))
    }
    fn serialize_none(self) -> Result<B, WriteError> {
        Ok(B::null())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<B, WriteError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<B, WriteError> {
        Ok(B::null())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<B, WriteError> {
        Ok(B::null())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<B, WriteError> {
        Ok(B::text(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<B, WriteError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<B, WriteError> {
        Ok(tagged(Some(variant), write(value)?))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<B>, WriteError> {
        Ok(Compound::new(B::list(), None))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<B>, WriteError> {
        Ok(Compound::new(B::list(), None))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<B>, WriteError> {
        Ok(Compound::new(B::list(), None))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<B>, WriteError> {
        Ok(Compound::new(B::list(), Some(variant)))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<B>, WriteError> {
        Ok(Compound::new(B::object(), None))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<B>, WriteError> {
        Ok(Compound::new(B::object(), None))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<B>, WriteError> {
        Ok(Compound::new(B::object(), Some(variant)))
    }
}

macro_rules! list_like {
    ($($trait:ident $method:ident),+) => {$(
        impl<B: Build> ser::$trait for Compound<B> {
            type Ok = B;
            type Error = WriteError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
                self.item(value)
            }
            fn end(self) -> Result<B, WriteError> {
                Compound::end(self)
            }
        }
    )+};
}

list_like!(SerializeSeq serialize_element, SerializeTuple serialize_element,
    SerializeTupleStruct serialize_field, SerializeTupleVariant serialize_field);

macro_rules! struct_like {
    ($($trait:ident),+) => {$(
        impl<B: Build> ser::$trait for Compound<B> {
            type Ok = B;
            type Error = WriteError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), WriteError> {
                self.field(key, value)
            }
            fn end(self) -> Result<B, WriteError> {
                Compound::end(self)
            }
        }
    )+};
}

struct_like!(SerializeStruct, SerializeStructVariant);

impl<B: Build> ser::SerializeMap for Compound<B> {
    type Ok = B;
    type Error = WriteError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), WriteError> {
        let key: B = write(key)?;
        let text = key
            .key_text()
            .ok_or_else(|| ser::Error::custom("a map's keys must be text"))?;
        self.key = Some(text);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), WriteError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ser::Error::custom("a map value came before its key"))?;
        self.field(&key, value)
    }

    fn end(self) -> Result<B, WriteError> {
        Compound::end(self)
    }
}

#[cfg(test)]
mod tests;
