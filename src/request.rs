//! Building the requests the library sends through the relay: method, path and query.

use crate::error::AtriumError;
use crate::options::{check_guid, check_paging, ListInstitutionsOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One request, before the transport adds the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    pub method: Method,
    /// The Atrium path, for example `/users/USR-1`; the relay serves it under `/atrium`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
}

impl ApiRequest {
    fn get(path: String) -> Self {
        ApiRequest {
            method: Method::Get,
            path,
            query: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(v) = value {
            self.query.push((name, v.to_string()));
        }
        self
    }

    /// The full URL under `relay_url`.
    pub fn url(&self, relay_url: &str) -> String {
        let mut url = format!("{relay_url}/atrium{}", self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            encode_into(&mut url, v);
        }
        url
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        }
    }
}

/// `GET /session`: the relay token's own user.
pub fn read_session() -> ApiRequest {
    ApiRequest::get("/session".into())
}

/// `GET /users/{user_guid}`.
pub fn read_user(user_guid: &str) -> Result<ApiRequest, AtriumError> {
    check_guid(user_guid, "USR", "user_guid")?;
    Ok(ApiRequest::get(format!("/users/{user_guid}")))
}

/// `GET /institutions` with its filters.
pub fn list_institutions(o: &ListInstitutionsOptions) -> Result<ApiRequest, AtriumError> {
    check_paging(o.page, o.records_per_page)?;
    Ok(ApiRequest::get("/institutions".into())
        .with(
            "name",
            o.name.as_deref().map(str::trim).filter(|n| !n.is_empty()),
        )
        .with("page", o.page)
        .with("records_per_page", o.records_per_page)
        .with(
            "supports_account_identification",
            o.supports_account_identification,
        )
        .with("supports_account_statement", o.supports_account_statement)
        .with(
            "supports_account_verification",
            o.supports_account_verification,
        )
        .with(
            "supports_transaction_history",
            o.supports_transaction_history,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_encoded() {
        let o = ListInstitutionsOptions {
            name: Some(" MX & co/ä ".into()),
            page: Some(2),
            records_per_page: Some(10),
            supports_account_statement: Some(true),
            ..Default::default()
        };
        let url = list_institutions(&o).unwrap().url("http://r");
        assert_eq!(
            url,
            "http://r/atrium/institutions?name=MX%20%26%20co%2F%C3%A4&page=2&records_per_page=10&supports_account_statement=true"
        );
        assert_eq!(read_user("USR-1").unwrap().url(""), "/atrium/users/USR-1");
    }

    #[test]
    fn blank_names_are_not_sent_and_bad_input_is_refused() {
        let o = ListInstitutionsOptions {
            name: Some("  ".into()),
            ..Default::default()
        };
        assert!(list_institutions(&o).unwrap().query.is_empty());
        let o = ListInstitutionsOptions {
            page: Some(0),
            ..Default::default()
        };
        assert!(list_institutions(&o).is_err());
        assert!(read_user("USR-1/../../merchants").is_err());
    }
}
