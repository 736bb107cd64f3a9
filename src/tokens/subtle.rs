//! Ed25519 signing by the runtime's WebCrypto (`crypto.subtle.sign`), in the worker only:
//! workerd signs natively, where the same RFC 8032 signature compiled to wasm cost about half a
//! millisecond of CPU per validate (`bench/token-cost.sh`), and the module carries no signing
//! code. Ed25519 is deterministic, so both produce the same bytes (the native unit tests check
//! the Rust path against RFC 8037; the HTTP suite checks the worker's tokens with an
//! independent verifier).
//!
//! The key is imported on its first use and kept for the isolate's life. A runtime that refuses
//! the key or the signature yields no signature: the answer goes out without a token.

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use crate::boundary::settle;
use crate::webcrypto::{subtle, LazyKey};

/// The RFC 8410 PKCS#8 prefix of an Ed25519 seed (the whole key is this and the 32 bytes).
const PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// A private Ed25519 key for `crypto.subtle.sign`, imported lazily.
pub struct SubtleSigner {
    /// The PKCS#8 form of the seed, until imported (then emptied).
    pkcs8: RefCell<Vec<u8>>,
    key: LazyKey,
}

impl SubtleSigner {
    pub fn new(seed: &[u8; 32]) -> Self {
        let mut pkcs8 = PKCS8_PREFIX.to_vec();
        pkcs8.extend_from_slice(seed);
        Self {
            pkcs8: RefCell::new(pkcs8),
            key: LazyKey::default(),
        }
    }

    /// The 64-byte Ed25519 signature of `message`, or `None` if the runtime refused.
    pub async fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let key = self.key.get(|| self.import()).await?;
        let promise = subtle()?
            .sign_with_str_and_u8_array(ALGORITHM, &key, message)
            .ok()?;
        let signature = settle(&promise).await.ok()?;
        Some(Uint8Array::new(&signature).to_vec())
    }

    fn import(&self) -> Option<js_sys::Promise> {
        // Non-extractable: once imported, the key material lives only inside WebCrypto.
        let pkcs8 = std::mem::take(&mut *self.pkcs8.borrow_mut());
        let usages = Array::of1(&JsValue::from_str("sign"));
        subtle()?
            .import_key_with_str(
                "pkcs8",
                &Uint8Array::from(&pkcs8[..]),
                ALGORITHM,
                false,
                &usages,
            )
            .ok()
    }
}

/// WebCrypto's name of the algorithm (an `AlgorithmIdentifier` may be the name alone).
const ALGORITHM: &str = "Ed25519";
