//! The IT-security guidance the app shows, kept as plain data.
//!
//! Each page lives in its own module under [`pages`]; components in `app` only render what is here.
//! Facts (numbers, addresses, links, the order of steps) are copied exactly from the Ministry of
//! Justice pages named in [`source`]; every sentence is our own, written for a small screen and a
//! bad moment. `tests/facts.rs` checks every number, address and link against the source text.

pub mod contacts;
pub mod model;
pub mod pages;
pub mod source;

pub use model::{Action, ActionKind, Block, Contact, Page, Section, Step};

/// Every guidance page, in the order the app lists them. The first is the home page.
pub const PAGES: &[&Page] = &[
    &pages::home::PAGE,
    &pages::shut_down::PAGE,
    &pages::saving_data::PAGE,
    &pages::drive_failure::PAGE,
    &pages::password_reset::PAGE,
    &pages::contacts::PAGE,
];

/// The page whose URL path is `path` (`"/"` for home), if there is one.
pub fn page_at(path: &str) -> Option<&'static Page> {
    PAGES.iter().copied().find(|page| page.path == path)
}

/// The concrete URL path of every guidance page, for the router and the offline precache.
pub fn paths() -> impl Iterator<Item = &'static str> {
    PAGES.iter().map(|page| page.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_a_unique_path_under_the_site_root() {
        let mut seen = std::collections::HashSet::new();
        for path in paths() {
            assert!(path.starts_with('/'), "{path}");
            assert!(seen.insert(path), "{path} twice");
        }
        assert_eq!(PAGES[0].path, "/");
    }

    #[test]
    fn a_page_is_found_by_its_path_and_an_unknown_path_is_not() {
        assert_eq!(page_at("/contacts").map(|p| p.path), Some("/contacts"));
        assert!(page_at("/nope").is_none());
    }

    #[test]
    fn every_page_names_its_source_and_when_it_was_checked() {
        for page in PAGES {
            assert!(!page.sources.is_empty(), "{}", page.path);
            assert!(!page.title.is_empty() && !page.summary.is_empty());
        }
    }
}
