//! The options JavaScript passes in, read strictly: an unknown or misspelt field, a wrong
//! type or a malformed GUID or date is an `invalid_input` error naming the field, and
//! nothing is sent.

use serde::{Deserialize, Serialize};

use crate::error::{AtriumError, Quoted};
use crate::from_tree_by_fields;
use crate::ids::{
    AccountGuid, CredentialGuid, InstitutionCode, MemberGuid, MerchantGuid, UserGuid,
};
use crate::reader::{field_or, object, FromTree, ReadError, Tree, Unknown};

/// The largest `records_per_page` the library asks for.
pub const MAX_RECORDS_PER_PAGE: u32 = 1000;

/// `retry` of `new AtriumClient(...)`: reads (GET) on `network`, `timeout`, 429, 502–504
/// (and writes refused untaken, 429); full-jitter backoff, `Retry-After` honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct RetryOptions {
    #[serde(default = "RetryOptions::default_retries")]
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>"))]
    pub retries: u32,
    #[serde(default = "RetryOptions::default_base")]
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>"))]
    pub base_delay_ms: u32,
    #[serde(default = "RetryOptions::default_max")]
    #[cfg_attr(feature = "ts", ts(as = "Option<u32>"))]
    pub max_delay_ms: u32,
}

impl RetryOptions {
    fn default_retries() -> u32 {
        2
    }
    fn default_base() -> u32 {
        250
    }
    fn default_max() -> u32 {
        4000
    }
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            retries: 2,
            base_delay_ms: 250,
            max_delay_ms: 4000,
        }
    }
}

impl FromTree for RetryOptions {
    fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
        let names = crate::fields::field_names::<RetryOptions>();
        object(&tree, "struct RetryOptions", names, Unknown::Refused)?;
        // Absent fields take serde's defaults; the names are serde's, in declaration order.
        let mut names = names.iter().copied();
        let mut read =
            |default: fn() -> u32| field_or(&tree, names.next().unwrap_or_default(), default);
        Ok(RetryOptions {
            retries: read(RetryOptions::default_retries)?,
            base_delay_ms: read(RetryOptions::default_base)?,
            max_delay_ms: read(RetryOptions::default_max)?,
        })
    }
}

/// `new AtriumClient({ relayUrl, token, userGuid?, timeoutMs?, retry? })` but `token` (a
/// string or a function), which the JavaScript layer reads itself.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientOptions {
    pub relay_url: String,
    pub user_guid: Option<UserGuid>,
    pub timeout_ms: Option<u32>,
    pub retry: Option<RetryOptions>,
    /// Where OAuth windows' completion messages come from, when not the window URI's origin.
    pub oauth_origin: Option<String>,
}

from_tree_by_fields!(strict ClientOptions { relay_url, user_guid, timeout_ms, retry, oauth_origin });

/// The options once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Without its trailing slash.
    pub relay_url: String,
    pub user_guid: Option<UserGuid>,
    pub timeout_ms: u32,
    pub retry: RetryOptions,
    /// An origin, `scheme://host[:port]`, lower-case.
    pub oauth_origin: Option<String>,
}

pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

impl ClientOptions {
    pub fn validate(self) -> Result<ClientConfig, AtriumError> {
        let relay_url = self.relay_url.trim().trim_end_matches('/').to_string();
        let absolute = relay_url.starts_with("https://") || relay_url.starts_with("http://");
        // "" means the page's own origin, for pages the relay itself serves.
        if !(absolute || relay_url.is_empty() || relay_url.starts_with('/')) {
            return Err(AtriumError::invalid(format!(
                "relayUrl must be an http(s) URL or a path on this origin, not {}.",
                Quoted(&self.relay_url)
            )));
        }
        let timeout_ms = self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
        if timeout_ms == 0 {
            return Err(AtriumError::invalid("timeoutMs must be at least 1."));
        }
        let retry = self.retry.unwrap_or_default();
        if retry.retries > 10
            || retry.base_delay_ms == 0
            || retry.max_delay_ms < retry.base_delay_ms
        {
            return Err(AtriumError::invalid(
                "retry: retries at most 10, baseDelayMs at least 1, maxDelayMs at least baseDelayMs.",
            ));
        }
        let oauth_origin = match self.oauth_origin {
            Some(o) => match crate::oauth::origin_of(&o) {
                Some(origin) if origin.eq_ignore_ascii_case(o.trim_end_matches('/')) => {
                    Some(origin)
                }
                _ => {
                    return Err(AtriumError::invalid(format!(
                        "oauthOrigin must be an origin such as https://bank.example, not {}.",
                        Quoted(&o)
                    )))
                }
            },
            None => None,
        };
        Ok(ClientConfig {
            relay_url,
            user_guid: self.user_guid,
            timeout_ms,
            retry,
            oauth_origin,
        })
    }
}

/// Options read from JavaScript into a query: strict (an unknown or misspelt key is an error),
/// each `Option` field optional in TypeScript.
macro_rules! query_options {
    ($($(#[$doc:meta])* $name:ident as $ts:literal [$($extra:ident),*] {
        $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)+
    })+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Deserialize $(, $extra)*)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields, rename = $ts))]
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)+
        }

        crate::from_tree_by_fields!(strict $name { $($field),+ });
    )+};
}

query_options! {
    /// `page` and `records_per_page`.
    Paging as "PagingOptions" [Copy, Default] {
        pub page: Option<u32>,
        pub records_per_page: Option<u32>,
    }
}

/// A relay token as the page gave it, trimmed; `None` when empty or when it holds anything
/// but visible ASCII, which no `Authorization` header can carry (fetch would refuse it as a
/// network failure, and retries would follow).
pub fn bearer_token(text: &str) -> Option<String> {
    let t = text.trim();
    let fits = !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic());
    fits.then(|| t.to_string())
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

/// A date as `YYYY-MM-DD`, with no time part (§1.5).
pub fn check_date(date: &str, what: &str) -> Result<(), AtriumError> {
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && {
            let number = |r| date.get(r).and_then(|s: &str| s.parse::<u32>().ok());
            let (m, d) = (number(5..7).unwrap_or(0), number(8..10).unwrap_or(0));
            (1..=12).contains(&m) && (1..=31).contains(&d)
        };
    if ok {
        Ok(())
    } else {
        Err(AtriumError::invalid(format!(
            "{what} must be a date as YYYY-MM-DD, not {}.",
            Quoted(date)
        )))
    }
}

/// Defines an enumeration of wire names (serde and TypeScript alike): a value outside it is
/// refused where it is read, naming the field.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $(#[cfg_attr(feature = "ts", ts(rename = $text))] $variant,)*
        }

        impl $name {
            const ALL: &'static [($name, &'static str)] = &[$(($name::$variant, $text),)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        // By hand: a derived enum visitor costs the .wasm far more than a string and a search.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                wire_name(&String::deserialize(d)?, $name::ALL).map_err(serde::de::Error::custom)
            }
        }

        impl FromTree for $name {
            fn from_tree<V: Tree>(tree: V) -> Result<Self, ReadError> {
                wire_name(&String::from_tree(tree)?, $name::ALL).map_err(ReadError::new)
            }
        }
    };
}

/// The value whose wire name `text` is, or the error that lists the names.
fn wire_name<T: Copy>(text: &str, all: &[(T, &'static str)]) -> Result<T, String> {
    all.iter()
        .find(|(_, n)| *n == text)
        .map(|(v, _)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|(_, n)| *n).collect();
            format!("expected one of {}, not {}", names.join(", "), Quoted(text))
        })
}

wire_enum!(
    /// Where the end user is: a browser, or a native app (the OAuth window returns to it).
    ReferralSource { Browser = "BROWSER", App = "APP" }
);
wire_enum!(ColorScheme { Light = "light", Dark = "dark" });
wire_enum!(WidgetMode { Aggregation = "aggregation", Verification = "verification" });
wire_enum!(TransactionType { Credit = "CREDIT", Debit = "DEBIT" });

query_options! {
    /// `listInstitutions({ name?, page?, records_per_page?, supports_*? })`.
    ListInstitutionsOptions as "ListInstitutionsOptions" [Default] {
        /// A case-insensitive part of the institution's name.
        pub name: Option<String>,
        pub page: Option<u32>,
        pub records_per_page: Option<u32>,
        pub supports_account_identification: Option<bool>,
        pub supports_account_statement: Option<bool>,
        pub supports_account_verification: Option<bool>,
        pub supports_transaction_history: Option<bool>,
    }
}

/// What a request body leaves out: an absent option is not sent (rather than sent as
/// `null`, which an API may read as "clear this").
pub trait Absent {
    fn absent(&self) -> bool {
        false
    }
}

impl<T> Absent for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }
}

impl Absent for String {}
impl Absent for InstitutionCode {}
impl<K> Absent for crate::ids::Guid<K> {}

fn absent<T: Absent>(value: &T) -> bool {
    value.absent()
}

/// Options read from JavaScript that go into a request's body: strict, each `Option` field
/// optional in TypeScript and left out of the body when absent.
macro_rules! body_options {
    ($($(#[$doc:meta])* $name:ident as $ts:literal [$($extra:ident),*] {
        $($(#[$field_meta:meta])* pub $field:ident: $ty:ty,)+
    })+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize $(, $extra)*)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields, rename = $ts))]
        pub struct $name {
            $($(#[$field_meta])* #[serde(skip_serializing_if = "absent")] pub $field: $ty,)+
        }

        crate::from_tree_by_fields!(strict $name { $($field),+ });
    )+};
}

body_options! {
    /// A credential value or an MFA answer: `{ guid, value }`.
    GuidValue as "Answer" [Eq] {
        pub guid: CredentialGuid,
        pub value: String,
    }

    /// `createMember({...})`: MemberCreateRequest.
    CreateMember as "CreateMemberOptions" [Eq] {
        pub institution_code: InstitutionCode,
        /// Required unless `is_oauth`.
        pub credentials: Option<Vec<GuidValue>>,
        pub identifier: Option<String>,
        pub metadata: Option<String>,
        pub skip_aggregation: Option<bool>,
        pub is_oauth: Option<bool>,
        pub referral_source: Option<ReferralSource>,
        pub ui_message_webview_url_scheme: Option<String>,
        pub client_redirect_url: Option<String>,
    }
}

impl CreateMember {
    /// A member of `institution_code` with nothing else set.
    pub fn new(institution_code: InstitutionCode) -> Self {
        CreateMember {
            institution_code,
            credentials: None,
            identifier: None,
            metadata: None,
            skip_aggregation: None,
            is_oauth: None,
            referral_source: None,
            ui_message_webview_url_scheme: None,
            client_redirect_url: None,
        }
    }
}

body_options! {
    /// `updateMember(guid, {...})`: MemberUpdateRequest.
    UpdateMember as "UpdateMemberOptions" [Default, Eq] {
        pub credentials: Option<Vec<GuidValue>>,
        pub identifier: Option<String>,
        pub metadata: Option<String>,
        pub background_aggregation_is_disabled: Option<bool>,
    }

    /// `updateUser({ metadata })`: the one field of a user a browser may change.
    UpdateUser as "UpdateUserOptions" [Eq] {
        pub metadata: String,
    }

    /// `listAccounts({ member_guid?, page?, records_per_page? })`: optionally one member's.
    ListAccounts as "ListAccountsOptions" [Default] {
        pub member_guid: Option<MemberGuid>,
        pub page: Option<u32>,
        pub records_per_page: Option<u32>,
    }
}

/// `listAccountNumbers({ member_guid } | { account_guid })`: exactly one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(
        rename = "ListAccountNumbersOptions",
        type = "{ member_guid: string } | { account_guid: string }"
    )
)]
pub struct ListAccountNumbers {
    pub member_guid: Option<MemberGuid>,
    pub account_guid: Option<AccountGuid>,
}

from_tree_by_fields!(strict ListAccountNumbers { member_guid, account_guid });

query_options! {
    /// `listHoldings`: optionally one member's or one account's.
    ListByOwner as "ListHoldingsOptions" [Default] {
        pub member_guid: Option<MemberGuid>,
        pub account_guid: Option<AccountGuid>,
        pub page: Option<u32>,
        pub records_per_page: Option<u32>,
    }

    /// `listTransactions({ account_guid?, member_guid?, from_date?, to_date?, page?, records_per_page? })`.
    ListTransactions as "ListTransactionsOptions" [Default] {
        /// One account's transactions; or
        pub account_guid: Option<AccountGuid>,
        /// one member's; neither: the user's.
        pub member_guid: Option<MemberGuid>,
        /// `YYYY-MM-DD`; Atrium's default is 90 days back.
        pub from_date: Option<String>,
        /// `YYYY-MM-DD`; Atrium's default is 5 days ahead.
        pub to_date: Option<String>,
        pub page: Option<u32>,
        pub records_per_page: Option<u32>,
    }

    /// `listStatements({ member_guid, page?, records_per_page? })`.
    ListStatements as "ListStatementsOptions" [] {
        pub member_guid: MemberGuid,
        pub page: Option<u32>,
        pub records_per_page: Option<u32>,
    }

    /// `listMerchantLocations({ merchant_guid, page?, records_per_page? })`.
    ListMerchantLocations as "ListMerchantLocationsOptions" [] {
        pub merchant_guid: MerchantGuid,
        pub page: Option<u32>,
        pub records_per_page: Option<u32>,
    }

    /// `readOAuthWindowUri(guid, {...})`.
    OAuthWindowOptions as "OAuthWindowOptions" [Default] {
        pub referral_source: Option<ReferralSource>,
        pub ui_message_webview_url_scheme: Option<String>,
        pub skip_aggregation: Option<bool>,
        pub client_redirect_url: Option<String>,
    }
}

body_options! {
    /// `getConnectWidget({...})`: ConnectWidgetRequestBody, sent unwrapped.
    ConnectWidgetOptions as "ConnectWidgetOptions" [Default] {
        pub is_mobile_webview: Option<bool>,
        pub ui_message_webview_url_scheme: Option<String>,
        pub color_scheme: Option<ColorScheme>,
        pub mode: Option<WidgetMode>,
        pub current_institution_code: Option<InstitutionCode>,
        pub current_member_guid: Option<MemberGuid>,
        pub disable_institution_search: Option<bool>,
        pub include_transactions: Option<bool>,
        pub update_credentials: Option<bool>,
        pub ui_message_version: Option<f64>,
        pub wait_for_full_aggregation: Option<bool>,
    }

    /// One transaction of `cleanseAndCategorize([...])`.
    CleanseItem as "CleanseItem" [] {
        pub identifier: String,
        pub description: String,
        pub amount: Option<f64>,
        #[serde(rename = "type")]
        pub kind: Option<TransactionType>,
        pub merchant_category_code: Option<f64>,
    }
}

/// The options every flow takes (`signal` aside, which the JavaScript layer reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(optional_fields, rename = "FlowSettings")
)]
pub struct FlowInput {
    /// The whole flow's limit, then `timed_out`. Default 10 minutes.
    pub timeout_ms: Option<u32>,
    /// On a 409 (another kind of process runs), wait for it to end, then start.
    pub wait_if_busy: Option<bool>,
    /// After a standard aggregation: `verify`, `identify`, `extend_history`,
    /// `fetch_statements`, `balance`, in order (`aggregate` only).
    #[cfg_attr(feature = "ts", ts(skip))]
    pub then: Option<Vec<String>>,
}

from_tree_by_fields!(strict FlowInput { timeout_ms, wait_if_busy, then });

impl FlowInput {
    pub fn validate(self, allow_then: bool) -> Result<crate::flow::FlowOptions, AtriumError> {
        let mut options = crate::flow::FlowOptions {
            wait_if_busy: self.wait_if_busy.unwrap_or(false),
            ..Default::default()
        };
        if let Some(ms) = self.timeout_ms {
            if ms == 0 {
                return Err(AtriumError::invalid("timeoutMs must be at least 1."));
            }
            options.timeout_ms = u64::from(ms);
        }
        if let Some(then) = self.then {
            if !allow_then {
                return Err(AtriumError::invalid(
                    "then is an option of aggregate() only.",
                ));
            }
            options.then = then
                .iter()
                .enumerate()
                .map(|(i, p)| process_named(p, &format!("then[{i}]")))
                .collect::<Result<_, _>>()?;
        }
        Ok(options)
    }
}

/// A premium or balance process by its endpoint's name.
pub fn process_named(name: &str, what: &str) -> Result<crate::request::Process, AtriumError> {
    use crate::request::Process;
    Ok(match name {
        "verify" => Process::Verify,
        "identify" => Process::Identify,
        "extend_history" => Process::ExtendHistory,
        "fetch_statements" => Process::FetchStatements,
        "balance" => Process::Balance,
        "aggregate" => Process::Aggregate,
        _ => {
            return Err(AtriumError::invalid(format!(
                "{what} must be one of verify, identify, extend_history, fetch_statements, balance, aggregate; not {}.", Quoted(name)
            )))
        }
    })
}

#[cfg(test)]
mod flow_input_tests {
    use super::*;

    #[test]
    fn flow_options() {
        let o: FlowInput = serde_json::from_str(
            r#"{"waitIfBusy": true, "then": ["verify", "identify"], "timeoutMs": 5000}"#,
        )
        .unwrap();
        let o = o.validate(true).unwrap();
        assert!(o.wait_if_busy);
        assert_eq!(o.then.len(), 2);
        assert_eq!(o.timeout_ms, 5000);
        let bad: FlowInput = serde_json::from_str(r#"{"then": ["everything"]}"#).unwrap();
        assert!(bad.clone().validate(true).is_err());
        assert!(FlowInput {
            then: Some(vec![]),
            ..Default::default()
        }
        .validate(false)
        .is_err());
        assert!(serde_json::from_str::<FlowInput>(r#"{"waitifbusy": true}"#).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(relay_url: &str) -> ClientOptions {
        ClientOptions {
            relay_url: relay_url.into(),
            user_guid: None,
            timeout_ms: None,
            retry: None,
            oauth_origin: None,
        }
    }

    #[test]
    fn tokens_must_fit_an_authorization_header() {
        assert_eq!(
            bearer_token("  eyJ.a-b_c~d+e/f=  ").as_deref(),
            Some("eyJ.a-b_c~d+e/f=")
        );
        for bad in [
            "",
            "   ",
            "two words",
            "line\nbreak",
            "tok\u{20ac}n",
            "tab\there",
        ] {
            assert_eq!(bearer_token(bad), None, "{bad:?}");
        }
    }
    #[test]
    fn oauth_origins_are_origins() {
        let with = |o: &str| ClientOptions {
            oauth_origin: Some(o.into()),
            ..opts("")
        };
        assert_eq!(
            with("https://Widgets.example/")
                .validate()
                .unwrap()
                .oauth_origin
                .as_deref(),
            Some("https://widgets.example")
        );
        for bad in ["widgets.example", "https://w.example/path", "*"] {
            assert!(with(bad).validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn relay_urls() {
        assert_eq!(
            opts("http://127.0.0.1:8080/").validate().unwrap().relay_url,
            "http://127.0.0.1:8080"
        );
        assert_eq!(opts("").validate().unwrap().relay_url, "");
        assert_eq!(opts("/relay/").validate().unwrap().relay_url, "/relay");
        assert!(opts("ftp://x").validate().is_err());
        assert!(opts("javascript:alert(1)").validate().is_err());
    }

    #[test]
    fn client_options() {
        let c = opts("http://x").validate().unwrap();
        assert_eq!(
            (c.timeout_ms, c.retry),
            (DEFAULT_TIMEOUT_MS, RetryOptions::default())
        );
        let parsed: ClientOptions =
            serde_json::from_str(r#"{"relayUrl": "http://x", "retry": {"retries": 0}}"#).unwrap();
        assert_eq!(parsed.validate().unwrap().retry.retries, 0);
        let bad: ClientOptions = serde_json::from_str(
            r#"{"relayUrl": "http://x", "retry": {"baseDelayMs": 500, "maxDelayMs": 100}}"#,
        )
        .unwrap();
        assert!(bad.validate().is_err());
        let zero: ClientOptions =
            serde_json::from_str(r#"{"relayUrl": "http://x", "timeoutMs": 0}"#).unwrap();
        assert!(zero.validate().is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(
            serde_json::from_str::<ClientOptions>(r#"{"relayURL": "http://x"}"#).is_err(),
            "relayUrl is missing"
        );
        assert!(serde_json::from_str::<ListInstitutionsOptions>(r#"{"nmae": "mx"}"#).is_err());
        assert!(serde_json::from_str::<CreateMember>(
            r#"{"institution_code": "x", "credentials": [{"guid": "a", "value": "b", "x": 1}]}"#
        )
        .is_err());
    }

    #[test]
    fn dates_and_paging() {
        assert!(check_date("2024-02-29", "from_date").is_ok());
        for bad in [
            "2024-2-29",
            "2024-13-01",
            "2024-01-01T00:00:00Z",
            "yesterday",
        ] {
            assert!(check_date(bad, "from_date").is_err(), "{bad}");
        }
        assert!(check_paging(Some(0), None).is_err());
        assert!(check_paging(None, Some(1001)).is_err());
        assert!(check_paging(Some(3), Some(1000)).is_ok());
    }
}
