//! Public key material, parsed and validated without any crypto crate: the RSA modulus and
//! exponent (from a JWK, an SPKI or a PKCS#1 DER), a P-256 point, an Ed25519 key. The same
//! checks run on both targets, so a misconfigured key is refused when the configuration is read
//! (a 500 at config time), whichever code verifies the signatures afterwards: WebCrypto in the
//! worker, the pure-Rust algorithms natively (unit tests, benches).

use super::keys::{Alg, KeyError};

/// RSA keys shorter than this are refused (RFC 7518 §3.3).
const MIN_RSA_BITS: usize = 2048;
/// Longer moduli are refused, as the `rsa` crate does (and no provider publishes them).
const MAX_RSA_BITS: usize = 4096;
/// `rsaEncryption` (1.2.840.113549.1.1.1), the algorithm OID of an RSA SPKI.
const RSA_OID: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// A validated public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// Big-endian modulus and exponent, without leading zero bytes.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// The affine coordinates of the point.
    P256 {
        x: [u8; 32],
        y: [u8; 32],
    },
    Ed25519([u8; 32]),
}

impl PublicKey {
    /// An RSA key of 2048 to 4096 bits with an exponent in `[3, 2^33)` that is odd.
    pub fn rsa(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let n = strip_zeros(n);
        let e = strip_zeros(e);
        if n.len() * 8 < MIN_RSA_BITS {
            return Err(KeyError("RSA keys must have at least 2048 bits"));
        }
        let bits = n.len() * 8 - n[0].leading_zeros() as usize;
        let exponent = (e.len() <= 5).then(|| e.iter().fold(0u64, |v, b| v << 8 | u64::from(*b)));
        let exponent_ok = exponent.is_some_and(|e| (3..1 << 33).contains(&e) && e % 2 == 1);
        if bits > MAX_RSA_BITS || !exponent_ok {
            return Err(KeyError("invalid RSA public key"));
        }
        Ok(Self::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
        })
    }

    /// An uncompressed SEC1 point (`04 || x || y`).
    pub fn p256_point(point: &[u8]) -> Result<Self, KeyError> {
        match point {
            [4, rest @ ..] if rest.len() == 64 => Self::p256(&rest[..32], &rest[32..])
                .map_err(|_| KeyError("invalid P-256 public key")),
            _ => Err(KeyError("invalid P-256 public key")),
        }
    }

    /// The coordinates of a JWK (`x`, `y`).
    pub fn p256(x: &[u8], y: &[u8]) -> Result<Self, KeyError> {
        let invalid = KeyError("invalid P-256 public key");
        Ok(Self::P256 {
            x: x.try_into().map_err(|_| invalid)?,
            y: y.try_into().map_err(|_| invalid)?,
        })
    }

    pub fn ed25519(bytes: &[u8]) -> Result<Self, KeyError> {
        Ok(Self::Ed25519(
            bytes
                .try_into()
                .map_err(|_| KeyError("invalid Ed25519 public key"))?,
        ))
    }

    /// A PKCS#1 `RSAPublicKey`: `SEQUENCE { INTEGER n, INTEGER e }`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let invalid = KeyError("invalid RSA public key");
        let mut outer = Der(der);
        let mut fields = Der(outer.read(0x30).ok_or(invalid)?);
        let n = fields.read(0x02).ok_or(invalid)?;
        let e = fields.read(0x02).ok_or(invalid)?;
        if !outer.0.is_empty() || !fields.0.is_empty() {
            return Err(invalid);
        }
        Self::rsa(n, e)
    }

    /// An RSA SPKI: `SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { RSAPublicKey } }`.
    pub fn from_rsa_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let unsupported = KeyError("unsupported public key (expected RSA, P-256 or Ed25519)");
        let mut outer = Der(der);
        let mut spki = Der(outer.read(0x30).ok_or(unsupported)?);
        let mut algorithm = Der(spki.read(0x30).ok_or(unsupported)?);
        if algorithm.read(0x06) != Some(&RSA_OID[..]) {
            return Err(unsupported);
        }
        // The parameters are NULL (RFC 3279 §2.3.1), absent in some encoders.
        if !algorithm.0.is_empty()
            && (algorithm.read(0x05) != Some(&[][..]) || !algorithm.0.is_empty())
        {
            return Err(unsupported);
        }
        let bits = spki.read(0x03).ok_or(unsupported)?;
        if !outer.0.is_empty() || !spki.0.is_empty() {
            return Err(unsupported);
        }
        match bits {
            [0, key @ ..] => Self::from_pkcs1_der(key),
            _ => Err(KeyError("invalid RSA public key")),
        }
    }

    /// Whether `alg` is one this key type signs; the error names the ones it does.
    pub fn suits(&self, alg: Alg) -> Result<(), KeyError> {
        match self {
            Self::Rsa { .. }
                if matches!(alg, Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256) =>
            {
                Ok(())
            }
            Self::Rsa { .. } => Err(KeyError(
                "an RSA key only signs RS256, RS384, RS512 or PS256",
            )),
            Self::P256 { .. } if alg == Alg::Es256 => Ok(()),
            Self::P256 { .. } => Err(KeyError("a P-256 key only signs ES256")),
            Self::Ed25519(_) if alg == Alg::EdDsa => Ok(()),
            Self::Ed25519(_) => Err(KeyError("an Ed25519 key only signs EdDSA")),
        }
    }

    /// The public JWK (RFC 7517/7518/8037) WebCrypto imports, as JSON text.
    #[cfg(any(target_arch = "wasm32", test))]
    pub fn jwk(&self) -> String {
        let b64 = crate::domain::base64url::encode;
        let mut jwk = crate::domain::json_text::Obj::new();
        match self {
            Self::Rsa { n, e } => jwk.str("kty", "RSA").str("n", &b64(n)).str("e", &b64(e)),
            Self::P256 { x, y } => jwk
                .str("kty", "EC")
                .str("crv", "P-256")
                .str("x", &b64(x))
                .str("y", &b64(y)),
            Self::Ed25519(x) => jwk
                .str("kty", "OKP")
                .str("crv", "Ed25519")
                .str("x", &b64(x)),
        };
        jwk.end()
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A DER reader over what is left of a constructed value.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    /// The contents of the next element if its tag is `tag` (definite lengths up to 4 bytes).
    fn read(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (&found, rest) = self.0.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        if found != tag {
            return None;
        }
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let (digits, after) = rest.split_at(count);
            rest = after;
            digits.iter().fold(0usize, |v, b| v << 8 | usize::from(*b))
        };
        if rest.len() < len {
            return None;
        }
        let (contents, after) = rest.split_at(len);
        self.0 = after;
        Some(contents)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::EncodePublicKey;
    use rsa::traits::PublicKeyParts;

    use super::*;
    use crate::auth::test_keys::test_keys;

    #[test]
    fn an_rsa_key_reads_the_same_from_spki_pkcs1_and_its_numbers() {
        let public = test_keys().rsa.to_public_key();
        let expected = PublicKey::rsa(&public.n().to_bytes_be(), &public.e().to_bytes_be());
        let spki = public.to_public_key_der().unwrap();
        let pkcs1 = public.to_pkcs1_der().unwrap();
        assert!(expected.is_ok());
        assert_eq!(PublicKey::from_rsa_spki_der(spki.as_bytes()), expected);
        assert_eq!(PublicKey::from_pkcs1_der(pkcs1.as_bytes()), expected);
    }

    #[test]
    fn truncated_or_padded_der_is_refused() {
        let public = test_keys().rsa.to_public_key();
        let spki = public.to_public_key_der().unwrap().as_bytes().to_vec();
        assert!(PublicKey::from_rsa_spki_der(&spki[..spki.len() - 1]).is_err());
        assert!(PublicKey::from_rsa_spki_der(&[&spki[..], &[0]].concat()).is_err());
        assert!(PublicKey::from_pkcs1_der(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(PublicKey::from_pkcs1_der(&[]).is_err());
    }

    #[test]
    fn rsa_sizes_and_exponents_outside_the_accepted_range_are_refused() {
        let n2048 = [0xff; 256];
        let cases: [(&[u8], &[u8], bool, &str); 7] = [
            (&n2048, &[1, 0, 1], true, "2048 bits, e = 65537"),
            (&[0xff; 255], &[1, 0, 1], false, "2040 bits"),
            (
                &[[0u8; 3].as_slice(), &[0xff; 255]].concat(),
                &[1, 0, 1],
                false,
                "zeros do not count",
            ),
            (&[0xff; 512], &[3], true, "4096 bits"),
            (&[0xff; 513], &[3], false, "4104 bits"),
            (&n2048, &[1], false, "e = 1"),
            (&n2048, &[1, 0, 0, 0, 0, 1], false, "e too large"),
        ];
        for (n, e, ok, why) in cases {
            assert_eq!(PublicKey::rsa(n, e).is_ok(), ok, "{why}");
        }
        assert!(PublicKey::rsa(&n2048, &[4]).is_err(), "even exponent");
    }

    #[test]
    fn curve_keys_have_exact_lengths() {
        assert!(PublicKey::p256_point(&[[4u8].as_slice(), &[7; 64]].concat()).is_ok());
        assert!(PublicKey::p256_point(&[[2u8].as_slice(), &[7; 32]].concat()).is_err());
        assert!(PublicKey::p256(&[7; 32], &[7; 31]).is_err());
        assert!(PublicKey::ed25519(&[7; 32]).is_ok());
        assert!(PublicKey::ed25519(&[7; 31]).is_err());
    }

    #[test]
    fn the_webcrypto_jwk_carries_the_public_numbers_only() {
        let key = PublicKey::ed25519(&[0; 32]).unwrap();
        let jwk: serde_json::Value = serde_json::from_str(&key.jwk()).unwrap();
        assert_eq!(
            jwk,
            serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": "A".repeat(43)})
        );
        let key = PublicKey::rsa(&[0xff; 256], &[1, 0, 1]).unwrap();
        let jwk: serde_json::Value = serde_json::from_str(&key.jwk()).unwrap();
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(jwk.as_object().unwrap().len(), 3);
    }
}
