//! One schema version, as both backends list them.

/// One schema version: its SQL; then, for the version that chained the audit trail, the rows
/// already there chained (SHA-256 is computed in Rust, one implementation for both backends:
/// SQLite has none); then more SQL. All of it in the migration's transaction.
pub(crate) struct Migration {
    pub(crate) sql: &'static str,
    pub(crate) chain_audit: bool,
    pub(crate) then: &'static str,
}

impl Migration {
    /// A version that is SQL only.
    pub(crate) const fn sql(sql: &'static str) -> Self {
        Self {
            sql,
            chain_audit: false,
            then: "",
        }
    }
}
