//! The team's view: `/team`, where the people who receive reports see, acknowledge and close
//! them and retry a held-back delivery, signed in with the organisation's identity provider
//! ([`sign_in`]). Off (404) unless the identity provider is set.
//!
//! - Sessions live in the report database, so every instance behind a load balancer honours
//!   them: the cookie (`__Host-`, Secure, HttpOnly, SameSite=Lax) holds a random token, the
//!   database its SHA-256. A session ends after [`IDLE_MS`](crate::fixed::IDLE_MS) without a request, [`ABSOLUTE_MS`](crate::fixed::ABSOLUTE_MS)
//!   after signing in, or at "Sign out".
//! - Every form carries the session's CSRF token; a post without it is refused (403) and does
//!   nothing. A post whose session has ended does nothing either: the person signs in again
//!   and comes back to the report.
//! - Every view of a report and every action is written to the audit trail first (who, when,
//!   what, from which address), and so is every refusal (a sign-in the provider did not prove or
//!   the list does not admit, a form without its CSRF token); a stranger's refusals spend their
//!   address's sign-in allowance, so they cannot fill the trail.
//! - Signing out never signs anyone in: with or without a live session it ends at the provider's
//!   logout or the signed-out page.
//! - A reference or sign-in state is checked for its shape before it is used anywhere: anything
//!   else is 404 (or "Sign in again"), never a database error.
//! - Every answer is `Cache-Control: no-store` (`headers`), has no scripts, and may send a form
//!   only here or to the identity provider (signing out there).
//!
//! Here: the view's settings, who may enter ([`Allowed`]) and the routes. [`sign_in`] talks to
//! the identity provider; `visit` is what every handler starts from (the session, CSRF, refusals,
//! answers); `handlers` are the routes' handlers; `views` turn the store's rows into the pages'
//! views; `tokens` are the cookies, tokens and shape checks.

mod counts;
mod export;
mod handlers;
mod list;
pub mod sign_in;
mod tokens;
mod views;
mod visit;

use app::team::{self as pages, TrailCheck};
use axum::{
    Router,
    http::HeaderValue,
    routing::{get, post},
};
use report_store::{AuditCheck, ReportStore};

use crate::AppState;
use crate::fixed::{FORM_LIMIT, TRAIL_CHECKED_EVERY, WORK_PER_MINUTE};
use counts::counts_show;
use export::{reports_csv, reports_json};
use handlers::{report_act, report_show, sign_out, signed_in, signed_out};
use list::list_show;
use sign_in::{Identity, Provider, SIGNED_IN_PATH, SIGNED_OUT_PATH};

/// Who may enter the team's view.
#[derive(Debug, Clone)]
pub struct Allowed {
    /// Email addresses, lower case.
    pub emails: Vec<String>,
    /// A group or role in claim `claim`.
    pub group: Option<String>,
    /// The ID token claim listing groups or roles.
    pub claim: String,
}

/// An email address as it is compared and kept: ASCII letters lower-cased, nothing else changed.
/// Full Unicode lower-casing would make another address equal to one on the list (the Kelvin
/// sign `K` lower-cases to `k`).
pub fn email_key(email: &str) -> String {
    email.to_ascii_lowercase()
}

impl Allowed {
    /// Whether `identity` may enter: their email is on the list, or they have the group.
    pub fn admits(&self, identity: &Identity) -> bool {
        self.emails.contains(&identity.email)
            || self
                .group
                .as_ref()
                .is_some_and(|group| identity.groups.contains(group))
    }
}

/// The team's view, as the router holds it.
#[derive(Debug)]
pub struct Team {
    provider: Provider,
    csp: HeaderValue,
    /// Sign-ins started, and refused, per client address: each writes a row.
    limiter: crate::rate_limit::Limiter,
    /// Pages and actions per signed-in person.
    work: crate::rate_limit::PerPerson,
    /// The last walk of the whole audit trail, and when it was made.
    trail: tokio::sync::Mutex<Option<(tokio::time::Instant, TrailCheck)>>,
}

impl Team {
    /// Sets up the view with the identity provider `provider`; `limiter` counts the sign-ins
    /// each client starts.
    pub fn new(provider: Provider, limiter: crate::rate_limit::Limiter) -> Self {
        let policy = format!(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
             form-action 'self' {}",
            provider.origin()
        );
        Self {
            provider,
            limiter,
            work: crate::rate_limit::PerPerson::new(WORK_PER_MINUTE),
            trail: tokio::sync::Mutex::new(None),
            csp: HeaderValue::from_str(&policy)
                .unwrap_or(HeaderValue::from_static("default-src 'self'")),
        }
    }

    /// The sign-in rate limit, for the server to forget quiet clients.
    pub fn limiter(&self) -> &crate::rate_limit::Limiter {
        &self.limiter
    }

    /// What a walk of the whole audit trail found, at most [`TRAIL_CHECKED_EVERY`] ago (one walk
    /// at a time); a trail found changed is logged each time it is walked.
    async fn trail_check(&self, store: &ReportStore) -> TrailCheck {
        let mut last = self.trail.lock().await;
        let now = tokio::time::Instant::now();
        if let Some((at, check)) = *last
            && now.duration_since(at) < TRAIL_CHECKED_EVERY
        {
            return check;
        }
        let check = log_trail_check(store.check_audit_trail().await);
        *last = Some((now, check));
        check
    }

    /// The signed-in people's rate limit, for the server to forget quiet people.
    pub fn work_limiter(&self) -> &crate::rate_limit::PerPerson {
        &self.work
    }
}

/// The team's routes; none when the view is off (no `team`).
pub fn routes(team: Option<&Team>) -> Router<AppState> {
    if team.is_none() {
        return Router::new();
    }
    Router::new()
        .route(pages::TEAM_PATH, get(list_show))
        .route(pages::COUNTS_PATH, get(counts_show))
        .route(pages::EXPORT_CSV_PATH, get(reports_csv))
        .route(pages::EXPORT_JSON_PATH, get(reports_json))
        .route("/team/reports/{reference}", get(report_show))
        .route("/team/reports/{reference}/{action}", post(report_act))
        .route(SIGNED_IN_PATH, get(signed_in))
        .route(pages::SIGN_OUT_PATH, post(sign_out))
        .route(SIGNED_OUT_PATH, get(signed_out))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
}

/// What a walk of the audit trail found, as the team's pages show it, logged (an error when the
/// trail was changed or could not be read).
pub fn log_trail_check(walked: Result<AuditCheck, report_store::StoreError>) -> TrailCheck {
    match walked {
        Ok(AuditCheck::Intact { rows }) => {
            tracing::info!(rows, "the audit trail is intact");
            TrailCheck::Intact { rows }
        }
        Ok(AuditCheck::ChangedAt { seq }) => {
            tracing::error!(
                seq,
                "the audit trail was changed: this row no longer follows the rows before it"
            );
            TrailCheck::ChangedAt { seq }
        }
        Ok(AuditCheck::Shortened { rows, seen }) => {
            tracing::error!(
                rows,
                seen,
                "the audit trail has lost its newest entries: it has fewer than an earlier check found"
            );
            TrailCheck::Shortened { rows, seen }
        }
        Err(error) => {
            tracing::error!(%error, "the audit trail could not be checked");
            TrailCheck::NotChecked
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(email: &str, groups: &[&str]) -> Identity {
        Identity {
            subject: "subject-1".to_owned(),
            email: email.to_owned(),
            name: "A Person".to_owned(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            id_token: String::new(),
        }
    }

    #[test]
    fn a_person_enters_by_their_email_or_their_group_and_by_nothing_else() {
        let allowed = Allowed {
            emails: vec!["sam@example.org".to_owned()],
            group: Some("incident-team".to_owned()),
            claim: "groups".to_owned(),
        };
        assert!(allowed.admits(&person("sam@example.org", &[])));
        assert!(allowed.admits(&person("kim@example.org", &["finance", "incident-team"])));
        assert!(!allowed.admits(&person("pat@example.org", &["finance"])));
        assert!(!allowed.admits(&person("pat@example.org", &["incident-team-x"])));
        let emails_only = Allowed {
            group: None,
            ..allowed
        };
        assert!(!emails_only.admits(&person("kim@example.org", &["incident-team"])));
    }

    #[test]
    fn an_email_is_compared_after_ascii_lower_casing_only() {
        let allowed = Allowed {
            emails: vec![email_key("Kim@Example.org")],
            group: None,
            claim: "groups".to_owned(),
        };
        assert!(allowed.admits(&person(&email_key("KIM@example.ORG"), &[])));
        // The Kelvin sign lower-cases to "k" in Unicode, but it is another address.
        let kelvin = email_key("\u{212A}im@example.org");
        assert_ne!(kelvin, "kim@example.org");
        assert!(!allowed.admits(&person(&kelvin, &[])));
    }
}
