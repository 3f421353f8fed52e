//! The writer against serde_json: the tree it builds is what JSON would carry.

use serde::Serialize;
use serde_json::{json, Value};

use super::*;
use crate::flow::FlowSnapshot;
use crate::options::{CreateMember, GuidValue};
use crate::pagination::Pagination;

/// JSON as JavaScript's numbers come back from `JSON.parse`: whole ones as integers.
impl Build for Value {
    fn null() -> Self {
        Value::Null
    }
    fn boolean(b: bool) -> Self {
        Value::Bool(b)
    }
    fn number(n: f64) -> Self {
        if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
            json!(n as i64)
        } else {
            json!(n)
        }
    }
    fn text(s: &str) -> Self {
        Value::String(s.into())
    }
    fn list() -> Self {
        Value::Array(Vec::new())
    }
    fn push(&mut self, item: Self) {
        if let Value::Array(a) = self {
            a.push(item);
        }
    }
    fn object() -> Self {
        Value::Object(Default::default())
    }
    fn set(&mut self, key: &str, value: Self) {
        if let Value::Object(o) = self {
            o.insert(key.into(), value);
        }
    }
    fn key_text(&self) -> Option<String> {
        self.as_str().map(str::to_string)
    }
}

fn same_as_json<T: Serialize>(value: &T) {
    let ours: Value = write(value).expect("written");
    assert_eq!(ours, serde_json::to_value(value).expect("json"));
}

#[derive(Serialize)]
enum Shapes {
    Unit,
    Newtype(u8),
    Tuple(u8, String),
    Struct { a: Option<f64> },
}

#[test]
fn writes_what_json_carries() {
    same_as_json(&FlowSnapshot {
        v: 1,
        run_id: "run-1".into(),
        kind: "connect".into(),
        user_guid: Some("USR-1".into()),
        member_guid: None,
        started: false,
        then: vec!["verify".into(), "identify".into()],
        connection_status: None,
        oauth_window_uri: Some("https://bank.example/o?x=\"1\"".into()),
    });
    same_as_json(&Pagination {
        current_page: 2,
        per_page: 25,
        total_entries: 30,
        total_pages: 2,
    });
    let member: CreateMember = crate::reader::read(crate::reader::tests::js(
        r#"{"institution_code": "mxbank", "credentials": [{"guid": "CRD-1", "value": "x"}]}"#,
    ))
    .expect("options");
    same_as_json(&member);
    same_as_json(&vec![GuidValue {
        guid: "CRD-2".into(),
        value: "y".into(),
    }]);
    same_as_json(&[
        Shapes::Unit,
        Shapes::Newtype(7),
        Shapes::Tuple(1, "t".into()),
    ]);
    same_as_json(&Shapes::Struct { a: Some(2.5) });
    same_as_json(&Shapes::Struct { a: None });
    same_as_json(&std::collections::BTreeMap::from([("k", 1u32)]));
}

#[test]
fn refuses_what_an_object_cannot_hold() {
    let bytes = serde_bytes_like();
    assert!(write::<Value, _>(&bytes).is_err());
    let map = std::collections::BTreeMap::from([(1u32, "one")]);
    let e = write::<Value, _>(&map).unwrap_err();
    assert_eq!(e.to_string(), "a map's keys must be text");
    let safe = (1u64 << 53) - 1;
    same_as_json(&[safe]);
    same_as_json(&[-(safe as i64)]);
    assert!(write::<Value, _>(&(safe + 1)).is_err());
    assert!(write::<Value, _>(&i64::MIN).is_err());
}

/// A value that serializes as bytes.
fn serde_bytes_like() -> impl Serialize {
    struct Bytes;
    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"raw")
        }
    }
    Bytes
}
