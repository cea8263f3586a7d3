//! Request extractors whose failures are 400s in the API's error shape, naming the field.
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use ::chat::MessageId;
use ::chatroom::RoomId;
use actix_web::dev::Payload;
use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use user::{FieldErrors, UserId};

/// A JSON body (any content type is read as JSON). Bodies over the configured limit are 413;
/// malformed JSON or a wrong type is a 400 whose `errors` names the path of the bad field.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|err| {
                if err.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::from_status(StatusCode::PAYLOAD_TOO_LARGE)
                } else {
                    ApiError::invalid_body(None, format!("Could not read the body: {err}"))
                }
            })?;
            parse_json(&bytes).map(JsonBody)
        })
    }
}

fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        let field = (path != "." && path != "?").then_some(path);
        ApiError::invalid_body(field, format!("Invalid JSON body: {}", err.inner()))
    })?;
    deserializer
        .end()
        .map_err(|err| ApiError::invalid_body(None, format!("Invalid JSON body: {err}")))?;
    Ok(value)
}

/// Query strings that do not fit their shape (a number where a word was expected...) are 400.
pub fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidQuery,
        format!("Invalid query string: {err}"),
    )
    .into()
}

/// Path segments that do not parse (a word where an id was expected) are 400, not 404.
pub fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidPath,
        format!("Invalid path parameter: {err}"),
    )
    .into()
}

/// The caller's address, for per-address limits: the TCP peer, unless the peer is a trusted
/// proxy, whose `X-Forwarded-For` then names the client (its last entry: the address that
/// proxy saw; entries further left are whatever the client claimed).
pub fn client_address(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|addr| addr.ip()) else {
        return "unknown".to_owned();
    };
    let trusted = req
        .app_data::<web::Data<crate::state::AppState>>()
        .is_some_and(|state| state.trusted_proxies.contains(&peer));
    let forwarded = trusted
        .then(|| req.headers().get("x-forwarded-for"))
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse::<std::net::IpAddr>().ok());
    forwarded.unwrap_or(peer).to_string()
}

/// An id parameter: its name in a route's path or query string, and what it identifies.
pub trait IdName {
    const NAME: &'static str;
    type Value: From<i64>;
}

/// Declares an id parameter: its marker type, its name, what it identifies.
macro_rules! id_param {
    ($(#[$doc:meta])* $marker:ident, $name:literal, $value:ty) => {
        $(#[$doc])*
        pub struct $marker;
        impl IdName for $marker {
            const NAME: &'static str = $name;
            type Value = $value;
        }
    };
}

id_param!(
    /// `id` of a room.
    RoomIdParam, "id", RoomId
);
id_param!(
    /// `id` of a friend request or a favorite (each known to one route only).
    IdParam, "id", i64
);
id_param!(
    /// `friendId`.
    FriendIdParam, "friendId", UserId
);
id_param!(
    /// `chatHistoryId`: a message's.
    MessageIdParam, "chatHistoryId", MessageId
);

/// A required positive id named `N::NAME`: the path segment of that name where the route has
/// one (`/friendship/{friendId}`), else the query parameter (`/friendship/delete?friendId=`).
/// Anything else is a 400 naming it, so both addresses of an operation answer alike.
pub struct Id<N: IdName>(N::Value, PhantomData<N>);

impl<N: IdName<Value: Copy>> Id<N> {
    pub fn get(&self) -> N::Value {
        self.0
    }
}

impl<N: IdName> FromRequest for Id<N> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let raw = match req.match_info().get(N::NAME) {
            Some(segment) => Some(segment.to_owned()),
            None => serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
                .unwrap_or_default()
                .into_iter()
                .find(|(name, _)| name == N::NAME)
                .map(|(_, value)| value),
        };
        let mut errors = FieldErrors::new();
        let id = errors.required(N::NAME, raw.as_deref(), |raw| {
            match raw.trim().parse::<i64>() {
                Ok(id) if id > 0 => Ok(id),
                _ => Err("must be a positive integer id".to_owned()),
            }
        });
        ready(
            errors
                .done(id)
                .map(|id| Id(N::Value::from(id), PhantomData))
                .map_err(ApiError::from),
        )
    }
}
