//! Every query the store runs, each written once for both backends (see `crate::sql`): a
//! function of a [`crate::sql::Sql`], called by `ReportStore` inside a transaction where it
//! writes.

pub(crate) mod intake;
pub(crate) mod outbox;
pub(crate) mod sessions;
pub(crate) mod team;
