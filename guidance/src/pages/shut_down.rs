//! Why a laptop should be shut down, not locked or put to sleep.

use crate::model::{Block, Page, Section};
use crate::source::LOST_DEVICES;

/// The page.
pub const PAGE: Page = Page {
    path: "/guidance/shut-down",
    title: "Shut your laptop down, do not just lock it",
    summary: "Why a shut-down laptop is safer if it goes missing.",
    sections: &[
        Section {
            heading: None,
            blocks: &[
                Block::Text(
                    "Before you leave a government building, shut down any device you use for \
                     MoJ work.",
                ),
                Block::Text(
                    "A locked or sleeping laptop is not fully protected. If it is lost or \
                     stolen in that state, it is easier for someone to get into it.",
                ),
                Block::Text(
                    "Shutting it down turns every protection on, including full disk \
                     encryption, which keeps what is on the drive unreadable without your \
                     sign-in.",
                ),
            ],
        },
        Section {
            heading: Some("Related"),
            blocks: &[Block::Related(&["/", "/guidance/saving-data"])],
        },
    ],
    sources: &[LOST_DEVICES],
};
