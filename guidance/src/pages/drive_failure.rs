//! What a failed hard drive can cost.

use crate::model::{Block, Page, Section};
use crate::source::LAPTOPS;

/// The page.
pub const PAGE: Page = Page {
    path: "/guidance/drive-failure",
    title: "What a hard drive failure can cost",
    summary: "Why files kept only on a laptop are at risk.",
    sections: &[
        Section {
            heading: None,
            blocks: &[
                Block::Text(
                    "When a hard drive fails, the data on it can be gone for good. Losing data \
                     can be a security problem for the MoJ, and it can badly affect:",
                ),
                Block::Bullets(&[
                    "the business opportunities we have",
                    "our reputation",
                    "how well we can deliver services to the public",
                ]),
            ],
        },
        Section {
            heading: Some("If something is wrong with your laptop"),
            blocks: &[Block::Text(
                "If your laptop or an IT service is giving you trouble, contact the IT \
                 Service Desk for help.",
            )],
        },
        Section {
            heading: Some("Related"),
            blocks: &[Block::Related(&["/guidance/saving-data", "/contacts"])],
        },
    ],
    sources: &[LAPTOPS],
};
