//! The OpenAPI document: this base (title, shared schemas, security, tags), to which every route
//! adds its own operation as it is registered.
use crate::error::ErrorBody;
use crate::routes::{Deleted, Left, Sent, Updated};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(title = "Chat room service", description = "Accounts, friends, rooms, real-time chat. See docs/API.md."),
    components(schemas(ErrorBody, Sent, Updated, Deleted, Left, user::FieldError)),
    modifiers(&BearerAuth),
    tags((name = "user"), (name = "friendship"), (name = "friend_request"), (name = "chatroom"), (name = "chat"), (name = "favorite"), (name = "storage"), (name = "ops"))
)]
pub struct ApiDoc;

/// The whole document: this base, every route's operation as `routes::configure` registers it,
/// and what any operation can answer.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    CommonResponses.modify(&mut document);
    document
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// What any operation can answer without its handler saying so: 401 where a token is needed
/// (missing, expired or revoked), and 400 where there is input to get wrong (malformed JSON, a
/// query or path value of the wrong type).
struct CommonResponses;

fn error_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                if secured && !responses.contains_key("401") {
                    let why = "`unauthenticated`: no token, or an expired or revoked one";
                    responses.insert("401".to_owned(), error_response(why));
                }
                let has_input = operation.request_body.is_some()
                    || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if has_input && !responses.contains_key("400") {
                    let why = "`validation_failed` or `invalid_json`: the input is not acceptable";
                    responses.insert("400".to_owned(), error_response(why));
                }
            }
        }
    }
}
