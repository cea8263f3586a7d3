//! Implementations of the domain crates' ports: mail and the ephemeral (captcha) store.
pub mod captcha;
pub mod mail;
