//! Relay tokens: standard JWTs, checked with the relay's own key or the partner's identity provider.
//!
//! Two ways to admit a browser. [`SigningKey`]: HS256 tokens a partner's backend mints with
//! any JWT library (claims `sub` = the Atrium user GUID, `exp`, and `aud`/`iss` when the relay
//! requires them). [`Jwks`]: RS256 or ES256 tokens of the partner's own identity provider,
//! whose keys the relay fetches, with the user GUID in a configured claim.

mod admitted;
mod jwks;
mod shared;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::guid::is_user_guid;

pub use admitted::Admitted;
pub use jwks::{Jwks, JwksConfig};
pub use shared::{Minted, SigningKey, MIN_KEY_BYTES};

/// Clocks of the minting backend or identity provider and of the relay may differ by this.
const LEEWAY_SECS: u64 = 5;

/// Why a token was refused (or could not be minted); each has its own code on the wire.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    #[error("the signing key must be at least {MIN_KEY_BYTES} bytes")]
    WeakKey,
    #[error("{0:?} is not an Atrium user GUID (USR-...)")]
    BadUserGuid(String),
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token's signature does not match")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's algorithm {0:?} is not accepted here")]
    Algorithm(String),
    #[error("the token is not for this relay's audience")]
    Audience,
    #[error("the token is not from the issuer this relay trusts")]
    Issuer,
    #[error("no key of the identity provider has the token's kid {0:?}")]
    UnknownKey(Option<String>),
    #[error("the token's claim {0:?} is not an Atrium user GUID (USR-...)")]
    UserClaim(String),
    #[error("the identity provider's keys could not be fetched: {0}")]
    KeysUnavailable(String),
}

impl TokenError {
    /// The relay's code for this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::WeakKey | TokenError::BadUserGuid(_) | TokenError::Malformed => {
                "token_malformed"
            }
            TokenError::BadSignature => "token_signature",
            TokenError::Expired => "token_expired",
            TokenError::NotYetValid => "token_not_yet_valid",
            TokenError::Algorithm(_) => "token_algorithm",
            TokenError::Audience => "token_audience",
            TokenError::Issuer => "token_issuer",
            TokenError::UnknownKey(_) => "token_unknown_kid",
            TokenError::UserClaim(_) => "token_user_claim",
            TokenError::KeysUnavailable(_) => "jwks_unavailable",
        }
    }
}

impl From<jsonwebtoken::errors::Error> for TokenError {
    fn from(e: jsonwebtoken::errors::Error) -> Self {
        match e.kind() {
            ErrorKind::InvalidSignature => TokenError::BadSignature,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::ImmatureSignature => TokenError::NotYetValid,
            ErrorKind::InvalidAudience => TokenError::Audience,
            ErrorKind::InvalidIssuer => TokenError::Issuer,
            ErrorKind::MissingRequiredClaim(c) if c == "aud" => TokenError::Audience,
            ErrorKind::MissingRequiredClaim(c) if c == "iss" => TokenError::Issuer,
            ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
                TokenError::Algorithm(String::new())
            }
            _ => TokenError::Malformed,
        }
    }
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub user_guid: String,
    pub expires_at: SystemTime,
}

/// The `aud` and `iss` a relay requires; `None`: not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    pub audience: Option<String>,
    pub issuer: Option<String>,
}

impl Expect {
    fn validation(&self, alg: Algorithm) -> Validation {
        let mut v = Validation::new(alg);
        v.leeway = LEEWAY_SECS;
        v.validate_nbf = true;
        let mut required = vec!["exp"];
        match &self.audience {
            Some(aud) => {
                v.set_audience(&[aud]);
                required.push("aud");
            }
            None => v.validate_aud = false,
        }
        if let Some(iss) = &self.issuer {
            v.set_issuer(&[iss]);
            required.push("iss");
        }
        v.set_required_spec_claims(&required);
        v
    }
}

/// The token's header, read before any key is chosen: its `alg` is checked against what
/// the relay accepts first, so that `none` or an HS256 token signed with a public key never
/// reaches a verifier.
#[derive(Deserialize)]
struct Peek {
    alg: String,
    kid: Option<String>,
}

fn peek(token: &str) -> Result<Peek, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

/// The claims of a verified token, the user GUID read from `user_claim`.
fn claims(map: Map<String, Value>, user_claim: &str) -> Result<Claims, TokenError> {
    let user_guid = match map.get(user_claim) {
        Some(Value::String(s)) if is_user_guid(s) => s.clone(),
        _ => return Err(TokenError::UserClaim(user_claim.to_string())),
    };
    let exp = map
        .get("exp")
        .and_then(Value::as_u64)
        .ok_or(TokenError::Malformed)?;
    // A signed `exp` past what a clock can hold is refused, not a panic.
    let expires_at = UNIX_EPOCH
        .checked_add(Duration::from_secs(exp))
        .ok_or(TokenError::Malformed)?;
    Ok(Claims {
        user_guid,
        expires_at,
    })
}

/// How a relay checks the tokens browsers bring.
#[derive(Debug)]
pub enum Verifier {
    /// HS256 with the relay's own signing key.
    Shared(SigningKey),
    /// RS256 or ES256 with the partner's identity provider's keys.
    Jwks(Jwks),
}

impl Verifier {
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        match self {
            Verifier::Shared(key) => key.verify(token),
            Verifier::Jwks(jwks) => jwks.verify(token).await,
        }
    }

    /// The key that mints tokens, when the relay has one (not with an identity provider).
    pub fn signing_key(&self) -> Option<&SigningKey> {
        match self {
            Verifier::Shared(key) => Some(key),
            Verifier::Jwks(_) => None,
        }
    }
}

impl From<SigningKey> for Verifier {
    fn from(key: SigningKey) -> Self {
        Verifier::Shared(key)
    }
}

impl From<Jwks> for Verifier {
    fn from(jwks: Jwks) -> Self {
        Verifier::Jwks(jwks)
    }
}

/// An RFC 3339 timestamp in UTC, as `expires_at` is written on the wire.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_is_read_only_from_a_three_part_token() {
        for junk in ["", "a.b", "a.b.c.d", "!!!.e30.x", "e30.e30.x"] {
            assert_eq!(peek(junk).err(), Some(TokenError::Malformed), "{junk:?}");
        }
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let peeked = peek(&format!("{header}.e30.")).expect("a header");
        assert_eq!((peeked.alg.as_str(), peeked.kid), ("none", None));
    }

    #[test]
    fn the_user_claim_must_hold_a_user_guid() {
        let map = |v: Value| v.as_object().cloned().expect("an object");
        let good = map(serde_json::json!({"uid": "USR-1", "exp": 5}));
        assert_eq!(
            claims(good.clone(), "uid").expect("claims").user_guid,
            "USR-1"
        );
        assert_eq!(
            claims(good, "sub").err(),
            Some(TokenError::UserClaim("sub".into()))
        );
        let far = map(serde_json::json!({"sub": "USR-1", "exp": u64::MAX}));
        assert_eq!(claims(far, "sub").err(), Some(TokenError::Malformed));
        for bad in [
            serde_json::json!({"sub": "MBR-1", "exp": 5}),
            serde_json::json!({"sub": 7, "exp": 5}),
            serde_json::json!({"sub": "USR-1/../x", "exp": 5}),
        ] {
            assert_eq!(
                claims(map(bad), "sub").err(),
                Some(TokenError::UserClaim("sub".into()))
            );
        }
    }
}
