//! The incident report domain, in plain Rust: no browser, no database, no clock, no randomness
//! (callers pass the time and random bytes in). The same code runs on the phone (WebAssembly) and
//! on the server.
//!
//! - [`id`]: the report id, made on the phone when a draft starts.
//! - [`form`]: the answers as typed ([`ReportForm`]: drafts, the wire format), one [`Question`]
//!   per answer, and validation by each question's rules.
//! - [`question_table`]: the question table: every question's wording, kind, page and rules.
//! - [`answer_slots`]: one answer at a time, by its question; whether a question is asked.
//! - [`form_pages`]: the form as pages, and which apply to a set of answers.
//! - [`journey`]: where Continue, Back and Change lead; which screen an address may show.
//! - [`progress`]: what became of a report after the server received it, as its maker may know.
//! - [`text`]: a report as words: answers, title, plain text, an email link.
//! - [`stored`]: a report on the phone and its life (draft, queued, sending, delivered, refused).
//! - [`delivery`]: the state machine behind it.
//! - [`retry`]: when to try sending again.
//! - [`queue`]: the versioned format a phone stores its reports in.
//! - [`json`]: JSON through the caller's parser (the browser's own, or `serde_json`).
//! - [`wire`]: the contract with the server: body, receipt, refusals, error codes, and what each
//!   answer means for the report.

pub mod answer_slots;
pub mod delivery;
pub mod form;
pub mod form_pages;
pub mod id;
pub mod journey;
pub mod json;
pub mod listing;
pub mod progress;
pub mod question_table;
pub mod queue;
pub mod retry;
pub mod stored;
pub mod text;
pub mod wire;

pub use delivery::{DeliveryEvent, DeliveryState, TransitionError};
pub use form::{AnswerError, Question, ReportForm};
pub use form_pages::FormPage;
pub use id::{ReportId, ReportIdError};
pub use retry::RetryPolicy;
pub use stored::StoredReport;
