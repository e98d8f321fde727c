//! Where the guidance comes from and when it was last checked against it.

/// A published page the guidance is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The page's own title.
    pub title: &'static str,
    /// Who publishes it.
    pub publisher: &'static str,
    /// Its address, where the source text gives one.
    pub url: Option<&'static str>,
}

/// The date (ISO 8601) someone last compared this app's guidance with its sources, word by word.
pub const LAST_CHECKED: &str = "2026-11-27";

/// The same date as people read it.
pub const LAST_CHECKED_TEXT: &str = "27 November 2026";

/// "Lost devices or other IT security incidents".
pub const LOST_DEVICES: Source = Source {
    title: "Lost devices or other IT security incidents",
    publisher: "Ministry of Justice security guidance",
    url: None,
};

/// Who "Lost devices or other IT security incidents" is for.
pub const LOST_DEVICES_AUDIENCE: &str = "For all MoJ staff and contractors.";

/// "Laptops".
pub const LAPTOPS: Source = Source {
    title: "Laptops",
    publisher: "Ministry of Justice security guidance",
    url: Some("https://security-guidance.service.justice.gov.uk/laptops/"),
};

/// Who "Laptops" is for.
pub const LAPTOPS_AUDIENCE: &str = "For all MoJ staff.";
