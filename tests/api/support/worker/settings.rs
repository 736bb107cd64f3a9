//! The `--env-file` lines each worker starts with, besides the run's `JWT_SECRET`.

use crate::support::Backend;

/// The settings of `backend`'s worker: authentication and CORS, then its storage.
pub(super) fn for_backend(backend: Backend) -> Result<String, String> {
    Ok(format!("{}{}", auth_settings(), backend_settings(backend)?))
}

/// The settings of the worker in JWKS mode (storing in D1, the default).
pub(super) fn for_jwks_mode(jwks_url: &str) -> String {
    jwks_settings(jwks_url)
}

/// Settings every backend worker has besides storage: `JWT_PUBLIC_KEY` (a JWKS of every
/// asymmetric test key, next to the HS256 `JWT_SECRET`), the issuer and audience that public
/// keys require, `CORS_ORIGINS`, and the license-token keys (`LICENSE_SIGNING_KEY`).
fn auth_settings() -> String {
    env_lines(&[
        ("JWT_PUBLIC_KEY", super::keys::public_jwks().to_string()),
        ("JWT_ISSUER", super::ISSUER.into()),
        ("JWT_AUDIENCE", super::AUDIENCE.into()),
        ("CORS_ORIGINS", super::ALLOWED_ORIGIN.into()),
        (
            "LICENSE_SIGNING_KEY",
            crate::support::license_signing_setting(),
        ),
        // Every test calls from one IP; the limits are tested on a worker of their own.
        ("RATE_LIMITS", "off".into()),
    ])
}

/// Settings of the JWKS-mode worker.
fn jwks_settings(jwks_url: &str) -> String {
    env_lines(&[
        ("JWT_JWKS_URL", jwks_url.into()),
        (
            "JWT_JWKS_REFETCH_SECONDS",
            super::JWKS_REFETCH_SECONDS.to_string(),
        ),
        ("JWT_ISSUER", super::ISSUER.into()),
        ("JWT_AUDIENCE", super::AUDIENCE.into()),
        ("JWT_ALGORITHM", "HS512".into()),
    ])
}

/// `KEY='value'` lines: single quotes keep a value (JSON included) verbatim for dotenv.
fn env_lines(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}='{value}'\n"))
        .collect()
}

/// The extra settings of a backend's worker (its `--env-file` lines).
pub(super) fn backend_settings(backend: Backend) -> Result<String, String> {
    match backend {
        // STORAGE left unset: D1 is the default.
        Backend::D1 => Ok(String::new()),
        Backend::Mongo => {
            let double = super::start_data_api()?;
            Ok(format!(
                "STORAGE=mongodb\nMONGODB_DATA_API_URL={}\nMONGODB_API_KEY={}\nMONGODB_DATA_SOURCE={}\nMONGODB_DATABASE={}\n",
                double.base_url, double.api_key, double.data_source, double.database
            ))
        }
    }
}
