//! Building blocks shared by pages. Names follow GOV.UK Frontend where one matches; our own classes
//! carry the `app-` prefix.

mod action_link;
mod blocks;
mod site_header;
mod source_note;
mod step_list;

pub use action_link::ActionLink;
pub use blocks::BlockView;
pub use site_header::SiteHeader;
pub use source_note::SourceNote;
pub use step_list::{StepList, TICKS_KEPT_HOURS};
