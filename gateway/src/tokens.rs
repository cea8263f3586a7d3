//! Signed tokens: issued at login, verified on every authenticated request and socket. HS256
//! with the service secret; a token carries the user's token version, so a password reset
//! (which bumps it) revokes every earlier token.
use crate::error::ApiError;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use user::UserId;

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    /// The user's token version when issued; a password change bumps it and so revokes this.
    ver: i32,
    iat: i64,
    exp: i64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    pub fn issue(&self, user: UserId, version: i32) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user.get().to_string(),
            ver: version,
            iat: now,
            exp: now.saturating_add(i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX)),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal(&e))
    }

    /// The user, token version and expiry (Unix seconds) of a well-signed, unexpired token.
    pub fn verify(&self, token: &str) -> Option<(UserId, i32, i64)> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        let id = data.claims.sub.parse().ok()?;
        Some((UserId::new(id), data.claims.ver, data.claims.exp))
    }
}
