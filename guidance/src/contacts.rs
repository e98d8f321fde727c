//! Everyone the guidance tells people to contact, with the exact published numbers and addresses.

use crate::model::{Action, ActionKind, Contact};

/// The IT Service Desk phone line: step 1 when a device is lost, stolen, hacked or compromised.
pub const SERVICE_DESK_PHONE: Action = Action {
    kind: ActionKind::Call,
    label: "Call the IT Service Desk",
    target: "0800 917 5148",
};

/// The MoJ Service Portal (it also has Live Chat): the other way to reach the service desk.
pub const SERVICE_PORTAL: Action = Action {
    kind: ActionKind::Web,
    label: "Open the MoJ Service Portal or Live Chat",
    target: "https://mojprod.service-now.com/moj_sp",
};

/// The Technology Service Desk.
pub const SERVICE_DESK: Contact = Contact {
    name: "IT Service Desk (Technology Service Desk)",
    purpose: "First call for a lost, stolen, hacked or compromised device, for general \
              enquiries and for password resets. It covers DOM1 and Quantum (names of MoJ \
              computer systems) and the Digital & Technology Digital Service Desk.",
    actions: &[SERVICE_DESK_PHONE, SERVICE_PORTAL],
};

/// HMPPS Information & security.
pub const HMPPS_SECURITY: Contact = Contact {
    name: "HMPPS Information & security",
    purpose: "The guidance also lists this team for general enquiries, including theft and loss.",
    actions: &[
        Action {
            kind: ActionKind::Email,
            label: "Email HMPPS Information & security",
            target: "informationmgmtsecurity@justice.gov.uk",
        },
        Action {
            kind: ActionKind::Call,
            label: "Call HMPPS Information & security",
            target: "0203 334 0324",
        },
    ],
};

/// The security team's address, which the guidance gives for further questions about security.
pub const SECURITY_EMAIL: &str = "security@justice.gov.uk";

/// The security team.
pub const SECURITY_TEAM: Contact = Contact {
    name: "Security team",
    purpose: "Any further questions about security, or advice on it.",
    actions: &[Action {
        kind: ActionKind::Email,
        label: "Email the security team",
        target: SECURITY_EMAIL,
    }],
};

/// The Cyber Assistance Team.
pub const CYBER_ASSISTANCE: Contact = Contact {
    name: "Cyber Assistance Team",
    purpose: "Advice on cyber security.",
    actions: &[Action {
        kind: ActionKind::Email,
        label: "Email the Cyber Assistance Team",
        target: "CyberConsultancy@digital.justice.gov.uk",
    }],
};

/// Where comments on the guidance itself go.
pub const GUIDANCE_FEEDBACK: Contact = Contact {
    name: "Feedback on this guidance",
    purpose: "Questions about the guidance, or ideas to make it better.",
    actions: &[Action {
        kind: ActionKind::Email,
        label: "Email the IT policy content team",
        target: "itpolicycontent@digital.justice.gov.uk",
    }],
};

/// Old service desk routes that nobody reads any more. Shown as plain text, never as links.
pub const NOT_MONITORED: &[&str] = &[
    "itservicedesk@justice.gov.uk",
    "servicedesk@digital.justice.gov.uk",
    "#digitalservicedesk (Slack)",
];

/// The warning shown wherever the service desk is.
pub const NOT_MONITORED_WARNING: &str = "Nobody reads the old service desk routes any more: \
    itservicedesk@justice.gov.uk, servicedesk@digital.justice.gov.uk and the #digitalservicedesk \
    Slack channel. Phone or use the portal instead.";
