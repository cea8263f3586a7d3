//! `/storage`: presigned uploads, the local store's signed upload route, and downloads.
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use crate::limits::Limit;
use crate::state::AppState;
use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, put, route, web};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use storage::key::{ObjectKey, Purpose};
use storage::local::Incoming;
use storage::signed_url::UploadGrant;
use storage::upload::{Upload, is_inline_image};
use storage::{ObjectInfo, Served, StoreError, disposition};
use utoipa::ToSchema;
use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/storage")
            .service(presign)
            .service(upload_object)
            .service(object_info)
            .service(download_object),
    );
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresignRequest {
    /// The file's name; it is sanitised into the key (Unicode letters are kept).
    #[schema(required = true, nullable = false, min_length = 1, max_length = 255)]
    filename: Option<String>,
    /// A media type; avatars take PNG, JPEG, GIF, WebP, AVIF or BMP images.
    #[schema(
        required = true,
        nullable = false,
        example = "image/png",
        max_length = 127,
        pattern = "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(;.*)?$"
    )]
    content_type: Option<String>,
    /// Bytes: 1 to 2 MiB for an avatar, to 20 MiB for an attachment (configurable).
    #[schema(required = true, nullable = false, minimum = 1, maximum = 20971520)]
    size: Option<u64>,
    #[schema(required = true, nullable = false)]
    purpose: Option<Purpose>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Presigned {
    /// Where to PUT the bytes, with exactly `headers`.
    upload_url: String,
    /// Always `PUT`.
    method: &'static str,
    headers: BTreeMap<String, String>,
    /// Where the object is served once uploaded: the value for `headPic` or a message.
    url: String,
    key: String,
    /// Seconds the upload URL stays valid.
    expires_in: u32,
}

/// Prepares an upload: the server makes the key and returns a URL valid for one PUT of
/// exactly the declared type and size.
#[utoipa::path(tag = "storage", request_body = PresignRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Presigned), (status = 400, body = ErrorBody),
        (status = 413, description = "`quota_exceeded`: the user's uploads would pass the quota",
            body = ErrorBody),
        (status = 429, body = ErrorBody)))]
#[post("/presign")]
pub async fn presign(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonBody<PresignRequest>,
) -> Result<web::Json<Presigned>, ApiError> {
    state
        .limits
        .check(Limit::Presign, &auth.id.get().to_string())
        .await?;
    let request = body.0;
    let storage = &state.storage;
    let upload = Upload::parse(
        auth.id,
        storage.limits,
        request.filename.as_deref(),
        request.content_type.as_deref(),
        request.size,
        request.purpose,
    )?;
    storage.reserve(auth.id, upload.size).await?;
    let put = storage
        .store
        .presign_put(&upload, storage.upload_ttl_secs)
        .await?;
    Ok(web::Json(Presigned {
        upload_url: put.url,
        method: "PUT",
        headers: put.headers,
        url: format!(
            "{}/storage/object/{}",
            state.public_url,
            upload.key.url_path()
        ),
        key: upload.key.as_str().to_owned(),
        expires_in: storage.upload_ttl_secs,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Uploaded {
    uploaded: bool,
}

/// The local store's upload URL (as returned by `/storage/presign`): the body must have the
/// declared size and Content-Type. Absent when the service stores objects in S3.
#[utoipa::path(tag = "storage",
    params(("key" = String, Path), ("size" = u64, Query), ("type" = String, Query),
        ("expires" = i64, Query), ("sig" = String, Query)),
    responses((status = 200, body = Uploaded), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, body = ErrorBody)))]
#[put("/upload/{key:.*}")]
pub async fn upload_object(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<web::Json<Uploaded>, ApiError> {
    let local = state.storage.local.as_ref().ok_or(StoreError::NotFound)?;
    let key = ObjectKey::parse(&path).ok_or(StoreError::BadSignature)?;
    let grant = UploadGrant::from_query(req.query_string())?;
    let headers = req.headers();
    let incoming = Incoming {
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok()),
        content_length: headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok()),
    };
    local.receive(&key, &grant, incoming, body).await?;
    Ok(web::Json(Uploaded { uploaded: true }))
}

/// How long a client may keep what it was told of an object: objects never change once written.
const IMMUTABLE: &str = "private, max-age=31536000, immutable";

/// An uploaded object's name, length and type, for a client that shows a file before anyone
/// downloads it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectInfoView {
    /// The file's name, as a download names it.
    name: String,
    /// Its length in bytes.
    size: u64,
    /// The media type it was uploaded with.
    content_type: String,
}

/// What a download of the object would give, without its bytes; no token, like the download
/// (the random key is the capability).
#[utoipa::path(tag = "storage",
    params(("key" = String, Path)),
    responses((status = 200, body = ObjectInfoView), (status = 404, body = ErrorBody)))]
#[get("/info/{key:.*}")]
pub async fn object_info(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = ObjectKey::parse(&path).ok_or(StoreError::NotFound)?;
    let ObjectInfo { size, content_type } = state.storage.store.stat(&key).await?;
    let view = ObjectInfoView {
        name: key.name().to_owned(),
        size,
        content_type,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .json(view))
}

/// Serves an uploaded object without a token (the random key is the capability): the file with
/// its stored type, or with S3 a redirect to a short-lived presigned GET. Anything but a safe
/// image is sent as a download.
#[utoipa::path(tag = "storage",
    params(("key" = String, Path)),
    responses((status = 200, description = "the object's bytes"),
        (status = 302, description = "to a short-lived presigned URL (S3)"),
        (status = 404, body = ErrorBody)))]
#[route("/object/{key:.*}", method = "GET", method = "HEAD")]
pub async fn download_object(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = ObjectKey::parse(&path).ok_or(StoreError::NotFound)?;
    let mut response = match state.storage.store.serve(&key).await? {
        Served::Redirect(url) => HttpResponse::Found()
            .insert_header((header::LOCATION, url))
            .insert_header((header::CACHE_CONTROL, "private, max-age=60"))
            .finish(),
        Served::File { path, content_type } => {
            let inline = is_inline_image(&content_type);
            let mime = content_type
                .parse()
                .unwrap_or(mime::APPLICATION_OCTET_STREAM);
            let file = web::block(move || NamedFile::open(path))
                .await
                .map_err(|err| ApiError::internal(&err))?;
            let mut response = file
                .map_err(|err| match err.kind() {
                    std::io::ErrorKind::NotFound => StoreError::NotFound,
                    _ => StoreError::from(err),
                })?
                .set_content_type(mime)
                .set_content_disposition(disposition(&key, inline))
                .into_response(&req);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
            response
        }
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}
