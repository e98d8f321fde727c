//! Alerts to the team, as outbox rows of their own: one row per report and kind (the primary key
//! of `deliveries`), so each alert is sent once however many instances raise it and however
//! often, retried like any delivery, and its sending written to the audit trail.

/// Why the team is alerted about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::EnumString, strum::EnumIter)]
#[strum(serialize_all = "kebab-case")]
pub enum Alert {
    /// One of its deliveries was held back after a permanent failure.
    HeldBack,
    /// Nobody acknowledged it within the time the deployment set.
    Unacknowledged,
}

/// What every alert's destination name starts with: no report destination does.
pub(crate) const PREFIX: &str = "alert:";

/// A delivery of `d` that is a report's, not an alert's, as SQL.
pub(crate) const NOT_ALERT: &str = "d.destination NOT LIKE 'alert:%'";

impl Alert {
    /// Its destination name in the outbox (`alert:held-back`).
    pub fn destination(self) -> String {
        format!("{PREFIX}{self}")
    }

    /// The alert a destination name stands for, if it is one.
    pub fn of_destination(destination: &str) -> Option<Self> {
        destination.strip_prefix(PREFIX)?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::Alert;
    use strum::IntoEnumIterator as _;

    #[test]
    fn an_alert_is_its_own_destination_and_back() {
        for alert in Alert::iter() {
            assert_eq!(Alert::of_destination(&alert.destination()), Some(alert));
        }
        assert_eq!(Alert::HeldBack.destination(), "alert:held-back");
        assert_eq!(Alert::of_destination("smtp"), None);
    }
}
