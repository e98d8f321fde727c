//! The first screen: what to do right now, in order.

use crate::contacts::{NOT_MONITORED_WARNING, SERVICE_DESK_PHONE, SERVICE_PORTAL};
use crate::model::{Block, Page, Section, Step};
use crate::source::LOST_DEVICES;

/// The three steps, in the order the guidance gives them.
pub const STEPS: &[Step] = &[
    Step {
        title: "Contact the IT Service Desk",
        detail: "Phone them, or use the MoJ Service Portal. They will ask you some questions \
                 and record your answers on a ticket.",
        actions: &[SERVICE_DESK_PHONE, SERVICE_PORTAL],
    },
    Step {
        title: "Tell your line manager",
        detail: "Let them know as soon as you can.",
        actions: &[],
    },
    Step {
        title: "If it was lost or stolen, tell the police",
        detail: "Report it to the police and ask for the incident reference number. Keep it: \
                 you will be asked for it.",
        actions: &[],
    },
];

/// The home page.
pub const PAGE: Page = Page {
    path: "/",
    title: "Lost device or security incident",
    summary: if cfg!(feature = "deploy-rehearsal") {
        "Rehearsal build: your device is lost, stolen, hacked or something is wrong with it. \
         Do these three things now, in this order."
    } else {
        "Your device is lost, stolen, hacked or something is wrong with it. Do these three \
         things now, in this order."
    },
    sections: &[
        Section {
            heading: None,
            blocks: &[Block::Steps(STEPS)],
        },
        Section {
            heading: None,
            blocks: &[Block::Warning(NOT_MONITORED_WARNING)],
        },
        Section {
            heading: Some("If MoJ information was on it"),
            blocks: &[Block::Text(
                "When MoJ data or information has been lost or may have been seen by someone \
                 else, it must also be reported as a data incident.",
            )],
        },
        Section {
            heading: Some("More help"),
            blocks: &[Block::Related(&[
                "/guidance/shut-down",
                "/guidance/saving-data",
                "/guidance/drive-failure",
                "/guidance/password-reset",
                "/contacts",
            ])],
        },
    ],
    sources: &[LOST_DEVICES],
};
