//! How a password reset works, including the identity checks.

use crate::contacts::SERVICE_DESK;
use crate::model::{Block, Page, Section, Step};
use crate::source::{LAPTOPS, LAPTOPS_AUDIENCE};

/// The page.
pub const PAGE: Page = Page {
    path: "/guidance/password-reset",
    title: "Reset your password",
    summary: "The IT Service Desk resets it once they know it is you.",
    audience: LAPTOPS_AUDIENCE,
    sections: &[
        Section {
            heading: None,
            // The source's password section links to the service desk under this heading; the
            // number and portal come from there.
            source_heading: Some("General enquiries, including theft and loss"),
            blocks: &[Block::Steps(&[
                Step {
                    title: "Contact the IT Service Desk",
                    detail: "To get your password reset, contact the service desk.",
                    actions: SERVICE_DESK.actions,
                },
                Step {
                    title: "Let them confirm who you are",
                    detail: "They will run some checks. They may ask your line manager or \
                             court manager to email the service desk to vouch for you.",
                    actions: &[],
                },
                Step {
                    title: "Sign in again",
                    detail: "When your identity is confirmed they reset your password, and you \
                             can get back into your laptop quickly.",
                    actions: &[],
                },
            ])],
        },
        Section {
            heading: Some("Related"),
            source_heading: None,
            blocks: &[Block::Related(&["/contacts"])],
        },
    ],
    sources: &[LAPTOPS],
};
