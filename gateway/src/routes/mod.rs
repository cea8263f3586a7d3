//! HTTP routes, one file per module.
pub mod chat;
pub mod chatroom;
pub mod favorite;
pub mod friend_request;
pub mod friendship;
pub mod ops;
pub mod room_create;
pub mod storage;
pub mod user;

use crate::error::ApiError;
use ::user::{FieldError, FieldErrors, PageRequest, SearchText};
use utoipa_actix_web::service_config::ServiceConfig;

use serde::Serialize;
use utoipa::ToSchema;

/// Every documented route, in the order they are matched (fixed paths of a scope before its
/// `/{id}`). Each is served and enters the OpenAPI document together.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(user::configure)
        .configure(friendship::configure)
        .configure(friend_request::configure)
        .configure(chatroom::configure)
        .configure(ops::configure)
        .configure(storage::configure)
        .configure(favorite::configure);
}

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

/// `{"deleted": true}`.
#[derive(Serialize, ToSchema)]
pub struct Deleted {
    pub deleted: bool,
}

/// `{"left": true}`.
#[derive(Serialize, ToSchema)]
pub struct Left {
    pub left: bool,
}

/// A 400 for one field.
pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, message)])
}

/// `?page=&pageSize=` as a validated page, or a 400 naming them.
pub fn page_of(page: Option<&str>, page_size: Option<&str>) -> Result<PageRequest, ApiError> {
    Ok(PageRequest::parse(page, page_size)?)
}

/// An optional name filter (an empty one is no filter) and a page, or a 400 naming every bad one.
pub fn filter_and_page(
    name: Option<&str>,
    page: Option<&str>,
    page_size: Option<&str>,
) -> Result<(Option<SearchText>, PageRequest), ApiError> {
    let mut errors = FieldErrors::new();
    let name = name.filter(|raw| !raw.trim().is_empty());
    let name = errors.optional("name", name, SearchText::parse);
    let page = errors.page(page, page_size);
    errors.done(Some(()))?;
    Ok((name, page))
}
