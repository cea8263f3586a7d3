//! 405 with `Allow` (RFC 9110) for a path that exists with other methods. Routes carry their
//! method as a guard (the `#[get]`-style attributes that put them in the document), so a
//! request with another method matches none of them and would go on to whatever else matches
//! its path: `DELETE /favorite/add` to `DELETE /favorite/{id}`. This table, made from the same
//! document, answers such requests first for fixed paths, and in the default service for paths
//! with parameters.
use crate::error::ApiError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError, guard, web};
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::openapi::OpenApi;

/// The methods of one documented path.
struct Allowed {
    methods: Vec<Method>,
    header: HeaderValue,
}

/// The methods of every documented path, by path as the document writes it.
#[derive(Clone)]
pub struct AllowedMethods(Arc<HashMap<String, Allowed>>);

impl AllowedMethods {
    pub fn of(document: &OpenApi) -> Self {
        let table = document
            .paths
            .paths
            .iter()
            .filter_map(|(path, item)| {
                let operations = [
                    (Method::GET, &item.get),
                    (Method::HEAD, &item.head),
                    (Method::POST, &item.post),
                    (Method::PUT, &item.put),
                    (Method::PATCH, &item.patch),
                    (Method::DELETE, &item.delete),
                ];
                let methods: Vec<Method> = operations
                    .into_iter()
                    .filter(|(_, operation)| operation.is_some())
                    .map(|(method, _)| method)
                    .collect();
                let names: Vec<&str> = methods.iter().map(Method::as_str).collect();
                let header = HeaderValue::from_str(&names.join(", ")).ok()?;
                Some((path.clone(), Allowed { methods, header }))
            })
            .collect();
        Self(Arc::new(table))
    }

    /// For every fixed path (no parameters), a resource that takes the methods it does not
    /// serve, registered before the routes so that a parameter route cannot take them.
    pub fn register_fixed(&self, cfg: &mut web::ServiceConfig) {
        for (path, allowed) in self.0.iter().filter(|(path, _)| !path.contains('{')) {
            let methods = allowed.methods.clone();
            let header = allowed.header.clone();
            cfg.service(
                web::resource(path.as_str())
                    .guard(guard::fn_guard(move |ctx| {
                        !methods.contains(&ctx.head().method)
                    }))
                    .to(move || {
                        let header = header.clone();
                        async move { not_allowed(header) }
                    }),
            );
        }
    }

    /// The `Allow` value when the request's path is a documented route's.
    fn for_request(&self, req: &HttpRequest) -> Option<HeaderValue> {
        let pattern = req.resource_map().match_pattern(req.path())?;
        let allowed = self.0.get(&document_path(&pattern))?;
        Some(allowed.header.clone())
    }
}

fn not_allowed(allow: HeaderValue) -> HttpResponse {
    let mut response = ApiError::from_status(StatusCode::METHOD_NOT_ALLOWED).error_response();
    response.headers_mut().insert(header::ALLOW, allow);
    response
}

/// A route pattern as the document writes it: `{key:.*}` is `{key}`.
fn document_path(pattern: &str) -> String {
    let segments: Vec<String> = pattern
        .split('/')
        .map(|segment| match segment.split_once(':') {
            Some((name, _)) if name.starts_with('{') => format!("{name}}}"),
            _ => segment.to_owned(),
        })
        .collect();
    segments.join("/")
}

/// The default service: a 405 naming the allowed methods for a known path with parameters,
/// else the web client (or the API's 404).
pub async fn fallback(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let allow = req
        .app_data::<web::Data<AllowedMethods>>()
        .and_then(|table| table.for_request(&req));
    match allow {
        Some(allow) => Ok(not_allowed(allow)),
        None => crate::web_client::client_or_not_found(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::document_path;

    #[test]
    fn regex_segments_are_written_as_plain_parameters() {
        assert_eq!(
            document_path("/storage/object/{key:.*}"),
            "/storage/object/{key}"
        );
        assert_eq!(
            document_path("/chatroom/{id}/members"),
            "/chatroom/{id}/members"
        );
        assert_eq!(document_path("/health"), "/health");
    }
}
