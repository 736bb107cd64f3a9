//! Configured keys next to a JWKS: which tokens reach the published keys, and whose verdict
//! stands when both could answer.

use std::cell::Cell;
use std::rc::Rc;

use super::*;
use crate::auth::testing::{b64, verifying_key};
use crate::auth::KeysUnavailable;

/// A JWKS stand-in holding fixed keys, counting calls.
struct FixedRemote(Vec<(Alg, &'static str)>, Cell<u32>);

impl RemoteKeys for FixedRemote {
    async fn keys(
        &self,
        _: Option<&str>,
        _: DateTime<Utc>,
    ) -> Result<Rc<Vec<Key>>, KeysUnavailable> {
        self.1.set(self.1.get() + 1);
        Ok(Rc::new(
            self.0
                .iter()
                .map(|(alg, kid)| verifying_key(*alg, Some(kid)))
                .collect(),
        ))
    }
}

#[test]
fn configured_keys_and_the_jwks_work_side_by_side() {
    // A secret (no kid) and a JWKS: HS256 tokens never reach the JWKS, others do.
    let verifier = Verifier {
        remote: true,
        ..secret_verifier()
    };
    let remote = FixedRemote(vec![(Alg::EdDsa, "ed-1")], Default::default());
    assert_eq!(
        run_with_remote(&hs256(&valid_claims()), &verifier, &remote),
        Ok("user-1".into())
    );
    assert_eq!(remote.1.get(), 0, "the secret answered");
    let ed = sign(Alg::EdDsa, Some("ed-1"), &valid_claims());
    assert_eq!(
        run_with_remote(&ed, &verifier, &remote),
        Ok("user-1".into())
    );
    assert_eq!(
        run_with_remote(
            &sign(Alg::EdDsa, Some("ed-2"), &valid_claims()),
            &verifier,
            &remote
        ),
        Err(InvalidToken::UnknownKey)
    );
    assert_eq!(
        run_with_remote(
            &sign(Alg::Es256, Some("ed-1"), &valid_claims()),
            &verifier,
            &remote
        ),
        Err(InvalidToken::WrongAlgorithm)
    );
    let asked = remote.1.get();
    let wrong_secret = Key::secret(b"another-secret-of-at-least-32-bytes", Alg::Hs256).unwrap();
    let other_verifier = Verifier {
        keys: vec![wrong_secret],
        remote: true,
        ..Verifier::default()
    };
    assert_eq!(
        run_with_remote(&hs256(&valid_claims()), &other_verifier, &remote),
        Err(InvalidToken::BadSignature),
        "the secret's verdict stands"
    );
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","kid":"x"}"#),
        b64(valid_claims().to_string().as_bytes())
    );
    assert_eq!(
        run_with_remote(&none, &other_verifier, &remote),
        Err(InvalidToken::WrongAlgorithm)
    );
    assert_eq!(
        remote.1.get(),
        asked,
        "neither HMAC nor `none` tokens reach the JWKS"
    );
}

#[test]
fn a_configured_key_without_kid_does_not_shadow_the_jwks() {
    // JWT_PUBLIC_KEY holds one RSA key without kid; the JWKS publishes another RS256 key.
    // Both use the run's RSA test key pair, so a wrong-signature token stands in for "the
    // other key": a token that fails the configured key is still tried against the JWKS.
    let verifier = Verifier {
        keys: vec![Key::new(None, Alg::Rs256, Box::new(Fixed(false)))],
        remote: true,
        ..Verifier::default()
    };
    let remote = FixedRemote(vec![(Alg::Rs256, "idp-1")], Default::default());
    let token = sign(Alg::Rs256, Some("idp-1"), &valid_claims());
    assert_eq!(
        run_with_remote(&token, &verifier, &remote),
        Ok("user-1".into())
    );
    assert_eq!(remote.1.get(), 1);
    // A configured key that names the kid is authoritative: no fallback.
    let mut named = Key::new(None, Alg::Rs256, Box::new(Fixed(false)));
    named.kid = Some("idp-1".into());
    let verifier = Verifier {
        keys: vec![named],
        remote: true,
        ..Verifier::default()
    };
    assert_eq!(
        run_with_remote(&token, &verifier, &remote),
        Err(InvalidToken::BadSignature)
    );
    assert_eq!(remote.1.get(), 1);
}
