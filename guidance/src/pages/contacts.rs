//! Every contact from both source pages in one place, each under the heading the source gives it.

use crate::contacts::{
    CYBER_ASSISTANCE, GUIDANCE_FEEDBACK, HMPPS_SECURITY, NOT_MONITORED, SECURITY_TEAM, SERVICE_DESK,
};
use crate::model::{Block, Page, Section};
use crate::source::{LAPTOPS, LOST_DEVICES, LOST_DEVICES_AUDIENCE};

/// The page.
pub const PAGE: Page = Page {
    path: "/contacts",
    title: "Who to contact",
    summary: "Phone numbers and email addresses for the service desk and security teams.",
    audience: LOST_DEVICES_AUDIENCE,
    sections: &[
        Section {
            heading: Some("General enquiries, including theft and loss"),
            source_heading: Some("General enquiries, including theft and loss"),
            blocks: &[Block::Contacts(&[&SERVICE_DESK, &HMPPS_SECURITY])],
        },
        Section {
            heading: Some("No longer monitored"),
            source_heading: Some("General enquiries, including theft and loss"),
            blocks: &[
                Block::Warning(
                    "Nobody reads these old service desk routes any more. Do not use them.",
                ),
                Block::Bullets(NOT_MONITORED),
            ],
        },
        Section {
            heading: Some("Questions about security"),
            source_heading: Some("Contact details"),
            blocks: &[Block::Contacts(&[&SECURITY_TEAM, &CYBER_ASSISTANCE])],
        },
        Section {
            heading: Some("About this guidance"),
            source_heading: Some("Feedback"),
            blocks: &[Block::Contacts(&[&GUIDANCE_FEEDBACK])],
        },
    ],
    sources: &[LOST_DEVICES, LAPTOPS],
};
