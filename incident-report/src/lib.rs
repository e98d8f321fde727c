//! The incident report domain, in plain Rust: no browser, no database, no clock, no randomness
//! (callers pass the time and random bytes in). The same code runs on the phone (WebAssembly) and
//! on the server.
//!
//! - [`id`]: the report id, made on the phone when a draft starts.
//! - [`form`]: the answers as typed (drafts, the wire format), and [`form::ReportForm::validate`],
//!   which turns them into a [`form::Report`] or per-field errors.
//! - [`access`]: one answer at a time, by its question, and each question's choices.
//! - [`delivery`]: the delivery state machine (draft → queued → sending → delivered | rejected).
//! - [`retry`]: when to try sending again.
//! - [`queue`]: the versioned format a phone stores its reports in.
//! - [`outbox`]: what to send next and what each answer from the network means.
//! - [`pages`]: the form as pages: which questions each asks, and in what order.
//! - [`text`]: questions, choice labels, and a report as plain text or an email link.

pub mod access;
pub mod delivery;
pub mod form;
pub mod id;
pub mod outbox;
pub mod pages;
pub mod queue;
pub mod retry;
pub mod text;

pub use delivery::{DeliveryEvent, DeliveryState, TransitionError};
pub use form::{Field, FieldError, Report, ReportForm};
pub use id::{ReportId, ReportIdError};
pub use pages::FormPage;
pub use retry::RetryPolicy;
