//! Why a laptop should be shut down, not locked or put to sleep.

use crate::model::{Block, Page, Section};
use crate::source::{LOST_DEVICES, LOST_DEVICES_AUDIENCE};

/// The page.
pub const PAGE: Page = Page {
    path: "/guidance/shut-down",
    title: "Shut your laptop down, do not just lock it",
    summary: "Why a shut-down laptop is safer if it goes missing.",
    audience: LOST_DEVICES_AUDIENCE,
    sections: &[
        Section {
            heading: None,
            source_heading: Some("What to do if your device"),
            blocks: &[
                Block::Text(
                    "You can help reduce problems: before you leave a government building, \
                     shut down any device you use for MoJ work.",
                ),
                Block::Text(
                    "A locked or sleeping laptop is not completely secure. If it is lost or \
                     stolen in that state, it is easier for someone to get into it.",
                ),
                Block::Text(
                    "Shutting it down makes sure every security measure is in place, such as \
                     full disk encryption.",
                ),
                Block::Text(
                    "Full disk encryption is a protection that encodes everything stored on the \
                     laptop's drive.",
                ),
            ],
        },
        Section {
            heading: Some("Related"),
            source_heading: None,
            blocks: &[Block::Related(&["/", "/guidance/saving-data"])],
        },
    ],
    sources: &[LOST_DEVICES],
};
