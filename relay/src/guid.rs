//! Atrium's GUIDs as the relay checks them: `PREFIX-` then letters, digits and dashes, the
//! shape every one has, so that nothing else reaches a path upstream. One place for the rule.

/// Whether `s` is a GUID with `prefix`.
pub fn is_guid(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|r| {
            !r.is_empty()
                && r.len() <= 64
                && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

pub fn is_user_guid(s: &str) -> bool {
    is_guid(s, "USR")
}

pub fn is_member_guid(s: &str) -> bool {
    is_guid(s, "MBR")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_have_one_shape() {
        assert!(is_user_guid("USR-1a-2b") && is_member_guid("MBR-x"));
        for bad in ["USR-", "USR", "USR-../x", "USR-1?x", "MBR-1", "USR-a b"] {
            assert!(!is_user_guid(bad), "{bad}");
        }
        assert!(!is_guid(&format!("USR-{}", "a".repeat(65)), "USR"));
    }
}
