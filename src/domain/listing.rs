//! The license list's filters (`GET /licenses?clientId=&projectId=&status=`), parsed once.

use super::{LicenseStatus, ObjectId, RequestError};

/// Which of the caller's licenses to list; `None` fields do not filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LicenseFilter {
    pub client: Option<ObjectId>,
    pub project: Option<ObjectId>,
    pub status: Option<LicenseStatus>,
}

impl LicenseFilter {
    /// From the query parameters as sent: ids are 24 hex digits, the status one of the four
    /// (uppercase, as stored and shown).
    pub fn parse(
        client: Option<&str>,
        project: Option<&str>,
        status: Option<&str>,
    ) -> Result<Self, RequestError> {
        let id = |text: Option<&str>, invalid| {
            text.map(|t| ObjectId::parse(t).map_err(|_| invalid))
                .transpose()
        };
        Ok(Self {
            client: id(client, RequestError::InvalidClientId)?,
            project: id(project, RequestError::InvalidProjectId)?,
            status: status
                .map(|s| LicenseStatus::parse(s).ok_or(RequestError::InvalidStatus))
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_parameters_filter_nothing_and_present_ones_are_parsed() {
        assert_eq!(
            LicenseFilter::parse(None, None, None),
            Ok(LicenseFilter::default())
        );
        let filter = LicenseFilter::parse(
            Some("60f7b3b3e6b3a72e8c8e4a1a"),
            Some("60F7B3B3E6B3A72E8C8E4A1B"),
            Some("EXPIRED"),
        )
        .unwrap();
        assert_eq!(
            filter.project.map(|p| p.to_string()).as_deref(),
            Some("60f7b3b3e6b3a72e8c8e4a1b")
        );
        assert_eq!(filter.status, Some(LicenseStatus::Expired));
    }

    #[test]
    fn bad_parameters_each_have_their_own_error() {
        use RequestError::*;
        let cases = [
            ((Some("nope"), None, None), InvalidClientId),
            ((None, Some(""), None), InvalidProjectId),
            ((None, None, Some("active")), InvalidStatus),
            ((None, None, Some("")), InvalidStatus),
            ((None, None, Some("DELETED")), InvalidStatus),
        ];
        for ((client, project, status), expected) in cases {
            assert_eq!(
                LicenseFilter::parse(client, project, status),
                Err(expected),
                "{client:?} {project:?} {status:?}"
            );
        }
    }
}
