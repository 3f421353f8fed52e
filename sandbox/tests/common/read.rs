//! Reading the sandbox's JSON answers: GUIDs, lists, a member's state, error messages.

use serde_json::Value;

pub fn guid(v: &Value) -> String {
    v["guid"].as_str().expect("a guid").to_string()
}

/// A member's (`connection_status`, `is_being_aggregated`).
pub fn state(member: &Value) -> (Option<&str>, Option<bool>) {
    let aggregating = member["is_being_aggregated"].as_bool();
    (member["connection_status"].as_str(), aggregating)
}

/// The list under `key`.
pub fn items<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is a list: {v}"))
}

/// The text `field` of every element of the list under `key`.
pub fn texts<'a>(v: &'a Value, key: &str, field: &str) -> Vec<&'a str> {
    let text = |x: &'a Value| x[field].as_str().unwrap_or_else(|| panic!("{field}: {x}"));
    items(v, key).iter().map(text).collect()
}

pub fn error_message(v: &Value) -> &str {
    v["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("an error body {{\"error\": {{\"message\"}}}}: {v}"))
}
