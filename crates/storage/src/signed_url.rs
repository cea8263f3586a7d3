//! The local store's upload URLs: an HMAC-SHA256 over the key, the declared size and type and
//! the expiry, so nobody can change what an URL allows or how long it lives.
use crate::StoreError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The query of an upload URL: `?size=&type=&expires=&sig=`.
#[derive(Debug)]
pub struct UploadGrant {
    pub size: u64,
    pub content_type: String,
    /// Unix seconds.
    pub expires: i64,
    pub sig: String,
}

impl UploadGrant {
    /// Reads the query of an upload URL. Anything missing, repeated or malformed is a URL that
    /// was not made by us: refused like a bad signature (403), never a 400.
    pub fn from_query(query: &str) -> Result<Self, StoreError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(query).map_err(|_| StoreError::BadSignature)?;
        let one = |name: &str| {
            let mut values = pairs.iter().filter(|(key, _)| key == name);
            match (values.next(), values.next()) {
                (Some((_, value)), None) => Ok(value.clone()),
                _ => Err(StoreError::BadSignature),
            }
        };
        Ok(Self {
            size: one("size")?.parse().map_err(|_| StoreError::BadSignature)?,
            content_type: one("type")?,
            expires: one("expires")?
                .parse()
                .map_err(|_| StoreError::BadSignature)?,
            sig: one("sig")?,
        })
    }
}

#[derive(Clone)]
pub struct UploadSigner {
    key: Vec<u8>,
}

impl UploadSigner {
    /// `secret` is the service's signing secret; a label keeps these signatures apart from
    /// every other use of it.
    pub fn new(secret: &[u8]) -> Result<Self, StoreError> {
        Ok(Self {
            key: digest(secret, b"chat storage upload url v1")?,
        })
    }

    fn message(key: &str, size: u64, content_type: &str, expires: i64) -> String {
        format!("PUT\n{key}\n{size}\n{content_type}\n{expires}")
    }

    pub fn sign(
        &self,
        key: &str,
        size: u64,
        content_type: &str,
        expires: i64,
    ) -> Result<String, StoreError> {
        let message = Self::message(key, size, content_type, expires);
        Ok(hex::encode(digest(&self.key, message.as_bytes())?))
    }

    /// Accepts the grant only if it was signed for this key and has not expired
    /// (compared in constant time).
    pub fn verify(&self, key: &str, grant: &UploadGrant, now: i64) -> Result<(), StoreError> {
        let signature = hex::decode(&grant.sig).map_err(|_| StoreError::BadSignature)?;
        let message = Self::message(key, grant.size, &grant.content_type, grant.expires);
        HmacSha256::new_from_slice(&self.key)
            .map_err(|_| StoreError::BadSignature)?
            .chain_update(message.as_bytes())
            .verify_slice(&signature)
            .map_err(|_| StoreError::BadSignature)?;
        if grant.expires < now {
            return Err(StoreError::Expired);
        }
        Ok(())
    }
}

/// HMAC-SHA256 of `message` under `key` (HMAC takes keys of any length, so this only fails if
/// the library changes its mind).
fn digest(key: &[u8], message: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mac = HmacSha256::new_from_slice(key)
        .map_err(|err| StoreError::Backend(format!("upload signing key: {err}")))?;
    Ok(mac.chain_update(message).finalize().into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_queries_are_bad_signatures() {
        for query in [
            "",
            "size=1&type=a%2Fb&expires=1",
            "size=x&type=a%2Fb&expires=1&sig=00",
            "size=1&type=a%2Fb&expires=soon&sig=00",
            "size=1&size=2&type=a%2Fb&expires=1&sig=00",
        ] {
            assert!(
                matches!(
                    UploadGrant::from_query(query),
                    Err(StoreError::BadSignature)
                ),
                "{query}"
            );
        }
        let grant = UploadGrant::from_query("size=1&type=a%2Fb&expires=1&sig=00").unwrap();
        assert_eq!((grant.size, grant.content_type.as_str()), (1, "a/b"));
    }

    fn grant(signer: &UploadSigner, key: &str, expires: i64) -> UploadGrant {
        UploadGrant {
            size: 10,
            content_type: "image/png".to_owned(),
            expires,
            sig: signer.sign(key, 10, "image/png", expires).unwrap(),
        }
    }

    #[test]
    fn a_signature_covers_every_field_and_expires() {
        let signer = UploadSigner::new(b"secret").unwrap();
        let good = grant(&signer, "k", 100);
        assert!(signer.verify("k", &good, 100).is_ok());
        assert!(matches!(
            signer.verify("k", &good, 101),
            Err(StoreError::Expired)
        ));
        assert!(matches!(
            signer.verify("other", &good, 0),
            Err(StoreError::BadSignature)
        ));
        let bigger = UploadGrant { size: 11, ..good };
        assert!(matches!(
            signer.verify("k", &bigger, 0),
            Err(StoreError::BadSignature)
        ));
        let later = UploadGrant {
            expires: 10_000,
            ..grant(&signer, "k", 100)
        };
        assert!(matches!(
            signer.verify("k", &later, 0),
            Err(StoreError::BadSignature)
        ));
        let other_secret = UploadSigner::new(b"other").unwrap();
        assert!(
            other_secret
                .verify("k", &grant(&signer, "k", 100), 0)
                .is_err()
        );
    }
}
