//! Browser callers: the main worker allows `ALLOWED_ORIGIN` (`CORS_ORIGINS`) and no other.

use crate::support::{
    create_body, new_project, random_object_id, request, token, Reply, ALLOWED_ORIGIN,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        a_preflight_from_an_allowed_origin_permits_post_with_authorization_and_content_type,
        a_browser_preflight_may_send_an_idempotency_key_and_read_the_replay_marker,
        a_preflight_from_another_origin_is_refused_without_cors_headers,
        an_allowed_origin_can_read_the_answer_and_every_answer_varies_by_origin,
    ]
}

fn preflight(origin: &str, headers: &str) -> Reply {
    request(
        "OPTIONS",
        "/license/create",
        &[
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", headers),
        ],
        None,
    )
}

fn a_preflight_from_an_allowed_origin_permits_post_with_authorization_and_content_type() {
    let reply = preflight(ALLOWED_ORIGIN, "authorization,content-type");
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert_eq!(reply.header("access-control-allow-methods"), Some("POST"));
    let allowed = reply
        .header("access-control-allow-headers")
        .unwrap_or_default();
    assert!(
        allowed.contains("Authorization") && allowed.contains("Content-Type"),
        "{allowed}"
    );
    assert!(reply.header("vary").unwrap_or_default().contains("Origin"));
    assert_eq!(reply.header("access-control-allow-credentials"), None);
}

fn a_preflight_from_another_origin_is_refused_without_cors_headers() {
    for (origin, headers) in [
        ("https://evil.test", "authorization,content-type"),
        ("https://app.keybox.test.evil.test", "authorization"),
        (ALLOWED_ORIGIN, "authorization,x-custom"),
    ] {
        let reply = preflight(origin, headers);
        reply.assert_message(403, "CORS request not allowed");
        assert_eq!(
            reply.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
        assert!(reply.header("vary").unwrap_or_default().contains("Origin"));
    }
}

fn an_allowed_origin_can_read_the_answer_and_every_answer_varies_by_origin() {
    let auth = format!("Bearer {}", token("u"));
    let body = create_body(&new_project("u"));
    let send = |origin: &str| {
        request(
            "POST",
            "/license/create",
            &[
                ("Origin", origin),
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            Some(body.as_bytes()),
        )
    };
    let allowed = send(ALLOWED_ORIGIN);
    assert_eq!(allowed.status, 201, "{}", allowed.body);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert_eq!(allowed.header("vary"), Some("Origin"));
    let other = send("https://evil.test");
    assert_eq!(other.header("access-control-allow-origin"), None);
    assert_eq!(other.header("vary"), Some("Origin"));
}

fn a_browser_preflight_may_send_an_idempotency_key_and_read_the_replay_marker() {
    let reply = preflight(
        ALLOWED_ORIGIN,
        "authorization, content-type, idempotency-key",
    );
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(
        reply.header("access-control-allow-headers"),
        Some("Authorization, Content-Type, Idempotency-Key")
    );
    let body = create_body(&new_project("u"));
    let send = || {
        request(
            "POST",
            "/license/create",
            &[
                ("Origin", ALLOWED_ORIGIN),
                ("Authorization", &format!("Bearer {}", token("u"))),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", &random_object_id()),
            ],
            Some(body.as_bytes()),
        )
    };
    let created = send();
    assert_eq!(created.status, 201, "{}", created.body);
    let exposed = created
        .header("access-control-expose-headers")
        .unwrap_or_default();
    for header in ["Idempotent-Replayed", "Retry-After", "WWW-Authenticate"] {
        assert!(exposed.contains(header), "{exposed}");
    }
}
