//! Authentication: the contract's two 401s and every kind of bad token.

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::json;

use crate::support::{
    count_licenses, create_body, new_project, random_object_id, request, sign_token, token,
    token_with_claims, worker, Reply,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        a_request_without_a_token_gets_no_token_provided,
        every_kind_of_bad_token_is_unauthorized_with_its_reason,
        a_token_within_a_minute_of_expiry_skew_is_accepted,
        refusals_never_echo_the_secret,
    ]
}

fn create_with_authorization(project: &str, authorization: Option<&str>) -> Reply {
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(value) = authorization {
        headers.push(("Authorization", value));
    }
    request(
        "POST",
        "/license/create",
        &headers,
        Some(create_body(project).as_bytes()),
    )
}

fn b64(json: serde_json::Value) -> String {
    Base64UrlUnpadded::encode_string(json.to_string().as_bytes())
}

fn a_request_without_a_token_gets_no_token_provided() {
    let project = random_object_id();
    for authorization in [None, Some(""), Some("Bearer"), Some("Bearer    ")] {
        let reply = create_with_authorization(&project, authorization);
        reply.assert_message(401, "No token provided");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer"),
            "{authorization:?}"
        );
    }
    assert_eq!(count_licenses(&project), 0);
}

fn every_kind_of_bad_token_is_unauthorized_with_its_reason() {
    let project = random_object_id();
    let good = token("user-1");
    let (header, rest) = good.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let forged = b64(json!({"sub": "admin", "exp": 4_000_000_000u64}));
    let none_header = b64(json!({"alg": "none", "typ": "JWT"}));
    let cases = [
        (
            token_with_claims(json!({"sub": "u", "exp": -120})),
            "token expired",
        ),
        (
            token_with_claims(json!({"sub": "u", "exp": 600, "nbf": 300})),
            "token not yet valid",
        ),
        (
            token_with_claims(json!({"sub": "u"})),
            "token has no expiry",
        ),
        (
            token_with_claims(json!({"exp": 600})),
            "token has no user id",
        ),
        (
            format!("{none_header}.{forged}."),
            "token algorithm not accepted",
        ),
        (
            sign_token(
                json!({"sub": "u", "exp": 4_000_000_000u64}),
                b"some-other-secret",
            ),
            "invalid signature",
        ),
        (
            format!("{header}.{forged}.{signature}"),
            "invalid signature",
        ),
        ("garbage".to_owned(), "malformed token"),
        (format!("{header}.{forged}"), "malformed token"),
        (format!("{good}.x"), "malformed token"),
        (
            format!("{header}.{forged}.{signature}%%"),
            "malformed token",
        ),
    ];
    for (token, reason) in cases {
        let reply = create_with_authorization(&project, Some(&format!("Bearer {token}")));
        assert_eq!(reply.status, 401, "{reason}: {}", reply.body);
        assert_eq!(
            reply.json(),
            json!({"message": "Unauthorized", "error": reason})
        );
        assert_eq!(
            reply.header("www-authenticate"),
            Some(format!(r#"Bearer error="invalid_token", error_description="{reason}""#).as_str())
        );
    }
    let basic = create_with_authorization(&project, Some("Basic dXNlcjpwYXNz"));
    assert_eq!(
        basic.json(),
        json!({"message": "Unauthorized", "error": "expected a Bearer token"})
    );
    assert_eq!(
        count_licenses(&project),
        0,
        "no refused request stored anything"
    );
}

fn a_token_within_a_minute_of_expiry_skew_is_accepted() {
    let project = new_project("u");
    let reply = create_with_authorization(
        &project,
        Some(&format!(
            "Bearer {}",
            token_with_claims(json!({"sub": "u", "exp": -30}))
        )),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let scheme_in_lowercase =
        create_with_authorization(&project, Some(&format!("bearer {}", token("u"))));
    assert_eq!(
        scheme_in_lowercase.status, 201,
        "{}",
        scheme_in_lowercase.body
    );
    assert_eq!(count_licenses(&project), 2);
}

fn refusals_never_echo_the_secret() {
    let project = random_object_id();
    let secret = &worker().secret;
    for authorization in [
        format!("Bearer {secret}"),
        format!(
            "Bearer {}",
            sign_token(json!({"exp": 1}), secret.as_bytes())
        ),
    ] {
        let reply = create_with_authorization(&project, Some(&authorization));
        assert_eq!(reply.status, 401);
        assert!(!reply.body.contains(secret.as_str()));
        assert!(reply
            .headers
            .iter()
            .all(|(_, v)| !v.contains(secret.as_str())));
    }
}
