//! Object storage for avatars and attachments: one trait, two stores. S3/MinIO when an endpoint
//! is configured; otherwise a local-disk store whose upload URLs are signed gateway routes. Keys
//! say what an object is and whose (`key`), uploads are checked before they are signed
//! (`upload`), and each user's bytes are counted against a quota (`quota`).
#![forbid(unsafe_code)]

mod age;
pub mod key;
pub mod local;
pub mod quota;
pub mod s3;
pub mod signed_url;
pub mod upload;

pub use age::ago;

use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use key::{ObjectKey, Purpose};
use std::collections::BTreeMap;
use std::path::PathBuf;
use upload::Upload;
use user::UserId;

/// Where and how a client uploads one object.
#[derive(Clone, Debug)]
pub struct PresignedPut {
    pub url: String,
    /// Headers the PUT must carry exactly.
    pub headers: BTreeMap<String, String>,
}

/// What a stored object is, without its bytes (`/storage/info/<key>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Its length in bytes.
    pub size: u64,
    /// The media type it was uploaded with.
    pub content_type: String,
}

/// How `/storage/object/<key>` answers.
pub enum Served {
    /// A short-lived URL of the object elsewhere (S3).
    Redirect(String),
    /// A file on this machine, with its stored type.
    File { path: PathBuf, content_type: String },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no such object")]
    NotFound,
    #[error("the upload URL is not valid")]
    BadSignature,
    #[error("the upload URL has expired")]
    Expired,
    #[error("the body is larger than the declared size")]
    TooLarge,
    #[error("the body does not have the declared size")]
    SizeMismatch,
    #[error("the Content-Type is not the declared one")]
    TypeMismatch,
    #[error("the object was already uploaded, or is being uploaded")]
    AlreadyUploaded,
    #[error("the upload body could not be read: {0}")]
    BadBody(String),
    #[error("object store: {0}")]
    Backend(String),
}

impl From<std::io::Error> for StoreError {
    fn from(err: std::io::Error) -> Self {
        StoreError::Backend(err.to_string())
    }
}

#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// An upload URL for exactly this object, valid for `expires_in` seconds.
    async fn presign_put(
        &self,
        upload: &Upload,
        expires_in: u32,
    ) -> Result<PresignedPut, StoreError>;
    /// How to answer a download of `key`.
    async fn serve(&self, key: &ObjectKey) -> Result<Served, StoreError>;
    /// The length and type of what is stored under `key`.
    async fn stat(&self, key: &ObjectKey) -> Result<ObjectInfo, StoreError>;
    /// Whether the store answers (for `/ready`).
    async fn check(&self) -> Result<(), StoreError>;
    /// What is stored for `purpose`, of one owner or of everyone. Objects under keys the
    /// service cannot have made are left out (so never counted, nor removed).
    async fn list(
        &self,
        purpose: Purpose,
        owner: Option<UserId>,
    ) -> Result<Vec<StoredObject>, StoreError>;
    /// Removes what `list` gave (one already gone is no error).
    async fn delete(&self, object: &StoredObject) -> Result<(), StoreError>;
}

/// An upload as the quota and the sweep see it.
#[derive(Clone, Debug)]
pub struct StoredObject {
    /// Its key; `None` for an upload that never finished (what the local store keeps of an
    /// upload cut short by a crash).
    pub key: Option<ObjectKey>,
    /// Where it is in the store: the key, or the unfinished upload's folder.
    pub path: String,
    pub owner: UserId,
    pub size: u64,
    /// When it was written (the last write, for an unfinished upload).
    pub modified: DateTime<Utc>,
}

/// `inline` for images a browser shows safely, else `attachment`, with the file's own name.
pub fn disposition(key: &ObjectKey, inline: bool) -> ContentDisposition {
    ContentDisposition {
        disposition: if inline {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![
            // For clients that ignore `filename*`: non-ASCII letters become `_`.
            DispositionParam::Filename(
                key.name()
                    .chars()
                    .map(|c| if c.is_ascii() { c } else { '_' })
                    .collect(),
            ),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".to_owned()),
                language_tag: None,
                value: key.name().as_bytes().to_vec(),
            }),
        ],
    }
}

/// The configured store, with what the routes need around it.
pub struct Storage {
    pub store: std::sync::Arc<dyn ObjectStore>,
    /// The local store, whose uploads come through the gateway; `None` with S3.
    pub local: Option<std::sync::Arc<local::LocalStore>>,
    pub limits: upload::UploadLimits,
    pub upload_ttl_secs: u32,
    /// Bytes one user may store; 0 for no quota.
    pub quota_bytes: u64,
    /// Where the bytes presigned lately are counted (see `quota`).
    pub reservations: std::sync::Arc<dyn user::EphemeralStore>,
}

/// Where objects go, as the settings' storage section says.
pub enum Backend {
    /// S3 or MinIO; `public_endpoint` is the address browsers reach, when it differs.
    S3(s3::S3Config),
    /// Files under this directory, uploaded through the gateway's signed routes.
    Local(PathBuf),
}

/// The storage section of the settings (no `Debug`: it holds the S3 secret).
pub struct StorageConfig {
    pub backend: Backend,
    pub limits: upload::UploadLimits,
    /// How long an upload URL stays valid, in seconds (1 s to 7 days).
    pub upload_ttl_secs: u32,
    /// Bytes one user may store; 0 for no quota.
    pub quota_bytes: u64,
}

impl Storage {
    /// Opens the configured store; `public_url` is the gateway's own address and `secret` signs
    /// the local store's upload URLs.
    pub async fn open(
        config: StorageConfig,
        public_url: &str,
        secret: &[u8],
        reservations: std::sync::Arc<dyn user::EphemeralStore>,
    ) -> Result<Self, StoreError> {
        let (store, local): (std::sync::Arc<dyn ObjectStore>, _) = match config.backend {
            Backend::S3(s3) => (std::sync::Arc::new(s3::S3Store::open(s3).await?), None),
            Backend::Local(root) => {
                let store = std::sync::Arc::new(local::LocalStore::open(root, public_url, secret)?);
                (store.clone(), Some(store))
            }
        };
        Ok(Self {
            store,
            local,
            limits: config.limits,
            upload_ttl_secs: config.upload_ttl_secs,
            quota_bytes: config.quota_bytes,
            reservations,
        })
    }
}
