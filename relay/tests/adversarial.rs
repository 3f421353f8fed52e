//! Every forwarded route, attacked: another user's token, another user's GUIDs under one's
//! own user, every method the route does not take, and expired, tampered and unsigned
//! tokens. Zero leaks, exact status codes.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use atrium_relay::Group;
use base64::Engine;
use common::{code, mxbank, open_config, start_with, Relay, Session};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Alice's data: one of each kind of GUID a path can carry.
struct Guids {
    user: String,
    member: String,
    account: String,
    transaction: String,
    holding: String,
    statement: String,
    merchant: String,
    location: String,
}

/// The GUID of the first element of the list under `key`.
fn first_guid(v: &Value, key: &str) -> String {
    let guid = v[key][0]["guid"].as_str();
    guid.unwrap_or_else(|| panic!("a GUID under {key}: {v}"))
        .into()
}

/// A member of alice's with an investment account, so that a holding exists: (member,
/// holding).
async fn member_with_holding(relay: &Relay, alice: &Session) -> (String, String) {
    let (members, token) = (alice.at("/members"), Some(alice.token.as_str()));
    for i in 0..30 {
        let mut body = mxbank("password");
        body["member"]["identifier"] = json!(format!("alice-{i}"));
        let (s, v) = relay.send(Method::POST, &members, token, Some(body)).await;
        if s == StatusCode::CONFLICT {
            break;
        }
        assert_eq!(s, StatusCode::OK, "{v}");
        let m = v["member"]["guid"].as_str().expect("a member").to_string();
        let (_, h) = relay.get(&format!("{members}/{m}/holdings"), alice).await;
        if let Some(hol) = h["holdings"][0]["guid"].as_str() {
            return (m, hol.to_string());
        }
        let (s, _) = relay
            .call(Method::DELETE, &format!("{members}/{m}"), token)
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    // Each try deletes its member first, so the same login may be used again; if no
    // investment account came up, a made-up holding GUID still exercises its routes.
    let (_, v) = relay.get(&members, alice).await;
    let m = match v["members"][0]["guid"].as_str() {
        Some(m) => m.to_string(),
        None => {
            let body = Some(mxbank("password"));
            let (_, v) = relay.send(Method::POST, &members, token, body).await;
            v["member"]["guid"].as_str().expect("a member").to_string()
        }
    };
    (m, "HOL-00000000-0000-0000-0000-000000000000".to_string())
}

async fn alice_with_data(relay: &Relay, alice: &Session) -> Guids {
    let (member, holding) = member_with_holding(relay, alice).await;
    let fetch = alice.at(&format!("/members/{member}/fetch_statements"));
    let (s, _) = relay.call(Method::POST, &fetch, Some(&alice.token)).await;
    assert_eq!(s, StatusCode::OK);
    let statements = alice.at(&format!("/members/{member}/statements"));
    let (_, st) = relay.get(&statements, alice).await;
    let (_, acc) = relay.get(&alice.at("/accounts"), alice).await;
    let (_, tx) = relay.get(&alice.at("/transactions"), alice).await;
    let (_, me) = relay.get("/atrium/merchants", alice).await;
    let merchant = first_guid(&me, "merchants");
    let locations = format!("/atrium/merchants/{merchant}/merchant_locations");
    let (_, lo) = relay.get(&locations, alice).await;
    Guids {
        user: alice.user_guid.clone(),
        member,
        account: first_guid(&acc, "accounts"),
        transaction: first_guid(&tx, "transactions"),
        holding,
        statement: first_guid(&st, "statements"),
        merchant,
        location: first_guid(&lo, "merchant_locations"),
    }
}

/// A relay whose sandbox moves at once, and alice with her data.
async fn alice_and_her_data() -> (Relay, Session, Guids) {
    let relay = start_with(open_config()).await;
    relay.instant().await;
    let alice = relay.session("alice").await;
    let g = alice_with_data(&relay, &alice).await;
    (relay, alice, g)
}

/// A route's pattern with GUIDs filled in.
fn fill(pattern: &str, user: &str, g: &Guids) -> String {
    format!(
        "/atrium{}",
        pattern
            .replace("{user_guid}", user)
            .replace("{MBR}", &g.member)
            .replace("{ACT}", &g.account)
            .replace("{TRN}", &g.transaction)
            .replace("{HOL}", &g.holding)
            .replace("{STA}", &g.statement)
            .replace("{MCH}", &g.merchant)
            .replace("{MCL}", &g.location)
            .replace("{institution_code}", "mxbank")
    )
}

fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).expect("a method")
}

/// The body each writing route is tried with.
fn body_for(m: &Method, pattern: &str) -> Option<Value> {
    match (m.as_str(), pattern) {
        ("PUT", "/users/{user_guid}") => Some(json!({"user": {"metadata": "x"}})),
        ("POST", "/users/{user_guid}/members") => Some(mxbank("options")),
        ("PUT", p) if p.ends_with("/resume") => Some(json!({"member": {"challenges": []}})),
        ("PUT", _) => Some(json!({"member": {"metadata": "y"}})),
        ("POST", "/transactions/cleanse_and_categorize") => {
            Some(json!({"transactions": [{"identifier": "a", "description": "x"}]}))
        }
        ("POST", _) => Some(json!({})),
        _ => None,
    }
}

/// Checks that `v` holds none of alice's GUIDs (the user's own GUID aside, which the caller knows).
fn assert_no_alice(v: &Value, g: &Guids, what: &str) {
    let text = v.to_string();
    for secret in [&g.member, &g.account, &g.transaction, &g.statement, &g.user] {
        assert!(
            !text.contains(secret.as_str()),
            "{what} leaks {secret}: {text}"
        );
    }
}

#[tokio::test]
async fn every_route_refuses_other_users_and_bad_tokens() {
    let (relay, alice, g) = alice_and_her_data().await;
    let bob = relay.session("bob").await;
    let routes = atrium_relay::routes();
    assert!(
        routes.len() >= 40,
        "the allow-list covers the reference: {}",
        routes.len()
    );

    let expired = relay.expired_token(&alice.user_guid);
    let tampered = {
        // Alice's signature on a payload naming bob.
        let (_, sig) = alice.token.rsplit_once('.').expect("a signature");
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
            r#"{{"sub":"{}","exp":99999999999}}"#,
            bob.user_guid
        ));
        format!("v1.{payload}.{sig}")
    };
    let unsigned = alice
        .token
        .rsplit_once('.')
        .expect("a signature")
        .0
        .to_string();
    let other_key = atrium_relay::SigningKey::new(vec![3u8; 32]).expect("a key");
    let foreign = other_key
        .mint(&alice.user_guid, Duration::from_secs(60))
        .expect("a token")
        .token;

    let mut checked = 0;
    for (m, pattern, group) in &routes {
        let m = method(m);
        let body = body_for(&m, pattern);
        let alices = fill(pattern, &alice.user_guid, &g);

        for bad in [
            &expired,
            &tampered,
            &unsigned,
            &foreign,
            &"garbage".to_string(),
        ] {
            let (s, v) = relay
                .send(m.clone(), &alices, Some(bad), body.clone())
                .await;
            assert_eq!(
                s,
                StatusCode::UNAUTHORIZED,
                "{m} {pattern} with a bad token: {v}"
            );
            assert_no_alice(&v, &g, pattern);
        }
        let (s, _) = relay.send(m.clone(), &alices, None, body.clone()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{m} {pattern} without a token");

        if *group == Group::PerUser {
            // Bob's token on Alice's path: the user GUID is not bob's.
            let (s, v) = relay
                .send(m.clone(), &alices, Some(&bob.token), body.clone())
                .await;
            assert_eq!(
                (s, code(&v)),
                (StatusCode::FORBIDDEN, "forbidden"),
                "{m} {pattern}"
            );
            assert_no_alice(&v, &g, pattern);

            // Bob's own user with Alice's other GUIDs: the upstream's 404 and nothing else.
            let smuggled = fill(pattern, &bob.user_guid, &g);
            let names_other_guid = pattern.matches('{').count() > 1;
            if names_other_guid {
                let (s, v) = relay
                    .send(m.clone(), &smuggled, Some(&bob.token), body.clone())
                    .await;
                assert_eq!(
                    s,
                    StatusCode::NOT_FOUND,
                    "{m} {pattern} with alice's GUIDs under bob: {v}"
                );
                assert_no_alice(&v, &g, pattern);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, routes.len());

    // Alice's member survived all of that, and bob still has nothing.
    let (s, _) = relay
        .get(&alice.at(&format!("/members/{}", g.member)), &alice)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = relay.get(&bob.at("/accounts"), &bob).await;
    assert_eq!(v["pagination"]["total_entries"], 0);
}

#[tokio::test]
async fn every_method_a_path_does_not_take_is_405() {
    let (relay, alice, g) = alice_and_her_data().await;
    let routes = atrium_relay::routes();
    let patterns: BTreeSet<&str> = routes.iter().map(|(_, p, _)| p.as_str()).collect();
    for pattern in patterns {
        let taken: Vec<&str> = routes
            .iter()
            .filter(|(_, p, _)| p == pattern)
            .map(|(m, _, _)| m.as_str())
            .collect();
        for m in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if taken.contains(&m) {
                continue;
            }
            let (s, v) = relay
                .send(
                    method(m),
                    &fill(pattern, &alice.user_guid, &g),
                    Some(&alice.token),
                    None,
                )
                .await;
            assert_eq!(
                (s, code(&v)),
                (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
                "{m} {pattern}"
            );
        }
    }
}

#[tokio::test]
async fn the_allowed_routes_work_for_their_owner() {
    let (relay, alice, g) = alice_and_her_data().await;
    let u = &alice.user_guid;
    for (path, want) in [
        (
            format!("/atrium/users/{u}/members/{}/status", g.member),
            StatusCode::OK,
        ),
        (
            format!(
                "/atrium/users/{u}/accounts/{}/transactions?from_date=2000-01-01",
                g.account
            ),
            StatusCode::OK,
        ),
        (
            format!("/atrium/users/{u}/transactions/{}", g.transaction),
            StatusCode::OK,
        ),
        (
            format!(
                "/atrium/users/{u}/members/{}/statements/{}",
                g.member, g.statement
            ),
            StatusCode::OK,
        ),
        (
            format!("/atrium/users/{u}/members/{}/challenges", g.member),
            StatusCode::NO_CONTENT,
        ),
        (
            format!(
                "/atrium/merchants/{}/merchant_locations/{}",
                g.merchant, g.location
            ),
            StatusCode::OK,
        ),
    ] {
        let (s, v) = relay.get(&path, &alice).await;
        assert_eq!(s, want, "{path}: {v}");
    }
    // The statement PDF goes upstream with its own Accept type.
    let pdf = format!(
        "/atrium/users/{u}/members/{}/statements/{}.pdf",
        g.member, g.statement
    );
    let pdf = relay.get_raw(&pdf, Some(&alice.token)).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(
        pdf.headers()["content-type"],
        "application/vnd.mx.atrium.v1+pdf"
    );
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF-"));
    // A browser may set its user's metadata, but not rename or disable it.
    let (s, _) = relay
        .send(
            Method::PUT,
            &format!("/atrium/users/{u}"),
            Some(&alice.token),
            Some(json!({"user": {"metadata": "m"}})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for field in [
        json!({"is_disabled": true}),
        json!({"identifier": "mallory"}),
        json!({"metadata": "m", "is_disabled": true}),
    ] {
        let (s, v) = relay
            .send(
                Method::PUT,
                &format!("/atrium/users/{u}"),
                Some(&alice.token),
                Some(json!({"user": field})),
            )
            .await;
        assert_eq!((s, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
    }
    let (_, v) = relay.get(&format!("/atrium/users/{u}"), &alice).await;
    assert_eq!(
        (
            v["user"]["is_disabled"].as_bool(),
            v["user"]["identifier"].as_str()
        ),
        (Some(false), Some("alice"))
    );
}
