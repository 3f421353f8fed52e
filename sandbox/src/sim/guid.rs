//! GUIDs in Atrium's form: a type prefix and a lowercase 8-4-4-4-12 hex body.

/// A fresh GUID such as `USR-fa7537f3-48aa-a683-a02a-b18940482f54`.
pub fn new(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().hyphenated())
}

/// Whether `s` has the shape of a GUID with this prefix; anything else is answered with 404
/// before a lookup, as the real API treats a malformed id as an unknown one.
pub fn has_shape(s: &str, prefix: &str) -> bool {
    let Some(rest) = s.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')) else {
        return false;
    };
    !rest.is_empty()
        && rest.len() <= 64
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_guids_have_their_prefix_and_shape() {
        let g = new("USR");
        assert!(g.starts_with("USR-"));
        assert_eq!(g.len(), 4 + 36);
        assert!(has_shape(&g, "USR"));
        assert!(!has_shape(&g, "MBR"));
        assert_ne!(new("USR"), g);
    }

    #[test]
    fn junk_is_not_a_guid() {
        assert!(!has_shape("USR-", "USR"));
        assert!(!has_shape("USR-abc/def", "USR"));
        assert!(!has_shape("USRabc", "USR"));
        assert!(has_shape("USR-123", "USR"));
    }
}
