//! Codes, retryability, and the facts that carry an error to JavaScript and back.

use super::*;

fn http(status: u16) -> AtriumError {
    AtriumError::from_status(status)
}

#[test]
fn statuses_map_to_the_documented_codes() {
    for (status, code) in [
        (400, "bad_request"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not_found"),
        (405, "bad_request"),
        (409, "conflict"),
        (413, "too_large"),
        (422, "bad_request"),
        (429, "rate_limited"),
        (500, "server"),
        (502, "server"),
        (503, "server"),
        (504, "timeout"),
    ] {
        assert_eq!(http(status).code().as_str(), code, "{status}");
    }
    assert_eq!(ErrorCode::ALL.len(), 14);
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
    }
    for code in RelayCode::ALL {
        assert_eq!(RelayCode::parse(code.as_str()), Some(*code));
    }
    assert_eq!(RelayCode::parse("a_code_of_tomorrow"), None);
}

#[test]
fn only_transient_failures_are_retryable() {
    for s in [429, 502, 503, 504] {
        assert!(http(s).retryable(), "{s}");
    }
    assert!(AtriumError::Network("x".into()).retryable());
    assert!(AtriumError::Timeout(5).retryable());
    for s in [400, 401, 403, 404, 409, 413, 422, 500] {
        assert!(!http(s).retryable(), "{s}");
    }
    assert!(!AtriumError::Aborted.retryable());
    assert_eq!(AtriumError::invalid("x").status(), 0);
}

#[test]
fn the_partners_key_pair_refused_upstream_is_not_retryable() {
    let refused = AtriumError::Http {
        status: 502,
        code: ErrorCode::Server,
        message: "refused".into(),
        request_id: None,
        retry_after_ms: None,
        relay_code: Some("upstream_auth".into()),
    };
    assert_eq!(refused.relay_code(), Some(RelayCode::UpstreamAuth));
    assert!(!refused.retryable());
    let passing = AtriumError::Http {
        status: 502,
        code: ErrorCode::Server,
        message: "failed".into(),
        request_id: None,
        retry_after_ms: None,
        relay_code: Some("upstream_error".into()),
    };
    assert!(passing.retryable());
}

#[test]
fn facts_carry_every_error_there_and_back_unchanged() {
    for e in samples() {
        let facts = e.facts();
        assert_eq!(facts.code, e.code());
        assert_eq!(facts.retryable, e.retryable());
        assert_eq!(AtriumError::from_facts(facts), e, "{e:?}");
    }
    let d = AtriumError::decode("a", "b").with_status(201);
    assert_eq!(d.status(), 201);
    assert_eq!(d.facts().path.as_deref(), Some("a"));
}

#[test]
fn quoted_writes_what_debug_writes() {
    for text in [
        "plain",
        "with \"quotes\"",
        "back\\slash",
        "lines\nand\ttabs\r",
        "\u{1}bell\u{7f}",
        "é ünïcode",
    ] {
        assert_eq!(Quoted(text).to_string(), format!("{text:?}"));
    }
}
