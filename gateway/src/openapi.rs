//! The OpenAPI document, generated from the handlers' annotations.
use crate::error::ErrorBody;
use crate::routes::{
    Deleted, Left, Sent, Updated, chat as chat_routes, chatroom as room_routes,
    favorite as favorite_routes, friend_request as request_routes, friendship as friendship_routes,
    ops, room_create as create_routes, storage as storage_routes, user as user_routes,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Chat room service", description = "Accounts, friends, rooms, real-time chat. See docs/API.md."),
    paths(
        user_routes::register_captcha,
        user_routes::register,
        user_routes::login,
        user_routes::info,
        user_routes::update_captcha,
        user_routes::update,
        user_routes::password_captcha,
        user_routes::update_password,
        user_routes::search_users,
        friendship_routes::add_friend,
        friendship_routes::list_friends,
        friendship_routes::delete_friend,
        friendship_routes::delete_friend_by_path,
        request_routes::list_requests,
        request_routes::agree_request,
        request_routes::agree_request_by_path,
        request_routes::reject_request,
        request_routes::reject_request_by_path,
        create_routes::add_room,
        create_routes::create_one_to_one,
        create_routes::create_group,
        room_routes::list_rooms,
        room_routes::list_rooms_at_root,
        room_routes::direct_room,
        room_routes::room_info,
        room_routes::room_members,
        room_routes::join_room,
        room_routes::join_room_by_query,
        room_routes::exit_room,
        room_routes::exit_room_by_query,
        chat_routes::list_messages,
        chat_routes::post_message,
        chat_routes::mark_read,
        favorite_routes::add_favorite,
        favorite_routes::add_favorite_by_post,
        favorite_routes::delete_favorite,
        favorite_routes::delete_favorite_by_path,
        favorite_routes::list_favorites,
        storage_routes::presign,
        storage_routes::upload,
        storage_routes::object,
        storage_routes::info,
        ops::health,
        ops::ready,
    ),
    components(schemas(ErrorBody, Sent, Updated, Deleted, Left, user::FieldError)),
    modifiers(&BearerAuth, &CommonResponses),
    tags((name = "user"), (name = "friendship"), (name = "friend_request"), (name = "chatroom"), (name = "chat"), (name = "favorite"), (name = "storage"), (name = "ops"))
)]
pub struct ApiDoc;

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
