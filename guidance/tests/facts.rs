//! Every phone number, email address and web address in the guidance must appear, exactly, in the
//! published source pages kept in `shared/guidance-source/`. Sentences are ours; facts are theirs.

use guidance::pages::{home, saving_data};
use guidance::{Action, Block, PAGES, Page, contacts};

fn source_pages() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/guidance-source");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(dir).expect("shared/guidance-source is beside the project") {
        let path = entry.expect("readable directory entry").path();
        pages.push(std::fs::read_to_string(&path).expect("readable source page"));
    }
    assert_eq!(pages.len(), 2, "both source pages are there");
    pages
}

fn source_text() -> String {
    let text = source_pages().concat();
    assert!(text.len() > 1000, "the source pages are there");
    text
}

/// The text of every source section whose heading (level 2, `##` with or without a space)
/// starts with `heading`, from either page, up to the next level-2 heading.
fn source_section(heading: &str) -> String {
    let mut found = String::new();
    for page in source_pages() {
        let mut inside = false;
        for line in page.lines() {
            if let Some(title) = line.strip_prefix("##") {
                inside = title.trim().starts_with(heading);
            } else if inside {
                found.push_str(line);
                found.push('\n');
            }
        }
    }
    assert!(
        !found.is_empty(),
        "the source has a section headed {heading:?}"
    );
    found
}

/// The items of the first numbered list in `text`, without their numbers.
fn numbered_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter_map(|line| {
            let (number, item) = line.split_once('.')?;
            number
                .parse::<u8>()
                .is_ok()
                // The source is Markdown: `\(` is a plain bracket.
                .then(|| item.trim().trim_end_matches('.').replace('\\', ""))
        })
        .collect()
}

/// The actions of a block: step calls and links, and contacts' ways to reach them.
fn actions(block: &Block) -> Vec<&'static Action> {
    match block {
        Block::Steps(steps) => steps.iter().flat_map(|s| s.actions).collect(),
        Block::Contacts(list) => list.iter().flat_map(|c| c.actions).collect(),
        _ => Vec::new(),
    }
}

/// All the text a page shows, including action targets.
fn page_text(page: &Page) -> Vec<String> {
    let mut out = vec![
        page.title.to_owned(),
        page.summary.to_owned(),
        page.audience.to_owned(),
    ];
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
                Block::Related(_) | Block::ReportStart(_) => {}
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
                for action in actions(block) {
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
    let steps = numbered_list(&source_section("What to do if your device"));
    assert!(steps[0].starts_with("Contact your IT Service Desk"));
    assert!(steps[1].starts_with("Tell your line manager"));
    assert!(steps[2].starts_with("For a lost or stolen device, contact the Police"));
    let titles: Vec<&str> = home::STEPS.iter().map(|s| s.title).collect();
    assert_eq!(titles.len(), 3);
    assert!(titles[0].contains("IT Service Desk"));
    assert!(titles[1].contains("line manager"));
    assert!(titles[2].contains("police"));
    let hrefs: Vec<String> = home::STEPS[0].actions.iter().map(Action::href).collect();
    assert_eq!(
        hrefs,
        ["tel:08009175148", "https://mojprod.service-now.com/moj_sp"]
    );
}

#[test]
fn step_three_is_only_for_a_lost_or_stolen_device_and_the_reference_is_a_must() {
    let police = &home::STEPS[2];
    assert!(police.title.starts_with("If it was lost or stolen"));
    assert!(
        police
            .detail
            .contains("Only for a device that is lost or stolen")
    );
    assert!(police.detail.contains("make sure"));
    assert!(police.detail.contains("incident reference number"));
}

#[test]
fn the_steps_apply_when_a_person_only_thinks_something_is_wrong() {
    let source = source_section("What to do if your device");
    assert!(source.contains("If you think your device is lost"));
    let lead = home::PAGE.summary.to_lowercase();
    assert!(lead.contains("lost, stolen, hacked or compromised, or not sure?"));
    assert!(lead.contains("do these now, in this order"));
    assert!(
        home::PAGE
            .audience
            .contains("all MoJ staff and contractors")
    );
    assert!(source_text().contains("applies to all staff and contractors"));
}

#[test]
fn the_first_thing_to_press_on_home_is_step_one_and_the_report_comes_after_the_steps() {
    let blocks: Vec<&Block> = home::PAGE
        .sections
        .iter()
        .flat_map(|s| s.blocks.iter())
        .collect();
    let first_pressable = blocks
        .iter()
        .position(|b| {
            matches!(
                b,
                Block::Steps(_) | Block::Contacts(_) | Block::Related(_) | Block::ReportStart(_)
            )
        })
        .expect("home has something to press");
    assert!(
        matches!(blocks[first_pressable], Block::Steps(steps) if steps[0].actions[0].href() == "tel:08009175148")
    );
    let report = blocks
        .iter()
        .position(|b| matches!(b, Block::ReportStart(_)))
        .expect("home offers the report");
    assert!(report > first_pressable);
    let just_before = &blocks[..report];
    assert!(
        just_before.iter().any(
            |b| matches!(b, Block::Text(t) if t.contains("always be reported as a data incident"))
        ),
        "the report is introduced as the data incident report"
    );
    assert!(
        just_before
            .iter()
            .any(|b| matches!(b, Block::Text(t) if t.contains("Call the IT Service Desk first"))),
        "the report says the call comes first"
    );
}

#[test]
fn the_lead_says_which_steps_apply_to_whom() {
    let lead = home::PAGE.summary.to_lowercase();
    // Step 3 is for a lost or stolen device only, so a count of steps is not true of every
    // case: the lead gives none unless it says which steps apply when.
    let counts = ["three", "3 ", "two", "2 "];
    if counts.iter().any(|count| lead.contains(count)) {
        assert!(
            lead.contains("step 3 is only for a lost or stolen device"),
            "{lead}"
        );
    }
    assert!(home::STEPS[2].title.starts_with("If it was lost or stolen"));
    assert_eq!(home::STEPS.len(), 3);
}

#[test]
fn the_data_incident_sentence_is_as_strong_as_the_source_and_no_stronger() {
    let source = source_section("What to do if your device");
    let sentence = source
        .lines()
        .find(|line| line.contains("as a data incident"))
        .expect("the source's data incident sentence");
    let strength = ["must", "should", "may"]
        .into_iter()
        .find(|word| sentence.contains(&format!("{word} always")))
        .expect("a modal verb");
    let ours: Vec<&str> = home::PAGE
        .sections
        .iter()
        .flat_map(|s| s.blocks.iter())
        .filter_map(|b| match b {
            Block::Text(t) if t.contains("as a data incident") => Some(*t),
            _ => None,
        })
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert!(
        ours[0].contains(&format!("{strength} always")),
        "{}",
        ours[0]
    );
    for stronger in ["must", "have to", "required"] {
        assert!(!ours[0].contains(stronger), "{}", ours[0]);
    }
    // The report is not claimed as MoJ's data incident route: that is the deploying team's to say.
    let home_text = page_text(&home::PAGE).join(" ");
    assert!(!home_text.contains("This report is how you do that"));
    assert!(ours[0].contains("Report a security incident"));
}

#[test]
fn the_three_places_to_save_data_are_in_the_source_order() {
    let source = numbered_list(&source_section(
        "Where data should be saved when using a laptop",
    ));
    assert_eq!(source, saving_data::PLACES);
}

#[test]
fn each_contact_sits_under_the_heading_the_source_gives_it() {
    let mut checked = 0;
    for page in PAGES {
        for section in page.sections {
            for block in section.blocks {
                let actions = actions(block);
                if actions.is_empty() {
                    continue;
                }
                let heading = section.source_heading.unwrap_or_else(|| {
                    panic!(
                        "{}: a section with contacts names its source heading",
                        page.path
                    )
                });
                let source = source_section(heading);
                for action in actions {
                    assert!(
                        source.contains(action.target),
                        "{}: {} is not under {heading:?} in the source",
                        page.path,
                        action.target
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 13, "only {checked} contacts checked");
}

#[test]
fn advice_the_source_does_not_give_stays_out() {
    let all: Vec<String> = PAGES.iter().flat_map(|p| page_text(p)).collect();
    let all = all.join("\n");
    for invented in [
        "order of preference",
        "unreadable",
        "you will be asked for it",
        "Only the service desk can",
        "Prison and Probation",
    ] {
        assert!(!all.contains(invented), "the guidance says {invented:?}");
    }
    for kept in ["absolutely must", "better chance"] {
        assert!(
            all.contains(kept),
            "the guidance lost the source's {kept:?}"
        );
    }
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

/// Every sentence about a data incident in the crates that show text (the guidance, the pages,
/// the form's questions and hints), with Rust's line continuations joined.
fn data_incident_sentences_everywhere() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for crate_dir in [
        "guidance/src",
        "app/src",
        "incident-report/src",
        "server/src",
    ] {
        walk(&root.join(crate_dir), &mut files);
    }
    let mut sentences = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable source");
        let joined = text
            .replace("\\\n", "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        sentences.extend(
            joined
                .split(['.', '"', ':'])
                .filter(|s| s.contains("as a data incident"))
                .map(|s| format!("{}: {}", file.display(), s.trim())),
        );
    }
    sentences
}

#[test]
fn every_crate_that_shows_text_says_data_incident_as_strongly_as_the_source_and_claims_no_route() {
    let sentences = data_incident_sentences_everywhere();
    assert!(
        sentences.len() >= 2,
        "the home page and the form's hint: {sentences:?}"
    );
    for sentence in &sentences {
        assert!(sentence.contains("should always"), "{sentence}");
        for stronger in ["must", "have to", "required"] {
            assert!(!sentence.contains(stronger), "{sentence}");
        }
    }
    let everything = sentences.join(" ");
    for claim in [
        "this report is that",
        "This report is how",
        "this report is the",
    ] {
        assert!(!everything.contains(claim), "{everything}");
    }
}
