//! Where to keep work files so that losing a laptop does not lose them.

use crate::model::{Block, Page, Section};
use crate::source::LAPTOPS;

/// The three places to save to, best first.
pub const PLACES: &[&str] = &[
    "Your local Electronic Document and Record Management (EDRM) system",
    "An MoJ shared drive",
    "Your MoJ-provided 'home' drive",
];

/// The page.
pub const PAGE: Page = Page {
    path: "/guidance/saving-data",
    title: "Where to save your work",
    summary: "Keep files on the MoJ network, not on the laptop itself.",
    sections: &[
        Section {
            heading: None,
            blocks: &[
                Block::Text(
                    "Try not to keep any data on the laptop's own hard drive. If you have to, \
                     copy or move it to the MoJ network the next time you connect, through \
                     secure remote access or a direct connection.",
                ),
                Block::Text("Save it to one of these, in this order of preference:"),
                Block::Ordered(PLACES),
            ],
        },
        Section {
            heading: Some("Why it matters"),
            blocks: &[Block::Text(
                "The MoJ network is backed up every day, so lost files are much more likely \
                 to be recovered from there than from a laptop.",
            )],
        },
        Section {
            heading: Some("Related"),
            blocks: &[Block::Related(&["/guidance/drive-failure", "/"])],
        },
    ],
    sources: &[LAPTOPS],
};
