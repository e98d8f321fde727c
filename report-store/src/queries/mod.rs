//! Every query the store runs, each written once for both backends (see `crate::sql`): a
//! function of a [`crate::sql::Sql`], called by `ReportStore` inside a transaction where it
//! writes.

pub(crate) mod intake;
pub(crate) mod outbox;
pub(crate) mod sessions;
pub(crate) mod team;

use crate::StoreError;
use crate::schema::Step;
use crate::sql::Sql;

/// Runs a migration's step in Rust (see [`Step`]).
pub(crate) async fn run_step(sql: &impl Sql, step: Step) -> Result<(), StoreError> {
    match step {
        Step::ChainAudit => team::chain_existing_audit_rows(sql).await,
        Step::FillListing => intake::fill_listing(sql).await,
    }
}
