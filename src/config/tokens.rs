//! The license-token settings: `LICENSE_SIGNING_KEY` (the Ed25519 keys; without it no token is
//! issued and no key published), `LICENSE_TOKEN_ISSUER` (`iss`; default the request's origin)
//! and `LICENSE_TOKEN_TTL` (seconds a token stays valid offline).

use super::{error, seconds, ConfigError};
use crate::tokens::{parse_signing_keys, LicenseTokens, DEFAULT_TTL_SECONDS};

/// Bounds of `LICENSE_TOKEN_TTL`: a minute (a client still needs time to use it) to a year (a
/// revoked license must stop working offline some day).
pub const TOKEN_TTL_RANGE: std::ops::RangeInclusive<i64> = 60..=366 * 24 * 3600;

/// The token settings, `None` when `LICENSE_SIGNING_KEY` is not set. `get` already treats
/// blank values as unset. Errors name the setting, never the key.
pub(super) fn license_tokens(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<LicenseTokens>, ConfigError> {
    let Some(text) = get("LICENSE_SIGNING_KEY") else {
        return Ok(None);
    };
    let keys = parse_signing_keys(&text).map_err(|e| error("LICENSE_SIGNING_KEY", e.0))?;
    let issuer = get("LICENSE_TOKEN_ISSUER").map(|s| s.trim().to_owned());
    let ttl = seconds(
        get,
        "LICENSE_TOKEN_TTL",
        DEFAULT_TTL_SECONDS,
        TOKEN_TTL_RANGE,
    )?;
    Ok(Some(LicenseTokens::new(keys, issuer, ttl)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        r#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#;

    fn from(pairs: &[(&str, &str)]) -> Result<Option<LicenseTokens>, ConfigError> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
                .filter(|v| !v.trim().is_empty())
        };
        license_tokens(&get)
    }

    #[test]
    fn without_a_signing_key_no_tokens_are_issued() {
        assert!(from(&[]).unwrap().is_none());
        assert!(from(&[("LICENSE_SIGNING_KEY", "  ")]).unwrap().is_none());
    }

    #[test]
    fn the_ttl_defaults_to_a_week_and_the_issuer_to_the_request_origin() {
        let tokens = from(&[("LICENSE_SIGNING_KEY", KEY)]).unwrap().unwrap();
        assert_eq!(tokens.ttl_seconds, 604_800);
        assert_eq!(tokens.issuer, None);
        let tokens = from(&[
            ("LICENSE_SIGNING_KEY", KEY),
            ("LICENSE_TOKEN_TTL", " 3600 "),
            ("LICENSE_TOKEN_ISSUER", " https://licenses.example.com "),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(tokens.ttl_seconds, 3600);
        assert_eq!(
            tokens.issuer.as_deref(),
            Some("https://licenses.example.com")
        );
    }

    #[test]
    fn bad_token_settings_are_named_never_shown() {
        let cases = [
            (
                vec![(
                    "LICENSE_SIGNING_KEY",
                    "-----BEGIN PUBLIC KEY-----\nAA\n-----END PUBLIC KEY-----",
                )],
                "LICENSE_SIGNING_KEY is a public key (the server signs: configure the private key)",
            ),
            (
                vec![(
                    "LICENSE_SIGNING_KEY",
                    r#"{"kty":"OKP","crv":"Ed25519","d":"AAAA"}"#,
                )],
                "LICENSE_SIGNING_KEY holds an invalid Ed25519 private key (32 bytes expected)",
            ),
            (
                vec![("LICENSE_SIGNING_KEY", KEY), ("LICENSE_TOKEN_TTL", "59")],
                "LICENSE_TOKEN_TTL is not a number of seconds in the allowed range",
            ),
            (
                vec![
                    ("LICENSE_SIGNING_KEY", KEY),
                    ("LICENSE_TOKEN_TTL", "31622401"),
                ],
                "LICENSE_TOKEN_TTL is not a number of seconds in the allowed range",
            ),
            (
                vec![
                    ("LICENSE_SIGNING_KEY", KEY),
                    ("LICENSE_TOKEN_TTL", "a week"),
                ],
                "LICENSE_TOKEN_TTL is not a number of seconds in the allowed range",
            ),
        ];
        for (pairs, message) in cases {
            let error = from(&pairs).unwrap_err();
            assert_eq!(error.to_string(), message);
            assert!(!format!("{error:?}").contains("nWGxne"));
        }
    }

    #[test]
    fn the_whole_configuration_carries_the_tokens_and_hides_the_key() {
        let config = crate::config::Config::from_lookup(|name| match name {
            "JWT_SECRET" => Some("0123456789abcdef0123456789abcdef".into()),
            "LICENSE_SIGNING_KEY" => Some(KEY.into()),
            _ => None,
        })
        .unwrap();
        assert!(config.tokens.is_some());
        assert!(!format!("{config:?}").contains("nWGxne"));
        let broken = crate::config::Config::from_lookup(|name| match name {
            "JWT_SECRET" => Some("0123456789abcdef0123456789abcdef".into()),
            "LICENSE_SIGNING_KEY" => Some("garbage".into()),
            _ => None,
        })
        .unwrap_err();
        assert_eq!(broken.setting, "LICENSE_SIGNING_KEY");
    }
}
