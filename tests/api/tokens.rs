//! License tokens, checked by an independent verifier (the `jsonwebtoken` crate: ring's
//! Ed25519, not KeyBox's code) against the key set the worker serves at
//! `/.well-known/jwks.json`.
//!
//! `POST /validate` and `/validate/activate` return the tokens; until they exist here, tokens
//! are signed natively with `keybox::tokens` under the very key the workers are configured
//! with (for a license created over HTTP), which is what those endpoints will do.

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

use crate::support::{
    backend, create_body, license_signing_keys, license_signing_setting, post_create,
    random_object_id, request, start_scratch_worker, storage_settings, token,
};
use crate::trials;

pub fn tests() -> Vec<libtest_mimic::Trial> {
    trials![
        the_served_key_set_publishes_every_configured_key_under_its_thumbprint,
        the_key_set_is_cacheable_and_open_to_any_origin,
        a_token_verifies_against_the_served_key_set_with_an_independent_verifier,
        the_independent_verifier_refuses_tampered_foreign_and_expired_tokens,
        a_worker_without_a_signing_key_publishes_no_keys_and_still_serves,
    ]
}

/// The issuer the tests' tokens carry (what `LICENSE_TOKEN_ISSUER` would set).
const ISSUER: &str = "https://licenses.keybox.test";

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

/// A license created over HTTP on the current backend, as the domain type, made `ACTIVE` (as
/// an activation would).
fn created_license() -> License {
    let project = random_object_id();
    let reply = post_create(Some(&token("u")), &create_body(&project));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let stored = &reply.json()["license"];
    let field = |name: &str| stored[name].as_str().unwrap().to_owned();
    let issued_at: DateTime<Utc> = field("issuedAt").parse().unwrap();
    let mut license = License::issue(
        &CreateLicenseRequest::parse(create_body(&project).as_bytes()).unwrap(),
        UserId::parse("u").unwrap(),
        issued_at,
        ObjectId::parse(&field("_id")).unwrap(),
        LicenseKey::from_stored(field("key")),
    );
    assert_eq!(
        serde_json::to_value(&license).unwrap()["expiresAt"],
        stored["expiresAt"]
    );
    license.status = LicenseStatus::Active;
    license
}

/// The workers' signer, rebuilt from the same setting.
fn workers_tokens(ttl_seconds: i64) -> LicenseTokens {
    let keys = parse_signing_keys(&license_signing_setting()).unwrap();
    LicenseTokens::new(keys, Some(ISSUER.into()), ttl_seconds)
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
    rules.set_issuer(&[ISSUER]);
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

fn a_token_verifies_against_the_served_key_set_with_an_independent_verifier() {
    let license = created_license();
    let now: DateTime<Utc> = std::time::SystemTime::now().into();
    let token = workers_tokens(3600)
        .issue(&license, seat(), now, "http://unused", &mut OsRandom)
        .unwrap();
    let claims = verify(&token, &served_key_set(), license.key.as_str()).expect("verifies");
    assert_eq!(claims["sub"], license.key.as_str());
    assert_eq!(claims["status"], "ACTIVE");
    assert_eq!(claims["exp"], now.timestamp() + 3600);
    assert_eq!(claims["project"], license.project.to_string());
    let kid = decode_header(&token).unwrap().kid.unwrap();
    let first = Base64UrlUnpadded::encode_string(&license_signing_keys()[0].pk[..]);
    assert_eq!(kid, thumbprint_of(&first), "signed by the first key");
    // The client that checks another license's key refuses the token.
    assert_eq!(
        verify(&token, &served_key_set(), "KB-SOMEONE-ELSE"),
        Err(ErrorKind::InvalidSubject)
    );
}

fn the_independent_verifier_refuses_tampered_foreign_and_expired_tokens() {
    let license = created_license();
    let keys = served_key_set();
    let tokens = workers_tokens(3600);
    let now: DateTime<Utc> = std::time::SystemTime::now().into();
    let good = tokens
        .issue(&license, seat(), now, "", &mut OsRandom)
        .unwrap();
    let key = license.key.as_str();
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

    // Expired: issued two hours ago for one hour.
    let issued = now - Duration::hours(2);
    let claims = LicenseClaims::new(&license, seat(), issued, 3600, ISSUER, &mut OsRandom).unwrap();
    let expired = tokens.signer.sign(&claims);
    assert_eq!(
        verify(&expired, &keys, key),
        Err(ErrorKind::ExpiredSignature)
    );
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
