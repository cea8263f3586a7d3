//! CORS: configured origins, plus same-origin requests.
use actix_cors::Cors;
use actix_web::dev::RequestHead;
use actix_web::http::header::{self, HeaderValue};

/// Cross-origin callers from the configured origins; same-origin requests (the built-in web
/// client, whose browser still sends `Origin` on POST) always pass. Never a wildcard.
pub fn cors(origins: Vec<String>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, head| {
            let origin = origin.to_str().unwrap_or_default();
            origins.iter().any(|allowed| allowed == origin) || same_origin(origin, head)
        })
        .allowed_methods(["GET", "POST", "PUT", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers(["token", "x-request-id", "retry-after"])
        .max_age(3600)
}

fn same_origin(origin: &str, head: &RequestHead) -> bool {
    let host = head
        .headers()
        .get(header::HOST)
        .and_then(|h: &HeaderValue| h.to_str().ok());
    let without_scheme = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    matches!((host, without_scheme), (Some(host), Some(rest)) if host == rest)
}
