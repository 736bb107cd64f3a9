//! The claims of a license token: who issued it, which license, for how long, and the seat.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::json_text::Obj;
use crate::domain::{
    base64url, format_timestamp, EntropyUnavailable, License, LicenseStatus, ObjectId,
    RandomSource, Services,
};

/// The seat a validate or activate request named, if any; each id only when given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seat<'a> {
    pub machine_id: Option<&'a str>,
    pub instance_id: Option<&'a str>,
}

/// The payload of a license token. Times are seconds since the epoch (RFC 7519 NumericDate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenseClaims {
    pub iss: String,
    /// The license key.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub status: LicenseStatus,
    pub services: Services,
    pub project: ObjectId,
    pub client: ObjectId,
    #[serde(rename = "licenseExpiresAt")]
    pub license_expires_at: String,
    #[serde(rename = "machineId", skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,
    #[serde(rename = "instanceId", skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
}

impl LicenseClaims {
    /// The payload's JSON text, members in the order of the struct (what `Serialize` writes:
    /// the unit tests hold the two equal), through the crate's JSON writer.
    pub fn to_json(&self) -> String {
        let mut claims = Obj::new();
        claims
            .str("iss", &self.iss)
            .str("sub", &self.sub)
            .raw("iat", &self.iat.to_string())
            .raw("nbf", &self.nbf.to_string())
            .raw("exp", &self.exp.to_string())
            .str("jti", &self.jti)
            .str("status", self.status.as_str())
            .raw("services", &self.services.to_json())
            .str("project", &self.project.to_string())
            .str("client", &self.client.to_string())
            .str("licenseExpiresAt", &self.license_expires_at);
        if let Some(machine) = &self.machine_id {
            claims.str("machineId", machine);
        }
        if let Some(instance) = &self.instance_id {
            claims.str("instanceId", instance);
        }
        claims.end()
    }
}

/// Random bytes in a `jti`: 128 bits, so that two tokens never share one.
const JTI_BYTES: usize = 16;

impl LicenseClaims {
    /// The claims of a token issued `now` for `license`: valid from `now` for `ttl_seconds`,
    /// but never past the license's own expiry, with a random `jti`.
    pub fn new(
        license: &License,
        seat: Seat<'_>,
        now: DateTime<Utc>,
        ttl_seconds: i64,
        issuer: &str,
        random: &mut impl RandomSource,
    ) -> Result<Self, EntropyUnavailable> {
        let mut jti = [0u8; JTI_BYTES];
        random.fill(&mut jti)?;
        let iat = now.timestamp();
        // Whole seconds, rounded down: a token never outlives the license by a fraction.
        let exp = iat
            .saturating_add(ttl_seconds)
            .min(license.expires_at.timestamp());
        Ok(Self {
            iss: issuer.to_owned(),
            sub: license.key.as_str().to_owned(),
            iat,
            nbf: iat,
            exp,
            jti: base64url::encode(&jti),
            status: license.status,
            services: license.services.clone(),
            project: license.project,
            client: license.client,
            license_expires_at: format_timestamp(license.expires_at),
            machine_id: seat.machine_id.map(str::to_owned),
            instance_id: seat.instance_id.map(str::to_owned),
        })
    }
}
