//! Verification keys: a shared secret, PEM or JWK public keys, or a JWKS document. Each key
//! carries the one algorithm it accepts, fixed when the key is loaded (from configuration or the
//! JWK's `kty`/`crv`/`alg`), never taken from a token.

use std::fmt;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
#[cfg(not(target_arch = "wasm32"))]
use jwt_compact::alg::{Hs256, Hs256Key, Hs384, Hs384Key, Hs512, Hs512Key};
#[cfg(not(target_arch = "wasm32"))]
use jwt_compact::{Algorithm, AlgorithmSignature};
use serde_json::Value;

use super::public_key::PublicKey;

/// The JWS algorithms KeyBox verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Hs256,
    Hs384,
    Hs512,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Es256,
    EdDsa,
}

impl Alg {
    pub const ALL: [Alg; 9] = [
        Alg::Hs256,
        Alg::Hs384,
        Alg::Hs512,
        Alg::Rs256,
        Alg::Rs384,
        Alg::Rs512,
        Alg::Ps256,
        Alg::Es256,
        Alg::EdDsa,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::Hs384 => "HS384",
            Alg::Hs512 => "HS512",
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Ps256 => "PS256",
            Alg::Es256 => "ES256",
            Alg::EdDsa => "EdDSA",
        }
    }

    /// The algorithm named exactly `name` (JWS names are case-sensitive).
    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// A shared-secret algorithm.
    pub fn is_hmac(self) -> bool {
        matches!(self, Alg::Hs256 | Alg::Hs384 | Alg::Hs512)
    }
}

/// Checks one signature over the JWS signing input (`header.payload`) in Rust: natively, every
/// algorithm (the worker uses WebCrypto for all of them). Tests implement it with fakes, so the
/// header and claim checks run without real keys.
pub trait SignatureCheck {
    fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool;
}

/// Any jwt-compact algorithm with its verifying key (native code: the worker's checks are
/// WebCrypto's).
#[cfg(not(target_arch = "wasm32"))]
pub(super) struct Compact<A: Algorithm> {
    pub(super) alg: A,
    pub(super) key: A::VerifyingKey,
}

#[cfg(not(target_arch = "wasm32"))]
impl<A: Algorithm> SignatureCheck for Compact<A> {
    fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        // jwt-compact's `try_from_slice` expects callers to check the length first (the HMAC
        // signatures panic on any other length).
        if A::Signature::LENGTH.is_some_and(|len| len.get() != signature.len()) {
            return false;
        }
        match A::Signature::try_from_slice(signature) {
            Ok(signature) => self
                .alg
                .verify_signature(&signature, &self.key, signing_input),
            Err(_) => false,
        }
    }
}

/// A verification key, the algorithm it is pinned to, and its `kid` if it has one.
pub struct Key {
    pub kid: Option<String>,
    pub alg: Alg,
    check: Check,
}

/// Who checks a key's signatures.
enum Check {
    Rust(Box<dyn SignatureCheck>),
    #[cfg(target_arch = "wasm32")]
    WebCrypto(super::subtle::SubtleKey),
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("alg", &self.alg.name())
            .finish_non_exhaustive()
    }
}

/// Why configured key material is unusable. Names the problem, never the material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyError(pub &'static str);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// `SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID prime256v1 }, BIT STRING` of a P-256 SPKI.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// `SEQUENCE { SEQUENCE { OID id-Ed25519 }, BIT STRING` of an Ed25519 SPKI.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

impl Key {
    /// Wraps any signature check (tests use fakes).
    pub fn new(kid: Option<String>, alg: Alg, check: Box<dyn SignatureCheck>) -> Self {
        Self {
            kid,
            alg,
            check: Check::Rust(check),
        }
    }

    /// A shared secret for `HS256`, `HS384` or `HS512`: WebCrypto's HMAC in the worker (no
    /// SHA-384/512 or HMAC code in the module), jwt-compact's natively.
    pub fn secret(secret: &[u8], alg: Alg) -> Result<Self, KeyError> {
        if !alg.is_hmac() {
            return Err(KeyError("a shared secret only signs HS256, HS384 or HS512"));
        }
        #[cfg(target_arch = "wasm32")]
        let check = Check::WebCrypto(super::subtle::SubtleKey::secret(secret, alg));
        #[cfg(not(target_arch = "wasm32"))]
        let check = Check::Rust(hmac_check(secret, alg));
        Ok(Self {
            kid: None,
            alg,
            check,
        })
    }

    /// Whether `signature` is valid over `signing_input` (asynchronous: WebCrypto is).
    pub async fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        match &self.check {
            Check::Rust(check) => check.verify(signing_input, signature),
            #[cfg(target_arch = "wasm32")]
            Check::WebCrypto(key) => key.verify(signing_input, signature).await,
        }
    }

    /// A public key pinned to `alg`, which must suit its type.
    fn public(key: PublicKey, alg: Alg, kid: Option<String>) -> Result<Self, KeyError> {
        key.suits(alg)?;
        #[cfg(target_arch = "wasm32")]
        let check = Check::WebCrypto(super::subtle::SubtleKey::new(&key, alg));
        #[cfg(not(target_arch = "wasm32"))]
        let check = Check::Rust(super::native_check::check(&key, alg)?);
        Ok(Self { kid, alg, check })
    }

    /// A PEM public key: SPKI (`PUBLIC KEY`: RSA, P-256 or Ed25519) or PKCS#1
    /// (`RSA PUBLIC KEY`). `alg` picks among the RSA algorithms (default RS256).
    pub fn from_pem(pem: &str, alg: Option<Alg>) -> Result<Self, KeyError> {
        let (label, der) = pem_body(pem)?;
        if label == "RSA PUBLIC KEY" {
            let key = PublicKey::from_pkcs1_der(&der)?;
            return Self::public(key, alg.unwrap_or(Alg::Rs256), None);
        }
        if label != "PUBLIC KEY" {
            return Err(KeyError("PEM is not a public key"));
        }
        if let Some(point) = der.strip_prefix(&P256_SPKI_PREFIX[..]) {
            let key = PublicKey::p256_point(point)?;
            return Self::public(key, alg.unwrap_or(Alg::Es256), None);
        }
        if let Some(bytes) = der.strip_prefix(&ED25519_SPKI_PREFIX[..]) {
            let key = PublicKey::ed25519(bytes)?;
            return Self::public(key, alg.unwrap_or(Alg::EdDsa), None);
        }
        let key = PublicKey::from_rsa_spki_der(&der)?;
        Self::public(key, alg.unwrap_or(Alg::Rs256), None)
    }

    /// A public JWK. Its algorithm comes from `alg` when present (it must suit `kty`/`crv`),
    /// else `default_alg`, else the key type's only or usual one. Private and symmetric JWKs
    /// are refused: a public-key setting never becomes an HMAC secret.
    pub fn from_jwk(jwk: &Value, default_alg: Option<Alg>) -> Result<Self, KeyError> {
        let field = |name: &str| jwk.get(name).and_then(Value::as_str);
        let kid = field("kid").map(str::to_owned);
        if jwk.get("d").is_some() {
            return Err(KeyError(
                "JWK holds a private key; configure the public key",
            ));
        }
        if field("use").is_some_and(|u| u != "sig") {
            return Err(KeyError("JWK is not a signature key"));
        }
        let alg = match field("alg") {
            Some(name) => Some(Alg::from_name(name).ok_or(KeyError("JWK alg not supported"))?),
            None => default_alg,
        };
        match (field("kty"), field("crv")) {
            (Some("RSA"), _) => {
                let key = PublicKey::rsa(&b64url(field("n"))?, &b64url(field("e"))?)?;
                Self::public(key, alg.unwrap_or(Alg::Rs256), kid)
            }
            (Some("EC"), Some("P-256")) => {
                let key = PublicKey::p256(&b64url(field("x"))?, &b64url(field("y"))?)?;
                Self::public(key, alg.unwrap_or(Alg::Es256), kid)
            }
            (Some("OKP"), Some("Ed25519")) => {
                let key = PublicKey::ed25519(&b64url(field("x"))?)?;
                Self::public(key, alg.unwrap_or(Alg::EdDsa), kid)
            }
            (Some("oct"), _) => Err(KeyError("symmetric JWKs are not accepted; use JWT_SECRET")),
            _ => Err(KeyError("JWK key type not supported")),
        }
    }
}

/// jwt-compact's HMAC check for `alg` (one of the three).
#[cfg(not(target_arch = "wasm32"))]
fn hmac_check(secret: &[u8], alg: Alg) -> Box<dyn SignatureCheck> {
    match alg {
        Alg::Hs384 => Box::new(Compact {
            alg: Hs384,
            key: Hs384Key::new(secret),
        }),
        Alg::Hs512 => Box::new(Compact {
            alg: Hs512,
            key: Hs512Key::new(secret),
        }),
        _ => Box::new(Compact {
            alg: Hs256,
            key: Hs256Key::new(secret),
        }),
    }
}

/// Every usable key of a JWKS document (`{"keys": [...]}`). Keys of unsupported types (an
/// encryption key, a curve KeyBox does not verify) are skipped, as RFC 7517 §5 asks.
pub fn keys_from_jwks(text: &str) -> Result<Vec<Key>, KeyError> {
    let doc: Value =
        serde_json::from_slice(text.as_bytes()).map_err(|_| KeyError("JWKS is not JSON"))?;
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(KeyError("JWKS has no keys array"))?;
    Ok(keys
        .iter()
        .filter_map(|jwk| Key::from_jwk(jwk, None).ok())
        .collect())
}

/// The keys of a public-key setting: PEM, one JWK, or a JWKS document.
pub fn keys_from_setting(text: &str, alg: Option<Alg>) -> Result<Vec<Key>, KeyError> {
    let text = text.trim();
    if text.starts_with("-----BEGIN") {
        return Ok(vec![Key::from_pem(text, alg)?]);
    }
    let value: Value = serde_json::from_slice(text.as_bytes())
        .map_err(|_| KeyError("is neither PEM nor JSON (JWK/JWKS)"))?;
    if value.get("keys").is_some() {
        let keys = keys_from_jwks(text)?;
        if keys.is_empty() {
            return Err(KeyError("JWKS has no usable key"));
        }
        return Ok(keys);
    }
    Ok(vec![Key::from_jwk(&value, alg)?])
}

fn b64url(field: Option<&str>) -> Result<Vec<u8>, KeyError> {
    let text = field.ok_or(KeyError("JWK is missing a key field"))?;
    Base64UrlUnpadded::decode_vec(text).map_err(|_| KeyError("JWK field is not base64url"))
}

/// The label and DER bytes of a single PEM block.
fn pem_body(pem: &str) -> Result<(&str, Vec<u8>), KeyError> {
    let bad = KeyError("malformed PEM");
    let rest = pem.trim().strip_prefix("-----BEGIN ").ok_or(bad)?;
    let (label, rest) = rest.split_once("-----").ok_or(bad)?;
    let end = format!("-----END {label}-----");
    let body = rest.trim_end().strip_suffix(end.as_str()).ok_or(bad)?;
    let body: String = body.split_whitespace().collect();
    let der = Base64::decode_vec(&body).map_err(|_| bad)?;
    if label.is_empty() || label.contains("PRIVATE") {
        return Err(KeyError("PEM is not a public key"));
    }
    Ok((label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithm_names_are_exact_and_case_sensitive() {
        for alg in Alg::ALL {
            assert_eq!(Alg::from_name(alg.name()), Some(alg));
        }
        assert_eq!(Alg::from_name("hs256"), None);
        assert_eq!(Alg::from_name("none"), None);
        assert_eq!(Alg::from_name("PS384"), None, "not offered");
        assert!(Alg::Hs512.is_hmac() && !Alg::Rs256.is_hmac() && !Alg::EdDsa.is_hmac());
    }

    #[test]
    fn a_secret_only_makes_hmac_keys() {
        assert!(Key::secret(b"s", Alg::Hs384).is_ok());
        assert!(Key::secret(b"s", Alg::Rs256).is_err());
    }

    #[test]
    fn private_symmetric_and_unknown_jwks_are_refused() {
        let cases = [
            (r#"{"kty":"oct","k":"c2VjcmV0"}"#, "symmetric"),
            (
                r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}"#,
                "private",
            ),
            (r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}"#, "P-384"),
            (r#"{"kty":"RSA","n":"AQAB","e":"AQAB"}"#, "tiny RSA"),
            (r#"{"kty":"OKP","crv":"Ed25519","x":"AA"}"#, "short Ed25519"),
            (
                r#"{"kty":"OKP","crv":"Ed25519","x":"AA","alg":"ES256"}"#,
                "alg/kty mismatch",
            ),
            (
                r#"{"kty":"RSA","n":"AQAB","e":"AQAB","use":"enc"}"#,
                "encryption key",
            ),
        ];
        for (jwk, why) in cases {
            let jwk: Value = serde_json::from_str(jwk).unwrap();
            assert!(Key::from_jwk(&jwk, None).is_err(), "{why}");
        }
    }

    #[test]
    fn pem_private_keys_and_garbage_are_refused() {
        for pem in [
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nAAAA",
        ] {
            assert!(Key::from_pem(pem, None).is_err(), "{pem}");
        }
        assert!(keys_from_setting("not a key", None).is_err());
        assert!(keys_from_setting(r#"{"keys":[]}"#, None).is_err());
    }
}
