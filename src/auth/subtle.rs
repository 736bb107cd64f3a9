//! JWT signatures verified by the runtime's WebCrypto (`crypto.subtle`), in the worker only.
//! Asymmetric ones: native code in workerd is ten times faster than the pure-Rust algorithms
//! compiled to wasm, and leaving those out of the module shrinks it by about 70 KB gzip. HMAC
//! too: its import and verify are as cheap, and the module then carries no SHA-384/512 or HMAC.
//!
//! Each key is imported on its first use and the `CryptoKey` kept for the isolate's life (keys
//! live in the configuration or the JWKS cache, both per isolate). A key WebCrypto refuses to
//! import, or any error it raises, verifies nothing: the token is refused, nothing panics.

use std::cell::OnceCell;

use js_sys::{Array, Object, Promise, JSON};
use wasm_bindgen::{JsCast, JsValue};

use super::keys::Alg;
use super::public_key::PublicKey;
use crate::boundary::settle;
use crate::webcrypto::{subtle, LazyKey};

/// A public key for one algorithm, imported lazily.
pub struct SubtleKey {
    /// The public JWK, for the import.
    jwk: String,
    alg: Alg,
    key: LazyKey,
    /// The algorithm object `verify` takes, made once.
    verify_algorithm: OnceCell<Option<Object>>,
}

impl SubtleKey {
    pub fn new(key: &PublicKey, alg: Alg) -> Self {
        Self::from_jwk(key.jwk(), alg)
    }

    /// A shared secret for an HMAC algorithm, as an `oct` JWK.
    pub fn secret(secret: &[u8], alg: Alg) -> Self {
        let k = crate::domain::base64url::encode(secret);
        Self::from_jwk(format!(r#"{{"kty":"oct","k":"{k}"}}"#), alg)
    }

    fn from_jwk(jwk: String, alg: Alg) -> Self {
        Self {
            jwk,
            alg,
            key: LazyKey::default(),
            verify_algorithm: OnceCell::new(),
        }
    }

    /// Whether `signature` is valid over `signing_input`. JOSE's ES256 signature is `r || s`,
    /// the form WebCrypto's ECDSA takes.
    pub async fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        let Some(key) = self.key.get(|| self.import()).await else {
            return false;
        };
        let algorithm = self
            .verify_algorithm
            .get_or_init(|| object(algorithms(self.alg).1));
        let (Some(algorithm), Some(subtle)) = (algorithm, subtle()) else {
            return false;
        };
        match subtle.verify_with_object_and_u8_array_and_u8_array(
            algorithm,
            &key,
            signature,
            signing_input,
        ) {
            Ok(promise) => settle(&promise)
                .await
                .is_ok_and(|valid| valid.as_bool() == Some(true)),
            Err(_) => false,
        }
    }

    fn import(&self) -> Option<Promise> {
        let jwk = object(&self.jwk)?;
        let algorithm = object(algorithms(self.alg).0)?;
        let usages = Array::of1(&JsValue::from_str("verify"));
        subtle()?
            .import_key_with_object("jwk", &jwk, &algorithm, false, &usages)
            .ok()
    }
}

/// The import and verify algorithm objects of `alg`, as JSON (RFC 7518 §3: PS256 salts with
/// the hash's length).
fn algorithms(alg: Alg) -> (&'static str, &'static str) {
    const PKCS1: &str = r#"{"name":"RSASSA-PKCS1-v1_5"}"#;
    const HMAC: &str = r#"{"name":"HMAC"}"#;
    match alg {
        Alg::Hs256 => (r#"{"name":"HMAC","hash":"SHA-256"}"#, HMAC),
        Alg::Hs384 => (r#"{"name":"HMAC","hash":"SHA-384"}"#, HMAC),
        Alg::Hs512 => (r#"{"name":"HMAC","hash":"SHA-512"}"#, HMAC),
        Alg::Rs384 => (r#"{"name":"RSASSA-PKCS1-v1_5","hash":"SHA-384"}"#, PKCS1),
        Alg::Rs512 => (r#"{"name":"RSASSA-PKCS1-v1_5","hash":"SHA-512"}"#, PKCS1),
        Alg::Ps256 => (
            r#"{"name":"RSA-PSS","hash":"SHA-256"}"#,
            r#"{"name":"RSA-PSS","saltLength":32}"#,
        ),
        Alg::Es256 => (
            r#"{"name":"ECDSA","namedCurve":"P-256"}"#,
            r#"{"name":"ECDSA","hash":"SHA-256"}"#,
        ),
        Alg::EdDsa => (r#"{"name":"Ed25519"}"#, r#"{"name":"Ed25519"}"#),
        Alg::Rs256 => (r#"{"name":"RSASSA-PKCS1-v1_5","hash":"SHA-256"}"#, PKCS1),
    }
}

fn object(json: &str) -> Option<Object> {
    JSON::parse(json).ok()?.dyn_into().ok()
}
