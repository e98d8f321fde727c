//! The first screen: what to do right now, in the source's order. The first thing a person can
//! press is step 1's call; the incident report comes after the three steps, because the source
//! makes the service desk call the first thing to do.

use crate::contacts::{NOT_MONITORED_WARNING, SERVICE_DESK_PHONE, SERVICE_PORTAL};
use crate::model::{Block, Page, Section, Step};
use crate::source::{LOST_DEVICES, LOST_DEVICES_AUDIENCE};

/// The three steps, in the order the guidance gives them.
pub const STEPS: &[Step] = &[
    Step {
        title: "Contact the IT Service Desk",
        detail: "Phone them, or use the MoJ Service Portal, which also has Live Chat. The person \
                 you reach will ask you what they need to know and write your answers on a ticket.",
        actions: &[SERVICE_DESK_PHONE, SERVICE_PORTAL],
    },
    Step {
        title: "Tell your line manager",
        detail: "Let them know as soon as possible.",
        actions: &[],
    },
    Step {
        title: "If it was lost or stolen, tell the police",
        detail: "Only for a device that is lost or stolen: contact the police, and make sure they \
                 give you an incident reference number.",
        actions: &[],
    },
];

/// The words on the button into the incident report.
pub const REPORT_START: &str = "Report what happened";

/// The home page.
pub const PAGE: Page = Page {
    path: "/",
    title: "Lost device or security incident",
    summary: if cfg!(feature = "deploy-rehearsal") {
        "Rehearsal build: lost, stolen, hacked or compromised, or not sure? Do these now, in \
         this order."
    } else {
        // No count: step 3 is for a lost or stolen device only, and its title says so.
        "Lost, stolen, hacked or compromised, or not sure? Do these now, in this order."
    },
    audience: LOST_DEVICES_AUDIENCE,
    sections: &[
        Section {
            heading: None,
            source_heading: Some("What to do if your device"),
            blocks: &[Block::Steps(STEPS)],
        },
        Section {
            heading: None,
            source_heading: None,
            blocks: &[Block::Warning(NOT_MONITORED_WARNING)],
        },
        Section {
            heading: Some("Report the data incident"),
            source_heading: Some("What to do if your device"),
            blocks: &[
                Block::Text(
                    "Whenever MoJ data or information is lost or compromised, it should always be \
                     reported as a data incident. The MoJ security guidance explains how in its \
                     page called \"Report a security incident\".",
                ),
                Block::Text("Call the IT Service Desk first (step 1), then fill in the report."),
                Block::ReportStart(REPORT_START),
            ],
        },
        Section {
            heading: Some("More help"),
            source_heading: None,
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
