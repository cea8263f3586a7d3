//! HTTP routes, one file per module.
pub mod ops;
pub mod user;

use serde::Serialize;
use utoipa::ToSchema;

/// `{"sent": true}`: a code was mailed (or, for password reset, would have been).
#[derive(Serialize, ToSchema)]
pub struct Sent {
    pub sent: bool,
}

/// `{"updated": true}`.
#[derive(Serialize, ToSchema)]
pub struct Updated {
    pub updated: bool,
}
