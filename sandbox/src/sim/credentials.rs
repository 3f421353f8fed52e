//! A member's credentials: its own credential GUIDs, and the login the test table reads.

use crate::sim::institutions::{self, Credential};
use crate::sim::member::Member;
use crate::sim::seed::Rng;

/// The member's own credential GUIDs: distinct from the institution's (§3.2), stable.
pub fn member_credential_guid(m: &Member, index: usize) -> String {
    Rng::derive(m.data.seed, &[20, index as u64]).guid("CRD")
}

/// The member's credential form: the institution's, under the member's own GUIDs.
pub fn member_credentials(m: &Member) -> Vec<Credential> {
    let form = if m.is_oauth {
        Vec::new()
    } else {
        institutions::credentials(m.institution.code).unwrap_or_default()
    };
    form.into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c.guid = member_credential_guid(m, i).into();
            c
        })
        .collect()
}

/// The username and password a login table reads: the first LOGIN and PASSWORD fields.
pub fn login_of(code: &str, values: &[(String, String)]) -> (String, String) {
    let form = institutions::credentials(code).unwrap_or_default();
    let value_of = |kind: &str| {
        form.iter()
            .find(|f| f.kind == kind)
            .and_then(|f| values.iter().find(|(g, _)| f.guid == g.as_str()))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    (value_of("LOGIN"), value_of("PASSWORD"))
}
