//! A partner's identity provider, made in the test: RSA and P-256 keys and a JWKS served on loopback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::EncodePrivateKey;
use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub const ISSUER: &str = "https://id.partner.test/";
pub const AUDIENCE: &str = "atrium-relay";

/// A key the provider signs with: its `kid`, algorithm, private half and public JWK.
pub struct IdpKey {
    pub kid: String,
    pub alg: Algorithm,
    pub signing: EncodingKey,
    pub jwk: Value,
    /// The public key as PEM text: what an attacker would use as an HMAC secret.
    pub public_pem: String,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn rsa_key(kid: &str) -> IdpKey {
    let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("an RSA key");
    let der = private.to_pkcs1_der().expect("DER");
    let public = private.to_public_key();
    IdpKey {
        kid: kid.into(),
        alg: Algorithm::RS256,
        signing: EncodingKey::from_rsa_der(der.as_bytes()),
        jwk: json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": b64(&public.n().to_bytes_be()), "e": b64(&public.e().to_bytes_be()),
        }),
        public_pem: public
            .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
            .expect("PEM"),
    }
}

pub fn ec_key(kid: &str) -> IdpKey {
    let private = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let der = private.to_pkcs8_der().expect("DER");
    let point = private.public_key().to_encoded_point(false);
    let (x, y) = (point.x().expect("x"), point.y().expect("y"));
    IdpKey {
        kid: kid.into(),
        alg: Algorithm::ES256,
        signing: EncodingKey::from_ec_der(der.as_bytes()),
        jwk: json!({
            "kty": "EC", "crv": "P-256", "use": "sig", "kid": kid,
            "x": b64(x), "y": b64(y),
        }),
        public_pem: String::new(),
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The claims a provider's token for `user` holds, valid for five minutes.
pub fn claims_for(user: &str) -> Value {
    json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": user, "exp": now() + 300, "iat": now() })
}

impl IdpKey {
    /// A token with `claims`, signed by this key, its `kid` in the header.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.signing).expect("a token")
    }
}

/// The provider's JWKS endpoint: the keys it publishes now, and how often it was asked.
#[derive(Clone)]
pub struct Jwks {
    pub url: String,
    keys: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
}

impl Jwks {
    pub async fn serve(keys: Vec<Value>) -> Jwks {
        let keys = Arc::new(Mutex::new(keys));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (k, f) = (keys.clone(), fetches.clone());
        let app = Router::new().route(
            "/.well-known/jwks.json",
            get(move || {
                f.fetch_add(1, Ordering::SeqCst);
                let keys = k.lock().expect("keys").clone();
                async move { Json(json!({ "keys": keys })) }
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Jwks {
            url: format!("http://{addr}/.well-known/jwks.json"),
            keys,
            fetches,
        }
    }

    /// The provider rotates: `jwk` is published too from now on.
    pub fn publish(&self, jwk: Value) {
        self.keys.lock().expect("keys").push(jwk);
    }

    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}
