//! The local store's upload URLs: an HMAC-SHA256 over the key, the declared size and type and
//! the expiry, so nobody can change what an URL allows or how long it lives.
use crate::storage::StoreError;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The query of an upload URL: `?size=&type=&expires=&sig=`.
#[derive(Debug, Deserialize)]
pub struct UploadGrant {
    pub size: u64,
    #[serde(rename = "type")]
    pub content_type: String,
    /// Unix seconds.
    pub expires: i64,
    pub sig: String,
}

#[derive(Clone)]
pub struct UploadSigner {
    key: Vec<u8>,
}

impl UploadSigner {
    /// `secret` is the service's signing secret; a label keeps these signatures apart from
    /// every other use of it.
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = mac(secret);
        mac.update(b"chat storage upload url v1");
        Self {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    fn mac(&self, key: &str, size: u64, content_type: &str, expires: i64) -> HmacSha256 {
        let mut mac = mac(&self.key);
        mac.update(format!("PUT\n{key}\n{size}\n{content_type}\n{expires}").as_bytes());
        mac
    }

    pub fn sign(&self, key: &str, size: u64, content_type: &str, expires: i64) -> String {
        hex::encode(
            self.mac(key, size, content_type, expires)
                .finalize()
                .into_bytes(),
        )
    }

    /// Accepts the grant only if it was signed for this key and has not expired
    /// (compared in constant time).
    pub fn verify(&self, key: &str, grant: &UploadGrant, now: i64) -> Result<(), StoreError> {
        let signature = hex::decode(&grant.sig).map_err(|_| StoreError::BadSignature)?;
        self.mac(key, grant.size, &grant.content_type, grant.expires)
            .verify_slice(&signature)
            .map_err(|_| StoreError::BadSignature)?;
        if grant.expires < now {
            return Err(StoreError::Expired);
        }
        Ok(())
    }
}

fn mac(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts every key length"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(signer: &UploadSigner, key: &str, expires: i64) -> UploadGrant {
        UploadGrant {
            size: 10,
            content_type: "image/png".to_owned(),
            expires,
            sig: signer.sign(key, 10, "image/png", expires),
        }
    }

    #[test]
    fn a_signature_covers_every_field_and_expires() {
        let signer = UploadSigner::new(b"secret");
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
        let other_secret = UploadSigner::new(b"other");
        assert!(
            other_secret
                .verify("k", &grant(&signer, "k", 100), 0)
                .is_err()
        );
    }
}
