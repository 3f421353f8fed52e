//! The options JavaScript passes in, read strictly: an unknown or misspelt field is an
//! `invalid_input` error, never silently ignored.

use serde::Deserialize;

use crate::error::AtriumError;

/// The largest `records_per_page` the library asks for.
pub const MAX_RECORDS_PER_PAGE: u32 = 1000;

/// `new AtriumClient({ relayUrl, token, userGuid? })`, as it arrives from JavaScript.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    pub relay_url: String,
    pub token: String,
    #[serde(default)]
    pub user_guid: Option<String>,
}

/// The options once checked: the relay URL without its trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    pub relay_url: String,
    pub token: String,
    pub user_guid: Option<String>,
}

impl ClientOptions {
    pub fn validate(self) -> Result<ClientConfig, AtriumError> {
        let relay_url = self.relay_url.trim().trim_end_matches('/').to_string();
        let absolute = relay_url.starts_with("https://") || relay_url.starts_with("http://");
        // "" means the page's own origin, for pages the relay itself serves.
        if !(absolute || relay_url.is_empty() || relay_url.starts_with('/')) {
            return Err(AtriumError::invalid(format!(
                "relayUrl must be an http(s) URL or a path on this origin, not {:?}.",
                self.relay_url
            )));
        }
        let token = self.token.trim().to_string();
        if token.is_empty() {
            return Err(AtriumError::invalid("token must be a non-empty string."));
        }
        if let Some(guid) = &self.user_guid {
            check_guid(guid, "USR", "userGuid")?;
        }
        Ok(ClientConfig {
            relay_url,
            token,
            user_guid: self.user_guid,
        })
    }
}

/// `listInstitutions({ name?, page?, records_per_page?, supports_*? })`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListInstitutionsOptions {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub records_per_page: Option<u32>,
    #[serde(default)]
    pub supports_account_identification: Option<bool>,
    #[serde(default)]
    pub supports_account_statement: Option<bool>,
    #[serde(default)]
    pub supports_account_verification: Option<bool>,
    #[serde(default)]
    pub supports_transaction_history: Option<bool>,
}

/// Checks `page` and `records_per_page` before they are sent.
pub fn check_paging(page: Option<u32>, records_per_page: Option<u32>) -> Result<(), AtriumError> {
    if page == Some(0) {
        return Err(AtriumError::invalid("page starts at 1."));
    }
    if let Some(n) = records_per_page {
        if n == 0 || n > MAX_RECORDS_PER_PAGE {
            return Err(AtriumError::invalid(format!(
                "records_per_page must be from 1 to {MAX_RECORDS_PER_PAGE}, not {n}."
            )));
        }
    }
    Ok(())
}

/// `PREFIX-` and then letters, digits and dashes, as every Atrium GUID is; checked before a
/// GUID goes into a path, so that no caller can steer a request elsewhere.
pub fn check_guid(guid: &str, prefix: &str, what: &str) -> Result<(), AtriumError> {
    let ok = guid
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
            "{what} must be a {prefix}- GUID, not {guid:?}."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(relay_url: &str, token: &str) -> ClientOptions {
        ClientOptions {
            relay_url: relay_url.into(),
            token: token.into(),
            user_guid: None,
        }
    }

    #[test]
    fn relay_urls() {
        assert_eq!(
            opts("http://127.0.0.1:8080/", "t")
                .validate()
                .unwrap()
                .relay_url,
            "http://127.0.0.1:8080"
        );
        assert_eq!(opts("", "t").validate().unwrap().relay_url, "");
        assert_eq!(opts("/relay/", "t").validate().unwrap().relay_url, "/relay");
        assert!(opts("ftp://x", "t").validate().is_err());
        assert!(opts("javascript:alert(1)", "t").validate().is_err());
        assert!(opts("http://x", "  ").validate().is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        let parsed: Result<ClientOptions, _> =
            serde_json::from_str(r#"{"relayURL": "http://x", "token": "t"}"#);
        assert!(parsed.is_err());
        let parsed: Result<ListInstitutionsOptions, _> = serde_json::from_str(r#"{"nmae": "mx"}"#);
        assert!(parsed.is_err());
    }

    #[test]
    fn guids_and_paging() {
        assert!(check_guid("USR-123-abc", "USR", "userGuid").is_ok());
        for bad in ["USR-", "USR-../x", "MBR-1", "USR-1?x=1", "USR-1/2"] {
            assert!(check_guid(bad, "USR", "userGuid").is_err(), "{bad}");
        }
        let mut o = opts("http://x", "t");
        o.user_guid = Some("USR-1%2F".into());
        assert_eq!(o.validate().unwrap_err().code().as_str(), "invalid_input");
        assert!(check_paging(Some(0), None).is_err());
        assert!(check_paging(None, Some(1001)).is_err());
        assert!(check_paging(Some(3), Some(1000)).is_ok());
    }
}
