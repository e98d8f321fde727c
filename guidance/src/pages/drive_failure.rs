//! What a failed hard drive can cost, and where to ask for help.

use crate::contacts::SERVICE_DESK;
use crate::model::{Block, Page, Section};
use crate::source::{LAPTOPS, LAPTOPS_AUDIENCE};

/// The page.
pub const PAGE: Page = Page {
    path: "/guidance/drive-failure",
    title: "What a hard drive failure can cost",
    summary: "Why files kept only on a laptop are at risk.",
    audience: LAPTOPS_AUDIENCE,
    sections: &[
        Section {
            heading: None,
            source_heading: Some("The impact of hard drive failures"),
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
            heading: Some("Related"),
            source_heading: None,
            blocks: &[Block::Related(&["/guidance/saving-data"])],
        },
        // Last, as in the source, whose "ask for help" link leads to the service desk.
        Section {
            heading: Some("If something is wrong with your laptop"),
            source_heading: Some("General enquiries, including theft and loss"),
            blocks: &[
                Block::Text(
                    "If your laptop or an IT service is giving you trouble, ask the IT Service \
                     Desk for help.",
                ),
                Block::Contacts(&[&SERVICE_DESK]),
            ],
        },
    ],
    sources: &[LAPTOPS],
};
