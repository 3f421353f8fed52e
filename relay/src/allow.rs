//! The allow-list: which (method, path) a browser may send upstream, and the strict reading of
//! a request's path and query that comes before it. Anything not listed never leaves the relay.

use axum::http::Method;

use crate::error::RelayError;

/// One path segment of an allowed route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg {
    /// Exactly this text.
    Lit(&'static str),
    /// A `USR-` GUID, which must be the token's own user.
    User,
    /// An institution code.
    Code,
}

/// Who may switch a route off in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Per-user routes: always on, bound to the token's user.
    PerUser,
    /// Public institution reads (`--no-public-institutions` turns them off).
    Institutions,
}

#[derive(Debug)]
struct Route {
    method: Method,
    segs: &'static [Seg],
    /// The query parameters this route may carry; any other is refused.
    query: &'static [&'static str],
    group: Group,
}

const INSTITUTION_QUERY: &[&str] = &[
    "name",
    "page",
    "records_per_page",
    "supports_account_identification",
    "supports_account_statement",
    "supports_account_verification",
    "supports_transaction_history",
];

use Seg::{Code, Lit, User};

fn routes() -> [Route; 4] {
    [
        Route {
            method: Method::GET,
            segs: &[Lit("users"), User],
            query: &[],
            group: Group::PerUser,
        },
        Route {
            method: Method::GET,
            segs: &[Lit("institutions")],
            query: INSTITUTION_QUERY,
            group: Group::Institutions,
        },
        Route {
            method: Method::GET,
            segs: &[Lit("institutions"), Code],
            query: &[],
            group: Group::Institutions,
        },
        Route {
            method: Method::GET,
            segs: &[Lit("institutions"), Code, Lit("credentials")],
            query: &[],
            group: Group::Institutions,
        },
    ]
}

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
}

/// Letters, digits, `-` and `_`: all that GUIDs and institution codes are made of. Anything
/// else in a segment (percent escapes, dots, spaces) is refused rather than interpreted.
fn is_plain_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `PREFIX-` then letters, digits and dashes.
pub fn is_guid(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|r| {
            !r.is_empty()
                && r.len() <= 64
                && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn is_code(s: &str) -> bool {
    s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Reads `raw_path` (everything after `/atrium`, still percent-encoded as it arrived) and
/// `raw_query`, and answers what may go upstream, or why not.
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

    let mut path_matched = false;
    for route in routes() {
        if route.segs.len() != segs.len() {
            continue;
        }
        let mut user_guid = None;
        let mut ok = true;
        for (pat, s) in route.segs.iter().zip(&segs) {
            match pat {
                Lit(l) => ok &= l == s,
                User => {
                    // A segment in a GUID's place that is not a GUID is refused outright.
                    if !is_guid(s, "USR") {
                        return Err(RelayError::BadRequest(format!(
                            "{:?} is not a user GUID.",
                            truncate(s)
                        )));
                    }
                    user_guid = Some((*s).to_string());
                }
                Code => {
                    if !is_code(s) {
                        return Err(RelayError::BadRequest(format!(
                            "{:?} is not an institution code.",
                            truncate(s)
                        )));
                    }
                }
            }
            if !ok {
                break;
            }
        }
        if !ok || !enabled(route.group) {
            continue;
        }
        path_matched = true;
        if route.method != *method {
            continue;
        }
        let query = check_query(raw_query, route.query)?;
        return Ok(Allowed {
            path: raw_path.to_string(),
            query,
            user_guid,
            group: route.group,
        });
    }
    if path_matched {
        Err(RelayError::MethodNotAllowed)
    } else {
        Err(RelayError::NotFound)
    }
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
        assert_eq!(get("/merchants", None), Err(RelayError::NotFound));
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
    }

    #[test]
    fn groups_can_be_switched_off() {
        assert_eq!(
            check(&Method::GET, "/institutions", None, |g| g
                != Group::Institutions),
            Err(RelayError::NotFound)
        );
    }
}
