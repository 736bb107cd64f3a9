//! Compact JWS signing (RFC 7515 §7.1) of license claims with Ed25519 (`EdDSA`, RFC 8037).

use std::fmt;

use ed25519_compact::SecretKey;

use super::claims::LicenseClaims;
use crate::domain::base64url::{encode, encode_into, encoded_len};

/// The JWS `typ` of license tokens (RFC 8725 §3.11: explicit typing keeps them apart from the
/// access tokens of the same issuer).
pub const TOKEN_TYPE: &str = "license+jwt";

/// Signs license tokens with the first configured key. Built once per isolate: the header is
/// encoded up front, so signing is one serialisation, one base64 and one Ed25519 signature —
/// by WebCrypto in the worker (`tokens::subtle`), by `ed25519-compact` natively.
pub struct LicenseTokenSigner {
    #[cfg(not(target_arch = "wasm32"))]
    key: SecretKey,
    #[cfg(target_arch = "wasm32")]
    key: super::subtle::SubtleSigner,
    kid: String,
    /// `base64url(header)`, shared by every token.
    encoded_header: String,
}

impl fmt::Debug for LicenseTokenSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicenseTokenSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl LicenseTokenSigner {
    /// A signer for `key`, whose published `kid` is `kid`.
    pub fn new(key: SecretKey, kid: String) -> Self {
        let header = format!(
            r#"{{"alg":"EdDSA","typ":"{TOKEN_TYPE}","kid":{}}}"#,
            serde_json::Value::from(kid.as_str())
        );
        Self {
            #[cfg(not(target_arch = "wasm32"))]
            key,
            #[cfg(target_arch = "wasm32")]
            key: super::subtle::SubtleSigner::new(&key.seed()),
            encoded_header: encode(header.as_bytes()),
            kid,
        }
    }

    /// The `kid` of the signing key (its RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The compact JWS of `claims`: `header.payload.signature`, base64url without padding;
    /// `None` when the runtime refused to sign.
    pub async fn sign(&self, claims: &LicenseClaims) -> Option<String> {
        self.sign_payload(claims.to_json().as_bytes()).await
    }

    /// Signs raw payload bytes (the RFC vectors and the tests' forged payloads).
    pub(crate) async fn sign_payload(&self, payload: &[u8]) -> Option<String> {
        // One allocation: the header, the payload and the 64-byte signature, with two dots.
        let mut token = String::with_capacity(
            self.encoded_header.len() + encoded_len(payload.len()) + encoded_len(64) + 2,
        );
        token.push_str(&self.encoded_header);
        token.push('.');
        encode_into(&mut token, payload);
        let signature = self.signature(token.as_bytes()).await?;
        token.push('.');
        encode_into(&mut token, &signature[..]);
        Some(token)
    }

    /// Deterministic RFC 8032 signing: no randomness needed on the hot path.
    #[cfg(not(target_arch = "wasm32"))]
    async fn signature(&self, input: &[u8]) -> Option<[u8; 64]> {
        Some(*self.key.sign(input, None))
    }

    #[cfg(target_arch = "wasm32")]
    async fn signature(&self, input: &[u8]) -> Option<Vec<u8>> {
        self.key.sign(input).await
    }
}
