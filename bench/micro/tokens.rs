//! License tokens natively (release profile): signing one typical token (claims built, JSON,
//! base64url, Ed25519), its parts, and reading `LICENSE_SIGNING_KEY` (once per isolate). Prints
//! the size of the typical token. Run with `cargo bench --bench tokens`.
//!
//! Native only (criterion does not build for wasm32); an empty program on wasm32.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;

    use base64ct::{Base64UrlUnpadded, Encoding};
    use chrono::{TimeZone, Utc};
    use criterion::{criterion_group, Criterion};
    use keybox::domain::{
        CreateLicenseRequest, License, LicenseKey, LicenseStatus, ObjectId, OsRandom, UserId,
    };
    use keybox::tokens::{
        parse_signing_keys, LicenseClaims, LicenseTokens, Seat, DEFAULT_TTL_SECONDS,
    };
    use pollster::block_on;

    const BODY: &[u8] = br#"{"duration":12,"clientId":"60f7b3b3e6b3a72e8c8e4a1a","projectId":"60f7b3b3e6b3a72e8c8e4a1b","services":["Hosting","Domain"]}"#;
    /// A typical seat: a machine fingerprint (SHA-256 hex, as the SDKs send) and an instance.
    const MACHINE: &str = "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea";
    const INSTANCE: &str = "instance-01";
    const ISSUER: &str = "https://licenses.example.com";

    fn license() -> License {
        let request = CreateLicenseRequest::parse(BODY).unwrap();
        let key = LicenseKey::generate(&request.project, &mut OsRandom).unwrap();
        let mut license = License::issue(
            &request,
            UserId::parse("60f7b3b3e6b3a72e8c8e4a1a").unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            ObjectId::parse("60f7b3b3e6b3a72e8c8e4a1c").unwrap(),
            key,
        );
        license.status = LicenseStatus::Active;
        license
    }

    fn setting() -> String {
        let pair = ed25519_compact::KeyPair::generate();
        format!(
            r#"{{"kty":"OKP","crv":"Ed25519","d":"{}"}}"#,
            Base64UrlUnpadded::encode_string(&pair.sk.seed()[..])
        )
    }

    fn tokens(c: &mut Criterion) {
        let setting = setting();
        let tokens = LicenseTokens::new(
            parse_signing_keys(&setting).unwrap(),
            None,
            DEFAULT_TTL_SECONDS,
        );
        let license = license();
        let seat = Seat {
            machine_id: Some(MACHINE),
            instance_id: Some(INSTANCE),
        };
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
        let typical = block_on(tokens.issue(&license, seat, now, ISSUER, &mut OsRandom))
            .unwrap()
            .unwrap();
        let bare = block_on(tokens.issue(&license, Seat::default(), now, ISSUER, &mut OsRandom))
            .unwrap()
            .unwrap();
        println!(
            "typical token (machine and instance ids): {} bytes; without a seat: {} bytes; JWKS with one key: {} bytes",
            typical.len(),
            bare.len(),
            tokens.jwks.len()
        );

        c.bench_function("token/issue_typical", |b| {
            b.iter(|| {
                block_on(tokens.issue(black_box(&license), seat, now, ISSUER, &mut OsRandom))
                    .unwrap()
            })
        });
        let claims = LicenseClaims::new(
            &license,
            seat,
            now,
            DEFAULT_TTL_SECONDS,
            ISSUER,
            &mut OsRandom,
        )
        .unwrap();
        c.bench_function("token/sign_claims", |b| {
            b.iter(|| block_on(tokens.signer.sign(black_box(&claims))))
        });
        c.bench_function("token/claims_new", |b| {
            b.iter(|| {
                LicenseClaims::new(
                    black_box(&license),
                    seat,
                    now,
                    DEFAULT_TTL_SECONDS,
                    ISSUER,
                    &mut OsRandom,
                )
                .unwrap()
            })
        });
        c.bench_function("token/parse_signing_key", |b| {
            b.iter(|| parse_signing_keys(black_box(&setting)).unwrap())
        });
    }

    criterion_group!(benches, tokens);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);
