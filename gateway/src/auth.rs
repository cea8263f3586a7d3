//! Tokens: HS256 JWTs carrying the user's token version, the `AuthUser` extractor, and the
//! sliding-renewal middleware that hands out a fresh token on every authenticated response.
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use user::UserId;

/// The response header that carries the renewed token.
pub const TOKEN_HEADER: HeaderName = HeaderName::from_static("token");

/// The caller, proven by a valid token whose version is still current.
#[derive(Clone, Copy, Debug)]
pub struct AuthUser {
    pub id: UserId,
    pub token_version: i32,
    /// When the token stops being valid (Unix seconds): a socket opened with it closes then.
    pub expires_at: i64,
}

/// Checks a token against its signature, expiry and the user's current token version.
pub async fn authenticate(state: &AppState, token: &str) -> Result<AuthUser, ApiError> {
    let (id, version, expires_at) = state
        .tokens
        .verify(token)
        .ok_or_else(ApiError::token_invalid)?;
    match state.users.token_version(id).await? {
        Some(current) if current == version => Ok(AuthUser {
            id,
            token_version: version,
            expires_at,
        }),
        _ => Err(ApiError::token_invalid()),
    }
}

/// `Authorization: Bearer <token>`: `None` when the header is absent.
pub fn bearer_token(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::token_invalid())?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(ApiError::token_invalid()),
    }
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = bearer_token(&req)?.ok_or_else(ApiError::unauthenticated)?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal(&"application state missing"))?;
            let user = authenticate(state, &token).await?;
            tracing::Span::current().record("user_id", user.id.get());
            // Seen by `renew_token` on the way out.
            req.extensions_mut().insert(user);
            Ok(user)
        })
    }
}

/// Sliding renewal: every response to an authenticated request carries a fresh token.
pub async fn renew_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let user = response.request().extensions().get::<AuthUser>().copied();
    let state = response
        .request()
        .app_data::<web::Data<AppState>>()
        .cloned();
    if let (Some(user), Some(state)) = (user, state) {
        let token = state.tokens.issue(user.id, user.token_version)?;
        if let Ok(value) = HeaderValue::from_str(&token) {
            response.headers_mut().insert(TOKEN_HEADER, value);
        }
    }
    Ok(response)
}
