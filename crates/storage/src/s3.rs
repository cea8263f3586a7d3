//! S3/MinIO through rust-s3, path style. Uploads go straight to S3 with a presigned PUT whose
//! signature covers the Content-Type and Content-Length, so S3 itself refuses other bytes than
//! declared. Downloads are redirects to a short-lived presigned GET.
use crate::key::{ObjectKey, Purpose};
use crate::upload::{Upload, is_inline_image};
use crate::{ObjectInfo, ObjectStore, PresignedPut, Served, StoreError, StoredObject, disposition};
use async_trait::async_trait;
use s3::creds::Credentials;
use s3::error::S3Error;
use s3::{Bucket, BucketConfiguration, Region};
use std::collections::{BTreeMap, HashMap};
use user::UserId;

/// How to reach the bucket.
pub struct S3Config {
    pub endpoint: String,
    /// Where browsers reach S3, when not at `endpoint` (signatures cover the host).
    pub public_endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Lifetime of a download redirect, in seconds.
    pub download_ttl_secs: u32,
}

pub struct S3Store {
    /// For the gateway's own calls.
    bucket: Box<Bucket>,
    /// For URLs handed to clients.
    public: Box<Bucket>,
    download_ttl_secs: u32,
}

fn backend(err: S3Error) -> StoreError {
    StoreError::Backend(err.to_string())
}

/// Lists at most one key: a cheap request that needs rights on this bucket only (listing all
/// buckets needs more, and some servers answer that in a shape rust-s3 rejects).
async fn bucket_exists(bucket: &Bucket) -> Result<bool, StoreError> {
    match bucket
        .list_page(String::new(), None, None, None, Some(1))
        .await
    {
        Ok(_) => Ok(true),
        Err(S3Error::HttpFailWithBody(404, _)) => Ok(false),
        Err(err) => Err(backend(err)),
    }
}

impl S3Store {
    /// Connects, creating the bucket when it is missing.
    pub async fn open(config: S3Config) -> Result<Self, StoreError> {
        let credentials = Credentials::new(
            Some(&config.access_key),
            Some(&config.secret_key),
            None,
            None,
            None,
        )
        .map_err(|err| StoreError::Backend(err.to_string()))?;
        let region = |endpoint: &str| Region::Custom {
            region: config.region.clone(),
            endpoint: endpoint.trim_end_matches('/').to_owned(),
        };
        let bucket = Bucket::new(
            &config.bucket,
            region(&config.endpoint),
            credentials.clone(),
        )
        .map_err(backend)?
        .with_path_style();
        let public_endpoint = config
            .public_endpoint
            .as_deref()
            .unwrap_or(&config.endpoint);
        let public = Bucket::new(&config.bucket, region(public_endpoint), credentials.clone())
            .map_err(backend)?
            .with_path_style();
        if !bucket_exists(&bucket).await? {
            let created = Bucket::create_with_path_style(
                &config.bucket,
                region(&config.endpoint),
                credentials,
                BucketConfiguration::default(),
            )
            .await;
            // Another gateway starting at the same moment may have created it first: servers
            // answer that race with 409 or, some, with a 500. What counts is that it exists.
            if let Err(err) = created
                && !bucket_exists(&bucket).await?
            {
                return Err(backend(err));
            }
            tracing::info!(bucket = %config.bucket, "created the storage bucket");
        }
        Ok(Self {
            bucket,
            public,
            download_ttl_secs: config.download_ttl_secs,
        })
    }
}

#[async_trait]
impl ObjectStore for S3Store {
    async fn presign_put(
        &self,
        upload: &Upload,
        expires_in: u32,
    ) -> Result<PresignedPut, StoreError> {
        let mut signed = http::HeaderMap::new();
        let content_type = http::HeaderValue::from_str(&upload.content_type)
            .map_err(|err| StoreError::Backend(err.to_string()))?;
        signed.insert(http::header::CONTENT_TYPE, content_type);
        signed.insert(http::header::CONTENT_LENGTH, upload.size.into());
        let url = self
            .public
            .presign_put(upload.key.as_str(), expires_in, Some(signed), None)
            .await
            .map_err(backend)?;
        let headers = BTreeMap::from([("Content-Type".to_owned(), upload.content_type.clone())]);
        Ok(PresignedPut { url, headers })
    }

    async fn serve(&self, key: &ObjectKey) -> Result<Served, StoreError> {
        let ObjectInfo { content_type, .. } = self.stat(key).await?;
        let inline = is_inline_image(&content_type);
        let queries = HashMap::from([(
            "response-content-disposition".to_owned(),
            disposition(key, inline).to_string(),
        )]);
        let url = self
            .public
            .presign_get(key.as_str(), self.download_ttl_secs, Some(queries))
            .await
            .map_err(backend)?;
        Ok(Served::Redirect(url))
    }

    async fn stat(&self, key: &ObjectKey) -> Result<ObjectInfo, StoreError> {
        let (head, _) = self
            .bucket
            .head_object(key.as_str())
            .await
            .map_err(|err| match err {
                S3Error::HttpFailWithBody(404, _) => StoreError::NotFound,
                other => backend(other),
            })?;
        Ok(ObjectInfo {
            size: head
                .content_length
                .and_then(|length| u64::try_from(length).ok())
                .unwrap_or_default(),
            content_type: head.content_type.unwrap_or_default(),
        })
    }

    async fn check(&self) -> Result<(), StoreError> {
        match bucket_exists(&self.bucket).await? {
            true => Ok(()),
            false => Err(StoreError::Backend("the bucket is missing".to_owned())),
        }
    }

    async fn list(
        &self,
        purpose: Purpose,
        owner: Option<UserId>,
    ) -> Result<Vec<StoredObject>, StoreError> {
        let prefix = match owner {
            Some(owner) => format!("{}/{}/", purpose.as_str(), owner.get()),
            None => format!("{}/", purpose.as_str()),
        };
        // A single PUT is all or nothing in S3: every listed object is a finished upload.
        let pages = self.bucket.list(prefix, None).await.map_err(backend)?;
        Ok(pages
            .into_iter()
            .flat_map(|page| page.contents)
            .filter_map(|object| {
                let key = ObjectKey::parse(&object.key)?;
                let modified = chrono::DateTime::parse_from_rfc3339(&object.last_modified).ok()?;
                Some(StoredObject {
                    owner: key.owner(),
                    key: Some(key),
                    path: object.key,
                    size: object.size,
                    modified: modified.with_timezone(&chrono::Utc),
                })
            })
            .collect())
    }

    async fn delete(&self, object: &StoredObject) -> Result<(), StoreError> {
        match self.bucket.delete_object(&object.path).await {
            Ok(_) | Err(S3Error::HttpFailWithBody(404, _)) => Ok(()),
            Err(err) => Err(backend(err)),
        }
    }
}
