//! The embedded default store: objects as files under `<data_dir>/objects/<key>`, uploaded
//! through a signed, expiring gateway URL that enforces the declared size and type while the
//! body streams to disk. An object is written once: the upload lands in a temporary file and is
//! linked into place only when complete, so a reader never sees half a file.
use crate::key::{ObjectKey, Purpose};
use crate::signed_url::{UploadGrant, UploadSigner};
use crate::upload::{Upload, essence};
use crate::{ObjectInfo, ObjectStore, PresignedPut, Served, StoreError, StoredObject};
use async_trait::async_trait;
use futures_util::{Stream, StreamExt};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;
use user::UserId;

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
        let ObjectInfo { content_type, .. } = self.stat(key).await?;
        Ok(Served::File {
            path: self.path_of(key),
            content_type,
        })
    }

    async fn stat(&self, key: &ObjectKey) -> Result<ObjectInfo, StoreError> {
        let path = self.path_of(key);
        let missing = |err: std::io::Error| match err.kind() {
            std::io::ErrorKind::NotFound => StoreError::NotFound,
            _ => err.into(),
        };
        let meta = path.with_file_name(META_FILE);
        let content_type = tokio::fs::read_to_string(&meta).await.map_err(missing)?;
        let size = tokio::fs::metadata(&path).await.map_err(missing)?.len();
        Ok(ObjectInfo { size, content_type })
    }

    async fn check(&self) -> Result<(), StoreError> {
        tokio::fs::metadata(&self.root).await?;
        Ok(())
    }

    async fn list(
        &self,
        purpose: Purpose,
        owner: Option<UserId>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || list_uploads(&root, purpose, owner))
            .await
            .map_err(|err| StoreError::Backend(err.to_string()))?
            .map_err(StoreError::from)
    }

    async fn delete(&self, object: &StoredObject) -> Result<(), StoreError> {
        // An upload's folder (`<purpose>/<owner>/<uuid>`) holds it, its type and any partial.
        let folder: Vec<&str> = object.path.split('/').take(3).collect();
        if folder.len() < 3
            || folder
                .iter()
                .any(|part| part.is_empty() || part.starts_with('.'))
        {
            return Err(StoreError::NotFound);
        }
        match tokio::fs::remove_dir_all(self.root.join(folder.join("/"))).await {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err.into()),
        }
    }
}

/// The uploads under `<root>/<purpose>[/<owner>]`, one per upload folder.
fn list_uploads(
    root: &Path,
    purpose: Purpose,
    owner: Option<UserId>,
) -> std::io::Result<Vec<StoredObject>> {
    let base = root.join(purpose.as_str());
    let owners: Vec<String> = match owner {
        Some(owner) => vec![owner.get().to_string()],
        None => sub_folders(&base)?,
    };
    let mut found = Vec::new();
    for owner in owners {
        let Ok(id) = owner.parse::<i64>() else {
            continue;
        };
        for upload in sub_folders(&base.join(&owner))? {
            let path = format!("{}/{owner}/{upload}", purpose.as_str());
            // An upload finishing (its partial file going) or swept meanwhile is no error.
            match read_upload(root, path, UserId::new(id)) {
                Ok(Some(object)) => found.push(object),
                Ok(None) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(found)
}

/// The names of the folders in `dir` (none when it does not exist).
fn sub_folders(dir: &Path) -> std::io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            names.extend(entry.file_name().to_str().map(str::to_owned));
        }
    }
    Ok(names)
}

/// One upload folder: its object when finished, else what an unfinished upload left.
fn read_upload(root: &Path, path: String, owner: UserId) -> std::io::Result<Option<StoredObject>> {
    let folder = root.join(&path);
    let mut object = None;
    let mut leftovers = (0_u64, std::fs::metadata(&folder)?.modified()?);
    for entry in std::fs::read_dir(&folder)? {
        let entry = entry?;
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            leftovers.0 += meta.len();
            leftovers.1 = leftovers.1.max(meta.modified()?);
        } else {
            object = Some((name, meta.len(), meta.modified()?));
        }
    }
    Ok(match object {
        Some((name, size, modified)) => {
            let key = format!("{path}/{name}");
            ObjectKey::parse(&key).map(|parsed| StoredObject {
                key: Some(parsed),
                path: key,
                owner,
                size,
                modified: modified.into(),
            })
        }
        None => Some(StoredObject {
            key: None,
            path,
            owner,
            size: leftovers.0,
            modified: leftovers.1.into(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_upload_cut_short_is_listed_unfinished_and_removed_with_its_folder() {
        let root = tempfile::tempdir().unwrap();
        let store = LocalStore::open(root.path().to_owned(), "http://chat", b"secret").unwrap();
        let cut = root
            .path()
            .join(format!("attachment/7/{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&cut).unwrap();
        std::fs::write(cut.join(PARTIAL_FILE), b"half").unwrap();
        let done = ObjectKey::new(Purpose::Attachment, UserId::new(7), "notes.txt");
        let path = root.path().join(done.as_str());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"whole").unwrap();
        std::fs::write(path.with_file_name(META_FILE), "text/plain").unwrap();

        let mut listed = store.list(Purpose::Attachment, None).await.unwrap();
        listed.sort_by_key(|object| object.key.is_some());
        assert_eq!(listed.len(), 2);
        assert_eq!((listed[0].key.as_ref(), listed[0].size), (None, 4));
        assert_eq!((listed[1].key.as_ref(), listed[1].size), (Some(&done), 5));
        assert!(listed.iter().all(|object| object.owner == UserId::new(7)));
        assert!(
            store
                .list(Purpose::Attachment, Some(UserId::new(8)))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.list(Purpose::Avatar, None).await.unwrap().is_empty());

        store.delete(&listed[0]).await.unwrap();
        assert!(!cut.exists());
        assert!(path.exists());
        store.delete(&listed[1]).await.unwrap();
        assert!(!path.exists());
        // Gone already is no error.
        store.delete(&listed[1]).await.unwrap();
    }
}
