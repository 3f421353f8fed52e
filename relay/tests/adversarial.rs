//! Every forwarded route, attacked: another user's token, another user's GUIDs under one's
//! own user, every method the route does not take, and expired, tampered and unsigned
//! tokens. Zero leaks, exact status codes.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use atrium_relay::Group;
use base64::Engine;
use common::{code, mxbank, open_config, start_with, Relay};
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

async fn alice_with_data(relay: &Relay, token: &str, user: &str) -> Guids {
    let at = |p: &str| format!("/atrium/users/{user}{p}");
    // Find a member with an investment account, so that a holding exists.
    let mut found = None;
    for i in 0..30 {
        let mut body = mxbank("password");
        body["member"]["identifier"] = json!(format!("alice-{i}"));
        let (s, v) = relay
            .send(Method::POST, &at("/members"), Some(token), Some(body))
            .await;
        if s == StatusCode::CONFLICT {
            break;
        }
        assert_eq!(s, StatusCode::OK, "{v}");
        let m = v["member"]["guid"].as_str().expect("a member").to_string();
        let (_, h) = relay
            .call(
                Method::GET,
                &at(&format!("/members/{m}/holdings")),
                Some(token),
            )
            .await;
        if let Some(hol) = h["holdings"][0]["guid"].as_str() {
            found = Some((m, hol.to_string()));
            break;
        }
        let (s, _) = relay
            .call(Method::DELETE, &at(&format!("/members/{m}")), Some(token))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    // Each try deletes its member first, so the same login may be used again; if no
    // investment account came up, a made-up holding GUID still exercises its routes.
    let (member, holding) = match found {
        Some(f) => f,
        None => {
            let (_, v) = relay.call(Method::GET, &at("/members"), Some(token)).await;
            let m = v["members"][0]["guid"].as_str().map(str::to_string);
            let m = match m {
                Some(m) => m,
                None => {
                    let (_, v) = relay
                        .send(
                            Method::POST,
                            &at("/members"),
                            Some(token),
                            Some(mxbank("password")),
                        )
                        .await;
                    v["member"]["guid"].as_str().expect("a member").to_string()
                }
            };
            (m, "HOL-00000000-0000-0000-0000-000000000000".to_string())
        }
    };
    let (s, _) = relay
        .call(
            Method::POST,
            &at(&format!("/members/{member}/fetch_statements")),
            Some(token),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, st) = relay
        .call(
            Method::GET,
            &at(&format!("/members/{member}/statements")),
            Some(token),
        )
        .await;
    let (_, acc) = relay.call(Method::GET, &at("/accounts"), Some(token)).await;
    let (_, tx) = relay
        .call(Method::GET, &at("/transactions"), Some(token))
        .await;
    let (_, me) = relay
        .call(Method::GET, "/atrium/merchants", Some(token))
        .await;
    let merchant = me["merchants"][0]["guid"]
        .as_str()
        .expect("a merchant")
        .to_string();
    let (_, lo) = relay
        .call(
            Method::GET,
            &format!("/atrium/merchants/{merchant}/merchant_locations"),
            Some(token),
        )
        .await;
    Guids {
        user: user.to_string(),
        member,
        account: acc["accounts"][0]["guid"]
            .as_str()
            .expect("an account")
            .into(),
        transaction: tx["transactions"][0]["guid"]
            .as_str()
            .expect("a transaction")
            .into(),
        holding,
        statement: st["statements"][0]["guid"]
            .as_str()
            .expect("a statement")
            .into(),
        merchant,
        location: lo["merchant_locations"][0]["guid"]
            .as_str()
            .expect("a location")
            .into(),
    }
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
    let relay = start_with(open_config()).await;
    relay.instant().await;
    let alice = relay.session("alice").await;
    let bob = relay.session("bob").await;
    let g = alice_with_data(&relay, &alice.token, &alice.user_guid).await;
    let routes = atrium_relay::routes();
    assert!(
        routes.len() >= 40,
        "the allow-list covers the reference: {}",
        routes.len()
    );

    let expired = relay
        .key
        .mint_at(
            &alice.user_guid,
            Duration::from_secs(60),
            SystemTime::now() - Duration::from_secs(7200),
        )
        .expect("a token")
        .token;
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
        .call(
            Method::GET,
            &format!("/atrium/users/{}/members/{}", alice.user_guid, g.member),
            Some(&alice.token),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, v) = relay
        .call(
            Method::GET,
            &format!("/atrium/users/{}/accounts", bob.user_guid),
            Some(&bob.token),
        )
        .await;
    assert_eq!(v["pagination"]["total_entries"], 0);
}

#[tokio::test]
async fn every_method_a_path_does_not_take_is_405() {
    let relay = start_with(open_config()).await;
    relay.instant().await;
    let alice = relay.session("alice").await;
    let g = alice_with_data(&relay, &alice.token, &alice.user_guid).await;
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
    let relay = start_with(open_config()).await;
    relay.instant().await;
    let alice = relay.session("alice").await;
    let g = alice_with_data(&relay, &alice.token, &alice.user_guid).await;
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
        let (s, v) = relay.call(Method::GET, &path, Some(&alice.token)).await;
        assert_eq!(s, want, "{path}: {v}");
    }
    // The statement PDF goes upstream with its own Accept type.
    let pdf = relay
        .http
        .get(format!(
            "{}/atrium/users/{u}/members/{}/statements/{}.pdf",
            relay.base, g.member, g.statement
        ))
        .bearer_auth(&alice.token)
        .send()
        .await
        .expect("answers");
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
    let (_, v) = relay
        .call(
            Method::GET,
            &format!("/atrium/users/{u}"),
            Some(&alice.token),
        )
        .await;
    assert_eq!(
        (
            v["user"]["is_disabled"].as_bool(),
            v["user"]["identifier"].as_str()
        ),
        (Some(false), Some("alice"))
    );
}
