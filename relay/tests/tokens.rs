//! Tokens as a partner brings them: the relay's own HS256 JWTs and an identity provider's
//! RS256/ES256 ones checked against its JWKS; every bad token refused with its own code.

mod common;

use std::time::Duration;

use atrium_relay::{Config, Jwks, JwksConfig, SigningKey, Verifier};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::idp::{self, claims_for, ec_key, rsa_key, IdpKey, AUDIENCE, ISSUER};
use common::{open_config, sandbox, start_verified, upstream, Relay};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn config() -> Config {
    Config {
        open_sessions: false,
        ..open_config()
    }
}

/// A relay in front of a real sandbox that admits the provider's tokens.
async fn relay_for(jwks: &idp::Jwks, user_claim: &str, min_refresh: Duration) -> Relay {
    let verifier = Jwks::new(JwksConfig {
        user_claim: user_claim.into(),
        min_refresh,
        ..JwksConfig::new(jwks.url.clone(), ISSUER.into(), AUDIENCE.into())
    })
    .expect("a verifier");
    start_verified(
        config(),
        upstream(&sandbox().await),
        Verifier::from(verifier),
    )
    .await
}

/// A user of the sandbox behind `relay`, made with the partner's key pair.
async fn sandbox_user(relay: &Relay) -> String {
    let created = relay
        .sandbox_call(
            Method::POST,
            "/users",
            json!({ "user": { "identifier": format!("idp-{}", idp::now()) } }),
        )
        .await;
    created["user"]["guid"].as_str().expect("a user").into()
}

/// The relay's answer to `token` on the session read: status and error code.
async fn answer(relay: &Relay, token: &str) -> (StatusCode, String) {
    let (status, body) = relay
        .call(Method::GET, "/atrium/session", Some(token))
        .await;
    (status, body["error"]["code"].as_str().unwrap_or("").into())
}

#[tokio::test]
async fn an_identity_providers_rs256_and_es256_tokens_admit_their_user() {
    let (rsa, ec) = (rsa_key("rsa-1"), ec_key("ec-1"));
    let jwks = idp::Jwks::serve(vec![rsa.jwk.clone(), ec.jwk.clone()]).await;
    let relay = relay_for(&jwks, "atrium_user", Duration::from_secs(30)).await;
    let user = sandbox_user(&relay).await;
    for key in [&rsa, &ec] {
        // The provider's own subject is its user id; the Atrium GUID is in a claim of its own.
        let mut claims = claims_for("auth0|5f7c");
        claims["atrium_user"] = json!(user);
        let token = key.sign(&claims);
        let (status, body) = relay
            .call(Method::GET, "/atrium/session", Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK, "{:?}: {body}", key.alg);
        assert_eq!(body["user_guid"], json!(user));
        let (status, body) = relay
            .call(Method::GET, &format!("/atrium/users/{user}"), Some(&token))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["user"]["guid"], json!(user));
        // And only its own user.
        let other = "/atrium/users/USR-0000-other";
        assert_eq!(
            relay.call(Method::GET, other, Some(&token)).await.0,
            StatusCode::FORBIDDEN
        );
    }
}

/// A token whose header is `header` and whose claims are `claims`, signed with `key`.
fn signed(header: Header, claims: &Value, key: &EncodingKey) -> String {
    jsonwebtoken::encode(&header, claims, key).expect("a token")
}

fn with_kid(alg: Algorithm, kid: &str) -> Header {
    Header {
        kid: Some(kid.into()),
        ..Header::new(alg)
    }
}

/// Every way a token goes wrong, each with the code a partner's logs can tell apart.
fn bad_tokens(rsa: &IdpKey, ec: &IdpKey, user: &str) -> Vec<(&'static str, String, &'static str)> {
    let good = claims_for(user);
    let edit = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let no_aud = {
        let mut c = good.clone();
        c.as_object_mut().expect("an object").remove("aud");
        c
    };
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","kid":"{}"}}"#, rsa.kid)),
        URL_SAFE_NO_PAD.encode(good.to_string())
    );
    // HS/RS confusion: the RSA public key (which anyone may read) used as an HMAC secret.
    let confused = EncodingKey::from_secret(rsa.public_pem.as_bytes());
    let stranger = rsa_key(&rsa.kid);
    vec![
        (
            "expired",
            rsa.sign(&edit("exp", json!(idp::now() - 600))),
            "token_expired",
        ),
        (
            "another audience",
            rsa.sign(&edit("aud", json!("other-app"))),
            "token_audience",
        ),
        ("no audience", rsa.sign(&no_aud), "token_audience"),
        (
            "another issuer",
            ec.sign(&edit("iss", json!("https://evil.test/"))),
            "token_issuer",
        ),
        ("alg none", unsigned, "token_algorithm"),
        (
            "HS256 with the public key",
            signed(with_kid(Algorithm::HS256, &rsa.kid), &good, &confused),
            "token_algorithm",
        ),
        (
            "ES256 naming an RSA key",
            signed(with_kid(Algorithm::ES256, &rsa.kid), &good, &ec.signing),
            "token_algorithm",
        ),
        (
            "unknown kid",
            signed(
                with_kid(Algorithm::RS256, "rotated-away"),
                &good,
                &rsa.signing,
            ),
            "token_unknown_kid",
        ),
        (
            "no kid",
            signed(Header::new(Algorithm::RS256), &good, &rsa.signing),
            "token_unknown_kid",
        ),
        (
            "another key, same kid",
            stranger.sign(&good),
            "token_signature",
        ),
        (
            "a member GUID as the user",
            rsa.sign(&edit("sub", json!("MBR-1234"))),
            "token_user_claim",
        ),
        (
            "a number as the user",
            rsa.sign(&edit("sub", json!(42))),
            "token_user_claim",
        ),
        (
            "not yet valid",
            rsa.sign(&edit("nbf", json!(idp::now() + 600))),
            "token_not_yet_valid",
        ),
        ("not a JWT", "v1.e30.AAAA".into(), "token_malformed"),
    ]
}

#[tokio::test]
async fn each_bad_token_is_refused_with_its_own_code() {
    let (rsa, ec) = (rsa_key("rsa-1"), ec_key("ec-1"));
    let jwks = idp::Jwks::serve(vec![rsa.jwk.clone(), ec.jwk.clone()]).await;
    let relay = relay_for(&jwks, "sub", Duration::from_secs(30)).await;
    let user = sandbox_user(&relay).await;
    assert_eq!(
        answer(&relay, &rsa.sign(&claims_for(&user))).await.0,
        StatusCode::OK
    );
    for (what, token, code) in bad_tokens(&rsa, &ec, &user) {
        let response = relay.get_raw("/atrium/session", Some(&token)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{what}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
    }
}

#[tokio::test]
async fn a_rotated_key_is_fetched_and_made_up_kids_cannot_hammer_the_provider() {
    let first = rsa_key("2026-11");
    let jwks = idp::Jwks::serve(vec![first.jwk.clone()]).await;
    let relay = relay_for(&jwks, "sub", Duration::from_millis(300)).await;
    let user = sandbox_user(&relay).await;
    assert_eq!(
        answer(&relay, &first.sign(&claims_for(&user))).await.0,
        StatusCode::OK
    );
    assert_eq!(jwks.fetches(), 1, "fetched once, then cached");
    tokio::time::sleep(Duration::from_millis(350)).await;
    let next = ec_key("2026-12");
    jwks.publish(next.jwk.clone());
    assert_eq!(
        answer(&relay, &next.sign(&claims_for(&user))).await,
        (StatusCode::OK, String::new())
    );
    assert_eq!(jwks.fetches(), 2, "an unknown kid fetches the keys again");
    for n in 0..20 {
        let made_up = signed(
            with_kid(Algorithm::RS256, &format!("kid-{n}")),
            &claims_for(&user),
            &first.signing,
        );
        assert_eq!(answer(&relay, &made_up).await.1, "token_unknown_kid");
    }
    assert_eq!(
        jwks.fetches(),
        2,
        "within the bound, made-up kids fetch nothing"
    );
    tokio::time::sleep(Duration::from_millis(350)).await;
    let made_up = signed(
        with_kid(Algorithm::RS256, "kid-late"),
        &claims_for(&user),
        &first.signing,
    );
    assert_eq!(answer(&relay, &made_up).await.1, "token_unknown_kid");
    assert_eq!(jwks.fetches(), 3, "past the bound, one more fetch");
}

#[tokio::test]
async fn keys_that_cannot_be_fetched_are_a_retryable_503_not_a_refusal() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!(
        "http://{}/jwks.json",
        closed.local_addr().expect("an address")
    );
    drop(closed);
    let verifier =
        Jwks::new(JwksConfig::new(url, ISSUER.into(), AUDIENCE.into())).expect("a verifier");
    let relay = start_verified(config(), upstream(&sandbox().await), verifier.into()).await;
    let token = rsa_key("k").sign(&claims_for("USR-123"));
    let response = relay.get_raw("/atrium/session", Some(&token)).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "jwks_unavailable");
}

#[tokio::test]
async fn the_relays_own_tokens_are_hs256_jwts_with_the_claims_it_requires() {
    let expect = atrium_relay::Expect {
        audience: Some("relay.partner.test".into()),
        issuer: Some("partner-backend".into()),
    };
    let key = common::signing_key().expecting(expect.clone());
    let relay = start_verified(config(), upstream(&sandbox().await), key.clone().into()).await;
    let user = sandbox_user(&relay).await;
    let minted = key.mint(&user, Duration::from_secs(60)).expect("a token");
    assert_eq!(
        answer(&relay, &minted.token).await,
        (StatusCode::OK, String::new())
    );
    // What a backend's JWT library makes of the same key: accepted alike.
    let secret = EncodingKey::from_secret(common::SIGNING_KEY);
    let claims = json!({ "sub": user, "exp": idp::now() + 60, "aud": "relay.partner.test", "iss": "partner-backend" });
    let theirs = signed(Header::new(Algorithm::HS256), &claims, &secret);
    assert_eq!(
        answer(&relay, &theirs).await,
        (StatusCode::OK, String::new())
    );
    let bare = SigningKey::new(common::SIGNING_KEY.to_vec()).expect("a key");
    let no_claims = bare.mint(&user, Duration::from_secs(60)).expect("a token");
    let refused = answer(&relay, &no_claims.token).await.1;
    assert!(
        ["token_audience", "token_issuer"].contains(&refused.as_str()),
        "{refused}"
    );
    let rs = rsa_key("k").sign(&claims);
    assert_eq!(answer(&relay, &rs).await.1, "token_algorithm");
}
