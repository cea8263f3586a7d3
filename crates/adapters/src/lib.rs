//! Implementations of the user module's ports: how mail leaves the service (`mail`) and where
//! short-lived keys such as captcha codes live (`ephemeral`). The gateway picks one of each from
//! its settings; tests of any crate can use the in-process ones.
#![forbid(unsafe_code)]

pub mod ephemeral;
pub mod mail;
