//! The sandbox over real HTTP on loopback, as any Atrium client would see it.

mod common;

use atrium_sandbox::Config;
use common::{error_message, items, texts, Sandbox, CLIENT, KEY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn the_key_pair_is_required() {
    let sb = Sandbox::start().await;
    let url = format!("{}/institutions", sb.base);
    let with_headers = |headers: &[(&str, &str)]| {
        let mut r = sb.http.get(&url);
        for (name, value) in headers {
            r = r.header(*name, *value);
        }
        r.send()
    };
    let (k, c) = ("MX-API-Key", "MX-Client-ID");
    for headers in [
        vec![],
        vec![(k, KEY)],
        vec![(c, CLIENT)],
        vec![(k, "wrong"), (c, CLIENT)],
        vec![(k, KEY), (c, "wrong")],
    ] {
        let resp = with_headers(&headers).await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{headers:?}");
        let body: Value = resp.json().await.unwrap();
        assert!(!error_message(&body).is_empty());
    }
    // Header names are case-insensitive, as in HTTP; the 2016 client sent MX-API-KEY.
    let shouted = [("MX-API-KEY", KEY), ("MX-CLIENT-ID", CLIENT)];
    let resp = with_headers(&shouted).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_api_version_is_not_acceptable() {
    let sb = Sandbox::start().await;
    let with_accept = |accept: &str| {
        sb.http
            .get(format!("{}/institutions", sb.base))
            .header("MX-API-Key", KEY)
            .header("MX-Client-ID", CLIENT)
            .header("Accept", accept)
            .send()
    };
    let resp = with_accept("application/vnd.mx.atrium.v2+json")
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_ACCEPTABLE);
    let body: Value = resp.json().await.unwrap();
    assert!(!error_message(&body).is_empty());
    assert_eq!(
        with_accept("application/json").await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn users_are_created_read_updated_and_deleted() {
    let sb = Sandbox::start().await;
    let user = sb.create_user("partner-1").await;
    let guid = user["guid"].as_str().unwrap().to_string();
    assert!(guid.starts_with("USR-") && guid.len() == 40, "{guid}");
    assert_eq!(
        user,
        json!({"guid": guid, "identifier": "partner-1", "is_disabled": false, "metadata": null})
    );

    let (s, v) = sb.call(Method::GET, &format!("/users/{guid}"), None).await;
    assert_eq!((s, &v["user"]), (StatusCode::OK, &user));

    let change = json!({"user": {"metadata": "{\"a\":1}", "is_disabled": true}});
    let v = sb
        .ok(Method::PUT, &format!("/users/{guid}"), Some(change))
        .await;
    assert_eq!(v["user"]["metadata"], "{\"a\":1}");
    assert_eq!(v["user"]["is_disabled"], true);
    assert_eq!(v["user"]["identifier"], "partner-1");

    let resp = sb.send(Method::DELETE, &format!("/users/{guid}")).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert!(resp.text().await.unwrap().is_empty());
    let path = format!("/users/{guid}");
    let v = sb.get_expecting(&path, StatusCode::NOT_FOUND).await;
    assert!(!error_message(&v).is_empty());
}

#[tokio::test]
async fn bad_user_requests_are_refused_and_change_nothing() {
    let sb = Sandbox::start().await;
    let user = sb.create_user("taken").await;
    let guid = user["guid"].as_str().unwrap();
    let before = sb.user_count().await;

    // The field a refusal names, where the answer must name one.
    for (body, want, names) in [
        (
            json!({"user": {"identifier": "taken"}}),
            StatusCode::CONFLICT,
            "",
        ),
        (json!({"user": {}}), StatusCode::BAD_REQUEST, ""),
        (
            json!({"user": {"is_disabled": "yes"}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "user.is_disabled",
        ),
        (
            json!({"identifier": "no envelope"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
        ),
    ] {
        let v = sb.expect(Method::POST, "/users", Some(body), want).await;
        assert!(error_message(&v).contains(names), "names the field: {v}");
    }
    let resp = sb.send_json_text(Method::POST, "/users", "{not json").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (path, rename) = (format!("/users/{guid}"), json!({"user": {"identifier": 7}}));
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    sb.expect(Method::PUT, &path, Some(rename), unprocessable)
        .await;

    assert_eq!(sb.user_count().await, before);
    let (_, v) = sb.call(Method::GET, &format!("/users/{guid}"), None).await;
    assert_eq!(v["user"], user, "the refused update changed nothing");

    for bad in ["USR-nope", "MBR-123", "USR-", "whatever"] {
        let path = format!("/users/{bad}");
        sb.get_expecting(&path, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn users_are_paginated() {
    let sb = Sandbox::start().await;
    for i in 0..7 {
        sb.create_user(&format!("u{i}")).await;
    }
    let v = sb.get("/users?page=2&records_per_page=3").await;
    assert_eq!(
        v["pagination"],
        json!({"current_page": 2, "per_page": 3, "total_entries": 7, "total_pages": 3})
    );
    assert_eq!(texts(&v, "users", "identifier"), ["u3", "u4", "u5"]);
}

#[tokio::test]
async fn the_user_limit_answers_405() {
    let sb = Sandbox::with(Config {
        max_users: 2,
        ..Config::new(KEY, CLIENT)
    })
    .await;
    sb.create_user("a").await;
    sb.create_user("b").await;
    let third = Some(json!({"user": {"identifier": "c"}}));
    let refused = StatusCode::METHOD_NOT_ALLOWED;
    sb.expect(Method::POST, "/users", third, refused).await;
    assert_eq!(sb.user_count().await, 2);
}

#[tokio::test]
async fn institutions_filter_and_paginate() {
    let sb = Sandbox::start().await;
    let v = sb.get("/institutions?name=MX").await;
    let names = texts(&v, "institutions", "name");
    assert!(names.contains(&"MX Bank"), "{names:?}");
    assert!(names.iter().all(|n| n.to_lowercase().contains("mx")));
    assert_eq!(
        v["pagination"]["total_entries"].as_u64().unwrap() as usize,
        names.len()
    );

    let all = sb.get("/institutions").await;
    assert_eq!(
        all["pagination"],
        json!({"current_page": 1, "per_page": 25, "total_entries": 15, "total_pages": 1})
    );
    let p4 = sb.get("/institutions?page=4&records_per_page=4").await;
    assert_eq!(
        p4["pagination"],
        json!({"current_page": 4, "per_page": 4, "total_entries": 15, "total_pages": 4})
    );
    assert_eq!(items(&p4, "institutions").len(), 3);

    let statement_free = sb
        .get("/institutions?supports_account_statement=false")
        .await;
    assert!(items(&statement_free, "institutions")
        .iter()
        .all(|i| i["supports_account_statement"] == false));

    let bad = [
        "page=0",
        "records_per_page=0",
        "records_per_page=5000",
        "page=abc",
        "supports_account_statement=yes",
    ];
    sb.refuses_queries("/institutions", &bad).await;
}

#[tokio::test]
async fn mx_bank_and_its_credentials() {
    let sb = Sandbox::start().await;
    let v = sb.get("/institutions/mxbank").await;
    let i = &v["institution"];
    assert_eq!(
        (i["code"].as_str(), i["name"].as_str()),
        (Some("mxbank"), Some("MX Bank"))
    );
    for flag in [
        "supports_account_identification",
        "supports_account_statement",
        "supports_account_verification",
        "supports_oauth",
        "supports_transaction_history",
    ] {
        assert!(i[flag].is_boolean(), "{flag}");
    }
    let v = sb.get("/institutions/mxbank/credentials").await;
    assert_eq!(
        texts(&v, "credentials", "guid"),
        [
            "CRD-9f61fb4c-912c-bd1e-b175-ccc7f0275cc1",
            "CRD-e3d7ea81-aac7-05e9-fbdd-4b493c6e474d"
        ]
    );
    assert!(
        v.get("pagination").is_none(),
        "credentials are not paginated"
    );
    let (s, _) = sb.call(Method::GET, "/institutions/nope", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_endpoints_and_methods_answer_json_errors() {
    let sb = Sandbox::start().await;
    for (method, path, want) in [
        (Method::GET, "/nothing/here", StatusCode::NOT_FOUND),
        (
            Method::DELETE,
            "/institutions",
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let v = sb.expect(method, path, None, want).await;
        assert!(!error_message(&v).is_empty());
    }
}
