//! Pagination shared by every list: `?page=1&pageSize=20` in, `{items, total, page, pageSize}` out.
use crate::error::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

const DEFAULT_PAGE_SIZE: u64 = 20;
const MAX_PAGE_SIZE: u64 = 100;
/// Keeps every offset far inside the signed 64-bit range databases bind.
const MAX_PAGE: u64 = 10_000_000;

/// A validated page request: `page` ≥ 1, `pageSize` 1–100. Out-of-range values are refused,
/// never clamped, so a client bug shows up as a 400 instead of a silently different page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    page: u64,
    page_size: u64,
}

impl PageRequest {
    pub fn parse(page: Option<&str>, page_size: Option<&str>) -> Result<Self, Vec<FieldError>> {
        let page = parse_bounded("page", page, 1, MAX_PAGE, 1);
        let size = parse_bounded("pageSize", page_size, 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE);
        match (page, size) {
            (Ok(page), Ok(page_size)) => Ok(Self { page, page_size }),
            (page, size) => Err(page.err().into_iter().chain(size.err()).collect()),
        }
    }

    pub fn page(&self) -> u64 {
        self.page
    }

    pub fn page_size(&self) -> u64 {
        self.page_size
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.page_size
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

fn parse_bounded(
    field: &str,
    raw: Option<&str>,
    min: u64,
    max: u64,
    default: u64,
) -> Result<u64, FieldError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.trim().parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(FieldError::new(
            field,
            format!("must be an integer from {min} to {max}"),
        )),
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
}

impl<T: ToSchema> Page<T> {
    pub fn new(items: Vec<T>, total: u64, request: PageRequest) -> Self {
        Self {
            items,
            total,
            page: request.page,
            page_size: request.page_size,
        }
    }
}
