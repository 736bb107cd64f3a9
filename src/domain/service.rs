use serde::Serialize;
use serde_json::Value;

use super::json_text::strings;

/// A service a license covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Service {
    Hosting,
    Domain,
}

impl Service {
    pub const ALL: [Service; 2] = [Service::Hosting, Service::Domain];

    pub fn as_str(self) -> &'static str {
        match self {
            Service::Hosting => "Hosting",
            Service::Domain => "Domain",
        }
    }

    /// Exact, case-sensitive names, as the original server stored them.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A non-empty list of distinct services, in the order the caller gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Services(Vec<Service>);

impl Default for Services {
    /// `["Hosting"]`, the contract's default.
    fn default() -> Self {
        Self(vec![Service::Hosting])
    }
}

impl Services {
    /// Missing or `null` gives the default; otherwise a non-empty array of known names,
    /// duplicates dropped with the first occurrence kept.
    pub fn parse(value: Option<&Value>) -> Option<Self> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Some(Self::default());
        };
        let mut services = Vec::new();
        for item in value.as_array()? {
            let service = Service::parse(item.as_str()?)?;
            if !services.contains(&service) {
                services.push(service);
            }
        }
        (!services.is_empty()).then_some(Self(services))
    }

    pub fn as_slice(&self) -> &[Service] {
        &self.0
    }

    /// The JSON array of the names, `["Hosting","Domain"]`: how answers, license tokens and
    /// both stores write them.
    pub fn to_json(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|s| s.as_str()).collect();
        strings(&names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parsed(value: Value) -> Option<Vec<&'static str>> {
        Services::parse(Some(&value)).map(|s| s.as_slice().iter().map(|s| s.as_str()).collect())
    }

    #[test]
    fn missing_or_null_services_default_to_hosting() {
        assert_eq!(
            Services::parse(None),
            Some(Services(vec![Service::Hosting]))
        );
        assert_eq!(parsed(json!(null)), Some(vec!["Hosting"]));
    }

    #[test]
    fn known_services_keep_their_order_and_lose_duplicates() {
        assert_eq!(
            parsed(json!(["Domain", "Hosting"])),
            Some(vec!["Domain", "Hosting"])
        );
        assert_eq!(
            parsed(json!(["Domain", "Domain", "Hosting", "Domain"])),
            Some(vec!["Domain", "Hosting"])
        );
        assert_eq!(parsed(json!(["Hosting"])), Some(vec!["Hosting"]));
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            json!([]),
            json!("Hosting"),
            json!(["hosting"]),
            json!(["Email"]),
            json!(["Hosting", "Email"]),
            json!(["Hosting", 1]),
            json!(["Hosting", null]),
            json!([["Hosting"]]),
            json!({"0": "Hosting"}),
            json!(true),
            json!(7),
        ] {
            assert_eq!(parsed(bad.clone()), None, "{bad}");
        }
    }

    #[test]
    fn services_serialise_as_their_names() {
        let services = Services::parse(Some(&json!(["Hosting", "Domain"]))).unwrap();
        assert_eq!(
            serde_json::to_value(&services).unwrap(),
            json!(["Hosting", "Domain"])
        );
        assert_eq!(
            services.to_json(),
            serde_json::to_string(&services).unwrap()
        );
    }
}
