//! The embedded default store: objects as files under `<data_dir>/objects/<key>`, uploaded
//! through a signed, expiring gateway URL that enforces the declared size and type while the
//! body streams to disk. An object is written once: the upload lands in a temporary file and is
//! linked into place only when complete, so a reader never sees half a file.
use crate::storage::key::ObjectKey;
use crate::storage::signed_url::{UploadGrant, UploadSigner};
use crate::storage::upload::{Upload, essence};
use crate::storage::{ObjectStore, PresignedPut, Served, StoreError};
use async_trait::async_trait;
use futures_util::{Stream, StreamExt};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// The stored Content-Type of the object in the same folder (names never start with a dot).
const META_FILE: &str = ".content-type";
/// The upload in progress, in the object's folder.
const PARTIAL_FILE: &str = ".partial";

pub struct LocalStore {
    root: PathBuf,
    public_url: String,
    signer: UploadSigner,
}

/// What the PUT carried besides its body.
pub struct Incoming<'a> {
    pub content_type: Option<&'a str>,
    pub content_length: Option<u64>,
}

impl LocalStore {
    pub fn open(root: PathBuf, public_url: &str, secret: &[u8]) -> Result<Self, StoreError> {
        std::fs::create_dir_all(&root)?;
        Ok(Self {
            root,
            public_url: public_url.to_owned(),
            signer: UploadSigner::new(secret)?,
        })
    }

    fn path_of(&self, key: &ObjectKey) -> PathBuf {
        self.root.join(key.as_str())
    }

    /// Stores the body of a signed upload.
    pub async fn receive<B, E>(
        &self,
        key: &ObjectKey,
        grant: &UploadGrant,
        incoming: Incoming<'_>,
        mut body: B,
    ) -> Result<(), StoreError>
    where
        B: Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.signer
            .verify(key.as_str(), grant, chrono::Utc::now().timestamp())?;
        let declared = essence(&grant.content_type);
        if incoming.content_type.map(essence) != Some(declared) {
            return Err(StoreError::TypeMismatch);
        }
        match incoming.content_length {
            Some(length) if length > grant.size => return Err(StoreError::TooLarge),
            Some(length) if length < grant.size => return Err(StoreError::SizeMismatch),
            _ => {}
        }
        let path = self.path_of(key);
        let folder = path.parent().ok_or(StoreError::NotFound)?;
        if tokio::fs::try_exists(&path).await? {
            return Err(StoreError::AlreadyUploaded);
        }
        tokio::fs::create_dir_all(folder).await?;
        // One partial file per key, created exclusively: a second PUT while one is in flight
        // is refused instead of writing another copy.
        let mut partial = Partial::create(folder.join(PARTIAL_FILE)).await?;
        let written = write_capped(&mut partial.file, &mut body, grant.size).await?;
        if written != grant.size {
            return Err(StoreError::SizeMismatch);
        }
        finish(folder, &partial.path, &path, &grant.content_type).await
    }
}

/// The upload in progress; removed when dropped, which also happens when the client hangs up
/// and actix drops the handler mid-body. After `finish` it is only a second link to the object.
struct Partial {
    path: PathBuf,
    file: tokio::fs::File,
}

impl Partial {
    async fn create(path: PathBuf) -> Result<Self, StoreError> {
        match tokio::fs::File::create_new(&path).await {
            Ok(file) => Ok(Self { path, file }),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(StoreError::AlreadyUploaded)
            }
            Err(err) => Err(err.into()),
        }
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Streams the body into `file`, stopping as soon as it passes `cap` bytes.
async fn write_capped<B, E>(
    file: &mut tokio::fs::File,
    body: &mut B,
    cap: u64,
) -> Result<u64, StoreError>
where
    B: Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut written: u64 = 0;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|err| StoreError::BadBody(err.to_string()))?;
        written += chunk.len() as u64;
        if written > cap {
            return Err(StoreError::TooLarge);
        }
        file.write_all(&chunk).await?;
    }
    file.sync_all().await?;
    Ok(written)
}

/// Records the type, then links the complete file into place (refusing to replace one).
async fn finish(
    folder: &Path,
    partial: &Path,
    path: &Path,
    content_type: &str,
) -> Result<(), StoreError> {
    tokio::fs::write(folder.join(META_FILE), content_type).await?;
    match tokio::fs::hard_link(partial, path).await {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(StoreError::AlreadyUploaded)
        }
        Err(err) => Err(err.into()),
    }
}

#[async_trait]
impl ObjectStore for LocalStore {
    async fn presign_put(
        &self,
        upload: &Upload,
        expires_in: u32,
    ) -> Result<PresignedPut, StoreError> {
        let expires = chrono::Utc::now().timestamp() + i64::from(expires_in);
        let key = &upload.key;
        let sig = self
            .signer
            .sign(key.as_str(), upload.size, &upload.content_type, expires)?;
        let content_type = utf8_percent_encode(&upload.content_type, NON_ALPHANUMERIC);
        let url = format!(
            "{}/storage/upload/{}?size={}&type={content_type}&expires={expires}&sig={sig}",
            self.public_url,
            key.url_path(),
            upload.size,
        );
        let headers = BTreeMap::from([("Content-Type".to_owned(), upload.content_type.clone())]);
        Ok(PresignedPut { url, headers })
    }

    async fn serve(&self, key: &ObjectKey) -> Result<Served, StoreError> {
        let path = self.path_of(key);
        let meta = path.with_file_name(META_FILE);
        let content_type = match tokio::fs::read_to_string(&meta).await {
            Ok(content_type) => content_type,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(StoreError::NotFound);
            }
            Err(err) => return Err(err.into()),
        };
        if !tokio::fs::try_exists(&path).await? {
            return Err(StoreError::NotFound);
        }
        Ok(Served::File { path, content_type })
    }

    async fn check(&self) -> Result<(), StoreError> {
        tokio::fs::metadata(&self.root).await?;
        Ok(())
    }
}
