//! Tokens already verified, so that a browser's every request does not check a signature again.
//!
//! A page sends the same token with each of its calls; verifying it (base64, two JSON reads,
//! an HMAC or an RSA/ECDSA check) was a sixth of the relay's own CPU a request (BENCHMARKS.md).
//! Only tokens that verified are kept, under their exact text, so a forged or altered token is
//! never found here. A kept token is still refused once it expires, and is verified afresh
//! after `MAX_AGE`, so that a key stops admitting its tokens at most `MAX_AGE` after the
//! relay's own key set drops it.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use quick_cache::sync::Cache;

use super::{Claims, TokenError, Verifier, LEEWAY_SECS};

/// How long a verified token is trusted before its signature is checked again.
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// Tokens kept at once (a few hundred bytes each); the cache forgets the least used first.
const CAPACITY: usize = 10_000;

#[derive(Clone)]
struct Entry {
    claims: Claims,
    verified_at: Instant,
}

pub struct Admitted {
    cache: Cache<String, Entry>,
}

impl Default for Admitted {
    fn default() -> Self {
        Admitted {
            cache: Cache::new(CAPACITY),
        }
    }
}

impl std::fmt::Debug for Admitted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the tokens.
        f.debug_struct("Admitted")
            .field("len", &self.cache.len())
            .finish()
    }
}

impl Admitted {
    /// The claims of `token`: from the cache while it is fresh, otherwise verified by
    /// `verifier` (and kept if it verifies).
    pub async fn verify(&self, verifier: &Verifier, token: &str) -> Result<Claims, TokenError> {
        self.verify_at(verifier, token, Instant::now(), SystemTime::now())
            .await
    }

    async fn verify_at(
        &self,
        verifier: &Verifier,
        token: &str,
        now: Instant,
        wall: SystemTime,
    ) -> Result<Claims, TokenError> {
        if let Some(entry) = self.cache.get(token) {
            if now.saturating_duration_since(entry.verified_at) < MAX_AGE {
                return unexpired(entry.claims, wall);
            }
            self.cache.remove(token);
        }
        let claims = verifier.verify(token).await?;
        let entry = Entry {
            claims: claims.clone(),
            verified_at: now,
        };
        self.cache.insert(token.to_string(), entry);
        Ok(claims)
    }
}

/// The expiry rule of the verification itself (`exp` + leeway, whole seconds), for a token
/// whose signature was checked earlier.
fn unexpired(claims: Claims, wall: SystemTime) -> Result<Claims, TokenError> {
    let secs = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    if secs(claims.expires_at) + LEEWAY_SECS < secs(wall) {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::SigningKey;

    const USER: &str = "USR-fa7537f3-48aa-a683-a02a-b18940482f54";

    fn verifier(key: &[u8; 32]) -> Verifier {
        SigningKey::new(*key).expect("a key").into()
    }

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(f)
    }

    #[test]
    fn a_kept_token_is_admitted_without_its_signature_being_checked_again() {
        let key = *b"0123456789abcdef0123456789abcdef";
        let token = SigningKey::new(key)
            .and_then(|k| k.mint(USER, Duration::from_secs(900)))
            .expect("a token")
            .token;
        let admitted = Admitted::default();
        let now = Instant::now();
        let wall = SystemTime::now();
        let first = block_on(admitted.verify_at(&verifier(&key), &token, now, wall));
        assert_eq!(first.expect("valid").user_guid, USER);
        // Another key would refuse it: only the cache can admit it now.
        let other = verifier(b"another-key-another-key-another-");
        let later = now + Duration::from_secs(30);
        let kept = block_on(admitted.verify_at(&other, &token, later, wall));
        assert_eq!(kept.expect("kept").user_guid, USER);
        // Past MAX_AGE it is verified again, and that verifier refuses it.
        let stale = now + MAX_AGE + Duration::from_secs(1);
        let again = block_on(admitted.verify_at(&other, &token, stale, wall));
        assert_eq!(again.err(), Some(TokenError::BadSignature));
    }

    #[test]
    fn a_kept_token_expires_as_a_verified_one_does() {
        let key = *b"0123456789abcdef0123456789abcdef";
        let minted = SigningKey::new(key)
            .and_then(|k| k.mint(USER, Duration::from_secs(20)))
            .expect("a token");
        let admitted = Admitted::default();
        let now = Instant::now();
        let wall = SystemTime::now();
        block_on(admitted.verify_at(&verifier(&key), &minted.token, now, wall)).expect("valid");
        let edge = minted.expires_at + Duration::from_secs(LEEWAY_SECS);
        let at_edge = block_on(admitted.verify_at(&verifier(&key), &minted.token, now, edge));
        assert!(at_edge.is_ok(), "within the leeway");
        let past = edge + Duration::from_secs(1);
        let expired = block_on(admitted.verify_at(&verifier(&key), &minted.token, now, past));
        assert_eq!(expired.err(), Some(TokenError::Expired));
    }

    #[test]
    fn a_refused_token_is_not_kept() {
        let admitted = Admitted::default();
        let key = *b"0123456789abcdef0123456789abcdef";
        let forged = SigningKey::new(*b"another-key-another-key-another-")
            .and_then(|k| k.mint(USER, Duration::from_secs(900)))
            .expect("a token")
            .token;
        let now = Instant::now();
        let wall = SystemTime::now();
        let refused = block_on(admitted.verify_at(&verifier(&key), &forged, now, wall));
        assert_eq!(refused.err(), Some(TokenError::BadSignature));
        assert_eq!(admitted.cache.len(), 0);
    }
}
