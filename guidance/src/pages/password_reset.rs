//! How a password reset works, including the identity checks.

use crate::contacts::SERVICE_DESK;
use crate::model::{Block, Page, Section, Step};
use crate::source::LAPTOPS;

/// The page.
pub const PAGE: Page = Page {
    path: "/guidance/password-reset",
    title: "Reset your password",
    summary: "The IT Service Desk resets it once they know it is you.",
    sections: &[
        Section {
            heading: None,
            blocks: &[Block::Steps(&[
                Step {
                    title: "Contact the IT Service Desk",
                    detail: "Only the service desk can reset your password.",
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
            blocks: &[Block::Related(&["/contacts"])],
        },
    ],
    sources: &[LAPTOPS],
};
