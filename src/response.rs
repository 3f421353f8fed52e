//! Reading answers: Atrium's envelopes (`{"user": …}`, `{"institutions": […], "pagination"}`)
//! into models, and error bodies into [`AtriumError`]s. Generic over the serde deserializer,
//! so the browser decodes straight from the parsed JavaScript value and native tests from JSON.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use crate::error::{AtriumError, ErrorCode};
use crate::models::Resource;
use crate::pagination::{Page, Pagination};

/// Decodes `T`, naming the failing field's path in the error.
pub fn decode<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<T, AtriumError> {
    serde_path_to_error::deserialize(d).map_err(|e| AtriumError::Decode {
        path: e.path().to_string(),
        message: e.into_inner().to_string(),
    })
}

/// One resource under its root key, other keys ignored.
pub struct One<T>(pub T);

/// A paginated list under its root key, with `pagination`.
pub struct Many<T>(pub Page<T>);

impl<'de, T: Resource + Deserialize<'de>> Deserialize<'de> for One<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Resource + Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = One<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "an object with the key {:?}", T::ONE)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<One<T>, A::Error> {
                let mut found = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == T::ONE {
                        found = Some(map.next_value()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                found
                    .map(One)
                    .ok_or_else(|| de::Error::missing_field(T::ONE))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

impl<'de, T: Resource + Deserialize<'de>> Deserialize<'de> for Many<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Resource + Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Many<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(
                    f,
                    "an object with the keys {:?} and \"pagination\"",
                    T::MANY
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Many<T>, A::Error> {
                let mut items = None;
                let mut pagination: Option<Pagination> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key == T::MANY {
                        items = Some(map.next_value()?);
                    } else if key == "pagination" {
                        pagination = Some(map.next_value()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                let items = items.ok_or_else(|| de::Error::missing_field(T::MANY))?;
                let pagination =
                    pagination.ok_or_else(|| de::Error::missing_field("pagination"))?;
                Ok(Many(Page { items, pagination }))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// `{"error": {"message", "code"?}}`: the sandbox's and the relay's error body.
#[derive(Debug, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub error: ErrorDetail,
}

#[derive(Debug, Default, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
}

/// The error for a non-success status; `body` is the decoded error body when there was one,
/// `retry_after` the `Retry-After` header (seconds; an HTTP date is not used).
pub fn http_error(
    status: u16,
    body: Option<ErrorBody>,
    request_id: Option<String>,
    retry_after: Option<&str>,
) -> AtriumError {
    let detail = body.map(|b| b.error).unwrap_or_default();
    let message = detail
        .message
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("The relay answered HTTP {status}."));
    let retry_after_ms = retry_after
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map(|s| s.saturating_mul(1000));
    AtriumError::Http {
        status,
        code: ErrorCode::from_status(status),
        message,
        request_id,
        retry_after_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{Institution, User};

    fn json<'a, T: Deserialize<'a>>(s: &'a str) -> Result<T, AtriumError> {
        decode(&mut serde_json::Deserializer::from_str(s))
    }

    #[test]
    fn single_envelope() {
        let One(u): One<User> =
            json(r#"{"user": {"guid": "USR-1", "identifier": "ada", "is_disabled": false, "metadata": null}}"#).unwrap();
        assert_eq!(u.guid, "USR-1");
        assert_eq!(u.identifier.as_deref(), Some("ada"));
        assert_eq!(u.metadata, None);
    }

    #[test]
    fn list_envelope_and_extra_keys() {
        let Many(page): Many<Institution> = json(
            r#"{"institutions": [{"code": "mxbank", "name": "MX Bank", "new_field": 1}],
                "pagination": {"current_page": 1, "per_page": 25, "total_entries": 1, "total_pages": 1},
                "extra": [1, 2]}"#,
        )
        .unwrap();
        assert_eq!(page.items[0].code, "mxbank");
        assert_eq!(page.pagination.total_entries, 1);
    }

    #[test]
    fn decode_errors_name_the_path() {
        let err = json::<Many<Institution>>(
            r#"{"institutions": [{"code": "a"}, {"code": "b", "supports_oauth": "yes"}],
                "pagination": {"current_page": 1, "per_page": 25, "total_entries": 2, "total_pages": 1}}"#,
        )
        .err()
        .unwrap();
        match &err {
            AtriumError::Decode { path, .. } => assert_eq!(path, "institutions[1].supports_oauth"),
            other => panic!("{other:?}"),
        }
        assert_eq!(err.code().as_str(), "decode");
        let missing = json::<One<User>>(r#"{"users": []}"#).err().unwrap();
        assert!(missing.to_string().contains("user"), "{missing}");
        assert!(
            json::<Many<User>>(r#"{"users": []}"#).is_err(),
            "pagination is required"
        );
    }

    #[test]
    fn error_bodies() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"error": {"code": "token_expired", "message": "gone"}}"#)
                .unwrap();
        let e = http_error(401, Some(body), Some("ab-1".into()), None);
        assert_eq!(
            (e.status(), e.code().as_str(), e.to_string().as_str()),
            (401, "unauthorized", "gone")
        );
        assert_eq!(e.request_id(), Some("ab-1"));
        let e = http_error(403, None, None, None);
        assert_eq!(e.code().as_str(), "forbidden");
        assert!(e.to_string().contains("403"));
        match http_error(429, None, None, Some("7")) {
            AtriumError::Http { retry_after_ms, .. } => assert_eq!(retry_after_ms, Some(7000)),
            other => panic!("{other:?}"),
        }
    }
}
