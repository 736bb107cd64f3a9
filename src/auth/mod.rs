//! Who is calling: the `Authorization` header and JWT verification. Everything here is pure
//! except for the [`RemoteKeys`] a JWKS deployment passes in (the worker fetches; tests fake).

mod bearer;
pub mod jwks;
mod jwt;
pub mod keys;
#[cfg(not(target_arch = "wasm32"))]
mod native_check;
mod public_key;
#[cfg(target_arch = "wasm32")]
mod subtle;
// Test keys come from native-only dev-dependencies.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod test_keys;
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod testing;

pub use bearer::{bearer_token, BearerError};
pub use jwt::{
    check_claims, verify, ClaimRules, InvalidToken, UntrustedJwt, DEFAULT_LEEWAY_SECONDS,
    MAX_TOKEN_BYTES,
};
pub use keys::{Alg, Key, KeyError};

use std::rc::Rc;

use chrono::{DateTime, Utc};

use crate::domain::UserId;

/// Why a request is not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header, or one without a token.
    NoToken,
    /// A token was sent and refused.
    Invalid(InvalidToken),
    /// The token may be fine but no key to check it is available (JWKS endpoint down and
    /// nothing cached): a server-side problem, answered 503.
    KeysUnavailable,
}

impl From<InvalidToken> for AuthError {
    fn from(e: InvalidToken) -> Self {
        Self::Invalid(e)
    }
}

/// The JWKS endpoint could not provide keys and none are cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeysUnavailable;

/// Keys published by an identity provider (a JWKS URL). `kid` is the token's, so that an
/// implementation can refetch on an unknown one.
#[allow(async_fn_in_trait)]
pub trait RemoteKeys {
    async fn keys(
        &self,
        kid: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Rc<Vec<Key>>, KeysUnavailable>;
}

/// For deployments without a JWKS URL.
pub struct NoRemoteKeys;

impl RemoteKeys for NoRemoteKeys {
    async fn keys(
        &self,
        _: Option<&str>,
        _: DateTime<Utc>,
    ) -> Result<Rc<Vec<Key>>, KeysUnavailable> {
        Ok(Rc::default())
    }
}

/// Configured keys and claim rules.
#[derive(Debug, Default)]
pub struct Verifier {
    /// From `JWT_SECRET` and `JWT_PUBLIC_KEY`.
    pub keys: Vec<Key>,
    pub rules: ClaimRules,
    /// Whether a JWKS URL is configured (then [`RemoteKeys`] are asked too).
    pub remote: bool,
}

impl Verifier {
    /// One HS256 secret with the default rules (the original KeyBox deployment).
    pub fn hs256(secret: &[u8]) -> Self {
        Self {
            keys: vec![Key::secret(secret, Alg::Hs256).expect("HS256 takes any secret")],
            ..Self::default()
        }
    }
}

/// Keys usable for a token's `kid`: a key without a `kid` matches any token.
fn for_kid<'k>(keys: &'k [Key], kid: Option<&str>) -> impl Iterator<Item = &'k Key> + 'k {
    let kid = kid.map(str::to_owned);
    keys.iter()
        .filter(move |key| key.kid.is_none() || kid.is_none() || key.kid == kid)
}

/// Authenticates a request from its `Authorization` header value.
pub async fn authenticate(
    header: Option<&str>,
    verifier: &Verifier,
    remote: &impl RemoteKeys,
    now: DateTime<Utc>,
) -> Result<UserId, AuthError> {
    let token = bearer_token(header).map_err(|e| match e {
        BearerError::Missing => AuthError::NoToken,
        BearerError::OtherScheme => AuthError::Invalid(InvalidToken::NotBearer),
    })?;
    let jwt = UntrustedJwt::parse(token)?;
    let kid = jwt.kid.as_deref();
    let local: Vec<&Key> = for_kid(&verifier.keys, kid).collect();
    let Some(alg) = Alg::from_name(&jwt.alg) else {
        // `none`, unknown names: refused before any JWKS lookup can be triggered.
        return Err(InvalidToken::WrongAlgorithm.into());
    };
    // A JWKS never holds shared secrets, so HMAC tokens are settled by the configured keys.
    if !verifier.remote || alg.is_hmac() {
        return Ok(verify(&jwt, &local, &verifier.rules, now).await?);
    }
    let tried_locally = local.iter().any(|key| key.alg == alg);
    if tried_locally {
        // A configured key without `kid` must not shadow the JWKS: when its signature fails and
        // no configured key names this `kid`, the published keys get their turn.
        let named = kid.is_some() && local.iter().any(|key| key.kid.as_deref() == kid);
        match verify(&jwt, &local, &verifier.rules, now).await {
            Err(InvalidToken::BadSignature) if !named => {}
            outcome => return Ok(outcome?),
        }
    }
    let fetched = remote
        .keys(kid, now)
        .await
        .map_err(|KeysUnavailable| AuthError::KeysUnavailable)?;
    let candidates: Vec<&Key> = for_kid(&fetched, kid).collect();
    match verify(&jwt, &candidates, &verifier.rules, now).await {
        // The JWKS has no key for it either: the configured key's verdict stands.
        Err(InvalidToken::WrongAlgorithm | InvalidToken::UnknownKey) if tried_locally => {
            Err(InvalidToken::BadSignature.into())
        }
        outcome => Ok(outcome?),
    }
}
