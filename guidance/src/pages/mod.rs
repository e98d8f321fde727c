//! One module per guidance page. Each exports a `PAGE`.

pub mod contacts;
pub mod drive_failure;
pub mod home;
pub mod password_reset;
pub mod saving_data;
pub mod shut_down;
