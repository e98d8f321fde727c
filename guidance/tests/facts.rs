//! Every phone number, email address and web address in the guidance must appear, exactly, in the
//! published source pages kept in `shared/guidance-source/`. Sentences are ours; facts are theirs.

use guidance::{Block, PAGES, Page, contacts, pages::home};

fn source_text() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/guidance-source");
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("shared/guidance-source is beside the project") {
        let path = entry.expect("readable directory entry").path();
        text.push_str(&std::fs::read_to_string(&path).expect("readable source page"));
    }
    assert!(text.len() > 1000, "the source pages are there");
    text
}

/// All the text a page shows, including action targets.
fn page_text(page: &Page) -> Vec<String> {
    let mut out = vec![page.title.to_owned(), page.summary.to_owned()];
    for section in page.sections {
        out.extend(section.heading.map(str::to_owned));
        for block in section.blocks {
            match block {
                Block::Text(t) | Block::Warning(t) => out.push((*t).to_owned()),
                Block::Ordered(items) | Block::Bullets(items) => {
                    out.extend(items.iter().map(|i| (*i).to_owned()));
                }
                Block::Steps(steps) => {
                    for step in *steps {
                        out.push(step.title.to_owned());
                        out.push(step.detail.to_owned());
                        out.extend(step.actions.iter().map(|a| a.target.to_owned()));
                    }
                }
                Block::Contacts(list) => {
                    for contact in *list {
                        out.push(contact.name.to_owned());
                        out.push(contact.purpose.to_owned());
                        out.extend(contact.actions.iter().map(|a| a.target.to_owned()));
                    }
                }
                Block::Related(_) => {}
            }
        }
    }
    out.extend(page.sources.iter().filter_map(|s| s.url.map(str::to_owned)));
    out
}

/// Phone numbers (runs of digits and single spaces with at least 10 digits), email addresses and
/// URLs found in a piece of text.
fn facts_in(text: &str) -> Vec<String> {
    let mut facts = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || "(),;".contains(c)) {
        let word = word.trim_end_matches(['.', ':']);
        if word.contains('@') || word.starts_with("http") {
            facts.push(word.to_owned());
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (chars[i] == ' ' && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            if run.chars().filter(char::is_ascii_digit).count() >= 10 {
                facts.push(run);
            }
        }
        i += 1;
    }
    facts
}

#[test]
fn every_number_address_and_link_is_exactly_as_published() {
    let source = source_text();
    let mut checked = 0;
    for page in PAGES {
        for text in page_text(page) {
            for fact in facts_in(&text) {
                assert!(
                    source.contains(&fact),
                    "{} shows {fact:?}, which the source does not have",
                    page.path
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 15,
        "only {checked} facts found: the scanner is broken"
    );
}

#[test]
fn the_content_has_every_contact_from_the_source() {
    let all: Vec<String> = PAGES.iter().flat_map(|p| page_text(p)).collect();
    let all = all.join("\n");
    for fact in [
        "0800 917 5148",
        "https://mojprod.service-now.com/moj_sp",
        "informationmgmtsecurity@justice.gov.uk",
        "0203 334 0324",
        "security@justice.gov.uk",
        "CyberConsultancy@digital.justice.gov.uk",
        "itpolicycontent@digital.justice.gov.uk",
        "itservicedesk@justice.gov.uk",
        "servicedesk@digital.justice.gov.uk",
        "#digitalservicedesk",
    ] {
        assert!(all.contains(fact), "{fact} is missing");
    }
}

#[test]
fn routes_that_are_no_longer_monitored_are_never_links() {
    for page in PAGES {
        for section in page.sections {
            for block in section.blocks {
                let actions: Vec<_> = match block {
                    Block::Steps(steps) => steps.iter().flat_map(|s| s.actions).collect(),
                    Block::Contacts(list) => list.iter().flat_map(|c| c.actions).collect(),
                    _ => continue,
                };
                for action in actions {
                    let is_old = contacts::NOT_MONITORED
                        .iter()
                        .any(|old| old.split(' ').next() == Some(action.target));
                    assert!(!is_old, "{} links to {}", page.path, action.target);
                }
            }
        }
    }
}

#[test]
fn the_three_steps_come_in_the_published_order() {
    let titles: Vec<&str> = home::STEPS.iter().map(|s| s.title).collect();
    assert_eq!(titles.len(), 3);
    assert!(titles[0].contains("IT Service Desk"));
    assert!(titles[1].contains("line manager"));
    assert!(titles[2].contains("police"));
    let hrefs: Vec<String> = home::STEPS[0]
        .actions
        .iter()
        .map(guidance::Action::href)
        .collect();
    assert_eq!(
        hrefs,
        ["tel:08009175148", "https://mojprod.service-now.com/moj_sp"]
    );
}

#[test]
fn related_links_point_at_real_pages() {
    for page in PAGES {
        for section in page.sections {
            for block in section.blocks {
                if let Block::Related(paths) = block {
                    for path in *paths {
                        assert!(
                            guidance::page_at(path).is_some(),
                            "{} links to missing {path}",
                            page.path
                        );
                    }
                }
            }
        }
    }
}
