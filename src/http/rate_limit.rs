//! Rate limits on the public lifecycle calls (`/validate`, `/validate/activate`,
//! `/validate/deactivate`): per license key, and, looser, per client IP (per-IP alone would
//! throttle whole fleets behind one NAT). The counting is the runtime's (the Workers Rate
//! Limiting binding, in `edge`); here is only the small [`Limiter`] trait and the decision, so
//! that it is tested natively.

use std::future::Future;
use std::pin::Pin;

use super::ApiError;

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitScope {
    /// Calls naming one license key.
    Key,
    /// Calls from one client IP (`CF-Connecting-IP`).
    ClientIp,
}

/// Counts one call under `id` in `scope`: whether it is within the limit. Boxed futures keep
/// the trait object-safe, so [`super::Context`] holds it without another type parameter.
pub trait Limiter {
    fn allow<'a>(
        &'a self,
        scope: LimitScope,
        id: &'a str,
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>>;
}

/// How long a limited client should wait: the limits' period (one minute).
pub const RETRY_AFTER_SECONDS: u32 = 60;

/// Longer keys are cut here before counting: real keys are far shorter, and the runtime
/// need not store what a hostile client sends.
const MAX_ID_BYTES: usize = 128;

fn bounded(id: &str) -> &str {
    let mut end = id.len().min(MAX_ID_BYTES);
    while !id.is_char_boundary(end) {
        end -= 1;
    }
    &id[..end]
}

/// Admits a call for `key` from `client_ip` (when known), or refuses it with a 429. The key's
/// limit is counted first, so a client hammering one key does not spend its IP's allowance.
/// No limiter (`RATE_LIMITS=off`) admits everything.
pub async fn admit(
    limiter: Option<&dyn Limiter>,
    client_ip: Option<&str>,
    key: &str,
) -> Result<(), ApiError> {
    let Some(limiter) = limiter else {
        return Ok(());
    };
    let refused = ApiError::TooManyRequests {
        retry_after: RETRY_AFTER_SECONDS,
    };
    if !limiter.allow(LimitScope::Key, bounded(key)).await {
        return Err(refused);
    }
    match client_ip {
        Some(ip) if !limiter.allow(LimitScope::ClientIp, bounded(ip)).await => Err(refused),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use super::*;

    /// Allows `limit` calls per `(scope, id)` and records what it counted.
    struct Counting {
        limit: u32,
        counts: RefCell<HashMap<(&'static str, String), u32>>,
    }

    impl Counting {
        fn new(limit: u32) -> Self {
            Self {
                limit,
                counts: RefCell::default(),
            }
        }

        fn count(&self, scope: &'static str, id: &str) -> u32 {
            self.counts
                .borrow()
                .get(&(scope, id.to_owned()))
                .copied()
                .unwrap_or(0)
        }
    }

    impl Limiter for Counting {
        fn allow<'a>(
            &'a self,
            scope: LimitScope,
            id: &'a str,
        ) -> Pin<Box<dyn Future<Output = bool> + 'a>> {
            let name = match scope {
                LimitScope::Key => "key",
                LimitScope::ClientIp => "ip",
            };
            let mut counts = self.counts.borrow_mut();
            let count = counts.entry((name, id.to_owned())).or_default();
            let allowed = *count < self.limit;
            if allowed {
                *count += 1;
            }
            Box::pin(async move { allowed })
        }
    }

    fn run(limiter: &Counting, ip: Option<&str>, key: &str) -> Result<(), ApiError> {
        pollster::block_on(admit(Some(limiter), ip, key))
    }

    #[test]
    fn a_key_over_its_limit_is_refused_without_spending_the_ips_allowance() {
        let limiter = Counting::new(2);
        assert_eq!(run(&limiter, Some("10.0.0.1"), "KB-1"), Ok(()));
        assert_eq!(run(&limiter, Some("10.0.0.1"), "KB-1"), Ok(()));
        assert_eq!(
            run(&limiter, Some("10.0.0.1"), "KB-1"),
            Err(ApiError::TooManyRequests { retry_after: 60 })
        );
        assert_eq!(limiter.count("ip", "10.0.0.1"), 2);
    }

    #[test]
    fn an_ip_over_its_limit_is_refused_whatever_the_key() {
        let limiter = Counting::new(2);
        assert_eq!(run(&limiter, Some("10.0.0.2"), "KB-1"), Ok(()));
        assert_eq!(run(&limiter, Some("10.0.0.2"), "KB-2"), Ok(()));
        assert!(run(&limiter, Some("10.0.0.2"), "KB-3").is_err());
        assert_eq!(
            run(&limiter, Some("10.0.0.3"), "KB-4"),
            Ok(()),
            "another IP"
        );
    }

    #[test]
    fn without_a_limiter_or_an_ip_only_what_is_known_is_counted() {
        assert_eq!(pollster::block_on(admit(None, Some("ip"), "KB")), Ok(()));
        let limiter = Counting::new(1);
        assert_eq!(run(&limiter, None, "KB"), Ok(()));
        assert_eq!(limiter.counts.borrow().len(), 1, "only the key was counted");
    }

    #[test]
    fn hostile_ids_are_cut_at_a_character_boundary() {
        let long = "é".repeat(100);
        assert!(bounded(&long).len() <= MAX_ID_BYTES);
        assert!(bounded(&long).chars().all(|c| c == 'é'));
        assert_eq!(bounded("KB-1"), "KB-1");
    }
}
