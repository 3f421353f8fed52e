//! OAuth completion (`shared/atrium-api.md` §11): what the window's messages and the redirect
//! back to the app say, read once into types, and why an OAuth window ended without a
//! connection.

use crate::error::{AtriumError, Quoted};
use crate::ids::MemberGuid;

/// Why an OAuth window ended without a connection: MX's `error_reason`s, and `CLOSED` (ours:
/// the end user closed the window before it said anything).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthReason {
    Closed,
    Cancelled,
    Denied,
    Impeded,
    ProviderError,
    ServerError,
    /// A reason Atrium added later (or the session one our copy of the docs cuts off).
    Other(String),
}

impl OAuthReason {
    pub const KNOWN: [OAuthReason; 6] = [
        OAuthReason::Closed,
        OAuthReason::Cancelled,
        OAuthReason::Denied,
        OAuthReason::Impeded,
        OAuthReason::ProviderError,
        OAuthReason::ServerError,
    ];

    pub fn parse(text: &str) -> Self {
        match text {
            "CLOSED" => OAuthReason::Closed,
            "CANCELLED" => OAuthReason::Cancelled,
            "DENIED" => OAuthReason::Denied,
            "IMPEDED" => OAuthReason::Impeded,
            "PROVIDER_ERROR" => OAuthReason::ProviderError,
            "SERVER_ERROR" => OAuthReason::ServerError,
            other => OAuthReason::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            OAuthReason::Closed => "CLOSED",
            OAuthReason::Cancelled => "CANCELLED",
            OAuthReason::Denied => "DENIED",
            OAuthReason::Impeded => "IMPEDED",
            OAuthReason::ProviderError => "PROVIDER_ERROR",
            OAuthReason::ServerError => "SERVER_ERROR",
            OAuthReason::Other(s) => s,
        }
    }
}

/// How the window said it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthEnd {
    Success,
    Error(OAuthReason),
}

/// The window's word on one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthReturn {
    pub member_guid: MemberGuid,
    pub end: OAuthEnd,
}

/// A message event as the face found it: its origin and the fields of its data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthMessage {
    pub origin: String,
    /// `data.type`: `oauthComplete/success` or `oauthComplete/error`.
    pub kind: Option<String>,
    /// `data.metadata.member_guid`.
    pub member_guid: Option<String>,
    /// `data.metadata.error_reason`.
    pub error_reason: Option<String>,
}

/// The origin (`scheme://host[:port]`) of an absolute URL, lower-cased; `None` if it has none.
pub fn origin_of(url: &str) -> Option<String> {
    // Bytes, not `find("://")`: a string pattern's searcher slices `str`, which links its
    // panic formatting into the .wasm.
    let at = url.as_bytes().windows(3).position(|w| w == b"://")?;
    let (scheme, rest) = (url.get(..at)?, url.get(at + 3..)?);
    let authority = rest.get(..rest.find(['/', '?', '#']).unwrap_or(rest.len()))?;
    if scheme.is_empty() || authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{authority}").to_ascii_lowercase())
}

impl OAuthMessage {
    /// What the message says, if it is a completion message from `expected_origin` about
    /// `member`; any other message (another origin, another member, another kind, a page's
    /// own chatter) is `None` and must be ignored.
    pub fn read(&self, expected_origin: &str, member: &MemberGuid) -> Option<OAuthEnd> {
        if !self.origin.eq_ignore_ascii_case(expected_origin) {
            return None;
        }
        if self.member_guid.as_deref() != Some(member.as_str()) {
            return None;
        }
        match self.kind.as_deref()? {
            "oauthComplete/success" => Some(OAuthEnd::Success),
            "oauthComplete/error" => Some(OAuthEnd::Error(OAuthReason::parse(
                self.error_reason.as_deref().unwrap_or("SERVER_ERROR"),
            ))),
            _ => None,
        }
    }
}

/// Reads the query MX appends to `client_redirect_url` (the sandbox's choice of names, as MX
/// leaves them undocumented: `status=success|error`, `member_guid`, `error_reason`).
pub fn redirect_return(url: &str) -> Result<OAuthReturn, AtriumError> {
    let query = url
        .split_once('?')
        .map(|(_, q)| q.split('#').next().unwrap_or(""))
        .unwrap_or("");
    let mut status = None;
    let mut member = None;
    let mut reason = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decoded(value)?;
        match key {
            "status" => status = Some(value),
            "member_guid" => member = Some(value),
            "error_reason" => reason = Some(value),
            _ => {}
        }
    }
    let member = member.ok_or_else(|| {
        AtriumError::invalid("the URL carries no member_guid: it is not an OAuth redirect.")
    })?;
    let member_guid = MemberGuid::parse(&member).map_err(|_| {
        AtriumError::invalid(format!(
            "member_guid {} is not a member GUID.",
            Quoted(&member)
        ))
    })?;
    let end = match status.as_deref() {
        Some("success") => OAuthEnd::Success,
        Some("error") => OAuthEnd::Error(OAuthReason::parse(
            reason.as_deref().unwrap_or("SERVER_ERROR"),
        )),
        other => {
            return Err(AtriumError::invalid(format!(
                "status {} of the OAuth redirect is neither success nor error.",
                Quoted(other.unwrap_or(""))
            )))
        }
    };
    Ok(OAuthReturn { member_guid, end })
}

/// `%XX` and `+` decoded; the values read here are GUIDs and upper-case words, so a
/// hand-written decoder of a few lines serves instead of a URL crate in the wasm bundle.
fn percent_decoded(value: &str) -> Result<String, AtriumError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = value
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| AtriumError::invalid("the redirect's query is malformed."))?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| AtriumError::invalid("the redirect's query is not UTF-8."))
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: &str = "MBR-7c6f361b-e582-15b6-60c0-358f12466b4b";

    fn member() -> MemberGuid {
        MemberGuid::parse(M).unwrap()
    }

    fn message(origin: &str, kind: &str, guid: &str, reason: Option<&str>) -> OAuthMessage {
        OAuthMessage {
            origin: origin.into(),
            kind: Some(kind.into()),
            member_guid: Some(guid.into()),
            error_reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn a_message_counts_only_from_the_expected_origin_and_about_the_member() {
        let bank = "http://127.0.0.1:9001";
        let ok = message(bank, "oauthComplete/success", M, None);
        assert_eq!(ok.read(bank, &member()), Some(OAuthEnd::Success));
        assert_eq!(ok.read("http://127.0.0.1:9002", &member()), None);
        let evil = message("https://evil.example", "oauthComplete/success", M, None);
        assert_eq!(evil.read(bank, &member()), None);
        let other = message(bank, "oauthComplete/success", "MBR-other", None);
        assert_eq!(other.read(bank, &member()), None);
        let chatter = message(bank, "something/else", M, None);
        assert_eq!(chatter.read(bank, &member()), None);
        let denied = message(bank, "oauthComplete/error", M, Some("DENIED"));
        assert_eq!(
            denied.read(bank, &member()),
            Some(OAuthEnd::Error(OAuthReason::Denied))
        );
        let new = message(bank, "oauthComplete/error", M, Some("SESSION_X"));
        assert_eq!(
            new.read(bank, &member()),
            Some(OAuthEnd::Error(OAuthReason::Other("SESSION_X".into())))
        );
    }

    #[test]
    fn origins_are_scheme_and_authority() {
        assert_eq!(
            origin_of("https://Bank.example:8443/oauth/x?token=1").as_deref(),
            Some("https://bank.example:8443")
        );
        assert_eq!(origin_of("/relative"), None);
        assert_eq!(origin_of("https://user@host/"), None);
    }

    #[test]
    fn a_redirect_is_read_or_refused_clearly() {
        let ok = redirect_return(&format!(
            "https://app.example/connect?status=success&member_guid={M}#x"
        ))
        .unwrap();
        assert_eq!(ok.member_guid, member());
        assert_eq!(ok.end, OAuthEnd::Success);
        let err = redirect_return(&format!(
            "https://app.example/?member_guid={M}&status=error&error_reason=PROVIDER%5FERROR"
        ))
        .unwrap();
        assert_eq!(err.end, OAuthEnd::Error(OAuthReason::ProviderError));
        for bad in [
            "https://app.example/",
            "https://app.example/?status=success",
            "https://app.example/?status=success&member_guid=USR-1",
            &format!("https://app.example/?status=maybe&member_guid={M}"),
            &format!("https://app.example/?status=success&member_guid={M}%ZZ"),
        ] {
            let e = redirect_return(bad).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput, "{bad}");
        }
    }
}
