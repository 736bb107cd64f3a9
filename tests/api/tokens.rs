//! License tokens, as `POST /validate/activate` and `POST /validate` return them, checked by an
//! independent verifier (the `jsonwebtoken` crate: ring's Ed25519, not KeyBox's code) against
//! the key set the worker serves at `/.well-known/jwks.json`. Only an expired token is signed
//! here (natively, under the workers' own key): a worker never issues one.

use base64ct::{Base64UrlUnpadded, Encoding};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use keybox::domain::{
    CreateLicenseRequest, License, LicenseKey, LicenseStatus, ObjectId, OsRandom, UserId,
};
use keybox::tokens::{parse_signing_keys, LicenseClaims, LicenseTokens, Seat};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::licenses::{
    activate, developer, force_past_expiry, issue_license, key_of, validate,
};
use crate::support::{
    backend, call_on, client_of, license_signing_keys, license_signing_setting, new_project_on,
    request, request_to, start_scratch_worker, storage_settings, token, worker,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        the_served_key_set_publishes_every_configured_key_under_its_thumbprint,
        the_key_set_is_cacheable_and_open_to_any_origin,
        activate_and_validate_answer_tokens_an_independent_verifier_accepts,
        the_independent_verifier_refuses_tampered_foreign_and_expired_tokens,
        no_token_is_issued_for_unknown_pending_revoked_expired_or_mismatched_licenses,
        a_worker_without_a_signing_key_publishes_no_keys_and_still_serves,
    ]
}

/// The issuer of the workers' tokens: `LICENSE_TOKEN_ISSUER` is unset, so the origin of the
/// request.
fn issuer() -> String {
    worker().base_url.trim_end_matches('/').to_owned()
}

fn served_key_set() -> JwkSet {
    let reply = request("GET", "/.well-known/jwks.json", &[], None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    serde_json::from_str(&reply.body).expect("a JWK Set")
}

/// RFC 7638, computed here from scratch: SHA-256 of `{"crv":…,"kty":…,"x":…}`.
fn thumbprint_of(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    Base64UrlUnpadded::encode_string(&Sha256::digest(canonical.as_bytes()))
}

/// An ACTIVE license on `machine-7`, and the token its activation answered.
fn activated_license() -> (Value, String) {
    let license = issue_license("u", json!({}));
    let reply = activate(&json!({"key": key_of(&license), "machineId": "machine-7"}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let token = reply.json()["token"]
        .as_str()
        .expect("an activation answers a token")
        .to_owned();
    (license, token)
}

/// The license as the domain type, ACTIVE as stored after its activation (for a token signed
/// here).
fn domain_license(license: &Value) -> License {
    let field = |name: &str| license[name].as_str().unwrap().to_owned();
    let body = json!({"duration": license["duration"], "clientId": license["client"],
                      "projectId": license["project"], "services": license["services"]});
    let mut domain = License::issue(
        &CreateLicenseRequest::parse(body.to_string().as_bytes()).unwrap(),
        UserId::parse("u").unwrap(),
        field("issuedAt").parse::<DateTime<Utc>>().unwrap(),
        ObjectId::parse(&field("_id")).unwrap(),
        LicenseKey::from_stored(field("key")),
    );
    domain.status = LicenseStatus::Active;
    domain
}

fn seat() -> Seat<'static> {
    Seat {
        machine_id: Some("machine-7"),
        instance_id: None,
    }
}

/// What a client checks offline: signature by a published key, `EdDSA` only, `typ`, `iss`,
/// `sub` (its license key), `exp`/`nbf` with no leeway, and its machine.
fn verify(token: &str, keys: &JwkSet, license_key: &str) -> Result<Value, ErrorKind> {
    let header = decode_header(token).map_err(|e| e.into_kind())?;
    assert_eq!(header.typ.as_deref(), Some("license+jwt"));
    let jwk = keys
        .find(header.kid.as_deref().unwrap_or_default())
        .ok_or(ErrorKind::InvalidKeyFormat)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.into_kind())?;
    let mut rules = Validation::new(Algorithm::EdDSA);
    rules.set_issuer(&[issuer()]);
    rules.sub = Some(license_key.to_owned());
    rules.set_required_spec_claims(&["exp", "nbf", "iss", "sub"]);
    rules.validate_nbf = true;
    rules.leeway = 0;
    let claims = decode::<Value>(token, &key, &rules)
        .map_err(|e| e.into_kind())?
        .claims;
    if claims["machineId"] != "machine-7" {
        return Err(ErrorKind::InvalidToken);
    }
    Ok(claims)
}

fn the_served_key_set_publishes_every_configured_key_under_its_thumbprint() {
    let reply = request("GET", "/.well-known/jwks.json", &[], None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let expected: Vec<Value> = license_signing_keys()
        .iter()
        .map(|pair| {
            let x = Base64UrlUnpadded::encode_string(&pair.pk[..]);
            json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                   "kid": thumbprint_of(&x), "x": x})
        })
        .collect();
    assert_eq!(reply.json(), json!({ "keys": expected }), "signer first");
    assert!(!reply.body.contains("\"d\""), "never a private part");
    assert!(reply
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/json"));
}

fn the_key_set_is_cacheable_and_open_to_any_origin() {
    let origin = ("Origin", "https://some-licensed-app.example");
    let reply = request("GET", "/.well-known/jwks.json", &[origin], None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("public, max-age=600"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let preflight = request(
        "OPTIONS",
        "/.well-known/jwks.json",
        &[origin, ("Access-Control-Request-Method", "GET")],
        None,
    );
    assert_eq!(preflight.status, 204, "{}", preflight.body);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    let wrong = request("DELETE", "/.well-known/jwks.json", &[], None);
    wrong.assert_message(405, "Method not allowed");
    assert_eq!(wrong.header("allow"), Some("GET, OPTIONS"));
}

fn activate_and_validate_answer_tokens_an_independent_verifier_accepts() {
    let (license, activation_token) = activated_license();
    let key = key_of(&license);
    let keys = served_key_set();
    let reply = validate(&json!({"key": key, "machineId": "machine-7", "productName": "App"}));
    assert_eq!(reply.json()["valid"], true, "{}", reply.body);
    let validation_token = reply.json()["token"].as_str().expect("a token").to_owned();
    for token in [&activation_token, &validation_token] {
        let claims = verify(token, &keys, &key).expect("verifies");
        assert_eq!(claims["sub"], key.as_str());
        assert_eq!(claims["iss"], issuer(), "the request's origin by default");
        assert_eq!(claims["status"], "ACTIVE");
        assert_eq!(claims["project"], license["project"]);
        assert_eq!(claims["client"], license["client"]);
        assert_eq!(claims["services"], license["services"]);
        assert_eq!(claims["licenseExpiresAt"], license["expiresAt"]);
        assert_eq!(claims["machineId"], "machine-7");
        assert_eq!(
            claims.get("instanceId"),
            None,
            "named only when the request named one"
        );
        let iat = claims["iat"].as_i64().unwrap();
        assert_eq!(claims["nbf"], iat);
        assert_eq!(claims["exp"], iat + 604_800, "a week by default");
        let kid = decode_header(token).unwrap().kid.unwrap();
        let first = Base64UrlUnpadded::encode_string(&license_signing_keys()[0].pk[..]);
        assert_eq!(kid, thumbprint_of(&first), "signed by the first key");
    }
    let jti = |token: &str| verify(token, &keys, &key).unwrap()["jti"].clone();
    assert_ne!(jti(&activation_token), jti(&validation_token));
    // A client that checks for another license's key refuses the token.
    assert_eq!(
        verify(&validation_token, &keys, "KB-SOMEONE-ELSE"),
        Err(ErrorKind::InvalidSubject)
    );
}

fn the_independent_verifier_refuses_tampered_foreign_and_expired_tokens() {
    let (license, good) = activated_license();
    let keys = served_key_set();
    let key = key_of(&license);
    let key = key.as_str();
    assert!(verify(&good, &keys, key).is_ok());

    // Tampered: a payload that extends `exp` by a year, under the original signature.
    let [header, payload, signature]: [&str; 3] =
        good.split('.').collect::<Vec<_>>().try_into().unwrap();
    let mut claims: Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(payload).unwrap()).unwrap();
    claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 365 * 86_400);
    let forged_payload = Base64UrlUnpadded::encode_string(claims.to_string().as_bytes());
    let tampered = format!("{header}.{forged_payload}.{signature}");
    assert_eq!(
        verify(&tampered, &keys, key),
        Err(ErrorKind::InvalidSignature)
    );

    // Foreign: the same header (the published kid) and claims, signed by another key.
    let foreign_key = ed25519_compact::KeyPair::generate();
    let input = format!("{header}.{payload}");
    let foreign_signature = foreign_key.sk.sign(input.as_bytes(), None);
    let foreign = format!(
        "{input}.{}",
        Base64UrlUnpadded::encode_string(&foreign_signature[..])
    );
    assert_eq!(
        verify(&foreign, &keys, key),
        Err(ErrorKind::InvalidSignature)
    );

    // Expired: issued two hours ago for one hour, under the workers' own key.
    let keys_setting = parse_signing_keys(&license_signing_setting()).unwrap();
    let tokens = LicenseTokens::new(keys_setting, None, 3600);
    let issued = DateTime::<Utc>::from(std::time::SystemTime::now()) - Duration::hours(2);
    let claims = LicenseClaims::new(
        &domain_license(&license),
        seat(),
        issued,
        3600,
        &issuer(),
        &mut OsRandom,
    )
    .unwrap();
    let expired = pollster::block_on(tokens.signer.sign(&claims)).expect("native signing signs");
    assert_eq!(
        verify(&expired, &keys, key),
        Err(ErrorKind::ExpiredSignature)
    );
}

fn no_token_is_issued_for_unknown_pending_revoked_expired_or_mismatched_licenses() {
    let no_token = |body: Value| {
        let reply = validate(&body);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.json()["valid"], false, "{}", reply.body);
        assert_eq!(reply.json().get("token"), None, "{}", reply.body);
        reply.json()["code"].as_str().unwrap().to_owned()
    };
    assert_eq!(no_token(json!({"key": "KB-NOPE"})), "NOT_FOUND");
    let pending = issue_license("u", json!({}));
    assert_eq!(no_token(json!({"key": key_of(&pending)})), "NOT_ACTIVATED");
    let (mismatched, _) = activated_license();
    assert_eq!(
        no_token(json!({"key": key_of(&mismatched), "machineId": "machine-8"})),
        "MACHINE_MISMATCH"
    );
    let (revoked, _) = activated_license();
    let path = format!("/license/{}/revoke", key_of(&revoked));
    assert_eq!(developer("u", "POST", &path, None).status, 200);
    assert_eq!(no_token(json!({"key": key_of(&revoked)})), "REVOKED");
    let refused = activate(&json!({"key": key_of(&revoked), "machineId": "machine-7"}));
    assert_eq!((refused.status, refused.json().get("token")), (403, None));
    let (expired, _) = activated_license();
    force_past_expiry(&key_of(&expired));
    assert_eq!(no_token(json!({"key": key_of(&expired)})), "EXPIRED");
}

/// Scratch workers of the current backend, one without `LICENSE_SIGNING_KEY` (no key set, the
/// rest of the API unaffected) and one with a broken key (a 500 naming the setting, never its
/// value).
fn a_worker_without_a_signing_key_publishes_no_keys_and_still_serves() {
    let storage = storage_settings().expect("storage settings");
    let scratch = start_scratch_worker(&format!("{}-no-signing-key", backend().name()), &storage)
        .expect("a scratch worker");
    let get = |base: &str, path: &str| match ureq::get(&format!("{base}{path}")).call() {
        Ok(response) | Err(ureq::Error::Status(_, response)) => {
            (response.status(), response.into_string().unwrap())
        }
        Err(e) => panic!("{path}: {e}"),
    };
    let (status, body) = get(scratch.base_url(), "/.well-known/jwks.json");
    assert_eq!((status, body.as_str()), (404, r#"{"message":"Not found"}"#));
    let (status, body) = get(scratch.base_url(), "/health");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    // Licenses still activate and validate there, without tokens.
    let bearer = token("u");
    let project = new_project_on(scratch.worker(), &bearer);
    let client = client_of(&project);
    let body = json!({"duration": 1, "clientId": client, "projectId": project});
    let created = call_on(
        scratch.worker(),
        &bearer,
        "POST",
        "/license/create",
        Some(&body),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let call = json!({"key": created.json()["license"]["key"], "machineId": "m"});
    for path in ["/validate/activate", "/validate"] {
        let reply = request_to(
            scratch.worker(),
            "POST",
            path,
            &[("Content-Type", "application/json")],
            Some(call.to_string().as_bytes()),
        );
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert_eq!(reply.json().get("token"), None, "{path}: {}", reply.body);
        if path == "/validate" {
            assert_eq!(reply.json()["valid"], true, "{}", reply.body);
        }
    }
    drop(scratch);

    let secret_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    let broken = format!(
        "{storage}LICENSE_SIGNING_KEY='{{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":\"{secret_d}\",\"x\":\"AAAA\"}}'\n"
    );
    let scratch =
        start_scratch_worker(&format!("{}-broken-signing-key", backend().name()), &broken)
            .expect("a scratch worker");
    let (status, body) = get(scratch.base_url(), "/.well-known/jwks.json");
    assert_eq!(status, 500, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"error": "Server misconfigured: LICENSE_SIGNING_KEY holds a JWK whose \"x\" is not the public key of its \"d\""})
    );
    assert!(!body.contains(secret_d));
}
