//! Typed settings, read once per request from the Worker's environment.

use std::fmt;
use std::time::Duration;

use chrono::TimeDelta;

use crate::auth::jwks::JwksPolicy;
use crate::auth::keys::keys_from_setting;
use crate::auth::{Alg, ClaimRules, Key, Verifier};

/// A required setting is missing or unusable. Names the setting, never its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigError {
    pub setting: &'static str,
    pub problem: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.setting, self.problem)
    }
}

/// Where a JWKS deployment fetches its keys, and how it caches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksSettings {
    pub url: String,
    pub policy: JwksPolicy,
    pub timeout: Duration,
}

/// How long the worker waits for the JWKS endpoint.
pub const JWKS_TIMEOUT: Duration = Duration::from_secs(5);
/// Upper bound of `JWT_LEEWAY_SECONDS`.
pub const MAX_LEEWAY_SECONDS: i64 = 600;

/// Everything a request needs from configuration.
#[derive(Debug)]
pub struct Config {
    /// Verifies bearer tokens: keys from `JWT_SECRET` / `JWT_PUBLIC_KEY`, claim rules.
    pub verifier: Verifier,
    /// Set when `JWT_JWKS_URL` is.
    pub jwks: Option<JwksSettings>,
}

fn error(setting: &'static str, problem: &'static str) -> ConfigError {
    ConfigError { setting, problem }
}

/// A comma-separated list, blanks dropped.
pub fn list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Config {
    /// Builds the configuration from a name → value lookup (the Worker's vars and secrets).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let alg = match get("JWT_ALGORITHM") {
            None => None,
            Some(name) => Some(
                Alg::from_name(name.trim())
                    .ok_or(error("JWT_ALGORITHM", "is not a supported algorithm"))?,
            ),
        };
        let mut keys: Vec<Key> = Vec::new();
        match lookup("JWT_SECRET") {
            Some(secret) if secret.is_empty() => return Err(error("JWT_SECRET", "is empty")),
            Some(secret) => {
                let hmac = alg.filter(|a| a.is_hmac()).unwrap_or(Alg::Hs256);
                keys.push(
                    Key::secret(secret.as_bytes(), hmac)
                        .map_err(|_| error("JWT_ALGORITHM", "does not suit JWT_SECRET"))?,
                );
            }
            None => {}
        }
        if let Some(text) = get("JWT_PUBLIC_KEY") {
            let public_alg = alg.filter(|a| !a.is_hmac());
            let parsed =
                keys_from_setting(&text, public_alg).map_err(|e| error("JWT_PUBLIC_KEY", e.0))?;
            keys.extend(parsed);
        }
        let jwks = match get("JWT_JWKS_URL") {
            None => None,
            Some(url) => Some(JwksSettings {
                url: jwks_url(url.trim())?,
                policy: JwksPolicy {
                    min_refetch: TimeDelta::seconds(seconds(
                        &get,
                        "JWT_JWKS_REFETCH_SECONDS",
                        30,
                        1..=3600,
                    )?),
                    ..JwksPolicy::default()
                },
                timeout: JWKS_TIMEOUT,
            }),
        };
        if keys.is_empty() && jwks.is_none() {
            return Err(error("JWT_SECRET", "is not set"));
        }
        let user_claims = match list(get("JWT_USER_CLAIM")) {
            claims if claims.is_empty() => ClaimRules::default().user_claims,
            claims => claims,
        };
        let rules = ClaimRules {
            leeway: TimeDelta::seconds(seconds(
                &get,
                "JWT_LEEWAY_SECONDS",
                crate::auth::DEFAULT_LEEWAY_SECONDS,
                0..=MAX_LEEWAY_SECONDS,
            )?),
            issuer: get("JWT_ISSUER").map(|s| s.trim().to_owned()),
            audiences: list(get("JWT_AUDIENCE")),
            user_claims,
        };
        Ok(Self {
            verifier: Verifier {
                keys,
                rules,
                remote: jwks.is_some(),
            },
            jwks,
        })
    }
}

/// Where licenses are stored: the `STORAGE` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageConfig {
    /// `STORAGE` unset or `d1`: the D1 binding `DB`.
    D1,
    /// `STORAGE = "mongodb"`: a MongoDB collection behind a Data-API-compatible gateway.
    Mongo(MongoSettings),
}

/// How to reach the Data API gateway. `Debug` never shows the API key.
#[derive(Clone, PartialEq, Eq)]
pub struct MongoSettings {
    /// The gateway's base URL, without a trailing `/`: actions are `{url}/action/{name}`.
    pub data_api_url: String,
    /// Sent in the `api-key` header; never logged, never in a response.
    pub api_key: String,
    pub data_source: String,
    pub database: String,
    pub collection: String,
}

impl fmt::Debug for MongoSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MongoSettings")
            .field("data_api_url", &self.data_api_url)
            .field("api_key", &"[redacted]")
            .field("data_source", &self.data_source)
            .field("database", &self.database)
            .field("collection", &self.collection)
            .finish()
    }
}

/// The collection used when `MONGODB_COLLECTION` is not set.
pub const DEFAULT_COLLECTION: &str = "licenses";

impl StorageConfig {
    /// Reads `STORAGE` and, for `mongodb`, the `MONGODB_*` settings. Errors name the first
    /// missing or unusable setting, never a value.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        match lookup("STORAGE").as_deref().map(str::trim) {
            None | Some("") | Some("d1") => Ok(Self::D1),
            Some("mongodb") => MongoSettings::from_lookup(lookup).map(Self::Mongo),
            Some(_) => Err(ConfigError {
                setting: "STORAGE",
                problem: "must be \"d1\" or \"mongodb\"",
            }),
        }
    }
}

impl MongoSettings {
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let required = |setting: &'static str| match lookup(setting) {
            None => Err(ConfigError {
                setting,
                problem: "is not set (required when STORAGE is \"mongodb\")",
            }),
            Some(value) if value.trim().is_empty() => Err(ConfigError {
                setting,
                problem: "is empty",
            }),
            Some(value) => Ok(value.trim().to_owned()),
        };
        let url = required("MONGODB_DATA_API_URL")?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ConfigError {
                setting: "MONGODB_DATA_API_URL",
                problem: "must be an http:// or https:// URL",
            });
        }
        let settings = Self {
            data_api_url: url.trim_end_matches('/').to_owned(),
            api_key: required("MONGODB_API_KEY")?,
            data_source: required("MONGODB_DATA_SOURCE")?,
            database: required("MONGODB_DATABASE")?,
            collection: match lookup("MONGODB_COLLECTION") {
                Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
                _ => DEFAULT_COLLECTION.to_owned(),
            },
        };
        Ok(settings)
    }

    /// The URL of a Data API action, e.g. `insertOne`.
    pub fn action_url(&self, action: &str) -> String {
        format!("{}/action/{action}", self.data_api_url)
    }
}

fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|s| range.contains(s))
            .ok_or(error(
                name,
                "is not a number of seconds in the allowed range",
            )),
    }
}

/// `https://…`, or `http://` to a loopback host (local development and tests).
fn jwks_url(url: &str) -> Result<String, ConfigError> {
    let loopback = [
        "http://127.0.0.1:",
        "http://127.0.0.1/",
        "http://localhost:",
        "http://localhost/",
    ];
    if url.starts_with("https://") || loopback.iter().any(|p| url.starts_with(p)) {
        Ok(url.to_owned())
    } else {
        Err(error("JWT_JWKS_URL", "must be an https:// URL"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mongo_env(name: &str) -> Option<String> {
        let value = match name {
            "STORAGE" => "mongodb",
            "MONGODB_DATA_API_URL" => "https://gateway.example/app/data-abcde/endpoint/data/v1/",
            "MONGODB_API_KEY" => "k3y-never-shown",
            "MONGODB_DATA_SOURCE" => "mongodb-atlas",
            "MONGODB_DATABASE" => "keybox",
            _ => return None,
        };
        Some(value.into())
    }

    #[test]
    fn storage_defaults_to_d1() {
        assert_eq!(StorageConfig::from_lookup(|_| None), Ok(StorageConfig::D1));
        let d1 = |name: &str| (name == "STORAGE").then(|| "d1".to_string());
        assert_eq!(StorageConfig::from_lookup(d1), Ok(StorageConfig::D1));
    }

    #[test]
    fn an_unknown_storage_is_named_without_its_value() {
        let odd = |name: &str| (name == "STORAGE").then(|| "postgres".to_string());
        let error = StorageConfig::from_lookup(odd).unwrap_err();
        assert_eq!(error.to_string(), r#"STORAGE must be "d1" or "mongodb""#);
    }

    #[test]
    fn mongodb_storage_reads_every_setting_and_defaults_the_collection() {
        let StorageConfig::Mongo(settings) = StorageConfig::from_lookup(mongo_env).unwrap() else {
            panic!("mongodb storage expected");
        };
        assert_eq!(
            settings.action_url("insertOne"),
            "https://gateway.example/app/data-abcde/endpoint/data/v1/action/insertOne"
        );
        assert_eq!(settings.api_key, "k3y-never-shown");
        assert_eq!(settings.data_source, "mongodb-atlas");
        assert_eq!(settings.database, "keybox");
        assert_eq!(settings.collection, "licenses");
        let custom = |name: &str| match name {
            "MONGODB_COLLECTION" => Some("keys".to_string()),
            other => mongo_env(other),
        };
        let StorageConfig::Mongo(settings) = StorageConfig::from_lookup(custom).unwrap() else {
            panic!("mongodb storage expected");
        };
        assert_eq!(settings.collection, "keys");
    }

    #[test]
    fn each_missing_or_empty_mongodb_setting_is_named() {
        for setting in [
            "MONGODB_DATA_API_URL",
            "MONGODB_API_KEY",
            "MONGODB_DATA_SOURCE",
            "MONGODB_DATABASE",
        ] {
            let missing = |name: &str| (name != setting).then(|| mongo_env(name)).flatten();
            let error = StorageConfig::from_lookup(missing).unwrap_err();
            assert_eq!(error.setting, setting);
            assert!(error
                .to_string()
                .starts_with(&format!("{setting} is not set")));
            let empty = |name: &str| {
                if name == setting {
                    Some("  ".to_string())
                } else {
                    mongo_env(name)
                }
            };
            assert_eq!(
                StorageConfig::from_lookup(empty).unwrap_err().to_string(),
                format!("{setting} is empty")
            );
        }
    }

    #[test]
    fn a_data_api_url_must_be_http() {
        let ftp = |name: &str| match name {
            "MONGODB_DATA_API_URL" => Some("ftp://gateway.example".to_string()),
            other => mongo_env(other),
        };
        let error = StorageConfig::from_lookup(ftp).unwrap_err();
        assert_eq!(error.setting, "MONGODB_DATA_API_URL");
    }

    #[test]
    fn the_api_key_never_shows_in_debug_output_or_errors() {
        let config = StorageConfig::from_lookup(mongo_env).unwrap();
        assert!(!format!("{config:?}").contains("k3y-never-shown"));
        let no_db = |name: &str| {
            (name != "MONGODB_DATABASE")
                .then(|| mongo_env(name))
                .flatten()
        };
        let error = StorageConfig::from_lookup(no_db).unwrap_err();
        assert!(!error.to_string().contains("k3y-never-shown"));
    }

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn a_missing_or_empty_secret_is_named_without_its_value() {
        let missing = Config::from_lookup(|_| None).unwrap_err();
        assert_eq!(missing.to_string(), "JWT_SECRET is not set");
        let empty = Config::from_lookup(|_| Some(String::new())).unwrap_err();
        assert_eq!(empty.to_string(), "JWT_SECRET is empty");
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let config =
            Config::from_lookup(|name| (name == "JWT_SECRET").then(|| "super-secret-value".into()))
                .unwrap();
        assert!(!format!("{config:?}").contains("super-secret-value"));
    }

    #[test]
    fn the_secret_is_hs256_unless_an_hmac_algorithm_is_configured() {
        let default = from(&[("JWT_SECRET", "s")]).unwrap();
        assert_eq!(default.verifier.keys[0].alg, Alg::Hs256);
        let hs512 = from(&[("JWT_SECRET", "s"), ("JWT_ALGORITHM", "HS512")]).unwrap();
        assert_eq!(hs512.verifier.keys[0].alg, Alg::Hs512);
        assert_eq!(
            from(&[("JWT_SECRET", "s"), ("JWT_ALGORITHM", "none")])
                .unwrap_err()
                .setting,
            "JWT_ALGORITHM"
        );
    }

    #[test]
    fn a_jwks_url_alone_is_enough_and_must_be_https_except_on_loopback() {
        let config =
            from(&[("JWT_JWKS_URL", "https://example.com/.well-known/jwks.json")]).unwrap();
        assert!(config.verifier.remote && config.verifier.keys.is_empty());
        assert_eq!(
            config.jwks.unwrap().policy.min_refetch,
            TimeDelta::seconds(30)
        );
        assert!(from(&[("JWT_JWKS_URL", "http://127.0.0.1:9/jwks")]).is_ok());
        assert_eq!(
            from(&[("JWT_JWKS_URL", "http://example.com/jwks")])
                .unwrap_err()
                .to_string(),
            "JWT_JWKS_URL must be an https:// URL"
        );
    }

    #[test]
    fn claim_rules_come_from_their_settings() {
        let config = from(&[
            ("JWT_SECRET", "s"),
            ("JWT_ISSUER", "https://issuer.example/"),
            ("JWT_AUDIENCE", "api, other"),
            ("JWT_LEEWAY_SECONDS", "5"),
            ("JWT_USER_CLAIM", "uid"),
        ])
        .unwrap();
        let rules = &config.verifier.rules;
        assert_eq!(rules.issuer.as_deref(), Some("https://issuer.example/"));
        assert_eq!(rules.audiences, ["api", "other"]);
        assert_eq!(rules.leeway, TimeDelta::seconds(5));
        assert_eq!(rules.user_claims, ["uid"]);
        assert_eq!(
            from(&[("JWT_SECRET", "s"), ("JWT_LEEWAY_SECONDS", "-1")])
                .unwrap_err()
                .setting,
            "JWT_LEEWAY_SECONDS"
        );
    }

    #[test]
    fn an_unusable_public_key_is_named_with_its_problem() {
        let e = from(&[("JWT_PUBLIC_KEY", "hello")]).unwrap_err();
        assert_eq!(e.setting, "JWT_PUBLIC_KEY");
        assert!(!e.to_string().contains("hello"));
    }
}
