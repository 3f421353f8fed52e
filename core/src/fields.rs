//! The field names a serde struct declares (after renaming), read from its `Deserialize`
//! impl. A page's options are checked against them (every options type, whether it denies
//! unknown fields or not), and a refusal lists them; the reader reads each field by its name;
//! answers' models are given each of them.

use serde::de::{self, Deserialize, Deserializer, Visitor};

#[derive(Debug)]
struct Captured(&'static [&'static str]);

impl std::fmt::Display for Captured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names captured")
    }
}

impl std::error::Error for Captured {}

impl de::Error for Captured {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Captured(&[])
    }
}

/// A deserializer that answers nothing and only records the fields it is asked for.
struct FieldCatcher;

impl<'de> Deserializer<'de> for FieldCatcher {
    type Error = Captured;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Captured> {
        Err(Captured(fields))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Captured> {
        Err(Captured(&[]))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The names of `T`'s fields as they appear in its input; empty for anything not a struct.
pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    match T::deserialize(FieldCatcher) {
        Err(Captured(fields)) => fields,
        Ok(_) => &[],
    }
}

/// The first of `keys` that is not one of `declared` (a type's [`field_names`]).
pub fn first_unknown<'k>(
    keys: impl IntoIterator<Item = &'k str>,
    declared: &[&str],
) -> Option<&'k str> {
    keys.into_iter().find(|k| !declared.contains(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::{ClientOptions, ListInstitutionsOptions};

    #[test]
    fn reads_renamed_fields() {
        assert_eq!(
            field_names::<ClientOptions>(),
            &["relayUrl", "userGuid", "timeoutMs", "retry", "oauthOrigin"]
        );
        assert!(field_names::<ListInstitutionsOptions>().contains(&"records_per_page"));
        assert!(field_names::<u32>().is_empty());
    }

    #[test]
    fn finds_the_typo() {
        let declared = field_names::<ListInstitutionsOptions>();
        assert_eq!(first_unknown(["name", "nmae"], declared), Some("nmae"));
        assert_eq!(first_unknown(["name", "page"], declared), None);
    }
}
