//! Building the requests the library sends through the relay, one function per Atrium
//! endpoint: method, path, query and body, with every input checked first.

use serde::Serialize;

use crate::error::AtriumError;
use crate::ids::*;
use crate::options::*;

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

/// A request body; serialized as JSON by the transport.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Body {
    User { user: UpdateUser },
    CreateMember { member: CreateMember },
    UpdateMember { member: UpdateMember },
    Resume { member: ResumeAnswers },
    Widget(ConnectWidgetOptions),
    Cleanse { transactions: Vec<CleanseItem> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResumeAnswers {
    pub challenges: Vec<GuidValue>,
}

/// One request, before the transport adds the token.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    pub method: Method,
    /// The Atrium path, for example `/users/USR-1`; the relay serves it under `/atrium`.
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Body>,
    /// The statement PDF, which has its own `Accept` type.
    pub pdf: bool,
}

impl ApiRequest {
    fn new(method: Method, path: String) -> Self {
        ApiRequest {
            method,
            path,
            query: Vec::new(),
            body: None,
            pdf: false,
        }
    }

    fn get(path: String) -> Self {
        Self::new(Method::Get, path)
    }

    fn with(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(v) = value {
            self.query.push((name, v.to_string()));
        }
        self
    }

    fn paged(self, page: Option<u32>, per: Option<u32>) -> Result<Self, AtriumError> {
        check_paging(page, per)?;
        Ok(self.with("page", page).with("records_per_page", per))
    }

    fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }

    /// Only reads are retried: a repeated write could run a process twice or answer an MFA
    /// challenge again (Atrium documents no idempotency keys).
    pub fn idempotent(&self) -> bool {
        self.method == Method::Get
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

/// `/users/{user}`, the user GUID already checked by the client.
fn user_path(user: &UserGuid, rest: &str) -> String {
    format!("/users/{user}{rest}")
}

fn member_path(user: &UserGuid, member: &MemberGuid, rest: &str) -> String {
    format!("/users/{user}/members/{member}{rest}")
}

/// `GET /session`: the relay token's own user.
pub fn read_session() -> ApiRequest {
    ApiRequest::get("/session".into())
}

pub fn read_user(user: &UserGuid) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(user_path(user, "")))
}

pub fn update_user(user: &UserGuid, fields: UpdateUser) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::new(Method::Put, user_path(user, "")).body(Body::User { user: fields }))
}

pub fn list_institutions(o: &ListInstitutionsOptions) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get("/institutions".into())
        .with(
            "name",
            o.name.as_deref().map(str::trim).filter(|n| !n.is_empty()),
        )
        .paged(o.page, o.records_per_page)?
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

pub fn read_institution(code: &InstitutionCode) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(format!("/institutions/{code}")))
}

pub fn list_institution_credentials(code: &InstitutionCode) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(format!("/institutions/{code}/credentials")))
}

pub fn create_member(user: &UserGuid, m: CreateMember) -> Result<ApiRequest, AtriumError> {
    let oauth = m.is_oauth.unwrap_or(false);
    match &m.credentials {
        Some(_) => {}
        None if !oauth => {
            return Err(AtriumError::invalid(
                "credentials are required unless is_oauth is true.",
            ))
        }
        None => {}
    }
    Ok(ApiRequest::new(Method::Post, user_path(user, "/members"))
        .body(Body::CreateMember { member: m }))
}

pub fn list_members(user: &UserGuid, p: &Paging) -> Result<ApiRequest, AtriumError> {
    ApiRequest::get(user_path(user, "/members")).paged(p.page, p.records_per_page)
}

pub fn update_member(
    user: &UserGuid,
    member: &MemberGuid,
    m: UpdateMember,
) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::new(Method::Put, member_path(user, member, ""))
        .body(Body::UpdateMember { member: m }))
}

/// The reads of one member: no options, the member's path and a suffix.
macro_rules! member_reads {
    ($($name:ident $suffix:literal;)+) => {$(
        pub fn $name(user: &UserGuid, member: &MemberGuid) -> Result<ApiRequest, AtriumError> {
            Ok(ApiRequest::get(member_path(user, member, $suffix)))
        }
    )+};
}

member_reads! {
    read_member "";
    read_member_status "/status";
    list_member_challenges "/challenges";
    list_member_credentials "/credentials";
    list_account_owners "/account_owners";
}

pub fn delete_member(user: &UserGuid, member: &MemberGuid) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::new(
        Method::Delete,
        member_path(user, member, ""),
    ))
}

/// The member's aggregation-type processes (§7), by their endpoint's last segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    Aggregate,
    Balance,
    Verify,
    Identify,
    ExtendHistory,
    FetchStatements,
}

impl Process {
    pub const ALL: [Process; 6] = [
        Process::Aggregate,
        Process::Verify,
        Process::Identify,
        Process::ExtendHistory,
        Process::FetchStatements,
        Process::Balance,
    ];

    pub fn segment(self) -> &'static str {
        match self {
            Process::Aggregate => "aggregate",
            Process::Balance => "balance",
            Process::Verify => "verify",
            Process::Identify => "identify",
            Process::ExtendHistory => "extend_history",
            Process::FetchStatements => "fetch_statements",
        }
    }
}

pub fn start_process(
    user: &UserGuid,
    member: &MemberGuid,
    process: Process,
) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::new(
        Method::Post,
        member_path(user, member, &format!("/{}", process.segment())),
    ))
}

/// The relay's server-sent events of every member of the user (a relay route, not an
/// Atrium one): one stream serves all of a client's flows.
pub fn user_events(user: &UserGuid) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(user_path(user, "/events")))
}

pub fn resume_member(
    user: &UserGuid,
    member: &MemberGuid,
    answers: Vec<GuidValue>,
) -> Result<ApiRequest, AtriumError> {
    Ok(
        ApiRequest::new(Method::Put, member_path(user, member, "/resume")).body(Body::Resume {
            member: ResumeAnswers {
                challenges: answers,
            },
        }),
    )
}

pub fn read_oauth_window_uri(
    user: &UserGuid,
    member: &MemberGuid,
    o: &OAuthWindowOptions,
) -> Result<ApiRequest, AtriumError> {
    Ok(
        ApiRequest::get(member_path(user, member, "/oauth_window_uri"))
            .with(
                "referral_source",
                o.referral_source.map(ReferralSource::as_str),
            )
            .with(
                "ui_message_webview_url_scheme",
                o.ui_message_webview_url_scheme.as_ref(),
            )
            .with("skip_aggregation", o.skip_aggregation)
            .with("client_redirect_url", o.client_redirect_url.as_ref()),
    )
}

/// `listHoldings`: by account, by member or for the whole user.
pub fn list_holdings(user: &UserGuid, o: &ListByOwner) -> Result<ApiRequest, AtriumError> {
    let path = match (&o.member_guid, &o.account_guid) {
        (Some(_), Some(_)) => {
            return Err(AtriumError::invalid(
                "give member_guid or account_guid, not both.",
            ))
        }
        (Some(m), None) => member_path(user, m, "/holdings"),
        (None, Some(a)) => user_path(user, &format!("/accounts/{a}/holdings")),
        (None, None) => user_path(user, "/holdings"),
    };
    ApiRequest::get(path).paged(o.page, o.records_per_page)
}

/// `listAccounts`: by member or for the whole user.
pub fn list_accounts(user: &UserGuid, o: &ListAccounts) -> Result<ApiRequest, AtriumError> {
    let path = match &o.member_guid {
        Some(m) => member_path(user, m, "/accounts"),
        None => user_path(user, "/accounts"),
    };
    ApiRequest::get(path).paged(o.page, o.records_per_page)
}

pub fn read_account(user: &UserGuid, account: &AccountGuid) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(user_path(
        user,
        &format!("/accounts/{account}"),
    )))
}

pub fn list_account_numbers(
    user: &UserGuid,
    o: &ListAccountNumbers,
) -> Result<ApiRequest, AtriumError> {
    match (&o.member_guid, &o.account_guid) {
        (Some(m), None) => Ok(ApiRequest::get(member_path(user, m, "/account_numbers"))),
        (None, Some(a)) => Ok(ApiRequest::get(user_path(
            user,
            &format!("/accounts/{a}/account_numbers"),
        ))),
        _ => Err(AtriumError::invalid(
            "give exactly one of member_guid and account_guid.",
        )),
    }
}

/// One of the three transaction listings, by what the options name (§3.3–3.5).
pub fn list_transactions(user: &UserGuid, o: &ListTransactions) -> Result<ApiRequest, AtriumError> {
    let path = match (&o.account_guid, &o.member_guid) {
        (Some(_), Some(_)) => {
            return Err(AtriumError::invalid(
                "give account_guid or member_guid, not both.",
            ))
        }
        (Some(a), None) => user_path(user, &format!("/accounts/{a}/transactions")),
        (None, Some(m)) => member_path(user, m, "/transactions"),
        (None, None) => user_path(user, "/transactions"),
    };
    for (name, date) in [("from_date", &o.from_date), ("to_date", &o.to_date)] {
        if let Some(d) = date {
            check_date(d, name)?;
        }
    }
    ApiRequest::get(path)
        .with("from_date", o.from_date.as_ref())
        .with("to_date", o.to_date.as_ref())
        .paged(o.page, o.records_per_page)
}

pub fn read_transaction(
    user: &UserGuid,
    transaction: &TransactionGuid,
) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(user_path(
        user,
        &format!("/transactions/{transaction}"),
    )))
}

pub fn read_holding(user: &UserGuid, holding: &HoldingGuid) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(user_path(
        user,
        &format!("/holdings/{holding}"),
    )))
}

pub fn list_statements(user: &UserGuid, o: &ListStatements) -> Result<ApiRequest, AtriumError> {
    ApiRequest::get(member_path(user, &o.member_guid, "/statements"))
        .paged(o.page, o.records_per_page)
}

pub fn read_statement(
    user: &UserGuid,
    member: &MemberGuid,
    statement: &StatementGuid,
    pdf: bool,
) -> Result<ApiRequest, AtriumError> {
    let suffix = if pdf { ".pdf" } else { "" };
    let mut r = ApiRequest::get(member_path(
        user,
        member,
        &format!("/statements/{statement}{suffix}"),
    ));
    r.pdf = pdf;
    Ok(r)
}

pub fn list_merchants(p: &Paging) -> Result<ApiRequest, AtriumError> {
    ApiRequest::get("/merchants".into()).paged(p.page, p.records_per_page)
}

pub fn read_merchant(merchant: &MerchantGuid) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(format!("/merchants/{merchant}")))
}

pub fn list_merchant_locations(o: &ListMerchantLocations) -> Result<ApiRequest, AtriumError> {
    ApiRequest::get(format!("/merchants/{}/merchant_locations", o.merchant_guid))
        .paged(o.page, o.records_per_page)
}

pub fn read_merchant_location(
    merchant: &MerchantGuid,
    location: &MerchantLocationGuid,
) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::get(format!(
        "/merchants/{merchant}/merchant_locations/{location}"
    )))
}

pub fn get_connect_widget(
    user: &UserGuid,
    o: ConnectWidgetOptions,
) -> Result<ApiRequest, AtriumError> {
    Ok(ApiRequest::new(Method::Post, user_path(user, "/connect_widget_url")).body(Body::Widget(o)))
}

/// At most 100 per request (§1.8).
pub const MAX_CLEANSE: usize = 100;

pub fn cleanse_and_categorize(items: Vec<CleanseItem>) -> Result<ApiRequest, AtriumError> {
    if items.is_empty() || items.len() > MAX_CLEANSE {
        return Err(AtriumError::invalid(format!(
            "cleanseAndCategorize takes 1 to {MAX_CLEANSE} transactions."
        )));
    }
    Ok(
        ApiRequest::new(Method::Post, "/transactions/cleanse_and_categorize".into()).body(
            Body::Cleanse {
                transactions: items,
            },
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserGuid {
        "USR-1".into()
    }

    #[test]
    fn urls_are_encoded() {
        let o = ListInstitutionsOptions {
            name: Some(" MX & co/ä ".into()),
            page: Some(2),
            records_per_page: Some(10),
            supports_account_statement: Some(true),
            ..Default::default()
        };
        assert_eq!(
            list_institutions(&o).unwrap().url("http://r"),
            "http://r/atrium/institutions?name=MX%20%26%20co%2F%C3%A4&page=2&records_per_page=10&supports_account_statement=true"
        );
        assert_eq!(read_user(&user()).unwrap().url(""), "/atrium/users/USR-1");
    }

    #[test]
    fn transactions_choose_their_endpoint() {
        let t = |a: Option<&str>, m: Option<&str>| ListTransactions {
            account_guid: a.map(Into::into),
            member_guid: m.map(Into::into),
            from_date: Some("2024-01-01".into()),
            ..Default::default()
        };
        assert_eq!(
            list_transactions(&user(), &t(None, None)).unwrap().path,
            "/users/USR-1/transactions"
        );
        assert_eq!(
            list_transactions(&user(), &t(Some("ACT-1"), None))
                .unwrap()
                .path,
            "/users/USR-1/accounts/ACT-1/transactions"
        );
        assert_eq!(
            list_transactions(&user(), &t(None, Some("MBR-1")))
                .unwrap()
                .path,
            "/users/USR-1/members/MBR-1/transactions"
        );
        assert!(list_transactions(&user(), &t(Some("ACT-1"), Some("MBR-1"))).is_err());
        let bad = ListTransactions {
            to_date: Some("2024-01-01T00:00:00Z".into()),
            ..Default::default()
        };
        assert_eq!(
            list_transactions(&user(), &bad)
                .unwrap_err()
                .code()
                .as_str(),
            "invalid_input"
        );
    }

    #[test]
    fn processes_and_bodies() {
        let r = start_process(&user(), &"MBR-1".into(), Process::ExtendHistory).unwrap();
        assert_eq!(
            (r.method, r.path.as_str()),
            (Method::Post, "/users/USR-1/members/MBR-1/extend_history")
        );
        assert!(!r.idempotent());
        let r = resume_member(
            &user(),
            &"MBR-1".into(),
            vec![GuidValue {
                guid: "CRD-1".into(),
                value: "correct".into(),
            }],
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(r.body.unwrap()).unwrap(),
            serde_json::json!({"member": {"challenges": [{"guid": "CRD-1", "value": "correct"}]}})
        );
        let m = CreateMember::new("mxbank".into());
        assert!(
            create_member(&user(), m.clone()).is_err(),
            "credentials or OAuth"
        );
        let r = create_member(
            &user(),
            CreateMember {
                is_oauth: Some(true),
                ..m
            },
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(r.body.unwrap()).unwrap(),
            serde_json::json!({"member": {"institution_code": "mxbank", "is_oauth": true}})
        );
        let w = get_connect_widget(&user(), ConnectWidgetOptions::default()).unwrap();
        assert_eq!(
            serde_json::to_value(w.body.unwrap()).unwrap(),
            serde_json::json!({}),
            "sent unwrapped"
        );
    }

    #[test]
    fn owners_and_statements() {
        let holdings = |m: Option<&str>, a: Option<&str>| ListByOwner {
            member_guid: m.map(Into::into),
            account_guid: a.map(Into::into),
            ..Default::default()
        };
        let accounts = ListAccounts {
            member_guid: Some("MBR-1".into()),
            ..Default::default()
        };
        assert_eq!(
            list_accounts(&user(), &accounts).unwrap().path,
            "/users/USR-1/members/MBR-1/accounts"
        );
        assert_eq!(
            list_holdings(&user(), &holdings(None, Some("ACT-1")))
                .unwrap()
                .path,
            "/users/USR-1/accounts/ACT-1/holdings"
        );
        assert!(list_holdings(&user(), &holdings(Some("MBR-1"), Some("ACT-1"))).is_err());
        let numbers = |m: Option<&str>, a: Option<&str>| ListAccountNumbers {
            member_guid: m.map(Into::into),
            account_guid: a.map(Into::into),
        };
        assert!(list_account_numbers(&user(), &numbers(None, None)).is_err());
        assert_eq!(
            list_account_numbers(&user(), &numbers(None, Some("ACT-2")))
                .unwrap()
                .path,
            "/users/USR-1/accounts/ACT-2/account_numbers"
        );
        let pdf = read_statement(&user(), &"MBR-1".into(), &"STA-9".into(), true).unwrap();
        assert!(pdf.pdf && pdf.path.ends_with("/statements/STA-9.pdf"));
        assert!(cleanse_and_categorize(Vec::new()).is_err());
    }
}
