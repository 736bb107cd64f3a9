//! The text fields of clients and projects: a [`Name`] and an [`Email`], trimmed and checked once.

use serde::Serialize;
use serde_json::Value;

/// A client's or project's name: trimmed, 1 to [`Name::MAX_CHARS`] characters, no control
/// characters (they would break logs and dashboards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Name(String);

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// Missing, `null`, or blank.
    Missing,
    /// Not a string, too long, or holding control characters.
    Invalid,
}

impl Name {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 100;

    pub fn parse(value: Option<&Value>) -> Result<Self, NameProblem> {
        let text = match value {
            None | Some(Value::Null) => return Err(NameProblem::Missing),
            Some(Value::String(text)) => text.trim(),
            Some(_) => return Err(NameProblem::Invalid),
        };
        if text.is_empty() {
            return Err(NameProblem::Missing);
        }
        if text.chars().count() > Self::MAX_CHARS || text.chars().any(char::is_control) {
            return Err(NameProblem::Invalid);
        }
        Ok(Self(text.to_owned()))
    }

    /// A name read back from storage, trusted as written.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, trimmed, kept as spelled; two addresses are the same client when their
/// [`Email::lowercase`] forms are equal.
///
/// The check is strict and documented rather than RFC 5322's full grammar (no quoted local
/// parts, comments or IP-literal domains, which no client record needs): at most 254
/// characters; a local part of 1 to 64 of `A-Z a-z 0-9 . ! # $ % & ' * + / = ? ^ _ ` { | } ~ -`
/// with no leading, trailing or doubled dot; a domain of at least two dot-separated labels of
/// 1 to 63 letters, digits and inner hyphens, the last one (the TLD) letters only, 2 or more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    /// `None` for a missing/blank value is the caller's ("required"); this answers whether
    /// a given string is an address.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() > Self::MAX_LEN {
            return None;
        }
        let (local, domain) = text.rsplit_once('@')?;
        (valid_local(local) && valid_domain(domain)).then(|| Self(text.to_owned()))
    }

    /// An address read back from storage, trusted as written.
    pub fn from_stored(email: String) -> Self {
        Self(email)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is decided on (ASCII only, so this is exact).
    pub fn lowercase(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

fn valid_local(local: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-.".contains(&b);
    (1..=64).contains(&local.len())
        && local.bytes().all(allowed)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            Name::parse(Some(&json!("  Acme  "))).unwrap().as_str(),
            "Acme"
        );
        let longest = "é".repeat(Name::MAX_CHARS);
        assert!(
            Name::parse(Some(&json!(longest))).is_ok(),
            "counted in characters"
        );
        for (value, problem) in [
            (None, NameProblem::Missing),
            (Some(json!(null)), NameProblem::Missing),
            (Some(json!("")), NameProblem::Missing),
            (Some(json!(" \t ")), NameProblem::Missing),
            (Some(json!(42)), NameProblem::Invalid),
            (Some(json!(["Acme"])), NameProblem::Invalid),
            (Some(json!("a".repeat(101))), NameProblem::Invalid),
            (Some(json!("Ac\u{0}me")), NameProblem::Invalid),
            (Some(json!("Ac\nme")), NameProblem::Invalid),
        ] {
            assert_eq!(Name::parse(value.as_ref()), Err(problem), "{value:?}");
        }
    }

    #[test]
    fn ordinary_addresses_are_emails() {
        for ok in [
            "dev@example.com",
            "First.Last+tag@sub.example.co.uk",
            "o'neil@example.org",
            "x@a-b.io",
            "  padded@example.com ",
        ] {
            assert!(Email::parse(ok).is_some(), "{ok}");
        }
        assert_eq!(
            Email::parse("Dev@Example.COM").unwrap().lowercase(),
            "dev@example.com"
        );
    }

    #[test]
    fn anything_else_is_not_an_email() {
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_total = format!("a@{}.com", "b".repeat(250));
        for bad in [
            "",
            "plain",
            "@example.com",
            "dev@",
            "dev@example",
            "dev@@example.com",
            "dev@exa mple.com",
            "d ev@example.com",
            ".dev@example.com",
            "dev.@example.com",
            "d..ev@example.com",
            "dev@-example.com",
            "dev@example-.com",
            "dev@example..com",
            "dev@example.c",
            "dev@example.c0m",
            "dév@example.com",
            "dev@exämple.com",
            "dev@exa\nmple.com",
            "\"quoted\"@example.com",
            "dev@[127.0.0.1]",
            long_local.as_str(),
            long_total.as_str(),
        ] {
            assert_eq!(Email::parse(bad), None, "{bad:?}");
        }
    }
}
