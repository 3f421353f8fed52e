//! The allow-list: which (method, path) a browser may send upstream, and the strict reading of
//! a request's path and query that comes before it. Anything not listed never leaves the relay.

use axum::http::Method;

use crate::error::RelayError;
use crate::guid::is_guid;

/// One path segment of an allowed route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg {
    /// Exactly this text.
    Lit(&'static str),
    /// A `USR-` GUID, which must be the token's own user.
    User,
    /// A GUID with this prefix (`MBR`, `ACT`, …).
    Guid(&'static str),
    /// An institution code.
    Code,
    /// A statement GUID with `.pdf` after it.
    Pdf,
}

/// Groups of routes the configuration may switch off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Per-user routes: always on, bound to the token's user.
    PerUser,
    /// Public institution reads.
    Institutions,
    /// Public merchant reads.
    Merchants,
    /// `POST /transactions/cleanse_and_categorize`.
    Cleanse,
}

/// What the relay checks in a route's body before forwarding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRule {
    /// No body (or an empty one).
    None,
    /// Any JSON.
    Json,
    /// `{"user": {…}}` with `metadata` only: a browser may not rename or disable its user.
    UserUpdate,
}

#[derive(Debug)]
struct Route {
    method: Method,
    segs: &'static [Seg],
    /// The query parameters this route may carry; any other is refused.
    query: &'static [&'static str],
    group: Group,
    body: BodyRule,
}

const PAGING: &[&str] = &["page", "records_per_page"];
const DATED: &[&str] = &["page", "records_per_page", "from_date", "to_date"];
const INSTITUTION_QUERY: &[&str] = &[
    "name",
    "page",
    "records_per_page",
    "supports_account_identification",
    "supports_account_statement",
    "supports_account_verification",
    "supports_transaction_history",
];
const OAUTH_QUERY: &[&str] = &[
    "referral_source",
    "ui_message_webview_url_scheme",
    "skip_aggregation",
    "client_redirect_url",
];

use Seg::{Code, Guid, Lit, Pdf, User};

const U: Seg = Lit("users");
const M: Seg = Lit("members");
const MBR: Seg = Guid("MBR");
const ACT: Seg = Guid("ACT");

const STA: Seg = Guid("STA");
const TRN: Seg = Guid("TRN");
const HOL: Seg = Guid("HOL");
const MCH: Seg = Guid("MCH");
const MCL: Seg = Guid("MCL");
const NO_QUERY: &[&str] = &[];

/// A path segment of the table below: a string is a literal one.
macro_rules! seg {
    ($literal:literal) => {
        Lit($literal)
    };
    ($seg:ident) => {
        $seg
    };
}

/// One route a line: method, path segments, query parameters, group, body rule. Braces keep
/// rustfmt from spreading a row over five lines, so that the list reads as a table.
macro_rules! routes {
    ($($method:ident [$($seg:tt),*] $query:ident $group:ident $body:ident;)*) => {
        &[$(Route {
            method: Method::$method,
            segs: &[$(seg!($seg)),*],
            query: $query,
            group: Group::$group,
            body: BodyRule::$body,
        }),*]
    };
}

/// Every endpoint of the reference a browser legitimately needs. Not here, so never
/// forwarded: listing, creating and deleting users, and anything else not per user.
static ROUTES: &[Route] = routes! {
    GET    [U, User]                                     NO_QUERY          PerUser      None;
    PUT    [U, User]                                     NO_QUERY          PerUser      UserUpdate;
    GET    [U, User, M]                                  PAGING            PerUser      None;
    POST   [U, User, M]                                  NO_QUERY          PerUser      Json;
    GET    [U, User, M, MBR]                             NO_QUERY          PerUser      None;
    PUT    [U, User, M, MBR]                             NO_QUERY          PerUser      Json;
    DELETE [U, User, M, MBR]                             NO_QUERY          PerUser      None;
    POST   [U, User, M, MBR, "aggregate"]                NO_QUERY          PerUser      Json;
    POST   [U, User, M, MBR, "balance"]                  NO_QUERY          PerUser      Json;
    POST   [U, User, M, MBR, "verify"]                   NO_QUERY          PerUser      Json;
    POST   [U, User, M, MBR, "identify"]                 NO_QUERY          PerUser      Json;
    POST   [U, User, M, MBR, "extend_history"]           NO_QUERY          PerUser      Json;
    POST   [U, User, M, MBR, "fetch_statements"]         NO_QUERY          PerUser      Json;
    GET    [U, User, M, MBR, "status"]                   NO_QUERY          PerUser      None;
    GET    [U, User, M, MBR, "challenges"]               NO_QUERY          PerUser      None;
    PUT    [U, User, M, MBR, "resume"]                   NO_QUERY          PerUser      Json;
    GET    [U, User, M, MBR, "credentials"]              NO_QUERY          PerUser      None;
    GET    [U, User, M, MBR, "oauth_window_uri"]         OAUTH_QUERY       PerUser      None;
    GET    [U, User, M, MBR, "accounts"]                 PAGING            PerUser      None;
    GET    [U, User, M, MBR, "accounts", ACT]            NO_QUERY          PerUser      None;
    GET    [U, User, M, MBR, "transactions"]             DATED             PerUser      None;
    GET    [U, User, M, MBR, "holdings"]                 PAGING            PerUser      None;
    GET    [U, User, M, MBR, "account_numbers"]          NO_QUERY          PerUser      None;
    GET    [U, User, M, MBR, "account_owners"]           NO_QUERY          PerUser      None;
    GET    [U, User, M, MBR, "statements"]               PAGING            PerUser      None;
    GET    [U, User, M, MBR, "statements", STA]          NO_QUERY          PerUser      None;
    GET    [U, User, M, MBR, "statements", Pdf]          NO_QUERY          PerUser      None;
    GET    [U, User, "accounts"]                         PAGING            PerUser      None;
    GET    [U, User, "accounts", ACT]                    NO_QUERY          PerUser      None;
    GET    [U, User, "accounts", ACT, "transactions"]    DATED             PerUser      None;
    GET    [U, User, "accounts", ACT, "holdings"]        PAGING            PerUser      None;
    GET    [U, User, "accounts", ACT, "account_numbers"] NO_QUERY          PerUser      None;
    GET    [U, User, "transactions"]                     DATED             PerUser      None;
    GET    [U, User, "transactions", TRN]                NO_QUERY          PerUser      None;
    GET    [U, User, "holdings"]                         PAGING            PerUser      None;
    GET    [U, User, "holdings", HOL]                    NO_QUERY          PerUser      None;
    POST   [U, User, "connect_widget_url"]               NO_QUERY          PerUser      Json;
    GET    ["institutions"]                              INSTITUTION_QUERY Institutions None;
    GET    ["institutions", Code]                        NO_QUERY          Institutions None;
    GET    ["institutions", Code, "credentials"]         NO_QUERY          Institutions None;
    GET    ["merchants"]                                 PAGING            Merchants    None;
    GET    ["merchants", MCH]                            NO_QUERY          Merchants    None;
    GET    ["merchants", MCH, "merchant_locations"]      PAGING            Merchants    None;
    GET    ["merchants", MCH, "merchant_locations", MCL] NO_QUERY          Merchants    None;
    POST   ["transactions", "cleanse_and_categorize"]    NO_QUERY          Cleanse      Json;
};

/// What the relay will send upstream for an allowed request.
#[derive(Debug, PartialEq, Eq)]
pub struct Allowed {
    /// The Atrium path, from its first `/`.
    pub path: String,
    /// The query, re-encoded from the parameters that were read.
    pub query: Option<String>,
    /// The user GUID the path names, if it names one.
    pub user_guid: Option<String>,
    pub group: Group,
    pub body: BodyRule,
    /// The statement PDF, which upstream serves under its own `Accept` type.
    pub pdf: bool,
}

/// Letters, digits, `-` and `_`, and `.pdf` at the end of a statement: all that GUIDs and
/// codes are made of. Anything else (percent escapes, other dots, spaces) is refused.
fn is_plain_segment(s: &str) -> bool {
    let body = s.strip_suffix(".pdf").unwrap_or(s);
    !body.is_empty()
        && s.len() <= 128
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `s` fits the typed segment `pat` (literals are matched before).
fn fits(pat: Seg, s: &str) -> bool {
    match pat {
        Lit(l) => l == s,
        User => is_guid(s, "USR"),
        Guid(prefix) => is_guid(s, prefix),
        Code => is_code(s),
        Pdf => s.strip_suffix(".pdf").is_some_and(|g| is_guid(g, "STA")),
    }
}

/// Reads `raw_path` (everything after `/atrium`, still percent-encoded as it arrived) and
/// `raw_query`, and answers what may go upstream, or why not: 400 for a malformed path or
/// query, 404 for a path no route has, 405 for a method the path does not take.
pub fn check(
    method: &Method,
    raw_path: &str,
    raw_query: Option<&str>,
    enabled: impl Fn(Group) -> bool,
) -> Result<Allowed, RelayError> {
    let rest = raw_path
        .strip_prefix('/')
        .ok_or_else(|| RelayError::BadRequest("The path must start with a slash.".into()))?;
    let segs: Vec<&str> = rest.split('/').collect();
    for s in &segs {
        if s.is_empty() {
            return Err(RelayError::BadRequest(
                "Empty path segments (// or a trailing /) are not allowed.".into(),
            ));
        }
        if !is_plain_segment(s) {
            return Err(RelayError::BadRequest(format!(
                "The path segment {:?} is not allowed: only letters, digits, - and _.",
                truncate(s)
            )));
        }
    }
    // Routes whose literal segments match: the path's shape is known.
    let shaped: Vec<&Route> = ROUTES
        .iter()
        .filter(|r| enabled(r.group) && r.segs.len() == segs.len())
        .filter(|r| {
            r.segs
                .iter()
                .zip(&segs)
                .all(|(p, s)| !matches!(p, Lit(_)) || fits(*p, s))
        })
        .collect();
    if shaped.is_empty() {
        return Err(RelayError::NotFound);
    }
    // Of those, the ones whose GUIDs and codes are well formed.
    let typed: Vec<&Route> = shaped
        .iter()
        .copied()
        .filter(|r| r.segs.iter().zip(&segs).all(|(p, s)| fits(*p, s)))
        .collect();
    if typed.is_empty() {
        let bad = shaped[0]
            .segs
            .iter()
            .zip(&segs)
            .find(|(p, s)| !fits(**p, s))
            .map(|(_, s)| truncate(s))
            .unwrap_or_default();
        return Err(RelayError::BadRequest(format!(
            "{bad:?} is not a well-formed GUID or code here."
        )));
    }
    let route = typed
        .iter()
        .find(|r| r.method == *method)
        .ok_or(RelayError::MethodNotAllowed)?;
    let query = check_query(raw_query, route.query)?;
    let user_guid = route
        .segs
        .iter()
        .zip(&segs)
        .find(|(p, _)| **p == User)
        .map(|(_, s)| (*s).to_string());
    Ok(Allowed {
        path: raw_path.to_string(),
        query,
        user_guid,
        group: route.group,
        body: route.body,
        pdf: route.segs.last() == Some(&Pdf),
    })
}

/// Each parameter at most once and only the route's own; values are decoded and encoded
/// again, so what goes upstream is exactly what was checked.
fn check_query(raw: Option<&str>, allowed: &[&str]) -> Result<Option<String>, RelayError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let mut seen: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        if !allowed.contains(&k.as_ref()) {
            return Err(RelayError::BadRequest(format!(
                "The query parameter {:?} is not allowed here.",
                truncate(&k)
            )));
        }
        if seen.iter().any(|(seen_k, _)| *seen_k == k) {
            return Err(RelayError::BadRequest(format!(
                "The query parameter {k:?} is given twice."
            )));
        }
        seen.push((k.into_owned(), v.into_owned()));
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &seen {
        out.append_pair(k, v);
    }
    Ok(Some(out.finish()))
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

/// Every (method, path pattern) the relay forwards, for its documentation and `--routes`.
pub fn describe() -> Vec<(String, String, Group)> {
    ROUTES
        .iter()
        .map(|r| {
            let path: String = r
                .segs
                .iter()
                .map(|s| match s {
                    Lit(l) => format!("/{l}"),
                    User => "/{user_guid}".into(),
                    Guid(p) => format!("/{{{p}}}"),
                    Code => "/{institution_code}".into(),
                    Pdf => "/{STA}.pdf".into(),
                })
                .collect();
            (r.method.to_string(), path, r.group)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: &str = "USR-fa7537f3-48aa-a683-a02a-b18940482f54";

    fn get(path: &str, query: Option<&str>) -> Result<Allowed, RelayError> {
        check(&Method::GET, path, query, |_| true)
    }

    #[test]
    fn reads_a_user_path() {
        let a = get(&format!("/users/{U}"), None).unwrap();
        assert_eq!(a.user_guid.as_deref(), Some(U));
        assert_eq!(a.path, format!("/users/{U}"));
        let a = get(
            &format!("/users/{U}/members/MBR-1/statements/STA-2.pdf"),
            None,
        )
        .unwrap();
        assert!(a.pdf);
        assert!(
            !get(&format!("/users/{U}/members/MBR-1/statements/STA-2"), None)
                .unwrap()
                .pdf
        );
    }

    #[test]
    fn refuses_what_is_not_listed() {
        assert_eq!(get("/users", None), Err(RelayError::NotFound));
        assert_eq!(
            check(&Method::POST, "/users", None, |_| true),
            Err(RelayError::NotFound)
        );
        assert_eq!(
            check(&Method::DELETE, &format!("/users/{U}"), None, |_| true),
            Err(RelayError::MethodNotAllowed)
        );
        assert_eq!(
            check(&Method::POST, "/merchants", None, |_| true),
            Err(RelayError::MethodNotAllowed)
        );
        assert_eq!(get("/categories", None), Err(RelayError::NotFound));
        assert_eq!(
            get(&format!("/users/{U}/members/MBR-1/rewards"), None),
            Err(RelayError::NotFound)
        );
    }

    #[test]
    fn strict_paths() {
        for bad in [
            format!("/users/{U}/"),
            format!("/users//{U}"),
            format!("/users/{U}%2F..%2Fusers"),
            format!("/users/../users/{U}"),
            format!("/users/./{U}"),
            format!("/users/{U}.json"),
            format!("/users/{U}/members/MBR-1/statements/STA-2.pdf.pdf"),
            format!("/users/{U}/members/ACT-1"),
            format!("/users/{U}/members/MBR-1x!"),
            "/users/USR-abc;x".to_string(),
            "/users/MBR-123".to_string(),
            "/institutions/MXBANK".to_string(),
            "users".to_string(),
        ] {
            assert!(
                matches!(get(&bad, None), Err(RelayError::BadRequest(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn strict_queries() {
        let ok = get("/institutions", Some("name=mx%20bank&page=2")).unwrap();
        assert_eq!(ok.query.as_deref(), Some("name=mx+bank&page=2"));
        assert!(matches!(
            get("/institutions", Some("page=1&page=2")),
            Err(RelayError::BadRequest(_))
        ));
        assert!(matches!(
            get("/institutions", Some("user_guid=USR-1")),
            Err(RelayError::BadRequest(_))
        ));
        assert!(matches!(
            get(&format!("/users/{U}"), Some("page=1")),
            Err(RelayError::BadRequest(_))
        ));
        assert_eq!(get("/institutions", Some("")).unwrap().query, None);
        assert!(get(
            &format!("/users/{U}/transactions"),
            Some("from_date=2020-01-01&to_date=2020-02-01")
        )
        .is_ok());
    }

    #[test]
    fn groups_can_be_switched_off() {
        assert_eq!(
            check(&Method::GET, "/institutions", None, |g| g
                != Group::Institutions),
            Err(RelayError::NotFound)
        );
        assert_eq!(
            check(&Method::GET, "/merchants", None, |g| g != Group::Merchants),
            Err(RelayError::NotFound)
        );
        assert!(check(
            &Method::POST,
            "/transactions/cleanse_and_categorize",
            None,
            |_| true
        )
        .is_ok());
    }

    #[test]
    fn the_table_documents_itself() {
        let routes = describe();
        assert_eq!(routes.len(), ROUTES.len());
        assert!(routes
            .iter()
            .any(|(m, p, _)| m == "PUT" && p == "/users/{user_guid}/members/{MBR}/resume"));
    }
}
