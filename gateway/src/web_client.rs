//! The web client, built by `build.rs` into `web/dist` and embedded in the binary (read from disk
//! in debug builds). Any GET that no API route takes gets the file of that path, or for a page
//! request (`Accept: text/html`) the client's `index.html`, so client-side routes survive a
//! reload. Everything else keeps the API's JSON 404.
use crate::error::ApiError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use rust_embed::RustEmbed;

/// Scripts only from here (the token lives in localStorage: no injected script may run).
/// Images and uploads may go to the object store, which with S3 is another origin; Ant Design
/// puts its styles inline.
const CSP: &str = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; \
    frame-ancestors 'none'; form-action 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob: http: https:; media-src 'self' http: https:; \
    connect-src 'self' ws: wss: http: https:";

#[derive(RustEmbed)]
#[folder = "../web/dist"]
#[allow_missing = true]
struct Client;

/// Whether the binary carries the web client.
pub fn available() -> bool {
    Client::get("index.html").is_some()
}

pub async fn client_or_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::from_status(StatusCode::NOT_FOUND);
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Err(not_found());
    }
    let path = req.path().trim_start_matches('/');
    if !path.is_empty()
        && let Some(file) = Client::get(path)
    {
        // Vite names assets by content hash: they never change.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return Ok(respond(file, cache));
    }
    let wants_page = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    match Client::get("index.html") {
        Some(index) if wants_page || path.is_empty() => Ok(respond(index, "no-cache")),
        _ => Err(not_found()),
    }
}

fn respond(file: rust_embed::EmbeddedFile, cache: &'static str) -> HttpResponse {
    let mime = file.metadata.mimetype().to_owned();
    let mut response = HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(file.data.into_owned());
    let headers = response.headers_mut();
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
}
