//! Members, MFA, processes and their rules, over real HTTP.

mod common;

use atrium_sandbox::logins::{Outcome, TABLE};
use common::{
    error_message, guid, member_path as path, mxbank, state, Sandbox, PASSWORD_GUID, USERNAME_GUID,
};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn every_test_login_reaches_its_documented_status() {
    let sb = Sandbox::instant().await;
    for (password, outcome) in TABLE {
        // A user per login: vestibule allows 25 members per user.
        let (u, m) = sb.user_with_member(password).await;
        let st = sb.status(&u, &m).await;
        let want = match outcome {
            Outcome::End {
                connection_status, ..
            } => *connection_status,
            Outcome::ConnectThen(s) => s,
            Outcome::Challenge { .. } => "CHALLENGED",
            Outcome::Connect { .. } | Outcome::Delayed => "CONNECTED",
        };
        assert_eq!(st["connection_status"], want, "{password}: {st}");
        let aggregating = st["is_being_aggregated"].as_bool().unwrap();
        assert_eq!(
            aggregating,
            want == "CHALLENGED",
            "{password}: only a challenge keeps the run open"
        );
    }
}

#[tokio::test]
async fn a_run_moves_through_the_transient_statuses() {
    let sb = Sandbox::start().await; // realistic speed, moved by the clock
    let u = sb.user().await;
    let created = sb.member(&u, "password").await;
    assert_eq!(created["connection_status"], "CREATED");
    assert_eq!(created["is_being_aggregated"], true);
    assert!(created["aggregated_at"].as_str().unwrap().ends_with('Z'));
    assert!(created["successfully_aggregated_at"].is_null());
    let m = guid(&created);
    let st = sb.status(&u, &m).await;
    assert_eq!(
        (
            st["has_processed_accounts"].as_bool(),
            st["is_authenticated"].as_bool()
        ),
        (Some(false), Some(false))
    );
    sb.advance(1).await;
    let st = sb.status(&u, &m).await;
    assert_eq!(
        (
            st["connection_status"].as_str(),
            st["is_authenticated"].as_bool()
        ),
        (Some("CONNECTED"), Some(true))
    );
    sb.advance(5).await;
    let st = sb.status(&u, &m).await;
    assert_eq!(st["is_being_aggregated"], false);
    assert_eq!(
        (
            st["has_processed_accounts"].as_bool(),
            st["has_processed_transactions"].as_bool()
        ),
        (Some(true), Some(true))
    );
    assert!(st["successfully_aggregated_at"].is_string());
    assert!(
        st.get("challenges").is_none(),
        "challenges only while CHALLENGED"
    );

    let delayed = sb.member_guid(&u, "DELAYED").await;
    sb.advance(2).await;
    assert_eq!(sb.connection_status(&u, &delayed).await, "DELAYED");
    sb.advance(60).await;
    assert_eq!(sb.connection_status(&u, &delayed).await, "CONNECTED");
}

#[tokio::test]
async fn the_two_step_challenge() {
    let sb = Sandbox::instant().await;
    let (u, m) = sb.user_with_member("challenge").await;
    let st = sb.status(&u, &m).await;
    assert_eq!(st["connection_status"], "CHALLENGED");
    let listed = sb.get(&path(&u, &m, "/challenges")).await;
    let first = &listed["challenges"][0];
    assert_eq!(first["type"], "TEXT");
    assert!(first["guid"].as_str().unwrap().starts_with("CRD-"));
    assert_eq!(
        st["challenges"], listed["challenges"],
        "the status carries the same challenges"
    );

    let resumed = sb.resume(&u, &m, first, "challenge").await;
    assert_eq!(
        (
            resumed["member"]["connection_status"].as_str(),
            resumed["member"]["status"].as_str()
        ),
        (Some("RESUMED"), Some("RECEIVED"))
    );
    assert_eq!(resumed["member"]["is_being_aggregated"], true);

    let second = sb.challenge(&u, &m).await;
    assert_ne!(second["guid"], first["guid"], "a follow-up challenge");
    sb.resume(&u, &m, &second, "correct").await;
    let st = sb.status(&u, &m).await;
    assert_eq!(state(&st), (Some("CONNECTED"), Some(false)));
    let (s, _) = sb
        .call(Method::GET, &path(&u, &m, "/challenges"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let accounts = sb.get(&path(&u, &m, "/accounts")).await;
    assert!(accounts["pagination"]["total_entries"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn options_images_and_tokens_take_correct_and_refuse_the_rest() {
    let sb = Sandbox::instant().await;
    for (password, kind, list) in [
        ("options", "OPTIONS", Some("options")),
        ("image_options", "IMAGE_OPTIONS", Some("image_options")),
        ("image", "IMAGE_DATA", None),
        ("token", "TOKEN", None),
    ] {
        let (u, m) = sb.user_with_member(password).await;
        let c = sb.challenge(&u, &m).await;
        assert_eq!(c["type"], kind);
        if let Some(list) = list {
            assert!(
                c[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|o| o["value"] == "correct"),
                "{c}"
            );
        }
        if kind == "IMAGE_DATA" {
            assert!(!c["image_data"].as_str().unwrap().is_empty());
        }
        sb.resume(&u, &m, &c, "correct").await;
        assert_eq!(
            sb.connection_status(&u, &m).await,
            "CONNECTED",
            "{password}"
        );

        // A wrong answer is REJECTED; aggregating again asks again.
        let (u, m) = sb.user_with_member(password).await;
        let c = sb.challenge(&u, &m).await;
        sb.resume(&u, &m, &c, "wrong").await;
        assert_eq!(sb.connection_status(&u, &m).await, "REJECTED", "{password}");
        sb.ok(Method::POST, &path(&u, &m, "/aggregate"), None).await;
        assert_eq!(
            sb.connection_status(&u, &m).await,
            "CHALLENGED",
            "{password}"
        );
    }
}

#[tokio::test]
async fn bad_answers_are_refused_and_change_nothing() {
    let sb = Sandbox::instant().await;
    let (u, m) = sb.user_with_member("challenge").await;
    let c = sb.challenge(&u, &m).await;
    for bad in [
        json!({"member": {"challenges": [{"guid": "CRD-nope", "value": "correct"}]}}),
        json!({"member": {"challenges": []}}),
        json!({"member": {"challenges": [{"guid": c["guid"], "value": "correct"}, {"guid": c["guid"], "value": "correct"}]}}),
        json!({"member": {"challenges": [{"guid": c["guid"]}]}}),
        json!({"challenges": [{"guid": c["guid"], "value": "correct"}]}),
    ] {
        let (s, v) = sb
            .call(Method::PUT, &path(&u, &m, "/resume"), Some(bad.clone()))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert!(!error_message(&v).is_empty());
    }
    let again = sb.challenge(&u, &m).await;
    assert_eq!(again["guid"], c["guid"], "still the same open challenge");
    // Resuming a member that is not CHALLENGED is a conflict.
    let other = sb.member_guid(&u, "password").await;
    let (s, _) = sb
        .call(
            Method::PUT,
            &path(&u, &other, "/resume"),
            Some(json!({"member": {"challenges": []}})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_unanswered_challenge_expires() {
    let sb = Sandbox::instant().await;
    let (u, m) = sb.user_with_member("challenge").await;
    sb.advance(4 * 60).await;
    assert_eq!(sb.connection_status(&u, &m).await, "CHALLENGED");
    sb.advance(2 * 60).await;
    let st = sb.status(&u, &m).await;
    assert_eq!(state(&st), (Some("EXPIRED"), Some(false)));
}

#[tokio::test]
async fn processes_do_not_overlap_and_the_three_hour_rule_holds() {
    let sb = Sandbox::start().await; // realistic speed: runs last a few simulated seconds
    let (u, m) = sb.user_with_member("password").await;
    let (s, v) = sb.start_process(&u, &m, "aggregate").await;
    assert_eq!(s, StatusCode::ACCEPTED, "the same kind is already running");
    assert_eq!(v["member"]["is_being_aggregated"], true);
    let (s, v) = sb.start_process(&u, &m, "verify").await;
    assert_eq!(s, StatusCode::CONFLICT, "another kind is running: {v}");
    sb.advance(10).await;
    let done = sb.status(&u, &m).await;
    assert_eq!(done["is_being_aggregated"], false);

    // Within three hours of any process, a standard aggregation changes nothing.
    let (s, v) = sb.start_process(&u, &m, "aggregate").await;
    assert_eq!(
        (s, v["member"]["is_being_aggregated"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert_eq!(v["member"]["aggregated_at"], done["aggregated_at"]);
    // Premium processes are not throttled; they in turn hold off standard aggregation.
    let (s, v) = sb.start_process(&u, &m, "verify").await;
    assert_eq!(
        (s, v["member"]["is_being_aggregated"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    sb.advance(10).await;
    sb.advance(2 * 3600 + 50 * 60).await;
    let (_, v) = sb.start_process(&u, &m, "aggregate").await;
    assert_eq!(
        v["member"]["is_being_aggregated"], false,
        "under three hours since the verification"
    );
    sb.advance(15 * 60).await;
    let (s, v) = sb.start_process(&u, &m, "aggregate").await;
    assert_eq!(
        (s, v["member"]["is_being_aggregated"].as_bool()),
        (StatusCode::OK, Some(true))
    );
}

#[tokio::test]
async fn premium_processes_produce_their_data_or_answer_400() {
    let sb = Sandbox::instant().await;
    let (u, m) = sb.user_with_member("password").await;
    assert_eq!(
        sb.get(&path(&u, &m, "/account_numbers")).await["account_numbers"],
        json!([])
    );
    assert_eq!(
        sb.get(&path(&u, &m, "/account_owners")).await["account_owners"],
        json!([])
    );

    sb.ok(Method::POST, &path(&u, &m, "/verify"), None).await;
    let numbers = sb.get(&path(&u, &m, "/account_numbers")).await["account_numbers"].clone();
    assert!(!numbers.as_array().unwrap().is_empty());
    assert_eq!(numbers[0]["routing_number"].as_str().unwrap().len(), 9);
    let account = numbers[0]["account_guid"].as_str().unwrap();
    let by_account = sb
        .get(&format!("/users/{u}/accounts/{account}/account_numbers"))
        .await;
    assert_eq!(by_account["account_numbers"].as_array().unwrap().len(), 1);

    sb.ok(Method::POST, &path(&u, &m, "/identify"), None).await;
    let owners = sb.get(&path(&u, &m, "/account_owners")).await["account_owners"].clone();
    assert!(owners[0]["guid"].as_str().unwrap().starts_with("ACO-"));
    assert!(owners[0]["owner_name"].is_string());

    sb.ok(Method::POST, &path(&u, &m, "/fetch_statements"), None)
        .await;
    let statements = sb.get(&path(&u, &m, "/statements")).await;
    let st = statements["statements"][0].clone();
    assert!(st["guid"].as_str().unwrap().starts_with("STA-"));
    let one = sb
        .get(&path(
            &u,
            &m,
            &format!("/statements/{}", st["guid"].as_str().unwrap()),
        ))
        .await;
    assert_eq!(one["statement"], st, "read under the key `statement`");
    let pdf_path = format!("{}{}", sb.base, st["uri"].as_str().unwrap());
    let pdf = sb
        .http
        .get(&pdf_path)
        .header("MX-API-Key", common::KEY)
        .header("MX-Client-ID", common::CLIENT)
        .header("Accept", "application/vnd.mx.atrium.v1+pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(
        pdf.headers()["content-type"],
        "application/vnd.mx.atrium.v1+pdf"
    );
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        st["content_hash"],
        hash.as_str(),
        "content_hash is the PDF's SHA-256"
    );
    let json_accept = sb.send(Method::GET, st["uri"].as_str().unwrap()).await;
    assert_eq!(json_accept.status(), StatusCode::NOT_ACCEPTABLE);

    let before = sb
        .get(&format!(
            "/users/{u}/transactions?from_date=2000-01-01&to_date=2100-01-01&records_per_page=1"
        ))
        .await;
    sb.ok(Method::POST, &path(&u, &m, "/extend_history"), None)
        .await;
    let after = sb
        .get(&format!(
            "/users/{u}/transactions?from_date=2000-01-01&to_date=2100-01-01&records_per_page=1"
        ))
        .await;
    assert!(
        after["pagination"]["total_entries"].as_u64().unwrap()
            > 5 * before["pagination"]["total_entries"].as_u64().unwrap(),
        "24 months instead of 90 days"
    );

    let accounts = sb.get(&path(&u, &m, "/accounts")).await;
    let updated_before = accounts["accounts"][0]["updated_at"].clone();
    sb.advance(60).await;
    sb.ok(Method::POST, &path(&u, &m, "/balance"), None).await;
    let accounts = sb.get(&path(&u, &m, "/accounts")).await;
    assert_ne!(
        accounts["accounts"][0]["updated_at"], updated_before,
        "fresh balances"
    );
    let (s, v) = sb.start_process(&u, &m, "balance").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");

    // PNC supports no premium feature.
    let pnc = sb.get("/institutions/pnc/credentials").await["credentials"].clone();
    let body = json!({"member": {"institution_code": "pnc", "credentials": [
        {"guid": pnc[0]["guid"], "value": "test_atrium"}, {"guid": pnc[1]["guid"], "value": "password"}]}});
    let p = guid(
        &sb.ok(Method::POST, &format!("/users/{u}/members"), Some(body))
            .await["member"],
    );
    for process in [
        "/verify",
        "/identify",
        "/fetch_statements",
        "/extend_history",
    ] {
        let (s, _) = sb.call(Method::POST, &path(&u, &p, process), None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{process}");
    }
}

#[tokio::test]
async fn background_aggregation_and_disabled_users() {
    let sb = Sandbox::instant().await;
    let (u, m) = sb.user_with_member("password").await;
    let first = sb.status(&u, &m).await["successfully_aggregated_at"].clone();
    sb.advance(25 * 3600).await;
    let later = sb.status(&u, &m).await["successfully_aggregated_at"].clone();
    assert_ne!(first, later, "aggregated in the background after 24 hours");

    sb.ok(
        Method::PUT,
        &format!("/users/{u}"),
        Some(json!({"user": {"is_disabled": true}})),
    )
    .await;
    sb.advance(25 * 3600).await;
    assert_eq!(
        sb.status(&u, &m).await["successfully_aggregated_at"],
        later,
        "no background run for a disabled user"
    );
    let (s, v) = sb.start_process(&u, &m, "aggregate").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
}

/// A member update that sets one credential.
fn credential(guid: &str, value: &str) -> Option<Value> {
    Some(json!({"member": {"credentials": [{"guid": guid, "value": value}]}}))
}

#[tokio::test]
async fn credentials_are_updated_with_either_guid_and_start_a_run() {
    let sb = Sandbox::instant().await;
    let (u, m) = sb.user_with_member("INVALID").await;
    assert_eq!(sb.connection_status(&u, &m).await, "DENIED");
    let creds = sb.get(&path(&u, &m, "/credentials")).await["credentials"].clone();
    let password_guid = creds[1]["guid"].as_str().unwrap();
    assert_ne!(
        password_guid, PASSWORD_GUID,
        "members have their own credential GUIDs"
    );
    assert_eq!(creds[1]["label"], "Password");
    let v = sb
        .ok(
            Method::PUT,
            &path(&u, &m, ""),
            credential(password_guid, "password"),
        )
        .await;
    assert_eq!(state(&v["member"]), (Some("UPDATED"), Some(true)));
    assert_eq!(sb.connection_status(&u, &m).await, "CONNECTED");

    // MX's own example sent the institution's GUIDs on update: taken too.
    let other = sb.member_guid(&u, "UNAUTHORIZED").await;
    let theirs = path(&u, &other, "");
    sb.ok(Method::PUT, &theirs, credential(PASSWORD_GUID, "options"))
        .await;
    assert_eq!(sb.connection_status(&u, &other).await, "CHALLENGED");

    let unknown = credential("CRD-x", "y");
    let (s, _) = sb.call(Method::PUT, &theirs, unknown).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = sb
        .call(Method::PUT, &theirs, credential(PASSWORD_GUID, "password"))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a run is waiting on a challenge");
    let renamed = json!({"member": {"metadata": "{\"a\":1}", "identifier": "mine"}});
    let v = sb.ok(Method::PUT, &theirs, Some(renamed)).await;
    assert_eq!(
        (
            v["member"]["metadata"].as_str(),
            v["member"]["identifier"].as_str()
        ),
        (Some("{\"a\":1}"), Some("mine"))
    );
}

#[tokio::test]
async fn bad_member_requests_are_refused_and_change_nothing() {
    let sb = Sandbox::instant().await;
    let (u, m) = sb.user_with_member("password").await;
    let count = || async {
        sb.get(&format!("/users/{u}/members")).await["pagination"]["total_entries"]
            .as_u64()
            .unwrap()
    };
    let before = count().await;
    for (body, want) in [
        (
            json!({"member": {"institution_code": "nope", "credentials": []}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"member": {"institution_code": "mxbank"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"member": {"institution_code": "mxbank", "credentials": [{"guid": USERNAME_GUID, "value": "test_atrium"}]}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"member": {"credentials": []}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"institution_code": "mxbank"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"member": {"institution_code": "mxbank", "is_oauth": true}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"member": {"institution_code": "chase", "credentials": []}}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (mxbank("password"), StatusCode::CONFLICT),
    ] {
        let (s, v) = sb
            .call(
                Method::POST,
                &format!("/users/{u}/members"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, want, "{body}: {v}");
        assert!(!error_message(&v).is_empty());
    }
    let members = format!("/users/{u}/members");
    let resp = sb.send_json_text(Method::POST, &members, "{oops").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count().await, before);

    // Another user's member is unknown here, and so is junk.
    let other = sb.user().await;
    for p in [
        path(&other, &m, ""),
        path(&other, &m, "/status"),
        path(&u, "MBR-nope", ""),
        path(&u, "USR-1", ""),
        path(&u, &m, "x"),
    ] {
        let (s, _) = sb.call(Method::GET, &p, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}");
    }
    let (s, _) = sb.call(Method::DELETE, &path(&other, &m, ""), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(sb.connection_status(&u, &m).await, "CONNECTED", "untouched");

    let (s, _) = sb.call(Method::DELETE, &path(&u, &m, ""), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(count().await, before - 1);
    let (s, _) = sb
        .call(Method::GET, &format!("/users/{u}/accounts/nope"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn twenty_five_members_per_user() {
    let sb = Sandbox::instant().await;
    let u = sb.user().await;
    for i in 0..25 {
        let mut body = mxbank("password");
        body["member"]["credentials"][0]["value"] = json!(format!("user{i}"));
        sb.ok(Method::POST, &format!("/users/{u}/members"), Some(body))
            .await;
    }
    let (s, _) = sb
        .call(
            Method::POST,
            &format!("/users/{u}/members"),
            Some(mxbank("password")),
        )
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let page = sb
        .get(&format!("/users/{u}/members?page=3&records_per_page=10"))
        .await;
    assert_eq!(
        page["pagination"],
        json!({"current_page": 3, "per_page": 10, "total_entries": 25, "total_pages": 3})
    );
    assert_eq!(page["members"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn oauth_members_wait_in_pending_until_the_window_grants_access() {
    let sb = Sandbox::instant().await;
    let u = sb.user().await;
    let v = sb
        .ok(
            Method::POST,
            &format!("/users/{u}/members"),
            Some(json!({"member": {"institution_code": "mxbank_oauth", "is_oauth": true}})),
        )
        .await;
    let m = guid(&v["member"]);
    assert_eq!(
        (
            v["member"]["connection_status"].as_str(),
            v["member"]["is_oauth"].as_bool()
        ),
        (Some("PENDING"), Some(true))
    );
    let first_uri = v["member"]["oauth_window_uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(first_uri.starts_with("http://"), "{first_uri}");
    assert_eq!(sb.connection_status(&u, &m).await, "PENDING");

    let fresh = sb
        .get(&path(&u, &m, "/oauth_window_uri?referral_source=BROWSER"))
        .await;
    let uri = fresh["member"]["oauth_window_uri"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(uri, first_uri, "a new one-time URI");
    let old = sb.fetch(&first_uri).await;
    assert_eq!(old.status(), StatusCode::NOT_FOUND, "the old one is spent");

    let page = sb.fetch(&uri).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Authorize"));
    let action = html
        .split("action=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    // The form posts back to the sandbox, as the browser would, without the key pair.
    let submit = || sb.http.post(format!("{}{action}", sb.base)).send();
    let granted = submit().await.unwrap();
    assert_eq!(granted.status(), StatusCode::OK);
    let complete = granted.text().await.unwrap();
    let posted = format!(
        r#"window.opener.postMessage({{"metadata":{{"member_guid":"{m}"}},"mx":true,"type":"oauthComplete/success"}}, "*")"#
    );
    assert!(
        complete.contains(&posted),
        "MX's completion message: {complete}"
    );
    assert_eq!(sb.connection_status(&u, &m).await, "CONNECTED");
    let again = submit().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "one use only");

    let password_member = sb.member_guid(&u, "password").await;
    let uri_path = path(&u, &password_member, "/oauth_window_uri");
    let v = sb.get_expecting(&uri_path, StatusCode::BAD_REQUEST).await;
    assert_eq!(error_message(&v), "Member cannot use OAuth.");
}

#[tokio::test]
async fn skip_aggregation_creates_without_a_run() {
    let sb = Sandbox::instant().await;
    let u = sb.user().await;
    let mut body = mxbank("password");
    body["member"]["skip_aggregation"] = json!(true);
    let v = sb
        .ok(Method::POST, &format!("/users/{u}/members"), Some(body))
        .await;
    assert_eq!(state(&v["member"]), (Some("CREATED"), Some(false)));
    assert!(v["member"]["aggregated_at"].is_null());
    let m = guid(&v["member"]);
    assert_eq!(
        sb.get(&path(&u, &m, "/accounts")).await["accounts"],
        json!([])
    );
    sb.ok(Method::POST, &path(&u, &m, "/identify"), None).await;
    assert!(
        !sb.get(&path(&u, &m, "/account_owners")).await["account_owners"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_thousand_concurrent_aggregations() {
    let sb = std::sync::Arc::new(Sandbox::instant().await);
    let mut users = Vec::new();
    for _ in 0..40 {
        users.push(sb.user().await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, u) in users.iter().enumerate() {
        for k in 0..25 {
            let (sb, u) = (sb.clone(), u.clone());
            let password = if (i + k) % 3 == 0 {
                "challenge"
            } else {
                "password"
            };
            tasks.spawn(async move {
                let mut body = mxbank(password);
                body["member"]["credentials"][0]["value"] = json!(if k == 0 {
                    "test_atrium".to_string()
                } else {
                    format!("test_atrium{k}")
                });
                let (s, v) = sb
                    .call(Method::POST, &format!("/users/{u}/members"), Some(body))
                    .await;
                assert_eq!(s, StatusCode::OK, "{v}");
            });
        }
    }
    let mut created = 0;
    while let Some(r) = tasks.join_next().await {
        r.expect("no task panicked");
        created += 1;
    }
    assert_eq!(created, 1000);
    let mut connected = 0;
    for u in &users {
        let members = sb
            .get(&format!("/users/{u}/members?records_per_page=25"))
            .await;
        assert_eq!(members["pagination"]["total_entries"], 25);
        connected += members["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["connection_status"] == "CONNECTED")
            .count();
    }
    // Only the `test_atrium` logins succeed; the others are DENIED (unknown usernames).
    assert_eq!(
        connected,
        users.iter().enumerate().filter(|(i, _)| i % 3 != 0).count()
    );
}

#[tokio::test]
async fn statuses_that_forbid_aggregation_and_the_reconnected_code() {
    let sb = Sandbox::instant().await;
    for password in ["CLOSED", "DISCONTINUED", "DISABLED", "PREVENTED"] {
        let (u, m) = sb.user_with_member(password).await;
        sb.advance(4 * 3600).await;
        let (s, v) = sb.start_process(&u, &m, "aggregate").await;
        assert_eq!(s, StatusCode::OK, "{password}");
        assert_eq!(state(&v["member"]), (Some(password), Some(false)));
    }
    let (u, m) = sb.user_with_member("RECONNECTED").await;
    assert_eq!(sb.connection_status(&u, &m).await, "RECONNECTED");
    sb.advance(4 * 3600).await;
    sb.ok(Method::POST, &path(&u, &m, "/aggregate"), None).await;
    let c = sb.challenge(&u, &m).await;
    assert_eq!(
        c["type"], "TOKEN",
        "a one-time code after the move to a new data source"
    );
    sb.resume(&u, &m, &c, "correct").await;
    assert_eq!(sb.connection_status(&u, &m).await, "CONNECTED");
}

#[tokio::test]
async fn another_users_data_is_not_found_and_deleting_a_member_removes_its_data() {
    let sb = Sandbox::instant().await;
    let (alice, bob) = (sb.user().await, sb.user().await);
    let m = sb.member_guid(&alice, "password").await;
    let accounts = sb.get(&format!("/users/{alice}/accounts")).await;
    let a = accounts["accounts"][0]["guid"]
        .as_str()
        .unwrap()
        .to_string();
    let t = sb.get(&format!("/users/{alice}/transactions")).await["transactions"][0]["guid"]
        .as_str()
        .unwrap()
        .to_string();
    for p in [
        format!("/users/{bob}/accounts/{a}"),
        format!("/users/{bob}/accounts/{a}/transactions"),
        format!("/users/{bob}/transactions/{t}"),
        format!("/users/{bob}/members/{m}/accounts"),
        format!("/users/{bob}/members/{m}/accounts/{a}"),
    ] {
        let (s, v) = sb.call(Method::GET, &p, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{p}: {v}");
    }
    assert_eq!(
        sb.get(&format!("/users/{bob}/transactions")).await["pagination"]["total_entries"],
        0
    );
    let (s, _) = sb.call(Method::DELETE, &path(&alice, &m, ""), None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        sb.get(&format!("/users/{alice}/accounts")).await["pagination"]["total_entries"],
        0
    );
    let gone = format!("/users/{alice}/transactions/{t}");
    sb.get_expecting(&gone, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn history_records_each_change_with_its_time_and_counts_status_reads() {
    let sb = Sandbox::start().await; // realistic speed: a second a step
    let (u, m) = sb.user_with_member("password").await;
    sb.advance(10).await;
    sb.status(&u, &m).await;
    sb.status(&u, &m).await;
    let h = sb.get(&format!("/_sandbox/history/{u}/{m}")).await;
    assert_eq!(h["status_reads"], 2);
    let t = h["transitions"].as_array().unwrap();
    let states: Vec<(&str, bool)> = t
        .iter()
        .map(|x| {
            (
                x["connection_status"].as_str().unwrap(),
                x["is_being_aggregated"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [("CREATED", true), ("CONNECTED", true), ("CONNECTED", false)]
    );
    let at: Vec<i64> = t.iter().map(|x| x["at_ms"].as_i64().unwrap()).collect();
    assert_eq!(
        (at[1] - at[0], at[2] - at[0]),
        (1000, 3000),
        "the steps' times, not the reads'"
    );
    let unknown = format!("/_sandbox/history/{u}/MBR-nope");
    sb.get_expecting(&unknown, StatusCode::NOT_FOUND).await;
}

/// The window's form `action`, from its consent page.
async fn window_action(sb: &Sandbox, uri: &str, which: &str) -> String {
    let html = sb.fetch(uri).await.text().await.unwrap();
    let action = html
        .split("action=\"")
        .map(|a| a.split('"').next().unwrap_or("").replace("&amp;", "&"))
        .find(|a| a.contains(which))
        .unwrap();
    format!("{}{action}", sb.base)
}

async fn oauth_member(sb: &Sandbox, u: &str, extra: Value) -> (String, String) {
    let mut member = json!({"institution_code": "mxbank_oauth", "is_oauth": true});
    for (k, v) in extra.as_object().unwrap() {
        member[k] = v.clone();
    }
    let v = sb
        .ok(
            Method::POST,
            &format!("/users/{u}/members"),
            Some(json!({ "member": member })),
        )
        .await;
    let uri = v["member"]["oauth_window_uri"]
        .as_str()
        .unwrap()
        .to_string();
    (guid(&v["member"]), uri)
}

#[tokio::test]
async fn a_refused_oauth_member_signs_in_again_through_a_fresh_window() {
    let sb = Sandbox::instant().await;
    let u = sb.user().await;
    let (m, uri) = oauth_member(&sb, &u, json!({})).await;
    let denied = sb
        .http
        .post(window_action(&sb, &uri, "/deny").await)
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::OK);
    assert_eq!(sb.connection_status(&u, &m).await, "DENIED");
    let v = sb.get(&path(&u, &m, "/oauth_window_uri")).await;
    assert_eq!(
        v["member"]["connection_status"], "DENIED",
        "asking for a window changes nothing yet"
    );
    let fresh = v["member"]["oauth_window_uri"]
        .as_str()
        .unwrap()
        .to_string();
    let granted = sb
        .http
        .post(window_action(&sb, &fresh, "/authorize").await)
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), StatusCode::OK);
    assert_eq!(sb.connection_status(&u, &m).await, "CONNECTED");
    assert_eq!(
        sb.fetch(&uri).await.status(),
        StatusCode::NOT_FOUND,
        "the first window stays spent"
    );
}

#[tokio::test]
async fn a_window_answered_mid_run_ends_that_run_first() {
    let sb = Sandbox::start().await;
    let u = sb.user().await;
    let (m, uri) = oauth_member(&sb, &u, json!({})).await;
    let granted = sb
        .http
        .post(window_action(&sb, &uri, "/authorize").await)
        .send()
        .await
        .unwrap();
    assert_eq!(granted.status(), StatusCode::OK);
    assert_eq!(
        sb.status(&u, &m).await["is_being_aggregated"],
        true,
        "its first run goes on"
    );
    // A fresh window refused while that run goes on: DENIED, and nothing running to undo it.
    let v = sb.get(&path(&u, &m, "/oauth_window_uri")).await;
    let fresh = v["member"]["oauth_window_uri"]
        .as_str()
        .unwrap()
        .to_string();
    sb.http
        .post(window_action(&sb, &fresh, "/deny").await)
        .send()
        .await
        .unwrap();
    let now = sb.status(&u, &m).await;
    assert_eq!(
        (
            now["connection_status"].as_str(),
            now["is_being_aggregated"].as_bool()
        ),
        (Some("DENIED"), Some(false))
    );
    sb.advance(600).await;
    assert_eq!(
        sb.connection_status(&u, &m).await,
        "DENIED",
        "the old run did not come back"
    );
}

#[tokio::test]
async fn the_window_ends_by_redirect_for_apps_only_with_the_outcome_appended() {
    let sb = Sandbox::instant().await;
    let u = sb.user().await;
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let back = "https://app.example/connect?step=2";
    // APP: a redirect with the outcome; a denial says why.
    let app = json!({"referral_source": "APP", "client_redirect_url": back});
    let (m, uri) = oauth_member(&sb, &u, app.clone()).await;
    let r = no_follow
        .post(window_action(&sb, &uri, "/authorize").await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{back}&status=success&member_guid={m}")
    );
    let (m, uri) = oauth_member(&sb, &u, app).await;
    let r = no_follow
        .post(window_action(&sb, &uri, "/deny").await)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("{back}&status=error&member_guid={m}&error_reason=DENIED")
    );
    assert_eq!(sb.connection_status(&u, &m).await, "DENIED");
    // BROWSER (the default): `client_redirect_url` is not honoured; the page posts instead.
    let (m, uri) = oauth_member(&sb, &u, json!({"client_redirect_url": back})).await;
    let r = no_follow
        .post(window_action(&sb, &uri, "/deny").await)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!(r#""error_reason":"DENIED","member_guid":"{m}""#))
            && html.contains("oauthComplete/error"),
        "{html}"
    );
    // A fresh window asked for with APP redirects; one asked for without does not.
    let (m2, _) = oauth_member(&sb, &u, json!({})).await;
    let q = format!(
        "referral_source=APP&client_redirect_url={}",
        "https%3A%2F%2Fapp.example%2Fback"
    );
    let v = sb
        .get(&path(&u, &m2, &format!("/oauth_window_uri?{q}")))
        .await;
    let uri = v["member"]["oauth_window_uri"]
        .as_str()
        .unwrap()
        .to_string();
    let r = no_follow
        .post(window_action(&sb, &uri, "/authorize").await)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("https://app.example/back?status=success&member_guid={m2}")
    );
}
