//! Every contact from both source pages in one place.

use crate::contacts::{
    CYBER_ASSISTANCE, GUIDANCE_FEEDBACK, HMPPS_SECURITY, NOT_MONITORED, SECURITY_TEAM, SERVICE_DESK,
};
use crate::model::{Block, Page, Section};
use crate::source::{LAPTOPS, LOST_DEVICES};

/// The page.
pub const PAGE: Page = Page {
    path: "/contacts",
    title: "Who to contact",
    summary: "Phone numbers and email addresses for the service desk and security teams.",
    sections: &[
        Section {
            heading: Some("Lost, stolen or hacked device"),
            blocks: &[Block::Contacts(&[&SERVICE_DESK])],
        },
        Section {
            heading: Some("No longer monitored"),
            blocks: &[
                Block::Warning(
                    "Nobody reads these old service desk routes any more. Do not use them.",
                ),
                Block::Bullets(NOT_MONITORED),
            ],
        },
        Section {
            heading: Some("Security advice"),
            blocks: &[Block::Contacts(&[
                &HMPPS_SECURITY,
                &SECURITY_TEAM,
                &CYBER_ASSISTANCE,
            ])],
        },
        Section {
            heading: Some("About this guidance"),
            blocks: &[Block::Contacts(&[&GUIDANCE_FEEDBACK])],
        },
    ],
    sources: &[LOST_DEVICES, LAPTOPS],
};
