//! `GET /.well-known/jwks.json` through the whole request path.

use super::*;

/// RFC 8037 appendix A's private key.
const SIGNING_KEY: &str =
    r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#;

fn signing() -> Deployment {
    Deployment {
        config: Config::from_lookup(|name| match name {
            "JWT_SECRET" => Some(SECRET.into()),
            "LICENSE_SIGNING_KEY" => Some(SIGNING_KEY.into()),
            _ => None,
        }),
        ..Deployment::healthy()
    }
}

fn get_keys(deployment: &Deployment, origin: Option<&str>) -> ApiResponse {
    let headers = RequestHeaders {
        origin: origin.map(Into::into),
        ..RequestHeaders::default()
    };
    deployment.send(request("GET", "/.well-known/jwks.json", headers, ""))
}

#[test]
fn the_published_keys_are_cacheable_and_open_to_any_origin() {
    let response = get_keys(&signing(), Some("https://any.example"));
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        json_of(&response),
        json!({"keys": [{
            "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
        }]})
    );
    assert_eq!(
        response.header("cache-control"),
        Some("public, max-age=600")
    );
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
    assert!(!response.body.contains("nWGxne"), "no private part");
}

#[test]
fn without_a_signing_key_the_key_set_is_not_found() {
    let response = get_keys(&Deployment::healthy(), None);
    assert_eq!(
        (response.status, response.body.as_str()),
        (404, r#"{"message":"Not found"}"#)
    );
    assert_eq!(
        response.header("cache-control"),
        None,
        "the common no-store"
    );
}

#[test]
fn the_key_set_is_read_only() {
    let deployment = signing();
    let response = deployment.send(request(
        "POST",
        "/.well-known/jwks.json",
        RequestHeaders::default(),
        "{}",
    ));
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), Some("GET, OPTIONS"));
}
