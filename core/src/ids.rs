//! Atrium's GUIDs as types, parsed once where they come in (from JavaScript, from an answer),
//! so that a member GUID can never be put where an account GUID goes, and no request builder
//! checks a string again.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};

use crate::error::{AtriumError, Quoted};

/// What kind of GUID: its prefix (§1.6) and the name callers know its field by.
pub trait Kind {
    const PREFIX: &'static str;
    const FIELD: &'static str;
}

macro_rules! kinds {
    ($($kind:ident, $alias:ident, $prefix:literal, $field:literal;)*) => {$(
        #[doc = concat!("The kind of `", $prefix, "-` GUIDs.")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $kind {}
        impl Kind for $kind {
            const PREFIX: &'static str = $prefix;
            const FIELD: &'static str = $field;
        }
        pub type $alias = Guid<$kind>;
    )*};
}

kinds! {
    Usr, UserGuid, "USR", "user_guid";
    Mbr, MemberGuid, "MBR", "member_guid";
    Act, AccountGuid, "ACT", "account_guid";
    Trn, TransactionGuid, "TRN", "transaction_guid";
    Hol, HoldingGuid, "HOL", "holding_guid";
    Sta, StatementGuid, "STA", "statement_guid";
    Mch, MerchantGuid, "MCH", "merchant_guid";
    Mcl, MerchantLocationGuid, "MCL", "merchant_location_guid";
    Crd, CredentialGuid, "CRD", "guid";
}

/// The shape of every GUID, written once for all kinds (one copy in the .wasm).
fn check(text: &str, prefix: &str, what: &str) -> Result<(), AtriumError> {
    let ok = text
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|r| {
            !r.is_empty()
                && r.len() <= 64
                && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(AtriumError::invalid(format!(
            "{what} must be a {prefix}- GUID, not {}.",
            Quoted(text)
        )))
    }
}

/// A GUID of kind `K`: `PREFIX-` then letters, digits and dashes, as every Atrium GUID is,
/// so that no caller can steer a request elsewhere by what it puts in a path.
pub struct Guid<K>(String, PhantomData<K>);

impl<K: Kind> Guid<K> {
    /// Parses `text`, naming the field `K` is known by when it is not one.
    pub fn parse(text: &str) -> Result<Self, AtriumError> {
        Self::parse_as(text, K::FIELD)
    }

    /// Parses `text`, naming the field `what` when it is not one.
    pub fn parse_as(text: &str, what: &str) -> Result<Self, AtriumError> {
        check(text, K::PREFIX, what).map(|()| Guid(text.to_string(), PhantomData))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// By hand rather than derived: a derive would ask the same of `K`, a type never made.
impl<K> Clone for Guid<K> {
    fn clone(&self) -> Self {
        Guid(self.0.clone(), PhantomData)
    }
}

impl<K> PartialEq for Guid<K> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K> Eq for Guid<K> {}

impl<K> PartialEq<str> for Guid<K> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl<K> fmt::Debug for Guid<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<K> fmt::Display for Guid<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// In TypeScript every GUID and code is a `string`: the types check them at run time.
#[cfg(feature = "ts")]
macro_rules! ts_string {
    ($(impl$(<$k:ident>)? for $ty:ty;)+) => {$(
        impl$(<$k: 'static>)? ts_rs::TS for $ty {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;
            fn name(_: &ts_rs::Config) -> String {
                "string".into()
            }
            fn inline(cfg: &ts_rs::Config) -> String {
                Self::name(cfg)
            }
        }
    )+};
}

#[cfg(feature = "ts")]
ts_string! {
    impl<K> for Guid<K>;
    impl for InstitutionCode;
}

impl<K> Serialize for Guid<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, K: Kind> Deserialize<'de> for Guid<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Guid::parse_as(&text, "it").map_err(de::Error::custom)
    }
}

/// Tests write GUIDs as literals; a bad one is a bug in the test.
#[cfg(test)]
impl<K: Kind> From<&str> for Guid<K> {
    fn from(text: &str) -> Self {
        Guid::parse(text).expect("a test's GUID")
    }
}

#[cfg(test)]
impl From<&str> for InstitutionCode {
    fn from(text: &str) -> Self {
        InstitutionCode::parse(text, "test").expect("a test's institution code")
    }
}

/// An institution code: lowercase letters, digits and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct InstitutionCode(String);

impl InstitutionCode {
    pub fn parse(code: &str, what: &str) -> Result<Self, AtriumError> {
        let ok = !code.is_empty()
            && code.len() <= 64
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(InstitutionCode(code.to_string()))
        } else {
            Err(AtriumError::invalid(format!(
                "{what} must be an institution code, not {}.",
                Quoted(code)
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstitutionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for InstitutionCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        InstitutionCode::parse(&text, "it").map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_parsed_once_by_kind() {
        let m = MemberGuid::parse("MBR-7c6b6b7c-aaaa-4b8e-9c33-0123456789ab").unwrap();
        assert_eq!(m.as_str(), "MBR-7c6b6b7c-aaaa-4b8e-9c33-0123456789ab");
        assert_eq!(m.to_string(), m.as_str());
        for bad in [
            "ACT-1",
            "MBR-",
            "MBR",
            "MBR-../x",
            "MBR-1/2",
            "MBR-1?x=1",
            "",
        ] {
            let e = MemberGuid::parse(bad).unwrap_err();
            assert!(
                e.to_string().starts_with("member_guid must be a MBR- GUID"),
                "{e}"
            );
        }
        let long = format!("MBR-{}", "a".repeat(65));
        assert!(MemberGuid::parse(&long).is_err());
        let e = AccountGuid::parse_as("MBR-1", "accounts[2]").unwrap_err();
        assert_eq!(
            e.to_string(),
            "accounts[2] must be a ACT- GUID, not \"MBR-1\"."
        );
    }

    #[test]
    fn guids_read_from_and_write_to_json() {
        let m: MemberGuid = serde_json::from_str("\"MBR-1\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"MBR-1\"");
        let e = serde_json::from_str::<MemberGuid>("\"USR-1\"").unwrap_err();
        assert!(e.to_string().contains("must be a MBR- GUID"), "{e}");
        assert!(serde_json::from_str::<InstitutionCode>("\"MX/bank\"").is_err());
        let c: InstitutionCode = serde_json::from_str("\"mx_bank2\"").unwrap();
        assert_eq!(c.as_str(), "mx_bank2");
    }
}
