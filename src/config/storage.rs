//! Where licenses are stored: `STORAGE`, and for MongoDB the `MONGODB_*` settings.

use std::fmt;

use super::url::remote_url;
use super::ConfigError;

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
    /// `MONGODB_CLIENTS_COLLECTION`, default `clients`.
    pub clients_collection: String,
    /// `MONGODB_PROJECTS_COLLECTION`, default `projects`.
    pub projects_collection: String,
}

impl fmt::Debug for MongoSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MongoSettings")
            .field("data_api_url", &self.data_api_url)
            .field("api_key", &"[redacted]")
            .field("data_source", &self.data_source)
            .field("database", &self.database)
            .field("collection", &self.collection)
            .field("clients_collection", &self.clients_collection)
            .field("projects_collection", &self.projects_collection)
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
        let optional = |setting: &str, default: &str| match lookup(setting) {
            Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
            _ => default.to_owned(),
        };
        // The API key travels in a header: never in clear beyond this machine.
        let url = remote_url("MONGODB_DATA_API_URL", &required("MONGODB_DATA_API_URL")?)?;
        let settings = Self {
            data_api_url: url.trim_end_matches('/').to_owned(),
            api_key: required("MONGODB_API_KEY")?,
            data_source: required("MONGODB_DATA_SOURCE")?,
            database: required("MONGODB_DATABASE")?,
            collection: optional("MONGODB_COLLECTION", DEFAULT_COLLECTION),
            clients_collection: optional("MONGODB_CLIENTS_COLLECTION", "clients"),
            projects_collection: optional("MONGODB_PROJECTS_COLLECTION", "projects"),
        };
        Ok(settings)
    }

    /// The URL of a Data API action, e.g. `insertOne`.
    pub fn action_url(&self, action: &str) -> String {
        format!("{}/action/{action}", self.data_api_url)
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
    fn a_data_api_url_is_https_or_plain_http_to_a_loopback_host() {
        let with_url = |url: &'static str| {
            move |name: &str| match name {
                "MONGODB_DATA_API_URL" => Some(url.to_string()),
                other => mongo_env(other),
            }
        };
        for url in [
            "https://gateway.example/data/v1",
            "http://127.0.0.1:8080",
            "http://localhost/data/v1/",
        ] {
            let config = StorageConfig::from_lookup(with_url(url));
            assert!(config.is_ok(), "{url}: {config:?}");
        }
        for (url, why) in [
            ("ftp://gateway.example", "another scheme"),
            (
                "http://gateway.example/data/v1",
                "the API key would travel in clear",
            ),
            (
                "http://localhost:@gateway.example/",
                "user info hiding the host",
            ),
        ] {
            let error = StorageConfig::from_lookup(with_url(url)).unwrap_err();
            assert_eq!(error.setting, "MONGODB_DATA_API_URL", "{why}");
            assert!(!error.to_string().contains("gateway.example"), "{why}");
        }
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
}
