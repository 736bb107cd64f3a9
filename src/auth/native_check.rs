//! The pure-Rust signature checks of the asymmetric algorithms (jwt-compact with the `rsa`,
//! `p256` and `ed25519-compact` crates), for native builds only: unit tests and benches. The
//! worker verifies these algorithms with WebCrypto ([`super::subtle`]), so none of this code is
//! in the wasm; the HTTP suite runs the attack table against the worker.

use jwt_compact::alg::{Ed25519, Es256, Rsa, RsaPublicKey};

use super::keys::{Alg, Compact, KeyError, SignatureCheck};
use super::public_key::PublicKey;

/// The check of `key` for `alg` (which [`PublicKey::suits`] has accepted).
pub fn check(key: &PublicKey, alg: Alg) -> Result<Box<dyn SignatureCheck>, KeyError> {
    Ok(match key {
        PublicKey::Rsa { n, e } => {
            let key = RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(n),
                rsa::BigUint::from_bytes_be(e),
            )
            .map_err(|_| KeyError("invalid RSA public key"))?;
            let alg = match alg {
                Alg::Rs384 => Rsa::rs384(),
                Alg::Rs512 => Rsa::rs512(),
                Alg::Ps256 => Rsa::ps256(),
                _ => Rsa::rs256(),
            };
            Box::new(Compact { alg, key })
        }
        PublicKey::P256 { x, y } => {
            let point = [&[4u8][..], x, y].concat();
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point)
                .map_err(|_| KeyError("invalid P-256 public key"))?;
            Box::new(Compact { alg: Es256, key })
        }
        PublicKey::Ed25519(bytes) => {
            let key = ed25519_compact::PublicKey::from_slice(bytes)
                .map_err(|_| KeyError("invalid Ed25519 public key"))?;
            Box::new(Compact { alg: Ed25519, key })
        }
    })
}
