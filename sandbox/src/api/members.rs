//! `/users/{user_guid}/members…`: members, their credentials, challenges, statuses and every
//! aggregation-type process (§3.3, §3.7–3.10).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::at::At;
use super::paging::PageRequest;
use super::{body, member_path, public, Reply, MEMBER};
use crate::error::ApiError;
use crate::sim::clock::timestamp;
use crate::sim::credentials::{member_credential_guid, member_credentials};
use crate::sim::guid;
use crate::sim::institutions::{self, Institution};
use crate::sim::member::{JobKind, Member, Started};
use crate::sim::store::UserState;
use crate::AppState;

/// Vestibule allows 25 members per user (405 beyond).
pub const MAX_MEMBERS: usize = 25;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/users/{user_guid}/members", get(list).post(create))
        .route(MEMBER, get(read).put(update).delete(delete))
        .route(&member_path("/aggregate"), post(aggregate))
        .route(&member_path("/balance"), post(balance))
        .route(&member_path("/verify"), post(verify))
        .route(&member_path("/identify"), post(identify))
        .route(&member_path("/extend_history"), post(extend_history))
        .route(&member_path("/fetch_statements"), post(fetch_statements))
        .route(&member_path("/status"), get(status))
        .route(&member_path("/challenges"), get(challenges))
        .route(&member_path("/resume"), put(resume))
        .route(&member_path("/credentials"), get(credentials))
        .route(&member_path("/oauth_window_uri"), get(oauth_window_uri))
        .route("/_sandbox/history/{user_guid}/{member_guid}", get(history))
}

#[derive(Debug, Clone, Deserialize)]
pub struct CredentialIn {
    pub guid: String,
    pub value: String,
}

#[derive(Debug, Deserialize)]
// A missing `Option` field is `None` without `#[serde(default)]`.
struct CreateFields {
    institution_code: String,
    credentials: Option<Vec<CredentialIn>>,
    identifier: Option<String>,
    metadata: Option<String>,
    skip_aggregation: Option<bool>,
    is_oauth: Option<bool>,
    referral_source: Option<String>,
    #[allow(dead_code)]
    ui_message_webview_url_scheme: Option<String>,
    client_redirect_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    member: CreateFields,
}

#[derive(Debug, Default, Deserialize)]
struct UpdateFields {
    credentials: Option<Vec<CredentialIn>>,
    identifier: Option<String>,
    metadata: Option<String>,
    background_aggregation_is_disabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct UpdateBody {
    member: UpdateFields,
}

#[derive(Debug, Deserialize)]
struct ResumeFields {
    challenges: Vec<CredentialIn>,
}

#[derive(Debug, Deserialize)]
struct ResumeBody {
    member: ResumeFields,
}

/// Checks credentials against the institution's form. With `member`, the member's own
/// credential GUIDs are taken too (MX's own update example sent the institution's), and a
/// partial set is allowed. Returns values by institution credential GUID.
fn check_credentials(
    code: &str,
    given: &[CredentialIn],
    member: Option<&Member>,
) -> Result<Vec<(String, String)>, ApiError> {
    let form = institutions::credentials(code)?;
    let mut values: Vec<(String, String)> = Vec::new();
    for (n, c) in given.iter().enumerate() {
        let index = form
            .iter()
            .position(|f| f.guid == c.guid)
            .or_else(|| {
                member
                    .and_then(|m| (0..form.len()).find(|i| member_credential_guid(m, *i) == c.guid))
            })
            .ok_or_else(|| {
                ApiError::Unprocessable(format!(
                    "credentials[{n}].guid {:?} is not a credential of {code}.",
                    c.guid
                ))
            })?;
        let field = &form[index];
        if values.iter().any(|(g, _)| field.guid == g.as_str()) {
            return Err(ApiError::Unprocessable(format!(
                "credentials[{n}] repeats {}.",
                field.label
            )));
        }
        if !field.options.is_empty() && !field.options.iter().any(|o| o.value == c.value) {
            return Err(ApiError::Unprocessable(format!(
                "credentials[{n}].value must be one of the options of {}.",
                field.label
            )));
        }
        values.push((field.guid.to_string(), c.value.clone()));
    }
    if member.is_none() {
        if let Some(missing) = form
            .iter()
            .find(|f| !values.iter().any(|(g, _)| f.guid == g.as_str()))
        {
            return Err(ApiError::Unprocessable(format!(
                "The credential {} ({}) is missing.",
                missing.label, missing.guid
            )));
        }
    }
    Ok(values)
}

fn member_guid_ok(guid: &str) -> Result<(), ApiError> {
    if guid::has_shape(guid, "MBR") {
        Ok(())
    } else {
        Err(ApiError::not_found("member"))
    }
}

/// The member, or 404 (another user's member is unknown here).
pub fn find<'a>(u: &'a UserState, member_guid: &str) -> Result<&'a Member, ApiError> {
    member_guid_ok(member_guid)?;
    u.member(member_guid)
        .ok_or_else(|| ApiError::not_found("member"))
}

pub(super) fn find_mut<'a>(
    u: &'a mut UserState,
    member_guid: &str,
) -> Result<&'a mut Member, ApiError> {
    member_guid_ok(member_guid)?;
    u.member_mut(member_guid)
        .ok_or_else(|| ApiError::not_found("member"))
}

/// The Member model (§4).
fn member_json(m: &Member) -> Value {
    json!({
        "aggregated_at": m.aggregated_at.map(timestamp),
        "connection_status": m.connection_status,
        "guid": m.guid,
        "identifier": m.identifier,
        "institution_code": m.institution.code,
        "is_being_aggregated": m.is_being_aggregated,
        "is_oauth": m.is_oauth,
        "metadata": m.metadata,
        "name": m.institution.name,
        "oauth_window_uri": m.oauth.as_ref().and_then(|o| o.uri.clone()),
        "status": m.status,
        "successfully_aggregated_at": m.successfully_aggregated_at.map(timestamp),
        "user_guid": m.user_guid,
    })
}

/// The MemberConnectionStatus model: `challenges` only while CHALLENGED.
fn status_json(m: &Member) -> Value {
    let mut v = json!({
        "aggregated_at": m.aggregated_at.map(timestamp),
        "connection_status": m.connection_status,
        "guid": m.guid,
        "has_processed_accounts": m.has_processed_accounts,
        "has_processed_transactions": m.has_processed_transactions,
        "is_authenticated": m.is_authenticated,
        "is_being_aggregated": m.is_being_aggregated,
        "status": m.status,
        "successfully_aggregated_at": m.successfully_aggregated_at.map(timestamp),
    });
    if m.connection_status == "CHALLENGED" {
        v["challenges"] = json!(m.challenges);
    }
    v
}

fn one(m: &Member) -> Json<Value> {
    Json(json!({ "member": member_json(m) }))
}

/// `POST /users/{user_guid}/members`.
pub async fn create(at: At<String>, headers: HeaderMap, bytes: Bytes) -> Reply {
    let state = &at.state;
    at.user(|u, now| {
        let fields = body::parse::<CreateBody>(&bytes)?.member;
        let (institution, values) = admit(u, &fields)?;
        let is_oauth = fields.is_oauth.unwrap_or(false);
        let mut m = Member::new(guid::new("MBR"), at.path.clone(), institution, now);
        m.identifier = fields.identifier;
        m.metadata = fields.metadata;
        m.is_oauth = is_oauth;
        if state.config.webhooks.is_some() {
            m.outbox = Some(Vec::new());
        }
        m.set_credentials(values);
        let skip = fields.skip_aggregation.unwrap_or(false);
        if is_oauth {
            let base = public::base(state, &headers);
            // §11: `client_redirect_url` is honoured with `referral_source` APP only.
            let app = fields.referral_source.as_deref() == Some("APP");
            let redirect = fields.client_redirect_url.filter(|_| app);
            m.await_oauth(skip, redirect, &base);
        } else if !skip {
            m.begin(JobKind::Aggregate, now, &state.clock);
        }
        let out = one(&m);
        u.members.push(m);
        Ok(out)
    })
}

/// Every check a new member must pass, in the order the answers are given; returns its
/// institution and credential values. Nothing is written before all pass.
fn admit(
    u: &UserState,
    fields: &CreateFields,
) -> Result<(Institution, Vec<(String, String)>), ApiError> {
    let institution = institutions::institution(&fields.institution_code).map_err(|_| {
        ApiError::Unprocessable(format!(
            "member.institution_code {:?} is not an institution.",
            fields.institution_code
        ))
    })?;
    if let Some(r) = &fields.referral_source {
        if r != "BROWSER" && r != "APP" {
            return Err(ApiError::Unprocessable(
                "member.referral_source must be BROWSER or APP.".into(),
            ));
        }
    }
    let values = credential_values(&institution, fields)?;
    if u.members.len() >= MAX_MEMBERS {
        return Err(ApiError::MethodNotAllowed(format!(
            "A user may have at most {MAX_MEMBERS} members."
        )));
    }
    if !fields.is_oauth.unwrap_or(false) && is_duplicate(u, &institution, &values) {
        return Err(ApiError::Conflict(
            "A member with the same institution and credentials already exists.".into(),
        ));
    }
    if let Some(id) = &fields.identifier {
        if u.members
            .iter()
            .any(|m| m.identifier.as_deref() == Some(id))
        {
            return Err(ApiError::Conflict(format!(
                "A member with the identifier {id:?} already exists."
            )));
        }
    }
    Ok((institution, values))
}

/// The credential values of a new member: none for OAuth, else the institution's full form.
fn credential_values(
    institution: &Institution,
    fields: &CreateFields,
) -> Result<Vec<(String, String)>, ApiError> {
    if fields.is_oauth.unwrap_or(false) {
        if !institution.supports_oauth {
            return Err(ApiError::BadRequest("Member cannot use OAuth.".into()));
        }
        return Ok(Vec::new());
    }
    if institution.supports_oauth && institutions::credentials(institution.code)?.is_empty() {
        return Err(ApiError::Unprocessable(format!(
            "{} connects through OAuth only; create the member with is_oauth: true.",
            institution.name
        )));
    }
    check_credentials(
        institution.code,
        fields.credentials.as_deref().unwrap_or(&[]),
        None,
    )
}

/// Whether a member of the institution already has these credentials, in any order.
fn is_duplicate(u: &UserState, institution: &Institution, values: &[(String, String)]) -> bool {
    let mut sorted = values.to_vec();
    sorted.sort();
    u.members.iter().any(|m| {
        let mut theirs = m.credentials.clone();
        theirs.sort();
        m.institution.code == institution.code && theirs == sorted
    })
}

/// `GET /users/{user_guid}/members`.
pub async fn list(at: At<String>, Query(q): Query<HashMap<String, String>>) -> Reply {
    let paging = PageRequest::from_query(&q)?;
    at.user(|u, _| {
        let all: Vec<Value> = u.members.iter().map(member_json).collect();
        Ok(paging.answer("members", &all))
    })
}

/// `GET /users/{user_guid}/members/{member_guid}`.
pub async fn read(at: At<(String, String)>) -> Reply {
    at.member(|m, _| Ok(one(m)))
}

/// `PUT /users/{user_guid}/members/{member_guid}`: new credentials start an aggregation.
pub async fn update(at: At<(String, String)>, bytes: Bytes) -> Reply {
    let member_guid = &at.path.1;
    at.user(|u, now| {
        find(u, member_guid)?;
        // The body is optional in the libraries: an empty one changes nothing.
        let fields = if bytes.iter().all(u8::is_ascii_whitespace) {
            UpdateFields::default()
        } else {
            body::parse::<UpdateBody>(&bytes)?.member
        };
        if let Some(id) = &fields.identifier {
            if u.members
                .iter()
                .any(|m| m.guid != *member_guid && m.identifier.as_deref() == Some(id))
            {
                return Err(ApiError::Conflict(format!(
                    "A member with the identifier {id:?} already exists."
                )));
            }
        }
        let m = find_mut(u, member_guid)?;
        let new_values = match &fields.credentials {
            Some(given) if m.is_oauth => {
                let _ = given;
                return Err(ApiError::Unprocessable(
                    "An OAuth member has no credentials to update.".into(),
                ));
            }
            Some(given) => {
                let values = check_credentials(m.institution.code, given, Some(m))?;
                if let Some(job) = &m.job {
                    return Err(ApiError::Conflict(format!(
                        "A {} is running; update the credentials after it.",
                        job.kind.name()
                    )));
                }
                Some(values)
            }
            None => None,
        };
        if let Some(id) = fields.identifier {
            m.identifier = Some(id);
        }
        if let Some(meta) = fields.metadata {
            m.metadata = Some(meta);
        }
        if let Some(b) = fields.background_aggregation_is_disabled {
            m.background_aggregation_is_disabled = b;
        }
        if let Some(values) = new_values {
            m.update_credentials(values, now, &at.state.clock);
        }
        Ok(one(m))
    })
}

/// `DELETE /users/{user_guid}/members/{member_guid}`: 204; its data goes with it.
pub async fn delete(at: At<(String, String)>) -> Result<StatusCode, ApiError> {
    let m = &at.path.1;
    at.user(|u, _| {
        find(u, m)?;
        u.members.retain(|x| x.guid != *m);
        Ok(StatusCode::NO_CONTENT)
    })
}

fn start(at: &At<(String, String)>, kind: JobKind) -> Result<Response, ApiError> {
    at.user(|u, now| {
        let disabled = u.user.is_disabled;
        let m = find_mut(u, &at.path.1)?;
        let started = m.start(kind, now, &at.state.clock, disabled)?;
        let status = if started == Started::AlreadyRunning {
            StatusCode::ACCEPTED
        } else {
            StatusCode::OK
        };
        Ok((status, one(m)).into_response())
    })
}

macro_rules! process {
    ($name:ident, $kind:expr, $doc:literal) => {
        #[doc = $doc]
        pub async fn $name(at: At<(String, String)>) -> Result<Response, ApiError> {
            start(&at, $kind)
        }
    };
}

process!(
    aggregate,
    JobKind::Aggregate,
    "`POST …/aggregate`: 200 started or skipped, 202 already running, 409 another process."
);
process!(
    balance,
    JobKind::Balance,
    "`POST …/balance`: also 429 within two hours of the last."
);
process!(
    verify,
    JobKind::Verify,
    "`POST …/verify`: also 400 where the institution lacks verification."
);
process!(identify, JobKind::Identify, "`POST …/identify`.");
process!(
    extend_history,
    JobKind::ExtendHistory,
    "`POST …/extend_history`: up to 24 months."
);
process!(
    fetch_statements,
    JobKind::FetchStatements,
    "`POST …/fetch_statements`."
);

/// `GET …/status`: the MemberConnectionStatus (reads are counted for benchmarks).
pub async fn status(at: At<(String, String)>) -> Reply {
    at.member_mut(|m, _| {
        m.status_reads = m.status_reads.saturating_add(1);
        Ok(Json(json!({ "member": status_json(m) })))
    })
}

/// `GET /_sandbox/history/{user_guid}/{member_guid}`: a member's observable changes with
/// their times, and how often its status was read; for benchmarks of polling.
pub async fn history(at: At<(String, String)>) -> Reply {
    at.member(|m, _| {
        let transitions: Vec<Value> = m
            .history
            .iter()
            .map(|(at, s, a)| json!({ "at_ms": at, "connection_status": s, "is_being_aggregated": a }))
            .collect();
        Ok(Json(
            json!({ "transitions": transitions, "status_reads": m.status_reads }),
        ))
    })
}

/// `GET …/challenges`: 200 with the open challenges, 204 when not CHALLENGED.
pub async fn challenges(at: At<(String, String)>) -> Result<Response, ApiError> {
    at.member(|m, _| {
        if m.connection_status == "CHALLENGED" {
            Ok(Json(json!({ "challenges": m.challenges })).into_response())
        } else {
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    })
}

/// `PUT …/resume` with `{"member": {"challenges": [{guid, value}]}}`.
pub async fn resume(at: At<(String, String)>, bytes: Bytes) -> Reply {
    let member_guid = &at.path.1;
    at.user(|u, now| {
        find(u, member_guid)?;
        let answers: Vec<(String, String)> = body::parse::<ResumeBody>(&bytes)?
            .member
            .challenges
            .into_iter()
            .map(|c| (c.guid, c.value))
            .collect();
        let m = find_mut(u, member_guid)?;
        m.resume(&answers, now, &at.state.clock)?;
        Ok(one(m))
    })
}

/// `GET …/credentials`: the member's own credential form, values never shown.
pub async fn credentials(at: At<(String, String)>) -> Reply {
    at.member(|m, _| Ok(Json(json!({ "credentials": member_credentials(m) }))))
}

/// `GET …/oauth_window_uri`: a fresh one-time URI; 400 for a member without OAuth.
pub async fn oauth_window_uri(
    at: At<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Reply {
    if let Some(r) = q.get("referral_source") {
        if r != "BROWSER" && r != "APP" {
            return Err(ApiError::BadRequest(
                "referral_source must be BROWSER or APP.".into(),
            ));
        }
    }
    let skip = match q.get("skip_aggregation").map(String::as_str) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            return Err(ApiError::BadRequest(
                "skip_aggregation must be true or false.".into(),
            ))
        }
    };
    let base = public::base(&at.state, &headers);
    at.member_mut(|m, _| {
        if !m.is_oauth {
            return Err(ApiError::BadRequest("Member cannot use OAuth.".into()));
        }
        if let Some(o) = &mut m.oauth {
            if let Some(s) = skip {
                o.skip_aggregation = s;
            }
            // A fresh window is BROWSER unless said APP, and only APP redirects (§11).
            let app = q.get("referral_source").map(String::as_str) == Some("APP");
            o.client_redirect_url = q.get("client_redirect_url").filter(|_| app).cloned();
        }
        m.new_oauth_uri(&base);
        Ok(one(m))
    })
}
