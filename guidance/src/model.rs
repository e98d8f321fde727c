//! The shapes guidance content takes. All of it is `'static` data: nothing here is computed.

use crate::source::Source;

/// One screen of guidance.
#[derive(Debug)]
pub struct Page {
    /// Its URL path, e.g. `/guidance/shut-down`.
    pub path: &'static str,
    /// The page heading, and the document title.
    pub title: &'static str,
    /// A short line for links to this page and for the description meta tag.
    pub summary: &'static str,
    /// Who the guidance is for, as its source says.
    pub audience: &'static str,
    /// What the page says, in order.
    pub sections: &'static [Section],
    /// The published pages this one is based on.
    pub sources: &'static [Source],
}

/// A part of a page, with an optional heading.
#[derive(Debug)]
pub struct Section {
    /// A level-2 heading, if the section has one.
    pub heading: Option<&'static str>,
    /// The heading of the source section whose facts this section carries (its first words, enough
    /// to tell it apart), where the place of a fact is itself advice: contacts, above all. Not
    /// shown; the tests compare it with the source.
    pub source_heading: Option<&'static str>,
    /// What the section says, in order.
    pub blocks: &'static [Block],
}

/// A piece of content.
#[derive(Debug)]
pub enum Block {
    /// A paragraph of text.
    Text(&'static str),
    /// Something the reader must not miss.
    Warning(&'static str),
    /// Steps to take in this order.
    Steps(&'static [Step]),
    /// An ordered list where the order matters (e.g. where to save, best first).
    Ordered(&'static [&'static str]),
    /// A list where order does not matter.
    Bullets(&'static [&'static str]),
    /// People or teams to contact.
    Contacts(&'static [&'static Contact]),
    /// Links to other guidance pages, by path.
    Related(&'static [&'static str]),
    /// The way into the incident report, with the words on its button.
    ReportStart(&'static str),
}

/// One numbered step.
#[derive(Debug)]
pub struct Step {
    /// What to do, in a few words.
    pub title: &'static str,
    /// Why, or how, in a sentence or two.
    pub detail: &'static str,
    /// Calls, emails or links that do the step.
    pub actions: &'static [Action],
}

/// A team or service to contact.
#[derive(Debug)]
pub struct Contact {
    /// Its name.
    pub name: &'static str,
    /// When to contact it.
    pub purpose: &'static str,
    /// How to reach it.
    pub actions: &'static [Action],
}

/// What kind of link an [`Action`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    /// A phone number, opened with `tel:`.
    Call,
    /// An email address, opened with `mailto:`.
    Email,
    /// A web address.
    Web,
}

/// A tappable way to reach someone.
#[derive(Debug)]
pub struct Action {
    /// Call, email or web.
    pub kind: ActionKind,
    /// What the button says, e.g. "Call the IT Service Desk".
    pub label: &'static str,
    /// The number, address or URL exactly as published, e.g. `0800 917 5148`.
    pub target: &'static str,
}

impl Action {
    /// The `href` for this action: `tel:` with the digits only, `mailto:`, or the URL itself.
    pub fn href(&self) -> String {
        match self.kind {
            ActionKind::Call => {
                let digits: String = self.target.chars().filter(char::is_ascii_digit).collect();
                format!("tel:{digits}")
            }
            ActionKind::Email => format!("mailto:{}", self.target),
            ActionKind::Web => self.target.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: ActionKind, target: &'static str, expected: &str) {
        let action = Action {
            kind,
            label: "x",
            target,
        };
        assert_eq!(action.href(), expected);
    }

    #[test]
    fn a_phone_number_becomes_a_tel_link_of_its_digits() {
        check(ActionKind::Call, "0800 917 5148", "tel:08009175148");
    }

    #[test]
    fn an_email_address_becomes_a_mailto_link() {
        check(
            ActionKind::Email,
            "security@justice.gov.uk",
            "mailto:security@justice.gov.uk",
        );
    }

    #[test]
    fn a_web_address_is_used_as_it_is() {
        check(
            ActionKind::Web,
            "https://example.test/a",
            "https://example.test/a",
        );
    }
}
