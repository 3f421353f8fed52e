//! The reader over a test tree that, like JavaScript's values, knows `undefined`.

use serde::Deserialize;

use super::*;
use crate::flow::FlowSnapshot;
use crate::models::Session;
use crate::options::{ClientOptions, RetryOptions};
use crate::pagination::Pagination;
use crate::response::ErrorBody;

/// JavaScript's values, as a page or `JSON.parse` makes them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Js {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Js>),
    Obj(Vec<(String, Js)>),
    /// A function (a symbol and a bigint read the same).
    Func,
}

impl From<serde_json::Value> for Js {
    fn from(v: serde_json::Value) -> Self {
        use serde_json::Value as J;
        match v {
            J::Null => Js::Null,
            J::Bool(b) => Js::Bool(b),
            J::Number(n) => Js::Num(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Js::Str(s),
            J::Array(a) => Js::Arr(a.into_iter().map(Js::from).collect()),
            J::Object(o) => Js::Obj(o.into_iter().map(|(k, v)| (k, Js::from(v))).collect()),
        }
    }
}

/// A tree from JSON text (a test's own literal).
pub(crate) fn js(text: &str) -> Js {
    Js::from(serde_json::from_str::<serde_json::Value>(text).expect("a test's JSON"))
}

impl Js {
    fn with(mut self, key: &str, value: Js) -> Js {
        if let Js::Obj(fields) = &mut self {
            fields.push((key.into(), value));
        }
        self
    }
}

impl Tree for Js {
    fn shape(&self) -> Shape {
        match self {
            Js::Undefined => Shape::Absent,
            Js::Null => Shape::Null,
            Js::Bool(b) => Shape::Bool(*b),
            Js::Num(n) => Shape::Number(*n),
            Js::Str(s) => Shape::Text(s.clone()),
            Js::Arr(a) => Shape::List(a.len() as u32),
            Js::Obj(_) => Shape::Object,
            Js::Func => Shape::Unsupported,
        }
    }

    fn get(&self, key: &str) -> Js {
        match self {
            Js::Obj(fields) => fields
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or(Js::Undefined),
            _ => Js::Undefined,
        }
    }

    fn at(&self, index: u32) -> Js {
        match self {
            Js::Arr(a) => a.get(index as usize).cloned().unwrap_or(Js::Undefined),
            _ => Js::Undefined,
        }
    }

    fn keys(&self) -> Vec<String> {
        match self {
            Js::Obj(fields) => fields.iter().map(|(k, _)| k.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

fn path_and_message<T: FromTree + std::fmt::Debug>(t: Js) -> (String, String) {
    let e = read::<T, _>(t).expect_err("refused");
    (e.path(), e.message().to_string())
}

#[test]
fn errors_name_the_path_as_before() {
    let pages = js(
        r#"[{"current_page": 1, "per_page": 25, "total_entries": 2, "total_pages": 1},
                      {"current_page": "two", "per_page": 25, "total_entries": 2, "total_pages": 1}]"#,
    );
    let (path, message) = path_and_message::<Vec<Pagination>>(pages);
    assert_eq!(path, "[1].current_page");
    assert_eq!(message, r#"invalid type: string "two", expected u32"#);
    let (path, message) = path_and_message::<Pagination>(js(r#"{"current_page": 1}"#));
    assert_eq!(
        (path.as_str(), message.as_str()),
        (".", "missing field `per_page`")
    );
    let nested = js(r#"{"relayUrl": "https://r", "retry": {"retries": [1, 2.5]}}"#);
    let (path, _) = path_and_message::<ClientOptions>(nested);
    assert_eq!(path, "retry.retries");
}

#[derive(Debug, Deserialize, PartialEq)]
struct N {
    count: u32,
    big: f64,
}

crate::from_tree_by_fields!(strict N { count, big });

#[test]
fn numbers_are_integers_where_whole_and_floats_are_never_formatted() {
    let n: N = read(js(r#"{"count": 7, "big": 1e300}"#)).expect("read");
    assert_eq!(
        n,
        N {
            count: 7,
            big: 1e300
        }
    );
    for (text, message) in [
        (
            r#"{"count": 2.5, "big": 0}"#,
            "invalid type: a number that is not a whole one, expected u32",
        ),
        (
            r#"{"count": 4294967296, "big": 0}"#,
            "invalid value: integer `4294967296`, expected u32",
        ),
        (
            r#"{"count": -1, "big": 0}"#,
            "invalid value: integer `-1`, expected u32",
        ),
        (
            r#"{"count": true, "big": 0}"#,
            "invalid type: boolean `true`, expected u32",
        ),
        (
            r#"{"count": 1e16, "big": 0}"#,
            "invalid type: a number beyond 2^53, expected u32",
        ),
        (
            r#"{"count": 1, "big": "x"}"#,
            r#"invalid type: string "x", expected f64"#,
        ),
        (
            r#"{"count": 1, "big": [1]}"#,
            "invalid type: an array, expected f64",
        ),
    ] {
        let (_, m) = path_and_message::<N>(js(text));
        assert_eq!(m, message, "{text}");
    }
    let function = Js::Obj(vec![])
        .with("count", Js::Func)
        .with("big", Js::Num(0.0));
    let (path, m) = path_and_message::<N>(function);
    assert_eq!(
        (path.as_str(), m.as_str()),
        (
            "count",
            "invalid type: a function, symbol or bigint, expected u32"
        )
    );
}

#[derive(Debug, Deserialize, PartialEq)]
struct O {
    a: Option<String>,
    b: u32,
}

crate::from_tree_by_fields!(strict O { a, b });

#[test]
fn undefined_is_a_missing_field_and_null_is_none() {
    let undefined = Js::Obj(vec![])
        .with("a", Js::Undefined)
        .with("b", Js::Num(3.0));
    assert_eq!(read::<O, _>(undefined).expect("read"), O { a: None, b: 3 });
    let nulls = js(r#"{"a": null, "b": 1}"#);
    assert_eq!(read::<O, _>(nulls).expect("read"), O { a: None, b: 1 });
    let (path, message) = path_and_message::<O>(js(r#"{"b": null}"#));
    assert_eq!(
        (path.as_str(), message.as_str()),
        ("b", "invalid type: null, expected u32")
    );
    let (path, message) = path_and_message::<O>(js(r#"{"a": "x"}"#));
    assert_eq!(
        (path.as_str(), message.as_str()),
        (".", "missing field `b`")
    );
    let (path, message) = path_and_message::<O>(js(r#"[1]"#));
    assert_eq!(
        (path.as_str(), message.as_str()),
        (".", "invalid type: an array, expected struct O")
    );
    let (path, message) = path_and_message::<O>(js(r#"{"b": 1, "c": 2}"#));
    assert_eq!(
        (path.as_str(), message.as_str()),
        (".", "unknown field `c`, expected one of a, b")
    );
    let typo = Js::Obj(vec![])
        .with("b", Js::Num(1.0))
        .with("c", Js::Undefined);
    assert_eq!(
        path_and_message::<O>(typo).1,
        "unknown field `c`, expected one of a, b"
    );
}

#[test]
fn answers_let_fields_atrium_adds_pass() {
    let page = js(
        r#"{"current_page": 1, "per_page": 25, "total_entries": 2, "total_pages": 1, "next": "x"}"#,
    );
    assert_eq!(read::<Pagination, _>(page).expect("read").total_entries, 2);
    let body: ErrorBody = read(js(
        r#"{"error": {"message": "gone", "code": 7}, "other": 1}"#,
    ))
    .expect("read");
    assert_eq!(
        (body.error.message.as_deref(), body.error.code),
        (Some("gone"), None)
    );
    let odd: ErrorBody = read(js(r#"["not", "an", "error"]"#)).expect("read");
    assert_eq!(odd.error.message, None);
}

#[test]
fn options_refuse_unknown_keys_at_every_level_but_the_callers_own() {
    let ok = js(r#"{"relayUrl": "https://r", "token": "t", "retry": {"retries": 1}}"#);
    let o: ClientOptions = options(ok, "AtriumClient options", &["token"]).expect("read");
    let defaults = RetryOptions::default();
    assert_eq!(
        o.retry,
        Some(RetryOptions {
            retries: 1,
            ..defaults
        })
    );
    let null = js(r#"{"relayUrl": "https://r", "retry": {"retries": null}}"#);
    let e = options::<ClientOptions, _>(null, "AtriumClient options", &[]).unwrap_err();
    let expected = "AtriumClient options: retry.retries: invalid type: null, expected u32";
    assert_eq!(e.to_string(), expected);
    let typo = js(r#"{"relayUrl": "https://r", "tokne": "t"}"#);
    let e = options::<ClientOptions, _>(typo, "AtriumClient options", &["token"]).unwrap_err();
    assert_eq!(e.code().as_str(), "invalid_input");
    assert!(
        e.to_string()
            .contains(r#"unknown option "tokne"; expected one of relayUrl"#),
        "{e}"
    );
    // serde-wasm-bindgen read only declared fields, so a nested typo used to pass.
    let nested = js(r#"{"relayUrl": "https://r", "retry": {"retires": 1}}"#);
    let e = options::<ClientOptions, _>(nested, "AtriumClient options", &[]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("AtriumClient options: retry: unknown field `retires`"),
        "{e}"
    );
    let e = options::<ClientOptions, _>(js("[]"), "AtriumClient options", &[]).unwrap_err();
    assert_eq!(e.to_string(), "AtriumClient options must be an object.");
}

#[test]
fn decode_errors_carry_the_path() {
    let e = decode::<Pagination, _>(js(r#"{"current_page": null}"#)).unwrap_err();
    match e {
        AtriumError::Decode { path, message, .. } => {
            assert_eq!(path, "current_page");
            assert_eq!(message, "invalid type: null, expected u32");
        }
        other => panic!("{other:?}"),
    }
    let page = js(r#"{"transactions": [], "pagination": {"current_page": 1, "per_page": "x"}}"#);
    match decode_field::<Pagination, _>(&page, "pagination").unwrap_err() {
        AtriumError::Decode { path, .. } => assert_eq!(path, "pagination.per_page"),
        other => panic!("{other:?}"),
    }
    let e = decode_field::<Pagination, _>(&js("{}"), "pagination").unwrap_err();
    assert_eq!(e.facts().path.as_deref(), Some("pagination"), "{e:?}");
    let missing =
        decode::<Session, _>(js(r#"{"expires_at": "2026-01-01T00:00:00Z"}"#)).unwrap_err();
    assert!(missing.to_string().contains("user_guid"), "{missing}");
}

#[test]
fn a_snapshot_comes_back_as_it_was_written() {
    let snapshot = FlowSnapshot {
        v: 1,
        run_id: "run-1".into(),
        kind: "connect".into(),
        user_guid: Some("USR-1".into()),
        member_guid: None,
        started: true,
        then: vec!["verify".into()],
        connection_status: Some("CHALLENGED".into()),
        oauth_window_uri: None,
    };
    let written = Js::from(serde_json::to_value(&snapshot).expect("json"));
    assert_eq!(read::<FlowSnapshot, _>(written).expect("read"), snapshot);
}

/// `snake_case` → `camelCase`, serde's `rename_all = "camelCase"`.
fn camel(rust: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in rust.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// Fields are paired with serde's wire names by position: an alias, a skipped field or a
/// macro list out of declaration order would read a field from another's key.
fn pairs_line_up<T: FromFields + serde::de::DeserializeOwned>(renamed: &[(&str, &str)]) {
    let wire = crate::fields::field_names::<T>();
    let name = std::any::type_name::<T>();
    assert_eq!(wire.len(), T::RUST_FIELDS.len(), "{name}: {wire:?}");
    for (rust, wire) in T::RUST_FIELDS.iter().zip(wire) {
        let expected = renamed.iter().find(|(r, _)| r == rust).map(|(_, w)| *w);
        let fits = *wire == *rust || *wire == camel(rust) || expected == Some(*wire);
        assert!(fits, "{name}: {rust} is read from {wire:?}");
    }
}

#[test]
fn every_field_is_read_by_its_own_wire_name() {
    use crate::options::*;
    pairs_line_up::<ClientOptions>(&[]);
    pairs_line_up::<ListAccountNumbers>(&[]);
    pairs_line_up::<FlowInput>(&[]);
    pairs_line_up::<FlowSnapshot>(&[]);
    pairs_line_up::<Pagination>(&[]);
    pairs_line_up::<Session>(&[]);
    pairs_line_up::<Paging>(&[]);
    pairs_line_up::<ListInstitutionsOptions>(&[]);
    pairs_line_up::<GuidValue>(&[]);
    pairs_line_up::<CreateMember>(&[]);
    pairs_line_up::<UpdateMember>(&[]);
    pairs_line_up::<UpdateUser>(&[]);
    pairs_line_up::<ListAccounts>(&[]);
    pairs_line_up::<ListByOwner>(&[]);
    pairs_line_up::<ListTransactions>(&[]);
    pairs_line_up::<ListStatements>(&[]);
    pairs_line_up::<ListMerchantLocations>(&[]);
    pairs_line_up::<OAuthWindowOptions>(&[]);
    pairs_line_up::<ConnectWidgetOptions>(&[]);
    pairs_line_up::<CleanseItem>(&[("kind", "type")]);
    pairs_line_up::<N>(&[]);
    pairs_line_up::<O>(&[]);
}
