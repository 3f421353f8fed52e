//! Relay tokens: an Atrium user GUID and an expiry, signed with HMAC-SHA256.
//!
//! Form: `v1.<base64url(JSON {"sub": user_guid, "exp": unix seconds})>.<base64url(mac)>`, the
//! MAC taken over everything before the last dot. A partner's backend mints them with
//! [`SigningKey::mint`] (or `atrium-relay mint-token`); the relay checks them on every request.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::guid::is_user_guid;

const VERSION: &str = "v1";
/// Shorter keys are refused: HMAC-SHA256 wants at least as many bytes as its output.
pub const MIN_KEY_BYTES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the signing key must be at least {MIN_KEY_BYTES} bytes")]
    WeakKey,
    #[error("{0:?} is not an Atrium user GUID (USR-...)")]
    BadUserGuid(String),
    #[error("the relay token is malformed")]
    Malformed,
    #[error("the relay token's signature does not match")]
    BadSignature,
    #[error("the relay token has expired")]
    Expired,
}

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub user_guid: String,
    pub expires_at: SystemTime,
}

/// A freshly minted token.
#[derive(Debug, Clone)]
pub struct Minted {
    pub token: String,
    pub expires_at: SystemTime,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    sub: String,
    exp: u64,
}

/// The secret that signs and checks relay tokens.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, TokenError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_KEY_BYTES {
            return Err(TokenError::WeakKey);
        }
        Ok(SigningKey(bytes))
    }

    /// A random key, for sandbox mode, where tokens need not outlive the process.
    pub fn random() -> std::io::Result<Self> {
        let mut bytes = vec![0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(SigningKey(bytes))
    }

    fn mac(&self, signed: &str) -> Hmac<Sha256> {
        // new_from_slice takes keys of any length for HMAC; the length was checked above.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        mac.update(signed.as_bytes());
        mac
    }

    /// A token for `user_guid` that expires `ttl` from `now`.
    pub fn mint_at(
        &self,
        user_guid: &str,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<Minted, TokenError> {
        if !is_user_guid(user_guid) {
            return Err(TokenError::BadUserGuid(user_guid.to_string()));
        }
        let expires_at = now + ttl;
        let exp = unix_seconds(expires_at);
        let payload = serde_json::to_vec(&Payload {
            sub: user_guid.to_string(),
            exp,
        })
        .map_err(|_| TokenError::Malformed)?;
        let signed = format!("{VERSION}.{}", URL_SAFE_NO_PAD.encode(payload));
        let sig = URL_SAFE_NO_PAD.encode(self.mac(&signed).finalize().into_bytes());
        Ok(Minted {
            token: format!("{signed}.{sig}"),
            expires_at: UNIX_EPOCH + Duration::from_secs(exp),
        })
    }

    pub fn mint(&self, user_guid: &str, ttl: Duration) -> Result<Minted, TokenError> {
        self.mint_at(user_guid, ttl, SystemTime::now())
    }

    /// The claims of `token` if its signature holds and it has not expired at `now`.
    pub fn verify_at(&self, token: &str, now: SystemTime) -> Result<Claims, TokenError> {
        let (signed, sig) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let (version, payload) = signed.split_once('.').ok_or(TokenError::Malformed)?;
        if version != VERSION {
            return Err(TokenError::Malformed);
        }
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| TokenError::Malformed)?;
        self.mac(signed)
            .verify_slice(&sig)
            .map_err(|_| TokenError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        let payload: Payload =
            serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if !is_user_guid(&payload.sub) {
            return Err(TokenError::Malformed);
        }
        let expires_at = UNIX_EPOCH + Duration::from_secs(payload.exp);
        if expires_at <= now {
            return Err(TokenError::Expired);
        }
        Ok(Claims {
            user_guid: payload.sub,
            expires_at,
        })
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        self.verify_at(token, SystemTime::now())
    }
}

fn unix_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// An RFC 3339 timestamp in UTC, as `expires_at` is written on the wire.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "USR-fa7537f3-48aa-a683-a02a-b18940482f54";

    fn key() -> SigningKey {
        SigningKey::new(*b"0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn round_trip() {
        let now = SystemTime::now();
        let minted = key().mint_at(USER, Duration::from_secs(900), now).unwrap();
        let claims = key().verify_at(&minted.token, now).unwrap();
        assert_eq!(claims.user_guid, USER);
        assert_eq!(claims.expires_at, minted.expires_at);
        assert!(minted.token.starts_with("v1."));
    }

    #[test]
    fn expiry_is_enforced() {
        let now = SystemTime::now();
        let minted = key().mint_at(USER, Duration::from_secs(60), now).unwrap();
        assert_eq!(
            key().verify_at(&minted.token, now + Duration::from_secs(61)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn another_key_or_a_changed_payload_fails() {
        let minted = key().mint(USER, Duration::from_secs(60)).unwrap();
        let other = SigningKey::new(vec![7u8; 32]).unwrap();
        assert_eq!(other.verify(&minted.token), Err(TokenError::BadSignature));
        // Swap in a payload for another user, keeping the signature.
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"USR-evil","exp":99999999999}"#);
        let sig = minted.token.rsplit_once('.').unwrap().1;
        let forged = format!("v1.{forged_payload}.{sig}");
        assert_eq!(key().verify(&forged), Err(TokenError::BadSignature));
    }

    #[test]
    fn junk_is_malformed_not_a_panic() {
        for junk in [
            "",
            ".",
            "v1..",
            "v2.abc.def",
            "v1.!!!.???",
            "nodots",
            "v1.e30.AAAA",
        ] {
            assert!(key().verify(junk).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn keys_and_guids_are_checked() {
        assert_eq!(
            SigningKey::new(vec![1u8; 31]).unwrap_err(),
            TokenError::WeakKey
        );
        assert!(matches!(
            key().mint("MBR-1", Duration::from_secs(1)),
            Err(TokenError::BadUserGuid(_))
        ));
        assert!(matches!(
            key().mint("USR-1/../x", Duration::from_secs(1)),
            Err(TokenError::BadUserGuid(_))
        ));
    }
}
