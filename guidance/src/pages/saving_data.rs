//! Where to keep work files so that losing a laptop does not lose them.

use crate::model::{Block, Page, Section};
use crate::source::{LAPTOPS, LAPTOPS_AUDIENCE};

/// The three places to save to, in the source's numbered order.
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
    audience: LAPTOPS_AUDIENCE,
    sections: &[
        Section {
            heading: None,
            source_heading: Some("Where data should be saved when using a laptop"),
            blocks: &[
                Block::Text(
                    "It is best not to keep any data on the laptop's own hard drive. If you \
                     absolutely must, always copy or move it to the MoJ network the next time \
                     you can connect, through secure remote access or a direct connection.",
                ),
                Block::Text("So that data is not lost, save it in:"),
                Block::Ordered(PLACES),
                Block::Text(
                    "EDRM is the system your part of the MoJ uses to store and manage official \
                     documents and records.",
                ),
            ],
        },
        Section {
            heading: Some("Why it matters"),
            source_heading: Some("Where data should be saved when using a laptop"),
            blocks: &[Block::Text(
                "The MoJ network is backed up every day, so lost data has a better chance of \
                 being recovered if it was saved there.",
            )],
        },
        Section {
            heading: Some("Related"),
            source_heading: None,
            blocks: &[Block::Related(&["/guidance/drive-failure", "/"])],
        },
    ],
    sources: &[LAPTOPS],
};
