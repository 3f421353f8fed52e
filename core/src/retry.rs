//! When to send a request again, and how long to wait first: exponential backoff with full
//! jitter, `Retry-After` honoured; reads, and writes only when refused unprocessed (429).

use crate::error::AtriumError;
use crate::options::RetryOptions;

/// The wait before retry number `attempt` (1 for the first retry): uniform in
/// `0..=min(max, base * 2^(attempt-1))` by `unit` (a random number in `[0, 1)`), and never
/// shorter than the server's `Retry-After`.
pub fn delay_ms(
    attempt: u32,
    options: &RetryOptions,
    unit: f64,
    retry_after_ms: Option<u32>,
) -> u32 {
    let ceiling = u64::from(options.base_delay_ms)
        .saturating_mul(1u64 << attempt.saturating_sub(1).min(30))
        .min(u64::from(options.max_delay_ms));
    let jittered = (ceiling as f64 * unit.clamp(0.0, 1.0)).floor() as u32;
    jittered.max(retry_after_ms.unwrap_or(0))
}

/// Whether a request that failed with `error` after `attempts_made` attempts is sent again.
/// A write is sent again only when it was refused before anything happened: a 429 (the
/// relay's rate limit or Atrium's) is a refusal to take the request at all.
pub fn should_retry(
    idempotent: bool,
    error: &AtriumError,
    attempts_made: u32,
    options: &RetryOptions,
) -> bool {
    (idempotent || not_taken(error)) && error.retryable() && attempts_made <= options.retries
}

/// Whether the request was refused before it was acted on, so a write may be sent again.
pub fn not_taken(error: &AtriumError) -> bool {
    error.status() == 429
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> AtriumError {
        AtriumError::from_status(status)
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let o = RetryOptions {
            retries: 5,
            base_delay_ms: 100,
            max_delay_ms: 1000,
        };
        assert_eq!(delay_ms(1, &o, 0.999_999, None), 99);
        assert_eq!(delay_ms(3, &o, 0.999_999, None), 399);
        assert_eq!(delay_ms(9, &o, 0.999_999, None), 999, "capped");
        assert_eq!(delay_ms(3, &o, 0.0, None), 0, "full jitter reaches zero");
        assert_eq!(delay_ms(1, &o, 0.5, Some(3000)), 3000, "Retry-After wins");
        assert_eq!(delay_ms(40, &o, 0.5, None), 500, "no overflow");
    }

    #[test]
    fn reads_and_untaken_writes_and_only_transient_failures() {
        let o = RetryOptions {
            retries: 2,
            base_delay_ms: 1,
            max_delay_ms: 1,
        };
        assert!(should_retry(true, &http(503), 1, &o));
        assert!(should_retry(true, &http(429), 2, &o));
        assert!(!should_retry(true, &http(503), 3, &o), "retries exhausted");
        assert!(!should_retry(false, &http(503), 1, &o), "not a read");
        assert!(
            !should_retry(false, &AtriumError::Network("x".into()), 1, &o),
            "a write that may have happened"
        );
        assert!(
            should_retry(false, &http(429), 1, &o),
            "a write refused untaken"
        );
        assert!(!should_retry(false, &http(429), 3, &o), "retries exhausted");
        assert!(!should_retry(true, &http(409), 1, &o), "never on 409");
        assert!(!should_retry(true, &AtriumError::Aborted, 1, &o));
        assert!(should_retry(true, &AtriumError::Network("x".into()), 1, &o));
    }
}
