//! The OAuth window an OAuth member's `oauth_window_uri` opens: the page where the end user
//! grants (or refuses) access, after which the member connects. Opened by a browser, so it
//! takes no key pair; the one-time token in the URI is what admits it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use super::at::At;
use crate::sim::member::Member;
use crate::sim::store::lock;
use crate::AppState;

type Q = Query<HashMap<String, String>>;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/oauth/window/{user_guid}/{member_guid}", get(window))
        .route(
            "/oauth/window/{user_guid}/{member_guid}/authorize",
            post(authorize),
        )
        .route("/oauth/window/{user_guid}/{member_guid}/deny", post(deny))
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><link rel=\"icon\" href=\"data:,\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}\
         button{{font:inherit;padding:.5rem 1rem;margin-right:.5rem}}</style></head><body><h1>{title}</h1>{body}</body></html>"
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Checks the one-time token and runs `f` on the member.
fn with_member(
    at: &At<(String, String)>,
    token: Option<&String>,
    f: impl FnOnce(&mut Member, i64) -> Response,
) -> Response {
    let (state, (user_guid, member_guid)) = (&at.state, &at.path);
    let invalid = || {
        page(
            StatusCode::NOT_FOUND,
            "Link expired",
            "<p>This authorization link is not valid any more.</p>",
        )
    };
    let Some(user) = state.store.user(user_guid) else {
        return invalid();
    };
    let mut user = lock(&user);
    let now = state.clock.now();
    let Some(m) = user.member_mut(member_guid) else {
        return invalid();
    };
    if !m.admits_oauth_token(token) {
        return invalid();
    }
    f(m, now)
}

/// `GET /oauth/window/{user_guid}/{member_guid}?token=…`: the consent page.
pub async fn window(at: At<(String, String)>, Query(q): Q) -> Response {
    let (u, m) = &at.path;
    with_member(&at, q.get("token"), |member, _| {
        let token = escape(q.get("token").map(String::as_str).unwrap_or(""));
        let name = escape(member.institution.name);
        let action = |what: &str| {
            format!(
                "/oauth/window/{}/{}/{what}?token={token}",
                escape(u),
                escape(m)
            )
        };
        page(
            StatusCode::OK,
            &format!("Sign in to {name}"),
            &format!(
                "<p>The sandbox stands in for {name}'s own sign-in page. Allow the app to read your accounts?</p>\
                 <form method=\"post\" action=\"{}\"><button type=\"submit\">Authorize</button></form>\
                 <form method=\"post\" action=\"{}\"><button type=\"submit\">Deny</button></form>",
                action("authorize"),
                action("deny")
            ),
        )
    })
}

/// How the window ended, as MX tells the app: `None` is success, else the `error_reason`.
type Outcome<'a> = Option<&'a str>;

/// The end of the window (§11). With `referral_source` APP and a `client_redirect_url`: a
/// redirect there with `status=success|error`, `member_guid` and `error_reason` appended (MX
/// does not document its names; these are the sandbox's, read by the library). Otherwise
/// MX's "OAuth complete" page, which posts `{ mx: true, type: "oauthComplete/success" |
/// "oauthComplete/error", metadata: { member_guid, error_reason? } }` to its opener, to any
/// origin (it cannot know the app's; the library checks where it came from).
fn done(member: &Member, title: &str, outcome: Outcome) -> Response {
    let guid = member.guid.as_str();
    match member
        .oauth
        .as_ref()
        .and_then(|o| o.client_redirect_url.clone())
    {
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            let join = if url.contains('?') { '&' } else { '?' };
            let back = match outcome {
                None => format!("{url}{join}status=success&member_guid={guid}"),
                Some(reason) => {
                    format!("{url}{join}status=error&member_guid={guid}&error_reason={reason}")
                }
            };
            (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response()
        }
        _ => {
            let message = match outcome {
                None => {
                    json!({ "mx": true, "type": "oauthComplete/success", "metadata": { "member_guid": guid } })
                }
                Some(reason) => {
                    json!({ "mx": true, "type": "oauthComplete/error", "metadata": { "member_guid": guid, "error_reason": reason } })
                }
            };
            // JSON in a script element: `<` escaped so no value can close it.
            let data = message.to_string().replace('<', "\\u003c");
            page(
                StatusCode::OK,
                title,
                &format!(
                    "<p>You can close this window and return to the app.</p>\
                     <script>if (window.opener) window.opener.postMessage({data}, \"*\");</script>"
                ),
            )
        }
    }
}

/// `POST …/authorize`: the member connects (aggregating unless told to skip).
pub async fn authorize(at: At<(String, String)>, Query(q): Q) -> Response {
    let clock = &at.state.clock;
    with_member(&at, q.get("token"), |member, now| {
        member.grant_oauth(now, clock);
        done(member, "Connected", None)
    })
}

/// `POST …/deny`: the end user refused; the member is DENIED.
pub async fn deny(at: At<(String, String)>, Query(q): Q) -> Response {
    with_member(&at, q.get("token"), |member, now| {
        member.deny_oauth(now);
        done(member, "Access denied", Some("DENIED"))
    })
}
