//! The favorite module: messages a user keeps, from rooms they are in.
#![forbid(unsafe_code)]

pub mod entity;
mod error;
mod service;
mod types;

pub use error::FavoriteError;
pub use service::{FavoriteService, SeaFavoriteService};
pub use types::{Added, Favorite, FavoriteItem, FavoriteRoom};
