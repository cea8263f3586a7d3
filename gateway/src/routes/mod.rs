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

/// `{"deleted": true}`.
#[derive(Serialize, ToSchema)]
pub struct Deleted {
    pub deleted: bool,
}

/// A required id from a query or path parameter: a positive integer, else a 400 naming it.
pub fn required_id(field: &str, raw: Option<&str>) -> Result<i64, ApiError> {
    let mut errors = FieldErrors::new();
    let id = errors.required(field, raw, |raw| match raw.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err("must be a positive integer id".to_owned()),
    });
    Ok(errors.done(id)?)
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
