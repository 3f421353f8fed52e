//! HS256 tokens with the relay's own signing key: what a partner's backend mints.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{claims, peek, Claims, Expect, TokenError};
use crate::guid::is_user_guid;

/// Shorter keys are refused: HMAC-SHA256 wants at least as many bytes as its output.
pub const MIN_KEY_BYTES: usize = 32;

/// A freshly minted token.
#[derive(Debug, Clone)]
pub struct Minted {
    pub token: String,
    pub expires_at: SystemTime,
}

#[derive(Serialize)]
struct MintClaims<'a> {
    sub: &'a str,
    iat: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
}

/// The secret that signs and checks relay tokens, with the `aud` and `iss` they carry.
#[derive(Clone)]
pub struct SigningKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
    expect: Expect,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("expect", &self.expect)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, TokenError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_KEY_BYTES {
            return Err(TokenError::WeakKey);
        }
        Ok(SigningKey {
            encoding: EncodingKey::from_secret(&bytes),
            decoding: DecodingKey::from_secret(&bytes),
            expect: Expect::default(),
        })
    }

    /// A random key, for sandbox mode, where tokens need not outlive the process.
    pub fn random() -> std::io::Result<Self> {
        let mut bytes = vec![0u8; MIN_KEY_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        SigningKey::new(bytes).map_err(std::io::Error::other)
    }

    /// Tokens carry, and must carry, this `aud` and `iss` (each when given).
    pub fn expecting(mut self, expect: Expect) -> Self {
        self.expect = expect;
        self
    }

    /// A token for `user_guid` that expires `ttl` after `now`.
    pub fn mint_at(
        &self,
        user_guid: &str,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<Minted, TokenError> {
        if !is_user_guid(user_guid) {
            return Err(TokenError::BadUserGuid(user_guid.to_string()));
        }
        let iat = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let exp = iat + ttl.as_secs().max(1);
        let claims = MintClaims {
            sub: user_guid,
            iat,
            exp,
            aud: self.expect.audience.as_deref(),
            iss: self.expect.issuer.as_deref(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(Minted {
            token,
            expires_at: UNIX_EPOCH + Duration::from_secs(exp),
        })
    }

    pub fn mint(&self, user_guid: &str, ttl: Duration) -> Result<Minted, TokenError> {
        self.mint_at(user_guid, ttl, SystemTime::now())
    }

    /// The claims of `token` if it is an HS256 JWT of this key, current, for this relay.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = peek(token)?;
        if header.alg != "HS256" {
            return Err(TokenError::Algorithm(header.alg));
        }
        let validation = self.expect.validation(Algorithm::HS256);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &validation)?;
        claims(data.claims, "sub")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    const USER: &str = "USR-fa7537f3-48aa-a683-a02a-b18940482f54";

    fn key() -> SigningKey {
        SigningKey::new(*b"0123456789abcdef0123456789abcdef").expect("a key")
    }

    #[test]
    fn a_minted_token_is_a_standard_jwt_that_verifies() {
        let minted = key().mint(USER, Duration::from_secs(900)).expect("a token");
        let claims = key().verify(&minted.token).expect("valid");
        assert_eq!(claims.user_guid, USER);
        assert_eq!(claims.expires_at, minted.expires_at);
        let header = minted.token.split('.').next().expect("a header");
        let header = URL_SAFE_NO_PAD.decode(header).expect("base64");
        let header: Value = serde_json::from_slice(&header).expect("JSON");
        assert_eq!(header["alg"], "HS256");
    }

    #[test]
    fn expiry_is_enforced_past_the_leeway() {
        let long_ago = SystemTime::now() - Duration::from_secs(3600);
        let minted = key()
            .mint_at(USER, Duration::from_secs(60), long_ago)
            .expect("a token");
        assert_eq!(key().verify(&minted.token), Err(TokenError::Expired));
    }

    #[test]
    fn another_key_or_a_changed_payload_fails() {
        let minted = key().mint(USER, Duration::from_secs(60)).expect("a token");
        let other = SigningKey::new(vec![7u8; 32]).expect("a key");
        assert_eq!(other.verify(&minted.token), Err(TokenError::BadSignature));
        let parts: Vec<&str> = minted.token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"USR-evil","exp":99999999999}"#);
        let forged = format!("{}.{forged}.{}", parts[0], parts[2]);
        assert_eq!(key().verify(&forged), Err(TokenError::BadSignature));
    }

    #[test]
    fn audience_and_issuer_are_required_when_configured() {
        let expect = Expect {
            audience: Some("relay".into()),
            issuer: Some("backend".into()),
        };
        let strict = key().expecting(expect.clone());
        let no_aud = key().expecting(Expect {
            audience: None,
            ..expect.clone()
        });
        let token = no_aud.mint(USER, Duration::from_secs(60)).expect("a token");
        assert_eq!(strict.verify(&token.token), Err(TokenError::Audience));
        let wrong_aud = key().expecting(Expect {
            audience: Some("other".into()),
            ..expect.clone()
        });
        let token = wrong_aud
            .mint(USER, Duration::from_secs(60))
            .expect("a token");
        assert_eq!(strict.verify(&token.token), Err(TokenError::Audience));
        let wrong_iss = key().expecting(Expect {
            issuer: Some("other".into()),
            ..expect
        });
        let token = wrong_iss
            .mint(USER, Duration::from_secs(60))
            .expect("a token");
        assert_eq!(strict.verify(&token.token), Err(TokenError::Issuer));
        let good = strict.mint(USER, Duration::from_secs(60)).expect("a token");
        assert_eq!(strict.verify(&good.token).expect("valid").user_guid, USER);
    }

    #[test]
    fn none_and_other_algorithms_are_refused_by_name() {
        let minted = key().mint(USER, Duration::from_secs(60)).expect("a token");
        let body = minted.token.split('.').nth(1).expect("claims");
        for alg in ["none", "RS256", "HS512"] {
            let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#));
            assert_eq!(
                key().verify(&format!("{header}.{body}.")),
                Err(TokenError::Algorithm(alg.into()))
            );
        }
    }

    #[test]
    fn keys_and_guids_are_checked() {
        assert_eq!(
            SigningKey::new(vec![1u8; 31]).err(),
            Some(TokenError::WeakKey)
        );
        for bad in ["MBR-1", "USR-1/../x"] {
            assert!(matches!(
                key().mint(bad, Duration::from_secs(1)),
                Err(TokenError::BadUserGuid(_))
            ));
        }
    }
}
