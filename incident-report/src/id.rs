//! The report id: a UUID v4 made on the phone when a draft starts. It names the report
//! everywhere, and the server uses it as the idempotency key, so a report sent twice is stored once.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A report's id (UUID v4, lower-case hyphenated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportId(Uuid);

/// Why a string is not a report id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportIdError {
    /// Not a UUID at all.
    #[error("a report id must be a UUID")]
    NotAUuid,
    /// A UUID, but not a random (version 4) one.
    #[error("a report id must be a random (version 4) UUID")]
    NotVersion4,
}

impl ReportId {
    /// A new id from 16 random bytes (the caller reads them from a secure source).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// Parses an id as sent by a phone.
    pub fn parse(text: &str) -> Result<Self, ReportIdError> {
        let uuid = Uuid::try_parse(text).map_err(|_| ReportIdError::NotAUuid)?;
        if uuid.get_version_num() != 4 {
            return Err(ReportIdError::NotVersion4);
        }
        Ok(Self(uuid))
    }
}

impl fmt::Display for ReportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl TryFrom<String> for ReportId {
    type Error = ReportIdError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<ReportId> for String {
    fn from(id: ReportId) -> Self {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_from_random_bytes_is_a_version_4_uuid_that_parses_back() {
        let id = ReportId::from_random_bytes([7; 16]);
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(ReportId::parse(&text), Ok(id));
    }

    #[test]
    fn garbage_and_other_uuid_versions_are_refused() {
        assert_eq!(ReportId::parse("not-a-uuid"), Err(ReportIdError::NotAUuid));
        // A version 1 (time-based) UUID.
        assert_eq!(
            ReportId::parse("c232ab00-9414-11ec-b3c8-9f6bdeced846"),
            Err(ReportIdError::NotVersion4)
        );
    }

    #[test]
    fn an_id_travels_as_a_json_string() {
        let id = ReportId::from_random_bytes([1; 16]);
        let json = serde_json::to_string(&id).expect("serialises");
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<ReportId>(&json).expect("parses"), id);
        assert!(serde_json::from_str::<ReportId>("\"nope\"").is_err());
    }
}
